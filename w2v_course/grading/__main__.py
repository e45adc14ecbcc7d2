"""Command line: ``python -m w2v_course.grading grade PATH... --out grades.csv``."""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

from .grader import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    find_submissions,
    grade,
    write_csv,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m w2v_course.grading",
        description="Grade homework notebooks: each runs in its own sandboxed kernel; its "
                    "functions' outputs on the grader's inputs are judged in the grader; one "
                    "CSV row per (submission, exercise).")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade notebooks and/or folders of notebooks")
    g.add_argument("paths", nargs="+", metavar="PATH", help="a .ipynb file or a folder")
    g.add_argument("--out", default="grades.csv", help="CSV to write (default grades.csv)")
    g.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds per submission (default {DEFAULT_TIMEOUT:g})")
    g.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                   help=f"kernels run at the same time (default {DEFAULT_WORKERS})")
    g.add_argument("--set", dest="set_id", default=None, metavar="NN",
                   help="grade every notebook as this set (default: read from the notebook)")
    g.add_argument("--seed", type=int, default=None,
                   help="seed of the graded inputs (default: fresh; printed, to reproduce a run)")
    g.add_argument("--strict", action="store_true",
                   help="score 0 for a function that calls the package's own answer")
    g.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                   help=f"memory limit of each kernel in MiB (default {DEFAULT_MEMORY_MB})")
    g.add_argument("--no-sandbox-user", dest="sandbox_user", action="store_false", default=None,
                   help="as root: run kernels as root too (default: an unprivileged uid each)")
    g.add_argument("--quiet", action="store_true", help="no per-submission progress lines")
    args = parser.parse_args(argv)

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print("error: no such file or folder: " + ", ".join(missing), file=sys.stderr)
        return 2
    subs = find_submissions(args.paths)
    if not subs:
        print("error: no .ipynb files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    if args.seed is not None and args.seed < 0:
        print(f"error: expected --seed >= 0, got {args.seed}", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else secrets.randbits(62)
    t0 = time.perf_counter()

    def progress(sub_name, rows, seconds):
        if args.quiet:
            return
        pts = sum(r.points for r in rows)
        mx = sum(r.max_points for r in rows)
        print(f"{sub_name}: {pts:g}/{mx:g}  ({seconds:.1f} s)", flush=True)

    try:
        rows = grade(subs, timeout=args.timeout, workers=args.workers, set_id=args.set_id,
                     seed=seed, strict=args.strict, memory_mb=args.memory_mb,
                     sandbox_user=args.sandbox_user, on_done=progress)
    except (RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv(rows, args.out)
    print(f"graded {len(subs)} submission(s) in {time.perf_counter() - t0:.1f} s "
          f"-> {args.out} ({len(rows)} rows); inputs from --seed {seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
