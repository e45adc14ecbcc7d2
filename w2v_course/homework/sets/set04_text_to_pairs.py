"""Set 04 - from text to training pairs (lesson 04).

Keep probability (gensim / word2vec.c): t = sample * sum(counts),
p_w = min(1, (sqrt(c_w / t) + 1) * t / c_w).  Reduced windows: uniform in 1..window (inclusive).
Pairs: for centre i ascending, context j in i-b_i..i+b_i ascending, j != i, inside the sentence.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.subsampling import keep_probability
from w2v_edu.windows import pair_positions

from ..core import Case, CaseFailed, as_array, call, draw_seed, exercise, expect_close, expect_true

WINDOWS = ("w2v_edu.windows.reduced_windows", "w2v_edu.windows.skipgram_positions",
           "w2v_edu.windows.skipgram_pairs", "w2v_edu.windows.corpus_skipgram_pairs")


def _counts(rng, V):
    # Zipf-like counts: a few very frequent words, many rare ones
    return np.sort(np.maximum(5, (20000 / np.arange(1, V + 1) ** 1.1
                                  * rng.uniform(0.8, 1.2, V)).astype(np.int64)))[::-1]


@exercise("04.keep_probability", "gensim's keep probability for subsampling",
          twins=("w2v_edu.subsampling.keep_probability", "w2v_edu.subsampling.threshold_count"))
def _keep_cases():
    def case(V, sample):
        def fn(f, rng):
            c = _counts(rng, V)
            want = keep_probability(c, sample)
            t = sample * c.sum()
            raw = (np.sqrt(c / t) + 1) * t / c
            f_w = c / c.sum()
            expect_close(call(f, c, sample), want, "the keep probabilities", mistakes={
                "probabilities above 1: cap them with np.minimum(p, 1.0)": raw,
                "this is the paper's formula 1 - sqrt(t / f); gensim uses "
                "(sqrt(c / t) + 1) * t / c": np.clip(1 - np.sqrt(sample / f_w), 0, 1),
                "the threshold is t = sample * (total count of all words), not sample * V":
                    np.minimum(1, (np.sqrt(c / (sample * len(c))) + 1) * sample * len(c) / c),
                "the threshold uses the total count, not the mean count":
                    np.minimum(1, (np.sqrt(c / (sample * c.mean())) + 1) * sample * c.mean() / c),
                "square root on the wrong side: sqrt(c / t), not sqrt(t / c)":
                    np.minimum(1, (np.sqrt(t / c) + 1) * t / c),
            })
        return fn

    return [Case("V=50, sample=1e-3", case(50, 1e-3)),
            Case("V=500, sample=1e-4", case(500, 1e-4)),
            Case("V=20, sample=1e-2 (most words kept)", case(20, 1e-2))]


@exercise("04.reduced_windows", "reduced windows uniform in 1..window", twins=WINDOWS)
def _windows_cases():
    def draw(f, n, window, seed):
        got = as_array(call(f, n, window, np.random.default_rng(seed)), "the windows")
        if got.shape != (n,):
            raise CaseFailed(f"expected one window per centre, shape ({n},), got {got.shape}")
        if not np.all(got == np.round(got)):
            raise CaseFailed("windows must be whole numbers (integers)")
        return got.astype(int)

    def support(window):
        def fn(f, rng):
            w = draw(f, 4000, window, draw_seed(rng))
            lo, hi = int(w.min()), int(w.max())
            if lo == 0:
                raise CaseFailed("a window of 0 appeared: b = rng.integers(0, window) is the "
                                 "REDUCTION; the effective window is window - b, in 1..window")
            if hi == window - 1 and lo >= 1:
                raise CaseFailed(f"the largest value, {window}, never appears: an exclusive "
                                 f"upper bound (rng.integers(1, {window}) stops at "
                                 f"{window - 1}); the effective window is uniform in "
                                 f"1..{window} inclusive")
            expect_true(lo >= 1 and hi <= window,
                        f"windows must lie in 1..{window}, got values from {lo} to {hi}")
            expect_true(len(np.unique(w)) == window,
                        f"expected every size 1..{window} to occur in 4000 draws, got only "
                        f"{sorted(set(w.tolist()))}")
        return fn

    def uniform(f, rng):
        window = 5
        w = draw(f, 20000, window, draw_seed(rng))
        freq = np.bincount(np.clip(w, 0, window), minlength=window + 1)[1:] / len(w)
        expect_true(np.all(np.abs(freq - 1 / window) < 0.02),
                    f"the sizes should be equally likely (each ~{1 / window:.2f}), got "
                    f"frequencies {np.round(freq, 3).tolist()}")

    def seeded(f, rng):
        s = draw_seed(rng)
        a = draw(f, 50, 5, s)
        b = draw(f, 50, 5, s)
        c = draw(f, 50, 5, s + 1)
        expect_true(np.all((a >= 1) & (a <= 5)), "windows must lie in 1..5")
        expect_true(np.array_equal(a, b), "the same seed gave different windows: draw only "
                                          "from the rng passed in")
        expect_true(not np.array_equal(a, c), "different seeds gave the same windows: draw them "
                                              "from the rng passed in")

    return [Case("window=5: values 1..5, all of them", support(5)),
            Case("window=2: values 1..2", support(2)),
            Case("equally likely", uniform), Case("same seed, same windows", seeded)]


@exercise("04.skipgram_pairs", "(context, centre) pairs in gensim's order",
          twins=("w2v_edu.windows.pair_positions",) + WINDOWS)
def _pairs_cases():
    def ref(ids, windows):
        cp, ip = pair_positions(np.asarray(windows, dtype=np.int64))
        return ids[cp], ids[ip]

    def variant(ids, windows, *, upper=1, include_self=False, clip=True):
        ctx, cen = [], []
        n = len(ids)
        for i in range(n):
            b = int(windows[i])
            for j in range(i - b, i + b + upper):
                if (j == i and not include_self) or (clip and not 0 <= j < n):
                    continue
                ctx.append(ids[j % n])
                cen.append(ids[i])
        return np.array(ctx), np.array(cen)

    def check_pairs(f, ids, windows, what):
        want_ctx, want_cen = ref(ids, windows)
        got = call(f, ids, windows)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CaseFailed("expected a pair of arrays (context, centre)")
        ctx, cen = (as_array(g, "context/centre") for g in got)
        both = np.stack([want_ctx, want_cen]) if len(want_ctx) else np.zeros((2, 0))
        mistakes = {}
        for hint, (a, b) in {
            "context and centre are swapped: the CONTEXT word is the input, return "
            "(context, centre)": (want_cen, want_ctx),
            "the word itself is paired with itself: skip j == i": variant(
                ids, windows, include_self=True),
            "an exclusive upper bound: range(i - b, i + b) misses j = i + b; use "
            "range(i - b, i + b + 1)": variant(ids, windows, upper=0),
            "positions outside the sentence: a negative j wraps around to the end; clip "
            "j to 0..n-1": variant(ids, windows, clip=False),
        }.items():
            mistakes[hint] = np.stack([a, b])
        if ctx.shape != cen.shape:
            raise CaseFailed(f"context and centre should have the same shape, got "
                             f"{ctx.shape} and {cen.shape}")
        expect_close(np.stack([ctx, cen]), both, what, atol=0, rtol=0, mistakes=mistakes)

    def case(n, window):
        def fn(f, rng):
            ids = rng.integers(0, 50, size=n)
            windows = rng.integers(1, window + 1, size=n)
            check_pairs(f, ids, windows, "the pairs (context row, centre row)")
        return fn

    def edge(f, rng):
        ids = rng.choice(50, size=3, replace=False)
        windows = rng.integers(3, 7, size=3)
        check_pairs(f, ids, windows,
                    "the pairs of a 3-word sentence whose windows reach past both ends")

    return [Case("8 words, window 2", case(8, 2)), Case("30 words, window 5", case(30, 5)),
            Case("windows longer than the sentence", edge)]
