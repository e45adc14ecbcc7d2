"""Plotting helpers reused by every lesson: loss curves, contours with optimiser paths,
learning-rate sweeps and schedules (lessons 01-03), subsampling's keep probabilities (lesson 04),
the Huffman tree (lesson 07), knob sweeps with their seed band (lesson 11). Plots of trained word
vectors and of training runs (t-SNE / PCA maps, loss and alpha per epoch, loss against quality,
word paths) are in :mod:`w2v_edu.embedding_plots`; no other module draws (the interactive
figures of :mod:`w2v_edu.widgets` call these functions).

Each function draws on a Matplotlib ``Axes`` (a new figure when ``ax`` is None),
always sets a title and axis labels, adds a legend when there is more than one
curve, and returns the ``Axes`` so a lesson can add to it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_loss_curves", "plot_contour", "plot_lr_sweep", "plot_schedules",
           "plot_huffman_tree", "plot_keep_probability", "plot_knob_sweep", "plot_knob_panels"]


def _axes(ax, figsize=(6.4, 4.2)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(ax, title, xlabel, ylabel, n_curves):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if n_curves > 1:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def _check_mapping(name: str, value) -> None:
    if not isinstance(value, Mapping) or len(value) == 0:
        raise TypeError(f"expected {name} to be a non-empty dict {{label: ...}}, "
                        f"got {type(value).__name__}")


def plot_loss_curves(histories: Mapping[str, np.ndarray], ax=None, logy: bool = False,
                     x=None, xlabel: str = "step", ylabel: str = "loss",
                     title: str = "Loss curves"):
    """One loss curve per label.

    Parameters
    ----------
    histories : dict[str, array_like of shape (k,)]
        Label -> loss values (e.g. ``GDHistory.epoch_loss``).
    ax : matplotlib Axes, optional
    logy : bool
        Logarithmic loss axis.
    x : None, array_like of shape (k,), or dict[str, array_like]
        x-values: None for 0..k-1, one shared array, or one array per label (e.g.
        gradient evaluations or seconds).
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib Axes
    """
    _check_mapping("histories", histories)
    ax = _axes(ax)
    for label, values in histories.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"expected the losses of {label!r} of shape (k,), "
                             f"got shape {values.shape}")
        if x is None:
            xs = np.arange(len(values))
        else:
            xs = np.asarray(x[label] if isinstance(x, Mapping) else x, dtype=float)
        if xs.shape != values.shape:
            raise ValueError(f"expected x for {label!r} of shape {values.shape}, "
                             f"got shape {xs.shape}")
        ax.plot(xs, values, label=str(label), marker="." if len(values) <= 60 else None)
    if logy:
        ax.set_yscale("log")
    return _finish(ax, title, xlabel, ylabel, len(histories))


def plot_contour(loss_fn_2d: Callable[[np.ndarray], float], xlim=None, ylim=None, *,
                 trajectories: Mapping[str, np.ndarray] | None = None, optimum=None, ax=None,
                 path_style: Mapping | None = None, n_grid: int = 80, levels: int = 20,
                 title: str = "Loss contour", xlabel: str = "$w_1$", ylabel: str = "$w_2$"):
    """Contour lines of a 2-parameter loss with optimizer trajectories on top.

    Parameters
    ----------
    loss_fn_2d : callable ``w -> loss`` with w of shape (2,)
    xlim, ylim : (float, float), optional
        Plot window. Default: around the trajectories and the optimum with a margin.
    trajectories : dict[str, array_like of shape (k, 2)], optional
        Label -> parameters visited (e.g. ``GDHistory.trajectory``). Start is marked
        with a circle, end with a square.
    optimum : array_like of shape (2,), optional
        Drawn as a star (e.g. the closed-form solution).
    ax : matplotlib Axes, optional
    path_style : dict, optional
        Extra keyword arguments for drawing every trajectory, e.g.
        ``dict(ls="none", marker=".", ms=2)`` to show long SGD runs as a cloud of points.
    n_grid : int
        Grid points per axis.
    levels : int
        Number of contour levels (grey lines), spaced logarithmically above the smallest
        grid value so the narrow valley near the optimum is visible.
    title, xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes
    """
    trajectories = {} if trajectories is None else trajectories
    paths = {}
    for label, tr in trajectories.items():
        tr = np.asarray(tr, dtype=float)
        if tr.ndim != 2 or tr.shape[1] != 2:
            raise ValueError(f"expected trajectory {label!r} of shape (k, 2), got shape {tr.shape}")
        paths[label] = tr
    pts = [tr for tr in paths.values()]
    if optimum is not None:
        optimum = np.asarray(optimum, dtype=float)
        if optimum.shape != (2,):
            raise ValueError(f"expected optimum of shape (2,), got shape {optimum.shape}")
        pts.append(optimum[None, :])
    if (xlim is None or ylim is None) and not pts:
        raise ValueError("expected xlim and ylim, or trajectories/optimum to infer them; got none")
    if pts:
        allp = np.concatenate(pts)
        allp = allp[np.all(np.isfinite(allp), axis=1)]
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        pad = 0.15 * np.maximum(hi - lo, 1.0)
        xlim = xlim if xlim is not None else (lo[0] - pad[0], hi[0] + pad[0])
        ylim = ylim if ylim is not None else (lo[1] - pad[1], hi[1] + pad[1])
    ax = _axes(ax, figsize=(6.4, 5.0))
    g1, g2 = np.linspace(*xlim, n_grid), np.linspace(*ylim, n_grid)
    W1, W2 = np.meshgrid(g1, g2)
    Z = np.array([loss_fn_2d(np.array([a, b])) for a, b in zip(W1.ravel(), W2.ravel(),
                                                               strict=True)]).reshape(W1.shape)
    zmin, zmax = float(Z.min()), float(Z.max())
    offset = max(zmin, 0.0)
    span = max(zmax - offset, 1e-12)
    lv = offset + np.geomspace(span * 1e-3, span, levels)
    cs = ax.contour(W1, W2, Z, levels=lv, colors="0.6", linewidths=0.8)
    ax.clabel(cs, cs.levels[::4], fontsize=7, fmt="%.3g")
    for i, (label, tr) in enumerate(paths.items()):
        color = f"C{i % 10}"  # same colours as plot_loss_curves for the same order
        style = dict(lw=1.2 if len(tr) < 200 else 0.6, marker="." if len(tr) < 60 else None)
        style.update(path_style or {})
        ax.plot(tr[:, 0], tr[:, 1], color=color, label=str(label), **style)
        ax.plot(*tr[0], "o", color=color, ms=6)
        ax.plot(*tr[-1], "s", color=color, ms=6, mec="k")
    if optimum is not None:
        ax.plot(*optimum, "*", color="gold", ms=16, mec="k", zorder=5, label="optimum $w^*$")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    n_items = len(paths) + (optimum is not None)
    return _finish(ax, title, xlabel, ylabel, n_items)


def plot_lr_sweep(lrs, final_losses, ax=None, *, logx: bool = True, logy: bool = True,
                  title: str = "Learning-rate sweep", xlabel: str = "learning rate $\\eta$",
                  ylabel: str = "final loss", label: str | None = None):
    """Final loss against learning rate; diverged runs marked with a cross.

    Parameters
    ----------
    lrs : array_like, shape (m,)
        Learning rates tried.
    final_losses : array_like, shape (m,)
        Final loss of each run; NaN or inf marks a run that diverged, drawn as a
        cross (in the sweep's colour) at the height of the largest finite loss.
    ax : matplotlib Axes, optional
        Call again with the same ``ax`` and a ``label`` to overlay sweeps.
    logx, logy : bool
    title, xlabel, ylabel : str
    label : str, optional
        Legend entry for this sweep.

    Returns
    -------
    matplotlib Axes
    """
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(final_losses, dtype=float)
    if lrs.ndim != 1 or losses.shape != lrs.shape:
        raise ValueError(f"expected lrs and final_losses of the same shape (m,), "
                         f"got {lrs.shape} and {losses.shape}")
    ax = _axes(ax)
    ok = np.isfinite(losses)
    line, = ax.plot(lrs[ok], losses[ok], marker="o", label=label or "converged / finite")
    if (~ok).any():
        top = losses[ok].max() if ok.any() else 1.0
        ax.plot(lrs[~ok], np.full((~ok).sum(), top), "x", color=line.get_color(), ms=10, mew=2,
                label=f"{label}: diverged" if label else "diverged (DivergenceError)")
    if logx:
        ax.set_xscale("log")
    if logy and ok.any() and (losses[ok] > 0).all():
        ax.set_yscale("log")
    n_items = len(ax.get_legend_handles_labels()[1])
    return _finish(ax, title, xlabel, ylabel, n_items)


def plot_schedules(schedules: Mapping[str, Callable], ax=None, n_points: int = 201,
                   logy: bool = False, title: str = "Learning-rate schedules",
                   xlabel: str = "training progress (fraction of training done)",
                   ylabel: str = "learning rate"):
    """Learning rate against training progress in [0, 1], one curve per schedule.

    Parameters
    ----------
    schedules : dict[str, callable]
        Label -> schedule ``progress -> rate`` (see :mod:`w2v_edu.schedules`).
    ax : matplotlib Axes, optional
    n_points : int
        Evaluation points in [0, 1] (step schedules are drawn with steps visible).
    logy : bool
    title, xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes
    """
    _check_mapping("schedules", schedules)
    ax = _axes(ax)
    s = np.linspace(0.0, 1.0, n_points)
    for label, sched in schedules.items():
        try:
            rates = np.asarray(sched(s), dtype=float)
        except (TypeError, ValueError):  # a scalar-only callable
            rates = np.array([float(sched(v)) for v in s])
        ax.plot(s, np.broadcast_to(rates, s.shape), label=str(label))
    if logy:
        ax.set_yscale("log")
    return _finish(ax, title, xlabel, ylabel, len(schedules))


def plot_huffman_tree(tree, labels=None, ax=None, max_words=40):
    """Draw a (small) Huffman tree: root on top, leaves at the bottom, edges labelled 0/1.

    Parameters
    ----------
    tree : HuffmanTree
    labels : list of str, optional
        Word of each leaf (``Vocabulary.index_to_key``); defaults to the word ids.
    ax : matplotlib Axes, optional
    max_words : int
        Refuse to draw bigger trees (unreadable); raise ``ValueError``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    V = tree.vocab_size
    if V > max_words:
        raise ValueError(f"expected a tree of at most max_words={max_words} words, got {V}")
    if V < 2:
        raise ValueError(f"expected a tree of at least 2 words to draw, got {V}")
    labels = [str(i) for i in range(V)] if labels is None else list(labels)
    if len(labels) != V:
        raise ValueError(f"expected {V} labels, got {len(labels)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.45 * V), 5))

    # Leaves get x = 0, 1, 2, ... in left-to-right order; inner nodes sit above their children.
    pos = {}
    next_x = [0]

    def place(node, depth):  # node: ('w', id) or ('n', k)
        kind, idx = node
        if kind == "w":
            pos[node] = (next_x[0], -depth)
            next_x[0] += 1
            return pos[node]
        xs = []
        for child in (tree.left[idx], tree.right[idx]):
            child_node = ("w", int(child)) if child < V else ("n", int(child) - V)
            xs.append(place(child_node, depth + 1)[0])
        pos[node] = (sum(xs) / 2, -depth)
        return pos[node]

    place(("n", V - 2), 0)
    for k in range(V - 1):
        x0, y0 = pos[("n", k)]
        for child, bit in ((tree.left[k], 0), (tree.right[k], 1)):
            child_node = ("w", int(child)) if child < V else ("n", int(child) - V)
            x1, y1 = pos[child_node]
            ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(bit), fontsize=7, color="tab:red",
                    ha="center", va="center", zorder=3,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        ax.scatter([x0], [y0], s=60, color="tab:blue", zorder=2)
        ax.text(x0, y0 + 0.18, str(k), fontsize=6, ha="center", color="tab:blue")
    for w in range(V):
        x, y = pos[("w", w)]
        ax.scatter([x], [y], s=30, color="tab:green", marker="s", zorder=2)
        ax.text(x, y - 0.25, labels[w], rotation=90, ha="center", va="top", fontsize=8)
    ax.set_title(f"Huffman tree over {V} words (blue: inner nodes = rows of syn1)")
    ax.set_xlabel("leaves (words), left to right")
    ax.set_ylabel("depth below the root (code length)")
    ax.set_xticks([])
    depth = int(tree.code_lengths.max())
    ax.set_yticks(-np.arange(depth + 1), [str(i) for i in range(depth + 1)])
    ax.set_ylim(-depth - 1.8, 0.6)
    return ax


def plot_keep_probability(words, counts, sample: float, axes=None, top: int = 12,
                          annotate=()):
    """What subsampling keeps: the keep probability of every word, and the most frequent words.

    Left: :math:`p_w = \\min(1, \\sqrt{t/c_w} + t/c_w)` with :math:`t = \\text{sample} \\cdot
    \\sum_u c_u` against the count :math:`c_w` (log scale), the threshold t dotted; right: the
    ``top`` most frequent words' counts beside the occurrences expected to survive one epoch,
    :math:`c_w p_w`, with the share of all tokens kept in the title.

    Parameters
    ----------
    words : sequence of str, length V
    counts : array_like, shape (V,)
    sample : float
        gensim's threshold; 0 switches subsampling off (every :math:`p_w = 1`).
    axes : sequence of 2 matplotlib Axes, optional
    top : int
    annotate : sequence of str
        Words marked on the curve with their keep probability (those in ``words``).

    Returns
    -------
    numpy.ndarray of 2 Axes
    """
    from w2v_edu.subsampling import keep_probability

    words = list(words)
    counts = np.asarray(counts, dtype=float)
    if counts.shape != (len(words),) or not len(words):
        raise ValueError(f"expected one count per word, got {len(words)} words and counts of "
                         f"shape {counts.shape}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
    ax_p, ax_bar = np.ravel(axes)[:2]
    p = keep_probability(counts, sample) if sample > 0 else np.ones_like(counts)
    kept = float((p * counts).sum() / counts.sum())
    order = np.argsort(counts)
    ax_p.semilogx(counts[order], p[order], label="keep probability $p_w$")
    if sample > 0:
        t = sample * counts.sum()
        ax_p.axvline(t, color="0.6", ls=":", label=f"t = sample · total = {t:.3g}")
    index = {w: i for i, w in enumerate(words)}
    for w in annotate:
        if w in index:
            i = index[w]
            ax_p.plot(counts[i], p[i], "ko", ms=4)
            ax_p.annotate(f"{w} {p[i]:.0%}", (counts[i], p[i]), xytext=(4, 4),
                          textcoords="offset points", fontsize=8)
    ax_p.set_ylim(0, 1.05)
    ax_p.set_title(f"Keep probability, sample = {sample:g}")
    ax_p.set_xlabel("word count $c_w$ (log scale)")
    ax_p.set_ylabel("probability an occurrence is kept")
    ax_p.legend(loc="lower left", fontsize=8)
    top_ids = np.argsort(-counts, kind="stable")[:top]
    x = np.arange(len(top_ids))
    ax_bar.bar(x - 0.2, counts[top_ids], 0.4, color="0.7", label="count in the corpus")
    ax_bar.bar(x + 0.2, counts[top_ids] * p[top_ids], 0.4, color="C0",
               label="expected kept per epoch")
    ax_bar.set_xticks(x, [words[i] for i in top_ids], rotation=45, ha="right")
    ax_bar.set_title(f"The {len(top_ids)} most frequent words: {kept:.0%} of all tokens kept")
    ax_bar.set_xlabel("word")
    ax_bar.set_ylabel("occurrences")
    ax_bar.legend(fontsize=8)
    return np.array([ax_p, ax_bar])


def plot_knob_sweep(values, per_seed, default=None, ax=None, *, xscale: str = "linear",
                    title: str = "One-at-a-time sweep", xlabel: str = "value of the knob",
                    ylabel: str = "score", label: str = "mean over seeds", color=None,
                    default_label: str = "gensim's default"):
    """A metric against the values of one knob: the seed mean, the band between seeds, the default.

    Parameters
    ----------
    values : array_like, shape (m,)
        The knob's values.
    per_seed : array_like, shape (m, S)
        The metric for every value and seed (NaN: the run diverged; a cross at the bottom of the
        panel when every seed of a value did, a red ring around the point when only some did --
        the point is then the mean of the seeds that trained).
    default : float, optional
        The knob's default (the sweep's base value), marked with a dashed vertical line
        labelled ``default_label``.
    ax : matplotlib Axes, optional
    xscale : {"linear", "log", "categorical"}
        "categorical" puts the values at equal spacing with their numbers as tick labels (for
        grids that include 0, such as ``sample``).
    title, xlabel, ylabel, label : str
    color : optional
        Matplotlib colour of the mean line and the band.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The shaded band spans min..max over the seeds: a difference between two values of the knob
    that stays inside the band is no bigger than changing the seed.
    """
    values = np.asarray(values, dtype=float)
    per_seed = np.asarray(per_seed, dtype=float)
    if per_seed.ndim == 1:
        per_seed = per_seed[:, None]
    if values.ndim != 1 or per_seed.ndim != 2 or per_seed.shape[0] != values.shape[0]:
        raise ValueError(f"expected values of shape (m,) and per_seed of shape (m, S), got "
                         f"{values.shape} and {per_seed.shape}")
    if xscale not in ("linear", "log", "categorical"):
        raise ValueError(f"expected xscale 'linear', 'log' or 'categorical', got {xscale!r}")
    ax = _axes(ax)
    xs = np.arange(len(values), dtype=float) if xscale == "categorical" else values
    ok = np.isfinite(per_seed).any(axis=1)
    partial = ok & ~np.isfinite(per_seed).all(axis=1)  # some seeds of the value diverged
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: diverged runs
        mean = np.nanmean(per_seed, axis=1)
        lo, hi = np.nanmin(per_seed, axis=1), np.nanmax(per_seed, axis=1)
    line, = ax.plot(xs[ok], mean[ok], marker="o", color=color, label=label)
    if per_seed.shape[1] > 1:
        ax.fill_between(xs[ok], lo[ok], hi[ok], color=line.get_color(), alpha=0.25, lw=0,
                        label=f"range over {per_seed.shape[1]} seeds")
    if partial.any():  # the mean of fewer seeds, and no band: say so on the point itself
        ax.plot(xs[partial], mean[partial], "o", ms=13, mfc="none", mec="C3", mew=1.8,
                label="some seeds diverged (point: the others)")
    if (~ok).any():  # at the bottom edge of the panel: a diverged run has no value
        ax.plot(xs[~ok], np.full((~ok).sum(), 0.04), "x", color="C3", ms=9, mew=2,
                transform=ax.get_xaxis_transform(), label="diverged (no value)")
    if default is not None:
        x_default = (float(np.argmin(np.abs(values - default))) if xscale == "categorical"
                     else default)
        ax.axvline(x_default, color="0.4", ls="--", lw=1, label=default_label)
    if xscale == "log":
        ax.set_xscale("log")
        ax.minorticks_off()
    ax.set_xticks(xs, [f"{v:g}" for v in values])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax


#: How each knob's values are spaced on the x axis in :func:`plot_knob_panels`.
KNOB_XSCALE = {"vector_size": "log", "window": "linear", "negative": "linear",
               "sample": "categorical", "epochs": "log", "alpha": "log", "min_count": "log",
               "batch_size": "log", "noise_pool": "log"}


def plot_knob_panels(data, knob: str, metrics=None, axes=None, ncols: int = 3, live=None):
    """One knob of a sweep (:func:`w2v_edu.knob_sweep.load_sweep`), one panel per metric.

    Parameters
    ----------
    data : dict
        The sweep: ``grid``, ``defaults``, ``seeds``, ``runs``, ``points``.
    knob : str
        Which knob (a key of ``data["grid"]``).
    metrics : sequence of (key, title, ylabel), optional
        Default :data:`w2v_edu.knob_sweep.METRICS` (WordSim353, SimLex-999, analogies, neighbour
        stability, seconds, memory).
    axes : array of matplotlib Axes, optional
        At least ``len(metrics)`` of them.
    ncols : int
        Panels per row of a new figure.
    live : dict, optional
        ``{value: record}`` of runs re-done now (:func:`w2v_edu.knob_sweep.run_point`), drawn
        as stars on the panels whose metric the record has, to compare with the committed curve.

    Returns
    -------
    matplotlib Figure
        With one legend for all panels (mean, seed range, base point / gensim's default).
    """
    from w2v_edu.knob_sweep import METRICS, sweep_curve

    metrics = METRICS if metrics is None else metrics
    if axes is None:
        nrows = -(-len(metrics) // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows + 0.9),
                                 layout="constrained", squeeze=False)
    axes = np.ravel(axes)
    if len(axes) < len(metrics):
        raise ValueError(f"expected at least {len(metrics)} axes, got {len(axes)}")
    fig = axes[0].figure
    base = data["base"][knob]
    gensim = data.get("gensim_defaults", data["base"]).get(knob)
    if gensim is None:  # an engine knob (batch_size, noise_pool): gensim has no such setting
        default_label = f"the engine's default, the base point ({base:g})"
    elif base == gensim:
        default_label = f"gensim's default, the base point ({base:g})"
    else:
        default_label = f"base point ({base:g}); gensim's default is {gensim:g}"
    for ax, (key, title, ylabel) in zip(axes, metrics, strict=False):
        values, per_seed = sweep_curve(data, knob, key)
        plot_knob_sweep(values, per_seed, base, ax=ax, xscale=KNOB_XSCALE.get(knob, "linear"),
                        title=title, xlabel=knob, ylabel=ylabel, default_label=default_label)
        if key in ("seconds", "memory_mb", "training_memory_mb"):
            ax.set_ylim(bottom=0)  # amounts: small differences should look small
        for value, record in (live or {}).items():
            if key in record:
                ax.plot(value if KNOB_XSCALE.get(knob) != "categorical"
                        else list(values).index(value), record[key], "*", ms=13, color="C3",
                        mec="k", mew=0.5, label="re-run now (seed 1)", zorder=5)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    legend = {}  # every panel's entries, once each (a diverged mark may be on some panels only)
    for ax in axes[:len(metrics)]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    fig.legend(legend.values(), legend.keys(), loc="outside lower center", ncols=len(legend),
               fontsize=9)
    fig.suptitle(f"{knob}: only this knob changed, all others at the base point "
                 f"(Wikipedia sample, seeds {data['seeds']})", x=0.01, ha="left")
    return fig
