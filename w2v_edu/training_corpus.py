"""The training corpus as integer arrays, and the one pipeline from it to training examples.

gensim reads sentences of tokens; before any window is formed it drops out-of-vocabulary words
and, every epoch anew, the words that subsampling discards. Both engines start from the same
encoded corpus:

- ``ids``            (n,)   word ids of the in-vocabulary tokens, all sentences concatenated;
- ``sentence_of``    (n,)   the sentence each token belongs to (windows never cross it);
- ``raw_position``   (n,)   how many raw tokens (out-of-vocabulary ones included) come before
  the token in the corpus: training progress, and so alpha, is measured in raw words, as in
  gensim.

:meth:`EncodedCorpus.jobs` groups sentences the way gensim's job producer does (whole sentences,
at most ``batch_words`` raw words a job). :func:`epoch_jobs` turns each job into a :class:`Job`:
the tokens subsampling keeps (drawn by :mod:`w2v_edu.random_streams`), at most 10,000 of them
as in gensim, and every kept word's reduced window. Both engines train on these jobs, and the
lessons print their pairs with :meth:`Job.skipgram_pairs` -- one pipeline from text to SGD.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from w2v_edu.checks import check_corpus, check_sentence
from w2v_edu.vocab import Vocabulary
from w2v_edu.windows import pair_positions

MAX_WORDS_IN_JOB = 10000
"""gensim's ``MAX_SENTENCE_LEN``: a job trains at most this many effective words; the rest of
the job (the end of a long sentence, or the sentences after it) is dropped."""


@dataclass(frozen=True)
class EncodedCorpus:
    """Sentences as concatenated word ids (see the module docstring for the arrays)."""

    ids: np.ndarray
    sentence_of: np.ndarray
    raw_position: np.ndarray
    sentence_bounds: np.ndarray
    raw_lengths: np.ndarray

    @classmethod
    def from_sentences(cls, sentences, vocab: Vocabulary) -> EncodedCorpus:
        """Encode ``sentences`` (an iterable of lists of str) with ``vocab``.

        Raises
        ------
        TypeError
            ``sentences`` is None or a plain string, or a sentence is a string.
        ValueError
            No sentence, or not one in-vocabulary token to train on.
        """
        check_corpus(sentences)
        lookup = vocab.key_to_index
        # every raw token's word id, -1 for out-of-vocabulary tokens, sentence after sentence
        raw_ids, raw_lengths = [], []
        for s, sentence in enumerate(sentences):
            sentence = list(check_sentence(sentence, s))
            raw_ids.extend([lookup.get(word, -1) for word in sentence])
            raw_lengths.append(len(sentence))
        if not raw_lengths:
            raise ValueError("expected a corpus with at least one sentence, got an empty corpus")
        raw_ids = np.asarray(raw_ids, dtype=np.int64)
        raw_lengths = np.asarray(raw_lengths, dtype=np.int64)
        known = raw_ids >= 0
        # the kept tokens' sentence and their position among all raw tokens
        sentence_of = np.repeat(np.arange(raw_lengths.shape[0], dtype=np.int32), raw_lengths)
        sentence_of = sentence_of[known]
        bounds = np.searchsorted(sentence_of, np.arange(raw_lengths.shape[0] + 1))
        return cls(
            ids=raw_ids[known].astype(np.int32),
            sentence_of=sentence_of,
            raw_position=np.flatnonzero(known).astype(np.int64),
            sentence_bounds=bounds.astype(np.int64),
            raw_lengths=raw_lengths,
        )

    @property
    def total_raw_words(self) -> int:
        """Raw tokens in the corpus, out-of-vocabulary ones included (gensim's total_words)."""
        return int(self.raw_lengths.sum())

    @property
    def corpus_count(self) -> int:
        """Sentences in the corpus (gensim's ``corpus_count``)."""
        return int(self.raw_lengths.shape[0])

    def jobs(self, batch_words: int = 10000) -> Iterator[tuple[int, int, int]]:
        """Group sentences into gensim's jobs: ``(first_sentence, end_sentence, raw_words_before)``.

        A job takes whole sentences while its raw word count stays <= ``batch_words``; a
        sentence that does not fit starts the next job. gensim computes one alpha per job,
        from the progress before it -- which is why its alpha moves in steps. As in gensim's
        ``_job_producer``, a first sentence longer than ``batch_words`` is preceded by an
        *empty* job (first == end), which still costs its random draws.
        """
        first, size, pushed = 0, 0, 0
        for s, length in enumerate(self.raw_lengths.tolist()):
            if size + length <= batch_words:
                size += length
                continue
            yield first, s, pushed
            pushed += size
            first, size = s, length
        if size or first < len(self.raw_lengths):
            yield first, len(self.raw_lengths), pushed


@dataclass(frozen=True)
class Job:
    """One of gensim's jobs, ready to train: the kept tokens of whole sentences and their windows.

    Attributes
    ----------
    epoch : int
    alpha : float
        The learning rate of the job (one per job, as in gensim).
    raw_before, raw_words : int
        Raw words of the epoch before the job, and in it.
    ids : ndarray of int32, shape (n,)
        Word ids the job trains on, in corpus order: out-of-vocabulary and subsampled tokens
        removed, at most :data:`MAX_WORDS_IN_JOB`.
    sentence_of : ndarray of int32, shape (n,)
        Sentence of each token (windows never cross a sentence).
    windows : ndarray of int64, shape (n,)
        Effective window b_i of each centre position, uniform in 1..window (or ``window``).
    """

    epoch: int
    alpha: float
    raw_before: int
    raw_words: int
    ids: np.ndarray
    sentence_of: np.ndarray
    windows: np.ndarray

    def pair_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(context position, centre position) of every skip-gram pair, gensim's order, (P,) each.

        Sentence by sentence; within one, centre ascending, then context ascending.
        """
        starts = np.flatnonzero(np.r_[True, self.sentence_of[1:] != self.sentence_of[:-1]])
        ends = np.r_[starts[1:], self.ids.shape[0]]
        contexts, centres = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
            j, i = pair_positions(self.windows[s0:s1])
            contexts.append(j + s0)
            centres.append(i + s0)
        return np.concatenate(contexts), np.concatenate(centres)

    def skipgram_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(context word, centre word) ids of every pair the job trains on, (P,) each."""
        j, i = self.pair_positions()
        return self.ids[j], self.ids[i]

    def cbow_contexts(self) -> tuple[np.ndarray, np.ndarray]:
        """Every centre position's context words, for CBOW: ``(context_ids (P,), starts (n+1,))``.

        The context words of centre position i, in window order (left to right, the centre
        itself left out), are ``context_ids[starts[i]:starts[i + 1]]`` -- the same windows as
        :meth:`pair_positions`, grouped by centre. A centre alone in its sentence has none.
        """
        j, i = self.pair_positions()
        starts = np.zeros(self.ids.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(i, minlength=self.ids.shape[0]), out=starts[1:])
        return self.ids[j], starts


def epoch_jobs(corpus: EncodedCorpus, plan, draws, epoch: int) -> Iterator[Job]:
    """The jobs of one epoch, with every random draw of the text pipeline taken in gensim's order.

    For each job of :meth:`EncodedCorpus.jobs`: ``draws.start_job()``; subsampling keeps token t
    with probability ``plan.keep_prob[w_t]`` (at most :data:`MAX_WORDS_IN_JOB` kept tokens; no
    draw after the cap, as in gensim); then one reduced window per kept token.

    Parameters
    ----------
    corpus : EncodedCorpus
    plan : :class:`~w2v_edu.training_plan.TrainingPlan`
    draws : :class:`~w2v_edu.random_streams.NumpyDraws` or ``GensimDraws``
    epoch : int
        Epoch number within the ``train()`` call (for alpha).
    """
    bounds = corpus.sentence_bounds
    for first, end, raw_before in corpus.jobs(plan.batch_words):
        lo, hi = bounds[first], bounds[end]
        draws.start_job()
        keep = draws.keep(corpus.ids[lo:hi], plan.keep_prob, MAX_WORDS_IN_JOB)
        ids = corpus.ids[lo:hi][keep][:MAX_WORDS_IN_JOB]
        sentence_of = corpus.sentence_of[lo:hi][keep][:MAX_WORDS_IN_JOB]
        n = ids.shape[0]
        # reduced window b_i uniform in 1..window, one per kept word of the job
        windows = draws.windows(n, plan.window) if plan.shrink_windows else np.full(n, plan.window)
        progress = plan.epoch_progress(first, raw_before)
        yield Job(
            epoch=epoch, alpha=plan.alpha_at(epoch, progress), raw_before=raw_before,
            raw_words=int(corpus.raw_lengths[first:end].sum()), ids=ids,
            sentence_of=sentence_of, windows=np.asarray(windows, dtype=np.int64),
        )
