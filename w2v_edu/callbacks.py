"""Callbacks: code of yours that :class:`~w2v_edu.word2vec.Word2Vec` runs at fixed moments.

One shape, gensim's ``CallbackAny2Vec``: every hook receives the model and nothing else, so a
callback written for gensim runs here too (any object with some of these methods will do).
``model.history[-1]`` holds the epoch that just ended (its mean loss, the alphas applied, pairs,
words and seconds); in ``on_batch_end``, ``model.last_step`` holds the engine step just done (a
job of the per-pair engine, a mini-batch of the mini-batch engine: loss, pairs, alpha, progress).
"""

from __future__ import annotations

import numpy as np

from w2v_edu.evaluation import word_pair_scores


class Callback:
    """Base class: override the hooks you need; the others do nothing."""

    def on_train_begin(self, model) -> None:
        """Before the first epoch of a ``train()`` call."""

    def on_epoch_begin(self, model) -> None:
        """Before every epoch."""

    def on_batch_end(self, model) -> None:
        """After every engine step; ``model.last_step`` is that step."""

    def on_epoch_end(self, model) -> None:
        """After every epoch; ``model.history[-1]`` is that epoch's record."""

    def on_train_end(self, model) -> None:
        """After the last epoch of a ``train()`` call."""


def run_callbacks(callbacks, hook: str, model) -> None:
    """Call ``callback.<hook>(model)`` on every callback that has that hook."""
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None:
            method(model)


class LossPrinter(Callback):
    """Print one line per epoch: mean loss per pair, alpha at start and end, seconds."""

    def on_epoch_end(self, model) -> None:
        h = model.history[-1]
        print(
            f"epoch {h['epoch']:>2}: loss/pair {h['loss']:.4f}  "
            f"alpha {h['alpha_start']:.5f} -> {h['alpha_end']:.5f}  "
            f"{h['pairs']:,} pairs  {h['seconds']:.1f} s"
        )


class StepLoss(Callback):
    """Record every engine step's mean loss per training pair and where in training it fell.

    Attributes
    ----------
    progress : list of float
        Training progress of each step in epochs (1.5 = half-way through the second epoch),
        counted in raw words as the learning rate is.
    loss : list of float
        ``step.loss / step.pairs`` of each step with at least one pair.
    pairs : list of int
        Training pairs of each step (the weights of ``loss`` in the epoch's mean).
    epoch : list of int
        The epoch (0-based, as ``model.history``) of each step.
    """

    def __init__(self):
        self.progress: list[float] = []
        self.loss: list[float] = []
        self.pairs: list[int] = []
        self.epoch: list[int] = []
        self._epoch = 0

    def on_epoch_begin(self, model) -> None:
        self._epoch = len(model.history)

    def on_batch_end(self, model) -> None:
        step = model.last_step
        if step.pairs:
            done = min(step.raw_words_done / max(model.corpus_total_words, 1), 1.0)
            self.progress.append(self._epoch + done)
            self.loss.append(step.loss / step.pairs)
            self.pairs.append(step.pairs)
            self.epoch.append(self._epoch)


class EpochQuality(Callback):
    """Score the vectors on WordSim353 and SimLex-999 after every epoch, beside the epoch's loss.

    The loss is what SGD minimises; the benchmark scores are what we want. Recording both per
    epoch shows where they disagree (lesson 11). Each record of :attr:`records` is a dict:
    ``epoch`` (0-based, as ``model.history``), ``loss`` (that epoch's mean loss per training
    pair, from ``model.history[-1]``), ``wordsim353_spearman`` and ``simlex999_spearman``
    (Spearman rho between cosine similarity and the human scores; NaN when no pair is in the
    vocabulary). Scoring takes about 0.05 s per epoch on the Wikipedia sample; it runs after
    ``model.history[-1]["seconds"]`` is measured, so it does not count as training time.
    """

    def __init__(self):
        self.records: list[dict] = []

    def on_epoch_end(self, model) -> None:
        record = {"epoch": model.history[-1]["epoch"], "loss": model.history[-1]["loss"]}
        record.update(word_pair_scores(model.wv))
        self.records.append(record)


