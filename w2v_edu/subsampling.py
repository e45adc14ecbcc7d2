r"""Subsampling of frequent words: each occurrence of word ``w`` is kept with probability
:math:`p_w`, drawn afresh every time the sentence is read (every epoch).

gensim and word2vec.c use, with :math:`t = \mathrm{sample}\cdot\sum_w c_w` (a count threshold)
and :math:`c_w` the word's count,

.. math:: p_w = \min\Bigl(1,\ \bigl(\sqrt{c_w / t} + 1\bigr)\, \frac{t}{c_w}\Bigr)
              = \min\Bigl(1,\ \sqrt{t / c_w} + t / c_w\Bigr).

The paper (Mikolov et al. 2013, "Distributed representations ...") *discards* a word with
probability :math:`1 - \sqrt{\mathrm{sample} / f_w}`, :math:`f_w = c_w / \sum c`, i.e. keeps it
with :math:`\min(1, \sqrt{t / c_w})`; gensim's formula keeps every word a little more often
(by :math:`t / c_w`).

What lives here: the keep probabilities and the seeded draw. What does not: the windows.
"""

import numpy as np

from ._rng import as_generator
from .checks import check_float


def _check_counts(counts):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.size == 0:
        raise ValueError(f"expected counts of shape (V,) with V >= 1, got shape {counts.shape}")
    numeric = np.issubdtype(counts.dtype, np.number)
    if not numeric or np.issubdtype(counts.dtype, np.complexfloating):
        raise TypeError(f"expected numeric counts, got dtype {counts.dtype}")
    if not np.all(np.isfinite(counts)) or np.any(counts <= 0):
        raise ValueError(
            f"expected finite positive counts, got min {counts.min()} and max {counts.max()}"
        )
    return counts.astype(np.float64)


def _check_sample(sample):
    if sample is None:
        return 0.0
    return check_float("sample", sample, 0.0)


def threshold_count(counts, sample=1e-3):
    r"""The count threshold :math:`t` gensim derives from ``sample``.

    ``sample < 1``: :math:`t = \mathrm{sample} \cdot \sum_w c_w`;
    ``sample >= 1`` (gensim's shorthand "downsample words more frequent than ``sample``"):
    :math:`t = \lfloor \mathrm{sample}\,(3 + \sqrt 5)/2 \rfloor`; ``sample = 0``: no
    subsampling (:math:`t = \sum_w c_w`, every word kept).
    """
    c = _check_counts(counts)
    sample = _check_sample(sample)
    if sample == 0:
        return float(c.sum())
    if sample < 1.0:
        return sample * float(c.sum())
    return float(int(sample * (3 + np.sqrt(5)) / 2))


def keep_probability(counts, sample=1e-3):
    r"""gensim's / word2vec.c's keep probability of every word.

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts :math:`c_w` of the retained vocabulary (``Vocabulary.counts``).
    sample : float
        gensim's ``sample``; 0 or None keeps every word.

    Returns
    -------
    numpy.ndarray of float64, shape (V,)
        :math:`p_w = \min(1, (\sqrt{c_w/t} + 1)\, t / c_w)`.
    """
    c = _check_counts(counts)
    if not _check_sample(sample):
        return np.ones_like(c)
    t = threshold_count(c, sample)
    p = (np.sqrt(c / t) + 1.0) * (t / c)
    return np.minimum(p, 1.0)


def keep_probability_paper(counts, sample=1e-3):
    r"""The paper's keep probability :math:`\min(1, \sqrt{\mathrm{sample}/f_w})`.

    The paper states the *discard* probability :math:`1 - \sqrt{\mathrm{sample}/f_w}` with
    :math:`f_w = c_w / \sum_u c_u`; this returns one minus it, clipped to [0, 1], so it can
    be plotted beside :func:`keep_probability`.

    Parameters
    ----------
    counts : array_like, shape (V,)
    sample : float in [0, 1)

    Returns
    -------
    numpy.ndarray of float64, shape (V,)
    """
    c = _check_counts(counts)
    sample = _check_sample(sample)
    if sample == 0:
        return np.ones_like(c)
    if sample >= 1:
        raise ValueError(f"expected sample in [0, 1) for the paper's formula, got {sample}")
    f = c / c.sum()
    return np.minimum(1.0, np.sqrt(sample / f))


def subsample(ids, keep_prob, rng):
    """Keep each token ``ids[i]`` with probability ``keep_prob[ids[i]]``.

    Parameters
    ----------
    ids : array_like of int, shape (n,)
        Word ids of one sentence (out-of-vocabulary words already removed).
    keep_prob : numpy.ndarray, shape (V,)
        From :func:`keep_probability`.
    rng : int or numpy.random.Generator
        Seed or generator; one uniform draw per token.

    Returns
    -------
    numpy.ndarray of int32, shape (m,), m <= n
        The kept ids, in their original order.
    """
    ids = np.asarray(ids)
    keep_prob = np.asarray(keep_prob, dtype=np.float64)
    if ids.ndim != 1:
        raise ValueError(f"expected ids of shape (n,), got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"expected integer word ids, got dtype {ids.dtype}")
    if keep_prob.ndim != 1:
        raise ValueError(f"expected keep_prob of shape (V,), got shape {keep_prob.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= len(keep_prob)):
        raise ValueError(
            f"expected ids in 0..{len(keep_prob) - 1}, got values in {ids.min()}..{ids.max()}"
        )
    rng = as_generator(rng)
    u = rng.random(ids.shape[0])
    return ids[u < keep_prob[ids]].astype(np.int32, copy=False)
