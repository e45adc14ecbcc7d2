"""Pictures of trained vectors and of training: t-SNE / PCA maps, loss and alpha per epoch,
loss against quality, the loss of every step, words' paths while they train.

* :data:`WORD_GROUPS` -- small groups of related words (countries, numbers, months, ...)
  picked so that every word occurs at least 15 times in the Wikipedia sample
  (:func:`w2v_edu.datasets.wiki_sample`), hence survives ``min_count=5``.
* :func:`plot_tsne`, :func:`plot_pca` -- 2-D maps of those words, one colour and legend entry
  per group, a label on every point (scikit-learn's ``TSNE`` / ``PCA``).
* :func:`plot_epoch_loss`, :func:`plot_alpha` -- from ``Word2Vec.history``, a list of one
  dict per epoch with keys ``'epoch'``, ``'loss'`` (mean loss per training pair),
  ``'alpha_start'``, ``'alpha_end'``, ``'pairs'``, ``'words'``, ``'seconds'`` and optionally
  ``'alphas'`` (the alpha applied at each step of that epoch, a 1-D array).

Every function draws on ``ax`` (a new figure when None) and returns the Axes; every figure
gets a title, labelled axes and a legend.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = ["WORD_GROUPS", "plot_tsne", "plot_pca", "plot_epoch_loss", "plot_alpha",
           "group_vectors", "plot_loss_vs_quality", "word_path_projection", "plot_word_paths",
           "animate_word_paths", "WordPathAnimation", "plot_training_run"]

WORD_GROUPS: dict[str, list[str]] = {
    "countries": ["france", "germany", "italy", "spain", "russia", "china", "japan", "india",
                  "canada"],
    "cities": ["paris", "london", "rome", "berlin", "moscow", "athens", "washington"],
    "numbers": ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "months": ["january", "february", "march", "april", "june", "july", "august",
               "september", "october"],
    "family": ["father", "mother", "son", "daughter", "brother", "sister", "wife", "king",
               "queen"],
    "sciences": ["physics", "chemistry", "mathematics", "biology", "astronomy", "philosophy"],
    "colours": ["red", "blue", "green", "white", "black", "yellow"],
}


def group_vectors(wv, groups: Mapping[str, Sequence[str]] | None = None):
    """Collect the vectors of the grouped words that ``wv`` knows.

    Parameters
    ----------
    wv : KeyedVectors
        V words of dimension d (ours or gensim's).
    groups : dict[str, list[str]], optional
        Group name -> words; default :data:`WORD_GROUPS`.

    Returns
    -------
    words : list of str, length n
    labels : list of str, length n
        The group of each word.
    X : numpy.ndarray, shape (n, d)
        Unit vectors ``x̂_w`` (so distances in the map reflect cosine similarity).
    missing : list of str
        Words skipped because ``wv`` does not know them.
    """
    groups = WORD_GROUPS if groups is None else groups
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError(f"expected groups as a dict {{name: [words]}}, got {groups!r:.80}")
    words, labels, missing = [], [], []
    for name, members in groups.items():
        if isinstance(members, str):
            raise TypeError(f"expected a list of words for group {name!r}, got the string "
                            f"{members!r}")
        for w in members:
            if w in wv.key_to_index and w not in words:
                words.append(w)
                labels.append(name)
            elif w not in wv.key_to_index:
                missing.append(w)
    if missing:
        warnings.warn(f"skipping {len(missing)} word(s) not in the vocabulary: {missing}",
                      stacklevel=3)
    if not words:
        return words, labels, np.empty((0, wv.vectors.shape[1]), np.float32), missing
    X = np.vstack([wv[w] for w in words]).astype(np.float64)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return words, labels, X, missing


def _scatter_groups(ax, Y, words, labels, missing, title, xlabel, ylabel):
    """One colour + legend entry per group, a text label per point, a note on skipped words."""
    cmap = plt.get_cmap("tab10")
    for k, name in enumerate(dict.fromkeys(labels)):
        mask = np.array([lab == name for lab in labels])
        ax.scatter(Y[mask, 0], Y[mask, 1], s=22, color=cmap(k % 10), label=name)
        for (x, y), w in zip(Y[mask], np.array(words)[mask], strict=True):
            ax.annotate(w, (x, y), xytext=(3, 2), textcoords="offset points", fontsize=8)
    if missing:
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        ax.text(0.01, 0.01, f"not in vocabulary (skipped): {shown}", transform=ax.transAxes,
                fontsize=7, color="0.35", va="bottom")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    return ax


def _new_ax(ax, size=(8, 6)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_tsne(wv, groups=None, seed: int = 0, ax=None, perplexity: float | None = None):
    """t-SNE map (scikit-learn) of grouped words' unit vectors, one colour per group.

    Parameters
    ----------
    wv : KeyedVectors
    groups : dict[str, list[str]], optional
        Default :data:`WORD_GROUPS`; unknown words are skipped with a warning and a note.
    seed : int
        t-SNE's ``random_state``: same seed, same picture.
    ax : matplotlib Axes, optional
    perplexity : float, optional
        Default ``min(30, (n - 1) / 3)`` for n plotted words (t-SNE needs perplexity < n).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from sklearn.manifold import TSNE

    words, labels, X, missing = group_vectors(wv, groups)
    if len(words) < 4:
        raise ValueError(f"expected at least 4 known words for t-SNE, got {len(words)}: {words}")
    if perplexity is None:
        perplexity = min(30.0, (len(words) - 1) / 3)
    if not 0 < perplexity < len(words):
        raise ValueError(f"expected 0 < perplexity < {len(words)} (the number of words), "
                         f"got {perplexity}")
    # exact t-SNE is quicker than Barnes-Hut for the few dozen words of a word-group map
    method = "exact" if len(words) <= 300 else "barnes_hut"
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                learning_rate="auto", method=method)
    Y = tsne.fit_transform(X)
    ax = _new_ax(ax)
    return _scatter_groups(ax, Y, words, labels, missing,
                           f"t-SNE of {len(words)} word vectors (perplexity {perplexity:.0f})",
                           "t-SNE dimension 1", "t-SNE dimension 2")


