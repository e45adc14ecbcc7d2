"""Benchmark: our engines against gensim (workers=1), in one process, on two corpus shapes.

    python benchmarks/bench_word2vec.py                # full run: both models, both shapes,
                                                       # plus the per-pair block (long: run it
                                                       # on a quiet machine)
    python benchmarks/bench_word2vec.py --sg 0         # CBOW only (--sg 1: skip-gram only)
    python benchmarks/bench_word2vec.py --shape short  # one corpus shape (wiki, short or both)
    python benchmarks/bench_word2vec.py --quick        # 1 seed, fewer epochs, no per-pair block

What it prints (and writes to ``benchmarks/results.json``; ``--quick`` writes
``benchmarks/results_quick.json`` so a smoke test never overwrites the full results):

**The machine**: CPU model, versions, the BLAS library with its thread count, and the machine
factor from ``../shared/tools/machine-speed`` (next to the repository; 1.0 = the reference
machine the course's budgets are set on, below 1 = faster; "factor unknown" if the tool is
missing or fails). All training runs with BLAS pinned to one thread
(``threadpoolctl.threadpool_limits(1)``) for gensim and ours alike, since gensim ``workers=1``
trains on one thread; the BLAS state is printed again after the last run to show the pin held.

**For each model** -- skip-gram (``sg=1``) and CBOW (``sg=0``, gensim's default) -- **and each
corpus shape** (``--shape``):

- ``wiki``: gensim's 106-article Wikipedia sample (:func:`w2v_edu.datasets.wiki_sample`, about
  453k tokens in sentences of up to 1000 tokens), 5 epochs;
- ``short``: many short lines, the Lee corpus cut at sentence ends
  (:func:`w2v_edu.datasets.lee_sentences`: 2,681 lines of 3 to 71 tokens, median 21;
  58,152 tokens), 10 epochs. ``min_count=5`` (gensim's default) as on the Wikipedia sample: it
  keeps 1,750 words, 85% of the tokens; a lower ``min_count`` would add words seen 2-4 times,
  whose vectors barely move from their random start and whose neighbours would be noise in the
  overlap comparison;

both with negative=5, window=5, sample=1e-3, vector_size=100 (gensim's defaults). gensim
(workers=1) and our mini-batch engine, two seeds, run interleaved -- gensim seed 1, ours
seed 1, gensim seed 2, ours seed 2 -- so that machine noise hits both. Each (engine, seed) is
trained twice and timed both ways:

- training-only: ``model.train(sentences, total_examples=model.corpus_count, epochs=...)``
  after an untimed ``build_vocab`` (our ``train`` also encodes the text to word ids, once;
  gensim looks the words up inside ``train``, every epoch);
- whole: ``Word2Vec(sentences, ...)`` -- vocabulary, encoding and training, what a learner
  waits for. The same seed gives the same vectors as the training-only run (checked, printed),
  so its effective words are the training-only run's.

For each: seconds, effective words/s (words left after subsampling, as gensim counts them)
and the ratio to gensim's; WordSim353 / SimLex-999 Spearman and analogy accuracy
(:func:`w2v_edu.evaluation.evaluation_table`) with how many pairs/questions the vocabulary
covers (a note when few: Lee is small); the top-10 neighbour overlap with gensim next to
gensim's own seed-to-seed overlap; peak traced memory of a separate one-epoch run under
``tracemalloc`` (it slows training, so it is not used for timings).

**The per-pair block** (as before): Lee corpus (300 documents), 20 epochs, the per-pair engine
against gensim, two seeds, training-only time and neighbour overlap.

**Targets**, each printed PASS / FAIL (n/a when it cannot be judged, e.g. seed-to-seed overlap
with ``--quick``'s single seed), labelled with their issue:

- issue 10, mini-batch engine, each shape and model: speed >= 1.0 x gensim, training-only and
  whole; WordSim353 and SimLex-999 Spearman >= gensim's - 0.02 (mean of the seeds); overlap
  >= 0.9 x gensim's seed-to-seed overlap;
- issue 9, CBOW on the Wikipedia sample: speed >= 0.5 x gensim (training-only), and the same
  quality and overlap targets;
- per-pair block: overlap >= 0.9 x gensim's seed-to-seed; process maximum resident memory under
  1 GB.

Timings are wall-clock on whatever else the machine is doing: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import gensim
import numpy as np
import scipy
import threadpoolctl
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_edu import Word2Vec
from w2v_edu.datasets import lee_corpus, lee_sentences, wiki_sample
from w2v_edu.evaluation import evaluation_table, neighbour_overlap

REPO = Path(__file__).resolve().parent.parent
MACHINE_SPEED = REPO.parent / "shared" / "tools" / "machine-speed"
SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, hs=0, negative=5)
#: shape -> (label, corpus loader, epochs, epochs with --quick)
SHAPES = {
    "wiki": ("Wikipedia sample", wiki_sample, 5, 2),
    "short": ("short-line corpus (Lee cut at sentence ends)", lee_sentences, 10, 4),
}
N_PAIRS = {"wordsim353": 353, "simlex999": 999}
FEW = 100  # fewer pairs / questions than this: the score is a small sample, say so
FORMAT = 2  # of results.json; blocks of another format are not merged


# ------------------------------------------------------------------------------ training
def make_model(who, seed, epochs, sg, engine, sentences=None):
    """gensim's or our Word2Vec; trains at once when ``sentences`` is given."""
    if who == "gensim":
        return GensimWord2Vec(sentences=sentences, workers=1, seed=seed, epochs=epochs, sg=sg,
                              **SETTINGS)
    return Word2Vec(sentences=sentences, seed=seed, epochs=epochs, sg=sg, engine=engine,
                    progress=False, **SETTINGS)


