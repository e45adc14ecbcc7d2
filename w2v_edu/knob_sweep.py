"""What the knobs do: one-at-a-time sweeps of ``Word2Vec``'s settings around gensim's defaults.

Every point of a sweep changes *one* knob of :data:`BASE` -- gensim's defaults
(:data:`GENSIM_DEFAULTS`, skip-gram), except 3 epochs instead of 5 so that the sweep and the
lesson's live runs fit their time budgets (the ``epochs`` sweep shows what 5 and 10 give) -- and
trains the mini-batch engine on the Wikipedia sample once per seed. A point is measured by
:func:`run_point`: WordSim353 / SimLex-999 Spearman, analogy accuracy, the loss and the two
similarity scores after every epoch, training seconds, pairs, vocabulary size and the bytes of
the weights. :func:`run_sweep` adds, per point, the neighbour stability between the two seeds
(:func:`w2v_edu.evaluation.neighbour_overlap`) and the traced working memory of training
(:func:`training_memory_mb`).

The full sweep takes many minutes, so it is not run in a notebook: ``python
benchmarks/sweep_knobs.py`` writes :data:`SWEEP_FILE` (JSON, with the machine, the seeds and
the library versions), lesson 11 reads it with :func:`load_sweep` and re-runs a few points
live, and a test re-runs one point and compares it with the file.
"""

from __future__ import annotations

import json
import math
import time
import tracemalloc
from pathlib import Path

import numpy as np

from w2v_edu.callbacks import EpochQuality
from w2v_edu.errors import DivergenceError
from w2v_edu.evaluation import evaluation_table, neighbour_overlap

__all__ = ["GENSIM_DEFAULTS", "ENGINE_DEFAULTS", "BASE", "FIXED", "GRID", "SEEDS", "METRICS",
           "SWEEP_FILE",
           "settings_for", "run_point", "training_memory_mb", "run_sweep", "load_sweep", "find_run",
           "sweep_curve", "seed_spread", "epoch_records"]

#: gensim's defaults of the swept knobs (Word2Vec's signature).
GENSIM_DEFAULTS = {"vector_size": 100, "window": 5, "negative": 5, "sample": 1e-3, "epochs": 5,
                   "alpha": 0.025, "min_count": 5}

#: The mini-batch engine's own knobs (gensim has none): centre words per batch -- how stale a
#: batch's reads get -- and K, the noise words each group of input positions shares (lesson 08).
ENGINE_DEFAULTS = {"batch_size": 256, "noise_pool": 48}

#: The sweep's centre: gensim's defaults with 3 epochs (time budget; see the module docstring),
#: and the engine's defaults.
BASE = {**GENSIM_DEFAULTS, "epochs": 3, **ENGINE_DEFAULTS}

#: Settings every point shares: skip-gram with negative sampling, gensim's min_alpha,
#: w2v_edu's mini-batch engine (gensim's default is sg=0, CBOW: here sg=1 is said explicitly).
FIXED = {"sg": 1, "hs": 0, "min_alpha": 0.0001, "engine": "minibatch"}

#: The values tried per knob (each includes the base value).
GRID = {
    "vector_size": (25, 50, 100, 200),
    "window": (2, 3, 5, 10),
    "negative": (1, 2, 5, 10),
    "sample": (0.0, 1e-5, 1e-4, 1e-3),
    "epochs": (1, 2, 3, 5, 10),
    "alpha": (0.0025, 0.01, 0.025, 0.05, 0.1),
    "min_count": (1, 2, 5, 10, 20),
    "batch_size": (64, 256, 1024, 4096),
    "noise_pool": (5, 16, 48, 128),
}

SEEDS = (1, 2)

#: (key, panel title, y label) of what the lesson plots per knob: keys of a run record, or
#: "stability" / "memory_mb" (one number per point, see :func:`sweep_curve`).
METRICS = (
    ("wordsim353_spearman", "WordSim353", "Spearman rho"),
    ("simlex999_spearman", "SimLex-999", "Spearman rho"),
    ("analogy_accuracy", "Analogies (3CosAdd)", "accuracy"),
    ("stability", "Neighbour stability, seed 1 vs 2", "top-10 overlap"),
    ("seconds", "Training time (shared machine)", "seconds"),
    ("memory_mb", "Memory: weights + working set", "MB"),
)

#: Where ``benchmarks/sweep_knobs.py`` writes the committed results.
SWEEP_FILE = Path(__file__).resolve().parent.parent / "benchmarks" / "knob_sweep.json"


def settings_for(knob: str | None = None, value=None) -> dict:
    """:data:`BASE` with one knob changed, plus :data:`FIXED`: Word2Vec's keyword arguments.

    ``knob=None`` gives the base point itself.
    """
    settings = dict(BASE)
    if knob is not None:
        if knob not in BASE:
            raise ValueError(f"expected knob to be one of {sorted(BASE)}, got {knob!r}")
        if value is None:
            raise ValueError(f"expected a value for knob {knob!r}, got None")
        settings[knob] = value
    settings.update(FIXED)
    return settings