class WordPaths(Callback):
    """Record chosen words' vectors and nearest neighbours while the model trains.

    One snapshot before the first epoch (the random initial vectors), then one after every
    epoch -- or, with ``every=N``, one every N engine steps (mini-batches or jobs) and one at the
    end of training. :func:`w2v_edu.embedding_plots.plot_word_paths` draws them as paths in one
    fixed 2-D projection and :func:`~w2v_edu.embedding_plots.animate_word_paths` animates them.

    Parameters
    ----------
    words : sequence of str
        The n words to follow; each must be in the model's vocabulary (checked when training
        starts: a missing word raises ``KeyError`` naming it).
    every : int or None
        None: snapshot at the end of every epoch. An int N >= 1: every N engine steps. With the
        mini-batch engine ``on_batch_end`` runs *before* that batch's update is applied
        (``model.last_step.pending``), so a snapshot taken there holds the vectors after the
        batches before it; the last snapshot (``on_train_end``) holds the trained vectors.
    topn : int
        Nearest neighbours (cosine, the word itself excluded) kept per word and snapshot.

    Attributes
    ----------
    vectors : numpy.ndarray, shape (S, n, d)
        The n words' input vectors (rows of ``syn0``) at each of the S snapshots, float32 copies.
    progress : numpy.ndarray, shape (S,)
        Training progress of each snapshot in epochs (0 = before training, 1.0 = after the
        first epoch, 1.5 = half-way through the second).
    labels : list of str, length S
        ``"start"``, ``"epoch 1"``, ... for the snapshots.
    neighbours : list of dict[str, list[str]], length S
        For each snapshot, each word's ``topn`` nearest neighbours, nearest first.
    """

    def __init__(self, words, every: int | None = None, topn: int = 5):
        if isinstance(words, str):
            raise TypeError(f"expected a list of words, got the single string {words!r}")
        self.words = list(words)
        if not self.words:
            raise ValueError("expected at least one word to follow, got none")
        if every is not None and (isinstance(every, bool) or not isinstance(every, int)
                                  or every < 1):
            raise ValueError(f"expected every as None (each epoch) or an int >= 1, got {every!r}")
        if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
            raise ValueError(f"expected topn as an int >= 1, got {topn!r}")
        self.every = every
        self.topn = topn
        self._vectors: list = []
        self._progress: list[float] = []
        self.labels: list[str] = []
        self.neighbours: list[dict] = []
        self._rows = None
        self._epoch = 0
        self._steps = 0

    @property
    def vectors(self):
        return np.stack(self._vectors) if self._vectors else np.empty((0, len(self.words), 0))

    @property
    def progress(self):
        return np.array(self._progress, dtype=float)

    def _snapshot(self, model, progress: float, label: str) -> None:
        syn0 = model.wv.vectors
        self._vectors.append(syn0[self._rows].astype(np.float32, copy=True))
        norms = np.linalg.norm(syn0, axis=1)
        unit = syn0 / np.where(norms > 0, norms, 1.0)[:, None]
        sims = unit[self._rows] @ unit.T  # (n, V): cos(word, every word)
        sims[np.arange(len(self._rows)), self._rows] = -np.inf  # not its own neighbour
        k = min(self.topn, syn0.shape[0] - 1)
        best = np.argsort(-sims, axis=1)[:, :k]
        keys = model.wv.index_to_key
        self.neighbours.append({w: [keys[j] for j in row]
                                for w, row in zip(self.words, best, strict=True)})
        self._progress.append(float(progress))
        self.labels.append(label)

    def on_train_begin(self, model) -> None:
        missing = [w for w in self.words if w not in model.wv.key_to_index]
        if missing:
            raise KeyError(f"WordPaths: word(s) not in the vocabulary: {missing}")
        self._rows = np.array([model.wv.key_to_index[w] for w in self.words])
        self._epoch = len(model.history)
        self._steps = 0
        if not self.labels:
            self._snapshot(model, self._epoch, "start" if self._epoch == 0
                           else f"epoch {self._epoch}")

    def on_epoch_begin(self, model) -> None:
        self._epoch = len(model.history)

    def on_batch_end(self, model) -> None:
        if self.every is None:
            return
        self._steps += 1
        if self._steps % self.every == 0:
            total = max(model.corpus_total_words, 1)
            done = min(model.last_step.raw_words_done / total, 1.0)
            self._snapshot(model, self._epoch + done, f"epoch {self._epoch + 1}, "
                           f"step {self._steps}")

    def on_epoch_end(self, model) -> None:
        if self.every is None:
            epoch = len(model.history)
            self._snapshot(model, epoch, f"epoch {epoch}")

    def on_train_end(self, model) -> None:
        if self.every is not None:
            epoch = len(model.history)
            self._snapshot(model, epoch, f"epoch {epoch} (end)")
