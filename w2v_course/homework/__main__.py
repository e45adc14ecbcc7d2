"""``python -m w2v_course.homework build [--check] [--root DIR] [--set NN ...]``."""

from __future__ import annotations

import argparse
import sys

from .build import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m w2v_course.homework",
        description="Build notebooks/exercises and notebooks/solutions from "
                    "homework/exercise_masters/NN_*.py.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate the exercise and solution notebooks")
    b.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a generated notebook is out of date")
    b.add_argument("--root", default=None, help="repository root (default: found from the cwd)")
    b.add_argument("--set", dest="sets", action="append", metavar="NN",
                   help="only this set (repeatable)")
    args = parser.parse_args(argv)
    try:
        paths = build(args.root, check_only=args.check, sets=args.sets)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        for p in paths:
            print(f"out of date: {p}")
        if paths:
            print("run `python -m w2v_course.homework build` and commit the result")
        return 1 if paths else 0
    for p in paths:
        print(f"wrote {p}")
    if not paths:
        print("all generated notebooks are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
