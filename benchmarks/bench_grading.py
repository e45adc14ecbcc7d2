"""Benchmark: how long the grader takes for a class of 30 notebooks.

    python benchmarks/bench_grading.py                 # 30 notebooks, 2 workers
    python benchmarks/bench_grading.py --n 60 --workers 2

The class: the 8 solution notebooks, the 8 untouched exercise notebooks, and solution notebooks
of every set with one function broken (a flipped sign in its first `return`), up to ``--n``. Each is
graded as a lecturer would (``python -m w2v_course.grading grade``): its own kernel, the
notebook run top to bottom, one request per exercise, the verdict in the grader. It prints the
wall-clock total, seconds per notebook, the machine's load average before and after, and checks
the scores (solutions full, stubs 0, broken ones in between).

Timings are wall-clock on whatever else the machine is doing: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def make_class(folder: Path, n: int) -> list[Path]:
    solutions = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    exercises = sorted((ROOT / "notebooks" / "exercises").glob("[0-9][0-9]_*.ipynb"))
    paths = []
    for k, src in enumerate(solutions + exercises):
        dst = folder / f"student{k:02d}" / src.name
        dst.parent.mkdir()
        dst.write_bytes(src.read_bytes())
        paths.append(dst)
    k = len(paths)
    while len(paths) < n:
        src = solutions[(k - 16) % len(solutions)]
        nb = nbformat.read(src, as_version=4)
        for cell in nb.cells:  # break one function: flip the sign of the first `return`
            if cell.cell_type == "code" and cell.source.startswith("def ") \
                    and "return " in cell.source:
                cell.source = re.sub(r"return (.+)$", r"return -(\1)", cell.source, count=1,
                                     flags=re.M)
                break
        dst = folder / f"student{k:02d}" / src.name
        dst.parent.mkdir()
        nbformat.write(nb, dst)
        paths.append(dst)
        k += 1
    return paths[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="notebooks in the class (>= 16)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from w2v_course.grading import grade

    with tempfile.TemporaryDirectory(prefix="w2v-bench-grading-") as tmp:
        paths = make_class(Path(tmp), max(args.n, 16))
        load0 = os.getloadavg()
        t0 = time.perf_counter()
        rows = grade(paths, workers=args.workers, seed=1)
        took = time.perf_counter() - t0
        load1 = os.getloadavg()
    by_sub: dict[str, list] = {}
    for r in rows:
        by_sub.setdefault(r.submission, []).append(r)
    kinds = {"solution": 0, "stub": 0, "broken": 0}
    ok = True
    for k, (name, rs) in enumerate(sorted(by_sub.items())):
        pts, mx = sum(r.points for r in rs), sum(r.max_points for r in rs)
        kind = "solution" if k < 8 else ("stub" if k < 16 else "broken")
        kinds[kind] += 1
        good = {"solution": pts == mx, "stub": pts == 0, "broken": 0 < pts < mx}[kind]
        if not good:
            ok = False
            print(f"unexpected score {pts:g}/{mx:g} for a {kind} notebook: {name}")
    print(f"graded {len(by_sub)} notebooks ({kinds}) with {args.workers} workers in "
          f"{took:.1f} s ({took / len(by_sub):.2f} s per notebook)")
    print(f"load average (1 min) before {load0[0]:.2f}, after {load1[0]:.2f}; "
          f"{os.cpu_count()} cores")
    print("scores as expected" if ok else "SOME SCORES ARE NOT AS EXPECTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
