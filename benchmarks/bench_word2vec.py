"""Benchmark: our two engines against gensim, in one process, on the same corpus and settings.

    python benchmarks/bench_word2vec.py              # full run, both models (about 10 minutes)
    python benchmarks/bench_word2vec.py --sg 0       # CBOW only (--sg 1: skip-gram only)
    python benchmarks/bench_word2vec.py --quick      # 1 seed, 2 epochs, no per-pair run

What it prints (and writes to ``benchmarks/results.json``):

For each model -- skip-gram (``sg=1``) and CBOW (``sg=0``, gensim's default) -- two blocks:

- Wikipedia sample (gensim's 106 articles), 5 epochs, negative=5, window=5, min_count=5,
  sample=1e-3, vector_size=100: for gensim (workers=1) and our mini-batch engine, two seeds each:
  seconds, effective words/s (words left after subsampling, as gensim counts them), the ratio to
  gensim, peak memory, WordSim353 / SimLex-999 Spearman, analogy accuracy, and the top-10
  neighbour overlap with gensim next to gensim's own seed-to-seed overlap;
- Lee corpus, 20 epochs, same settings: the per-pair engine against gensim, same criteria.

Targets from the issue: mini-batch WordSim353 and SimLex each >= gensim's - 0.02 (mean of the
seeds), overlap >= 0.9 x gensim's seed-to-seed overlap, speed >= 0.5 x gensim's words/s; the
per-pair engine meets the overlap criterion on Lee; peak memory under 1 GB.

Timings are wall-clock on whatever else the machine is doing: run it on a quiet machine.
Peak memory is measured in a separate one-epoch run under ``tracemalloc`` (it slows training
down, so it is not used for the timings); the process's maximum resident size is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import gensim
import numpy as np
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_edu import Word2Vec
from w2v_edu.datasets import lee_corpus, wiki_sample
from w2v_edu.evaluation import evaluation_table, neighbour_overlap

SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, hs=0, negative=5)


def train_gensim(sentences, seed, epochs, sg):
    model = GensimWord2Vec(workers=1, seed=seed, epochs=epochs, sg=sg, **SETTINGS)
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, _raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    seconds = time.perf_counter() - start
    return model.wv, seconds, effective


def train_ours(sentences, seed, epochs, sg, engine, **extra):
    model = Word2Vec(seed=seed, epochs=epochs, sg=sg, engine=engine, progress=False,
                     **SETTINGS, **extra)
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train()
    seconds = time.perf_counter() - start
    effective = sum(h["words"] for h in model.history)
    return model.wv, seconds, effective


def peak_memory_mb(train_fn, sentences, seed) -> float:
    """Peak traced allocation (MB) while training one epoch with ``train_fn``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    train_fn(sentences, seed, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_block(name, sentences, seeds, epochs, sg, engine, quality=True):
    """Train gensim and one of our engines for every seed; return a summary dict."""
    rows = {"gensim": [], "ours": []}
    vectors = {"gensim": {}, "ours": {}}

    def gensim_fn(s, seed, ep):
        return train_gensim(s, seed, ep, sg)

    def ours_fn(s, seed, ep):
        return train_ours(s, seed, ep, sg, engine)

    for seed in seeds:
        for who, fn in (("gensim", gensim_fn), ("ours", ours_fn)):
            wv, seconds, effective = fn(sentences, seed, epochs)
            row = {"seed": seed, "seconds": seconds, "effective_words": int(effective),
                   "words_per_s": effective / seconds}
            if quality:
                row.update(evaluation_table(wv))
            rows[who].append(row)
            vectors[who][seed] = wv
            print(f"  {name} {who:>6} seed {seed}: {seconds:6.1f} s, "
                  f"{row['words_per_s']:>9,.0f} effective words/s", flush=True)
    overlap_gg = neighbour_overlap(vectors["gensim"][seeds[0]], vectors["gensim"][seeds[-1]]) \
        if len(seeds) > 1 else float("nan")
    overlap_og = float(np.mean([neighbour_overlap(vectors["ours"][s], vectors["gensim"][s])
                                for s in seeds]))
    memory = {
        "gensim": peak_memory_mb(gensim_fn, sentences, seeds[0]),
        "ours": peak_memory_mb(ours_fn, sentences, seeds[0]),
    }
    return {"name": name, "sg": sg, "engine": engine, "epochs": epochs, "rows": rows,
            "overlap_ours_gensim": overlap_og, "overlap_gensim_gensim": overlap_gg,
            "peak_traced_mb": memory}


def _mean(rows, key):
    return float(np.mean([r[key] for r in rows]))


def report(block) -> list[str]:
    g, o = block["rows"]["gensim"], block["rows"]["ours"]
    model = "skip-gram, sg=1" if block["sg"] else "CBOW, sg=0"
    lines = [f"\n== {block['name']}, {model}: {block['engine']} engine vs gensim (workers=1), "
             f"{block['epochs']} epochs, seeds {[r['seed'] for r in g]} =="]
    speed_g, speed_o = _mean(g, "words_per_s"), _mean(o, "words_per_s")
    lines.append(f"{'':28}{'gensim':>12}{'ours':>12}")
    lines.append(f"{'seconds (mean)':28}{_mean(g, 'seconds'):>12.1f}{_mean(o, 'seconds'):>12.1f}")
    lines.append(f"{'effective words/s (mean)':28}{speed_g:>12,.0f}{speed_o:>12,.0f}")
    lines.append(f"{'ratio to gensim':28}{1.0:>12.2f}{speed_o / speed_g:>12.2f}")
    mem = block["peak_traced_mb"]
    lines.append(f"{'peak traced memory, MB':28}{mem['gensim']:>12.0f}{mem['ours']:>12.0f}")
    checks = []
    if "wordsim353_spearman" in g[0]:
        for key, label in (("wordsim353_spearman", "WordSim353 Spearman"),
                           ("simlex999_spearman", "SimLex-999 Spearman"),
                           ("analogy_accuracy", "analogy accuracy")):
            lines.append(f"{label + ' (mean)':28}{_mean(g, key):>12.3f}{_mean(o, key):>12.3f}")
        for key in ("wordsim353_spearman", "simlex999_spearman"):
            checks.append((f"{key} >= gensim - 0.02", _mean(o, key) >= _mean(g, key) - 0.02))
        checks.append(("speed >= 0.5 x gensim", speed_o >= 0.5 * speed_g))
    gg, og = block["overlap_gensim_gensim"], block["overlap_ours_gensim"]
    lines.append(f"top-10 neighbour overlap: ours-gensim {og:.3f}, gensim seed-to-seed {gg:.3f} "
                 f"(ratio {og / gg:.2f})")
    checks.append(("overlap >= 0.9 x gensim seed-to-seed", og >= 0.9 * gg))
    for label, ok in checks:
        lines.append(f"  [{'PASS' if ok else 'FAIL'}] {label}")
    return lines


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "gensim": gensim.__version__}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 epochs, no per-pair run")
    parser.add_argument("--no-per-pair", action="store_true", help="skip the Lee per-pair block")
    parser.add_argument("--sg", choices=("0", "1", "both"), default="both",
                        help="the model: 0 CBOW, 1 skip-gram, or both (default)")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = parser.parse_args(argv)

    info = machine()
    print(f"machine: {info}", flush=True)
    wiki = wiki_sample()
    seeds = [1] if args.quick else [1, 2]
    epochs = 2 if args.quick else 5
    models = (1, 0) if args.sg == "both" else (int(args.sg),)
    blocks = []
    for sg in models:
        blocks.append(run_block("wiki-sample", wiki, seeds, epochs, sg, "minibatch"))
        if not (args.quick or args.no_per_pair):
            blocks.append(run_block("lee", lee_corpus(), [1, 2], 20, sg, "per_pair",
                                    quality=False))
    lines = []
    for block in blocks:
        lines += report(block)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"\nprocess maximum resident memory: {max_rss_mb:.0f} MB "
                 f"[{'PASS' if max_rss_mb < 1024 else 'FAIL'}] under 1 GB")
    print("\n".join(lines))
    out = Path(args.out)
    if out.exists():
        # keep the blocks of the last run that this run did not redo (the other model, or the
        # per-pair block skipped with --no-per-pair)
        done = {(b["sg"], b["name"]) for b in blocks}
        kept = [b for b in json.loads(out.read_text())["blocks"]
                if (b.get("sg", 1), b["name"]) not in done]
        blocks = kept + blocks
    out.write_text(json.dumps({"machine": info, "blocks": blocks, "max_rss_mb": max_rss_mb},
                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
