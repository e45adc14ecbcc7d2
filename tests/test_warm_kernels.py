"""nbval's kernels forked from a warm process (w2v_course.warm_kernels): the same kernel as a
cold start, minus the imports."""

import json
import os
import subprocess
import sys
import time

import pytest

from w2v_course import warm_kernels

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


def _start(tmp_path, **env):
    km = warm_kernels.kernel_manager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path), env={**os.environ, **env})
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def _run(kc, code: str) -> str:
    out = []
    reply = kc.execute_interactive(
        code, timeout=60,
        output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream"
        else None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def _stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_a_forked_kernel_is_a_fresh_kernel_with_the_modules_loaded(tmp_path):
    if warm_kernels._warm_process() is None:
        pytest.skip("no warm process here (BLAS not held to one thread, or switched off)")
    km, kc = _start(tmp_path, W2V_PROBE="from the launch")
    try:
        assert isinstance(km.provisioner, warm_kernels.WarmProvisioner)
        assert isinstance(km.provisioner.process, warm_kernels.ForkedKernel)  # it was forked
        seen = json.loads(_run(kc, (
            "import json, os, sys\n"
            f"late = {list(warm_kernels.NOT_PRELOADED)!r}\n"
            "print(json.dumps({'preloaded': 'gensim.models' in sys.modules,\n"
            "    'late_loaded': [m for m in late if m in sys.modules],\n"
            "    'numpy_bound': 'np' in dir(), 'cwd': os.getcwd(), 'pid': os.getpid(),\n"
            "    'session': os.getsid(0), 'probe': os.environ.get('W2V_PROBE'),\n"
            "    'parent': os.environ.get('JPY_PARENT_PID'), 'argv1': sys.argv[1]}))")))
    finally:
        _stop(km, kc)
    assert seen["preloaded"] and not seen["numpy_bound"]  # modules loaded, namespace fresh
    # modules that look for a running IPython when imported are left to the kernel
    assert seen["late_loaded"] == []
    assert seen["cwd"] == str(tmp_path) and seen["probe"] == "from the launch"
    assert seen["pid"] == km.provisioner.pid == seen["session"]  # its own session, as Popen's
    assert seen["parent"] == str(os.getpid()) and seen["argv1"] == "-f"


def test_interrupt_and_shutdown_reach_a_forked_kernel(tmp_path):
    km, kc = _start(tmp_path)
    pid = km.provisioner.pid
    try:
        kc.execute("import time\ntime.sleep(60)")
        time.sleep(0.5)
        started = time.monotonic()
        km.interrupt_kernel()
        while True:
            reply = kc.get_shell_msg(timeout=20)
            if reply["msg_type"] == "execute_reply":
                break
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 10
        assert km.is_alive()
    finally:
        _stop(km, kc)
    assert not km.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_other_commands_and_the_switch_start_kernels_the_usual_way(monkeypatch):
    assert warm_kernels._ipykernel_argv(["/bin/sh", "-c", "true"]) is None
    assert warm_kernels._ipykernel_argv(
        [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) == ["-f", "c.json"]
    assert warm_kernels._ipykernel_argv(["/no/such/python", "-m", "ipykernel_launcher"]) is None
    real = os.path.realpath(sys.executable)  # a venv's python links to another interpreter
    if real != os.path.abspath(sys.executable):
        assert warm_kernels._ipykernel_argv([real, "-m", "ipykernel_launcher", "-f", "c"]) is None
    monkeypatch.setenv(warm_kernels.ENV_SWITCH, "0")
    assert not warm_kernels.enabled()
    assert warm_kernels.kernel_manager(kernel_name="python3").provisioner is None


def test_a_warm_process_with_a_second_thread_refuses_to_fork():
    code = ("import threading, time\n"
            "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
            "from w2v_course import warm_kernels\n"
            "warm_kernels.PRELOAD = ()\n"
            "warm_kernels.serve()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    answer = json.loads(done.stdout.splitlines()[0])
    assert "ready" not in answer and "expected one thread" in answer["error"]
