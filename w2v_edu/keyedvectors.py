"""Trained word vectors and the queries learners run on them, with gensim's API.

A :class:`KeyedVectors` holds one vector per word: ``vectors`` is a float32 array of shape
``(V, d)`` whose row ``i`` belongs to ``index_to_key[i]``. It answers the same questions as
``gensim.models.KeyedVectors`` (gensim 4.4) with the same names and the same numbers:

* ``most_similar`` / ``most_similar_cosmul`` / ``similarity`` / ``doesnt_match``;
* ``evaluate_word_pairs`` (WordSim353, SimLex-999) and ``evaluate_word_analogies``
  (Google analogies, 3CosAdd);
* ``save_word2vec_format`` / ``load_word2vec_format``: the word2vec.c text and binary files,
  byte for byte the files gensim writes, and readable by gensim.

Notation used in the docstrings: ``V`` words, ``d`` = ``vector_size`` dimensions, ``x_w`` the
vector of word ``w`` and ``x̂_w = x_w / ||x_w||`` its unit vector, ``cos(a, b) = x̂_a · x̂_b``.

What does *not* live here: training (``w2v_edu.word2vec``) and the evaluation table that
combines several benchmarks (``w2v_edu.evaluation``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from numbers import Integral

import numpy as np

__all__ = ["KeyedVectors"]

#: 3CosMul's denominator guard, the same constant gensim adds (Levy & Goldberg 2014).
COSMUL_EPSILON = 1e-6


def _as_list(value, name: str) -> list:
    """Accept one word / one vector / a list of them for ``positive`` and ``negative``."""
    if value is None:
        return []
    if isinstance(value, (str, Integral)):
        return [value]
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return [value]
        if value.ndim == 2:
            return list(value)
        raise ValueError(f"expected {name} as a word, a 1-D vector or a list of them, "
                         f"got an array of shape {value.shape}")
    if isinstance(value, Iterable):
        return list(value)
    raise TypeError(f"expected {name} as a word or a list of words, got {type(value).__name__}")


class KeyedVectors:
    """Word vectors: a vocabulary and a float32 matrix with one row per word.

    Parameters
    ----------
    index_to_key : sequence of str, length V
        The words, row order of ``vectors`` (usually by descending corpus frequency).
    vectors : array_like, shape (V, d)
        One row per word; stored as a C-contiguous float32 array (like gensim's ``REAL``).
        A float32 C-contiguous array is kept as is, not copied, so a trainer may keep
        updating it in place and every query sees the current values.
    counts : array_like of int, shape (V,), optional
        Corpus counts of the words, if known (``get_vecattr(word, "count")``).

    Attributes
    ----------
    index_to_key : list of str, length V
    key_to_index : dict[str, int]
        ``key_to_index[index_to_key[i]] == i``.
    vectors : numpy.ndarray, shape (V, d), float32
    vector_size : int
        ``d``.
    counts : numpy.ndarray, shape (V,), int64, or None

    Raises
    ------
    TypeError
        A key that is not a ``str``.
    ValueError
        ``vectors`` not 2-D, a row count that differs from the number of words, duplicate
        words, or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> wv = KeyedVectors(["cat", "dog", "car"], np.eye(3))
    >>> wv["dog"].shape
    (3,)
    >>> round(wv.similarity("cat", "dog"), 3)
    0.0
    """

    def __init__(self, index_to_key: Sequence[str], vectors, counts=None):
        if isinstance(index_to_key, str) or not isinstance(index_to_key, Iterable):
            raise TypeError("expected index_to_key as a list of words (str), got "
                            f"{type(index_to_key).__name__}")
        keys = list(index_to_key)
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise TypeError(f"expected every key to be a str, got {type(key).__name__} "
                                f"{key!r} at index {i}")
        arr = np.asarray(vectors)
        if arr.ndim != 2:
            raise ValueError("expected vectors of shape (n_words, vector_size) = "
                             f"({len(keys)}, d), got shape {arr.shape}")
        if arr.shape[0] != len(keys):
            raise ValueError(f"expected vectors of shape ({len(keys)}, d) (one row per key), "
                             f"got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise TypeError(f"expected real-valued vectors, got dtype {arr.dtype}")
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        if not np.all(np.isfinite(arr)):
            bad = int(np.flatnonzero(~np.all(np.isfinite(arr), axis=1))[0])
            raise ValueError(f"expected finite vectors, got a NaN/inf in the row of {keys[bad]!r}")
        key_to_index = {}
        for i, key in enumerate(keys):
            if key in key_to_index:
                raise ValueError(f"expected unique keys, got {key!r} at indices "
                                 f"{key_to_index[key]} and {i}")
            key_to_index[key] = i
        if counts is not None:
            counts = np.asarray(counts)
            if counts.shape != (len(keys),) or not np.issubdtype(counts.dtype, np.integer):
                raise ValueError(f"expected counts as integers of shape ({len(keys)},), "
                                 f"got {counts.dtype} of shape {counts.shape}")
            counts = counts.astype(np.int64)
        self.index_to_key: list[str] = keys
        self.key_to_index: dict[str, int] = key_to_index
        self.vectors: np.ndarray = arr
        self.counts = counts

    # ------------------------------------------------------------------ basics
    @property
    def vector_size(self) -> int:
        """``d``, the number of dimensions."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key) -> bool:
        """A word of the vocabulary, or -- as in gensim -- an integer index 0..V-1."""
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            return 0 <= key < len(self)
        return isinstance(key, str) and key in self.key_to_index

    def __repr__(self) -> str:
        return f"KeyedVectors<{len(self)} words, vector_size={self.vector_size}>"

    def has_index_for(self, key) -> bool:
        """True when ``key`` is a word of the vocabulary (gensim's name)."""
        return key in self

    def get_index(self, key) -> int:
        """Row index of a word (an int index in range is returned unchanged, like gensim).

        Raises
        ------
        KeyError
            The word is not in the vocabulary; the message names it.
        """
        if isinstance(key, str):
            try:
                return self.key_to_index[key]
            except KeyError:
                raise KeyError(f"word {key!r} not in vocabulary of {len(self)} words") from None
        if isinstance(key, Integral) and not isinstance(key, bool):
            if 0 <= key < len(self):
                return int(key)
            raise KeyError(f"index {key} out of range for a vocabulary of {len(self)} words")
        raise TypeError(f"expected a word (str), got {type(key).__name__} {key!r}")

    def get_vector(self, key, norm: bool = False) -> np.ndarray:
        """The vector ``x_w`` of shape (d,), or ``x̂_w`` when ``norm=True``.

        Returns a view into ``vectors`` when ``norm`` is False (like gensim).
        """
        row = self.vectors[self.get_index(key)]
        if norm:
            return row / np.linalg.norm(row)
        return row

    def __getitem__(self, key_or_keys) -> np.ndarray:
        """``wv["cat"]`` -> (d,) vector; ``wv[["cat", "dog"]]`` -> (2, d) array."""
        if isinstance(key_or_keys, (str, Integral)):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(key) for key in key_or_keys])

    def get_vecattr(self, key, attr: str):
        """gensim's per-word attribute lookup; only ``"count"`` is stored here."""
        if attr != "count":
            raise KeyError("expected attr 'count' (the only per-word attribute stored), "
                           f"got {attr!r}")
        if self.counts is None:
            raise KeyError("these vectors carry no word counts")
        return int(self.counts[self.get_index(key)])

    @property
    def norms(self) -> np.ndarray:
        """``||x_w||`` for every word, shape (V,), float32.

        Recomputed on every access (about a millisecond for 10k x 100), so vectors changed
        in place by training are never stale -- unlike a cached copy.
        """
        return np.linalg.norm(self.vectors, axis=1)

    def get_normed_vectors(self) -> np.ndarray:
        """All unit vectors ``x̂_w``, shape (V, d), float32 (a new array)."""
        return self.vectors / self.norms[:, None]

    # ------------------------------------------------------------- similarity
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity ``cos(w1, w2) = x̂_w1 · x̂_w2`` (a float in [-1, 1])."""
        a = self.get_vector(w1)
        b = self.get_vector(w2)
        return float(np.dot(a / np.linalg.norm(a), b / np.linalg.norm(b)))

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - cos(w1, w2)``."""
        return 1.0 - self.similarity(w1, w2)

    def _query_terms(self, positive, negative):
        """Split a query into unit vectors, weights and the row indices of words in it."""
        terms = [(item, 1.0) for item in _as_list(positive, "positive")]
        terms += [(item, -1.0) for item in _as_list(negative, "negative")]
        if not terms:
            raise ValueError("expected at least one word in positive or negative, got none")
        units, weights, rows = [], [], []
        for item, default_weight in terms:
            weight = default_weight
            if isinstance(item, tuple):  # gensim allows (word, weight) pairs
                if len(item) != 2:
                    raise ValueError(f"expected a (word, weight) pair, got {item!r}")
                item, weight = item
            if isinstance(item, np.ndarray):
                if item.shape != (self.vector_size,):
                    raise ValueError(f"expected a query vector of shape ({self.vector_size},), "
                                     f"got shape {item.shape}")
                # gensim takes raw query vectors as they are (not re-normalised)
                units.append(item.astype(np.float32))
            else:
                index = self.get_index(item)
                rows.append(index)
                units.append(self.get_vector(index, norm=True))
            weights.append(weight)
        return units, np.asarray(weights, dtype=np.float32), rows

    def _top(self, scores: np.ndarray, topn: int, exclude: Sequence[int], offset: int = 0):
        """Best ``topn`` entries of ``scores`` (V',), skipping the rows in ``exclude``."""
        k = min(topn + len(exclude), scores.size)
        best = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
        best = best[np.argsort(-scores[best], kind="stable")]
        excluded = set(exclude)
        result = [(self.index_to_key[i + offset], float(scores[i]))
                  for i in best if i + offset not in excluded]
        return result[:topn]

    def most_similar(self, positive=None, negative=None, topn: int | None = 10,
                     restrict_vocab: int | None = None):
        """Words closest to the mean of the query's unit vectors (3CosAdd for analogies).

        ``q = unit( Σ_i s_i x̂_i / Σ_i |s_i| )`` with sign ``s_i = +1`` for a positive and
        ``-1`` for a negative word; every word ``w`` gets ``cos(q, x_w)``. The query words
        themselves are left out, as in gensim and word2vec.c's ``distance``.

        Parameters
        ----------
        positive, negative : str or list of str, optional
            Words (or (d,) vectors, or (word, weight) pairs) pulling towards / away.
        topn : int or None
            Length of the answer; ``None`` returns the (V',) array of all similarities.
        restrict_vocab : int, optional
            Only search the first ``restrict_vocab`` words (the most frequent ones).

        Returns
        -------
        list of (str, float)
            ``topn`` pairs (word, cosine), best first.

        Raises
        ------
        KeyError
            A query word is not in the vocabulary (the message names it).

        Examples
        --------
        ``wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)``
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        units, weights, rows = self._query_terms(positive, negative)
        mean = np.zeros(self.vector_size, dtype=np.float32)
        for unit, weight in zip(units, weights, strict=True):
            mean += weight * unit
        mean /= np.abs(weights).sum()
        mean_norm = np.linalg.norm(mean)
        if mean_norm > 0:
            mean = (mean / mean_norm).astype(np.float32)
        end = len(self) if not restrict_vocab else min(int(restrict_vocab), len(self))
        block = self.vectors[:end]
        # cos(q, x_w) = q · x_w / ||x_w||          (q has unit length)
        scores = block @ mean / np.linalg.norm(block, axis=1)
        if topn is None:
            return scores
        return self._top(scores, int(topn), rows)

    def similar_by_word(self, word: str, topn: int = 10, restrict_vocab: int | None = None):
        """``most_similar(positive=[word])``."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn: int = 10, restrict_vocab: int | None = None):
        """Words closest to a raw (d,) vector (nothing excluded)."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn,
                                 restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn: int | None = 10,
                            restrict_vocab: int | None = None):
        """3CosMul (Levy & Goldberg 2014): multiply shifted cosines instead of adding them.

        Each cosine is shifted into [0, 1] by ``c'(a, w) = (1 + cos(a, w)) / 2`` and word ``w``
        scores ``Π_{a ∈ positive} c'(a, w) / (Π_{b ∈ negative} c'(b, w) + 1e-6)``.
        Query words are left out of the answer.

        Parameters
        ----------
        positive, negative : str or list of str
            As in :meth:`most_similar` (at least one positive word is needed).
        topn : int or None
            ``None`` returns the (V',) array of all scores.
        restrict_vocab : int, optional
            Only search the first ``restrict_vocab`` words. (gensim 4.4 accepts this argument
            but ignores it and scores every word; here it does what it says, so on a large
            vocabulary the two can differ.)

        Returns
        -------
        list of (str, float)
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        pos_terms = _as_list(positive, "positive")
        neg_terms = _as_list(negative, "negative")
        if not pos_terms:
            raise ValueError("expected at least one positive word for most_similar_cosmul, "
                             "got none")
        pos_units, _, pos_rows = self._query_terms(pos_terms, None)
        neg_units, _, neg_rows = (self._query_terms(None, neg_terms) if neg_terms
                                  else ([], None, []))
        end = len(self) if not restrict_vocab else min(int(restrict_vocab), len(self))
        block = self.vectors[:end]
        norms = np.linalg.norm(block, axis=1)
        numerator = np.ones(end, dtype=np.float32)
        for unit in pos_units:
            numerator *= (1 + block @ unit / norms) / 2
        denominator = np.ones(end, dtype=np.float32)
        for unit in neg_units:
            denominator *= (1 + block @ unit / norms) / 2
        # score(w) = Π c'(a, w) / (Π c'(b, w) + ε);  an empty product is 1
        scores = numerator / (denominator + COSMUL_EPSILON)
        if topn is None:
            return scores
        return self._top(scores, int(topn), sorted(set(pos_rows + neg_rows)))

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word least like the others: lowest cosine to the mean of their unit vectors.

        As in gensim, words missing from the vocabulary are ignored with a warning.

        Raises
        ------
        ValueError
            None of the words is in the vocabulary.
        """
        if isinstance(words, str):
            raise TypeError(f"expected a list of words, got the single string {words!r}")
        words = list(words)
        used = [w for w in words if w in self]
        if len(used) != len(words):
            missing = [w for w in words if w not in self]
            warnings.warn(f"doesnt_match ignores words not in the vocabulary: {missing}",
                          stacklevel=2)
        if not used:
            raise ValueError(f"expected at least one known word, got none of {words!r} in the "
                             "vocabulary")
        units = np.vstack([self.get_vector(w, norm=True) for w in used]).astype(np.float32)
        mean = units.mean(axis=0)
        mean /= np.linalg.norm(mean)
        # the word whose unit vector is least aligned with the mean direction
        sims = units @ mean
        order = sorted(zip(sims.tolist(), used, strict=True), reverse=True)
        return order[-1][1]

    # -------------------------------------------------------------- benchmarks
    def _evaluation_vocab(self, restrict_vocab: int | None, case_insensitive: bool) -> dict:
        """Map (optionally upper-cased) words of the first ``restrict_vocab`` rows to rows.

        With ``case_insensitive`` every case variant maps to its *first* (most frequent) row.
        """
        keys = self.index_to_key[:restrict_vocab]
        vocab: dict[str, int] = {}
        for index, key in enumerate(keys):
            vocab.setdefault(key.upper() if case_insensitive else key, index)
        return vocab

    def evaluate_word_pairs(self, pairs, delimiter: str = "\t", encoding: str = "utf8",
                            restrict_vocab: int = 300000, case_insensitive: bool = True,
                            dummy4unknown: bool = False):
        """Correlate cosine similarities with human similarity judgements (WordSim353, SimLex).

        The file holds ``word1<delimiter>word2<delimiter>score`` lines; lines starting with
        ``#`` and malformed lines are skipped. Pairs with a word outside the first
        ``restrict_vocab`` words are skipped (or scored 0 with ``dummy4unknown``) and
        counted as out-of-vocabulary (OOV). With ``case_insensitive`` words are compared
        upper-cased. Same rules and numbers as gensim.

        Returns
        -------
        pearson : tuple (float, float)
            Pearson r and its two-sided p-value.
        spearman : tuple (float, float)
            Spearman rho and its two-sided p-value (the number usually reported).
        oov_ratio : float
            Percent of pairs skipped as OOV, ``100 * oov / (used + oov)``.

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            No pair could be scored (all OOV or wrong format).
        """
        vocab = self._evaluation_vocab(restrict_vocab, case_insensitive)
        gold, model = [], []
        oov = 0
        with open(pairs, encoding=encoding) as fin:
            for line in fin:
                if line.startswith("#"):
                    continue
                parts = line.split(delimiter)
                if len(parts) != 3:
                    continue
                a, b, score = parts
                if case_insensitive:
                    a, b = a.upper(), b.upper()
                try:
                    score = float(score)
                except ValueError:
                    continue
                if a not in vocab or b not in vocab:
                    oov += 1
                    if dummy4unknown:
                        gold.append(score)
                        model.append(0.0)
                    continue
                gold.append(score)
                model.append(self.similarity(vocab[a], vocab[b]))
        if not gold:
            raise ValueError(f"expected at least one scorable word pair in {pairs}, got none "
                             f"({oov} pairs out of vocabulary, the rest malformed)")
        from scipy import stats  # imported here: it costs ~0.7 s, and most users never call this

        # scipy's result objects, as gensim returns them: ``.statistic`` and ``.pvalue``, and
        # still unpackable as (statistic, pvalue)
        spearman = stats.spearmanr(gold, model)
        pearson = stats.pearsonr(gold, model)
        used = len(gold) if dummy4unknown else len(gold) + oov
        oov_ratio = 100.0 * oov / used
        return pearson, spearman, oov_ratio

    def evaluate_word_analogies(self, analogies, restrict_vocab: int = 300000,
                                case_insensitive: bool = True, dummy4unknown: bool = False):
        """Accuracy on "a is to b as c is to ?" questions with 3CosAdd (word2vec.c's method).

        Each line ``a b c expected`` is answered by the best word of
        ``most_similar(positive=[b, c], negative=[a], restrict_vocab=restrict_vocab)`` that is
        not one of ``a, b, c``; lines ``: name`` start a section. Questions with a word outside
        the first ``restrict_vocab`` words are skipped (or counted wrong with
        ``dummy4unknown``). Same rules and numbers as gensim.

        Returns
        -------
        accuracy : float
            ``correct / (correct + incorrect)`` over all sections (0.0 if none was answered).
        sections : list of dict
            One dict per section, ``{'section': name, 'correct': [(a, b, c, d), ...],
            'incorrect': [...]}``, then a last one named ``'Total accuracy'`` pooling all.

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            A question line before the first ``: section`` line (names the line number).
        """
        vocab = self._evaluation_vocab(restrict_vocab, case_insensitive)
        end = min(int(restrict_vocab), len(self)) if restrict_vocab else len(self)
        sections: list[dict] = []
        section = None
        # every question in file order: (section, (a, b, c, expected), all words known?)
        questions: list[tuple] = []
        with open(analogies, "rb") as fin:
            for line_no, raw in enumerate(fin, start=1):
                line = raw.decode("utf8")
                if line.startswith(": "):
                    section = {"section": line.lstrip(": ").strip(), "correct": [],
                               "incorrect": []}
                    sections.append(section)
                    continue
                if section is None:
                    raise ValueError(f"expected a ': section' line before line {line_no} of "
                                     f"{analogies}, got {line.strip()!r}")
                words = line.split()
                if len(words) != 4:
                    continue
                if case_insensitive:
                    words = [w.upper() for w in words]
                quad = tuple(words)
                known = all(w in vocab for w in quad)
                if known or dummy4unknown:
                    questions.append((section, quad, known))

        predictions = self._answer_analogies([q for _, q, known in questions if known],
                                             vocab, end, case_insensitive)
        for sec, quad, known in questions:
            right = known and next(predictions) == quad[3]
            sec["correct" if right else "incorrect"].append(quad)
        total = {
            "section": "Total accuracy",
            "correct": [q for s in sections for q in s["correct"]],
            "incorrect": [q for s in sections for q in s["incorrect"]],
        }
        sections.append(total)
        answered = len(total["correct"]) + len(total["incorrect"])
        accuracy = len(total["correct"]) / answered if answered else 0.0
        return accuracy, sections

    def _answer_analogies(self, quads, vocab: dict, end: int, case_insensitive: bool):
        """Yield the 3CosAdd answer to each (a, b, c, expected) question, in order.

        Scores ``B`` questions at once: ``(B, d) @ (d, V')``. Follows gensim: among the top 5
        of ``most_similar`` (which already leaves out a, b, c), the first known word that is
        not a, b or c in any case variant; if there is none, the last of the five.
        """
        if not quads:
            return
        block = self.vectors[:end]
        norms = np.linalg.norm(block, axis=1)
        unit = block / norms[:, None]
        batch = 512
        for start in range(0, len(quads), batch):
            chunk = quads[start:start + batch]
            idx = np.array([[vocab[w] for w in quad[:3]] for quad in chunk])
            # q = unit( (x̂_b + x̂_c - x̂_a) / 3 )      (3CosAdd, gensim's mean of unit vectors)
            query = (unit[idx[:, 1]] + unit[idx[:, 2]] - unit[idx[:, 0]]) / np.float32(3)
            query /= np.linalg.norm(query, axis=1, keepdims=True)
            scores = (query @ block.T) / norms  # (B, V'): cos(q, x_w)
            # most_similar's top 5 of every row at once, best first: a, b and c are left out
            # (as most_similar leaves out the query words), then the best word is taken and
            # left out in turn, 5 times; -1 where fewer than 5 words are left
            rows = np.arange(len(chunk))
            scores[rows[:, None], idx] = -np.inf
            best = np.empty((len(chunk), 5), dtype=np.int64)
            for rank in range(5):
                pick = scores.argmax(axis=1)
                best[:, rank] = np.where(scores[rows, pick] == -np.inf, -1, pick)
                scores[rows, pick] = -np.inf
            for row, quad in enumerate(chunk):
                ignore = set(quad[:3])
                predicted = None
                for i in best[row].tolist():
                    if i < 0:
                        break
                    word = self.index_to_key[i]
                    predicted = word.upper() if case_insensitive else word
                    if predicted in vocab and predicted not in ignore:
                        break
                yield predicted

    # ------------------------------------------------------------------ files
    def save_word2vec_format(self, fname, binary: bool = False) -> None:
        """Write the vectors in word2vec.c's format, byte for byte as gensim writes them.

        First line ``"V d"``; then per word, in gensim's order -- by descending count when the
        counts are known (stable: ties keep row order), else row order -- either
        ``word x_1 ... x_d`` (text, shortest float32 repr of each value) or ``word `` followed
        by d little-endian float32 (binary; like gensim, no newline after the bytes -- readers
        strip a leading one).
        Words must not contain spaces or newlines.
        """
        bad = [w for w in self.index_to_key if (" " in w or "\n" in w or w == "")]
        if bad:
            raise ValueError("expected words without spaces/newlines for the word2vec format, "
                             f"got {bad[:3]!r}")
        with open(fname, "wb") as fout:
            fout.write(f"{len(self)} {self.vector_size}\n".encode())
            vectors = self.vectors.astype("<f4", copy=False)
            order = np.arange(len(self))
            if self.counts is not None:
                order = np.argsort(-np.asarray(self.counts), kind="stable")
            for i in order.tolist():
                word, row = self.index_to_key[i], vectors[i]
                if binary:
                    fout.write(word.encode("utf8") + b" " + row.tobytes())
                else:
                    # str(np.float32) is the shortest string that reads back to the same float32
                    values = " ".join(str(v) for v in row)
                    fout.write(f"{word} {values}\n".encode())

    @classmethod
    def load_word2vec_format(cls, fname, binary: bool = False, limit: int | None = None,
                             encoding: str = "utf8") -> KeyedVectors:
        """Read a word2vec.c text or binary file (gensim's or word2vec.c's own).

        Parameters
        ----------
        fname : str or path
        binary : bool
            True for the binary format.
        limit : int, optional
            Read only the first ``limit`` vectors.

        Returns
        -------
        KeyedVectors
            ``vectors`` of shape (V, d) as declared in the header (V capped by ``limit``).
            A repeated word keeps its first vector (gensim does the same, with a warning).

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            A malformed header or vector line, or fewer vectors than the header declares;
            the message names the line number (1 = header) and what was expected.
        """
        if not os.path.exists(fname):
            raise FileNotFoundError(f"no word2vec file at {fname!s}")
        with open(fname, "rb") as fin:
            header = fin.readline()
            try:
                n_words, dim = (int(x) for x in header.decode(encoding).split())
            except ValueError:
                raise ValueError(f"{fname!s}, line 1: expected a header 'n_words vector_size', "
                                 f"got {header[:60]!r}") from None
            if n_words < 0 or dim < 1:
                raise ValueError(f"{fname!s}, line 1: expected n_words >= 0 and vector_size >= 1, "
                                 f"got {n_words} {dim}")
            if limit:  # None or 0: no limit, as in gensim
                n_words = min(n_words, int(limit))
            if binary:
                words, vectors = cls._read_binary(fin, fname, n_words, dim, encoding,
                                                  check_end=not limit)
            else:
                words, vectors = cls._read_text(fin, fname, n_words, dim, encoding)
        keep = {}
        for i, word in enumerate(words):
            keep.setdefault(word, i)
        if len(keep) != len(words):
            warnings.warn(f"{fname!s}: {len(words) - len(keep)} repeated word(s); keeping the "
                          "first vector of each", stacklevel=2)
            rows = sorted(keep.values())
            words = [words[i] for i in rows]
            vectors = vectors[rows]
        return cls(words, vectors)

    @staticmethod
    def _read_text(fin, fname, n_words: int, dim: int, encoding: str):
        words: list[str] = []
        vectors = np.empty((n_words, dim), dtype=np.float32)
        for i in range(n_words):
            line_no = i + 2
            raw = fin.readline()
            if raw == b"":
                raise ValueError(f"{fname!s}, line {line_no}: expected {n_words} vectors as the "
                                 f"header says, got end of file after {i}")
            try:
                parts = raw.decode(encoding).rstrip().split(" ")
            except UnicodeDecodeError:
                raise ValueError(f"{fname!s}, line {line_no}: expected {encoding} text, got bytes "
                                 f"{raw[:40]!r} (is it a binary file? then use binary=True)"
                                 ) from None
            if len(parts) != dim + 1:
                raise ValueError(f"{fname!s}, line {line_no}: expected a word and {dim} numbers, "
                                 f"got {len(parts) - 1} numbers")
            try:
                vectors[i] = np.array(parts[1:], dtype=np.float32)
            except ValueError:
                raise ValueError(f"{fname!s}, line {line_no}: expected {dim} numbers after "
                                 f"{parts[0]!r}, got a value that is not a number") from None
            words.append(parts[0])
        return words, vectors

    @staticmethod
    def _read_binary(fin, fname, n_words: int, dim: int, encoding: str, check_end: bool = True):
        data = fin.read()
        n_bytes = 4 * dim
        words: list[str] = []
        vectors = np.empty((n_words, dim), dtype=np.float32)
        pos = 0
        for i in range(n_words):
            # word i sits on "line" i + 2 if one counts each word entry as a line (header = 1)
            line_no = i + 2
            space = data.find(b" ", pos)
            if space == -1 or len(data) - (space + 1) < n_bytes:
                raise ValueError(f"{fname!s}, entry {i + 1} (line {line_no}): expected a word, a "
                                 f"space and {n_bytes} bytes of {dim} float32, got end of file "
                                 f"after {i} of the {n_words} vectors the header declares")
            try:
                word = data[pos:space].decode(encoding).lstrip("\n")
            except UnicodeDecodeError:
                raise ValueError(f"{fname!s}, entry {i + 1} (line {line_no}): expected a "
                                 f"{encoding} word, got bytes {data[pos:space][:40]!r}") from None
            words.append(word)
            vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
            pos = space + 1 + n_bytes
        rest = len(data) - pos
        if check_end and data[pos:].strip():
            # a text file read as binary parses "vectors" out of digits and never lines up
            raise ValueError(f"{fname!s}: expected the file to end after the {n_words} binary "
                             f"vectors its header declares, got {rest} more bytes (is it a text "
                             "file? then load it with binary=False)")
        return words, vectors
