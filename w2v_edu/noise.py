r"""The noise distribution of negative sampling and a fast sampler for it.

.. math:: P_n(w) = \frac{c_w^{\alpha}}{\sum_u c_u^{\alpha}}, \qquad \alpha = \text{ns\_exponent}
          \ (\text{default } 0.75)

``ns_exponent = 1`` is the unigram distribution, ``0`` the uniform one; 0.75 flattens the
unigram distribution so rare words are drawn more often than their frequency. gensim
samples by a binary search in a cumulative table (``cum_table``); :class:`NoiseSampler` does
the same with ``np.searchsorted`` on uniform draws.
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
        # index i such that cum_table[i-1] <= u < cum_table[i]
        ids = np.searchsorted(self.cum_table, u, side="right")
        return np.minimum(ids, len(self.probs) - 1).astype(np.int32)