def plot_pca(wv, groups=None, ax=None):
    """PCA projection (scikit-learn) of grouped words' unit vectors onto 2 components.

    Unlike t-SNE, PCA is linear: directions and parallel offsets (e.g. country -> capital)
    survive the projection. The axis labels give the variance each component explains.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from sklearn.decomposition import PCA

    words, labels, X, missing = group_vectors(wv, groups)
    if len(words) < 2:
        raise ValueError(f"expected at least 2 known words for PCA, got {len(words)}: {words}")
    pca = PCA(n_components=2)
    Y = pca.fit_transform(X)
    share = 100 * pca.explained_variance_ratio_
    ax = _new_ax(ax)
    return _scatter_groups(ax, Y, words, labels, missing,
                           f"PCA of {len(words)} word vectors",
                           f"principal component 1 ({share[0]:.1f} % of variance)",
                           f"principal component 2 ({share[1]:.1f} % of variance)")


def _as_runs(history) -> dict[str, list]:
    """Accept one history (list of per-epoch dicts) or {label: history} for several runs."""
    if isinstance(history, Mapping):
        runs = dict(history)
    else:
        runs = {"training": history}
    for label, run in runs.items():
        if isinstance(run, Mapping) or isinstance(run, str):
            raise TypeError(f"expected a history as a list of per-epoch dicts, got "
                            f"{type(run).__name__} for {label!r}")
        run = list(run)
        if not run:
            raise ValueError(f"expected at least one epoch in the history of {label!r}, got none")
        runs[label] = run
    return runs


def _need(entry, key, label):
    try:
        return entry[key]
    except (KeyError, TypeError):
        raise KeyError(f"expected every epoch of {label!r} to have key {key!r}, got "
                       f"{sorted(entry) if isinstance(entry, Mapping) else entry!r}") from None


def plot_epoch_loss(history, ax=None, logy: bool = False):
    """Mean loss per training pair, one point per epoch.

    Parameters
    ----------
    history : list of dict, or dict[str, list of dict]
        ``Word2Vec.history`` (keys ``'epoch'`` and ``'loss'`` used), or several labelled
        histories to compare.
    ax : matplotlib Axes, optional
    logy : bool
        Logarithmic loss axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    runs = _as_runs(history)
    ax = _new_ax(ax, (6, 4))
    for label, run in runs.items():
        epochs = [_need(e, "epoch", label) for e in run]
        losses = [_need(e, "loss", label) for e in run]
        ax.plot(epochs, losses, marker="o", label=label)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Training loss per epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss per training pair")
    ax.legend()
    return ax


