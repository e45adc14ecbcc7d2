"""The knob sweep: one point re-run reproduces the committed file; curves read back correctly."""

import math

import numpy as np
import pytest

from w2v_edu import Word2Vec
from w2v_edu import knob_sweep as ks
from w2v_edu.datasets import wiki_sample

#: The committed point the reproduction test re-runs (the cheapest one: a single epoch).
POINT = ("epochs", 1)


def test_settings_change_one_knob_of_the_base_point():
    base = ks.settings_for()
    assert base["sg"] == 1 and base["engine"] == "minibatch"
    assert {k: base[k] for k in ks.BASE} == ks.BASE
    assert ks.BASE == {**ks.GENSIM_DEFAULTS, "epochs": 3, **ks.ENGINE_DEFAULTS}
    # the engine knobs sit at Word2Vec's own skip-gram defaults
    plan = Word2Vec(sg=1)._plan(1, 0.025, 0.0001, 1, None)
    assert ks.ENGINE_DEFAULTS == {"batch_size": plan.batch_size, "noise_pool": plan.noise_pool}
    changed = ks.settings_for("window", 2)
    assert changed["window"] == 2
    assert {k: v for k, v in changed.items() if k != "window"} == {
        k: v for k, v in base.items() if k != "window"}
    for knob, values in ks.GRID.items():
        assert ks.BASE[knob] in values, knob
    with pytest.raises(ValueError, match="one of"):
        ks.settings_for("learning_rate", 0.1)
    with pytest.raises(ValueError, match="value"):
        ks.settings_for("window")


def _synthetic():
    """A hand-made sweep: 2 seeds, the base point and window in (2, 5, 10)."""
    base = dict(ks.BASE)

    def run(knob, value, seed, score):
        return {"knob": knob, "value": value, "seed": seed, "wordsim353_spearman": score,
                "seconds": 10.0 * seed, "weights_mb": 7.0}

    return {
        "base": base, "gensim_defaults": ks.GENSIM_DEFAULTS, "seeds": [1, 2],
        "grid": {"window": [2, 5, 10]},
        "runs": [run(None, None, 1, 0.20), run(None, None, 2, 0.22),
                 run("window", 2, 1, 0.10), run("window", 2, 2, 0.14),
                 run("window", 10, 1, 0.25), run("window", 10, 2, 0.23)],
        "points": [{"knob": None, "value": None, "stability": 0.5, "training_memory_mb": 3.0},
                   {"knob": "window", "value": 2, "stability": 0.4, "training_memory_mb": 2.0},
                   {"knob": "window", "value": 10, "stability": 0.6,
                    "training_memory_mb": 5.0}],
    }


def test_curves_use_the_base_point_at_the_base_value():
    data = _synthetic()
    values, per_seed = ks.sweep_curve(data, "window", "wordsim353_spearman")
    np.testing.assert_array_equal(values, [2, 5, 10])
    np.testing.assert_allclose(per_seed, [[0.10, 0.14], [0.20, 0.22], [0.25, 0.23]])
    _, stability = ks.sweep_curve(data, "window", "stability")
    np.testing.assert_allclose(stability, [[0.4, 0.4], [0.5, 0.5], [0.6, 0.6]])
    _, memory = ks.sweep_curve(data, "window", "memory_mb")
    np.testing.assert_allclose(memory[:, 0], [9.0, 10.0, 12.0])  # weights + working set
    assert ks.find_run(data, "window", 5, 2)["wordsim353_spearman"] == 0.22
    effect, noise = ks.seed_spread(data, "window", "wordsim353_spearman")
    assert effect == pytest.approx(0.24 - 0.12)
    assert noise == pytest.approx((0.04 + 0.02 + 0.02) / 3)
    with pytest.raises(KeyError):
        ks.find_run(data, "window", 3, 1)
    with pytest.raises(ValueError, match="knob"):
        ks.sweep_curve(data, "alpha", "seconds")


def test_run_sweep_on_a_small_corpus(lee, monkeypatch):
    monkeypatch.setattr(ks, "BASE", {**ks.BASE, "vector_size": 12, "epochs": 1})
    saved = []
    data = ks.run_sweep(lee[:120], {"window": (2, 5)}, seeds=(1, 2), log=lambda line: None,
                        on_point=saved.append)
    assert data["complete"] and [d["complete"] for d in saved] == [False, False]
    assert [(r["knob"], r["value"], r["seed"]) for r in data["runs"]] == [
        (None, None, 1), (None, None, 2), ("window", 2, 1), ("window", 2, 2)]
    run = data["runs"][2]
    assert run["settings"]["window"] == 2 and run["settings"]["vector_size"] == 12
    assert len(run["epoch_loss"]) == len(run["epoch_wordsim353"]) == 1
    assert run["epoch_wordsim353"][-1] == run["wordsim353_spearman"] or (
        math.isnan(run["wordsim353_spearman"]))
    assert run["weights_mb"] == pytest.approx(2 * run["vocab_size"] * 12 * 4 / 2**20)
    # window 2 makes fewer pairs than window 5 (same seed, same subsampling draws)
    assert run["pairs"] < data["runs"][0]["pairs"]
    for point in data["points"]:
        assert 0 <= point["stability"] <= 1 and point["training_memory_mb"] > 0


