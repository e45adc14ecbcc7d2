"""Notebook kernels forked from a warm process: how the test suite starts nbval's kernels.

The README's ``pytest`` runs about 30 notebooks, each in a new Jupyter kernel, and a new kernel
is a new Python process that imports IPython and ``ipykernel`` (about 0.8 s of CPU) before its
first cell, which then imports NumPy, gensim (2.1 s: ``scipy.stats`` alone is 1.2 s) and the
course. In each pytest process this module starts one *warm* process that imports all of that
once and then only forks: every kernel nbval asks for is a child of it, a copy of a process that
has the modules loaded but has run no notebook code. The kernel is otherwise the one
``python -m ipykernel_launcher -f <connection file>`` starts: its own session and process group
(interrupts and kills reach it as before), the environment, working folder, ``sys.argv`` and
``sys.path`` that launch would give it, and a fresh namespace -- a notebook that forgets an
import still fails. Only the import time is gone.

This is for the test suite only (``-p w2v_course.pytest_startup``): a learner's kernel in
JupyterLab starts the usual way, and so does every kernel ``benchmarks/bench_lessons.py`` times,
because the lesson budgets are about a learner's cold kernel (it sets ``W2V_WARM_KERNELS=0``).
The homework grader and the site build start their kernels themselves, as before.

Where forking is not safe or not possible, kernels start the usual way: no ``os.fork``
(Windows), ``W2V_WARM_KERNELS=0``, a kernel command other than this Python's
``-m ipykernel_launcher``, or a warm process that has more than one thread after its imports (a
fork copies only the forking thread; NumPy's BLAS starts threads unless it is held to one, which
``tests/conftest.py`` does).

What a fork cannot give: the warm process reaps its children, so the kernel's exit status is not
known (``poll()`` says 0 once the process is gone), and modules imported by the warm process were
imported with the pytest process's environment (the same one the kernel gets).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from w2v_course import ipc_kernels

#: Modules the warm process imports before it forks (each one that is installed). Not modules
#: that decide something at import from the running IPython (there is none in the warm process):
#: ``tqdm.auto`` picks its notebook or text bar then, ``ipywidgets`` registers its comm target, and
#: matplotlib reads ``MPLBACKEND``, which the kernel sets when it starts.
PRELOAD = ("ipykernel.kernelapp", "numpy", "scipy.stats", "gensim.models", "sklearn.manifold",
           "w2v_edu", "w2v_edu.word2vec", "w2v_edu.evaluation", "w2v_edu.external_engines",
           "w2v_course.homework")

#: Imported by none of :data:`PRELOAD` (``tests/test_warm_kernels.py`` checks it).
NOT_PRELOADED = ("tqdm.auto", "tqdm.autonotebook", "ipywidgets", "matplotlib")

#: Set to ``0`` to start every kernel the usual way.
ENV_SWITCH = "W2V_WARM_KERNELS"


def enabled() -> bool:
    """Whether kernels may be forked here: a platform with ``fork``, not switched off."""
    return hasattr(os, "fork") and os.environ.get(ENV_SWITCH, "1") != "0"


def kernel_manager(folder: str | os.PathLike[str] | None = None, **traits):
    """:func:`w2v_course.ipc_kernels.kernel_manager` (Unix sockets) whose kernels are forked
    from the warm process when :func:`enabled`; a drop-in for ``KernelManager(**traits)``."""
    km = ipc_kernels.kernel_manager(folder, **traits)
    if enabled():
        km.kernel_id = str(uuid.uuid4())
        km.provisioner = WarmProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec,
                                         parent=km)
    return km


class WarmProvisioner(LocalProvisioner):
    """``jupyter_client``'s local provisioner, except that an ipykernel kernel is forked from the
    warm process instead of started with ``Popen`` (anything else is started as usual)."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        warm = _warm_process()
        kernel_argv = _ipykernel_argv(cmd)
        if warm is None or kernel_argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launch_kernel sets it
        pid = warm.fork_kernel(kernel_argv, env, cwd)
        if pid is None:  # the warm process could not fork: the usual way
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)
        self.pid = pid
        self.pgid = pid  # the kernel called setsid() before its pid was reported
        self.cwd = cwd
        return self.connection_info


