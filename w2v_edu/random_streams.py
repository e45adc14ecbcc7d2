"""Where the per-pair engine's random draws come from: NumPy, or gensim's own streams replayed.

Training draws three kinds of random numbers, job by job: which tokens subsampling keeps, each
kept word's reduced window, and the noise words of every pair. :class:`NumpyDraws` takes them
from one seeded ``numpy.random.Generator`` (the default: clear and reproducible).

:class:`GensimDraws` replays the streams gensim 4.4 uses, in gensim's order, so that our per-pair
engine can be compared with gensim on its *default*, random settings (lesson 09, and a test):

- every job starts a 48-bit linear congruential generator (the one of ``word2vec.c`` and Java's
  ``Random``) from two draws of ``numpy.random.RandomState(seed)``:
  ``next = 2**24 * randint(0, 2**24) + randint(0, 2**24)``;
  each use returns ``next >> 16`` and steps ``next <- (next * 25214903917 + 11) mod 2**48``;
- subsampling keeps a token when ``sample_int[w] >= next >> 16``, with
  ``sample_int = uint32(p_keep * (2**32 - 1))``;
- reduced windows are ``window - RandomState.randint(0, window, n)`` for the job's kept words;
- a noise word is ``bisect_left(cum_table, (next >> 16) % cum_table[-1])`` on gensim's integer
  table ``cum_table[i] = round(sum_{j <= i} c_j**0.75 / sum_j c_j**0.75 * (2**31 - 1))``.

Both classes have the same four methods, called in this order for every job (by
:func:`w2v_edu.training_corpus.epoch_jobs`, then the engine): ``start_job()``,
``keep(ids, keep_prob, limit)``, ``windows(n, window)``, then ``noise(n_pairs, negative)``.

gensim seeds a job's LCG only when it will use it (``negative`` or ``sample`` on); with hierarchical
softmax and no subsampling the job takes no ``RandomState`` draw for it.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.windows import reduced_windows

_LCG_MULTIPLIER = 25214903917
_LCG_INCREMENT = 11
_LCG_MASK = (1 << 48) - 1
_CUM_TABLE_DOMAIN = 2**31 - 1


def _lcg_jumps(n: int) -> tuple[list[int], list[int]]:
    """Jump-ahead coefficients of the LCG: after j steps ``next_j = A[j] * next_0 + C[j]``
    (mod 2**48), for j = 0..n: ``A[j] = a**j`` and ``C[j] = c (a**(j-1) + ... + a + 1)``."""
    a, c = [1], [0]
    for _ in range(n):
        a.append(a[-1] * _LCG_MULTIPLIER & _LCG_MASK)
        c.append((c[-1] * _LCG_MULTIPLIER + _LCG_INCREMENT) & _LCG_MASK)
    return a, c


_BLOCK = 1024
_JUMP_A, _JUMP_C = _lcg_jumps(_BLOCK)
# the same as uint64 arrays: products wrap modulo 2**64, and 2**48 divides 2**64, so masking a
# wrapped product to 48 bits gives the product modulo 2**48 exactly
_JUMP_A_U64 = np.array(_JUMP_A[:_BLOCK], dtype=np.uint64)
_JUMP_C_U64 = np.array(_JUMP_C[:_BLOCK], dtype=np.uint64)


class NumpyDraws:
    """All draws from one seeded ``numpy.random.Generator`` (the per-pair engine's default)."""

    def __init__(self, rng: np.random.Generator, noise=None):
        self.rng = rng
        self.noise_sampler = noise

    def start_job(self) -> None:
        """Nothing to do: the Generator's stream simply continues."""

    def state(self) -> dict:
        """The stream's state as plain JSON data (for ``Word2Vec.save``)."""
        return {"kind": "numpy", "bit_generator": self.rng.bit_generator.state}

    def set_state(self, state: dict) -> None:
        """Continue from a state written by :meth:`state`."""
        self.rng.bit_generator.state = state["bit_generator"]

    def keep(self, ids: np.ndarray, keep_prob: np.ndarray | None, limit=None) -> np.ndarray:
        """Boolean mask (n,): token i kept when u_i < keep_prob[ids[i]], u_i ~ U[0, 1).

        ``limit`` (the caller keeps only the first ``limit`` kept tokens) changes nothing here.
        """
        if keep_prob is None:
            return np.ones(ids.shape[0], dtype=bool)
        return self.rng.random(ids.shape[0]) < keep_prob[ids]

    def windows(self, n: int, window: int) -> np.ndarray:
        """Effective windows (n,), uniform in 1..window."""
        return reduced_windows(n, window, self.rng)

    def noise(self, n_pairs: int, negative: int) -> np.ndarray:
        """Noise words (n_pairs, negative) from the noise distribution."""
        return self.noise_sampler.sample((n_pairs, negative), self.rng)


def gensim_cum_table(counts: np.ndarray, ns_exponent: float = 0.75) -> np.ndarray:
    """gensim's integer cumulative noise table, shape (V,), uint32, last entry 2**31 - 1.

    Computed with Python floats in gensim's order, so that every entry is the same integer.
    """
    powers = [float(c) ** float(ns_exponent) for c in np.asarray(counts).tolist()]
    total = 0.0
    for p in powers:
        total += p
    table = np.empty(len(powers), dtype=np.uint32)
    cumulative = 0.0
    for i, p in enumerate(powers):
        cumulative += p
        table[i] = round(cumulative / total * _CUM_TABLE_DOMAIN)
    return table


class GensimDraws:
    """gensim 4.4's random streams (see the module docstring), replayed draw for draw.

    Parameters
    ----------
    seed : int
        gensim's ``seed``: ``model.random = numpy.random.RandomState(seed)``.
    counts : ndarray of int, shape (V,)
        Word counts in vocabulary order, for the integer noise table.
    ns_exponent : float
    """

    def __init__(self, seed: int, counts: np.ndarray, ns_exponent: float = 0.75,
                 uses_lcg: bool = True):
        self.random = np.random.RandomState(seed)
        self.cum_table = gensim_cum_table(counts, ns_exponent).astype(np.int64)
        self.uses_lcg = uses_lcg
        self.next_random = 0

    def with_counts(self, counts: np.ndarray, ns_exponent: float = 0.75) -> GensimDraws:
        """The same streams (same ``RandomState``) with a noise table for new counts (online
        training: gensim rebuilds ``cum_table`` and keeps drawing from ``model.random``)."""
        self.cum_table = gensim_cum_table(counts, ns_exponent).astype(np.int64)
        return self

    def state(self) -> dict:
        """The streams' state as plain JSON data (for ``Word2Vec.save``)."""
        name, keys, pos, has_gauss, cached = self.random.get_state()
        return {"kind": "gensim", "random": [name, keys.tolist(), int(pos), int(has_gauss),
                                             float(cached)], "next_random": self.next_random}

    def set_state(self, state: dict) -> None:
        """Continue from a state written by :meth:`state`."""
        name, keys, pos, has_gauss, cached = state["random"]
        self.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
        self.next_random = int(state["next_random"])

    def _next(self) -> int:
        # this = next >> 16 ;  next <- (next * 25214903917 + 11) mod 2**48
        this = self.next_random >> 16
        self.next_random = (self.next_random * _LCG_MULTIPLIER + _LCG_INCREMENT) & _LCG_MASK
        return this

    def _peek(self, n: int) -> np.ndarray:
        """The next ``n`` values of :meth:`_next` (int64), without moving the generator.

        Vectorised by jumping ahead, ``next_{kB+j} = A[j] next_{kB} + C[j]`` (mod 2**48), a block
        of B = 1024 steps at a time: the same numbers as ``n`` calls of :meth:`_next`.
        """
        out = np.empty(n, dtype=np.int64)
        state = self.next_random
        for start in range(0, n, _BLOCK):
            m = min(_BLOCK, n - start)
            states = (_JUMP_A_U64[:m] * np.uint64(state) + _JUMP_C_U64[:m]) & np.uint64(_LCG_MASK)
            out[start : start + m] = (states >> np.uint64(16)).astype(np.int64)
            state = (_JUMP_A[m] * state + _JUMP_C[m]) & _LCG_MASK
        return out

    def _advance(self, n: int) -> None:
        """Move the generator ``n`` steps on, as ``n`` calls of :meth:`_next` would."""
        state = self.next_random
        while n > 0:
            m = min(_BLOCK, n)
            state = (_JUMP_A[m] * state + _JUMP_C[m]) & _LCG_MASK
            n -= m
        self.next_random = state

    def start_job(self) -> None:
        """Seed the job's LCG from two RandomState draws, as gensim's ``init_w2v_config``.

        Only when negative sampling or subsampling is on (``uses_lcg``); else no draw at all.
        """
        if not self.uses_lcg:
            return
        high = int(self.random.randint(0, 2**24))
        low = int(self.random.randint(0, 2**24))
        self.next_random = (2**24) * high + low

    def keep(self, ids: np.ndarray, keep_prob: np.ndarray | None, limit=None) -> np.ndarray:
        """Subsampling: one LCG draw per in-vocabulary token, in corpus order.

        Once ``limit`` tokens are kept gensim stops reading the job, so no further draw is
        taken (the remaining tokens are marked as dropped).
        """
        if keep_prob is None:
            return np.ones(ids.shape[0], dtype=bool)
        sample_int = (keep_prob * (2**32 - 1)).astype(np.uint32).astype(np.int64)
        thresholds = sample_int[ids]
        # gensim discards a token when sample_int[w] < random; keeps it otherwise
        keep = thresholds >= self._peek(thresholds.shape[0])
        used = thresholds.shape[0]  # draws taken
        if limit is not None and np.count_nonzero(keep) >= limit:
            # the token that brings the count to `limit` is the last one read
            used = int(np.argmax(np.cumsum(keep) == limit)) + 1 if limit > 0 else 0
            keep[used:] = False
        self._advance(used)
        return keep

    def windows(self, n: int, window: int) -> np.ndarray:
        """Effective windows: ``window - RandomState.randint(0, window, n)``."""
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        return window - self.random.randint(0, window, n).astype(np.int64)

    def noise(self, n_pairs: int, negative: int) -> np.ndarray:
        """Noise words (n_pairs, negative): bisect on the integer table, one LCG step each."""
        top = int(self.cum_table[-1])
        raw = self._peek(n_pairs * negative) % top
        self._advance(n_pairs * negative)
        ids = np.searchsorted(self.cum_table, raw, side="left")
        return ids.reshape(n_pairs, negative)
