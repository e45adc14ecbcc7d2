"""Execute homework submissions in sandboxed kernels and judge their outputs in the grader.

The design and the threat model are described in :mod:`w2v_course.grading` (and in
``homework/README.md``). This module runs it: a pool of worker processes, one submission each;
in every worker a kernel runs the notebook, the grader's requests collect the function's outputs
on grader-made inputs, and the verdict is reached in the worker after the kernel is gone.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import multiprocessing as mp
import os
import queue
import re
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from w2v_course import ipc_kernels, wire
from w2v_course.homework import REGISTRY, exercises_of_set, run_exercise

from . import judge, policy, processes, references, runner

DEFAULT_TIMEOUT = 120.0  # seconds for all cells of one submission
DEFAULT_CELL_TIMEOUT = 30.0  # seconds for one cell before it is interrupted
DEFAULT_CHECK_TIMEOUT = 60.0  # seconds for one exercise's calls (each case also has its own 5 s)
DEFAULT_WORKERS = 2
DEFAULT_MEMORY_MB = 3072  # address space of a kernel and everything it starts
STARTUP_GRACE = 60.0  # kernel starts and process overhead before a worker is killed
MAX_RESTARTS = 5  # kernel restarts per submission (bounded by the time budget too)
SANDBOX_UID_BASE = 1_900_000_000  # worker slot k runs its kernels as uid BASE + k (as root)
SANDBOX_NPROC = 64  # processes (threads included) of one sandbox uid

FIELDS = ["submission", "exercise", "points", "max_points", "feedback"]

_SOCKET_LIMITS = {  # what the grader accepts from a kernel: (largest message, queued messages)
    "shell": (wire.LIMITS["max_bytes"] * 2, 8),
}


@dataclass
class GradeRow:
    submission: str
    exercise: str
    points: float
    max_points: float
    feedback: str


@dataclass
class Submission:
    path: Path
    name: str


@dataclass
class _Options:
    timeout: float
    cell_timeout: float
    check_timeout: float
    memory_mb: int
    strict: bool
    uid_base: int | None


@dataclass
class _Job:
    index: int
    path: str
    set_id: str
    seed: int
    slot: int


# --------------------------------------------------------------------------------------------
# finding submissions and their set
# --------------------------------------------------------------------------------------------
def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def find_submissions(paths: Iterable[str | Path]) -> list[Submission]:
    """Every notebook named by ``paths``: files as given, folders searched recursively
    (``.ipynb_checkpoints`` skipped), in sorted order, without duplicates."""
    seen: set[Path] = set()
    out: list[Submission] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in f.parts)
        else:
            files = [p]  # a missing or odd file is reported as a row, not an exception
        for f in files:
            key = f.resolve()
            if key in seen:
                continue
            seen.add(key)
            out.append(Submission(f, _display(f)))
    return out


_SET_FROM_NAME = re.compile(r"^(\d\d)_")
_SET_FROM_CHECK = re.compile(r"check\(\s*[\"'](\d\d)\.")


def detect_set(nb, path: Path) -> str | None:
    """The set of a notebook: its metadata (written by the build), else the file name's ``NN_``
    prefix, else the set its ``check("NN.…")`` calls name most often."""
    metadata = nb.get("metadata", {}) if isinstance(nb, dict) else {}
    for key in ("w2v_edu", "w2v_course"):
        meta = metadata.get(key, {}) if isinstance(metadata, dict) else {}
        set_id = meta.get("homework_set") if isinstance(meta, dict) else None
        if isinstance(set_id, str) and re.fullmatch(r"\d\d", set_id):
            return set_id
    m = _SET_FROM_NAME.match(path.name)
    if m:
        return m.group(1)
    found: dict[str, int] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for s in _SET_FROM_CHECK.findall(str(cell.get("source", ""))):
            found[s] = found.get(s, 0) + 1
    return max(found, key=found.get) if found else None


def _set_from_name_only(path: Path) -> str | None:
    m = _SET_FROM_NAME.match(path.name)
    return m.group(1) if m else None


def _exercises(set_id: str | None) -> list[tuple[str, float]]:
    return [(ex.id, ex.max_points) for ex in exercises_of_set(set_id)] if set_id else []


# --------------------------------------------------------------------------------------------
# what the grader loads once, before any submission runs (inherited by the forked workers)
# --------------------------------------------------------------------------------------------
_STATE: dict = {}


def _course_files() -> list[Path]:
    import w2v_course
    import w2v_edu

    roots = [Path(w2v_edu.__file__).parent, Path(w2v_course.__file__).parent]
    files = [f for r in roots for f in sorted(r.rglob("*.py"))]
    try:
        from w2v_course.homework.build import find_repo_root, master_paths

        files += master_paths(find_repo_root())
    except FileNotFoundError:
        pass
    return files


def _fingerprint() -> dict[str, str]:
    out = {}
    for f in _STATE.get("files", []):
        try:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            out[str(f)] = "unreadable"
    return out


def _changed_files(before: dict[str, str]) -> list[str]:
    after = _fingerprint()
    return sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))


def _preload(set_ids: set[str]) -> None:
    """Load the references, resolve the policy's twins, and self-test: every reference solution
    must pass its own checks (this also imports every module the judge needs, before any
    student code runs, so a file changed on disk later cannot change a verdict)."""
    refs = references.load_references()
    missing = sorted(s for s in set_ids if s not in refs)
    if missing:
        raise FileNotFoundError(f"no exercise master for set(s) {', '.join(missing)}")
    twins = {s: policy.twins_of_set(s) for s in set_ids}
    for s in sorted(set_ids):
        for ex in exercises_of_set(s):
            res = run_exercise(ex.id, refs[s][ex.func_name], seed=0)
            if res.points != res.max_points:
                raise RuntimeError(f"the reference solution of {ex.id} fails its own checks; "
                                   f"the grader will not run:\n{res.report()}")
        judge.plan_set(s, 0, refs)
    _STATE.update(references=refs, twins=twins,
                  watch={s: policy.watch_list(t) for s, t in twins.items()},
                  wire_source=Path(wire.__file__).read_text(encoding="utf-8"),
                  runner_source=Path(runner.__file__).read_text(encoding="utf-8"))
    _STATE["files"] = _course_files()
    _STATE["fingerprint"] = _fingerprint()
    _import_kernel_machinery()


def _import_kernel_machinery() -> None:
    """Import what a worker needs to start and drive kernels (jupyter_client, zmq, ipykernel's
    kernel spec) once, here: the forked workers inherit the modules instead of each importing
    them again (about half a second per submission). Missing, they are reported per submission
    when its kernel cannot start, as before."""
    try:
        import ipykernel.kernelspec  # noqa: F401
        import jupyter_client.blocking.client  # noqa: F401
        import jupyter_client.kernelspec  # noqa: F401
        import jupyter_client.manager  # noqa: F401
        import zmq  # noqa: F401
    except ImportError:
        pass


# --------------------------------------------------------------------------------------------
# one kernel
# --------------------------------------------------------------------------------------------
def _client_class():
    import zmq
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.connect import channel_socket_types

    class _GraderClient(BlockingKernelClient):
        """A client whose sockets refuse oversized messages and queue only a few."""

        def _create_connected_socket(self, channel, identity=None):
            sock = self.context.socket(channel_socket_types[channel])
            size, hwm = _SOCKET_LIMITS.get(channel, (1 << 20, 8))
            sock.setsockopt(zmq.MAXMSGSIZE, size)
            sock.setsockopt(zmq.RCVHWM, hwm)
            sock.linger = 0
            if identity:
                sock.identity = identity
            sock.connect(self._make_url(channel))
            return sock

    return _GraderClient


_KERNEL_CONFIG = """\
# written by the grader: no input history (no SQLite file, no saving thread) in graded kernels
c.HistoryManager.enabled = False
"""


def _prepare_scratch(scratch: str, uid: int | None) -> None:
    """The kernel's empty home: its IPython configuration and a copy of the grader's matplotlib
    font cache (an empty cache would be rebuilt, for seconds, in every kernel that plots)."""
    profile = Path(scratch, ".ipython", "profile_default")
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(_KERNEL_CONFIG)
    mpl = Path(scratch, ".matplotlib")
    mpl.mkdir()
    cache = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")
    for f in Path(cache).glob("fontlist-*.json"):
        try:
            shutil.copyfile(f, mpl / f.name)
        except OSError:
            pass
    if uid is not None:
        for root, dirs, files in os.walk(scratch):
            for name in dirs + files:
                os.chown(os.path.join(root, name), uid, uid)


def _kernel_env(scratch: str) -> dict[str, str]:
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("JPY_", "JUPYTER_")):
            del env[k]
    env.update(HOME=scratch, TMPDIR=scratch, IPYTHONDIR=os.path.join(scratch, ".ipython"),
               MPLCONFIGDIR=os.path.join(scratch, ".matplotlib"),
               JUPYTER_RUNTIME_DIR=os.path.join(scratch, ".jupyter"),
               JUPYTER_DATA_DIR=os.path.join(scratch, ".jupyter"),
               MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1")
    return env


def _sandbox_argv(opts: _Options, scratch: str, uid: int | None) -> list[str]:
    # -I -S: the launcher needs the standard library only, so it starts in milliseconds
    argv = [sys.executable, "-I", "-S", str(Path(__file__).with_name("sandbox.py")),
            "--memory-mb", str(opts.memory_mb), "--scratch", scratch,
            "--connection-file", "{connection_file}"]
    if uid is not None:
        argv += ["--uid", str(uid), "--nproc", str(SANDBOX_NPROC)]
    return argv + ["--"]


class _Kernel:
    """One kernel in the sandbox, driven over its own messaging (no outputs are kept)."""

    def __init__(self, opts: _Options, scratch: str, uid: int | None):
        import ipykernel.kernelspec
        from jupyter_client.kernelspec import KernelSpecManager

        prefix = _sandbox_argv(opts, scratch, uid)

        class _SandboxSpecs(KernelSpecManager):
            def get_kernel_spec(self, kernel_name):
                spec = dict(ipykernel.kernelspec.get_kernel_dict())
                spec["argv"] = prefix + list(spec["argv"])
                return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                              **spec)

        # Unix sockets in the scratch folder, not TCP ports: a port taken by another process
        # between its choice and the kernel's start would kill the kernel (see
        # w2v_course.ipc_kernels), and only this kernel's user (and the grader) can reach them
        self.km = ipc_kernels.kernel_manager(scratch, kernel_name="w2v-course-sandbox",
                                             kernel_spec_manager=_SandboxSpecs())
        self.km.client_factory = _client_class()
        self.kc = None
        self.km.start_kernel(cwd=scratch, env=_kernel_env(scratch))
        self.kc = self.km.client()
        # the shell channel only: the kernel's output (iopub) has no subscriber and is dropped
        # unread by the kernel itself; interrupts are signals
        self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self._wait_until_ready(60.0)
        # both ends have read the connection file (ports and key): remove it, so that no other
        # process - another submission's kernel - can find this kernel's key there
        try:
            os.remove(self.km.connection_file)
        except OSError:
            pass

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.kc.kernel_info()
            try:
                msg = self.kc.get_shell_msg(timeout=0.25)
                if msg.get("msg_type") == "kernel_info_reply":
                    return
            except queue.Empty:
                pass
            if not self.alive():
                raise RuntimeError("the kernel died while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not start within {timeout:g} s")

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:  # noqa: BLE001
            return False

    def _wait(self, msg_id: str, timeout: float) -> tuple[str, dict | None]:
        """("reply", the execute_reply) | ("dead", None) | ("timeout", None)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.kc.get_shell_msg(timeout=0.05)
            except queue.Empty:
                if not self.alive():
                    return "dead", None
                if time.monotonic() >= deadline:
                    return "timeout", None
                continue
            except Exception:  # noqa: BLE001 - an undecodable message
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id \
                    and msg.get("msg_type") == "execute_reply":
                return "reply", msg

    def interrupt(self) -> None:
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass

    def run_cell(self, code: str, timeout: float) -> str:
        """"ok" (ran, perhaps raising), "interrupted", "stuck" (did not stop), "dead"."""
        msg_id = self.kc.execute(code, silent=False, store_history=True, allow_stdin=False,
                                 stop_on_error=False)
        status, _ = self._wait(msg_id, timeout)
        if status == "reply":
            return "ok"
        if status == "dead":
            return "dead"
        self.interrupt()
        status, _ = self._wait(msg_id, 5.0)
        return "interrupted" if status == "reply" else ("dead" if status == "dead" else "stuck")

    def request(self, plan: judge.ExercisePlan, token: str, watch: list,
                timeout: float) -> tuple[str, str]:
        """Run one exercise's calls in the kernel: ("ok", reply JSON text) or (failure, why)."""
        var = f"_w2v_course_result_{token[:12]}"
        fn = f"_w2v_course_request_{token[12:24]}"
        code = (
            f"def {fn}():\n"
            f"    ns = {{'__name__': 'w2v_course_runner'}}\n"
            f"    exec(compile({_STATE['wire_source']!r}, '<w2v-course-wire>', 'exec'), ns)\n"
            f"    exec(compile({_STATE['runner_source']!r}, {runner.RUNNER_FILENAME!r}, "
            f"'exec'), ns)\n"
            f"    return ns['run_request'](globals(), "
            f"{judge.request_text(plan, watch)!r}, {token!r})\n"
            f"{var} = {fn}()\n"
            f"del {fn}\n")
        msg_id = self.kc.execute(code, silent=False, store_history=False,
                                 user_expressions={"r": var}, allow_stdin=False,
                                 stop_on_error=False)
        status, msg = self._wait(msg_id, timeout)
        if status != "reply":
            return status, ""
        content = msg.get("content", {})
        if content.get("status") != "ok":
            return "error", f"{content.get('ename', '?')}: {str(content.get('evalue', ''))[:200]}"
        try:
            data = content["user_expressions"]["r"]
            if data.get("status") != "ok":
                return "error", f"{data.get('ename', '?')}: {str(data.get('evalue', ''))[:200]}"
            text = data["data"]["text/plain"]
        except (KeyError, TypeError, AttributeError):
            return "error", "the kernel's reply holds no results"
        if not isinstance(text, str) or len(text) > 2 * wire.LIMITS["max_bytes"] \
                or text[:1] not in ("'", '"'):
            return "error", "the kernel's results are not a string"
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            return "error", "the kernel's results are not a string"
        if not isinstance(value, str):
            return "error", "the kernel's results are not a string"
        return "ok", value

    def close(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        # kill and reap the kernel here: shutdown_kernel would poll for its end every 0.1 s
        # (it still signals the kernel's process group and cleans up; _cleanup kills the rest)
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
                process.wait(5)
            except Exception:  # noqa: BLE001
                pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            try:
                self.km.kill_kernel()
            except Exception:  # noqa: BLE001
                pass


# --------------------------------------------------------------------------------------------
# the worker: one submission, in its own process
# --------------------------------------------------------------------------------------------
def _plan_in_child(set_id: str, seed: int) -> list[judge.ExercisePlan]:
    """Plan in a short-lived child process, so that no process still holds the reference
    outputs of this submission's inputs while its kernel runs (only the inputs come back)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(r)
        try:
            plans = judge.plan_set(set_id, seed, _STATE["references"])
            data = json.dumps([p.to_dict() for p in plans]).encode()
        except BaseException as exc:  # noqa: BLE001
            data = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    doc = json.loads(b"".join(chunks))
    if isinstance(doc, dict):
        raise RuntimeError(f"could not plan the checks: {doc['error']}")
    return [judge.ExercisePlan.from_dict(d) for d in doc]


def _cleanup(uid: int | None) -> None:
    """Kill whatever the kernel left behind: every descendant of this worker (orphans come back
    to it: it is a child subreaper) and every process of the sandbox uid."""
    processes.kill_descendants()
    if uid is not None:
        processes.kill_uid(uid)


def _run_notebook(job: _Job, opts: _Options, cells: list[tuple[int, str]],
                  plans: list[judge.ExercisePlan]) -> tuple[dict, dict, list[str]]:
    """Run the cells, then one request per exercise; returns (replies, failures, notes)."""
    uid = None if opts.uid_base is None else opts.uid_base + job.slot
    scratch = tempfile.mkdtemp(prefix="w2v-grade-")
    _prepare_scratch(scratch, uid)
    if uid is not None:
        os.chown(scratch, uid, uid)
    os.chmod(scratch, 0o700)
    watch = _STATE["watch"][job.set_id]
    replies: dict[str, judge.Reply] = {}
    failures: dict[str, str] = {}
    notes: list[str] = []
    skip: set[int] = set()
    todo = list(plans)
    deadline = time.monotonic() + opts.timeout
    starts = 0
    try:
        while todo:
            if starts > MAX_RESTARTS:
                notes.append(f"gave up after {MAX_RESTARTS} kernel restarts")
                break
            starts += 1
            try:
                kernel = _Kernel(opts, scratch, uid)
            except Exception as exc:  # noqa: BLE001
                notes.append(f"could not start a kernel ({type(exc).__name__}: "
                             f"{str(exc)[:200]})")
                break
            try:
                restart = False
                for i, source in cells:  # 1. the student's cells
                    if i in skip:
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0.5:
                        notes.append("time budget used up; later cells were not run")
                        break
                    limit = min(opts.cell_timeout, left)
                    status = kernel.run_cell(source, limit)
                    if status == "interrupted":
                        notes.append(f"cell {i + 1} ran longer than {limit:.0f} s and was "
                                     "interrupted")
                    elif status in ("dead", "stuck"):
                        skip.add(i)
                        why = "the kernel died" if status == "dead" else \
                            f"ran longer than {limit:.0f} s and did not stop when interrupted"
                        notes.append(f"cell {i + 1}: {why}; re-ran the notebook without it")
                        restart = True
                        break
                if restart:
                    continue
                while todo:  # 2. the grader's requests, one per exercise
                    plan = todo.pop(0)
                    token = secrets.token_hex(16)
                    status, text = kernel.request(plan, token, watch, opts.check_timeout)
                    if status == "ok":
                        try:
                            replies[plan.exercise] = judge.parse_reply(text, token, plan)
                        except Exception as exc:  # noqa: BLE001 - the kernel's data, refused
                            failures[plan.exercise] = (f"the kernel's report could not be read "
                                                       f"({str(exc)[:200]})")
                        continue
                    if status == "dead":
                        failures[plan.exercise] = ("the kernel died while this function was "
                                                   "checked (os._exit, os.kill, sys.exit in a "
                                                   "thread, a crash?)")
                    elif status == "timeout":
                        failures[plan.exercise] = (
                            f"checking this function did not finish within "
                            f"{opts.check_timeout:g} s (a loop that ignores the time limit?)")
                    else:
                        failures[plan.exercise] = f"the checks could not run ({text})"
                        continue
                    break  # a dead or stuck kernel: start a new one for the rest
            finally:
                kernel.close()
                _cleanup(uid)
    finally:
        _cleanup(uid)
        shutil.rmtree(scratch, ignore_errors=True)
    return replies, failures, notes


def _grade_job(job: _Job, opts: _Options) -> dict:
    import nbformat

    nb = nbformat.read(job.path, as_version=4)
    cells = [(i, str(c.get("source", ""))) for i, c in enumerate(nb.cells)
             if c.get("cell_type") == "code"]
    exercises = exercises_of_set(job.set_id)
    twins = _STATE["twins"][job.set_id]
    static = policy.static_flags([s for _, s in cells], [ex.func_name for ex in exercises], twins)
    plans = _plan_in_child(job.set_id, job.seed)
    before = _fingerprint()
    replies, failures, notes = _run_notebook(job, opts, cells, plans)
    # from here on no process of the submission is alive: judge
    changed = _changed_files(before)
    if changed:
        notes.append("files of the course changed while this notebook ran ("
                     + ", ".join(Path(f).name for f in changed[:5])
                     + "); the verdict used the copy loaded before grading")
    rows = []
    for plan in plans:
        ex = REGISTRY[plan.exercise]
        reply = replies.get(plan.exercise)
        res = judge.judge_exercise(plan, reply, job.seed, failure=failures.get(
            plan.exercise, "not checked (see notes)"))
        flags = set(static.get(ex.func_name, set()))
        if reply is not None:
            flags |= policy.dynamic_flags(reply.watched, twins)
        points, feedback = res.points, res.feedback()
        if flags:
            feedback = policy.flag_text(flags, opts.strict) + " | " + feedback
            if opts.strict:
                points = 0.0
        rows.append({"exercise": ex.id, "points": points, "max_points": res.max_points,
                     "feedback": feedback})
    return {"rows": rows, "notes": notes}


def _worker_main(job: _Job, opts: _Options, wfd: int) -> None:
    processes.set_dumpable(False)
    processes.set_subreaper(True)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # the kernel inherits these: keep its warnings off the terminal
        os.dup2(devnull, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        import logging

        logging.disable(logging.CRITICAL)
        payload = _grade_job(job, opts)
    except BaseException as exc:  # noqa: BLE001
        payload = {"rows": None, "notes": [f"could not grade the notebook "
                                           f"({type(exc).__name__}: {str(exc)[:300]})"]}
    finally:
        try:
            _cleanup(None if opts.uid_base is None else opts.uid_base + job.slot)
        except BaseException:  # noqa: BLE001
            pass
    data = memoryview(json.dumps(payload).encode())
    try:
        while data:
            data = data[os.write(wfd, data):]
    finally:
        os.close(wfd)
        os._exit(0)


# --------------------------------------------------------------------------------------------
# the parent: a small pool of workers with a hard deadline each
# --------------------------------------------------------------------------------------------
def _rows_from(sub: Submission, set_id: str | None, payload: dict | None,
               failure: str | None) -> list[GradeRow]:
    exercises = _exercises(set_id)
    if not exercises:
        why = failure or f"could not tell which homework set this is (set {set_id!r} unknown)"
        return [GradeRow(sub.name, "?", 0.0, 0.0, why)]
    payload = payload or {}
    notes = list(payload.get("notes") or [])
    if failure:
        notes.insert(0, failure)
    by_ex = {r["exercise"]: r for r in payload.get("rows") or [] if isinstance(r, dict)}
    rows = []
    for ex_id, mx in exercises:
        rec = by_ex.get(ex_id)
        if rec is not None:
            pts = min(max(float(rec.get("points", 0.0)), 0.0), mx)
            fb = str(rec.get("feedback", ""))
        else:
            pts, fb = 0.0, "not checked (see notes)"
        if notes and pts < mx:
            fb += " [" + "; ".join(dict.fromkeys(notes)) + "]"
        rows.append(GradeRow(sub.name, ex_id, pts, mx, fb))
    return rows


def _submission_seed(seed: int, index: int, path: Path) -> int:
    digest = hashlib.sha256(f"{seed}:{index}:{path.resolve()}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 2


_PREFLIGHT: dict[tuple, str | None] = {}


def _preflight(opts: _Options) -> str | None:
    """Why the sandbox user cannot import what a notebook needs (None: it can). Cached."""
    key = (opts.uid_base, sys.executable, os.environ.get("PYTHONPATH", ""))
    if key in _PREFLIGHT:
        return _PREFLIGHT[key]
    scratch = tempfile.mkdtemp(prefix="w2v-grade-check-")
    uid = opts.uid_base
    try:
        os.chown(scratch, uid, uid)
        argv = [a for a in _sandbox_argv(opts, scratch, uid)
                if a not in ("{connection_file}", "--connection-file")]
        argv += [sys.executable, "-c", "import numpy, ipykernel, w2v_edu, w2v_course.homework"]
        r = subprocess.run(argv, env=_kernel_env(scratch), capture_output=True, text=True,
                           timeout=120, cwd=scratch)
        why = None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["?"])[-1]
    except (OSError, subprocess.SubprocessError) as exc:
        why = f"{type(exc).__name__}: {exc}"
    finally:
        processes.kill_uid(uid)
        shutil.rmtree(scratch, ignore_errors=True)
    _PREFLIGHT[key] = why
    return why


def _kill_job(proc: mp.Process, opts: _Options, slot: int) -> None:
    if proc.pid is not None:
        processes.kill_descendants(proc.pid)
    if proc.is_alive():
        proc.kill()
    proc.join(5)
    if opts.uid_base is not None:
        processes.kill_uid(opts.uid_base + slot)


def grade_submission(sub: Submission | str | Path, **kwargs) -> list[GradeRow]:
    """Grade one notebook (see :func:`grade` for the options)."""
    if not isinstance(sub, Submission):
        sub = Submission(Path(sub), _display(Path(sub)))
    return grade([sub], workers=1, **kwargs)


def grade(submissions: Iterable[Submission | str | Path], *, timeout: float = DEFAULT_TIMEOUT,
          cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          check_timeout: float = DEFAULT_CHECK_TIMEOUT, workers: int = DEFAULT_WORKERS,
          set_id: str | None = None, seed: int | None = None, strict: bool = False,
          memory_mb: int = DEFAULT_MEMORY_MB, sandbox_user: bool | None = None,
          on_done: Callable[[str, list[GradeRow], float], None] | None = None
          ) -> list[GradeRow]:
    """Grade notebooks; return one row per (submission, exercise), in submission order.

    Parameters
    ----------
    submissions : iterable of Submission or path
        Notebook files (use :func:`find_submissions` to expand folders).
    timeout : float
        Seconds for all cells of one submission.
    cell_timeout : float
        Seconds before one cell is interrupted.
    check_timeout : float
        Seconds for the calls of one exercise in the kernel.
    workers : int
        Submissions graded at the same time, each in its own process and kernel (>= 1).
    set_id : str, optional
        Grade every notebook as this set instead of detecting it.
    seed : int, optional
        Seed of the graded inputs (each submission gets its own stream from it); default: fresh
        random. The same seed and files give the same inputs.
    strict : bool
        Score 0 for a function flagged for calling the package's own answer.
    memory_mb : int
        Address-space limit of each kernel (and what it starts), in MiB.
    sandbox_user : bool, optional
        Run kernels as an unprivileged uid of their own (needs root). Default: when root.
    on_done : callable, optional
        ``on_done(submission_name, rows, seconds)`` after each submission.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"expected workers to be an int >= 1, got {workers!r}")
    for name, val in (("timeout", timeout), ("cell_timeout", cell_timeout),
                      ("check_timeout", check_timeout)):
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not val > 0:
            raise ValueError(f"expected {name} > 0 seconds, got {val!r}")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 256:
        raise ValueError(f"expected memory_mb to be an int >= 256, got {memory_mb!r}")
    if seed is None:
        seed = secrets.randbits(62)
    elif isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"expected seed to be None or an int >= 0, got {seed!r}")
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if sandbox_user and not root:
        raise ValueError("sandbox_user=True needs root (the kernel's uid is changed)")
    opts = _Options(float(timeout), float(cell_timeout), float(check_timeout), memory_mb,
                    bool(strict), SANDBOX_UID_BASE if (sandbox_user or (
                        sandbox_user is None and root)) else None)
    subs = [s if isinstance(s, Submission) else Submission(Path(s), _display(Path(s)))
            for s in submissions]

    results: dict[int, list[GradeRow]] = {}
    pending: list[tuple[int, Submission, str]] = []
    for k, sub in enumerate(subs):
        prepared = _prepare(sub, set_id)
        if isinstance(prepared, list):  # unreadable: nothing to execute
            results[k] = prepared
            if on_done:
                on_done(sub.name, prepared, 0.0)
        else:
            pending.append((k, sub, prepared))
    if pending:
        _preload({sid for _, _, sid in pending})
        why = _preflight(opts) if opts.uid_base is not None else None
        if why is not None:
            message = (f"the sandbox user (uid {opts.uid_base}) cannot run the course's Python "
                       f"({why}); make the checkout and the Python installation readable by "
                       "all users to grade as an unprivileged uid")
            if sandbox_user:
                raise RuntimeError(message)
            warnings.warn(message + "; kernels run as root instead", RuntimeWarning,
                          stacklevel=2)
            opts.uid_base = None
        _run_pool(pending, subs, opts, seed, workers, results, on_done)
        changed = _changed_files(_STATE["fingerprint"])
        if changed:
            warnings.warn("files of the course changed during grading (a submission wrote "
                          "them?): " + ", ".join(changed[:10]), RuntimeWarning, stacklevel=2)
    return [row for k in sorted(results) for row in results[k]]


