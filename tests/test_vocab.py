import numpy as np
import pytest
from gensim.models import Word2Vec

from w2v_edu.vocab import Vocabulary


def gensim_vocab(corpus, **kwargs):
    model = Word2Vec(vector_size=8, workers=1, seed=1, **kwargs)
    model.build_vocab(corpus)
    return model


@pytest.mark.parametrize("min_count", [1, 2, 5, 20])
def test_order_and_counts_match_gensim(lee, min_count):
    model = gensim_vocab(lee, min_count=min_count)
    vocab = Vocabulary.build(lee, min_count=min_count)
    assert vocab.index_to_key == model.wv.index_to_key
    gensim_counts = [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
    np.testing.assert_array_equal(vocab.counts, gensim_counts)
    assert vocab.total_words == model.corpus_total_words == 58152
    assert vocab.corpus_count == model.corpus_count == 300
    assert vocab.counts.dtype == np.int64


def test_lee_sizes(lee):
    vocab = Vocabulary.build(lee, min_count=5)
    assert len(vocab) == 1750
    assert vocab.retained_words == int(vocab.counts.sum())
    assert vocab.retained_words < vocab.total_words
    assert vocab.index_to_key[0] == "the"
    assert np.all(np.diff(vocab.counts) <= 0)


@pytest.mark.parametrize("max_final_vocab", [100, 500, 1000])
def test_max_final_vocab_matches_gensim(lee, max_final_vocab):
    model = gensim_vocab(lee, min_count=2, max_final_vocab=max_final_vocab)
    vocab = Vocabulary.build(lee, min_count=2, max_final_vocab=max_final_vocab)
    assert vocab.index_to_key == model.wv.index_to_key
    assert len(vocab) <= max_final_vocab
    assert vocab.effective_min_count == model.effective_min_count


def test_tie_break_rule_and_determinism(lee):
    # "b" seen first, "a" later, equal counts: the later-seen word comes first (as gensim).
    vocab = Vocabulary.build([["b", "a", "c"], ["c", "a", "b"], ["c"]], min_count=1)
    assert vocab.index_to_key == ["c", "a", "b"]
    model = gensim_vocab([["b", "a", "c"], ["c", "a", "b"], ["c"]], min_count=1)
    assert vocab.index_to_key == model.wv.index_to_key
    first = Vocabulary.build(lee, min_count=3)
    again = Vocabulary.build(iter(list(lee)), min_count=3)  # a one-pass iterator works too
    assert first.index_to_key == again.index_to_key


def test_encode_drops_oov_and_lookup():
    vocab = Vocabulary.build([["x", "y", "x"], ["x", "z", "y"]], min_count=2)
    assert vocab.index_to_key == ["x", "y"]
    ids = vocab.encode(["x", "unknown", "y", "z"])
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, [0, 1])
    assert "x" in vocab and "z" not in vocab
    assert vocab["y"] == 1
    with pytest.raises(KeyError, match="'z' not in vocabulary"):
        vocab["z"]
    assert vocab.decode([1, 0]) == ["y", "x"]
    assert [len(a) for a in vocab.encode_corpus([["x"], ["q"]])] == [1, 0]
    assert "Vocabulary(V=2" in repr(vocab)


@pytest.mark.parametrize(
    "corpus, exc, message",
    [
        (None, TypeError, "got None"),
        ("a plain string", TypeError, "got a plain str"),
        (["not", "tokenized"], TypeError, "sentence 0 to be a list of str tokens, got a plain str"),
        ([["ok"], ["fine", 3]], TypeError,
         "expected every token to be a str, got int 3 in sentence 1"),
        ([], ValueError, "got an empty corpus"),
        ([[], []], ValueError, "at least one token"),
        (42, TypeError, "got int"),
    ],
)
def test_bad_corpus(corpus, exc, message):
    with pytest.raises(exc, match=message):
        Vocabulary.build(corpus, min_count=1)


def test_min_count_removing_everything():
    message = r"min_count=5, got none \(the most frequent word occurs 2"
    with pytest.raises(ValueError, match=message):
        Vocabulary.build([["a", "b", "a"]], min_count=5)
    with pytest.raises(ValueError, match="min_count to be an integer >= 0, got min_count=-1"):
        Vocabulary.build([["a"]], min_count=-1)
    with pytest.raises(TypeError, match="max_final_vocab to be an integer"):
        Vocabulary.build([["a"]], min_count=1, max_final_vocab=2.5)
