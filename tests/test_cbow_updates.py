"""CBOW updates of both engines: gensim's rule, the exact gradient, and how they differ.

- ``per_pair_engine.centre_update``: one centre word at a time, gensim's ``train_batch_cbow``;
- ``minibatch_engine.cbow_batch_update``: a batch of centre words from the parameters at the
  start of the batch (the mini-batch engine's staleness semantics).
"""

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_edu.datasets import lee_corpus
from w2v_edu.huffman import build_huffman_tree
from w2v_edu.minibatch_engine import _window_mask, cbow_batch_update
from w2v_edu.objectives import (
    cbow_hierarchical_softmax_loss_and_grad,
    cbow_negative_sampling_loss_and_grad,
)
from w2v_edu.per_pair_engine import centre_update
from w2v_edu.training_corpus import EncodedCorpus
from w2v_edu.vocab import Vocabulary
from w2v_edu.word2vec import initial_vectors


def _setup(seed=0, V=9, d=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((V, d)) * 0.4, rng.standard_normal((V, d)) * 0.4


NS_TARGETS, NS_LABELS = np.array([4, 1, 7]), np.array([1.0, 0.0, 0.0])
HS_POINTS, HS_CODES = np.array([0, 3, 5, 6]), np.array([1, 0, 0, 1])
CONTEXT = np.array([2, 8, 3])


# ---------------------------------------------------------------- per-centre update


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_exact_gradient_update_is_one_sgd_step_on_the_cbow_objective(cbow_mean):
    alpha = 0.05
    syn0, out = _setup()
    loss, dC, du, dN = cbow_negative_sampling_loss_and_grad(
        syn0[CONTEXT], out[4], out[[1, 7]], cbow_mean=cbow_mean)
    exp0, exp_out = syn0.copy(), out.copy()
    exp0[CONTEXT] -= alpha * dC
    exp_out[4] -= alpha * du
    exp_out[[1, 7]] -= alpha * dN
    got = centre_update(syn0, out, CONTEXT, NS_TARGETS, NS_LABELS, alpha, cbow_mean=cbow_mean,
                        max_exp=None, cbow_update="exact_gradient")
    assert got == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(syn0, exp0, rtol=1e-12)
    np.testing.assert_allclose(out, exp_out, rtol=1e-12)

    syn0, out = _setup(1)
    loss, dC, dP = cbow_hierarchical_softmax_loss_and_grad(syn0[CONTEXT], out[HS_POINTS],
                                                           HS_CODES, cbow_mean=cbow_mean)
    exp0, exp_out = syn0.copy(), out.copy()
    exp0[CONTEXT] -= alpha * dC
    exp_out[HS_POINTS] -= alpha * dP
    got = centre_update(syn0, out, CONTEXT, HS_POINTS, 1.0 - HS_CODES, alpha,
                        cbow_mean=cbow_mean, max_exp=None, cbow_update="exact_gradient")
    assert got == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(syn0, exp0, rtol=1e-12)
    np.testing.assert_allclose(out, exp_out, rtol=1e-12)


@pytest.mark.parametrize("cbow_mean, factor", [(1, 3.0), (0, 1 / 3)])
def test_gensims_rule_is_m_times_the_gradient_with_the_mean_and_1_over_m_with_the_sum(
        cbow_mean, factor):
    """m = 3 context words: gensim moves each context row 3x (mean) or 1/3x (sum) as far."""
    start0, start_out = _setup(2)
    moved = {}
    for rule in ("gensim", "exact_gradient"):
        syn0, out = start0.copy(), start_out.copy()
        centre_update(syn0, out, CONTEXT, NS_TARGETS, NS_LABELS, 0.1, cbow_mean=cbow_mean,
                      cbow_update=rule)
        moved[rule] = (syn0 - start0, out - start_out)
    # the output rows get the same (exact) step either way
    np.testing.assert_array_equal(moved["gensim"][1], moved["exact_gradient"][1])
    assert np.abs(moved["exact_gradient"][0][CONTEXT]).max() > 1e-3
    np.testing.assert_allclose(moved["gensim"][0], factor * moved["exact_gradient"][0],
                               rtol=1e-10, atol=1e-15)


def test_a_word_twice_in_the_window_gets_work_twice():
    """gensim's loop adds work once per context *position*: word 2 at two positions, 2x."""
    syn0, out = _setup(3)
    start = syn0.copy()
    alpha, context = 0.1, np.array([2, 5, 2])
    h = syn0[context].mean(axis=0)
    u = out[NS_TARGETS]
    g = (NS_LABELS - 1 / (1 + np.exp(-(u @ h)))) * alpha
    work = g @ u
    centre_update(syn0, out, context, NS_TARGETS, NS_LABELS, alpha, max_exp=None)
    np.testing.assert_allclose(syn0[2] - start[2], 2 * work, rtol=1e-12)
    np.testing.assert_allclose(syn0[5] - start[5], work, rtol=1e-12)
    np.testing.assert_allclose(out[NS_TARGETS], u + np.outer(g, h), rtol=1e-12)


def test_a_centre_without_context_changes_nothing():
    syn0, out = _setup(4)
    before = syn0.copy(), out.copy()
    loss = centre_update(syn0, out, np.zeros(0, np.int64), NS_TARGETS, NS_LABELS, 0.1)
    assert loss == 0.0
    np.testing.assert_array_equal(syn0, before[0])
    np.testing.assert_array_equal(out, before[1])


def test_a_noise_word_drawn_twice_sees_its_first_update():
    syn0, out = _setup(5)
    alpha, targets, labels = 0.5, np.array([4, 1, 1]), np.array([1.0, 0.0, 0.0])
    h = syn0[CONTEXT].mean(axis=0)
    u, work = out.copy(), np.zeros(syn0.shape[1])
    for t, lab in zip(targets, labels, strict=True):  # gensim's order, one target at a time
        g = (lab - 1 / (1 + np.exp(-(u[t] @ h)))) * alpha
        work += g * u[t]
        u[t] += g * h
    expected0 = syn0.copy()
    expected0[CONTEXT] += work
    centre_update(syn0, out, CONTEXT, targets, labels, alpha, max_exp=None)
    np.testing.assert_allclose(out, u, rtol=1e-12)
    np.testing.assert_allclose(syn0, expected0, rtol=1e-12)


def test_saturated_target_is_skipped_but_its_loss_counted():
    syn0, out = np.zeros((4, 2)), np.zeros((4, 2))
    syn0[[0, 1]] = [[1.0, 0.0], [3.0, 0.0]]  # h = mean = (2, 0)
    out[2] = [0.25, 0.0]  # f = 0.5: trained
    out[3] = [4.0, 0.0]  # f = 8 >= 6 for a noise word: skipped
    before = out.copy()
    loss = centre_update(syn0, out, np.array([0, 1]), np.array([2, 3]), np.array([1.0, 0.0]),
                         0.1)
    assert np.array_equal(out[3], before[3]) and not np.array_equal(out[2], before[2])
    assert loss == pytest.approx(np.log1p(np.exp(-0.5)) + np.log1p(np.exp(8.0)), rel=1e-12)


def test_unknown_rule_is_refused():
    syn0, out = _setup()
    with pytest.raises(ValueError, match=r"expected cbow_update to be one of \('gensim', "
                                         r"'exact_gradient'\), got 'exact'"):
        centre_update(syn0, out, CONTEXT, NS_TARGETS, NS_LABELS, 0.1, cbow_update="exact")


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_centre_updates_in_gensims_order_reproduce_gensims_cbow(cbow_mean):
    """Deterministic setting (hs, no subsampling, full windows, one job, constant alpha):
    centre_update over the corpus in gensim's order gives gensim's vectors."""
    sentences = lee_corpus()[:40]
    kw = dict(vector_size=20, window=3, min_count=2, seed=3)
    theirs = GensimWord2Vec(sentences, workers=1, sg=0, hs=1, negative=0, sample=0,
                            shrink_windows=False, epochs=1, min_alpha=0.025,
                            cbow_mean=cbow_mean, **kw)
    vocab = Vocabulary.build(sentences, min_count=2)
    corpus = EncodedCorpus.from_sentences(sentences, vocab)
    assert corpus.total_raw_words <= 10000  # one job, so one alpha
    tree = build_huffman_tree(vocab.counts)
    syn0 = initial_vectors(len(vocab), 20, 3)
    syn1 = np.zeros_like(syn0)
    start, W = syn0.copy(), 3
    for s in range(len(sentences)):
        ids = corpus.ids[corpus.sentence_bounds[s]:corpus.sentence_bounds[s + 1]]
        for i in range(len(ids)):
            context = np.r_[ids[max(0, i - W):i], ids[i + 1:i + W + 1]]
            centre_update(syn0, syn1, context, np.asarray(tree.points[ids[i]], np.int64),
                          (1 - np.asarray(tree.codes[ids[i]])).astype(np.float32), 0.025,
                          cbow_mean=cbow_mean, exp_table=True)
    assert np.abs(theirs.wv.vectors - start).max() > 0.05
    np.testing.assert_allclose(syn0, theirs.wv.vectors, rtol=0, atol=2e-5)
    np.testing.assert_allclose(syn1, theirs.syn1, rtol=0, atol=2e-5)


# ---------------------------------------------------------------- mini-batch update

W = 2


def _batch(seed=0, T=7, V=9, d=4, k=3):
    rng = np.random.default_rng(seed)
    syn0 = rng.standard_normal((V, d)) * 0.5
    out = rng.standard_normal((V, d)) * 0.5
    ext_ids = rng.integers(0, V, size=T + 2 * W)
    ext_ids[W + 1] = ext_ids[W + 2]  # a word twice in some window
    # sentence 0, a one-word sentence 1 (its centre has no context), sentence 2
    sent_ext = np.array([-1, -1, 0, 0, 0, 0, 1, 2, 2, -1, -1])
    b = rng.integers(1, W + 1, size=T)
    b[1] = W  # centre 1 sees 3 context words
    pair_mask = _window_mask(sent_ext, sent_ext[W:W + T], b, W)
    centres = ext_ids[W:W + T]
    noise = rng.integers(0, V, size=(T, k))
    return syn0, out, ext_ids, pair_mask, centres, noise


def _expected_batch(syn0, out, ext_ids, pair_mask, per_centre, alpha, targets):
    """Sum over centre words of -alpha x their exact gradients, all at the batch's start:
    (loss, update of syn0 (V, d), update of out (V_out, d))."""
    exp_loss, exp_in, exp_out = 0.0, np.zeros_like(syn0), np.zeros_like(out)
    for t in range(pair_mask.shape[0]):
        positions = t + np.flatnonzero(pair_mask[t])
        loss, dC, d_targets = per_centre(t, syn0[ext_ids[positions]])
        exp_loss += loss
        np.add.at(exp_in, ext_ids[positions], -alpha * dC)
        np.add.at(exp_out, targets[t], -alpha * d_targets)
    return exp_loss, exp_in, exp_out


def _as_dense(syn0, out, result):
    """cbow_batch_update's (loss, rows_in, d_in, rows_out, d_out) as full-matrix updates.

    ``rows_in`` are the block's positions (a word may repeat: its rows add up); ``rows_out``
    are distinct rows with their updates already summed."""
    loss, rows_in, d_in, rows_out, d_out = result
    assert len(set(rows_out.tolist())) == len(rows_out)  # distinct: plain indexing adds right
    dense_in, dense_out = np.zeros_like(syn0), np.zeros_like(out)
    np.add.at(dense_in, rows_in, d_in)
    dense_out[rows_out] = d_out
    return loss, dense_in, dense_out


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_negative_sampling_batch_update_is_the_sum_of_per_centre_gradients(cbow_mean):
    syn0, out, ext_ids, pair_mask, centres, noise = _batch()
    T, k = noise.shape
    alpha = 0.1
    noise[0, 1] = centres[0]  # a draw equal to the centre word: skipped
    noise[2, 2] = noise[5, 0]  # a noise word shared by two centres: its updates add up
    targets = np.concatenate([centres[:, None], noise], axis=1)
    tmask = np.ones(targets.shape, bool)
    tmask[:, 1:] = noise != centres[:, None]
    labels = np.array([1.0] + [0.0] * k)
    assert not pair_mask[4].any() and pair_mask.sum(axis=1).max() >= 3

    def per_centre(t, C, scale=1.0):
        if C.shape[0] == 0:  # no context: nothing to learn
            return 0.0, np.zeros((0, C.shape[1])), np.zeros((k + 1, C.shape[1]))
        keep = tmask[t, 1:]
        loss, dC, du, dN = cbow_negative_sampling_loss_and_grad(
            C, out[centres[t]], out[noise[t][keep]], cbow_mean=cbow_mean)
        d_targets = np.zeros((k + 1, C.shape[1]))
        d_targets[0], d_targets[1:][keep] = du, dN
        return loss, scale * dC, d_targets

    exp_loss, exp_in, exp_out = _expected_batch(syn0, out, ext_ids, pair_mask, per_centre,
                                                alpha, targets)
    loss, d_in, d_out = _as_dense(syn0, out, cbow_batch_update(
        syn0, out, ext_ids, pair_mask, targets, labels, tmask, alpha, cbow_mean=cbow_mean,
        max_exp=None, cbow_update="exact_gradient"))
    assert loss == pytest.approx(exp_loss, rel=1e-10)
    np.testing.assert_allclose(d_in, exp_in, atol=1e-12)
    np.testing.assert_allclose(d_out, exp_out, atol=1e-12)
    # gensim's rule: each centre's context rows get m_t x (mean) or 1/m_t x (sum) as much
    _, d_in_gensim, d_out_gensim = _as_dense(syn0, out, cbow_batch_update(
        syn0, out, ext_ids, pair_mask, targets, labels, tmask, alpha, cbow_mean=cbow_mean,
        max_exp=None, cbow_update="gensim"))
    np.testing.assert_array_equal(d_out_gensim, d_out)
    m = pair_mask.sum(axis=1).astype(float)
    scale = m if cbow_mean else 1 / np.maximum(m, 1)
    _, scaled_in, _ = _expected_batch(
        syn0, out, ext_ids, pair_mask, lambda t, C: per_centre(t, C, scale[t]), alpha, targets)
    np.testing.assert_allclose(d_in_gensim, scaled_in, atol=1e-12)
    assert np.abs(d_in_gensim - d_in).max() > 1e-3


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_hierarchical_softmax_batch_update_is_the_sum_of_per_centre_gradients(cbow_mean):
    syn0, out, ext_ids, pair_mask, centres, _ = _batch(seed=1)
    T, L, alpha = len(centres), 3, 0.2
    rng = np.random.default_rng(5)
    points = np.stack([rng.permutation(out.shape[0])[:L] for _ in range(T)])
    codes = rng.integers(0, 2, size=(T, L)).astype(np.uint8)
    lengths = rng.integers(1, L + 1, size=T)
    path_mask = np.arange(L)[None, :] < lengths[:, None]

    def per_centre(t, C):
        d = C.shape[1]
        if C.shape[0] == 0:
            return 0.0, np.zeros((0, d)), np.zeros((L, d))
        n = lengths[t]
        loss, dC, dP = cbow_hierarchical_softmax_loss_and_grad(
            C, out[points[t, :n]], codes[t, :n], cbow_mean=cbow_mean)
        return loss, dC, np.concatenate([dP, np.zeros((L - n, d))])

    exp_loss, exp_in, exp_out = _expected_batch(syn0, out, ext_ids, pair_mask, per_centre,
                                                alpha, points)
    loss, d_in, d_out = _as_dense(syn0, out, cbow_batch_update(
        syn0, out, ext_ids, pair_mask, points, 1.0 - codes, path_mask, alpha,
        cbow_mean=cbow_mean, max_exp=None, cbow_update="exact_gradient"))
    assert loss == pytest.approx(exp_loss, rel=1e-10)
    np.testing.assert_allclose(d_in, exp_in, atol=1e-12)
    np.testing.assert_allclose(d_out, exp_out, atol=1e-12)


def test_batch_saturated_scores_get_no_update_but_count_in_the_loss():
    syn0, out, ext_ids, pair_mask, centres, noise = _batch(seed=2)
    # one centre word (centre 0) with its window; its own score saturates
    ext_ids, pair_mask = ext_ids[:1 + 2 * W], pair_mask[:1]
    centre = centres[0]
    noise = np.array([[w for w in range(9) if w != centre][:3]])
    targets = np.concatenate([[[centre]], noise], axis=1)
    out[centre] = 500.0
    labels = np.array([1.0, 0, 0, 0])
    h0 = syn0[ext_ids[np.flatnonzero(pair_mask[0])]].mean(axis=0)
    assert abs(out[centre] @ h0) >= 6 and pair_mask.sum() >= 1
    loss, _, d_out = _as_dense(syn0, out, cbow_batch_update(
        syn0, out, ext_ids, pair_mask, targets, labels, np.ones((1, 4), bool), 0.1))
    assert np.all(d_out[centre] == 0) and np.abs(d_out[noise[0]]).max() > 0
    # its loss counts every target, the saturated one included
    f = out[targets[0]] @ h0
    assert loss == pytest.approx(np.log1p(np.exp(-(2 * labels - 1) * f)).sum(), rel=1e-10)


def test_batch_unknown_rule_is_refused():
    syn0, out, ext_ids, pair_mask, centres, noise = _batch()
    with pytest.raises(ValueError, match="expected cbow_update to be one of"):
        cbow_batch_update(syn0, out, ext_ids, pair_mask, centres[:, None], np.ones(1),
                          np.ones((len(centres), 1), bool), 0.1, cbow_update="gradient")
