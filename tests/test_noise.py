import numpy as np
import pytest
from gensim.models import Word2Vec
from scipy.stats import chisquare

from w2v_edu.noise import NoiseSampler, noise_distribution
from w2v_edu.vocab import Vocabulary


@pytest.mark.parametrize("ns_exponent", [0.75, 1.0, 0.0, 0.5])
def test_matches_gensim_cum_table(lee, ns_exponent):
    model = Word2Vec(vector_size=8, min_count=5, negative=5, ns_exponent=ns_exponent,
                     workers=1, seed=1)
    model.build_vocab(lee)
    vocab = Vocabulary.build(lee, min_count=5)
    cum = model.cum_table.astype(np.float64)
    gensim_probs = np.diff(np.concatenate([[0.0], cum])) / cum[-1]
    probs = noise_distribution(vocab.counts, ns_exponent)
    # gensim rounds its cumulative table to integers out of 2**31 - 1
    np.testing.assert_allclose(probs, gensim_probs, atol=2e-9, rtol=0)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)


def test_special_exponents():
    counts = np.array([8, 4, 2, 1])
    np.testing.assert_allclose(noise_distribution(counts, 1.0), counts / 15)
    np.testing.assert_allclose(noise_distribution(counts, 0.0), 0.25)
    p = noise_distribution(counts, 0.75)
    assert np.all(np.diff(p) < 0)
    # flattening: the most frequent word loses mass, the rarest gains
    assert p[0] < 8 / 15 and p[-1] > 1 / 15
    # huge counts do not overflow
    assert np.all(np.isfinite(noise_distribution(np.array([1e300, 1.0]), 2.0)))


def test_sampler_frequencies_chisquare():
    counts = np.array([50, 20, 10, 5, 3, 1, 1])
    sampler = NoiseSampler(counts, seed=123)
    draws = sampler.sample(200_000)
    observed = np.bincount(draws, minlength=len(counts))
    expected = sampler.probs * draws.size
    assert chisquare(observed, expected).pvalue > 1e-3
    assert draws.dtype == np.int32 and draws.min() >= 0 and draws.max() < len(counts)


@pytest.mark.parametrize("counts", [[7], [3, 1], np.arange(1, 2001) ** 2,
                                    np.random.default_rng(1).zipf(1.3, size=5000)])
def test_guide_table_gives_exactly_the_binary_search_draws(counts):
    """The guide table only skips searches: every id equals searchsorted's on the same u."""
    sampler = NoiseSampler(counts, seed=0)
    u = np.random.default_rng(2).random(300_000)
    u[:4] = [0.0, np.nextafter(1.0, 0.0), 0.5, sampler.cum_table[0] % 1.0]  # ends, a boundary
    # the same uniforms through sample(): a generator that returns u
    drawn = sampler.sample(u.shape, rng=_Replay(u))
    expected = np.minimum(np.searchsorted(sampler.cum_table, u, side="right"), len(counts) - 1)
    np.testing.assert_array_equal(drawn, expected)


class _Replay(np.random.Generator):
    """A Generator whose ``random`` returns fixed numbers (to feed sample() chosen uniforms)."""

    def __init__(self, values):
        super().__init__(np.random.PCG64(0))
        self.values = values

    def random(self, size=None, dtype=np.float64, out=None):
        return self.values.reshape(size)


def test_sampler_seed_and_shape():
    counts = np.arange(1, 11)
    a = NoiseSampler(counts, seed=5).sample((3, 4))
    b = NoiseSampler(counts, seed=5).sample((3, 4))
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        NoiseSampler(counts).sample(6, rng=9), NoiseSampler(counts).sample(6, rng=9))
    s = NoiseSampler(counts, seed=0)
    assert s.cum_table[-1] == 1.0 and len(s) == 10 and "ns_exponent=0.75" in repr(s)


def test_bad_input():
    with pytest.raises(ValueError, match="finite positive counts"):
        noise_distribution([1, -2])
    with pytest.raises(ValueError, match="ns_exponent to be a finite number, got nan"):
        noise_distribution([1, 2], float("nan"))
    with pytest.raises(ValueError, match=r"shape \(V,\) with V >= 1, got shape \(0,\)"):
        NoiseSampler([])