def _ipykernel_argv(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments if ``cmd`` is ``<this python> -m ipykernel_launcher ...``."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    # the same path, not only the same binary: a virtual environment's python is a link to
    # the base interpreter, with other packages
    same_python = os.path.abspath(cmd[0]) == os.path.abspath(sys.executable)
    return list(cmd[3:]) if same_python else None


class ForkedKernel:
    """What :class:`LocalProvisioner` needs of a ``Popen``, for a kernel the warm process forked.

    The kernel is not this process's child, so its state is read with ``kill(pid, 0)``: the warm
    process reaps it when it exits, and from then on the pid is gone.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # exited and reaped; the status stayed with the warm process
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired([str(self.pid)], timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _warm_env() -> dict[str, str]:
    """The warm process's environment: this process's, plus what ``jupyter_client`` adds for
    every kernel it starts from here, because a module can read the environment when it is
    imported (``ipykernel`` reads ``JPY_PARENT_PID`` then)."""
    return {**os.environ, "JPY_PARENT_PID": str(os.getpid())}


class _WarmProcess:
    """The pytest process's end of the warm process: one JSON line out, one back, per kernel."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from w2v_course.warm_kernels import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_warm_env())
        self.lock = threading.Lock()
        self.usable = self._read() == {"ready": True}

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        try:
            return json.loads(line)
        except ValueError:
            return {"error": f"unreadable answer {line[:200]!r}"}

    def fork_kernel(self, argv: list[str], env: dict, cwd: str) -> int | None:
        with self.lock:
            if not self.usable or self.proc.poll() is not None:
                return None
            request = json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n"
            try:
                self.proc.stdin.write(request.encode())
                self.proc.stdin.flush()
            except OSError:
                self.usable = False
                return None
            answer = self._read()
            if "pid" not in answer:
                self.usable = False
                return None
            return int(answer["pid"])


_WARM: _WarmProcess | None = None
_WARM_LOCK = threading.Lock()


def _warm_process() -> _WarmProcess | None:
    """This process's warm process, started on first use; None where it cannot be used."""
    global _WARM
    if not enabled():
        return None
    with _WARM_LOCK:
        if _WARM is None:
            try:
                _WARM = _WarmProcess()
            except OSError:
                return None
        return _WARM if _WARM.usable else None


# ------------------------------------------------------------------ inside the warm process
def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _reply(answer: dict) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def serve() -> None:
    """The warm process: import :data:`PRELOAD`, then fork one kernel per request line on stdin
    until stdin closes (the pytest process ended)."""
    if sys.platform.startswith("linux"):  # also end when the pytest process dies
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    for name in PRELOAD:
        if importlib.util.find_spec(name.split(".")[0]) is not None:
            importlib.import_module(name)
    # The imported modules' objects move to a generation the garbage collector never scans: a
    # kernel's collections then do not touch (and so copy) the warm process's memory.
    gc.collect()
    gc.freeze()
    threads = _thread_count()
    if threads != 1:
        _reply({"error": f"expected one thread before forking, got {threads}"})
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped at once
    _reply({"ready": True})
    for line in iter(sys.stdin.readline, ""):
        request = json.loads(line)
        try:
            _reply({"pid": _fork_kernel(request)})
        except OSError as exc:
            _reply({"error": f"fork failed: {exc}"})


def _fork_kernel(request: dict) -> int:
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(ready_w)
        os.read(ready_r, 1)  # the child has its own session before its pid is reported
        os.close(ready_r)
        return pid
    code = 1
    try:
        os.close(ready_r)
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # not the request pipe
        os.close(devnull)
        os.dup2(2, 1)  # not the answer pipe: the kernel writes where pytest's stderr goes
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # what `python -m ipykernel_launcher -f ...` sets up, and the launcher then does
        launcher = importlib.util.find_spec("ipykernel_launcher").origin
        sys.argv = [launcher, *request["argv"]]
        if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
            del sys.path[0]  # IPython adds the working folder back, as for any kernel
        os.write(ready_w, b".")
        os.close(ready_w)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - a kernel that fails to start must not return to serve()
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)
