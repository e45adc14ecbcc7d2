"""How good are the vectors? Benchmarks in one table, and agreement between two models.

* :func:`evaluation_table` -- WordSim353 and SimLex-999 (Spearman rho between cosine
  similarity and human scores, plus the % of pairs skipped as out-of-vocabulary) and the
  Google analogies (3CosAdd accuracy over the questions whose four words are known).
* :func:`neighbour_overlap` -- how much two sets of vectors agree on nearest neighbours;
  the benchmark compares our engines with gensim next to gensim's own seed-to-seed overlap.
* :func:`format_table` -- one or several tables as aligned text for a notebook or the CLI.
* :func:`corpus_loss` -- the training objective of a model on given text, weights unchanged:
  how far SGD got, comparable between models trained differently (lesson 12).

Works with our :class:`w2v_edu.keyedvectors.KeyedVectors` and with gensim's ``KeyedVectors``
alike (only their shared query API is used).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from w2v_edu.datasets import analogies_path, simlex999_path, wordsim353_path

__all__ = ["evaluation_table", "word_pair_scores", "neighbour_overlap", "format_table",
           "corpus_loss", "pair_scores_by_frequency", "TABLE_ROWS"]

#: (key, label, format) of every row :func:`format_table` prints, in order.
TABLE_ROWS = (
    ("wordsim353_spearman", "WordSim353 Spearman", "{:.3f}"),
    ("wordsim353_oov_percent", "WordSim353 pairs OOV %", "{:.1f}"),
    ("simlex999_spearman", "SimLex-999 Spearman", "{:.3f}"),
    ("simlex999_oov_percent", "SimLex-999 pairs OOV %", "{:.1f}"),
    ("analogy_accuracy", "Analogy accuracy (3CosAdd)", "{:.3f}"),
    ("analogy_answered", "Analogy questions answered", "{:d}"),
    ("analogy_oov_percent", "Analogy questions OOV %", "{:.1f}"),
)


def _pairs_scores(wv, path: str, restrict_vocab: int) -> tuple[float, float, float]:
    """(spearman, pearson, oov %) of one word-pair file; NaN scores when every pair is OOV."""
    try:
        pearson, spearman, oov = wv.evaluate_word_pairs(path, restrict_vocab=restrict_vocab)
    except ValueError:  # no pair in the vocabulary at all (tiny corpora)
        return math.nan, math.nan, 100.0
    return float(spearman[0]), float(pearson[0]), float(oov)


def word_pair_scores(wv, restrict_vocab: int = 300000) -> dict:
    """Spearman rho on WordSim353 and SimLex-999 only -- the quick part of the table.

    Returns
    -------
    dict
        ``wordsim353_spearman`` and ``simlex999_spearman`` (NaN when no pair is in the
        vocabulary). About 0.05 s on a 9,000-word vocabulary, so it can run after every epoch
        (:class:`w2v_edu.callbacks.EpochQuality`).
    """
    return {f"{name}_spearman": _pairs_scores(wv, path, restrict_vocab)[0]
            for name, path in (("wordsim353", wordsim353_path()),
                               ("simlex999", simlex999_path()))}


def _count_questions(path: str) -> int:
    """Number of well-formed ``a b c d`` question lines in an analogy file."""
    with open(path, encoding="utf8") as fin:
        return sum(1 for line in fin if not line.startswith(": ") and len(line.split()) == 4)


def evaluation_table(wv, restrict_vocab: int = 300000) -> dict:
    """Score word vectors on WordSim353, SimLex-999 and the Google analogies.

    Parameters
    ----------
    wv : KeyedVectors
        Ours or gensim's; V words of dimension d.
    restrict_vocab : int
        Only the first ``restrict_vocab`` words count as known (gensim's default, 300000).

    Returns
    -------
    dict
        ``wordsim353_spearman``, ``wordsim353_pearson``, ``wordsim353_oov_percent``,
        ``simlex999_spearman``, ``simlex999_pearson``, ``simlex999_oov_percent``,
        ``analogy_accuracy`` (correct / answered), ``analogy_answered`` (questions with all
        four words known), ``analogy_total`` and ``analogy_oov_percent``.
        Correlations are NaN when no pair is in the vocabulary.

    Notes
    -----
    Out-of-vocabulary pairs and questions are *skipped*, as gensim does, so a small vocabulary
    is scored on an easier, smaller subset: always read a score next to its OOV %.
    """
    table: dict = {}
    for name, path in (("wordsim353", wordsim353_path()), ("simlex999", simlex999_path())):
        spearman, pearson, oov = _pairs_scores(wv, path, restrict_vocab)
        table[f"{name}_spearman"] = spearman
        table[f"{name}_pearson"] = pearson
        table[f"{name}_oov_percent"] = oov
    path = analogies_path()
    accuracy, sections = wv.evaluate_word_analogies(path, restrict_vocab=restrict_vocab)
    total = sections[-1]
    answered = len(total["correct"]) + len(total["incorrect"])
    n_questions = _count_questions(path)
    table["analogy_accuracy"] = float(accuracy)
    table["analogy_answered"] = int(answered)
    table["analogy_total"] = int(n_questions)
    table["analogy_oov_percent"] = 100.0 * (n_questions - answered) / n_questions
    return table


def _cell(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return fmt.format(value)


def format_table(tables, title: str | None = None) -> str:
    """Aligned text for one :func:`evaluation_table` result, or several side by side.

    Parameters
    ----------
    tables : dict
        Either one table (as returned by :func:`evaluation_table`) or a mapping
        ``{column label: table}`` to compare models in columns.
    title : str, optional
        A first line.

    Returns
    -------
    str
        One row per metric of :data:`TABLE_ROWS` present in the tables.

    Examples
    --------
    >>> print(format_table({"ours": t1, "gensim": t2}))   # doctest: +SKIP
    """
    if not isinstance(tables, Mapping) or not tables:
        raise TypeError(f"expected a table dict or a {{label: table}} dict, got {tables!r:.80}")
    if all(isinstance(v, Mapping) for v in tables.values()):
        columns = dict(tables)
    else:
        columns = {"score": tables}
    rows = [(key, label, fmt) for key, label, fmt in TABLE_ROWS
            if any(key in t for t in columns.values())]
    width = max(len(label) for _, label, _ in rows) if rows else 10
    cells = {col: [_cell(t.get(key), fmt) for key, _, fmt in rows] for col, t in columns.items()}
    col_width = {col: max([len(col)] + [len(c) for c in cells[col]]) for col in columns}
    lines = [title] if title else []
    lines.append(" " * width + "  " + "  ".join(col.rjust(col_width[col]) for col in columns))
    for i, (_, label, _) in enumerate(rows):
        lines.append(label.ljust(width) + "  "
                     + "  ".join(cells[col][i].rjust(col_width[col]) for col in columns))
    return "\n".join(lines)


def _unit_rows(wv) -> np.ndarray:
    vectors = np.asarray(wv.vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _top_neighbours(wv, words: Sequence[str], topn: int, batch: int = 256) -> list[set]:
    """Top-``topn`` neighbours (by cosine, the word itself excluded) of each word in ``wv``."""
    unit = _unit_rows(wv)
    rows = np.array([wv.key_to_index[w] for w in words])
    k = min(topn, len(unit) - 1)
    result = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        sims = unit[chunk] @ unit.T  # (B, V): cos(w, v) for every word v
        sims[np.arange(len(chunk)), chunk] = -np.inf  # a word is not its own neighbour
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        result.extend({wv.index_to_key[j] for j in row} for row in best)
    return result


def neighbour_overlap(wv_a, wv_b, words: Sequence[str] | None = None, topn: int = 10,
                      n_words: int = 1000, return_per_word: bool = False):
    """Mean fraction of shared top-``topn`` nearest neighbours between two sets of vectors.

    For each word ``w``: ``overlap(w) = |N_a(w) ∩ N_b(w)| / topn`` where ``N_a(w)`` are
    the ``topn`` words with the highest cosine to ``w`` in ``wv_a`` (``w`` itself excluded,
    as in ``most_similar``), and likewise ``N_b(w)`` in ``wv_b``. The result is the mean over
    the words: 1.0 means identical neighbour sets, 0.0 none shared.

    Parameters
    ----------
    wv_a, wv_b : KeyedVectors
        Vectors of shapes (V_a, d_a) and (V_b, d_b); d may differ.
    words : sequence of str, optional
        The words to compare; each must be in both. Default: the ``n_words`` most frequent
        words of ``wv_a`` (its first rows) that ``wv_b`` also knows.
    topn : int
        Neighbours per word (>= 1).
    n_words : int
        How many words the default ``words`` takes.
    return_per_word : bool
        Also return the (n,) array of per-word overlaps.

    Returns
    -------
    float, or (float, numpy.ndarray of shape (n,))

    Notes
    -----
    Ties in cosine are broken arbitrarily; with float vectors they practically never occur.
    Two runs of gensim that differ only in the seed give about 0.6 on the Wikipedia sample
    (topn=10): that is the yardstick for "agrees with gensim".
    """
    if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
        raise ValueError(f"expected topn as an int >= 1, got {topn!r}")
    if words is None:
        words = [w for w in wv_a.index_to_key if w in wv_b.key_to_index][:n_words]
    else:
        if isinstance(words, str):
            raise TypeError(f"expected a list of words, got the single string {words!r}")
        words = list(words)
        for w in words:
            for name, wv in (("wv_a", wv_a), ("wv_b", wv_b)):
                if w not in wv.key_to_index:
                    raise KeyError(f"word {w!r} not in the vocabulary of {name}")
    if not words:
        raise ValueError("expected at least one word known to both models, got none")
    if min(len(wv_a.index_to_key), len(wv_b.index_to_key)) <= topn:
        raise ValueError(f"expected vocabularies larger than topn={topn}, got "
                         f"{len(wv_a.index_to_key)} and {len(wv_b.index_to_key)} words")
    near_a = _top_neighbours(wv_a, words, topn)
    near_b = _top_neighbours(wv_b, words, topn)
    per_word = np.array([len(a & b) / topn for a, b in zip(near_a, near_b, strict=True)])
    mean = float(per_word.mean())
    return (mean, per_word) if return_per_word else mean


def corpus_loss(model, sentences, seed: int = 0) -> float:
    """Mean loss per training example of ``model``'s weights on ``sentences``; nothing changes.

    Every model is scored on the same examples: full windows (no random shrinking), no
    subsampling, noise words (negative sampling) drawn from ``seed``. The loss is the model's
    own objective (negative sampling and/or hierarchical softmax), every term counted, computed
    by the mini-batch engine with alpha = 0 (:func:`w2v_edu.engine.mean_loss`).

    Parameters
    ----------
    model : :class:`~w2v_edu.word2vec.Word2Vec`
        Trained (or not): its vocabulary, weights and output layers are used.
    sentences : list of list of str
    seed : int
    """
    import dataclasses

    from w2v_edu.engine import mean_loss
    from w2v_edu.random_streams import NumpyDraws
    from w2v_edu.training_corpus import EncodedCorpus, epoch_jobs

    if model.vocab is None:
        raise RuntimeError("build_vocab(corpus) first: the loss needs the vocabulary")
    encoded = EncodedCorpus.from_sentences(sentences, model.vocab)
    plan = dataclasses.replace(
        model._plan(1, model.alpha, model.min_alpha, encoded.corpus_count, None),
        shrink_windows=False, keep_prob=None, batch_size=256)
    draws = NumpyDraws(np.random.default_rng(seed), model.noise)
    return mean_loss(model.weights, epoch_jobs(encoded, plan, draws, 0), plan, draws)


def pair_scores_by_frequency(wv, path: str, n_bands: int = 2, counts=None,
                             restrict_vocab: int = 300000) -> list[dict]:
    """A word-pair benchmark scored separately for rare and frequent words.

    The pairs both of whose words are known (case-insensitive, the first ``restrict_vocab``
    words, as :meth:`~w2v_edu.keyedvectors.KeyedVectors.evaluate_word_pairs`) are sorted by the
    corpus count of their *rarer* word (a stable sort) and cut into ``n_bands`` consecutive
    bands of equal size (``numpy.array_split``). In each band: Spearman's rho between cosine
    similarity and the human score.

    Parameters
    ----------
    wv : KeyedVectors
        Ours or gensim's.
    path : str
        A ``word1<TAB>word2<TAB>score`` file (WordSim353, SimLex-999); ``#`` lines skipped.
    n_bands : int
        Number of frequency bands (>= 1), rarest first.
    counts : array_like of int, shape (V,), optional
        Corpus count of every word of ``wv`` in its order; default ``wv.get_vecattr(w,
        "count")``.
    restrict_vocab : int

    Returns
    -------
    list of dict, one per band, rarest first
        ``band``, ``pairs``, ``min_count`` and ``max_count`` (of the rarer words in the band)
        and ``spearman`` (NaN for a band with fewer than 3 pairs).
    """
    from scipy.stats import spearmanr

    if isinstance(n_bands, bool) or not isinstance(n_bands, int) or n_bands < 1:
        raise ValueError(f"expected n_bands to be an integer >= 1, got {n_bands!r}")
    words = list(wv.index_to_key[:restrict_vocab])
    if counts is None:
        counts = [wv.get_vecattr(w, "count") for w in words]
    counts = np.asarray(counts)
    if counts.shape[0] < len(words):
        raise ValueError(f"expected a count for each of the {len(words)} words, got "
                         f"{counts.shape[0]}")
    # upper-cased word -> row, the most frequent spelling winning (gensim's rule)
    lookup = {w.upper(): i for i, w in reversed(list(enumerate(words)))}
    rows = []
    with open(path, encoding="utf8") as fin:
        for line in fin:
            parts = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(parts) != 3:
                continue
            a, b = lookup.get(parts[0].upper()), lookup.get(parts[1].upper())
            try:
                score = float(parts[2])
            except ValueError:
                continue
            if a is not None and b is not None:
                rows.append((a, b, score))
    if not rows:
        raise ValueError(f"expected at least one word pair of {path} in the vocabulary, got none")
    a, b, human = (np.array(col) for col in zip(*rows, strict=True))
    unit = _unit_rows(wv)
    cosine = np.einsum("ij,ij->i", unit[a], unit[b])
    rarer = np.minimum(counts[a], counts[b])
    order = np.argsort(rarer, kind="stable")
    result = []
    for band, idx in enumerate(np.array_split(order, n_bands)):
        ok = len(idx) >= 3
        result.append({
            "band": band, "pairs": int(len(idx)),
            "min_count": int(rarer[idx].min()) if len(idx) else 0,
            "max_count": int(rarer[idx].max()) if len(idx) else 0,
            "spearman": float(spearmanr(cosine[idx], human[idx]).statistic) if ok else math.nan,
        })
    return result
