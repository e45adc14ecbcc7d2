"""The training corpus as integer arrays, and the two ways the engines walk through it.

gensim reads sentences of tokens; before any window is formed it drops out-of-vocabulary words
and, every epoch anew, the words that subsampling discards. Both engines start from the same
encoded corpus:

- ``ids``            (n,)   word ids of the in-vocabulary tokens, all sentences concatenated;
- ``sentence_of``    (n,)   the sentence each token belongs to (windows never cross it);
- ``raw_position``   (n,)   how many raw tokens (out-of-vocabulary ones included) come before
  the token in the corpus: training progress, and so alpha, is measured in raw words, as in
  gensim.

:meth:`EncodedCorpus.jobs` groups sentences the way gensim's job producer does (whole sentences,
at most ``batch_words`` raw words a job). Which tokens each epoch keeps is drawn by
:mod:`w2v_edu.random_streams`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from w2v_edu.vocab import Vocabulary


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
        if sentences is None or isinstance(sentences, (str, bytes)):
            raise TypeError(
                "expected sentences as an iterable of lists of str tokens, "
                f"got {type(sentences).__name__}"
            )
        lookup = vocab.key_to_index
        ids, sentence_of, raw_position, raw_lengths = [], [], [], []
        raw_before = 0
        for s, sentence in enumerate(sentences):
            if isinstance(sentence, (str, bytes)):
                raise TypeError(
                    f"expected sentence {s} to be a list of str tokens, got a plain string "
                    f"({str(sentence)[:40]!r}); split it into tokens first"
                )
            sentence = list(sentence)
            for offset, word in enumerate(sentence):
                i = lookup.get(word)
                if i is not None:
                    ids.append(i)
                    sentence_of.append(s)
                    raw_position.append(raw_before + offset)
            raw_lengths.append(len(sentence))
            raw_before += len(sentence)
        if not raw_lengths:
            raise ValueError("expected a corpus with at least one sentence, got an empty corpus")
        if not ids:
            raise ValueError(
                f"expected at least one in-vocabulary token, got none in {len(raw_lengths)} "
                "sentences (is this the corpus the vocabulary was built from?)"
            )
        sentence_of = np.asarray(sentence_of, dtype=np.int32)
        bounds = np.searchsorted(sentence_of, np.arange(len(raw_lengths) + 1))
        return cls(
            ids=np.asarray(ids, dtype=np.int32),
            sentence_of=sentence_of,
            raw_position=np.asarray(raw_position, dtype=np.int64),
            sentence_bounds=bounds.astype(np.int64),
            raw_lengths=np.asarray(raw_lengths, dtype=np.int64),
        )

    @property
    def total_raw_words(self) -> int:
        """Raw tokens in the corpus, out-of-vocabulary ones included (gensim's total_words)."""
        return int(self.raw_lengths.sum())

    def jobs(self, batch_words: int = 10000) -> Iterator[tuple[int, int, int]]:
        """Group sentences into gensim's jobs: ``(first_sentence, end_sentence, raw_words_before)``.

        A job takes whole sentences while its raw word count stays <= ``batch_words``; a
        sentence that does not fit starts the next job. gensim computes one alpha per job,
        from the raw words pushed before it -- which is why its alpha moves in steps.
        """
        first, size, pushed = 0, 0, 0
        for s, length in enumerate(self.raw_lengths.tolist()):
            if size + length <= batch_words or s == first:
                size += length
                continue
            yield first, s, pushed
            pushed += size
            first, size = s, length
        yield first, len(self.raw_lengths), pushed
