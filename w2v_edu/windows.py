r"""Skip-gram training pairs with gensim's reduced ("shrunk") windows.

For every centre position :math:`i` of a sentence gensim draws :math:`b_i` uniformly from
``0 .. window-1`` and uses the effective window :math:`w_i = \text{window} - b_i`, uniform in
``1 .. window`` (so nearby words are paired more often than far ones). The pairs are

.. math:: \{(j, i) : |j - i| \le w_i,\ j \ne i\},

listed in gensim's order: centre :math:`i` ascending, then context :math:`j` ascending.
In skip-gram the *context* word ``w_j`` is the input (its row of ``syn0`` is updated) and the
*centre* word ``w_i`` is the target the output layer must predict.

Sentences must already be encoded (out-of-vocabulary words removed) and subsampled: the
windows are formed over what remains, so a window can reach further in the original text.
"""

import numpy as np

from ._rng import as_generator
from .checks import check_corpus, check_int
from .subsampling import subsample


def reduced_windows(n, window, rng):
    """Effective window sizes, one per centre position, uniform in ``1..window`` (inclusive).

    Parameters
    ----------
    n : int
        Number of centre positions.
    window : int
        gensim's ``window`` (maximum distance between context and centre).
    rng : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        ``window - b`` with ``b`` uniform in ``0..window-1``.
    """
    n, window = check_int("n", n, 0), check_int("window", window, 1)
    rng = as_generator(rng)
    b = rng.integers(0, window, size=n)  # 0 .. window-1; the upper bound is exclusive
    return window - b


def pair_positions(effective_windows):
    """All (context position, centre position) pairs for given per-centre windows.

    Parameters
    ----------
    effective_windows : array_like of int, shape (n,)
        Window of each centre position (>= 0; 0 gives that centre no pairs).

    Returns
    -------
    context_pos, centre_pos : numpy.ndarray of int64, shape (P,)
        In gensim's order: centre ascending, then context ascending; ``context != centre``.
    """
    w = np.asarray(effective_windows)
    if w.ndim != 1:
        raise ValueError(f"expected effective_windows of shape (n,), got shape {w.shape}")
    if w.size and (not np.issubdtype(w.dtype, np.integer) or w.min() < 0):
        raise ValueError("expected non-negative integer effective windows")
    n = w.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    centre = np.arange(n)
    start = np.maximum(centre - w, 0)
    stop = np.minimum(centre + w + 1, n)  # exclusive
    lengths = stop - start  # includes the centre itself
    centre_rep = np.repeat(centre, lengths)
    # offset within each centre's block: 0, 1, ..., lengths-1
    block_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    context = np.repeat(start, lengths) + (np.arange(lengths.sum()) - block_start)
    keep = context != centre_rep
    return context[keep], centre_rep[keep]


def skipgram_positions(n, window, rng, shrink_windows=True):
    """(context position, centre position) pairs of a sentence of length ``n``.

    Parameters
    ----------
    n : int
    window : int
    rng : int or numpy.random.Generator
        Used only when ``shrink_windows`` is True.
    shrink_windows : bool
        gensim's ``shrink_windows``: reduced windows (True) or always the full ``window``.

    Returns
    -------
    context_pos, centre_pos : numpy.ndarray of int64, shape (P,)
    """
    n, window = check_int("n", n, 0), check_int("window", window, 1)
    if shrink_windows:
        w = reduced_windows(n, window, rng)
    else:
        w = np.full(n, window)
    return pair_positions(w)


def skipgram_pairs(ids, window, rng, shrink_windows=True):
    """Skip-gram (context word, centre word) id pairs of one encoded sentence.

    Parameters
    ----------
    ids : array_like of int, shape (n,)
        Word ids after removing out-of-vocabulary and subsampled words.
    window, rng, shrink_windows
        See :func:`skipgram_positions`.

    Returns
    -------
    context, centre : numpy.ndarray of int32, shape (P,)
        ``context`` = input words (rows of ``syn0``), ``centre`` = targets.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"expected ids of shape (n,), got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"expected integer word ids, got dtype {ids.dtype}")
    ctx_pos, cen_pos = skipgram_positions(ids.shape[0], window, rng, shrink_windows)
    return ids[ctx_pos].astype(np.int32), ids[cen_pos].astype(np.int32)


def corpus_skipgram_pairs(encoded_sentences, window, rng, keep_prob=None,
                          shrink_windows=True):
    """One epoch's skip-gram pairs of a whole encoded corpus, in gensim's order.

    For each sentence: subsample (if ``keep_prob`` is given), then draw reduced windows and
    form the pairs. The same ``rng`` serves both draws, sentence after sentence.

    Parameters
    ----------
    encoded_sentences : list of numpy.ndarray of int
        From :meth:`w2v_edu.vocab.Vocabulary.encode_corpus`.
    window : int
    rng : int or numpy.random.Generator
    keep_prob : numpy.ndarray of shape (V,) or None
        From :func:`w2v_edu.subsampling.keep_probability`; None keeps every word.
    shrink_windows : bool

    Returns
    -------
    context, centre : numpy.ndarray of int32, shape (P,)
    """
    check_corpus(encoded_sentences, "encoded_sentences")
    rng = as_generator(rng)
    contexts, centres = [], []
    for ids in encoded_sentences:
        if keep_prob is not None:
            ids = subsample(ids, keep_prob, rng)
        c, t = skipgram_pairs(ids, window, rng, shrink_windows)
        contexts.append(c)
        centres.append(t)
    if not contexts:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    return np.concatenate(contexts), np.concatenate(centres)