def time_training_only(who, sentences, seed, epochs, sg, engine):
    """(model, build_vocab seconds, train seconds, effective words) of one training-only run."""
    model = make_model(who, seed, epochs, sg, engine)
    start = time.perf_counter()
    model.build_vocab(sentences)
    vocab_seconds = time.perf_counter() - start
    start = time.perf_counter()
    effective, _raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    return model, vocab_seconds, time.perf_counter() - start, int(effective)


def time_whole(who, sentences, seed, epochs, sg, engine):
    """(model, seconds) of ``Word2Vec(sentences, ...)``: vocabulary, encoding and training."""
    start = time.perf_counter()
    model = make_model(who, seed, epochs, sg, engine, sentences=sentences)
    return model, time.perf_counter() - start


def peak_memory_mb(who, sentences, seed, sg, engine) -> float:
    """Peak traced allocation (MB) while building the vocabulary and training one epoch."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    time_training_only(who, sentences, seed, 1, sg, engine)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def corpus_stats(sentences) -> dict:
    lengths = np.array([len(s) for s in sentences])
    return {"sentences": len(sentences), "tokens": int(lengths.sum()),
            "mean_length": float(lengths.mean()), "median_length": float(np.median(lengths)),
            "max_length": int(lengths.max())}


def run_block(shape, label, sentences, seeds, epochs, sg, engine, whole=True, quality=True):
    """Train gensim and one of our engines for every seed, interleaved; return a summary dict."""
    runs = {"gensim": {}, "ours": {}}
    vectors = {"gensim": {}, "ours": {}}
    vocabulary = None
    for seed in seeds:
        for who in ("gensim", "ours"):
            model, vocab_s, train_s, effective = time_training_only(
                who, sentences, seed, epochs, sg, engine)
            vectors[who][seed] = model.wv
            vocabulary = len(model.wv.index_to_key)
            runs[who][seed] = {"seed": seed, "build_vocab_seconds": vocab_s,
                               "train_seconds": train_s, "effective_words": effective,
                               "train_words_per_s": effective / train_s}
            print(f"  {shape} sg={sg} {who:>6} seed {seed}: training-only {train_s:6.1f} s, "
                  f"{effective / train_s:>9,.0f} effective words/s", flush=True)
        if not whole:
            continue
        for who in ("gensim", "ours"):
            model, seconds = time_whole(who, sentences, seed, epochs, sg, engine)
            row = runs[who][seed]
            row["whole_seconds"] = seconds
            row["whole_words_per_s"] = row["effective_words"] / seconds
            row["whole_same_vectors"] = bool(np.array_equal(
                np.asarray(model.wv.vectors), np.asarray(vectors[who][seed].vectors)))
            print(f"  {shape} sg={sg} {who:>6} seed {seed}: whole         {seconds:6.1f} s, "
                  f"{row['whole_words_per_s']:>9,.0f} effective words/s", flush=True)
    if quality:
        for who in runs:
            for seed in seeds:
                runs[who][seed].update(evaluation_table(vectors[who][seed]))
    overlap_gg = (neighbour_overlap(vectors["gensim"][seeds[0]], vectors["gensim"][seeds[-1]])
                  if len(seeds) > 1 else math.nan)
    overlap_og = float(np.mean([neighbour_overlap(vectors["ours"][s], vectors["gensim"][s])
                                for s in seeds]))
    memory = {who: peak_memory_mb(who, sentences, seeds[0], sg, engine) for who in runs}
    block = {"shape": shape, "name": label, "sg": sg, "engine": engine, "epochs": epochs,
             "seeds": list(seeds), "corpus": {**corpus_stats(sentences), "vocabulary": vocabulary},
             "runs": {who: list(rows.values()) for who, rows in runs.items()},
             "overlap_ours_gensim": overlap_og, "overlap_gensim_gensim": overlap_gg,
             "peak_traced_mb": memory}
    block["checks"] = checks(block)
    return block


# ------------------------------------------------------------------------------ targets
def _mean(rows, key) -> float:
    return float(np.mean([r[key] for r in rows])) if key in rows[0] else math.nan


def _check(issue, label, value, ok) -> dict:
    status = "n/a" if value is None or math.isnan(value) else ("PASS" if ok else "FAIL")
    return {"issue": issue, "target": label, "value": value, "status": status}


def checks(block) -> list[dict]:
    g, o = block["runs"]["gensim"], block["runs"]["ours"]
    ratio_gg = block["overlap_ours_gensim"] / block["overlap_gensim_gensim"]
    if block["engine"] != "minibatch":
        return [_check("per-pair", "overlap >= 0.9 x gensim seed-to-seed", ratio_gg,
                       ratio_gg >= 0.9)]
    cbow_wiki = block["sg"] == 0 and block["shape"] == "wiki"
    quality_issue = "issues 9, 10" if cbow_wiki else "issue 10"
    result = []
    for key, label in (("train_words_per_s", "training-only"),
                       ("whole_words_per_s", "whole Word2Vec(sentences)")):
        ratio = _mean(o, key) / _mean(g, key)
        result.append(_check("issue 10", f"{label} speed >= 1.0 x gensim", ratio, ratio >= 1.0))
    if cbow_wiki:
        ratio = _mean(o, "train_words_per_s") / _mean(g, "train_words_per_s")
        result.append(_check("issue 9", "CBOW training-only speed >= 0.5 x gensim", ratio,
                             ratio >= 0.5))
    for key, label in (("wordsim353_spearman", "WordSim353"), ("simlex999_spearman", "SimLex-999")):
        diff = _mean(o, key) - _mean(g, key)
        result.append(_check(quality_issue, f"{label} >= gensim - 0.02", diff, diff >= -0.02))
    result.append(_check(quality_issue, "overlap >= 0.9 x gensim seed-to-seed", ratio_gg,
                         ratio_gg >= 0.9))
    return result


# ------------------------------------------------------------------------------ report
def _row(label, g, o, fmt) -> str:
    cell = [("n/a" if math.isnan(v) else fmt.format(v)) for v in (g, o)]
    return f"{label:44}{cell[0]:>12}{cell[1]:>12}"


def report(block) -> list[str]:
    g, o = block["runs"]["gensim"], block["runs"]["ours"]
    model = "skip-gram sg=1" if block["sg"] else "CBOW sg=0"
    c = block["corpus"]
    lines = [f"\n== {block['name']}, {model}, {block['epochs']} epochs: {block['engine']} engine "
             f"vs gensim (workers=1), seeds {block['seeds']} ==",
             f"corpus: {c['sentences']:,} sentences, {c['tokens']:,} tokens (mean "
             f"{c['mean_length']:.1f}, median {c['median_length']:.0f}, max {c['max_length']} "
             f"per sentence), vocabulary {c['vocabulary']:,} at min_count="
             f"{SETTINGS['min_count']}",
             f"{'':44}{'gensim':>12}{'ours':>12}"]
    timings = [("training-only", "train")]
    if "whole_seconds" in g[0]:
        timings.append(("whole Word2Vec(sentences)", "whole"))
    for label, key in timings:
        speed_g, speed_o = _mean(g, f"{key}_words_per_s"), _mean(o, f"{key}_words_per_s")
        lines.append(_row(f"{label}: seconds (mean)", _mean(g, f"{key}_seconds"),
                          _mean(o, f"{key}_seconds"), "{:.2f}"))
        lines.append(_row("  effective words/s (mean)", speed_g, speed_o, "{:,.0f}"))
        lines.append(_row("  ratio to gensim", 1.0, speed_o / speed_g, "{:.2f}"))
    lines.append(_row("build_vocab seconds (mean)", _mean(g, "build_vocab_seconds"),
                      _mean(o, "build_vocab_seconds"), "{:.2f}"))
    mem = block["peak_traced_mb"]
    lines.append(_row("peak traced memory, MB", mem["gensim"], mem["ours"], "{:.0f}"))
    few = []
    if "wordsim353_spearman" in g[0]:
        for name, label in (("wordsim353", "WordSim353"), ("simlex999", "SimLex-999")):
            scored = round(N_PAIRS[name] * (1 - _mean(g, f"{name}_oov_percent") / 100))
            lines.append(_row(f"{label} Spearman (mean)", _mean(g, f"{name}_spearman"),
                              _mean(o, f"{name}_spearman"), "{:.3f}"))
            lines.append(_row(f"  pairs scored (of {N_PAIRS[name]})", scored,
                              round(N_PAIRS[name] * (1 - _mean(o, f"{name}_oov_percent") / 100)),
                              "{:.0f}"))
            if scored < FEW:
                few.append(f"{scored} {label} pairs")
        lines.append(_row("analogy accuracy (mean)", _mean(g, "analogy_accuracy"),
                          _mean(o, "analogy_accuracy"), "{:.3f}"))
        answered = _mean(g, "analogy_answered")
        lines.append(_row(f"  questions answered (of {g[0]['analogy_total']:,})", answered,
                          _mean(o, "analogy_answered"), "{:,.0f}"))
        if answered < FEW:
            few.append(f"{answered:.0f} analogy questions")
    gg, og = block["overlap_gensim_gensim"], block["overlap_ours_gensim"]
    lines.append(f"top-10 neighbour overlap: ours-gensim {og:.3f}, gensim seed-to-seed "
                 + ("n/a (1 seed)" if math.isnan(gg) else f"{gg:.3f} (ratio {og / gg:.2f})"))
    if "whole_same_vectors" in g[0]:
        same = {who: all(r["whole_same_vectors"] for r in rows)
                for who, rows in block["runs"].items()}
        lines.append("whole run gave the training-only run's vectors: "
                     + ", ".join(f"{who} {'yes' if ok else 'NO'}" for who, ok in same.items()))
    if few:
        lines.append(f"note: the vocabulary covers only {', '.join(few)}: small samples, so "
                     "quality differences of a few hundredths are within noise")
    for check in block["checks"]:
        if check["status"] == "n/a":
            value = " (needs 2 seeds)" if "seed-to-seed" in check["target"] else ""
        elif "gensim - 0.02" in check["target"]:
            value = f" (ours - gensim {check['value']:+.3f})"
        else:
            value = f" ({check['value']:.2f})"
        lines.append(f"  [{check['status']:>4}] {check['issue']}: {check['target']}{value}")
    return lines


def summary(blocks) -> list[str]:
    """One line per block: the ratios and quality differences the targets judge."""
    head = (f"{'shape':6}{'model':10}{'engine':10}{'epochs':>7}{'train x':>9}{'whole x':>9}"
            f"{'WS353 d':>9}{'SimLex d':>9}{'overlap':>9}  targets met")
    lines = ["\nsummary: speed as a ratio to gensim, quality as ours - gensim, overlap as "
             "ours-gensim / gensim seed-to-seed", head]
    for b in blocks:
        g, o = b["runs"]["gensim"], b["runs"]["ours"]
        cells = [_mean(o, "train_words_per_s") / _mean(g, "train_words_per_s"),
                 _mean(o, "whole_words_per_s") / _mean(g, "whole_words_per_s"),
                 _mean(o, "wordsim353_spearman") - _mean(g, "wordsim353_spearman"),
                 _mean(o, "simlex999_spearman") - _mean(g, "simlex999_spearman"),
                 b["overlap_ours_gensim"] / b["overlap_gensim_gensim"]]
        fmts = ("{:.2f}", "{:.2f}", "{:+.3f}", "{:+.3f}", "{:.2f}")
        text = "".join(f"{'-' if math.isnan(v) else f.format(v):>9}"
                       for v, f in zip(cells, fmts, strict=True))
        judged = [c for c in b["checks"] if c["status"] != "n/a"]
        met = sum(c["status"] == "PASS" for c in judged)
        lines.append(f"{b['shape']:6}{'sg=1' if b['sg'] else 'sg=0':10}{b['engine']:10}"
                     f"{b['epochs']:>7}{text}  {met}/{len(judged)}"
                     + (f" ({len(b['checks']) - len(judged)} n/a)"
                        if len(judged) < len(b["checks"]) else ""))
    return lines


# ------------------------------------------------------------------------------ machine
def machine_factor() -> tuple[float | None, str]:
    """The factor printed by ``../shared/tools/machine-speed`` (its last ``factor X`` line)."""
    if not MACHINE_SPEED.is_file():
        return None, f"factor unknown ({MACHINE_SPEED} not found)"
    try:
        done = subprocess.run([sys.executable, str(MACHINE_SPEED)], capture_output=True,
                              text=True, timeout=900, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"factor unknown ({MACHINE_SPEED.name} failed: {error})"
    found = [m for line in done.stdout.splitlines()
             if (m := re.match(r"factor\s+([0-9.]+)", line.strip()))]
    if not found:
        return None, f"factor unknown (no 'factor X' line from {MACHINE_SPEED.name})"
    factor = float(found[-1].group(1))
    return factor, f"factor {factor:.2f} ({MACHINE_SPEED.name}; 1.0 = reference machine, " \
                   "below 1 = faster)"


def blas_state() -> list[dict]:
    return [{key: lib.get(key) for key in ("internal_api", "version", "num_threads",
                                           "threading_layer", "filepath")}
            for lib in threadpoolctl.threadpool_info()]


def describe_blas(libs) -> str:
    if not libs:
        return "no BLAS/OpenMP library loaded"
    return "; ".join(f"{lib['internal_api']} {lib['version']} ({Path(lib['filepath']).name}), "
                     f"{lib['num_threads']} thread(s)" for lib in libs)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__, "gensim": gensim.__version__,
            "threadpoolctl": threadpoolctl.__version__, "blas": blas_state()}


# ------------------------------------------------------------------------------ main
def _json_safe(value):
    """NaN (a score with no pair in the vocabulary, an overlap with one seed) as JSON null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 seed, fewer epochs (wiki 2, short 4), no per-pair block")
    parser.add_argument("--no-per-pair", action="store_true", help="skip the Lee per-pair block")
    parser.add_argument("--sg", choices=("0", "1", "both"), default="both",
                        help="the model: 0 CBOW, 1 skip-gram, or both (default)")
    parser.add_argument("--shape", choices=("wiki", "short", "both"), default="both",
                        help="corpus shape: the Wikipedia sample, the short-line corpus, or both")
    parser.add_argument("--out", default=None, help="results file (default: benchmarks/"
                        "results.json, with --quick benchmarks/results_quick.json)")
    args = parser.parse_args(argv)
    out = Path(args.out or Path(__file__).with_name(
        "results_quick.json" if args.quick else "results.json"))

    info = machine()
    factor, factor_text = machine_factor()
    info["machine_factor"] = factor
    print(f"machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, NumPy "
          f"{info['numpy']}, SciPy {info['scipy']}, gensim {info['gensim']}\n"
          f"machine speed: {factor_text}\n"
          f"BLAS: {describe_blas(info['blas'])}\n"
          "timing with BLAS pinned to 1 thread (threadpoolctl.threadpool_limits(1)) for gensim "
          "and ours: gensim workers=1 trains on one thread", flush=True)

    seeds = [1] if args.quick else [1, 2]
    models = (1, 0) if args.sg == "both" else (int(args.sg),)
    shapes = ("wiki", "short") if args.shape == "both" else (args.shape,)
    corpora = {shape: SHAPES[shape][1]() for shape in shapes}
    blocks = []
    with threadpoolctl.threadpool_limits(limits=1):
        for sg in models:
            for shape in shapes:
                label, _, epochs, quick_epochs = SHAPES[shape]
                blocks.append(run_block(shape, label, corpora[shape], seeds,
                                        quick_epochs if args.quick else epochs, sg, "minibatch"))
            if not (args.quick or args.no_per_pair):
                blocks.append(run_block("lee", "Lee corpus (300 documents)", lee_corpus(),
                                        [1, 2], 20, sg, "per_pair", whole=False, quality=False))
        blas_during = blas_state()
    lines = []
    for block in blocks:
        lines += report(block)
    lines += summary(blocks)
    lines.append(f"\nBLAS after the last run (still pinned): {describe_blas(blas_during)}")
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"process maximum resident memory: {max_rss_mb:.0f} MB "
                 f"[{'PASS' if max_rss_mb < 1024 else 'FAIL'}] under 1 GB")
    print("\n".join(lines))

    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    for block in blocks:
        block.update(measured_at=stamp, machine_factor=factor)
    if out.exists():
        # keep the blocks of the last run that this run did not redo (the other model or
        # shape, or the per-pair block skipped with --no-per-pair)
        old = json.loads(out.read_text())
        if old.get("format") == FORMAT:
            done = {(b["shape"], b["sg"], b["engine"]) for b in blocks}
            blocks = [b for b in old["blocks"]
                      if (b["shape"], b["sg"], b["engine"]) not in done] + blocks
    out.write_text(json.dumps(_json_safe({"format": FORMAT, "quick": args.quick, "machine": info,
                               "blas_threads_during_timing": 1, "blas_during_timing": blas_during,
                               "blocks": blocks, "max_rss_mb": max_rss_mb}), indent=1) + "\n")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
