"""Run the checks of one set inside a finished submission's kernel (used by the grader).

After executing a submission, the grader sends one last cell of its own to the same kernel::

    collect(globals(), "01", "/tmp/.../results-<nonce>.jsonl", "<nonce>")

It looks up each exercise's function by name in the notebook's namespace, re-runs the checks
silently and appends one JSON line per exercise to the result file. Nothing the submission
*printed* counts: only these re-run checks do, and the result file's name and nonce exist only
in the grader's cell, after the student's code has run. A ``started`` line is written before each
exercise, so when a function kills the kernel the grader knows which one did it.
"""

from __future__ import annotations

import json
import os

from .core import REGISTRY, exercises_of_set, quiet, run_exercise


def _write(path: str, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def collect(namespace: dict, set_id: str, out_path: str, nonce: str,
            only: list[str] | None = None) -> None:
    for ex in exercises_of_set(set_id):
        if only is not None and ex.id not in only:
            continue
        _write(out_path, {"nonce": nonce, "started": ex.id})
        func = namespace.get(ex.func_name)
        if func is None:
            rec = {"exercise": ex.id, "points": 0.0, "max_points": ex.max_points,
                   "feedback": f"no function named {ex.func_name} in the notebook "
                               "(was it renamed, or did its cell fail?)"}
        else:
            with quiet():
                res = run_exercise(ex.id, func)
            rec = {"exercise": ex.id, "points": res.points, "max_points": res.max_points,
                   "feedback": res.feedback()}
        rec["nonce"] = nonce
        _write(out_path, rec)
    _write(out_path, {"nonce": nonce, "done": True, "known": sorted(REGISTRY)})
