"""evaluation_table agrees with gensim's own evaluators; neighbour_overlap means what it says."""

import collections
import math

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from w2v_edu.evaluation import evaluation_table, format_table, neighbour_overlap
from w2v_edu.keyedvectors import KeyedVectors


@pytest.fixture(scope="module")
def lee_pair():
    with open(datapath("lee_background.cor"), encoding="utf8") as fin:
        counts = collections.Counter(w for line in fin for w in simple_preprocess(line))
    words = [w for w, c in counts.most_common() if c >= 3]
    X = np.random.default_rng(5).standard_normal((len(words), 16)).astype(np.float32)
    g = GensimKV(16)
    g.add_vectors(words, X)
    return KeyedVectors(words, X), g


def test_evaluation_table_matches_gensim_evaluators(lee_pair):
    ours, g = lee_pair
    table = evaluation_table(ours)
    for name, file in (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")):
        pearson, spearman, oov = g.evaluate_word_pairs(datapath(file))
        assert table[f"{name}_spearman"] == pytest.approx(spearman[0], abs=1e-5)
        assert table[f"{name}_pearson"] == pytest.approx(pearson[0], abs=1e-5)
        assert table[f"{name}_oov_percent"] == pytest.approx(oov)
    accuracy, sections = g.evaluate_word_analogies(datapath("questions-words.txt"))
    assert table["analogy_accuracy"] == pytest.approx(accuracy)
    # answered = questions whose four words are all known, counted here independently
    known = set(w.upper() for w in ours.index_to_key)
    with open(datapath("questions-words.txt"), encoding="utf8") as fin:
        quads = [line.upper().split() for line in fin if not line.startswith(":")]
    answered = sum(all(w in known for w in q) for q in quads)
    assert table["analogy_answered"] == answered > 0
    assert table["analogy_total"] == len(quads)
    assert table["analogy_oov_percent"] == pytest.approx(100 * (1 - answered / len(quads)))


def test_evaluation_table_also_takes_gensim_vectors(lee_pair):
    ours, g = lee_pair
    a, b = evaluation_table(ours), evaluation_table(g)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], abs=1e-5)


def test_evaluation_table_when_nothing_is_known():
    wv = KeyedVectors(["zzq", "qqz"], np.eye(2))
    table = evaluation_table(wv)
    assert math.isnan(table["wordsim353_spearman"]) and table["wordsim353_oov_percent"] == 100
    assert table["analogy_answered"] == 0 and table["analogy_accuracy"] == 0
    assert "n/a" in format_table(table)


def test_format_table_single_and_columns(lee_pair):
    table = evaluation_table(lee_pair[0])
    text = format_table(table, title="Lee, random vectors")
    assert text.splitlines()[0] == "Lee, random vectors"
    assert "WordSim353 Spearman" in text and f"{table['simlex999_spearman']:.3f}" in text
    two = format_table({"ours": table, "gensim": table})
    header = two.splitlines()[0]
    assert "ours" in header and "gensim" in header
    assert len(two.splitlines()) == len(text.splitlines()) - 1
    with pytest.raises(TypeError, match="table"):
        format_table([1, 2])


def _brute_overlap(wv_a, wv_b, words, topn):
    """Same quantity through most_similar, one word at a time."""
    shares = []
    for w in words:
        a = {x for x, _ in wv_a.most_similar(w, topn=topn)}
        b = {x for x, _ in wv_b.most_similar(w, topn=topn)}
        shares.append(len(a & b) / topn)
    return float(np.mean(shares))


def test_neighbour_overlap_equals_most_similar_definition(lee_pair):
    ours, _ = lee_pair
    rng = np.random.default_rng(9)
    # a second model: the same vectors plus noise, so overlaps are partial
    noisy = KeyedVectors(ours.index_to_key, ours.vectors + 0.8 * rng.standard_normal(
        ours.vectors.shape).astype(np.float32))
    words = ours.index_to_key[:150]
    value, per_word = neighbour_overlap(ours, noisy, words, topn=10, return_per_word=True)
    assert value == pytest.approx(_brute_overlap(ours, noisy, words, 10), abs=1e-12)
    assert 0 < value < 1 and per_word.shape == (150,)


def test_neighbour_overlap_bounds_and_invariance(lee_pair):
    ours, _ = lee_pair
    assert neighbour_overlap(ours, ours, n_words=200) == 1.0
    # cosine neighbours do not change under a rotation of the space
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((16, 16)))
    rotated = KeyedVectors(ours.index_to_key, ours.vectors @ q.astype(np.float32))
    assert neighbour_overlap(ours, rotated, n_words=200) == 1.0
    unrelated = KeyedVectors(ours.index_to_key, np.random.default_rng(4).standard_normal(
        ours.vectors.shape))
    # independent random vectors share ~ topn / V neighbours by chance
    assert neighbour_overlap(ours, unrelated, n_words=300) < 0.05


def test_neighbour_overlap_default_words_are_shared_frequent_words(lee_pair):
    ours, _ = lee_pair
    smaller = KeyedVectors(ours.index_to_key[5:400], ours.vectors[5:400])
    # default: the first n_words of wv_a that wv_b knows -> skips the 5 words smaller lacks
    words = ours.index_to_key[5:105]
    assert neighbour_overlap(ours, smaller, n_words=100) == pytest.approx(
        _brute_overlap(ours, smaller, words, 10))


def test_neighbour_overlap_errors(lee_pair):
    ours, _ = lee_pair
    other = KeyedVectors(["the", "a"], np.eye(2))
    with pytest.raises(KeyError, match="zzzq"):
        neighbour_overlap(ours, ours, ["the", "zzzq"])
    with pytest.raises(ValueError, match="topn"):
        neighbour_overlap(ours, ours, ["the"], topn=0)
    with pytest.raises(ValueError, match="larger than topn"):
        neighbour_overlap(ours, other, ["the"])
    with pytest.raises(TypeError, match="single string"):
        neighbour_overlap(ours, ours, "the")
