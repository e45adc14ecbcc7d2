"""Execute homework submissions and score them.

How one submission is graded
----------------------------
1. It is read with nbformat. A file that is not a readable notebook scores 0 with the reason.
2. Its set (``01`` ... ``08``) comes from the notebook metadata the build writes, else from the
   file name (``01_gradient_descent.ipynb``), else from its ``check("NN.…")`` calls.
3. It runs in a fresh kernel of the grader's own Python (so ``w2v_edu`` is importable), in its own
   worker process, cell by cell with nbclient. A cell that raises does not stop the run. A cell that
   runs longer than ``cell_timeout`` is interrupted; after ``timeout`` seconds in total the
   remaining cells are skipped. When the kernel dies (``os._exit``, ``os.kill``, ``exit()``, a
   crash), the grader starts a new kernel and re-runs the notebook without the cell that killed it
   (at most ``max_restarts`` times).
4. Then the grader sends one cell of its own to that kernel, which re-runs the checks on the
   functions the notebook defines (:mod:`w2v_course.homework.collect`) and writes the results to a
   file only the grader knows. What the notebook printed never counts, so printing "PASS" earns
   nothing.
5. A worker that overruns its whole budget is killed together with its kernel; the submission
   scores what was collected (usually 0) with the reason.

Limits: the checks run in the student's kernel, so deliberately hostile code (monkeypatching
NumPy, background threads) could still interfere; this grader defends against mistakes, runaway
code and fake output, not against an attacker. Review notebooks whose scores look odd.
"""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 120.0  # seconds for all cells of one submission
DEFAULT_CELL_TIMEOUT = 30.0  # seconds for one cell before it is interrupted
DEFAULT_CHECK_TIMEOUT = 60.0  # seconds for re-running the checks (each case has its own 5 s)
DEFAULT_WORKERS = 2
STARTUP_GRACE = 30.0  # kernel start-up and process overhead before a worker is killed
MAX_RESTARTS = 5  # bounded by the time budget too

FIELDS = ["submission", "exercise", "points", "max_points", "feedback"]


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
    meta = nb.get("metadata", {}).get("w2v_edu", {}) if isinstance(nb, dict) else {}
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
    from w2v_course.homework import exercises_of_set

    return [(ex.id, ex.max_points) for ex in exercises_of_set(set_id)] if set_id else []


