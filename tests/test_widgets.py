"""The lessons' interactive figures: moving a control redraws the figure with the new value,
and the default figure travels with the widget as a PNG for front ends without widgets."""

import base64

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets")

from w2v_edu.gradient_descent import minibatch_gd  # noqa: E402
from w2v_edu.schedules import linear_decay  # noqa: E402
from w2v_edu.subsampling import keep_probability  # noqa: E402
from w2v_edu.toy_problems import (  # noqa: E402
    least_squares_loss_and_grad,
    least_squares_solution,
    make_linear_regression,
)
from w2v_edu.vocab import Vocabulary  # noqa: E402
from w2v_edu.widgets import (  # noqa: E402
    FigureExplorer,
    gradient_descent_explorer,
    subsampling_explorer,
    training_explorer,
)

W0 = np.array([-1.5, 2.0])


@pytest.fixture(scope="module")
def problem():
    X, y, _ = make_linear_regression(n_samples=200, n_features=2, noise=0.5, seed=0)
    return X, y


def _path(explorer):
    """The drawn trajectory: the first line of the contour panel."""
    return explorer.figure.axes[0].lines[0].get_xydata()


def test_moving_the_learning_rate_redraws_the_path(problem):
    X, y = problem
    ex = gradient_descent_explorer(X, y, W0, lr=0.5, controls=("lr", "momentum"), epochs=20)
    assert ex.redraws == 1
    before_png, before_path = ex.image.value, _path(ex)  # the picture shown
    np.testing.assert_allclose(before_path, minibatch_gd(
        least_squares_loss_and_grad, W0, X, y, lr=0.5, batch_size=200, epochs=20).trajectory)
    ex.controls["lr"].value = 0.1                     # what dragging the slider does
    assert ex.redraws == 2
    after = _path(ex)
    np.testing.assert_allclose(after, minibatch_gd(
        least_squares_loss_and_grad, W0, X, y, lr=0.1, batch_size=200, epochs=20).trajectory)
    assert not np.allclose(after, before_path)
    after_png = ex.png()
    assert after_png != before_png and ex.image.value == after_png
    ex.controls["momentum"].value = 0.8
    assert "μ=0.80" in ex.figure.axes[0].get_legend().get_texts()[0].get_text()
    for ax in ex.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()


def test_batch_size_and_schedule_controls(problem):
    X, y = problem
    ex = gradient_descent_explorer(X, y, W0, lr=0.05, batch_size=1, epochs=2,
                                   controls=("batch_size", "schedule"), seed=4)
    ex.controls["schedule"].value = "linear decay (word2vec)"
    expected = minibatch_gd(least_squares_loss_and_grad, W0, X, y, lr=linear_decay(0.05, 0.0005),
                            batch_size=1, epochs=2, seed=4)
    L_star = least_squares_loss_and_grad(least_squares_solution(X, y), X, y)[0]
    np.testing.assert_allclose(ex.figure.axes[1].lines[0].get_ydata(),
                               expected.epoch_loss - L_star)
    ex.controls["batch_size"].value = 16
    assert "B=16" in ex.figure.axes[0].get_legend().get_texts()[0].get_text()
    assert "(2 epochs of 13)" in ex.figure.axes[0].get_title()


def test_a_diverging_rate_is_drawn_and_named(problem):
    X, y = problem
    ex = gradient_descent_explorer(X, y, W0, lr=0.5, epochs=150, controls=("lr",))
    ex.controls["lr"].value = 0.99
    assert "DIVERGED" in ex.figure.axes[0].get_title()
    assert np.isfinite(_path(ex)).all()


def test_the_default_figure_travels_as_png(problem):
    X, y = problem
    ex = gradient_descent_explorer(X, y, W0, controls=("lr",), epochs=5)
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == ex.png()
    assert "JupyterLab" in bundle["text/plain"]


def test_subsampling_explorer(lee):
    vocab = Vocabulary.build(lee, min_count=5)
    ex = subsampling_explorer(vocab, sample=1e-3)
    ax_p, ax_bar = ex.figure.axes
    p = keep_probability(vocab.counts, 1e-3)
    assert f"{(p * vocab.counts).sum() / vocab.counts.sum():.0%}" in ax_bar.get_title()
    ex.controls["sample"].value = 1e-5
    ax_p, ax_bar = ex.figure.axes
    p = keep_probability(vocab.counts, 1e-5)
    assert f"{(p * vocab.counts).sum() / vocab.counts.sum():.0%}" in ax_bar.get_title()
    assert ax_p.get_title() == "Keep probability, sample = 1e-05"
    np.testing.assert_allclose(np.sort(ax_p.lines[0].get_ydata()), np.sort(p))
    ex.controls["sample"].value = 0.0
    assert "100% of all tokens kept" in ex.figure.axes[1].get_title()
    with pytest.raises(ValueError, match="sample"):
        subsampling_explorer(vocab, sample=0.5)
    with pytest.raises(TypeError, match="Vocabulary"):
        subsampling_explorer([["a"]])


def test_training_explorer_retrains_on_change(lee):
    ex = training_explorer(lee, epochs=2, vector_size=10, negative=5, probe="police", smooth=5)
    curve_5 = ex.figure.axes[0].lines[0].get_ydata()
    assert ex.figure.axes[0].lines[1].get_ydata()[0] == pytest.approx(6 * np.log(2))
    bars_5 = [b.get_height() for b in ex.figure.axes[1].patches]
    ex.controls["negative"].value = 15
    curve_15 = ex.figure.axes[0].lines[0].get_ydata()
    assert ex.figure.axes[0].lines[1].get_ydata()[0] == pytest.approx(16 * np.log(2))
    assert curve_15[0] > curve_5[0]  # more noise terms per pair, more loss per pair
    assert [b.get_height() for b in ex.figure.axes[1].patches] != bars_5
    assert "neighbours of police:" in ex.figure.axes[1].get_title()
    assert ex.figure.axes[0].get_xlim() == (0, 2)
    for ax in ex.figure.axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()


def test_bad_input(problem):
    X, y = problem
    with pytest.raises(ValueError, match="controls"):
        gradient_descent_explorer(X, y, W0, controls=("speed",))
    with pytest.raises(ValueError, match="schedule"):
        gradient_descent_explorer(X, y, W0, schedule="cosine")
    with pytest.raises(ValueError, match="shape"):
        gradient_descent_explorer(np.ones((5, 3)), np.ones(5), np.zeros(3))
    with pytest.raises(TypeError, match="controls"):
        FigureExplorer(lambda fig: None, {})


def test_the_site_keeps_the_picture_and_drops_the_live_widget():
    import nbformat

    from w2v_course.site.execute import WIDGET_VIEW, static_widget_outputs

    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("explorer")
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        WIDGET_VIEW: {"model_id": "x"}, "image/png": png, "text/plain": "<figure>"})]
    only_widget = nbformat.v4.new_code_cell("w")
    only_widget.outputs = [nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {}})]
    nb.cells = [cell, only_widget]
    static_widget_outputs(nb)
    assert "widgets" not in nb.metadata
    assert set(cell.outputs[0]["data"]) == {"image/png", "text/plain"}
    assert only_widget.outputs[0]["data"] == {WIDGET_VIEW: {}}  # nothing else to show: kept
