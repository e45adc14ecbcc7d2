r"""The noise distribution of negative sampling and a fast sampler for it.

.. math:: P_n(w) = \frac{c_w^{\alpha}}{\sum_u c_u^{\alpha}}, \qquad \alpha = \text{ns\_exponent}
          \ (\text{default } 0.75)

``ns_exponent = 1`` is the unigram distribution, ``0`` the uniform one; 0.75 flattens the
unigram distribution so rare words are drawn more often than their frequency. gensim
samples by a binary search in a cumulative table (``cum_table``); :class:`NoiseSampler` does
the same on uniform draws, with a guide table that answers most draws without the search.
"""

import numpy as np

from ._rng import as_generator
from .subsampling import _check_counts


def noise_distribution(counts, ns_exponent=0.75):
    """Probabilities :math:`c_w^{\\alpha} / \\sum_u c_u^{\\alpha}`.

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts (``Vocabulary.counts``).
    ns_exponent : float
        gensim's ``ns_exponent``; 1 = unigram, 0 = uniform, negative values favour rare words.

    Returns
    -------
    numpy.ndarray of float64, shape (V,), summing to 1
    """
    c = _check_counts(counts)
    if not np.isscalar(ns_exponent) or not np.isreal(ns_exponent) or not np.isfinite(ns_exponent):
        raise ValueError(f"expected ns_exponent to be a finite number, got {ns_exponent!r}")
    # Work in log space so large counts ** exponent cannot overflow.
    logw = float(ns_exponent) * np.log(c)
    w = np.exp(logw - logw.max())
    return w / w.sum()


class NoiseSampler:
    """Draw noise words from :func:`noise_distribution`.

    Parameters
    ----------
    counts : array_like, shape (V,)
    ns_exponent : float
    seed : int or numpy.random.Generator or None
        Generator used when :meth:`sample` gets no ``rng``.

    Attributes
    ----------
    probs : numpy.ndarray of float64, shape (V,)
    cum_table : numpy.ndarray of float64, shape (V,)
        Cumulative sum of ``probs``; ``cum_table[-1] == 1``.
    """

    def __init__(self, counts, ns_exponent=0.75, seed=None):
        self.ns_exponent = float(ns_exponent) if np.isscalar(ns_exponent) else ns_exponent
        self.probs = noise_distribution(counts, ns_exponent)
        self.cum_table = np.cumsum(self.probs)
        self.cum_table[-1] = 1.0
        self.rng = as_generator(seed, "seed")
        # Guide table: M (a power of two, about 8 V) equal slices of [0, 1). A draw u in slice
        # j = floor(u M) has its answer between guide[j] and guide[j + 1], the answers at the
        # slice's two ends; where those are equal (most slices) no search is needed. M a power
        # of two makes u M exact, so the slice is never off by one.
        self._slices = 1 << max(1, int(np.ceil(np.log2(8 * len(self.probs)))))
        self._guide = np.searchsorted(
            self.cum_table, np.arange(self._slices + 1) / self._slices, side="right")

    def __len__(self):
        return len(self.probs)

    def __repr__(self):
        return f"NoiseSampler(V={len(self)}, ns_exponent={self.ns_exponent})"

    def sample(self, size, rng=None):
        """Draw word ids with probabilities ``probs``.

        Parameters
        ----------
        size : int or tuple of int
            Output shape, e.g. ``(B, k)`` for k negatives for each of B pairs.
        rng : int or numpy.random.Generator or None
            Defaults to the sampler's own generator (``seed``).

        Returns
        -------
        numpy.ndarray of int32, shape ``size``
        """
        rng = self.rng if rng is None else as_generator(rng)
        u = rng.random(size)
        # index i such that cum_table[i-1] <= u < cum_table[i]: np.searchsorted(cum_table, u,
        # side="right"), read from the guide table where the slice of u holds one answer
        j = (u * self._slices).astype(np.intp)
        ids = self._guide[j]
        unsure = ids != self._guide[j + 1]  # a word boundary inside u's slice (< 1/8 of draws)
        ids[unsure] = np.searchsorted(self.cum_table, u[unsure], side="right")
        return np.minimum(ids, len(self.probs) - 1).astype(np.int32)
