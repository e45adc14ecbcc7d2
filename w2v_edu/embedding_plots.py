"""Pictures of trained vectors and of training: t-SNE / PCA maps, loss and alpha per epoch.

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
           "group_vectors"]

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
