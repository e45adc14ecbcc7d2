"""The vocabulary: word counts, ``min_count``, ``max_final_vocab``, word <-> index.

Built the way gensim 4.4's ``Word2Vec.build_vocab`` builds it, so that word ``i`` here is
word ``i`` in gensim (tested on the Lee corpus):

1. count every token, remembering the order in which words were first seen;
2. keep the words with ``count >= effective_min_count`` (``max_final_vocab`` may raise it);
3. sort by descending count. **Tie-break:** among words with the same count, the word that
   was *first seen later* in the corpus comes first. This is what gensim's
   ``sort_by_descending_frequency`` does (``np.lexsort((-first_seen, -count))``); it is
   deterministic: the same corpus always gives the same order.

What lives here: counting and indexing. What does not: dropping frequent words at training
time (``subsampling``), the noise distribution (``noise``), the Huffman tree (``huffman``).
"""

import numbers

import numpy as np


def _count_tokens(sentences):
    """Count tokens in first-seen order, validating the corpus as we go."""
    if sentences is None:
        raise TypeError("expected sentences to be an iterable of lists of str tokens, got None")
    if isinstance(sentences, (str, bytes)):
        raise TypeError(
            "expected sentences to be an iterable of lists of str tokens, got a plain "
            f"{type(sentences).__name__} (did you forget to tokenize?)"
        )
    try:
        iterator = iter(sentences)
    except TypeError:
        raise TypeError(
            "expected sentences to be an iterable of lists of str tokens, "
            f"got {type(sentences).__name__}"
        ) from None
    counts = {}  # dicts keep insertion order = first-seen order
    total_words = 0
    n_sentences = 0
    for s_no, sentence in enumerate(iterator):
        if isinstance(sentence, (str, bytes)):
            raise TypeError(
                f"expected sentence {s_no} to be a list of str tokens, got a plain "
                f"{type(sentence).__name__} {sentence[:30]!r}"
            )
        try:
            tokens = list(sentence)
        except TypeError:
            raise TypeError(
                f"expected sentence {s_no} to be a list of str tokens, "
                f"got {type(sentence).__name__}"
            ) from None
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(
                    f"expected every token to be a str, got {type(token).__name__} "
                    f"{token!r} in sentence {s_no}"
                )
            counts[token] = counts.get(token, 0) + 1
        total_words += len(tokens)
        n_sentences += 1
    if n_sentences == 0:
        raise ValueError("expected a corpus with at least one sentence, got an empty corpus")
    if total_words == 0:
        raise ValueError(
            f"expected at least one token in the corpus, got {n_sentences} empty sentence(s)"
        )
    return counts, total_words, n_sentences


def _check_count_arg(name, value, allow_none=False):
    if value is None and allow_none:
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected {name} to be a non-negative int, got {value!r}")