def plot_alpha(history, ax=None, alpha: float | None = None, min_alpha: float | None = None):
    """The learning rate alpha actually applied, against training progress in epochs.

    Epoch ``i`` (the i-th entry) spans ``[i, i + 1]`` on the x axis. With per-step
    ``'alphas'`` in the entries they are drawn as steps; otherwise a straight segment from
    ``'alpha_start'`` to ``'alpha_end'``. Given ``alpha`` and ``min_alpha``, the nominal
    schedule ``alpha_t = alpha - (alpha - min_alpha) * progress`` is drawn dashed beside it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    runs = _as_runs(history)
    ax = _new_ax(ax, (6, 4))
    n_epochs = 1
    for label, run in runs.items():
        n_epochs = max(n_epochs, len(run))
        xs, ys = [], []
        for i, entry in enumerate(run):
            steps = entry.get("alphas", None) if isinstance(entry, Mapping) else None
            if steps is not None and len(steps):
                steps = np.asarray(steps, dtype=float)
                xs.extend(i + np.arange(len(steps)) / len(steps))
                ys.extend(steps)
            else:
                xs.extend([i, i + 1])
                ys.extend([_need(entry, "alpha_start", label), _need(entry, "alpha_end", label)])
        has_steps = any(isinstance(e, Mapping) and e.get("alphas") is not None for e in run)
        if has_steps:
            xs.append(len(run))  # hold the last step until the end of training
            ys.append(ys[-1])
            ax.step(xs, ys, where="post", label=f"{label}: alpha applied")
        else:
            ax.plot(xs, ys, label=f"{label}: alpha applied")
    if alpha is not None and min_alpha is not None:
        progress = np.linspace(0, 1, 200)
        ax.plot(progress * n_epochs, alpha - (alpha - min_alpha) * progress, "k--", lw=1,
                label="alpha - (alpha - min_alpha) * progress")
    ax.set_title("Learning rate alpha during training")
    ax.set_xlabel("training progress (epochs)")
    ax.set_ylabel("alpha")
    ax.legend()
    return ax


QUALITY_LABELS = {"wordsim353_spearman": "WordSim353 Spearman",
                  "simlex999_spearman": "SimLex-999 Spearman"}


def plot_loss_vs_quality(runs, quality: str = "wordsim353_spearman", axes=None):
    """Loss per epoch beside a quality score per epoch, and final loss against final quality.

    Parameters
    ----------
    runs : dict[str, list of dict]
        Label -> one record per epoch with keys ``'epoch'``, ``'loss'`` (mean loss per training
        pair of that epoch) and ``quality`` (the score after that epoch), e.g.
        :attr:`w2v_edu.callbacks.EpochQuality.records`.
    quality : str
        The score to plot (``"wordsim353_spearman"`` or ``"simlex999_spearman"``).
    axes : sequence of 3 matplotlib Axes, optional

    Returns
    -------
    numpy.ndarray of 3 Axes
        Left: loss per epoch; middle: quality after each epoch; right: one point per run, its
        last epoch's loss against its final quality. If the loss were the metric, the right
        panel's points would fall from upper left to lower right.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError(f"expected runs as a non-empty dict {{label: records}}, got "
                        f"{type(runs).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    axes = np.ravel(axes)
    if len(axes) < 3:
        raise ValueError(f"expected 3 axes, got {len(axes)}")
    name = QUALITY_LABELS.get(quality, quality)
    for k, (label, records) in enumerate(runs.items()):
        records = list(records)
        if not records:
            raise ValueError(f"expected at least one epoch for {label!r}, got none")
        epochs = [_need(r, "epoch", label) + 1 for r in records]
        loss = [_need(r, "loss", label) for r in records]
        score = [_need(r, quality, label) for r in records]
        color = f"C{k % 10}"
        axes[0].plot(epochs, loss, marker="o", color=color, label=label)
        axes[1].plot(epochs, score, marker="o", color=color, label=label)
        axes[2].plot(loss[-1], score[-1], "o", ms=9, color=color, label=label)
        axes[2].annotate(label, (loss[-1], score[-1]), xytext=(5, 4), textcoords="offset points",
                         fontsize=8)
    for ax in axes[:2]:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
    axes[0].set_title("What SGD minimises: loss per epoch")
    axes[0].set_ylabel("mean loss per training pair")
    axes[1].set_title(f"What we want: {name} after each epoch")
    axes[1].set_ylabel(name)
    axes[2].set_title("Last epoch's loss against final score")
    axes[2].set_xlabel("mean loss per training pair, last epoch")
    axes[2].set_ylabel(f"final {name}")
    for ax in axes[:3]:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    return axes[:3]