def test_the_committed_sweep_is_complete():
    data = ks.load_sweep()
    assert data["complete"] and data["seeds"] == list(ks.SEEDS)
    assert data["grid"] == {k: list(v) for k, v in ks.GRID.items()}
    assert data["base"] == ks.BASE
    for key in ("machine", "date", "command"):
        assert data[key]
    assert {"python", "numpy", "gensim"} <= set(data["machine"])
    for run in data["runs"]:
        if run["diverged"]:  # stopped by DivergenceError: says so, and has no scores
            assert "diverged" in run["error"] and math.isnan(run["seconds"])
        else:
            assert len(run["epoch_loss"]) == run["settings"]["epochs"]
            for key in ("wordsim353_spearman", "simlex999_spearman", "analogy_accuracy"):
                assert math.isfinite(run[key]), (run["knob"], run["value"], key)
    for knob, values in data["grid"].items():
        for key, _, _ in ks.METRICS:
            v, per_seed = ks.sweep_curve(data, knob, key)  # every point and seed is present
            assert per_seed.shape == (len(values), len(data["seeds"]))


def test_one_committed_point_is_reproduced():
    knob, value = POINT
    committed = ks.find_run(ks.load_sweep(), knob, value, seed=1)
    record, model = ks.run_point(wiki_sample(), 1, knob, value)
    assert record["settings"] == committed["settings"]
    # the same random draws: the same vocabulary, subsampling and windows, so the same pairs
    assert record["vocab_size"] == committed["vocab_size"]
    assert record["pairs"] == committed["pairs"]
    assert record["effective_words"] == committed["effective_words"]
    np.testing.assert_allclose(record["epoch_loss"], committed["epoch_loss"], rtol=1e-5)
    for key in ("wordsim353_spearman", "simlex999_spearman", "analogy_accuracy"):
        assert record[key] == pytest.approx(committed[key], abs=2e-3), key


def test_load_sweep_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="sweep_knobs.py"):
        ks.load_sweep(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"runs": []}')
    with pytest.raises(ValueError, match="base"):
        ks.load_sweep(tmp_path / "bad.json")


def test_knob_panels_from_the_committed_file():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from w2v_edu.plotting import plot_knob_panels

    data = ks.load_sweep()
    record = ks.find_run(data, "epochs", 1, seed=1)
    fig = plot_knob_panels(data, "epochs", live={1: record})
    try:
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert len(panels) == len(ks.METRICS)
        for ax, (key, title, ylabel) in zip(panels, ks.METRICS, strict=True):
            assert ax.get_title() == title and ax.get_ylabel() == ylabel
            assert ax.get_xlabel() == "epochs"
            _, per_seed = ks.sweep_curve(data, "epochs", key)
            np.testing.assert_allclose(ax.lines[0].get_ydata(), per_seed.mean(axis=1))
        texts = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "base point (3); gensim's default is 5" in texts
        assert "re-run now (seed 1)" in texts
        star = [line for line in panels[0].lines if line.get_marker() == "*"]
        assert star[0].get_xydata().tolist() == [[1, record["wordsim353_spearman"]]]
    finally:
        plt.close(fig)


def test_knob_panels_of_an_engine_knob_and_a_partly_diverged_point():
    """batch_size is the engine's knob, not gensim's; window=10 diverged in one seed only."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from w2v_edu.plotting import plot_knob_panels

    data = ks.load_sweep()
    for knob in ("batch_size", "window"):
        fig = plot_knob_panels(data, knob)
        try:
            texts = [t.get_text() for t in fig.legends[0].get_texts()]
            base = data["base"][knob]
            expected = (f"the engine's default, the base point ({base:g})" if knob == "batch_size"
                        else f"gensim's default, the base point ({base:g})")
            assert expected in texts
            _, per_seed = ks.sweep_curve(data, knob, "wordsim353_spearman")
            finite = np.isfinite(per_seed)
            partly = bool((finite.any(axis=1) & ~finite.all(axis=1)).any())
            assert partly == any(t.startswith("some seeds diverged") for t in texts)
        finally:
            plt.close(fig)
