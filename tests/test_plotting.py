"""Plotting helpers: every axes gets a title, axis labels, and a legend when > 1 curve."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2v_edu.plotting import (  # noqa: E402
    plot_contour,
    plot_loss_curves,
    plot_lr_sweep,
    plot_schedules,
)
from w2v_edu.schedules import constant, linear_decay  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labelled(ax):
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def test_loss_curves_with_shared_and_per_label_x():
    ax = plot_loss_curves({"a": [3.0, 2.0, 1.0], "b": [3.0, 1.0, 0.5]}, logy=True,
                          x={"a": [0, 10, 20], "b": [0, 1, 2]}, xlabel="gradient evaluations")
    assert labelled(ax) and ax.get_legend() is not None and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "gradient evaluations"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 10, 20])
    one = plot_loss_curves({"only": [1.0, 0.5]})
    assert labelled(one) and one.get_legend() is None


def test_loss_curves_bad_input():
    with pytest.raises(ValueError, match=r"expected x for 'a' of shape \(3,\), got shape \(2,\)"):
        plot_loss_curves({"a": [1.0, 2.0, 3.0]}, x=[0, 1])
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_loss_curves([1.0, 2.0])


def test_contour_with_trajectories_and_optimum():
    def bowl(w):
        return 0.5 * (w[0] ** 2 + 10 * w[1] ** 2)

    tr = np.array([[2.0, 1.0], [1.0, -0.5], [0.5, 0.2], [0.0, 0.0]])
    ax = plot_contour(bowl, trajectories={"GD": tr, "other": tr * 0.5}, optimum=[0.0, 0.0],
                      n_grid=30)
    assert labelled(ax) and ax.get_legend() is not None
    x0, x1 = ax.get_xlim()
    assert x0 < 0.0 and x1 > 2.0  # window inferred around the trajectory
    with pytest.raises(ValueError, match=r"shape \(k, 2\), got shape \(4,\)"):
        plot_contour(bowl, trajectories={"bad": np.zeros(4)})
    with pytest.raises(ValueError, match="expected xlim and ylim"):
        plot_contour(bowl)


def test_lr_sweep_marks_diverged_runs():
    ax = plot_lr_sweep([0.01, 0.1, 1.0, 10.0], [0.5, 0.1, 0.12, np.nan])
    assert labelled(ax) and ax.get_xscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    assert any("diverged" in lab for lab in labels)
    with pytest.raises(ValueError, match="same shape"):
        plot_lr_sweep([0.1, 1.0], [0.5])


def test_schedules_plot():
    ax = plot_schedules({"constant": constant(0.02), "word2vec": linear_decay()})
    assert labelled(ax) and ax.get_legend() is not None
    ydata = ax.lines[1].get_ydata()
    assert ydata[0] == pytest.approx(0.025) and ydata[-1] == pytest.approx(0.0001)
    scalar_only = plot_schedules({"lambda": lambda s: 0.1 * (1 - float(s) / 2)})
    assert scalar_only.lines[0].get_ydata()[-1] == pytest.approx(0.05)