def word_path_projection(vectors, normalize: bool = True):
    """Project every snapshot of the followed words onto the final snapshot's two principal axes.

    Parameters
    ----------
    vectors : array_like, shape (S, n, d)
        n words' vectors at S snapshots (:attr:`w2v_edu.callbacks.WordPaths.vectors`).
    normalize : bool
        Scale every vector to unit length first (cosine geometry, as ``most_similar``).

    Returns
    -------
    coords : numpy.ndarray, shape (S, n, 2)
        ``(x_s - mean_final) @ P`` with P (d, 2) the top-2 principal directions of the final
        snapshot: one fixed projection for all snapshots, so a movement in the picture is a
        movement of the vector.
    explained : numpy.ndarray, shape (2,)
        Share of the final snapshot's variance along each direction.
    """
    X = np.asarray(vectors, dtype=np.float64)
    if X.ndim != 3 or X.shape[0] < 1 or X.shape[1] < 2:
        raise ValueError(f"expected vectors of shape (S, n, d) with S >= 1 snapshots and n >= 2 "
                         f"words, got shape {X.shape}")
    if normalize:
        norms = np.linalg.norm(X, axis=2, keepdims=True)
        X = X / np.where(norms > 0, norms, 1.0)
    final = X[-1]
    mean = final.mean(axis=0)
    _, sv, vt = np.linalg.svd(final - mean, full_matrices=False)
    P = vt[:2].T  # (d, 2)
    if P.shape[1] < 2:
        P = np.pad(P, ((0, 0), (0, 2 - P.shape[1])))
    # fix the sign of each axis so the picture does not flip between runs with equal vectors
    P *= np.where(P[np.abs(P).argmax(axis=0), [0, 1]] < 0, -1.0, 1.0)
    var = sv**2
    explained = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    return (X - mean) @ P, np.pad(explained, (0, 2 - len(explained)))


def _path_colours(words, groups):
    """One colour per group (or per word when no groups), and the legend name of each word."""
    if groups:
        group_of = {w: g for g, members in groups.items() for w in members}
        names = [group_of.get(w, "other") for w in words]
    else:
        names = list(words)
    order = list(dict.fromkeys(names))
    cmap = plt.get_cmap("tab10")
    return [cmap(order.index(n) % 10) for n in names], names


def _draw_paths(ax, coords, words, colours, upto):
    """Paths of snapshots 0..upto, a hollow circle at the start, the word at the current point."""
    artists = []
    for i, w in enumerate(words):
        path = coords[: upto + 1, i]
        artists += ax.plot(path[:, 0], path[:, 1], "-", color=colours[i], lw=1.2, alpha=0.75)
        artists += ax.plot(path[:, 0], path[:, 1], ".", color=colours[i], ms=3)
        artists += ax.plot(*path[0], "o", mfc="white", mec=colours[i], ms=6)
        artists += ax.plot(*path[-1], "o", color=colours[i], ms=7, mec="k", mew=0.5)
        artists.append(ax.annotate(w, path[-1], xytext=(4, 3), textcoords="offset points",
                                   fontsize=8))
    return artists


def _paths_arrays(paths):
    vectors = getattr(paths, "vectors", None)
    words = getattr(paths, "words", None)
    if vectors is None or words is None:
        raise TypeError(f"expected a w2v_edu.callbacks.WordPaths that recorded a training run, "
                        f"got {type(paths).__name__}")
    if len(vectors) < 2:
        raise ValueError(f"expected at least 2 snapshots (start and end), got {len(vectors)}: "
                         "train the model with the WordPaths callback first")
    return np.asarray(vectors), list(words), list(paths.labels)


def _legend_for_paths(ax, colours, names, loc="best"):
    from matplotlib.lines import Line2D

    handles, seen = [], set()
    for c, n in zip(colours, names, strict=True):
        if n not in seen:
            seen.add(n)
            handles.append(Line2D([], [], color=c, marker="o", label=n))
    handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="k",
                          label="start (random vector)"))
    handles.append(Line2D([], [], ls="none", marker="o", color="0.3", mec="k",
                          label="latest position"))
    ax.legend(handles=handles, fontsize=8, loc=loc)