# --------------------------------------------------------------------------------------------
# the worker: runs in its own process, one submission
# --------------------------------------------------------------------------------------------
def _kernel_manager():
    """A kernel of the grader's own interpreter (like nbval's --nbval-current-env)."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class _CurrentEnv(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    return AsyncKernelManager(kernel_name="w2v-edu-grader", kernel_spec_manager=_CurrentEnv())


def _collect_source(set_id: str, out_path: str, nonce: str, only: list[str]) -> str:
    return "\n".join([
        "import sys as _w2v_sys",
        "for _w2v_m in [m for m in list(_w2v_sys.modules)",
        "               if m.split('.')[0] in ('w2v_edu', 'w2v_course')]:",
        "    del _w2v_sys.modules[_w2v_m]",
        "from w2v_course.homework.collect import collect as _w2v_collect",
        f"_w2v_collect(globals(), {set_id!r}, {out_path!r}, {nonce!r}, only={only!r})",
    ])


def _read_results(path: str, nonce: str) -> tuple[dict[str, dict], str | None, bool]:
    """(first result per exercise, exercise started but unfinished, done flag)."""
    results: dict[str, dict] = {}
    started = None
    done = False
    if not os.path.exists(path):
        return results, None, False
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(rec, dict) or rec.get("nonce") != nonce:
                continue
            if "started" in rec:
                started = rec["started"]
            elif rec.get("done"):
                done = True
            elif "exercise" in rec and rec["exercise"] not in results:
                results[rec["exercise"]] = rec
                if started == rec["exercise"]:
                    started = None
    return results, started, done


def _run_submission(path: str, set_id: str, timeout: float, cell_timeout: float,
                    check_timeout: float, workdir: str, pid_file: str) -> dict:
    """Execute one notebook and collect its results (inside the worker process)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"]
    exercise_ids = [e for e, _ in _exercises(set_id)]
    notes: list[str] = []
    results: dict[str, dict] = {}
    killed_by: dict[str, str] = {}
    skip: set[int] = set()
    deadline = time.monotonic() + timeout
    nonce = secrets.token_hex(16)
    out_path = os.path.join(tempfile.mkdtemp(prefix="w2v-grade-"), f"results-{nonce}.jsonl")
    cwd = str(Path(path).resolve().parent)

    for _attempt in range(MAX_RESTARTS + 1):
        km = _kernel_manager()
        client = NotebookClient(nb, km=km, timeout=cell_timeout, allow_errors=True,
                                interrupt_on_timeout=True, startup_timeout=60,
                                shutdown_kernel="immediate", record_timing=False)
        died_at: int | None = None
        try:
            with client.setup_kernel(cwd=cwd):
                try:
                    pid = km.provisioner.process.pid  # type: ignore[union-attr]
                    Path(pid_file).write_text(str(pid))
                except Exception:  # noqa: BLE001 - best effort
                    pass
                # 1. the student's cells
                for i in code_cells:
                    if i in skip:
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0.5:
                        notes.append("time budget used up; later cells were not run")
                        break
                    client.timeout = max(1, int(min(cell_timeout, left)))
                    t0 = time.monotonic()
                    try:
                        client.execute_cell(nb.cells[i], i)
                    except Exception as exc:  # noqa: BLE001 - DeadKernelError, timeouts, ...
                        died_at = i
                        notes.append(f"the kernel died in cell {i + 1} "
                                     f"({type(exc).__name__}); re-ran the notebook without it")
                        break
                    if time.monotonic() - t0 >= client.timeout:
                        notes.append(f"cell {i + 1} ran longer than {client.timeout} s and was "
                                     "interrupted")
                if died_at is not None:
                    skip.add(died_at)
                    continue
                # 2. the grader's own cell: re-run the checks in this kernel
                todo = [e for e in exercise_ids if e not in results and e not in killed_by]
                if not todo:
                    break
                probe = nbformat.v4.new_code_cell(_collect_source(set_id, out_path, nonce, todo))
                client.timeout = int(check_timeout)
                try:
                    client.execute_cell(probe, len(nb.cells))
                except Exception:  # noqa: BLE001 - the kernel died while checking
                    pass
                got, started, done = _read_results(out_path, nonce)
                results.update({k: v for k, v in got.items() if k not in results})
                if started and started not in results:
                    killed_by[started] = ("the kernel died or hung while checking this function "
                                          "(os._exit, os.kill, sys.exit in a thread, a crash?)")
                if done or all(e in results or e in killed_by for e in exercise_ids):
                    break
                if not started:  # the collect cell itself failed: report it, do not loop
                    out = probe.get("outputs", [])
                    err = next((o for o in out if o.get("output_type") == "error"), None)
                    why = f"{err['ename']}: {err['evalue']}" if err else "no results"
                    notes.append(f"could not run the checks ({why})")
                    break
        except Exception as exc:  # noqa: BLE001 - kernel failed to start etc.
            notes.append(f"could not run the notebook ({type(exc).__name__}: {exc})")
            break
    return {"results": results, "killed_by": killed_by, "notes": notes}


