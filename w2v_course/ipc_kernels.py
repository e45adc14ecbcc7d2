"""Jupyter kernels that talk over Unix sockets in a private path, not over TCP ports.

Every tool of the course that runs notebooks (nbval under pytest, the site build, the homework
grader) starts Jupyter kernels, often two at a time. By default ``jupyter_client`` talks to a
kernel over five TCP ports on 127.0.0.1, and it chooses them by asking the system for free ports,
*closing* them, and writing their numbers into the kernel's connection file. The kernel binds them
a second or two later, when Python has started. Any other process that takes one of those ports
in that gap (another kernel starting, Spark's JVM, an outgoing connection) makes the kernel exit
with ``ZMQError: Address already in use``, and the caller reports only
``RuntimeError: Kernel died before replying to kernel_info``. A CI run of the suite failed this
way, once, on a notebook that has no fault; the grader would give such a submission no credit.

With ``transport="ipc"`` the five channels are Unix socket files ``<prefix>-1`` ... ``<prefix>-5``.
``jupyter_client`` numbers them by looking for free file names, so two kernels must never share a
prefix: each kernel gets a prefix of its own (a random name in the temporary folder, or in a
folder the caller owns), and no port is chosen, so there is nothing to race for.
``jupyter_client`` removes the socket files when the kernel shuts down.

Unix sockets exist on Linux and macOS; on Windows (ZeroMQ has no ``ipc`` transport there) the
functions below fall back to jupyter_client's TCP defaults.
"""

from __future__ import annotations

import os
import tempfile
import uuid

#: Whether kernels can use Unix sockets here (not on Windows).
UNIX_SOCKETS = os.name == "posix"


def socket_prefix(folder: str | os.PathLike[str] | None = None) -> str:
    """A fresh absolute path prefix for one kernel's socket files, in ``folder`` (default: temp).

    Absolute, because the kernel runs in the notebook's folder and the client in the caller's.
    Short, because a Unix socket path has a limit of about 100 bytes.
    """
    folder = os.path.abspath(folder if folder is not None else tempfile.gettempdir())
    return os.path.join(folder, f"w2v-kernel-{uuid.uuid4().hex[:16]}")


def kernel_manager(folder: str | os.PathLike[str] | None = None, **traits):
    """A ``jupyter_client.KernelManager`` whose kernel listens on Unix sockets under ``folder``.

    ``traits`` are passed on (``kernel_name``, ``kernel_spec_manager``, ...): it is a drop-in for
    ``KernelManager(**traits)``.
    """
    from jupyter_client.manager import KernelManager

    if not UNIX_SOCKETS:
        return KernelManager(**traits)
    return KernelManager(transport="ipc", ip=socket_prefix(folder), **traits)


def kernel_config(folder: str | os.PathLike[str] | None = None):
    """The ``traitlets`` config that makes the kernel manager a tool builds use Unix sockets.

    For tools that create the manager themselves, such as ``nbclient.NotebookClient(config=...)``
    (its default manager class is a subclass of ``KernelManager``, which this configures).
    One config serves one kernel: make a new one for each.
    """
    from traitlets.config import Config

    config = Config()
    if not UNIX_SOCKETS:
        return config
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = socket_prefix(folder)
    return config
