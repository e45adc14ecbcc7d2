"""The course's notebook kernels talk over Unix sockets, so no port taken by another process can
kill one as it starts (w2v_course.ipc_kernels)."""

import glob
import os
import socket
import subprocess

import nbformat
import pytest
from jupyter_client.provisioning.local_provisioner import LocalPortCache
from nbclient import NotebookClient

from w2v_course import ipc_kernels

needs_unix_sockets = pytest.mark.skipif(
    not ipc_kernels.UNIX_SOCKETS, reason="no Unix sockets here (Windows): kernels keep TCP ports")


@pytest.fixture
def every_free_port_is_taken(monkeypatch):
    """Each port jupyter_client chooses is already listened on by another socket.

    This is what a race makes of one port now and then: with TCP, the kernel exits with
    ``ZMQError: Address already in use`` and the caller sees ``Kernel died before replying``.
    """
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    monkeypatch.setattr(LocalPortCache, "find_available_port", lambda self, ip: port)
    yield port
    taken.close()


@needs_unix_sockets
def test_socket_prefixes_are_absolute_short_and_distinct(tmp_path):
    prefixes = {ipc_kernels.socket_prefix() for _ in range(100)}
    assert len(prefixes) == 100
    for prefix in prefixes:
        assert os.path.isabs(prefix) and len(prefix + "-5") < 100
    assert os.path.dirname(ipc_kernels.socket_prefix(tmp_path)) == str(tmp_path)


@needs_unix_sockets
def test_nbvals_kernels_start_on_unix_sockets_and_leave_nothing(every_free_port_is_taken):
    # the README's pytest loads w2v_course.pytest_startup, which hands nbval our manager
    nbval_kernel = pytest.importorskip("nbval.kernel")
    km, kc = nbval_kernel.start_new_kernel(kernel_name=nbval_kernel.CURRENT_ENV_KERNEL_NAME,
                                           stderr=subprocess.DEVNULL)
    try:
        assert km.transport == "ipc"
        assert every_free_port_is_taken not in km.get_connection_info().values()
        sockets = glob.glob(km.ip + "-*")
        assert len(sockets) == 5 and all(os.path.exists(s) for s in sockets)
        reply = kc.execute_interactive("x = 6 * 7", timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert glob.glob(km.ip + "*") == []


@needs_unix_sockets
def test_the_site_builds_notebook_client_runs_on_unix_sockets(every_free_port_is_taken, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    config = ipc_kernels.kernel_config(tmp_path)
    NotebookClient(nb, timeout=60, kernel_name="python3", config=config).execute()
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert list(tmp_path.iterdir()) == []  # the socket files went with the kernel


def test_without_unix_sockets_the_tcp_defaults_are_kept(monkeypatch):
    monkeypatch.setattr(ipc_kernels, "UNIX_SOCKETS", False)  # as on Windows
    assert ipc_kernels.kernel_manager(kernel_name="python3").transport == "tcp"
    assert "KernelManager" not in ipc_kernels.kernel_config()
