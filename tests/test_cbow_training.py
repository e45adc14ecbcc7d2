"""CBOW (sg=0, gensim's default) trained end to end: both engines, against gensim itself.

- the per-centre engine reproduces gensim's trained vectors to float32 rounding: on the
  deterministic setting (hierarchical softmax, no subsampling, full windows) and, with gensim's
  random streams replayed, on the default random setting with hs, negative or both;
- the mini-batch engine with one centre word per batch *is* the per-centre engine;
- the mini-batch engine learns what gensim learns;
- gensim's defaults (sg=0 included), bad input, and corpora with one-word sentences.
"""

import inspect

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec
from scipy.stats import spearmanr

from w2v_edu import KeyedVectors, Word2Vec
from w2v_edu.word2vec import initial_vectors

TOL = 2e-4  # float32 rounding accumulated over thousands of SGD steps
QUIET = dict(progress=False)


def _gensim(sentences, **kw):
    theirs = GensimWord2Vec(workers=1, sg=0, **kw)
    theirs.build_vocab(sentences)
    effective, _ = theirs.train(sentences, total_examples=theirs.corpus_count,
                                epochs=theirs.epochs)
    return theirs, effective


def _assert_same_training(theirs, ours, start):
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert np.abs(theirs.wv.vectors - start).max() > 0.02  # training moved the vectors ...
    # ... and ours moved them the same way, up to float32 rounding
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, rtol=0, atol=TOL)
    for name in ("syn1", "syn1neg"):
        if getattr(ours, name) is not None:
            np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=0,
                                       atol=TOL)


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_deterministic_cbow_reproduces_gensim(lee, cbow_mean):
    sentences = lee[:30]
    kw = dict(hs=1, negative=0, sample=0, shrink_windows=False, cbow_mean=cbow_mean,
              vector_size=20, window=4, min_count=3, seed=2, epochs=2, batch_words=2000)
    theirs, _ = _gensim(sentences, **kw)
    ours = Word2Vec(sentences, sg=0, engine="per_pair", exp_table=True, **kw, **QUIET)
    assert len(ours.history[0]["alphas"]) > 1  # several jobs, one alpha each
    _assert_same_training(theirs, ours, initial_vectors(len(ours.wv), 20, 2))


@pytest.mark.parametrize("hs, negative, cbow_mean", [(1, 0, 1), (0, 5, 1), (1, 3, 1), (0, 5, 0)])
def test_replaying_gensims_streams_reproduces_its_default_cbow(lee, hs, negative, cbow_mean):
    """Default random setting (subsampling, reduced windows, noise words) with gensim's draws.

    One-word sentences sit in the corpus: their centre word has no context, trains nothing --
    and still draws its noise words, as gensim does, or every later draw would be off."""
    sentences = lee[:30]
    sentences = sentences[:10] + [["the"], ["said"]] + sentences[10:20] + [["year"]] \
        + sentences[20:]
    kw = dict(hs=hs, negative=negative, cbow_mean=cbow_mean, vector_size=24, window=5,
              min_count=3, sample=1e-3, seed=4, epochs=2)
    theirs, effective = _gensim(sentences, **kw)
    ours = Word2Vec(sentences, sg=0, engine="per_pair", exp_table=True, gensim_rng=True, **kw,
                    **QUIET)
    assert sum(h["words"] for h in ours.history) == effective  # the same tokens survive
    _assert_same_training(theirs, ours, initial_vectors(len(ours.wv), 24, 4))
    # with NumPy's draws instead, the vectors differ by a lot: the test can tell
    numpy_draws = Word2Vec(sentences, sg=0, engine="per_pair", exp_table=True, **kw, **QUIET)
    assert np.abs(numpy_draws.wv.vectors - theirs.wv.vectors).max() > 0.01


@pytest.mark.parametrize("cbow_update", ["gensim", "exact_gradient"])
@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_minibatch_engine_with_one_centre_per_batch_is_the_per_centre_engine(lee, cbow_mean,
                                                                              cbow_update):
    """Staleness is the only difference: with batches of one centre word there is none."""
    kw = dict(sg=0, hs=1, negative=0, sample=0, shrink_windows=False, cbow_mean=cbow_mean,
              cbow_update=cbow_update, vector_size=12, window=3, min_count=3, seed=6, epochs=1,
              alpha=0.1, **QUIET)
    per_centre = Word2Vec(lee[:12], engine="per_pair", **kw)
    batch_of_one = Word2Vec(lee[:12], engine="minibatch", batch_size=1, **kw)
    start = initial_vectors(len(per_centre.wv), 12, 6)
    assert np.abs(per_centre.wv.vectors - start).max() > 0.005
    np.testing.assert_allclose(batch_of_one.wv.vectors, per_centre.wv.vectors, rtol=0,
                               atol=1e-5)
    np.testing.assert_allclose(batch_of_one.syn1, per_centre.syn1, rtol=0, atol=1e-5)
    h_mb, h_pc = batch_of_one.history[0], per_centre.history[0]
    assert h_mb["pairs"] == h_pc["pairs"] and h_mb["words"] == h_pc["words"]
    assert h_mb["loss"] == pytest.approx(h_pc["loss"], rel=1e-4)


def test_gensims_rule_and_the_exact_gradient_train_different_vectors(lee):
    kw = dict(sg=0, vector_size=20, min_count=3, epochs=1, seed=3, **QUIET)
    gensim_rule = Word2Vec(lee[:40], **kw)
    exact = Word2Vec(lee[:40], cbow_update="exact_gradient", **kw)
    start = initial_vectors(len(exact.wv), 20, 3)
    # mean of ~6 context words: gensim moves each input vector ~6x as far
    moved_gensim = np.abs(gensim_rule.wv.vectors - start).sum()
    moved_exact = np.abs(exact.wv.vectors - start).sum()
    assert moved_gensim > 2.5 * moved_exact > 0