def _new_model(settings: dict, seed: int, callbacks=()):
    from w2v_edu.word2vec import Word2Vec

    return Word2Vec(seed=seed, progress=False, callbacks=list(callbacks), **settings)


def run_point(sentences, seed: int, knob: str | None = None, value=None, callbacks=()):
    """Train one point of a sweep and measure it.

    Parameters
    ----------
    sentences : list of list of str
        The corpus (the sweep uses :func:`w2v_edu.datasets.wiki_sample`).
    seed : int
    knob, value : str and number, optional
        The one setting changed from :data:`BASE` (None: the base point).
    callbacks : sequence of callbacks, optional
        Extra callbacks for the training run (lesson 11 passes a
        :class:`~w2v_edu.callbacks.WordPaths`).

    Returns
    -------
    record : dict
        ``knob``, ``value``, ``seed``, ``settings``, ``diverged``, ``seconds`` (training only,
        the sum of ``model.history[i]["seconds"]``), ``pairs``, ``effective_words``,
        ``vocab_size``, ``weights_mb`` (syn0 + syn1neg, exact), ``epoch_loss``,
        ``epoch_wordsim353``, ``epoch_simlex999`` (one value per epoch), and every key of
        :func:`~w2v_edu.evaluation.evaluation_table`. A run that diverges
        (:class:`~w2v_edu.errors.DivergenceError`) has ``diverged=True`` and NaN scores.
    model : Word2Vec
        The trained model (None if it diverged).
    """
    settings = settings_for(knob, value)
    quality = EpochQuality()
    model = _new_model(settings, seed, [quality, *callbacks])
    model.build_vocab(sentences)
    record = {"knob": knob, "value": value if knob is not None else None,
              "seed": seed, "settings": settings, "diverged": False,
              "vocab_size": len(model.wv.index_to_key),
              "weights_mb": sum(m.nbytes for m in model.weights.matrices()) / 2**20}
    try:
        model.train()
    except DivergenceError as err:
        record.update(diverged=True, error=str(err), seconds=math.nan)
        return record, None
    record.update(
        seconds=sum(h["seconds"] for h in model.history),
        pairs=int(sum(h["pairs"] for h in model.history)),
        effective_words=int(sum(h["words"] for h in model.history)),
        epoch_loss=[h["loss"] for h in model.history],
        epoch_wordsim353=[r["wordsim353_spearman"] for r in quality.records],
        epoch_simlex999=[r["simlex999_spearman"] for r in quality.records],
    )
    record.update(evaluation_table(model.wv))
    return record, model