def _worker_main(path: str, set_id: str, timeout: float, cell_timeout: float,
                 check_timeout: float, workdir: str, out_json: str, pid_file: str) -> None:
    # quiet: no tracebacks or kernel logs on the lecturer's terminal
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # the kernel inherits these: keep its warnings off the terminal
        os.dup2(devnull, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        import logging

        logging.disable(logging.CRITICAL)
        res = _run_submission(path, set_id, timeout, cell_timeout, check_timeout, workdir,
                              pid_file)
    except BaseException as exc:  # noqa: BLE001
        res = {"results": {}, "killed_by": {}, "notes": [
            f"could not run the notebook ({type(exc).__name__}: {exc})"]}
    with open(out_json, "w", encoding="utf-8") as fh:
        json.dump(res, fh)


# --------------------------------------------------------------------------------------------
# the parent: a small pool of worker processes with a hard deadline each
# --------------------------------------------------------------------------------------------
def _rows_from(sub: Submission, set_id: str | None, payload: dict | None,
               failure: str | None) -> list[GradeRow]:
    exercises = _exercises(set_id)
    if not exercises:
        why = failure or f"could not tell which homework set this is (set {set_id!r} unknown)"
        return [GradeRow(sub.name, "?", 0.0, 0.0, why)]
    payload = payload or {"results": {}, "killed_by": {}, "notes": []}
    notes = list(payload.get("notes", []))
    if failure:
        notes.insert(0, failure)
    rows = []
    for ex_id, mx in exercises:
        rec = payload["results"].get(ex_id)
        if rec is not None:
            pts = float(rec.get("points", 0.0))
            pts = min(max(pts, 0.0), mx)
            fb = str(rec.get("feedback", ""))
        else:
            pts = 0.0
            fb = payload.get("killed_by", {}).get(ex_id) or "not checked (see notes)"
        if notes and pts < mx:
            fb += " [" + "; ".join(dict.fromkeys(notes)) + "]"
        rows.append(GradeRow(sub.name, ex_id, pts, mx, fb))
    return rows


def _kill(proc: mp.Process, pid_file: str) -> None:
    try:
        kpid = int(Path(pid_file).read_text())
        os.killpg(kpid, signal.SIGKILL)  # the kernel runs in its own session/process group
    except (OSError, ValueError):
        try:
            os.kill(kpid, signal.SIGKILL)  # type: ignore[possibly-undefined]
        except (OSError, ValueError, UnboundLocalError, NameError):
            pass
    if proc.is_alive():
        proc.kill()
    proc.join(5)


def grade_submission(sub: Submission | str | Path, **kwargs) -> list[GradeRow]:
    """Grade one notebook (see :func:`grade` for the options)."""
    if not isinstance(sub, Submission):
        sub = Submission(Path(sub), _display(Path(sub)))
    return grade([sub], workers=1, **kwargs)


def grade(submissions: Iterable[Submission | str | Path], *, timeout: float = DEFAULT_TIMEOUT,
          cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          check_timeout: float = DEFAULT_CHECK_TIMEOUT, workers: int = DEFAULT_WORKERS,
          set_id: str | None = None,
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
        Seconds for re-running the checks after the notebook ran.
    workers : int
        Submissions graded at the same time, each in its own process and kernel (>= 1).
    set_id : str, optional
        Grade every notebook as this set instead of detecting it.
    on_done : callable, optional
        ``on_done(submission_name, rows, seconds)`` after each submission.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"expected workers to be an int >= 1, got {workers!r}")
    for name, val in (("timeout", timeout), ("cell_timeout", cell_timeout),
                      ("check_timeout", check_timeout)):
        if not val > 0:
            raise ValueError(f"expected {name} > 0 seconds, got {val!r}")
    subs = [s if isinstance(s, Submission) else Submission(Path(s), _display(Path(s)))
            for s in submissions]
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    # import the heavy modules once here, so that forked workers inherit them
    import ipykernel.kernelspec  # noqa: F401
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401

    tmp = tempfile.mkdtemp(prefix="w2v-grading-")
    results: dict[int, list[GradeRow]] = {}
    pending = list(enumerate(subs))
    running: dict[int, tuple] = {}
    hard_limit = timeout + check_timeout + STARTUP_GRACE
    try:
        while pending or running:
            while pending and len(running) < workers:
                k, sub = pending.pop(0)
                t0 = time.monotonic()
                rows = _prepare(sub, set_id)
                if isinstance(rows, list):  # unreadable: nothing to execute
                    results[k] = rows
                    if on_done:
                        on_done(sub.name, rows, time.monotonic() - t0)
                    continue
                sid = rows
                out_json = os.path.join(tmp, f"{k}.json")
                pid_file = os.path.join(tmp, f"{k}.pid")
                proc = ctx.Process(target=_worker_main, daemon=True, args=(
                    str(sub.path), sid, timeout, cell_timeout, check_timeout, tmp, out_json,
                    pid_file))
                proc.start()
                running[k] = (sub, sid, proc, t0, out_json, pid_file)
            time.sleep(0.02)
            for k in list(running):
                sub, sid, proc, t0, out_json, pid_file = running[k]
                elapsed = time.monotonic() - t0
                failure = None
                if proc.is_alive():
                    if elapsed < hard_limit:
                        continue
                    _kill(proc, pid_file)
                    failure = f"stopped after {elapsed:.0f} s (limit {hard_limit:.0f} s)"
                proc.join(1)
                payload = None
                try:
                    with open(out_json, encoding="utf-8") as fh:
                        payload = json.load(fh)
                except (OSError, json.JSONDecodeError):
                    failure = failure or "the grading process crashed"
                rows = _rows_from(sub, sid, payload, failure)
                results[k] = rows
                del running[k]
                if on_done:
                    on_done(sub.name, rows, elapsed)
    finally:
        for _, _, proc, _, _, pid_file in running.values():
            _kill(proc, pid_file)
        shutil.rmtree(tmp, ignore_errors=True)
    return [row for k in sorted(results) for row in results[k]]


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
