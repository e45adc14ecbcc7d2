import numpy as np
import pytest
from gensim.models import Word2Vec

from w2v_edu.subsampling import keep_probability, keep_probability_paper, subsample
from w2v_edu.vocab import Vocabulary


@pytest.mark.parametrize("sample", [1e-3, 1e-4, 1e-2])
def test_keep_probability_matches_gensim(lee, sample):
    model = Word2Vec(vector_size=8, min_count=5, sample=sample, workers=1, seed=1)
    model.build_vocab(lee)
    vocab = Vocabulary.build(lee, min_count=5)
    assert vocab.index_to_key == model.wv.index_to_key
    gensim_p = np.array([model.wv.get_vecattr(i, "sample_int") for i in range(len(vocab))]) / 2**32
    ours = keep_probability(vocab.counts, sample=sample)
    np.testing.assert_allclose(ours, gensim_p, atol=1e-6, rtol=0)
    assert ours.shape == (len(vocab),) and ours.dtype == np.float64


def test_the_on_lee(lee):
    vocab = Vocabulary.build(lee, min_count=5)
    p = keep_probability(vocab.counts, 1e-3)
    assert p[vocab["the"]] == pytest.approx(0.121, abs=5e-4)
    assert np.all((p > 0) & (p <= 1))
    # rare words are always kept
    assert p[-1] == 1.0


def test_gensim_formula_is_paper_plus_t_over_c():
    counts = np.array([5000, 800, 120, 30, 3])
    sample = 1e-3
    t = sample * counts.sum()
    paper = keep_probability_paper(counts, sample)
    np.testing.assert_allclose(paper, np.minimum(1, np.sqrt(t / counts)))
    ours = keep_probability(counts, sample)
    np.testing.assert_allclose(ours, np.minimum(1, paper + t / counts))
    assert np.all(ours >= paper)


def test_sample_zero_keeps_all():
    counts = np.array([100, 10, 1])
    np.testing.assert_array_equal(keep_probability(counts, 0), 1.0)
    np.testing.assert_array_equal(keep_probability(counts, None), 1.0)
    np.testing.assert_array_equal(keep_probability_paper(counts, 0), 1.0)
    ids = np.array([0, 0, 1, 2])
    np.testing.assert_array_equal(subsample(ids, keep_probability(counts, 0), rng=0), ids)


def test_subsample_rate_and_seed():
    keep = np.array([0.1, 0.5, 1.0])
    ids = np.repeat(np.arange(3), 20000)
    kept = subsample(ids, keep, rng=7)
    np.testing.assert_array_equal(kept, subsample(ids, keep, rng=7))
    rates = np.bincount(kept, minlength=3) / 20000
    # binomial standard deviation <= 0.0036; allow 5 of them
    np.testing.assert_allclose(rates, keep, atol=0.018)
    assert rates[2] == 1.0
    # order preserved
    assert np.all(np.diff(kept) >= 0)
    assert kept.dtype == np.int32


def test_bad_input():
    with pytest.raises(ValueError, match=r"expected counts of shape \(V,\)"):
        keep_probability(np.ones((2, 2)))
    with pytest.raises(ValueError, match="finite positive counts"):
        keep_probability([3, 0, 1])
    with pytest.raises(ValueError, match="sample to be a finite number >= 0, got sample=-0.1"):
        keep_probability([3, 1], sample=-0.1)
    with pytest.raises(ValueError, match=r"ids in 0..1, got values in 0..5"):
        subsample([0, 5], np.array([1.0, 1.0]), rng=0)
    with pytest.raises(TypeError, match="int seed or a numpy.random.Generator"):
        subsample([0], np.array([1.0]), rng="seed")