def plot_word_paths(paths, groups=None, ax=None, normalize: bool = True):
    """The followed words' paths from their random start to their trained vectors.

    Parameters
    ----------
    paths : :class:`w2v_edu.callbacks.WordPaths`
        A callback that recorded a training run (S >= 2 snapshots of n >= 2 words).
    groups : dict[str, list[str]], optional
        Colour words by group (e.g. a subset of :data:`WORD_GROUPS`); default one colour each.
    ax : matplotlib Axes, optional
    normalize : bool
        Unit vectors (cosine geometry), as :func:`word_path_projection`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    vectors, words, labels = _paths_arrays(paths)
    coords, explained = word_path_projection(vectors, normalize)
    colours, names = _path_colours(words, groups)
    ax = _new_ax(ax, (8, 6.5))
    _draw_paths(ax, coords, words, colours, len(coords) - 1)
    _legend_for_paths(ax, colours, names)
    ax.set_title(f"{len(words)} words, random start to trained vectors ({len(coords)} snapshots)")
    ax.set_xlabel(f"principal axis 1 of the final vectors ({100 * explained[0]:.0f} % of variance)")
    ax.set_ylabel(f"principal axis 2 of the final vectors ({100 * explained[1]:.0f} % of variance)")
    ax.grid(True, alpha=0.3)
    return ax


class WordPathAnimation:
    """An animation of word paths that plays in a notebook and stays a picture without one.

    Displayed in Jupyter it offers two representations of itself: ``text/html`` (Matplotlib's
    JavaScript player, :meth:`to_jshtml`) and ``image/png`` (the last frame), so a front end that
    runs JavaScript plays it and a static render (nbconvert to PDF/Markdown, a viewer without
    scripts) still shows the final figure.

    Attributes
    ----------
    animation : matplotlib.animation.FuncAnimation
    figure : matplotlib.figure.Figure
        Not registered with pyplot, so the inline backend does not show it a second time.
    n_frames : int
    """

    def __init__(self, animation, figure, n_frames: int):
        self.animation = animation
        self.figure = figure
        self.n_frames = n_frames
        self._html = None

    def to_jshtml(self) -> str:
        """HTML + JavaScript with every frame embedded (computed once, then cached)."""
        if self._html is None:
            self._html = self.animation.to_jshtml(default_mode="once")
        return self._html

    def final_png(self) -> bytes:
        """The last frame as PNG bytes."""
        import io

        self.animation._func(self.n_frames - 1)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_jshtml(), "image/png": self.final_png(),
                "text/plain": f"<word-path animation: {self.n_frames} frames>"}


def animate_word_paths(paths, groups=None, normalize: bool = True, interval: int = 300,
                       figsize=(7, 5.6), max_frames: int = 12, dpi: int = 72
                       ) -> WordPathAnimation:
    """Animate :func:`plot_word_paths`: each frame draws the paths up to one snapshot.

    Same projection and axes limits in every frame (fitted on the final vectors), so what moves
    is the words. Parameters as :func:`plot_word_paths`; ``interval`` is milliseconds per frame.
    At most ``max_frames`` frames, at evenly spaced snapshots from the first to the last (each
    frame still draws every snapshot up to its own); every frame is embedded as a PNG of
    ``figsize`` at ``dpi``, which is what the HTML weighs.

    Returns
    -------
    WordPathAnimation
        Display it (last expression of a cell) to play it; ``.to_jshtml()`` gives the HTML.
    """
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    vectors, words, labels = _paths_arrays(paths)
    coords, explained = word_path_projection(vectors, normalize)
    colours, names = _path_colours(words, groups)
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
        raise ValueError(f"expected max_frames as an int >= 2, got {max_frames!r}")
    fig = Figure(figsize=figsize, dpi=dpi)  # fixed margins: no layout engine run per frame
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.09, top=0.94)
    ax = fig.subplots()
    flat = coords.reshape(-1, 2)
    lo, hi = flat.min(axis=0), flat.max(axis=0)
    pad = 0.08 * (hi - lo) + 1e-9
    shown = np.unique(np.linspace(0, len(coords) - 1, min(max_frames, len(coords))).astype(int))
    n_frames = len(shown)

    def draw(frame):
        ax.clear()
        snapshot = shown[frame]
        _draw_paths(ax, coords, words, colours, snapshot)
        _legend_for_paths(ax, colours, names, loc="upper right")
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0] * 1.5)
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_title(f"Words moving during training: {labels[snapshot]}")
        ax.set_xlabel(f"principal axis 1 of the final vectors "
                      f"({100 * explained[0]:.0f} % of variance)")
        ax.set_ylabel(f"principal axis 2 of the final vectors "
                      f"({100 * explained[1]:.0f} % of variance)")
        ax.grid(True, alpha=0.3)
        return []

    animation = FuncAnimation(fig, draw, frames=n_frames, interval=interval, blit=False,
                              repeat=False)
    draw(n_frames - 1)
    return WordPathAnimation(animation, fig, n_frames)


def plot_training_run(progress, step_loss, initial_loss: float, scores=None, axes=None,
                      label: str = "training", smooth: int = 50, epochs: float | None = None,
                      note: str = ""):
    """One training run: the loss of every step, and the trained vectors' similarity scores.

    Parameters
    ----------
    progress, step_loss : array_like, shape (T,)
        Training progress (epochs) and mean loss per pair of each step
        (:class:`w2v_edu.callbacks.StepLoss`).
    initial_loss : float
        The loss per pair before training, drawn dashed (``Word2Vec.initial_loss_per_pair()``).
    scores : dict[str, float], optional
        Benchmark -> Spearman rho of the trained vectors, drawn as bars (NaN: no bar).
    axes : sequence of 2 matplotlib Axes, optional
    label : str
        Legend entry of the loss curve.
    smooth : int
        Steps per running mean of the loss.
    epochs : float, optional
        Right end of the progress axis (default: the last step's progress).
    note : str
        Title of the scores panel (e.g. a word's neighbours, or why training stopped).

    Returns
    -------
    numpy.ndarray of 2 Axes
    """
    progress = np.asarray(progress, dtype=float)
    loss = np.asarray(step_loss, dtype=float)
    if progress.shape != loss.shape or progress.ndim != 1:
        raise ValueError(f"expected progress and step_loss of the same shape (T,), got "
                         f"{progress.shape} and {loss.shape}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    ax_loss, ax_score = np.ravel(axes)[:2]
    width = max(1, min(smooth, len(loss)))
    if len(loss):
        mean = np.convolve(loss, np.ones(width) / width, mode="valid")
        ax_loss.plot(progress[width - 1:], mean, label=f"{label} (mean of {width} steps)")
    ax_loss.axhline(initial_loss, color="0.5", ls="--", lw=1,
                    label="the loss before training")
    ax_loss.set_title("Mean loss per training pair")
    ax_loss.set_xlabel("training progress (epochs)")
    ax_loss.set_ylabel("mean loss per training pair")
    right = epochs if epochs is not None else (progress[-1] if len(progress) else 1.0)
    ax_loss.set_xlim(0, right)
    ax_loss.legend(fontsize=8, loc="upper right")
    scores = {} if scores is None else dict(scores)
    names = list(scores) or ["WordSim353", "SimLex-999"]
    values = [scores.get(n, np.nan) for n in names]
    bars = ax_score.bar(names, np.nan_to_num(values), color=[f"C{i}" for i in range(len(names))],
                        label="Spearman rho of the trained vectors")
    for bar, value in zip(bars, values, strict=True):
        ax_score.annotate(f"{value:.3f}", (bar.get_x() + bar.get_width() / 2,
                                           max(bar.get_height(), 0)),
                          ha="center", va="bottom", fontsize=9)
    finite = [v for v in values if np.isfinite(v)]
    ax_score.set_ylim(min([-0.1, *finite]) - 0.02, max([0.35, *finite]) + 0.02)
    ax_score.axhline(0, color="k", lw=0.8)
    ax_score.set_title(note or "Quality of the trained vectors", fontsize=9)
    ax_score.set_xlabel("benchmark")
    ax_score.set_ylabel("Spearman rho with human scores")
    ax_score.legend(fontsize=8, loc="upper right")
    for ax in (ax_loss, ax_score):
        ax.grid(True, alpha=0.3)
    return np.array([ax_loss, ax_score])
