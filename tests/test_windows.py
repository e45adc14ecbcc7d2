import numpy as np
import pytest
from scipy.stats import chisquare

from w2v_edu.windows import (
    corpus_skipgram_pairs,
    pair_positions,
    reduced_windows,
    skipgram_pairs,
    skipgram_positions,
)


def reference_pairs(n, windows):
    """Plain double loop in gensim's order."""
    pairs = []
    for i in range(n):
        for j in range(max(0, i - windows[i]), min(n, i + windows[i] + 1)):
            if j != i:
                pairs.append((j, i))
    return pairs


@pytest.mark.parametrize("window", [1, 2, 5, 10])
def test_reduced_windows_uniform_in_1_to_window(window):
    w = reduced_windows(60_000, window, rng=2024)
    assert w.min() == 1 and w.max() == window  # both ends reached
    observed = np.bincount(w, minlength=window + 1)[1:]
    assert observed.sum() == 60_000
    if window == 1:
        assert np.all(w == 1)
    else:
        assert chisquare(observed).pvalue > 1e-3


def test_reduced_windows_seeded():
    np.testing.assert_array_equal(reduced_windows(50, 5, 3), reduced_windows(50, 5, 3))
    g = np.random.default_rng(3)
    np.testing.assert_array_equal(reduced_windows(50, 5, g), reduced_windows(50, 5, 3))


def test_pair_positions_order_matches_reference_loop():
    rng = np.random.default_rng(0)
    for n in [0, 1, 2, 7, 30]:
        w = rng.integers(0, 6, size=n)
        ctx, cen = pair_positions(w)
        assert list(zip(ctx.tolist(), cen.tolist(), strict=True)) == reference_pairs(n, w)


def test_full_windows_count():
    n, window = 12, 3
    ctx, cen = skipgram_positions(n, window, rng=None, shrink_windows=False)
    expected = sum(min(n - 1, i + window) - max(0, i - window) for i in range(n))
    assert len(ctx) == expected
    assert np.all(np.abs(ctx - cen) <= window) and np.all(ctx != cen)


def test_skipgram_pairs_word_ids():
    ids = np.array([10, 11, 12, 13])
    ctx, cen = skipgram_pairs(ids, window=1, rng=0, shrink_windows=False)
    assert list(zip(ctx.tolist(), cen.tolist(), strict=True)) == [
        (11, 10), (10, 11), (12, 11), (11, 12), (13, 12), (12, 13)]
    assert ctx.dtype == np.int32
    a = skipgram_pairs(ids, 3, rng=4)
    b = skipgram_pairs(ids, 3, rng=4)
    np.testing.assert_array_equal(a[0], b[0])


def test_corpus_pairs_after_subsampling():
    sentences = [np.array([0, 1, 2, 3, 4]), np.array([], dtype=np.int32), np.array([2, 2])]
    keep_none_of_0 = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    ctx, cen = corpus_skipgram_pairs(sentences, 2, rng=1, keep_prob=keep_none_of_0,
                                     shrink_windows=False)
    assert 0 not in ctx and 0 not in cen
    # windows formed after removal: 1 and 3 (distance 2 in the kept sentence [1,2,3,4])
    pairs = set(zip(ctx.tolist(), cen.tolist(), strict=True))
    assert (1, 3) in pairs and (4, 2) in pairs and (2, 2) in pairs
    c1, t1 = corpus_skipgram_pairs(sentences, 2, rng=5)
    c2, t2 = corpus_skipgram_pairs(sentences, 2, rng=5)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(t1, t2)


def test_bad_input():
    with pytest.raises(ValueError, match="expected window to be an integer >= 1, got window=0"):
        reduced_windows(5, 0, rng=0)
    with pytest.raises(ValueError, match=r"expected ids of shape \(n,\), got shape \(2, 2\)"):
        skipgram_pairs(np.zeros((2, 2), dtype=int), 2, rng=0)
    with pytest.raises(TypeError, match="integer word ids"):
        skipgram_pairs(np.array([0.5, 1.5]), 2, rng=0)
    with pytest.raises(TypeError, match="expected encoded_sentences to be an iterable"):
        corpus_skipgram_pairs("text", 2, rng=0)
