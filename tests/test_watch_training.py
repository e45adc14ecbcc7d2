"""Watching training: per-epoch quality and word-path callbacks, and the plots drawn from them."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from w2v_edu import Word2Vec  # noqa: E402
from w2v_edu.callbacks import EpochQuality, StepLoss, WordPaths  # noqa: E402
from w2v_edu.embedding_plots import (  # noqa: E402
    animate_word_paths,
    plot_loss_vs_quality,
    plot_word_paths,
    word_path_projection,
)
from w2v_edu.evaluation import word_pair_scores  # noqa: E402
from w2v_edu.plotting import plot_knob_sweep  # noqa: E402
from w2v_edu.word2vec import initial_vectors  # noqa: E402

WORDS = ["police", "fire", "australia", "government", "said", "people"]
SMALL = dict(sg=1, vector_size=16, min_count=5, epochs=2, seed=3, progress=False)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def watched(lee):
    """A small run on Lee with both callbacks, and the initial vectors of the same model."""
    quality, paths = EpochQuality(), WordPaths(WORDS, topn=4)
    model = Word2Vec(callbacks=[quality, paths], **SMALL)
    model.build_vocab(lee)
    start = model.wv.vectors.copy()
    model.train()
    return model, quality, paths, start


def test_epoch_quality_records_every_epoch(watched):
    model, quality, _, _ = watched
    assert [r["epoch"] for r in quality.records] == [0, 1]
    assert [r["loss"] for r in quality.records] == [h["loss"] for h in model.history]
    last = word_pair_scores(model.wv)
    assert quality.records[-1]["wordsim353_spearman"] == pytest.approx(last["wordsim353_spearman"])
    assert quality.records[-1]["simlex999_spearman"] == pytest.approx(last["simlex999_spearman"])
    # the first epoch's vectors are not the last one's, so (generically) the scores differ
    assert quality.records[0]["wordsim353_spearman"] != quality.records[1]["wordsim353_spearman"]


def test_word_paths_per_epoch_from_random_start_to_trained_vectors(watched):
    model, _, paths, start = watched
    rows = [model.wv.key_to_index[w] for w in WORDS]
    assert paths.vectors.shape == (3, len(WORDS), 16)
    assert paths.labels == ["start", "epoch 1", "epoch 2"]
    np.testing.assert_array_equal(paths.progress, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(paths.vectors[0], start[rows])
    np.testing.assert_array_equal(
        paths.vectors[0], initial_vectors(len(model.wv.index_to_key), 16, 3)[rows])
    np.testing.assert_array_equal(paths.vectors[-1], model.wv.vectors[rows])
    assert not np.allclose(paths.vectors[1], paths.vectors[2])
    for w in WORDS:
        assert paths.neighbours[-1][w] == [x for x, _ in model.wv.most_similar(w, topn=4)]
        assert len(paths.neighbours[0][w]) == 4 and w not in paths.neighbours[0][w]


def test_word_paths_every_n_steps(lee):
    counter = type("Counter", (), {"n": 0, "on_batch_end": lambda self, m: setattr(
        self, "n", self.n + 1)})()
    paths = WordPaths(WORDS[:3], every=7)
    model = Word2Vec(lee, callbacks=[counter, paths], batch_size=512, **SMALL)
    steps = counter.n
    assert len(paths.labels) == 1 + steps // 7 + 1  # start, every 7th step, the end
    assert np.all(np.diff(paths.progress) >= 0)
    assert paths.progress[0] == 0 and paths.progress[-1] == 2
    assert 0 < paths.progress[1] < 1
    np.testing.assert_array_equal(paths.vectors[-1],
                                  model.wv.vectors[[model.wv.key_to_index[w] for w in WORDS[:3]]])


def test_step_loss_adds_up_to_the_epoch_loss(lee):
    steps = StepLoss()
    model = Word2Vec(lee, callbacks=[steps], **SMALL)
    loss, progress = np.array(steps.loss), np.array(steps.progress)
    pairs, epoch = np.array(steps.pairs), np.array(steps.epoch)
    assert len(loss) == len(pairs) == len(progress) == len(epoch)
    for e in (0, 1):
        mask = epoch == e
        assert (loss[mask] * pairs[mask]).sum() / pairs[mask].sum() == pytest.approx(
            model.history[e]["loss"], rel=1e-12)
        assert pairs[mask].sum() == model.history[e]["pairs"]
        assert np.all((progress[mask] > e) & (progress[mask] <= e + 1))
    assert np.all(np.diff(progress) >= 0) and progress[-1] == 2


def test_word_paths_bad_input(lee):
    with pytest.raises(TypeError, match="single string"):
        WordPaths("police")
    with pytest.raises(ValueError, match="every"):
        WordPaths(["police"], every=0)
    with pytest.raises(ValueError, match="topn"):
        WordPaths(["police"], topn=0)
    with pytest.raises(KeyError, match="qwertyuiop"):
        Word2Vec(lee, callbacks=[WordPaths(["police", "qwertyuiop"])], **SMALL)


def test_projection_is_pca_of_the_final_snapshot():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((4, 9, 6))
    coords, explained = word_path_projection(vectors, normalize=False)
    pca = PCA(n_components=2).fit(vectors[-1])
    expected = pca.transform(vectors[-1])
    assert coords.shape == (4, 9, 2)
    np.testing.assert_allclose(np.abs(coords[-1]), np.abs(expected), atol=1e-10)
    np.testing.assert_allclose(explained, pca.explained_variance_ratio_, rtol=1e-10)
    # every snapshot goes through the same affine map: differences are projected differences
    delta = coords[1] - coords[0]
    direct = (vectors[1] - vectors[0]) @ np.linalg.lstsq(
        vectors[-1] - vectors[-1].mean(0), coords[-1], rcond=None)[0]
    np.testing.assert_allclose(delta, direct, atol=1e-8)
    unit, _ = word_path_projection(vectors * 7.0)  # normalize=True: scale does not matter
    np.testing.assert_allclose(unit, word_path_projection(vectors)[0], atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        word_path_projection(np.zeros((3, 5)))


def test_plot_word_paths_and_animation(watched):
    _, _, paths, _ = watched
    groups = {"nouns": ["police", "fire", "government", "people"], "other": ["australia", "said"]}
    ax = plot_word_paths(paths, groups=groups)
    assert "random start" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["nouns", "other"] and "start (random vector)" in legend
    assert sorted(t.get_text() for t in ax.texts) == sorted(WORDS)
    coords, _ = word_path_projection(paths.vectors)
    first_path = ax.lines[0].get_xydata()
    np.testing.assert_allclose(first_path, coords[:, 0])

    anim = animate_word_paths(paths, groups=groups)
    assert anim.n_frames == 3
    bundle = anim._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert "<script" in bundle["text/html"] and "frames[2]" in bundle["text/html"]
    ax_anim = anim.figure.axes[0]
    assert ax_anim.get_title().endswith("epoch 2") and ax_anim.get_legend() is not None
    with pytest.raises(TypeError, match="WordPaths"):
        plot_word_paths(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="snapshots"):
        plot_word_paths(WordPaths(["a", "b"]))


def test_plot_loss_vs_quality(watched):
    _, quality, _, _ = watched
    other = [dict(r, loss=r["loss"] + 1, wordsim353_spearman=0.3) for r in quality.records]
    axes = plot_loss_vs_quality({"run A": quality.records, "run B": other})
    assert len(axes) == 3
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), [r["loss"] for r in quality.records])
    np.testing.assert_allclose(axes[1].lines[1].get_ydata(), [0.3, 0.3])
    np.testing.assert_allclose(axes[2].lines[1].get_xydata(), [[other[-1]["loss"], 0.3]])
    with pytest.raises(TypeError):
        plot_loss_vs_quality([])
    with pytest.raises(KeyError, match="simlex"):
        plot_loss_vs_quality({"x": [{"epoch": 0, "loss": 1.0}]}, quality="simlex999_spearman")


def _has_vline(ax, x):
    return any(len(line.get_xdata()) == 2 and np.allclose(line.get_xdata(), [x, x])
               for line in ax.lines)


def test_plot_knob_sweep_band_default_and_diverged():
    values = [0.01, 0.025, 0.1]
    per_seed = [[0.20, 0.24], [0.25, 0.27], [np.nan, np.nan]]
    ax = plot_knob_sweep(values, per_seed, default=0.025, xscale="log", title="t", ylabel="y")
    mean = ax.lines[0]
    np.testing.assert_allclose(mean.get_xydata(), [[0.01, 0.22], [0.025, 0.26]])
    band = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(band) == 1
    ys = band[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(0.20) and ys.max() == pytest.approx(0.27)
    assert _has_vline(ax, 0.025)
    assert any(line.get_marker() == "x" and line.get_xdata()[0] == 0.1 for line in ax.lines)
    assert ax.get_xscale() == "log"
    assert not any(line.get_marker() == "o" and line.get_linestyle() == "None"
                   for line in ax.lines)  # no seed diverged alone: no ring
    # one seed of 0.1 diverged: the point is the other seed's, ringed, and no cross for it
    ax = plot_knob_sweep(values, [[0.20, 0.24], [0.25, 0.27], [0.30, np.nan]], default=0.025)
    np.testing.assert_allclose(ax.lines[0].get_xydata()[-1], [0.1, 0.30])
    ring = [line for line in ax.lines
            if line.get_marker() == "o" and line.get_linestyle() == "None"]
    assert len(ring) == 1 and ring[0].get_xydata().tolist() == [[0.1, 0.30]]
    assert ring[0].get_label().startswith("some seeds diverged")
    assert not any(line.get_marker() == "x" for line in ax.lines)
    ax = plot_knob_sweep([0.0, 1e-5, 1e-3], [[1], [2], [3]], default=1e-3, xscale="categorical")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1e-05", "0.001"]
    assert _has_vline(ax, 2)
    with pytest.raises(ValueError, match="shape"):
        plot_knob_sweep([1, 2], [[1, 2, 3]])
    with pytest.raises(ValueError, match="xscale"):
        plot_knob_sweep([1], [[1]], xscale="weird")


def test_plot_training_run():
    from w2v_edu.embedding_plots import plot_training_run

    progress = np.linspace(0.01, 1.0, 100)
    loss = 4 - progress
    axes = plot_training_run(progress, loss, 4.16, {"WordSim353": 0.2, "SimLex-999": np.nan},
                             smooth=10, note="neighbours of x: y")
    curve = axes[0].lines[0]
    np.testing.assert_allclose(curve.get_xdata(), progress[9:])
    np.testing.assert_allclose(curve.get_ydata(), [loss[i - 9:i + 1].mean() for i in range(9, 100)])
    assert axes[0].lines[1].get_ydata()[0] == 4.16
    assert [b.get_height() for b in axes[1].patches] == [0.2, 0.0]
    assert axes[1].get_title() == "neighbours of x: y"
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()
    with pytest.raises(ValueError, match="shape"):
        plot_training_run([0.1, 0.2], [1.0], 4.0)


def test_plot_keep_probability():
    from w2v_edu.plotting import plot_keep_probability
    from w2v_edu.subsampling import keep_probability

    words = [f"w{i}" for i in range(30)]
    counts = np.arange(30, 0, -1) * 40.0
    axes = plot_keep_probability(words, counts, 1e-2, top=5, annotate=["w0", "absent"])
    p = keep_probability(counts, 1e-2)
    np.testing.assert_allclose(np.sort(axes[0].lines[0].get_ydata()), np.sort(p))
    kept = (p * counts).sum() / counts.sum()
    assert f"{kept:.0%} of all tokens kept" in axes[1].get_title()
    assert [t.get_text() for t in axes[1].get_xticklabels()] == words[:5]
    heights = [b.get_height() for b in axes[1].patches]
    np.testing.assert_allclose(heights[:5], counts[:5])
    np.testing.assert_allclose(heights[5:], counts[:5] * p[:5])
    assert [t.get_text() for t in axes[0].texts] == [f"w0 {p[0]:.0%}"]
    axes = plot_keep_probability(words, counts, 0.0)
    assert "100% of all tokens kept" in axes[1].get_title()
    with pytest.raises(ValueError, match="one count per word"):
        plot_keep_probability(words, counts[:3], 1e-3)