def _run_pool(pending, subs, opts, seed, workers, results, on_done) -> None:
    ctx = mp.get_context("fork")
    free_slots = list(range(workers))
    running: dict[int, dict] = {}
    me = os.getpid()
    before_children = {p for p, pp in processes._ppid_map().items() if pp == me} \
        if processes.LINUX else set()
    was_dumpable = processes.get_dumpable()
    was_subreaper = processes.get_subreaper()
    processes.set_dumpable(False)
    processes.set_subreaper(True)
    try:
        while pending or running:
            while pending and free_slots:
                k, sub, sid = pending.pop(0)
                slot = free_slots.pop(0)
                job = _Job(k, str(sub.path), sid, _submission_seed(seed, k, sub.path), slot)
                n_ex = len(exercises_of_set(sid))
                hard = opts.timeout + n_ex * opts.check_timeout + STARTUP_GRACE * (
                    1 + MAX_RESTARTS)
                r, w = os.pipe()
                proc = ctx.Process(target=_worker_main, args=(job, opts, w), daemon=True)
                proc.start()
                os.close(w)
                os.set_blocking(r, False)
                running[k] = dict(sub=sub, sid=sid, proc=proc, t0=time.monotonic(), fd=r,
                                  buf=bytearray(), eof=False, slot=slot, hard=hard)
            fds = {v["fd"]: k for k, v in running.items() if not v["eof"]}
            if fds:
                ready, _, _ = select.select(list(fds), [], [], 0.05)
            else:
                ready = []
                time.sleep(0.05)
            for fd in ready:
                job_state = running[fds[fd]]
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if chunk and len(job_state["buf"]) < (16 << 20):
                    job_state["buf"] += chunk
                elif not chunk:
                    job_state["eof"] = True
            for k in list(running):
                st = running[k]
                elapsed = time.monotonic() - st["t0"]
                failure = None
                if not st["eof"] and st["proc"].is_alive():
                    if elapsed < st["hard"]:
                        continue
                    failure = f"stopped after {elapsed:.0f} s (limit {st['hard']:.0f} s)"
                if not st["eof"] and failure is None:
                    continue  # exited; the pipe's EOF comes next round
                _kill_job(st["proc"], opts, st["slot"])
                os.close(st["fd"])
                _kill_orphans(me, before_children, running)
                payload = None
                try:
                    payload = json.loads(bytes(st["buf"])) if st["buf"] else None
                except (ValueError, RecursionError):
                    payload = None
                if not isinstance(payload, dict) or payload.get("rows") is None:
                    failure = failure or "; ".join((payload or {}).get("notes") or []) \
                        or "the grading process crashed"
                    payload = None
                rows = _rows_from(st["sub"], st["sid"], payload, failure)
                results[k] = rows
                free_slots.append(st["slot"])
                del running[k]
                if on_done:
                    on_done(st["sub"].name, rows, elapsed)
    finally:
        for st in running.values():
            _kill_job(st["proc"], opts, st["slot"])
            try:
                os.close(st["fd"])
            except OSError:
                pass
        _kill_orphans(me, before_children, {})
        if was_subreaper is not None:
            processes.set_subreaper(was_subreaper)
        if was_dumpable is not None:
            processes.set_dumpable(was_dumpable)


