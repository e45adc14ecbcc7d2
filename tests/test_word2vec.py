"""Word2Vec: contract, reproducibility, history, callbacks, divergence, bad input, and that it
learns what gensim learns."""

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec
from scipy.stats import spearmanr

from w2v_edu import KeyedVectors, Word2Vec
from w2v_edu.callbacks import Callback
from w2v_edu.errors import DivergenceError
from w2v_edu.word2vec import initial_vectors

QUIET = dict(progress=False)


def _similarity_profile(wv, words):
    x = np.array([wv[w] for w in words], dtype=np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return (x @ x.T)[np.triu_indices(len(words), 1)]


@pytest.mark.parametrize("hs, negative", [(0, 5), (1, 0)])
def test_learns_what_gensim_learns_on_lee(lee, hs, negative):
    """Cosine similarities among 200 words agree with gensim's about as well as two gensim seeds."""
    kw = dict(sg=1, hs=hs, negative=negative, epochs=5)
    g1 = GensimWord2Vec(lee, workers=1, seed=1, **kw)
    g2 = GensimWord2Vec(lee, workers=1, seed=2, **kw)
    ours = Word2Vec(lee, seed=3, **kw, **QUIET)
    words = g1.wv.index_to_key[20:220]
    ref = _similarity_profile(g1.wv, words)
    gensim_to_gensim = spearmanr(_similarity_profile(g2.wv, words), ref).statistic
    ours_to_gensim = spearmanr(_similarity_profile(ours.wv, words), ref).statistic
    untrained = KeyedVectors(ours.wv.index_to_key, initial_vectors(len(ours.wv), 100, 3))
    untrained_to_gensim = spearmanr(_similarity_profile(untrained, words), ref).statistic
    assert untrained_to_gensim < 0.2
    assert ours_to_gensim >= 0.95 * gensim_to_gensim


@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
def test_same_seed_gives_bit_identical_vectors(toy, engine, sg):
    kw = dict(sg=sg, min_count=1, vector_size=16, epochs=2, engine=engine, hs=1, negative=3,
              **QUIET)
    a = Word2Vec(toy, seed=7, **kw)
    b = Word2Vec(toy, seed=7, **kw)
    c = Word2Vec(toy, seed=8, **kw)
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    assert np.array_equal(a.syn1neg, b.syn1neg) and np.array_equal(a.syn1, b.syn1)
    assert [h["loss"] for h in a.history] == [h["loss"] for h in b.history]
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_initial_vectors_are_gensims(lee):
    theirs = GensimWord2Vec(vector_size=30, seed=11, min_count=5)
    theirs.build_vocab(lee)
    ours = Word2Vec(vector_size=30, seed=11, min_count=5, **QUIET)
    ours.build_vocab(lee)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert np.array_equal(ours.wv.vectors, theirs.wv.vectors)
    assert np.all(ours.syn1neg == 0)


def test_wv_vectors_are_syn0_and_answer_queries(toy):
    model = Word2Vec(toy, min_count=2, vector_size=20, epochs=3, **QUIET)
    assert model.wv.vectors is model.syn0
    word = model.wv.index_to_key[0]
    assert model.wv[word].shape == (20,)
    assert len(model.wv.most_similar(word, topn=3)) == 3
    with pytest.raises(KeyError, match="zzzunknown"):
        model.wv.most_similar("zzzunknown")


@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
def test_history_records_every_epoch(toy, engine):
    model = Word2Vec(toy, sg=1, min_count=1, vector_size=16, epochs=6, alpha=0.1, engine=engine,
                     batch_words=300, batch_size=32, **QUIET)
    assert [h["epoch"] for h in model.history] == list(range(6))
    first, last = model.history[0], model.history[-1]
    assert first["alpha_start"] == model.alpha
    assert last["alpha_end"] < first["alpha_end"]
    alphas = [a for h in model.history for a in h["alphas"]]
    assert all(a >= b for a, b in zip(alphas, alphas[1:], strict=False))
    assert min(alphas) >= model.min_alpha
    for h in model.history:
        assert h["pairs"] > h["words"] > 0
        assert h["raw_words"] == sum(len(s) for s in toy)
        assert np.isfinite(h["loss"]) and h["seconds"] >= 0
    # SGD lowers the loss per pair from its starting value (log 2 per target)
    assert last["loss"] < 0.9 * model.initial_loss_per_pair()
    assert first["loss"] < model.initial_loss_per_pair() + 0.05


def test_train_called_twice_restarts_alpha(toy):
    model = Word2Vec(toy, min_count=1, vector_size=8, epochs=2, batch_words=300, **QUIET)
    model.train(epochs=1)
    assert len(model.history) == 3
    assert model.history[2]["alpha_start"] == model.alpha
    assert model.history[2]["alpha_end"] < model.history[1]["alpha_start"]


def test_callbacks_run_in_order(toy):
    events = []

    class Recorder(Callback):
        def on_train_begin(self, model):
            events.append("train_begin")

        def on_epoch_begin(self, model):
            events.append("epoch_begin")

        def on_epoch_end(self, model):
            events.append(f"epoch_end {len(model.history)}")

        def on_train_end(self, model):
            events.append("train_end")

    Word2Vec(toy, min_count=1, vector_size=8, epochs=2, callbacks=[Recorder()], **QUIET)
    assert events == ["train_begin", "epoch_begin", "epoch_end 1", "epoch_begin", "epoch_end 2",
                      "train_end"]


@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
def test_a_huge_alpha_stops_with_an_error_naming_it(toy, engine, sg):
    with pytest.raises(DivergenceError, match=r"alpha=50.0.*smaller alpha") as err:
        Word2Vec(toy, sg=sg, min_count=1, vector_size=16, epochs=3, alpha=50.0, min_alpha=50.0,
                 engine=engine, batch_words=200, **QUIET)
    assert "alpha=5" in str(err.value)  # suggests a tenth


def test_after_divergence_no_nan_is_left_behind(toy):
    model = Word2Vec(min_count=1, vector_size=16, epochs=3, alpha=50.0, min_alpha=50.0, **QUIET)
    model.build_vocab(toy)
    with pytest.raises(DivergenceError):
        model.train()
    assert all(np.isfinite(m).all() for m in (model.wv.vectors, model.syn1neg))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(window=0), ValueError, "expected window to be an integer >= 1, got window=0"),
        (dict(vector_size=0), ValueError, "vector_size to be an integer >= 1, got vector_size=0"),
        (dict(negative=-1), ValueError, "negative to be an integer >= 0, got negative=-1"),
        (dict(hs=0, negative=0), ValueError, "hs=0 with negative=0"),
        (dict(alpha=0.0), ValueError, "alpha to be a finite number > 0, got alpha=0.0"),
        (dict(alpha=-0.1), ValueError, "alpha to be a finite number > 0"),
        (dict(sample=-1e-3), ValueError, "sample to be a finite number >= 0"),
        (dict(epochs=0), ValueError, "epochs to be an integer >= 1"),
        (dict(min_count=-1), ValueError, "min_count to be an integer >= 0"),
        (dict(min_alpha=0.5), ValueError, "min_alpha <= alpha"),
        (dict(engine="gpu"), ValueError, "engine"),
        (dict(sg=2), ValueError, "sg to be 0 or 1, got sg=2"),
        (dict(sg="0"), TypeError, "sg to be 0 or 1, got '0'"),
        (dict(cbow_mean=2), ValueError, "cbow_mean to be 0 or 1, got cbow_mean=2"),
        (dict(cbow_mean=0.5), TypeError, "cbow_mean to be 0 or 1, got 0.5"),
        (dict(cbow_update="exact"), ValueError,
         r"cbow_update to be one of \('gensim', 'exact_gradient'\), got cbow_update='exact'"),
        (dict(hs="yes"), TypeError, "hs to be 0 or 1"),
        (dict(null_word=1), NotImplementedError, "null_word"),
        (dict(window=2.5), TypeError, "window to be an integer"),
        (dict(callbacks=[print]), TypeError, "Callback"),
    ],
)
def test_invalid_hyperparameters_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        Word2Vec(**kwargs, **QUIET)


