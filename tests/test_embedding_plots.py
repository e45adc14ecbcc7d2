"""Embedding maps and training curves: the right points, labels, legends and titles."""

import collections

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2v_edu import datasets  # noqa: E402
from w2v_edu.embedding_plots import (  # noqa: E402
    WORD_GROUPS,
    group_vectors,
    plot_alpha,
    plot_epoch_loss,
    plot_pca,
    plot_tsne,
)
from w2v_edu.keyedvectors import KeyedVectors  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def wv():
    """Every group word but two, with group-clustered random vectors."""
    rng = np.random.default_rng(0)
    words, rows = [], []
    for members in WORD_GROUPS.values():
        centre = 3 * rng.standard_normal(20)
        for w in members:
            words.append(w)
            rows.append(centre + rng.standard_normal(20))
    words += ["filler", "other"]
    rows += list(rng.standard_normal((2, 20)))
    keep = [i for i, w in enumerate(words) if w not in ("paris", "seven")]
    return KeyedVectors([words[i] for i in keep], np.array([rows[i] for i in keep]))


def test_word_groups_survive_min_count_5_on_the_wiki_sample():
    counts = collections.Counter(t for s in datasets.wiki_sample() for t in s)
    words = [w for members in WORD_GROUPS.values() for w in members]
    assert len(words) == len(set(words))
    rare = [w for w in words if counts[w] < 5]
    assert rare == []


def test_group_vectors_skips_missing_words(wv):
    with pytest.warns(UserWarning, match="paris"):
        words, labels, X, missing = group_vectors(wv)
    assert sorted(missing) == ["paris", "seven"]
    assert len(words) == len(labels) == X.shape[0] == sum(map(len, WORD_GROUPS.values())) - 2
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1)
    with pytest.raises(TypeError, match="string"):
        group_vectors(wv, {"g": "france"})


def _check_map(ax, wv, n_words):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(WORD_GROUPS)
    labels = [t.get_text() for t in ax.texts]
    assert sum(t in wv for t in labels) == n_words  # one label per plotted word
    assert any("paris" in t and "skipped" in t for t in labels)  # the note on missing words
    points = np.vstack([c.get_offsets() for c in ax.collections])
    assert points.shape == (n_words, 2)
    return points


def test_plot_tsne(wv):
    n = sum(map(len, WORD_GROUPS.values())) - 2
    with pytest.warns(UserWarning):
        ax = plot_tsne(wv, seed=1)
    points = _check_map(ax, wv, n)
    assert "t-SNE" in ax.get_title()
    with pytest.warns(UserWarning):
        again = np.vstack([c.get_offsets() for c in plot_tsne(wv, seed=1).collections])
    np.testing.assert_array_equal(points, again)  # same seed, same picture
    with pytest.raises(ValueError, match="perplexity"):
        plot_tsne(wv, groups={"a": ["france", "germany", "italy", "spain"]}, perplexity=10)


def test_plot_pca(wv):
    n = sum(map(len, WORD_GROUPS.values())) - 2
    fig, ax = plt.subplots()
    with pytest.warns(UserWarning):
        assert plot_pca(wv, ax=ax) is ax
    _check_map(ax, wv, n)
    assert "variance" in ax.get_xlabel()


HISTORY = [
    {"epoch": e, "loss": 3.0 / (e + 1), "alpha_start": 0.025 - 0.005 * e,
     "alpha_end": 0.020 - 0.005 * e, "pairs": 1000, "words": 500, "seconds": 0.1}
    for e in range(5)
]


def test_plot_epoch_loss_one_and_several_runs():
    ax = plot_epoch_loss(HISTORY)
    assert ax.get_title() and ax.get_xlabel() == "epoch" and "loss" in ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [h["loss"] for h in HISTORY])
    ax = plot_epoch_loss({"minibatch": HISTORY, "per_pair": HISTORY[:3]}, logy=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minibatch", "per_pair"]
    assert ax.get_yscale() == "log"
    with pytest.raises(KeyError, match="loss"):
        plot_epoch_loss([{"epoch": 0}])
    with pytest.raises(ValueError, match="at least one epoch"):
        plot_epoch_loss([])


def test_plot_alpha_segments_steps_and_nominal_schedule():
    ax = plot_alpha(HISTORY, alpha=0.025, min_alpha=0.0001)
    assert ax.get_title() and "alpha" in ax.get_ylabel() and "epochs" in ax.get_xlabel()
    applied, nominal = ax.lines
    assert applied.get_xdata()[0] == 0 and applied.get_xdata()[-1] == 5
    assert applied.get_ydata()[0] == 0.025
    assert nominal.get_ydata()[-1] == pytest.approx(0.0001)
    assert len(ax.get_legend().get_texts()) == 2
    stepped = [dict(h, alphas=np.linspace(h["alpha_start"], h["alpha_end"], 6)) for h in HISTORY]
    ax = plot_alpha(stepped)
    assert len(ax.lines[0].get_xdata()) == 31  # 5 epochs x 6 steps + the end
    assert ax.lines[0].get_xdata()[-1] == 5
    with pytest.raises(KeyError, match="alpha_start"):
        plot_alpha([{"epoch": 0}])