def training_memory_mb(sentences, knob: str | None = None, value=None, seed: int = 1,
                       n_sentences: int = 20) -> float:
    """Peak memory traced while training one epoch on the first ``n_sentences`` sentences (MB).

    The vocabulary and weights are built from the whole corpus first (their size is exact and
    reported apart, as ``weights_mb``); ``tracemalloc`` then sees what training itself
    allocates: the encoded text, the epoch's jobs, and the mini-batch engine's arrays, whose size
    grows with ``batch_size``, ``window``, ``negative`` and ``vector_size``.
    """
    model = _new_model(settings_for(knob, value), seed)
    model.build_vocab(sentences)
    part = sentences[:n_sentences]
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        model.train(part, total_examples=len(part), epochs=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _points(grid):
    """The distinct points of a grid: the base point once, then every other value."""
    yield None, None
    for knob, values in grid.items():
        for value in values:
            if value != BASE[knob]:
                yield knob, value


def run_sweep(sentences, grid=None, seeds=SEEDS, log=print, on_point=None) -> dict:
    """Run every point of ``grid`` (default :data:`GRID`) for every seed.

    ``on_point(partial)`` (optional) is called after every point with the results so far
    (``complete`` False until the last point), so a long sweep can be saved as it goes.

    Returns
    -------
    dict
        ``base``, ``gensim_defaults``, ``fixed``, ``grid``, ``seeds``, ``runs`` (one
        :func:`run_point` record per point and seed), ``points`` (per point: ``knob``,
        ``value``, ``stability`` -- the mean top-10 neighbour overlap between the first two
        seeds' vectors -- and ``training_memory_mb``), ``sweep_seconds`` and ``complete``.
    """
    grid = GRID if grid is None else grid
    for knob, values in grid.items():
        settings_for(knob, values[0])  # validates the knob name
    start = time.perf_counter()
    runs, points = [], []

    def result(complete):
        return {"base": BASE, "gensim_defaults": GENSIM_DEFAULTS, "fixed": FIXED,
                "grid": {k: list(v) for k, v in grid.items()}, "seeds": list(seeds),
                "runs": runs, "points": points, "sweep_seconds": time.perf_counter() - start,
                "complete": complete}

    for knob, value in _points(grid):
        vectors = []
        for seed in seeds:
            record, model = run_point(sentences, seed, knob, value)
            runs.append(record)
            vectors.append(None if model is None else model.wv)
            score = record.get("wordsim353_spearman", math.nan)
            log(f"{knob or 'defaults'}={value if knob else ''} seed {seed}: "
                f"{record['seconds']:.1f} s, WordSim353 {score:.3f}"
                f"  [{time.perf_counter() - start:.0f} s so far]")
        stability = (neighbour_overlap(vectors[0], vectors[1])
                     if len(vectors) > 1 and all(v is not None for v in vectors) else math.nan)
        points.append({"knob": knob, "value": value, "stability": stability,
                       "training_memory_mb": training_memory_mb(sentences, knob, value)})
        if on_point is not None:
            on_point(result(False))
    return result(True)


def load_sweep(path=None) -> dict:
    """Read a sweep written by ``benchmarks/sweep_knobs.py`` (default :data:`SWEEP_FILE`)."""
    path = Path(SWEEP_FILE if path is None else path)
    if not path.is_file():
        raise FileNotFoundError(f"expected the sweep results at {path}; create them with "
                                "`python benchmarks/sweep_knobs.py`")
    with open(path, encoding="utf8") as fin:
        data = json.load(fin)
    for key in ("base", "grid", "seeds", "runs", "points"):
        if key not in data:
            raise ValueError(f"expected a knob-sweep file with key {key!r}, got keys "
                             f"{sorted(data)} in {path}")
    return data


def _is_point(entry, knob, value, base) -> bool:
    if entry["knob"] is None:  # the base point: a point of every knob, at its base value
        return knob is None or value == base[knob]
    return entry["knob"] == knob and entry["value"] == value


def find_run(data: dict, knob: str | None, value, seed: int) -> dict:
    """The record of one point and seed in a sweep (the base point counts for every knob)."""
    for run in data["runs"]:
        if run["seed"] == seed and _is_point(run, knob, value, data["base"]):
            return run
    raise KeyError(f"no run with {knob}={value!r} and seed {seed} in the sweep")


def _value_of(data, knob, value, seed, metric):
    if metric in ("stability", "training_memory_mb", "memory_mb"):
        point = next((p for p in data["points"] if _is_point(p, knob, value, data["base"])),
                     None)
        if point is None:
            raise KeyError(f"no point {knob}={value!r} in the sweep")
        if metric == "stability":
            return point["stability"]
        run = find_run(data, knob, value, data["seeds"][0])
        memory = point["training_memory_mb"]
        return memory + run["weights_mb"] if metric == "memory_mb" else memory
    return find_run(data, knob, value, seed).get(metric, math.nan)


def sweep_curve(data: dict, knob: str, metric: str):
    """One knob's curve of one metric.

    Parameters
    ----------
    data : dict
        From :func:`load_sweep` (or :func:`run_sweep`).
    knob : str
        A key of ``data["grid"]``.
    metric : str
        A key of a run record (e.g. ``"wordsim353_spearman"``, ``"seconds"``), or
        ``"stability"`` (seed-to-seed neighbour overlap), ``"training_memory_mb"`` or
        ``"memory_mb"`` (weights + training working set); these three are one number per point,
        repeated for every seed.

    Returns
    -------
    values : numpy.ndarray, shape (m,)
        The knob's values.
    per_seed : numpy.ndarray, shape (m, S)
        The metric for each value and seed (NaN where a run diverged).
    """
    if knob not in data["grid"]:
        raise ValueError(f"expected knob to be one of {sorted(data['grid'])}, got {knob!r}")
    values = np.array(data["grid"][knob], dtype=float)
    per_seed = np.array([[_value_of(data, knob, v, s, metric) for s in data["seeds"]]
                         for v in data["grid"][knob]], dtype=float)
    return values, per_seed


def seed_spread(data: dict, knob: str, metric: str) -> tuple[float, float]:
    """(effect, seed noise) of one knob on one metric.

    ``effect`` = max - min over the knob's values of the seed-mean; ``seed noise`` = the mean
    over values of |seed 1 - seed 2| (max - min over seeds). Values where a seed diverged are
    left out. An effect several times the seed noise is a real difference; one of about the
    same size is not shown by this sweep.
    """
    _, per_seed = sweep_curve(data, knob, metric)
    both = np.isfinite(per_seed).all(axis=1)  # values where no seed diverged
    means = per_seed[both].mean(axis=1)
    effect = float(means.max() - means.min())
    noise = float((per_seed[both].max(axis=1) - per_seed[both].min(axis=1)).mean())
    return effect, noise


def epoch_records(run: dict) -> list[dict]:
    """A run record's per-epoch numbers in the shape of
    :attr:`w2v_edu.callbacks.EpochQuality.records` (for
    :func:`w2v_edu.embedding_plots.plot_loss_vs_quality`): one dict per epoch with ``epoch``,
    ``loss``, ``wordsim353_spearman`` and ``simlex999_spearman``."""
    return [{"epoch": i, "loss": loss, "wordsim353_spearman": ws, "simlex999_spearman": sl}
            for i, (loss, ws, sl) in enumerate(zip(run["epoch_loss"], run["epoch_wordsim353"],
                                                   run["epoch_simlex999"], strict=True))]
