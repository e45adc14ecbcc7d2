r"""One description of a training run: :class:`TrainingPlan`, built once by ``Word2Vec.train``.

Everything an engine needs to know besides the weights and the corpus lives here, in gensim's
names: the model (``sg``, ``cbow_mean``), the windows, the output layers (``negative`` noise words,
and/or the Huffman paths of hierarchical softmax as padded arrays), the keep probabilities of
subsampling, the saturation cut ``max_exp``, the sigmoid (exact or gensim's table), job and batch
sizes, and the learning-rate schedule of this ``train()`` call:

.. math:: \alpha = \max\bigl(\alpha_{\min},\ \alpha_0 - (\alpha_0 - \alpha_{\min})\,
          \tfrac{\text{epoch} + \text{epoch progress}}{\text{epochs}}\bigr)

(gensim's ``_get_next_alpha``). Epoch progress is measured as gensim does: in sentences when the
number of sentences is known (``total_examples``), else in raw words (``total_words``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrainingPlan:
    """What to train and how (see the module docstring). Immutable; one per ``train()`` call.

    Attributes
    ----------
    sg, cbow_mean : int
        1 for skip-gram, 0 for CBOW; CBOW's input is the mean (1) or the sum (0) of the context.
    window : int
        Largest distance between a centre and a context word.
    shrink_windows : bool
        Reduced windows: each centre word's window uniform in 1..window.
    negative : int
        k, noise words per target (0: no negative sampling).
    hs : int
        1 for hierarchical softmax.
    keep_prob : ndarray, shape (V,), or None
        Subsampling keep probability of every word (None: keep all).
    huffman_points, huffman_codes : ndarray of int, shape (V, L_max), or None
        Each word's Huffman path: inner nodes (rows of ``syn1``) and branch codes, padded.
    huffman_lengths : ndarray of int, shape (V,), or None
        Path lengths L_w.
    max_exp : float or None
        Targets with |f| >= max_exp are skipped (gensim: 6); None updates all.
    exp_table : bool
        Read sigma from gensim's 1000-entry table (per-pair engine).
    alpha, min_alpha : float
        Learning rate at the start and at the end of this ``train()`` call.
    epochs : int
        Epochs of this ``train()`` call.
    total_examples, total_words : int or None
        Sentences / raw words per epoch, for the progress that drives alpha (examples first).
    batch_words : int
        Raw words per job (gensim's jobs; one alpha per job).
    batch_size : int
        Centre words per mini-batch (mini-batch engine).
    cbow_update : {"gensim", "exact_gradient"}
        CBOW only: how the context rows are updated -- gensim's rule (every context row gets the
        whole ``work``, ``work / m`` with the sum) or the exact gradient of the CBOW loss.
    noise_group, noise_pool : int
        Mini-batch engine, skip-gram with negative sampling: consecutive input positions that
        share one draw of noise words, and how many noise words (K) they share, each weighted
        ``negative / K``.
    """

    sg: int
    cbow_mean: int
    window: int
    shrink_windows: bool
    negative: int
    hs: int
    keep_prob: np.ndarray | None
    huffman_points: np.ndarray | None
    huffman_codes: np.ndarray | None
    huffman_lengths: np.ndarray | None
    max_exp: float | None
    exp_table: bool
    alpha: float
    min_alpha: float
    epochs: int
    total_examples: int | None
    total_words: int | None
    batch_words: int = 10000
    batch_size: int = 128
    cbow_update: str = "gensim"
    noise_group: int = 16
    noise_pool: int = 48

    def epoch_progress(self, examples_before: int, raw_words_before: int) -> float:
        """Fraction of an epoch done before a job, gensim's way (sentences if known, else words)."""
        if self.total_examples:
            return examples_before / self.total_examples
        return raw_words_before / self.total_words

    def alpha_at(self, epoch: int, epoch_progress: float) -> float:
        """Learning rate for a job starting at ``epoch_progress`` into epoch ``epoch``."""
        progress = (epoch + epoch_progress) / self.epochs
        # alpha = alpha_0 - (alpha_0 - min_alpha) * progress, never below min_alpha
        return max(self.min_alpha, self.alpha - (self.alpha - self.min_alpha) * progress)

    def huffman_path(self, word: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner nodes (L_w,) and their labels ``1 - code`` (L_w,) on ``word``'s path."""
        n = self.huffman_lengths[word]
        return self.huffman_points[word, :n], 1.0 - self.huffman_codes[word, :n]

    def initial_loss_per_example(self, counts: np.ndarray) -> float:
        """Loss of one training example when every output vector is zero.

        Every score is 0 and sigma(0) = 1/2, so each target costs log 2: ``(1 + negative) log 2``
        for negative sampling, ``E[L_w] log 2`` for hierarchical softmax (path length averaged
        over words by frequency). The divergence check compares against it.
        """
        loss = 0.0
        if self.negative:
            loss += (1 + self.negative) * np.log(2.0)
        if self.hs:
            loss += float(np.dot(counts, self.huffman_lengths) / counts.sum()) * np.log(2.0)
        return float(loss)
