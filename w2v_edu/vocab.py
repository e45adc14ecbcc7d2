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

import numpy as np

from w2v_edu.checks import check_corpus, check_int, check_sentence

RULE_DEFAULT, RULE_DISCARD, RULE_KEEP = 0, 1, 2
"""What a ``trim_rule(word, count, min_count)`` returns (gensim's ``gensim.utils`` values)."""


def keep_word(word, count, min_count, trim_rule=None) -> bool:
    """gensim's ``keep_vocab_item``: ``count >= min_count`` unless ``trim_rule`` decides."""
    if trim_rule is not None:
        decision = trim_rule(word, count, min_count)
        if decision == RULE_KEEP:
            return True
        if decision == RULE_DISCARD:
            return False
    return count >= min_count


def count_tokens(sentences, max_vocab_size=None, trim_rule=None):
    """Count tokens in first-seen order, validating the corpus as we go.

    With ``max_vocab_size``, whenever more than that many distinct words have been seen, words
    with count < 1, then < 2, ... are forgotten, as gensim's ``scan_vocab`` does (their counts
    are lost; a later occurrence starts again from 1).

    Returns ``(counts, total_words, n_sentences)``: a dict word -> count in first-seen order, the
    raw tokens and the sentences seen.
    """
    check_corpus(sentences)
    counts = {}  # dicts keep insertion order = first-seen order
    total_words = 0
    n_sentences = 0
    min_reduce = 1
    for s_no, sentence in enumerate(sentences):
        tokens = list(check_sentence(sentence, s_no))
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(
                    f"expected every token to be a str, got {type(token).__name__} "
                    f"{token!r} in sentence {s_no}"
                )
            counts[token] = counts.get(token, 0) + 1
        total_words += len(tokens)
        n_sentences += 1
        if max_vocab_size and len(counts) > max_vocab_size:
            rare = [w for w, c in counts.items() if not keep_word(w, c, min_reduce, trim_rule)]
            for word in rare:
                del counts[word]
            min_reduce += 1
    return counts, total_words, n_sentences


def _count_tokens(sentences, max_vocab_size=None, trim_rule=None):
    counts, total_words, n_sentences = count_tokens(sentences, max_vocab_size, trim_rule)
    if n_sentences == 0:
        raise ValueError("expected a corpus with at least one sentence, got an empty corpus")
    if total_words == 0:
        raise ValueError(
            f"expected at least one token in the corpus, got {n_sentences} empty sentence(s)"
        )
    return counts, total_words, n_sentences


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
    def build(cls, sentences, min_count=5, max_final_vocab=None, trim_rule=None,
              max_vocab_size=None, sorted_vocab=True):
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
        trim_rule : callable or None
            gensim's ``trim_rule(word, count, min_count)`` returning ``RULE_KEEP``,
            ``RULE_DISCARD`` or ``RULE_DEFAULT`` (see :func:`keep_word`).
        max_vocab_size : int or None
            Forget rare words while counting whenever more distinct words were seen (gensim's).
        sorted_vocab : bool
            Sort by descending count (gensim's default); False keeps first-seen order.

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
        check_int("min_count", min_count, 0)
        if max_final_vocab is not None:
            check_int("max_final_vocab", max_final_vocab, 1)
        if max_vocab_size is not None:
            check_int("max_vocab_size", max_vocab_size, 1)
        raw, total_words, n_sentences = _count_tokens(sentences, max_vocab_size, trim_rule)

        effective_min_count = min_count
        if max_final_vocab is not None:
            by_count = sorted(raw.values(), reverse=True)
            needed = 1
            if max_final_vocab < len(by_count):
                needed = by_count[max_final_vocab] + 1
            effective_min_count = max(needed, min_count)

        words = [w for w, c in raw.items() if keep_word(w, c, effective_min_count, trim_rule)]
        if not words:
            raise ValueError(
                f"expected at least one word with count >= min_count={effective_min_count}, "
                f"got none (the most frequent word occurs {max(raw.values())} times)"
            )
        counts = np.array([raw[w] for w in words], dtype=np.int64)
        first_seen = np.arange(len(words))
        # Primary key: count descending; tie-break: first seen later comes first (as gensim).
        order = np.lexsort((-first_seen, -counts)) if sorted_vocab else first_seen
        return cls(
            [words[i] for i in order], counts[order], total_words,
            corpus_count=n_sentences, min_count=min_count,
            max_final_vocab=max_final_vocab, effective_min_count=effective_min_count,
        )

    def updated(self, sentences, trim_rule=None, max_vocab_size=None):
        """The vocabulary after gensim's online update ``build_vocab(sentences, update=True)``.

        Words of ``sentences`` that pass ``effective_min_count`` (or ``trim_rule``) on their
        counts *in these sentences* are added at the end, in first-seen order; the counts of known
        words grow by their new counts; nothing is re-sorted, so every old word keeps its index.

        Returns
        -------
        (Vocabulary, dict)
            The new vocabulary, and the counts of ``sentences`` alone (``{word: count}``, the
            words kept by the rule), which gensim uses for the new keep probabilities.
        """
        raw, total_words, n_sentences = count_tokens(sentences, max_vocab_size, trim_rule)
        kept = {w: c for w, c in raw.items()
                if keep_word(w, c, self.effective_min_count, trim_rule)}
        words = self.index_to_key + [w for w in kept if w not in self.key_to_index]
        lookup = {w: i for i, w in enumerate(words)}
        counts = np.concatenate([self.counts, np.zeros(len(words) - len(self), np.int64)])
        for w, c in raw.items():
            if w in lookup:
                counts[lookup[w]] += c
        new = Vocabulary(words, counts, total_words, corpus_count=n_sentences,
                         min_count=self.min_count, max_final_vocab=self.max_final_vocab,
                         effective_min_count=self.effective_min_count)
        return new, kept

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
        check_sentence(sentence, 0)
        lookup = self.key_to_index
        return np.fromiter(
            (lookup[w] for w in sentence if w in lookup), dtype=np.int32
        )

    def encode_corpus(self, sentences):
        """:meth:`encode` every sentence; returns a list of int32 arrays (some may be empty)."""
        check_corpus(sentences)
        return [self.encode(s) for s in sentences]

    def decode(self, ids):
        """Words of an array of ids: ``[index_to_key[i] for i in ids]``."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise IndexError(
                f"expected ids in 0..{len(self) - 1}, got values in {ids.min()}..{ids.max()}"
            )
        return [self.index_to_key[int(i)] for i in ids.ravel()]
