"""Command line: ``python -m w2v_course.grading grade PATH... --out grades.csv``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .grader import DEFAULT_TIMEOUT, DEFAULT_WORKERS, find_submissions, grade, write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m w2v_course.grading",
        description="Grade homework notebooks: each runs in its own kernel, checks are re-run "
                    "on the functions it defines, one CSV row per (submission, exercise).")
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
    t0 = time.perf_counter()

    def progress(sub_name, rows, seconds):
        if args.quiet:
            return
        pts = sum(r.points for r in rows)
        mx = sum(r.max_points for r in rows)
        print(f"{sub_name}: {pts:g}/{mx:g}  ({seconds:.1f} s)", flush=True)

    rows = grade(subs, timeout=args.timeout, workers=args.workers, set_id=args.set_id,
                 on_done=progress)
    write_csv(rows, args.out)
    print(f"graded {len(subs)} submission(s) in {time.perf_counter() - t0:.1f} s "
          f"-> {args.out} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
