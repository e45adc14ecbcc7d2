"""Benchmark: every lesson cold, and the README's test command, against the course's time budgets.

    python benchmarks/bench_lessons.py                  # every lesson, one cold series
    python benchmarks/bench_lessons.py 09 10 --repeat 3 # some lessons, three series
    python benchmarks/bench_lessons.py --factor-each    # machine-speed before every lesson
    python benchmarks/bench_lessons.py --suite          # also the README's `pytest`, whole

The budgets (DEVELOPERS.md) are set on a reference machine: each lesson under 45 s cold, the
lessons' mean under 25 s, the README's ``pytest`` under 300 s. A machine's *factor*, printed by
``../shared/tools/machine-speed`` (below 1 = faster than the reference), scales them: on a
machine of factor 0.8 a lesson has 36 s. The factor is noisy -- on the development machine it
read anything from 0.58 to 1.26 within one evening -- so it is read before each series and at
the end (``--factor-each``: before every lesson too). The verdicts take the *median* reading as the
machine's factor, and also say from which factor up a time is within its budget, so a reader
can judge a verdict that the noise decides: e.g. "PASS at 0.87 (within from 0.86)".

How a lesson is run: as the README's ``pytest`` runs it (its ``addopts`` from pyproject.toml:
nbval, the Unix-socket kernels), one lesson per fresh ``pytest -n 0`` process, so the kernel, the
imports and every model start cold -- with ``W2V_WARM_KERNELS=0``: the suite forks its kernels from
a process that has imported IPython, NumPy and gensim already (``w2v_course.warm_kernels``), a
learner's kernel starts the usual way. A series starts with an empty dataset cache (a temporary
``W2V_EDU_CACHE``): the first lesson that reads the Wikipedia sample parses it, as a learner's
first run does; later lessons of the series read the cache. Two times are printed: nbval's own
(``passed in X s``, kernel start included) and the process's wall-clock time (pytest's start-up
added), and the CPU seconds of the process and of every process that was waited for (the kernel,
the background trainings; not Spark's JVM in lesson 12, which is killed with its process group) --
the README's ``pytest`` runs on every core, so a lesson that uses a second core to meet its wall-
clock budget costs the suite that CPU.

Timings are wall-clock on whatever else the machine is doing: run it on a quiet machine.
Results go to ``benchmarks/lesson_times.json`` when every lesson ran (the committed record), else
to ``benchmarks/lesson_times_partial.json`` (not committed), so a run of one lesson never
overwrites the record.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_word2vec import machine_factor  # noqa: E402  (the sibling benchmark's reader)

LESSON_BUDGET = 45.0
MEAN_BUDGET = 25.0
SUITE_BUDGET = 300.0
RESULTS = ROOT / "benchmarks" / "lesson_times.json"
PARTIAL_RESULTS = ROOT / "benchmarks" / "lesson_times_partial.json"


def lessons(wanted: list[str]) -> list[Path]:
    """The lessons ``notebooks/NN_*.ipynb`` whose number NN is in ``wanted`` (all if empty)."""
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not wanted:
        return found
    chosen = [p for p in found if p.name[:2] in {w.zfill(2) for w in wanted}]
    unknown = sorted({w.zfill(2) for w in wanted} - {p.name[:2] for p in chosen})
    if unknown:
        raise SystemExit(f"no lesson numbered {', '.join(unknown)} in notebooks/ "
                         f"(there are {', '.join(p.name[:2] for p in found)})")
    return chosen


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy_cpu() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux ``/proc/stat``), or None.

    For the README's ``pytest``: its notebook kernels are forked by a warm process that reaps them
    itself (``w2v_course.warm_kernels``), so their CPU is not among this process's children's.
    """
    try:
        with open("/proc/stat") as fin:
            ticks = [int(x) for x in fin.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def run_pytest(args: list[str], env: dict) -> dict:
    """Run ``python -m pytest *args`` in the repository; its times and pytest's summary line."""
    cpu0, busy0, t0 = children_cpu(), machine_busy_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    busy = None if busy0 is None else machine_busy_cpu() - busy0
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else "(no output)"
    found = re.search(r" in ([0-9.]+)s", summary)
    # pytest's short summary: one line per failed or erroring test
    failures = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return {"ok": done.returncode == 0, "summary": summary, "wall_s": round(wall, 2),
            "pytest_s": float(found.group(1)) if found else None, "cpu_s": round(cpu, 2),
            "machine_cpu_s": None if busy is None else round(busy, 1), "failures": failures}


def seconds_of(run: dict) -> float:
    """A run's time: pytest's own (``passed in X s``), or the process's when pytest printed none."""
    return run["pytest_s"] if run["pytest_s"] is not None else run["wall_s"]


def verdict(seconds: float, budget: float, factors: list[float]) -> str:
    """PASS or FAIL at the median factor reading, and the factor from which ``seconds`` fits.

    A time fits a budget on a machine of factor f when ``seconds <= budget * f``.
    """
    if not factors:
        return "factor unknown"
    median = statistics.median(factors)
    result = "PASS" if seconds <= budget * median else "FAIL"
    return f"{result} at {median:.2f} (within from {seconds / budget:.2f})"


def read_factor(readings: list[float]) -> None:
    factor, text = machine_factor()
    print(f"  machine speed: {text}", flush=True)
    if factor is not None:
        readings.append(factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: every lesson)")
    parser.add_argument("--repeat", type=int, default=1, help="cold series to run (default 1)")
    parser.add_argument("--factor-each", action="store_true",
                        help="read the machine factor before every lesson, not only per series")
    parser.add_argument("--suite", action="store_true",
                        help="also run the README's test command (`pytest`) once, whole")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"expected --repeat to be at least 1, got {args.repeat}")
    chosen = lessons(args.lessons)
    complete = len(chosen) == len(lessons([]))  # every lesson: the run is the committed record
    env = {**os.environ, "MPLBACKEND": "Agg"}
    # a lesson's kernel starts cold, as a learner's does; the suite forks its kernels from a warm
    # process (w2v_course.warm_kernels), as the README's `pytest` does
    lesson_env = {**env, "W2V_WARM_KERNELS": "0"}
    factors: list[float] = []
    runs: list[dict] = []
    for series in range(1, args.repeat + 1):
        print(f"series {series} of {args.repeat}: {len(chosen)} lesson(s), dataset cache empty",
              flush=True)
        read_factor(factors)
        with tempfile.TemporaryDirectory(prefix="w2v-bench-cache-") as cache:
            for path in chosen:
                if args.factor_each:
                    read_factor(factors)
                run = run_pytest(["-n", "0", f"notebooks/{path.name}"],
                                 {**lesson_env, "W2V_EDU_CACHE": cache})
                run.update(series=series, lesson=path.stem)
                runs.append(run)
                print(f"  {path.stem:32s} nbval {seconds_of(run):6.1f} s  "
                      f"process {run['wall_s']:6.1f} s"
                      f"  CPU {run['cpu_s']:6.1f} s  {'' if run['ok'] else run['summary']}",
                      flush=True)
    read_factor(factors)

    suite = None
    if args.suite:
        print("the README's test command: pytest", flush=True)
        suite = run_pytest([], env)
        print(f"  {suite['summary']}  (wall {suite['wall_s']:.1f} s, CPU {suite['cpu_s']:.1f} s "
              f"of its processes, {suite['machine_cpu_s']} s of the machine's)", flush=True)
        read_factor(factors)

    # the verdicts: each lesson's worst series, and the mean of the per-lesson worst times
    print()
    if factors:
        median = statistics.median(factors)
        print(f"machine factor readings: {', '.join(f'{f:.2f}' for f in factors)}; median "
              f"{median:.2f}: a lesson's budget {LESSON_BUDGET * median:.1f} s, the mean's "
              f"{MEAN_BUDGET * median:.1f} s, the suite's {SUITE_BUDGET * median:.0f} s")
    worst = {}
    for run in runs:
        worst[run["lesson"]] = max(worst.get(run["lesson"], 0.0), seconds_of(run))
    print(f"{'lesson':32s} {'worst nbval s':>13s}  verdict (budget {LESSON_BUDGET:.0f} s x factor)")
    for lesson, seconds in worst.items():
        print(f"{lesson:32s} {seconds:13.1f}  {verdict(seconds, LESSON_BUDGET, factors)}")
    mean = sum(worst.values()) / len(worst)
    print(f"{'mean':32s} {mean:13.1f}  {verdict(mean, MEAN_BUDGET, factors)}"
          + ("" if complete else "  (of the lessons run, not all)"))
    if suite is not None:
        seconds = seconds_of(suite)
        # the machine's busy CPU: the suite's forked kernels are not this process's children
        cpu = suite["machine_cpu_s"] if suite["machine_cpu_s"] is not None else suite["cpu_s"]
        print(f"{'README pytest':32s} {seconds:13.1f}  {verdict(seconds, SUITE_BUDGET, factors)}"
              f"  (CPU {cpu:.0f} s on {os.cpu_count()} cores)")
    failed = [r for r in runs if not r["ok"]] + ([suite] if suite and not suite["ok"] else [])
    out = RESULTS if complete else PARTIAL_RESULTS
    out.write_text(json.dumps({
        "measured_at": time.strftime("%Y-%m-%d %H:%M"), "cpu_count": os.cpu_count(),
        "machine_factors": factors, "runs": runs, "suite": suite,
        "budgets_s": {"lesson": LESSON_BUDGET, "mean": MEAN_BUDGET, "suite": SUITE_BUDGET},
    }, indent=1) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    if failed:
        print(f"{len(failed)} run(s) did not pass: " + "; ".join(r["summary"] for r in failed))
        for line in (line for r in failed for line in r["failures"]):
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