def _kill_orphans(me: int, before: set[int], running: dict) -> None:
    """Kill processes re-parented to this (subreaper) process: orphans of a dead worker."""
    if not processes.LINUX:
        return
    live = {st["proc"].pid for st in running.values()}
    for p, pp in processes._ppid_map().items():
        if pp == me and p not in before and p not in live:
            processes.kill_descendants(p)
            try:
                os.kill(p, 9)
                os.waitpid(p, 0)
            except OSError:
                pass


def _prepare(sub: Submission, forced_set: str | None) -> str | list[GradeRow]:
    """The set id to grade ``sub`` as, or the finished rows when it cannot be executed."""
    import nbformat

    try:
        nb = nbformat.read(str(sub.path), as_version=4)
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except Exception as exc:  # noqa: BLE001 - missing, empty, not JSON, wrong schema
        sid = forced_set or _set_from_name_only(sub.path)
        why = f"could not read the notebook ({type(exc).__name__}: {str(exc)[:200]})"
        return _rows_from(sub, sid, None, why)
    sid = forced_set or detect_set(nb, sub.path)
    if not _exercises(sid):
        return _rows_from(sub, sid, None, None)
    return sid


def write_csv(rows: Iterable[GradeRow], path: str | Path) -> None:
    """Write the rows with the columns submission, exercise, points, max_points, feedback."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            d = asdict(r)
            d["points"] = f"{r.points:g}"
            d["max_points"] = f"{r.max_points:g}"
            w.writerow(d)
