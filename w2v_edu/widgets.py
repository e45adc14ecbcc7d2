"""Interactive figures for the lessons: drag a knob, the figure redraws (ipywidgets).

Every builder returns a :class:`FigureExplorer`: a row of controls and one Matplotlib figure drawn
by a plain function of the controls' values. Make it the last expression of a cell:

* in JupyterLab (ipywidgets works there out of the box) it is a live widget -- moving a control
  calls the drawing function again and the picture is replaced;
* everywhere else -- nbval, ``jupyter nbconvert --execute``, a static render, a notebook opened
  without its kernel -- the same output also carries the figure drawn with the default values as
  a PNG, so the cell never shows an empty box.

The builders:

* :func:`gradient_descent_explorer` -- lessons 01-03: learning rate, batch size, momentum and
  schedule of :func:`w2v_edu.gradient_descent.minibatch_gd` on a 2-parameter least-squares
  problem; the path on the loss contour and the loss curve redraw.
* :func:`subsampling_explorer` -- lesson 04: the ``sample`` threshold; the keep probability of
  every word and the tokens the most frequent words keep.
* :func:`training_explorer` -- lesson 11: ``alpha`` and ``negative`` of a small
  :class:`~w2v_edu.word2vec.Word2Vec` run; its loss curve and WordSim353 / SimLex-999 scores.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.figure import Figure

from w2v_edu.errors import DivergenceError

__all__ = ["FigureExplorer", "gradient_descent_explorer", "subsampling_explorer",
           "training_explorer", "SCHEDULES"]


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - a dependency in requirements.txt
        raise ImportError("the interactive figures need ipywidgets: pip install -r "
                          "requirements.txt (or pip install ipywidgets)") from exc
    return ipywidgets


class FigureExplorer:
    """Controls plus a figure that ``draw(figure, **values)`` redraws when a control moves.

    Parameters
    ----------
    draw : callable ``(figure, **values) -> None``
        Draws on an empty :class:`matplotlib.figure.Figure`; ``values`` maps each control's name
        to its current value.
    controls : dict[str, ipywidgets.ValueWidget]
        Name -> control; the names are ``draw``'s keyword arguments.
    figsize : (float, float)
        Inches.
    dpi : int
        Resolution of the PNG shown.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The current picture (not registered with pyplot: it is shown only through this object).
    controls : dict
    image : ipywidgets.Image
        The PNG of ``figure`` the live widget shows.
    widget : ipywidgets.VBox
        Controls above the image.
    redraws : int
        How many times the figure was drawn (1 after construction).
    """

    def __init__(self, draw: Callable, controls: Mapping, figsize=(12, 4.4), dpi: int = 80):
        widgets = _ipywidgets()
        if not callable(draw):
            raise TypeError(f"expected draw to be callable, got {type(draw).__name__}")
        if not isinstance(controls, Mapping) or not controls:
            raise TypeError("expected controls as a non-empty dict {name: widget}")
        self._draw = draw
        self.controls = dict(controls)
        self.dpi = dpi
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.redraws = 0
        self.redraw()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])

    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        """Clear the figure, draw it for the current values, refresh the image."""
        self.figure.clear()
        self._draw(self.figure, **self.values())
        self.redraws += 1
        self.image.value = self.png()

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def _on_change(self, change) -> None:
        self.redraw()

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the live widget for front ends with ipywidgets, the default figure for all others
        bundle = self.widget._repr_mimebundle_()
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = (f"<interactive figure: {', '.join(self.controls)}; "
                                "open the notebook in JupyterLab to move the controls>")
        return bundle


# ----------------------------------------------------------------------------- lessons 01-03

def _schedule(name: str, lr: float):
    from w2v_edu.schedules import constant, exponential, inverse_time, linear_decay, step_decay

    return {
        "constant": lambda: constant(lr),
        "linear decay (word2vec)": lambda: linear_decay(lr, lr / 100),
        "step decay": lambda: step_decay(lr, drop=0.5, n_steps=3),
        "inverse time": lambda: inverse_time(lr, decay=9.0),
        "exponential": lambda: exponential(lr, final_lr=lr / 100),
    }[name]()


#: The schedules :func:`gradient_descent_explorer` offers, each starting at the chosen rate.
SCHEDULES = ("constant", "linear decay (word2vec)", "step decay", "inverse time", "exponential")


def run_gradient_descent(X, y, w0, *, lr: float, batch_size: int, momentum: float = 0.0,
                         schedule: str = "constant", epochs: int = 30, seed: int = 0):
    """One run of :func:`~w2v_edu.gradient_descent.minibatch_gd` on least squares.

    Returns
    -------
    (GDHistory, bool)
        The history and whether it diverged (then the history is the finite part of the run).
    """
    from w2v_edu.gradient_descent import minibatch_gd
    from w2v_edu.toy_problems import least_squares_loss_and_grad

    try:
        return minibatch_gd(least_squares_loss_and_grad, w0, X, y, lr=_schedule(schedule, lr),
                            batch_size=batch_size, epochs=epochs, momentum=momentum,
                            seed=seed), False
    except DivergenceError as err:
        return err.history, True


def gradient_descent_explorer(X, y, w0, *, lr: float = 0.5, batch_size: int | None = None,
                              momentum: float = 0.0, schedule: str = "constant",
                              epochs: int = 30, controls=("lr", "batch_size", "momentum",
                                                          "schedule"),
                              lr_range=(0.001, 1.0), xlim=None, ylim=None, seed: int = 0,
                              max_path_points: int = 600) -> FigureExplorer:
    """Drag the learning rate, batch size, momentum and schedule of gradient descent.

    Left: the path of :func:`~w2v_edu.gradient_descent.minibatch_gd` on the contour of the
    least-squares loss :math:`L(w) = \\frac{1}{2n}\\lVert Xw - y\\rVert^2`, with the closed-form
    optimum :math:`w^*`; right: the loss gap :math:`L(w) - L(w^*)` after every epoch (log
    scale). A run that diverges is drawn up to the step where it was stopped, and says so.

    Parameters
    ----------
    X : array_like, shape (n, 2)
    y : array_like, shape (n,)
    w0 : array_like, shape (2,)
        Start of every run.
    lr, batch_size, momentum, schedule : defaults of the controls
        ``batch_size=None`` means n (batch GD); ``schedule`` one of :data:`SCHEDULES`, each
        starting at ``lr``.
    epochs : int
        Passes over the data per run.
    controls : sequence of str
        Which of ``"lr"``, ``"batch_size"``, ``"momentum"``, ``"schedule"`` get a control; the
        others stay at their defaults.
    lr_range : (float, float)
        Smallest and largest learning rate of the (logarithmic) slider.
    xlim, ylim : (float, float), optional
        Window of the contour; default: around w0 and w* (fixed, so redraws are comparable).
    seed : int
        Shuffling seed of every run (the same for every redraw).
    max_path_points : int
        Long SGD paths are thinned to about this many points for drawing.

    Returns
    -------
    FigureExplorer
    """
    from w2v_edu.plotting import plot_contour, plot_loss_curves
    from w2v_edu.toy_problems import least_squares_loss_and_grad, least_squares_solution

    widgets = _ipywidgets()
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w0 = np.asarray(w0, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or w0.shape != (2,):
        raise ValueError(f"expected X of shape (n, 2) and w0 of shape (2,) (a problem that can "
                         f"be drawn), got {X.shape} and {w0.shape}")
    n = len(y)
    batch_size = n if batch_size is None else batch_size
    known = {"lr", "batch_size", "momentum", "schedule"}
    if isinstance(controls, str) or not set(controls) <= known or not controls:
        raise ValueError(f"expected controls as a non-empty list from {sorted(known)}, got "
                         f"{controls!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"expected schedule to be one of {SCHEDULES}, got {schedule!r}")
    lo, hi = np.log10(lr_range[0]), np.log10(lr_range[1])
    if not lo < np.log10(lr) <= hi + 1e-12:
        raise ValueError(f"expected lr inside lr_range {lr_range}, got {lr}")
    w_star = least_squares_solution(X, y)
    L_star = least_squares_loss_and_grad(w_star, X, y)[0]
    if xlim is None or ylim is None:
        span = np.abs(w0 - w_star).max() + 1.0
        centre = (w0 + w_star) / 2
        xlim = xlim or (centre[0] - span, centre[0] + span)
        ylim = ylim or (centre[1] - span, centre[1] + span)
    sizes = sorted({b for b in (1, 2, 4, 8, 16, 32, 64, 128, 256, n) if b <= n} | {batch_size})
    style = {"description_width": "initial"}
    available = {
        "lr": lambda: widgets.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=0.05,
                                             description="learning rate η", style=style,
                                             continuous_update=False, readout_format=".3g"),
        "batch_size": lambda: widgets.SelectionSlider(options=sizes, value=batch_size,
                                                      description="batch size B", style=style,
                                                      continuous_update=False),
        "momentum": lambda: widgets.FloatSlider(value=momentum, min=0.0, max=0.95, step=0.05,
                                                description="momentum μ", style=style,
                                                continuous_update=False),
        "schedule": lambda: widgets.Dropdown(options=SCHEDULES, value=schedule,
                                             description="schedule", style=style),
    }
    fixed = {"lr": lr, "batch_size": batch_size, "momentum": momentum, "schedule": schedule}

    grid_losses = {}  # the contour's grid is the same at every redraw (fixed window): once

    def loss_2d(w):
        key = (float(w[0]), float(w[1]))
        if key not in grid_losses:
            grid_losses[key] = least_squares_loss_and_grad(w, X, y)[0]
        return grid_losses[key]

    def draw(fig, **values):
        settings = {**fixed, **values}
        hist, diverged = run_gradient_descent(X, y, w0, epochs=epochs, seed=seed, **settings)
        label = (f"B={settings['batch_size']}, η={settings['lr']:.3g}"
                 + (f", μ={settings['momentum']:.2f}" if settings["momentum"] else "")
                 + ("" if settings["schedule"] == "constant" else f", {settings['schedule']}"))
        path = hist.trajectory
        if len(path) > max_path_points:  # thin long SGD paths for drawing, keep the end
            keep = np.unique(np.r_[np.linspace(0, len(path) - 1, max_path_points).astype(int),
                                   len(path) - 1])
            path = path[keep]
        ax_path, ax_loss = fig.subplots(1, 2)
        plot_contour(loss_2d, xlim, ylim, ax=ax_path, optimum=w_star,
                     trajectories={label: np.clip(path, -1e6, 1e6)}, n_grid=60,
                     title=f"{hist.n_steps} steps ({hist.n_steps // max(hist.steps_per_epoch, 1)}"
                           f" epochs of {hist.steps_per_epoch})"
                           + (": DIVERGED" if diverged else ""))
        gap = np.maximum(np.asarray(hist.epoch_loss) - L_star, 1e-16)
        plot_loss_curves({label: gap}, ax=ax_loss, logy=True, xlabel="epoch",
                         ylabel="$L(w) - L(w^*)$ (log scale)",
                         title="Loss gap after every epoch"
                               + (" (stopped: diverged)" if diverged else ""))
        ax_loss.legend(fontsize=8)

    chosen = {name: available[name]() for name in controls}
    return FigureExplorer(draw, chosen, figsize=(12, 4.6))


# ----------------------------------------------------------------------------- lesson 04

#: The ``sample`` thresholds :func:`subsampling_explorer` offers (0 switches subsampling off).
SAMPLE_VALUES = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


def subsampling_explorer(vocab, sample: float = 1e-3, top: int = 12,
                         annotate=("the", "said", "police", "australia")) -> FigureExplorer:
    """Drag gensim's subsampling threshold ``sample`` and see which occurrences survive.

    Left: the keep probability :math:`p_w = \\min(1, \\sqrt{t/c_w} + t/c_w)` with
    :math:`t = \\text{sample} \\cdot \\sum_u c_u` against the word count (log scale); right: the
    ``top`` most frequent words' counts and the occurrences expected to survive one epoch,
    :math:`c_w p_w`, with the share of all tokens kept in the title.

    Parameters
    ----------
    vocab : :class:`w2v_edu.vocab.Vocabulary`
        Words and counts (e.g. the Lee corpus with ``min_count=5``).
    sample : float
        Default threshold, one of :data:`SAMPLE_VALUES`.
    top : int
        Words in the bar chart.
    annotate : sequence of str
        Words marked on the curve (those in the vocabulary).

    Returns
    -------
    FigureExplorer
    """
    from w2v_edu.plotting import plot_keep_probability

    widgets = _ipywidgets()
    counts = np.asarray(getattr(vocab, "counts", None), dtype=float)
    words = list(getattr(vocab, "index_to_key", []))
    if counts.ndim != 1 or len(counts) != len(words) or len(words) == 0:
        raise TypeError("expected a w2v_edu.vocab.Vocabulary (index_to_key and counts), got "
                        f"{type(vocab).__name__}")
    if sample not in SAMPLE_VALUES:
        raise ValueError(f"expected sample to be one of {SAMPLE_VALUES}, got {sample!r}")

    def draw(fig, sample):
        plot_keep_probability(words, counts, sample, axes=fig.subplots(1, 2), top=top,
                              annotate=annotate)

    control = widgets.SelectionSlider(options=[(f"{v:g}", v) for v in SAMPLE_VALUES],
                                      value=sample, description="sample",
                                      continuous_update=False)
    return FigureExplorer(draw, {"sample": control}, figsize=(12, 4.4))


# ----------------------------------------------------------------------------- lesson 11

ALPHA_VALUES = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2)
NEGATIVE_VALUES = (1, 2, 3, 5, 10, 15, 20)


def training_explorer(sentences, *, alpha: float = 0.025, negative: int = 5, epochs: int = 1,
                      vector_size: int = 50, seed: int = 1, probe: str = "war",
                      smooth: int = 50, **word2vec_kwargs) -> FigureExplorer:
    """Drag ``alpha`` and ``negative`` of a small skip-gram run and watch its loss and quality.

    Every redraw trains ``Word2Vec(sentences, sg=1, alpha=..., negative=..., epochs=...,
    vector_size=..., seed=...)`` with the mini-batch engine. Left: the mean loss per pair of every
    mini-batch (:class:`w2v_edu.callbacks.StepLoss`; a running mean over ``smooth`` steps) against
    training progress, with the starting loss :math:`(1 + k)\\log 2` dashed. Right: WordSim353 and
    SimLex-999 of the trained vectors, and ``probe``'s nearest neighbours in the title. A run whose
    loss explodes is stopped by its DivergenceError, which the figure names.

    Parameters
    ----------
    sentences : list of list of str
    alpha, negative : defaults, from :data:`ALPHA_VALUES` and :data:`NEGATIVE_VALUES`
    epochs, vector_size, seed : settings of every run (kept small: a redraw trains once)
    probe : str
        A word whose neighbours are shown.
    smooth : int
        Steps per running mean of the loss curve.
    **word2vec_kwargs
        Any other setting for :class:`~w2v_edu.word2vec.Word2Vec`.

    Returns
    -------
    FigureExplorer
    """
    from w2v_edu.callbacks import StepLoss
    from w2v_edu.embedding_plots import plot_training_run
    from w2v_edu.evaluation import word_pair_scores
    from w2v_edu.word2vec import Word2Vec

    widgets = _ipywidgets()
    if alpha not in ALPHA_VALUES or negative not in NEGATIVE_VALUES:
        raise ValueError(f"expected alpha in {ALPHA_VALUES} and negative in {NEGATIVE_VALUES}, "
                         f"got alpha={alpha!r}, negative={negative!r}")

    def draw(fig, alpha, negative):
        steps = StepLoss()
        model = Word2Vec(sg=1, alpha=alpha, negative=negative, epochs=epochs,
                         vector_size=vector_size, seed=seed, progress=False,
                         callbacks=[steps], **word2vec_kwargs)
        model.build_vocab(sentences)
        try:
            model.train()
        except DivergenceError as err:
            scores, note = None, str(err).split(":")[0][:70]
        else:
            found = word_pair_scores(model.wv)
            scores = {"WordSim353": found["wordsim353_spearman"],
                      "SimLex-999": found["simlex999_spearman"]}
            near = (", ".join(w for w, _ in model.wv.most_similar(probe, topn=5))
                    if probe in model.wv else "not in the vocabulary")
            note = f"After training; neighbours of {probe}: {near}"
        plot_training_run(steps.progress, steps.loss, model.initial_loss_per_pair(), scores,
                          axes=fig.subplots(1, 2), label=f"alpha={alpha:g}, negative={negative}",
                          smooth=smooth, epochs=epochs, note=note)

    controls = {
        "alpha": widgets.SelectionSlider(options=ALPHA_VALUES, value=alpha, description="alpha",
                                         continuous_update=False),
        "negative": widgets.SelectionSlider(options=NEGATIVE_VALUES, value=negative,
                                            description="negative", continuous_update=False),
    }
    return FigureExplorer(draw, controls, figsize=(12, 4.2))
