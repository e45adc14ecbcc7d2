import heapq

import numpy as np
import pytest
from gensim.models import Word2Vec
from gensim.test.utils import datapath

from w2v_edu.huffman import build_huffman_tree
from w2v_edu.objectives import hierarchical_softmax_loss_and_grad
from w2v_edu.plotting import plot_huffman_tree
from w2v_edu.text import read_lines_corpus
from w2v_edu.vocab import Vocabulary


@pytest.fixture(scope="module")
def lee_models():
    lee = read_lines_corpus(datapath("lee_background.cor"))
    model = Word2Vec(vector_size=8, min_count=5, hs=1, negative=0, workers=1, seed=1)
    model.build_vocab(lee)
    vocab = Vocabulary.build(lee, min_count=5)
    return model, vocab, build_huffman_tree(vocab.counts)


def huffman_cost(counts):
    """Independent optimal cost sum_w c_w L_w = sum of all merged weights."""
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def test_code_lengths_match_gensim_word_for_word(lee_models):
    model, vocab, tree = lee_models
    assert vocab.index_to_key == model.wv.index_to_key
    gensim_lengths = np.array([len(model.wv.get_vecattr(i, "code")) for i in range(len(vocab))])
    np.testing.assert_array_equal(tree.code_lengths, gensim_lengths)


def test_codes_and_points_match_gensim(lee_models):
    model, vocab, tree = lee_models
    for i in range(len(vocab)):
        np.testing.assert_array_equal(tree.codes[i], model.wv.get_vecattr(i, "code"))
        np.testing.assert_array_equal(tree.points[i], model.wv.get_vecattr(i, "point"))


def test_prefix_free_and_full(lee_models):
    _, _, tree = lee_models
    words = sorted("".join(map(str, c)) for c in tree.codes)
    assert len(set(words)) == len(words)
    for a, b in zip(words, words[1:], strict=False):
        assert not b.startswith(a)
    # a full binary tree: Kraft's sum is exactly 1
    assert np.sum(2.0 ** -tree.code_lengths) == pytest.approx(1.0, abs=1e-12)


def test_expected_length_is_optimal(lee_models):
    _, vocab, tree = lee_models
    assert int(np.dot(vocab.counts, tree.code_lengths)) == huffman_cost(vocab.counts)
    rng = np.random.default_rng(0)
    for _ in range(20):
        counts = rng.integers(1, 30, size=rng.integers(2, 40))  # many ties
        t = build_huffman_tree(counts)
        assert int(np.dot(counts, t.code_lengths)) == huffman_cost(counts)


def test_points_structure(lee_models):
    _, vocab, tree = lee_models
    V = len(vocab)
    assert all(p[0] == V - 2 for p in tree.points)  # every path starts at the root
    assert all(p.dtype == np.int32 and c.dtype == np.uint8 for p, c in
               zip(tree.points, tree.codes, strict=True))
    assert max(int(p.max()) for p in tree.points) == V - 2
    # frequent words have short codes
    assert tree.code_lengths[0] == tree.code_lengths.min()
    assert tree.node_counts[-1] == vocab.counts.sum()


def test_padded(lee_models):
    _, _, tree = lee_models
    points, codes, mask = tree.padded()
    assert points.shape == codes.shape == mask.shape == (tree.vocab_size, tree.code_lengths.max())
    np.testing.assert_array_equal(mask.sum(axis=1), tree.code_lengths)
    np.testing.assert_array_equal(points[5, mask[5]], tree.points[5])
    np.testing.assert_array_equal(codes[5, mask[5]], tree.codes[5])


def test_probabilities_over_leaves_sum_to_one():
    rng = np.random.default_rng(1)
    counts = np.array([9, 7, 7, 4, 2, 2, 1])
    tree = build_huffman_tree(counts)
    syn1 = rng.normal(size=(len(counts) - 1, 3))
    v = rng.normal(size=3)
    probs = [np.exp(-hierarchical_softmax_loss_and_grad(v, syn1[tree.points[w]], tree.codes[w])[0])
             for w in range(len(counts))]
    assert sum(probs) == pytest.approx(1.0, abs=1e-12)


def test_small_trees():
    one = build_huffman_tree([5])
    assert one.code_lengths.tolist() == [0] and len(one.points[0]) == 0
    two = build_huffman_tree([5, 3])
    assert [c.tolist() for c in two.codes] == [[1], [0]]  # lighter word popped first -> left
    assert [p.tolist() for p in two.points] == [[0], [0]]


def test_bad_input():
    with pytest.raises(ValueError, match=r"shape \(V,\) with V >= 1"):
        build_huffman_tree([])
    with pytest.raises(ValueError, match="finite positive counts"):
        build_huffman_tree([3, 0])


def test_plot_huffman_tree():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tree = build_huffman_tree([9, 7, 6, 4, 2])
    ax = plot_huffman_tree(tree, labels=["the", "cat", "dog", "eats", "fish"])
    assert ax.get_title() and ax.get_ylabel()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="expected 5 labels, got 2"):
        plot_huffman_tree(tree, labels=["a", "b"])
    with pytest.raises(ValueError, match="at most max_words=3 words, got 5"):
        plot_huffman_tree(tree, max_words=3)