@pytest.mark.parametrize(
    "sentences, error, message",
    [
        ([], ValueError, "empty"),
        (None, TypeError, "None"),
        ("the cat sat on the mat", TypeError, "plain string"),
        (["the cat sat", "on the mat"], TypeError, "plain str"),
        ([["a", 1]], TypeError, "str"),
        ([["rare", "words", "only"]], ValueError, "min_count"),
    ],
)
def test_bad_corpora_are_named(sentences, error, message):
    model = Word2Vec(**QUIET)
    with pytest.raises(error, match=message):
        model.build_vocab(sentences)


def test_train_before_build_vocab_says_what_to_do():
    with pytest.raises(RuntimeError, match="build_vocab"):
        Word2Vec(**QUIET).train()


def test_a_generator_corpus_is_refused_as_in_gensim(toy):
    """A generator can be iterated once; building the vocabulary and training need more."""
    with pytest.raises(TypeError, match="got a generator"):
        Word2Vec((s for s in toy), min_count=1, vector_size=8, epochs=1, **QUIET)


@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
@pytest.mark.parametrize("hs, negative", [(0, 5), (1, 0)])
def test_a_corpus_without_pairs_trains_nothing_and_says_so(engine, hs, negative, sg):
    """One-word sentences have no context word: no (context, centre) pair for skip-gram, no
    centre word with a context for CBOW -- nothing moves, nothing breaks."""
    model = Word2Vec([["alpha"], ["beta"], ["alpha"]], min_count=1, vector_size=4, epochs=2,
                     hs=hs, negative=negative, engine=engine, sg=sg, **QUIET)
    start = initial_vectors(len(model.wv), 4, model.seed)
    assert [h["pairs"] for h in model.history] == [0, 0]
    assert np.array_equal(model.wv.vectors, start)
