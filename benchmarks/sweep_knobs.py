"""What the knobs do: the one-at-a-time sweep behind lesson 11.

    nice python benchmarks/sweep_knobs.py                 # the committed run (many minutes)
    python benchmarks/sweep_knobs.py --knobs epochs --seeds 1 --out /tmp/sweep.json   # a part

For every knob in ``w2v_edu.knob_sweep.GRID`` (vector_size, window, negative, sample, epochs,
alpha, min_count) and every value of it, all other settings at the base point (gensim's
defaults with 3 epochs instead of 5; skip-gram, sg=1, said explicitly: gensim's own default is
CBOW), it trains w2v_edu's mini-batch engine on
the Wikipedia sample once per seed (1 and 2) and records WordSim353 / SimLex-999 / analogy
scores, the loss and the similarity scores after every epoch, training seconds, the seed-to-seed
neighbour overlap and memory; then writes ``benchmarks/knob_sweep.json`` with the machine, the
seeds, the library versions and the load average (training seconds depend on what else the
machine is doing; the scores do not). The file is rewritten after every point (``"complete":
false`` until the last one), so an interrupted sweep keeps what it measured.

A test re-runs one point and compares it with the file; lesson 11 re-runs a few.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import gensim
import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from w2v_edu import __version__  # noqa: E402
from w2v_edu.datasets import wiki_sample  # noqa: E402
from w2v_edu.knob_sweep import GRID, SEEDS, SWEEP_FILE, run_sweep  # noqa: E402


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf8") as fin:
            cpu = next(line.split(":", 1)[1].strip() for line in fin
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "gensim": gensim.__version__,
            "w2v_edu": f"{__version__} (git {commit})"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knobs", nargs="+", choices=sorted(GRID), default=list(GRID),
                        help="knobs to sweep (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--out", type=Path, default=SWEEP_FILE)
    args = parser.parse_args(argv)

    sentences = wiki_sample()
    load_start = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    header = {
        "description": "One-at-a-time sweep of Word2Vec's knobs around gensim's defaults "
                       "(3 epochs; w2v_edu mini-batch engine, skip-gram) on the Wikipedia sample",
        "command": " ".join(["python benchmarks/sweep_knobs.py", *(argv or sys.argv[1:])]),
        "corpus": "wiki-sample (gensim's 106-article test dump)",
        "date": started.strftime("%Y-%m-%d"),
        "machine": machine(),
    }

    def save(data):
        data = {**header, "load_average_1min": {"start": load_start[0],
                                                 "end": os.getloadavg()[0]}, **data}
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf8")
        return data

    data = run_sweep(sentences, {k: GRID[k] for k in args.knobs}, args.seeds,
                     log=lambda line: print(line, flush=True), on_point=save)
    data = save(data)
    print(f"wrote {args.out} ({len(data['runs'])} runs, {data['sweep_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
