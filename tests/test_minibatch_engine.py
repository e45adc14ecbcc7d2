"""The mini-batch engine: the batched update equals the sum of per-pair gradients."""

import numpy as np
import pytest

from w2v_edu.minibatch_engine import _window_mask, batch_update
from w2v_edu.objectives import hierarchical_softmax_loss_and_grad, negative_sampling_loss_and_grad
from w2v_edu.windows import pair_positions

W = 2


def _batch(seed=0, T=5, V=9, d=4, k=3):
    rng = np.random.default_rng(seed)
    syn0 = rng.standard_normal((V, d)) * 0.5
    out = rng.standard_normal((V, d)) * 0.5
    ext_ids = rng.integers(0, V, size=T + 2 * W)
    sent_ext = np.array([-1, -1, 0, 0, 0, 1, 1, -1, -1])[: T + 2 * W]
    b = rng.integers(1, W + 1, size=T)
    pair_mask = _window_mask(sent_ext, sent_ext[W:W + T], b, W)
    centres = ext_ids[W:W + T]
    noise = rng.integers(0, V, size=(T, k))
    return syn0, out, ext_ids, pair_mask, centres, noise, b, sent_ext


def test_window_mask_gives_the_pairs_of_the_reference_generator():
    """Within one sentence the mask holds exactly windows.pair_positions' pairs."""
    rng = np.random.default_rng(3)
    n, window = 12, 4
    b = rng.integers(1, window + 1, size=n)
    sent_ext = np.concatenate([np.full(window, -1), np.zeros(n, int), np.full(window, -1)])
    mask = _window_mask(sent_ext, np.zeros(n, int), b, window)
    t, j = np.nonzero(mask)
    ours = sorted(zip((t + j - window).tolist(), t.tolist(), strict=True))
    context, centre = pair_positions(b)
    assert ours == sorted(zip(context.tolist(), centre.tolist(), strict=True))


def test_window_mask_never_crosses_a_sentence():
    sent_ext = np.array([-1, -1, 0, 0, 1, 1, -1, -1])
    mask = _window_mask(sent_ext, sent_ext[2:6], np.full(4, 2), 2)
    t, j = np.nonzero(mask)
    assert np.all(sent_ext[t + j] == sent_ext[t + 2])


def test_negative_sampling_batch_update_is_the_sum_of_pair_gradients():
    syn0, out, ext_ids, pair_mask, centres, noise, _, _ = _batch()
    T, k = noise.shape
    alpha = 0.1
    noise[0, 1] = centres[0]  # a draw equal to the centre word: skipped
    targets = np.concatenate([centres[:, None], noise], axis=1)
    tmask = np.ones(targets.shape, bool)
    tmask[:, 1:] = noise != centres[:, None]
    labels = np.array([1.0] + [0.0] * k)
    loss, d_in, d_out = batch_update(syn0, out, ext_ids, pair_mask, targets, labels, tmask,
                                     alpha, max_exp=None)

    exp_loss, exp_in, exp_out = 0.0, np.zeros((T + 2 * W, syn0.shape[1])), np.zeros_like(d_out)
    exp_out = exp_out.reshape(T, k + 1, -1)
    for t, j in zip(*np.nonzero(pair_mask), strict=True):
        keep = tmask[t, 1:]
        pair_loss, dv, du, dN = negative_sampling_loss_and_grad(
            syn0[ext_ids[t + j]], out[centres[t]], out[noise[t][keep]])
        exp_loss += pair_loss
        exp_in[t + j] -= alpha * dv
        exp_out[t, 0] -= alpha * du
        exp_out[t, 1:][keep] -= alpha * dN
    assert pair_mask.sum() > 3
    assert loss == pytest.approx(exp_loss, rel=1e-10)
    np.testing.assert_allclose(d_in, exp_in, atol=1e-12)
    np.testing.assert_allclose(d_out, exp_out.reshape(T * (k + 1), -1), atol=1e-12)


def test_hierarchical_softmax_batch_update_is_the_sum_of_pair_gradients():
    syn0, out, ext_ids, pair_mask, centres, _, _, _ = _batch(seed=1)
    T, L, alpha = len(centres), 3, 0.2
    rng = np.random.default_rng(5)
    points = rng.integers(0, out.shape[0], size=(T, L))
    codes = rng.integers(0, 2, size=(T, L)).astype(np.uint8)
    lengths = rng.integers(1, L + 1, size=T)
    path_mask = np.arange(L)[None, :] < lengths[:, None]
    for t in range(T):  # inner nodes on one path are distinct
        points[t] = rng.permutation(out.shape[0])[:L]
    loss, d_in, d_out = batch_update(syn0, out, ext_ids, pair_mask, points, 1.0 - codes,
                                     path_mask, alpha, max_exp=None)
    exp_loss, exp_in = 0.0, np.zeros_like(d_in)
    exp_out = np.zeros((T, L, syn0.shape[1]))
    for t, j in zip(*np.nonzero(pair_mask), strict=True):
        n = lengths[t]
        pair_loss, dv, dP = hierarchical_softmax_loss_and_grad(syn0[ext_ids[t + j]],
                                                               out[points[t, :n]],
                                                               codes[t, :n])
        exp_loss += pair_loss
        exp_in[t + j] -= alpha * dv
        exp_out[t, :n] -= alpha * dP
    assert loss == pytest.approx(exp_loss, rel=1e-10)
    np.testing.assert_allclose(d_in, exp_in, atol=1e-12)
    np.testing.assert_allclose(d_out, exp_out.reshape(T * L, -1), atol=1e-12)


def test_saturated_scores_get_no_update_but_count_in_the_loss():
    syn0, out, ext_ids, pair_mask, centres, noise, _, _ = _batch(seed=2)
    targets = np.concatenate([centres[:, None], noise], axis=1)
    labels = np.array([1.0, 0, 0, 0])
    tmask = np.ones(targets.shape, bool)
    big_out = out * 100  # every |f| far beyond 6
    loss, d_in, d_out = batch_update(syn0 * 100, big_out, ext_ids, pair_mask, targets, labels,
                                     tmask, 0.1, max_exp=6.0)
    assert np.all(d_in == 0) and np.all(d_out == 0)
    assert np.isfinite(loss) and loss > 100