def _similarity_profile(wv, words):
    x = np.array([wv[w] for w in words], dtype=np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return (x @ x.T)[np.triu_indices(len(words), 1)]


@pytest.mark.parametrize("hs, negative", [(0, 5), (1, 0)])
def test_minibatch_cbow_learns_what_gensim_learns_on_lee(lee, hs, negative):
    """Cosine similarities among 200 words agree with gensim's about as well as two gensim seeds."""
    kw = dict(sg=0, hs=hs, negative=negative, epochs=5)
    g1 = GensimWord2Vec(lee, workers=1, seed=1, **kw)
    g2 = GensimWord2Vec(lee, workers=1, seed=2, **kw)
    ours = Word2Vec(lee, seed=3, **kw, **QUIET)
    words = g1.wv.index_to_key[20:220]
    ref = _similarity_profile(g1.wv, words)
    gensim_to_gensim = spearmanr(_similarity_profile(g2.wv, words), ref).statistic
    ours_to_gensim = spearmanr(_similarity_profile(ours.wv, words), ref).statistic
    untrained = KeyedVectors(ours.wv.index_to_key, initial_vectors(len(ours.wv), 100, 3))
    assert spearmanr(_similarity_profile(untrained, words), ref).statistic < 0.2
    assert ours_to_gensim >= 0.9 * gensim_to_gensim


@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
def test_cbow_history_counts_centre_words(toy, engine):
    sentences = toy + [["cat"], ["dog"]]  # two one-word sentences: centre words, no context
    model = Word2Vec(sentences, sg=0, sample=0, min_count=1, vector_size=16, epochs=6,
                     alpha=0.1, engine=engine, batch_words=300, batch_size=64, **QUIET)
    for h in model.history:
        # one training example per centre word with a context, every centre word a word
        assert h["words"] == sum(len(s) for s in sentences)
        assert h["pairs"] == h["words"] - 2 - sum(len(s) == 1 for s in toy)
        assert np.isfinite(h["loss"])
    assert model.history[-1]["loss"] < 0.9 * model.initial_loss_per_pair()
    assert model.history[0]["loss"] < model.initial_loss_per_pair() + 0.05


def test_defaults_are_gensims():
    """Every constructor argument gensim has, ours has too -- with gensim's default (sg=0)."""
    theirs = inspect.signature(GensimWord2Vec.__init__).parameters
    ours = inspect.signature(Word2Vec.__init__).parameters
    shared = [name for name in theirs if name != "self"]
    assert all(name in ours for name in shared)
    differing = {name: (ours[name].default, theirs[name].default) for name in shared
                 if ours[name].default != theirs[name].default}
    # hashfxn is Python's hash in both (gensim's default is the builtin)
    assert differing == {}, differing
    assert Word2Vec(**QUIET).sg == 0 and Word2Vec(**QUIET).cbow_mean == 1


def test_gensims_tutorial_trains_cbow_with_its_defaults(lee):
    """gensim's tutorial calls, defaults only: both libraries train CBOW."""
    ours = Word2Vec(**QUIET)
    ours.build_vocab(lee)
    ours.train(lee, total_examples=ours.corpus_count, epochs=ours.epochs)
    assert ours.sg == 0 and len(ours.history) == 5
    # a CBOW training example is a centre word: fewer examples than effective words
    assert all(h["pairs"] <= h["words"] for h in ours.history)
    assert ours.wv.most_similar("government", topn=3)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(sg=2), ValueError, "expected sg to be 0 or 1, got sg=2"),
        (dict(sg=None), TypeError, "expected sg to be 0 or 1, got None"),
        (dict(cbow_mean=-1), ValueError, "expected cbow_mean to be 0 or 1, got cbow_mean=-1"),
        (dict(cbow_mean="mean"), TypeError, "expected cbow_mean to be 0 or 1, got 'mean'"),
        (dict(cbow_update="exact"), ValueError,
         r"expected cbow_update to be one of \('gensim', 'exact_gradient'\)"),
        (dict(cbow_update=1), TypeError, "expected cbow_update to be one of"),
        (dict(sg=0, hs=0, negative=0), ValueError, "hs=0 with negative=0"),
    ],
)
def test_bad_cbow_input_is_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        Word2Vec(**kwargs, **QUIET)


def test_cbow_contexts_are_gensims_windows():
    """Context words of each centre position, as gensim's train_batch_cbow forms them:
    positions max(i - b_i, start) .. min(i + b_i, end) of the same sentence, the centre left out."""
    from w2v_edu.training_corpus import Job

    ids = np.array([7, 3, 5, 9, 2, 4, 8, 6], dtype=np.int32)
    sentence_of = np.array([0, 0, 0, 0, 1, 2, 2, 2], dtype=np.int32)  # sentence 1: one word
    windows = np.array([2, 1, 3, 2, 2, 1, 2, 1])
    job = Job(epoch=0, alpha=0.025, raw_before=0, raw_words=8, ids=ids,
              sentence_of=sentence_of, windows=windows)
    context_ids, starts = job.cbow_contexts()
    bounds = {0: (0, 4), 1: (4, 5), 2: (5, 8)}
    for i in range(len(ids)):
        lo, hi = bounds[int(sentence_of[i])]
        j, k = max(i - windows[i], lo), min(i + windows[i] + 1, hi)
        expected = [int(ids[p]) for p in range(j, k) if p != i]
        assert context_ids[starts[i]:starts[i + 1]].tolist() == expected
    assert starts[5] - starts[4] == 0  # the one-word sentence's centre has no context
