"""The mini-batch engine: the batched update equals the sum of per-pair gradients.

For skip-gram with negative sampling the pairs of a batch share noise words: every group of
``noise_group`` input positions draws K noise words and each noise term weighs k/K. The tests
check that update against (1) a plain loop over pairs built on lesson 06's
``negative_sampling_loss_and_grad``, (2) central differences of the batch's own loss, and
(3) gensim's expected update: averaged over the noise draws it is the per-pair update with k
fresh noise words per pair.
"""

import numpy as np
import pytest

from w2v_edu.gradcheck import gradcheck
from w2v_edu.minibatch_engine import (
    _by_position,
    _window_mask,
    batch_update,
    skipgram_negative_update,
)
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


def _shared_batch(seed=0, T=7, V=9, d=4, group=3, pool=4):
    """A batch over two sentences, a word repeated, with one noise row per group of inputs."""
    rng = np.random.default_rng(seed)
    syn0 = rng.standard_normal((V, d)) * 0.5
    out = rng.standard_normal((V, d)) * 0.5
    ext_ids = rng.integers(0, V, size=T + 2 * W)
    ext_ids[W + 1] = ext_ids[W + 3]  # a word twice: its rows add up
    sent_ext = np.array([-1, -1, 0, 0, 0, 0, 1, 1, 1, -1, -1])[: T + 2 * W]
    b = rng.integers(1, W + 1, size=T)
    pair_mask = _window_mask(sent_ext, sent_ext[W:W + T], b, W)
    noise = rng.integers(0, V, size=(-(-(T + 2 * W) // group), pool))
    noise[W // group, 0] = ext_ids[W]  # a noise word equal to a pair's centre: left out
    return syn0, out, ext_ids, pair_mask, noise


@pytest.mark.parametrize("group,pool", [(3, 4), (1, 2), (11, 6)])
def test_shared_noise_update_is_the_sum_of_pair_gradients(group, pool):
    """Each pair: lesson 06's loss with its group's K noise words, the noise part weighted k/K."""
    k, alpha = 2, 0.1
    syn0, out, ext_ids, pair_mask, noise = _shared_batch(group=group, pool=pool)
    T = pair_mask.shape[0]
    loss, d_in, rows_out, d_out = skipgram_negative_update(
        syn0, out, ext_ids, pair_mask, noise, group, k, alpha, max_exp=None)

    w = k / pool
    exp_loss, exp_in, exp_out = 0.0, np.zeros_like(d_in), np.zeros_like(out)
    for t, o in zip(*np.nonzero(pair_mask), strict=True):
        j, c = t + o, ext_ids[t + W]  # input position, centre word
        kept = noise[j // group][noise[j // group] != c]
        v, u, N = syn0[ext_ids[j]], out[c], out[kept]
        # loss_w = -log s(v.u) - w sum_n log s(-v.u_n) = (1 - w) loss(v, u, {}) + w loss(v, u, N)
        l0, dv0, du0, _ = negative_sampling_loss_and_grad(v, u, N[:0])
        l1, dv1, du1, dN1 = negative_sampling_loss_and_grad(v, u, N)
        exp_loss += (1 - w) * l0 + w * l1
        exp_in[j] -= alpha * ((1 - w) * dv0 + w * dv1)
        exp_out[c] -= alpha * ((1 - w) * du0 + w * du1)
        np.add.at(exp_out, kept, -alpha * w * dN1)
    assert pair_mask.sum() > 8 and (noise == ext_ids[W]).any()
    dense_out = np.zeros_like(out)
    np.add.at(dense_out, rows_out, d_out)
    assert rows_out.shape == (T + noise.size,)
    assert loss == pytest.approx(exp_loss, rel=1e-10)
    np.testing.assert_allclose(d_in, exp_in, atol=1e-12)
    np.testing.assert_allclose(dense_out, exp_out, atol=1e-12)


def test_shared_noise_update_is_minus_alpha_times_the_gradient_of_the_batch_loss():
    """Central differences of the loss the function returns, in syn0 and in syn1neg."""
    k, alpha, group = 2, 0.5, 3
    syn0, out, ext_ids, pair_mask, noise = _shared_batch(seed=4, group=group)

    def dense(syn0_, out_):
        loss, d_in, rows_out, d_out = skipgram_negative_update(
            syn0_, out_, ext_ids, pair_mask, noise, group, k, alpha, max_exp=None)
        g_in, g_out = np.zeros_like(syn0_), np.zeros_like(out_)
        np.add.at(g_in, ext_ids, -d_in / alpha)  # update = -alpha * gradient
        np.add.at(g_out, rows_out, -d_out / alpha)
        return loss, g_in, g_out

    assert gradcheck(lambda x: dense(x, out)[:2], syn0).passed
    assert gradcheck(lambda x: (dense(syn0, x)[0], dense(syn0, x)[2]), out).passed


def test_shared_noise_gives_gensims_update_on_average():
    """Averaged over the noise draws, the shared update equals gensim's expected update.

    gensim draws k noise words per pair from P(n); the expected noise part of a pair's update
    is k * sum_n P(n) [n != centre] (-sigma(x.u_n) alpha) (u_n for x, x for u_n). Exact
    expectation against the mean of many independent draws of the groups' noise.
    """
    k, alpha, group, pool = 3, 0.1, 4, 5
    syn0, out, ext_ids, pair_mask, _ = _shared_batch(seed=7, group=group, pool=pool)
    V = out.shape[0]
    rng = np.random.default_rng(11)
    p = rng.random(V) + 0.2
    p /= p.sum()
    n_groups = -(-ext_ids.shape[0] // group)
    draws = 2000
    runs_in, runs_out = [], []
    for _ in range(draws):
        noise = rng.choice(V, size=(n_groups, pool), p=p)
        _, d_in, rows_out, d_out = skipgram_negative_update(
            syn0, out, ext_ids, pair_mask, noise, group, k, alpha, max_exp=None)
        dense_out = np.zeros_like(out)
        np.add.at(dense_out, rows_out, d_out)
        runs_in.append(d_in)
        runs_out.append(dense_out)
    runs_in, runs_out = np.array(runs_in), np.array(runs_out)

    sig = 1 / (1 + np.exp(-(syn0 @ out.T)))  # sigma(x_w . u_n) for every (word, noise word)
    exp_in = np.zeros_like(runs_in[0])
    exp_out = np.zeros_like(out)
    for t, o in zip(*np.nonzero(pair_mask), strict=True):
        j, c = t + o, ext_ids[t + W]
        x, wj = syn0[ext_ids[j]], ext_ids[j]
        f = x @ out[c]
        g = (1 - 1 / (1 + np.exp(-f))) * alpha
        exp_in[j] += g * out[c]
        exp_out[c] += g * x
        h = -k * p * sig[wj] * alpha * (np.arange(V) != c)  # expected noise factor per word
        exp_in[j] += h @ out
        exp_out += h[:, None] * x
    # the mean of the draws is within 4 standard errors of the exact expectation, everywhere
    for runs, exp in ((runs_in, exp_in), (runs_out, exp_out)):
        se = runs.std(axis=0) / np.sqrt(draws)
        assert np.all(np.abs(runs.mean(axis=0) - exp) <= 4 * se + 1e-12)
    # and the expectation is not trivially met: one draw alone is far from it
    assert np.abs(runs_in[0] - exp_in).max() > 10 * (runs_in.std(axis=0) / np.sqrt(draws)).max()


def test_shared_noise_saturated_scores_get_no_update_but_count_in_the_loss():
    syn0, out, ext_ids, pair_mask, noise = _shared_batch(seed=2)
    loss, d_in, _, d_out = skipgram_negative_update(syn0 * 100, out * 100, ext_ids, pair_mask,
                                                    noise, 3, 2, 0.1, max_exp=6.0)
    assert np.all(d_in == 0) and np.all(d_out == 0)
    assert np.isfinite(loss) and loss > 100


def test_shared_noise_rejects_noise_of_the_wrong_shape():
    syn0, out, ext_ids, pair_mask, noise = _shared_batch(group=3)
    with pytest.raises(ValueError, match=r"expected noise of shape \(4, K\).*got \(3, 4\)"):
        skipgram_negative_update(syn0, out, ext_ids, pair_mask, noise[:3], 3, 2, 0.1)


def test_by_position_lines_up_each_pair_with_its_position():
    """r[j, q] is the (centre j - o, slot o) entry with o = 2W - q, zero outside the batch."""
    rng = np.random.default_rng(1)
    T, width = 6, 2 * W + 1
    a = rng.random((T, width))
    r = _by_position(a)
    assert r.shape == (T + width - 1, width)
    for j in range(T + width - 1):
        for q in range(width):
            o = width - 1 - q
            expected = a[j - o, o] if 0 <= j - o < T else 0.0
            assert r[j, q] == expected