class Vocabulary:
    """Words kept for training, sorted by descending count.

    Build one with :meth:`Vocabulary.build`.

    Attributes
    ----------
    index_to_key : list of str, length V
        Word of each index; index 0 is the most frequent word.
    key_to_index : dict[str, int]
        Inverse of ``index_to_key``.
    counts : numpy.ndarray of int64, shape (V,)
        ``counts[i]`` = number of occurrences of ``index_to_key[i]`` in the corpus.
    total_words : int
        Raw tokens seen, including words dropped by ``min_count``.
    retained_words : int
        Tokens whose word is kept (``counts.sum()``); gensim's ``retain_total``, the
        total used by subsampling.
    corpus_count : int
        Number of sentences (documents) read.
    min_count, max_final_vocab : int, int or None
        The settings asked for.
    effective_min_count : int
        The threshold actually applied (``max_final_vocab`` may raise ``min_count``).
    """

    def __init__(self, index_to_key, counts, total_words, corpus_count=0, min_count=1,
                 max_final_vocab=None, effective_min_count=None):
        counts = np.asarray(counts, dtype=np.int64)
        if counts.ndim != 1 or len(counts) != len(index_to_key):
            raise ValueError(
                f"expected counts of shape ({len(index_to_key)},) to match index_to_key, "
                f"got shape {counts.shape}"
            )
        if len(set(index_to_key)) != len(index_to_key):
            raise ValueError("expected index_to_key to hold distinct words, got duplicates")
        self.index_to_key = list(index_to_key)
        self.key_to_index = {word: i for i, word in enumerate(self.index_to_key)}
        self.counts = counts
        self.total_words = int(total_words)
        self.retained_words = int(counts.sum())
        self.corpus_count = int(corpus_count)
        self.min_count = min_count
        self.max_final_vocab = max_final_vocab
        self.effective_min_count = (
            min_count if effective_min_count is None else effective_min_count
        )

    @classmethod
    def build(cls, sentences, min_count=5, max_final_vocab=None):
        """Count the words of ``sentences`` and keep the frequent ones.

        Parameters
        ----------
        sentences : iterable of list of str
            The tokenized corpus, e.g. from :func:`w2v_edu.text.read_lines_corpus`.
            Read once (a generator is fine).
        min_count : int
            Drop words that occur fewer than ``min_count`` times (gensim's default 5).
        max_final_vocab : int or None
            Keep at most about this many words: like gensim, raise the threshold to
            ``count of the (max_final_vocab+1)-th most frequent word + 1`` when needed.
            Because whole count levels are dropped, fewer words may remain.

        Returns
        -------
        Vocabulary

        Raises
        ------
        TypeError
            ``None``, a plain string, a sentence that is a string, a token that is not a str.
        ValueError
            An empty corpus, a bad ``min_count``, or a ``min_count`` that removes every word.
        """
        _check_count_arg("min_count", min_count)
        _check_count_arg("max_final_vocab", max_final_vocab, allow_none=True)
        raw, total_words, n_sentences = _count_tokens(sentences)

        effective_min_count = min_count
        if max_final_vocab is not None:
            by_count = sorted(raw.values(), reverse=True)
            needed = 1
            if max_final_vocab < len(by_count):
                needed = by_count[max_final_vocab] + 1
            effective_min_count = max(needed, min_count)

        words = [w for w, c in raw.items() if c >= effective_min_count]
        if not words:
            raise ValueError(
                f"expected at least one word with count >= min_count={effective_min_count}, "
                f"got none (the most frequent word occurs {max(raw.values())} times)"
            )
        counts = np.array([raw[w] for w in words], dtype=np.int64)
        first_seen = np.arange(len(words))
        # Primary key: count descending; tie-break: first seen later comes first (as gensim).
        order = np.lexsort((-first_seen, -counts))
        return cls(
            [words[i] for i in order], counts[order], total_words,
            corpus_count=n_sentences, min_count=min_count,
            max_final_vocab=max_final_vocab, effective_min_count=effective_min_count,
        )

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    def __getitem__(self, word):
        """Index of ``word``; ``KeyError`` naming the word if it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary of {len(self)} words") from None

    def __repr__(self):
        head = ", ".join(self.index_to_key[:5])
        return (
            f"Vocabulary(V={len(self)}, min_count={self.effective_min_count}, "
            f"retained_words={self.retained_words}, total_words={self.total_words}, "
            f"most frequent: {head}{', ...' if len(self) > 5 else ''})"
        )

    def encode(self, sentence):
        """Word ids of one sentence, out-of-vocabulary words dropped.

        Parameters
        ----------
        sentence : list of str, length n

        Returns
        -------
        numpy.ndarray of int32, shape (m,), m <= n
        """
        if isinstance(sentence, (str, bytes)):
            raise TypeError(
                f"expected a list of str tokens, got a plain {type(sentence).__name__}"
            )
        lookup = self.key_to_index
        return np.fromiter(
            (lookup[w] for w in sentence if w in lookup), dtype=np.int32
        )

    def encode_corpus(self, sentences):
        """:meth:`encode` every sentence; returns a list of int32 arrays (some may be empty)."""
        if sentences is None or isinstance(sentences, (str, bytes)):
            raise TypeError(
                "expected sentences to be an iterable of lists of str tokens, "
                f"got {type(sentences).__name__}"
            )
        return [self.encode(s) for s in sentences]

    def decode(self, ids):
        """Words of an array of ids: ``[index_to_key[i] for i in ids]``."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise IndexError(
                f"expected ids in 0..{len(self) - 1}, got values in {ids.min()}..{ids.max()}"
            )
        return [self.index_to_key[int(i)] for i in ids.ravel()]
