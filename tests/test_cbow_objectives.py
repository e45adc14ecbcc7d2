"""CBOW objectives: loss and exact gradients, checked by central differences."""

import numpy as np
import pytest

from w2v_edu.gradcheck import gradcheck
from w2v_edu.objectives import (
    cbow_hidden,
    cbow_hierarchical_softmax_loss_and_grad,
    cbow_hierarchical_softmax_loss_and_grad_batch,
    cbow_negative_sampling_loss_and_grad,
    cbow_negative_sampling_loss_and_grad_batch,
    hierarchical_softmax_loss_and_grad,
    negative_sampling_loss_and_grad,
)

TOL = 1e-6


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def check(f, x):
    res = gradcheck(f, x, tol=TOL)
    assert res.passed, res


def _sig(x):
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------- one centre word


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_negative_sampling_gradcheck(rng, cbow_mean):
    C, u, N = rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=(3, 5))

    def f(C_=C, u_=u, N_=N):
        return cbow_negative_sampling_loss_and_grad(C_, u_, N_, cbow_mean=cbow_mean)

    check(lambda x: (f(C_=x)[0], f(C_=x)[1]), C)
    check(lambda x: (f(u_=x)[0], f(u_=x)[2]), u)
    check(lambda x: (f(N_=x)[0], f(N_=x)[3]), N)


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_hierarchical_softmax_gradcheck(rng, cbow_mean):
    C, P, c = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), np.array([1, 0, 0, 1, 1])

    def f(C_=C, P_=P):
        return cbow_hierarchical_softmax_loss_and_grad(C_, P_, c, cbow_mean=cbow_mean)

    check(lambda x: (f(C_=x)[0], f(C_=x)[1]), C)
    check(lambda x: (f(P_=x)[0], f(P_=x)[2]), P)


def test_negative_sampling_value_by_hand():
    """Two context words, mean: h is their average; the loss is skip-gram's loss of h."""
    C = np.array([[1.0, 0.0], [0.0, 2.0]])
    u, N = np.array([0.5, 0.5]), np.array([[1.0, -1.0]])
    h = np.array([0.5, 1.0])
    expected = -np.log(_sig(u @ h)) - np.log(_sig(-(N[0] @ h)))
    assert cbow_negative_sampling_loss_and_grad(C, u, N)[0] == pytest.approx(expected, 1e-12)
    # the sum doubles h
    expected_sum = -np.log(_sig(u @ (2 * h))) - np.log(_sig(-(N[0] @ (2 * h))))
    loss_sum = cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=0)[0]
    assert loss_sum == pytest.approx(expected_sum, 1e-12)


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_one_context_word_is_skipgram(rng, cbow_mean):
    """With m = 1, mean and sum are the vector itself: CBOW's loss is skip-gram's."""
    v, u, N = rng.normal(size=4), rng.normal(size=4), rng.normal(size=(2, 4))
    P, c = rng.normal(size=(3, 4)), np.array([0, 1, 1])
    ns = cbow_negative_sampling_loss_and_grad(v[None], u, N, cbow_mean=cbow_mean)
    sg = negative_sampling_loss_and_grad(v, u, N)
    assert ns[0] == pytest.approx(sg[0], rel=1e-12)
    np.testing.assert_allclose(ns[1][0], sg[1], rtol=1e-12)
    hs = cbow_hierarchical_softmax_loss_and_grad(v[None], P, c, cbow_mean=cbow_mean)
    sg_hs = hierarchical_softmax_loss_and_grad(v, P, c)
    assert hs[0] == pytest.approx(sg_hs[0], rel=1e-12)
    np.testing.assert_allclose(hs[2], sg_hs[2], rtol=1e-12)


def test_mean_gradient_is_the_sum_gradient_at_the_mean_over_m(rng):
    """dloss/dC_j: the same row for every j; with the mean it is 1/m of dloss/dh."""
    C, u, N = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(2, 3))
    _, dC, _, _ = cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=1)
    _, dh, _, _ = negative_sampling_loss_and_grad(C.mean(axis=0), u, N)
    np.testing.assert_allclose(dC, np.tile(dh / 5, (5, 1)), rtol=1e-12)
    _, dC_sum, _, _ = cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=0)
    _, dh_sum, _, _ = negative_sampling_loss_and_grad(C.sum(axis=0), u, N)
    np.testing.assert_allclose(dC_sum, np.tile(dh_sum, (5, 1)), rtol=1e-12)


def test_repeated_context_word_gets_its_gradient_twice(rng):
    """A word twice in the window: its vector's gradient is the sum of its two rows'."""
    E, u, N = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(2, 4))
    words = np.array([0, 2, 0])  # word 0 appears twice

    def loss_of_E(E_):
        return cbow_negative_sampling_loss_and_grad(E_[words], u, N)[0]

    _, dC, _, _ = cbow_negative_sampling_loss_and_grad(E[words], u, N)
    dE = np.zeros_like(E)
    np.add.at(dE, words, dC)
    check(lambda x: (loss_of_E(x), dE), E)
    assert np.all(dE[1] == 0)


def test_cbow_hidden():
    C = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_array_equal(cbow_hidden(C), [2.0, 4.0])
    np.testing.assert_array_equal(cbow_hidden(C, cbow_mean=0), [4.0, 8.0])
    batch = np.stack([C, C[::-1]])
    mask = np.array([[True, True], [False, True]])
    np.testing.assert_array_equal(cbow_hidden(batch, 1, mask), [[2.0, 4.0], [1.0, 2.0]])
    np.testing.assert_array_equal(cbow_hidden(batch, 0, mask), [[4.0, 8.0], [1.0, 2.0]])


def test_dtype_kept_and_stable_at_huge_scores():
    C = np.ones((2, 3), np.float32)
    out = cbow_negative_sampling_loss_and_grad(C, np.ones(3, np.float32),
                                               np.ones((2, 3), np.float32))
    assert all(np.asarray(o).dtype == np.float32 for o in out)
    big = np.array([[3000.0, 0.0], [1000.0, 0.0]])
    for cbow_mean in (0, 1):
        out = cbow_negative_sampling_loss_and_grad(big, np.array([-1.0, 0]),
                                                   np.array([[1.0, 0]]), cbow_mean)
        assert all(np.all(np.isfinite(o)) for o in out)
        assert out[0] == pytest.approx(2 * 2000.0 * (2 if cbow_mean == 0 else 1))


# ---------------------------------------------------------------- batches


def _padded(rng, B=4, M=5, d=3):
    C = rng.normal(size=(B, M, d))
    counts = np.minimum(np.array([5, 1, 3, 2])[:B], M)
    cm = np.arange(M)[None, :] < counts[:, None]
    cm[2] = np.arange(M) % 2 == 0  # holes are fine, not only trailing padding
    return C, cm


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_negative_sampling_batch_equals_per_centre(rng, cbow_mean):
    C, cm = _padded(rng)
    B, _, d = C.shape
    k = 3
    u, N = rng.normal(size=(B, d)), rng.normal(size=(B, k, d))
    mask = rng.random((B, k)) < 0.7
    losses, dC, du, dN = cbow_negative_sampling_loss_and_grad_batch(
        C, u, N, context_mask=cm, mask=mask, cbow_mean=cbow_mean)
    for b in range(B):
        loss_b, dCb, dub, dNb = cbow_negative_sampling_loss_and_grad(
            C[b][cm[b]], u[b], N[b][mask[b]], cbow_mean=cbow_mean)
        assert losses[b] == pytest.approx(loss_b, rel=1e-12)
        np.testing.assert_allclose(dC[b][cm[b]], dCb, rtol=1e-10)
        assert np.all(dC[b][~cm[b]] == 0)
        np.testing.assert_allclose(du[b], dub, rtol=1e-10)
        np.testing.assert_allclose(dN[b][mask[b]], dNb, rtol=1e-10)
        assert np.all(dN[b][~mask[b]] == 0)


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_hierarchical_softmax_batch_equals_per_centre(rng, cbow_mean):
    C, cm = _padded(rng)
    B, _, d = C.shape
    L = 4
    P, codes = rng.normal(size=(B, L, d)), rng.integers(0, 2, size=(B, L))
    lengths = np.array([4, 1, 2, 3])
    pm = np.arange(L)[None, :] < lengths[:, None]
    losses, dC, dP = cbow_hierarchical_softmax_loss_and_grad_batch(
        C, P, codes, context_mask=cm, mask=pm, cbow_mean=cbow_mean)
    for b in range(B):
        n = lengths[b]
        loss_b, dCb, dPb = cbow_hierarchical_softmax_loss_and_grad(
            C[b][cm[b]], P[b, :n], codes[b, :n], cbow_mean=cbow_mean)
        assert losses[b] == pytest.approx(loss_b, rel=1e-12)
        np.testing.assert_allclose(dC[b][cm[b]], dCb, rtol=1e-10)
        np.testing.assert_allclose(dP[b, :n], dPb, rtol=1e-10)
        assert np.all(dP[b, n:] == 0) and np.all(dC[b][~cm[b]] == 0)


@pytest.mark.parametrize("cbow_mean", [1, 0])
def test_batch_gradcheck(rng, cbow_mean):
    C, cm = _padded(rng, B=3, M=4, d=3)
    u, N = rng.normal(size=(3, 3)), rng.normal(size=(3, 2, 3))
    P, codes = rng.normal(size=(3, 3, 3)), rng.integers(0, 2, size=(3, 3))
    pm = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], bool)

    def ns(C_=C, u_=u, N_=N):
        out = cbow_negative_sampling_loss_and_grad_batch(C_, u_, N_, cm, cbow_mean=cbow_mean)
        return (out[0].sum(),) + out[1:]

    def hs(C_=C, P_=P):
        out = cbow_hierarchical_softmax_loss_and_grad_batch(C_, P_, codes, cm, pm,
                                                            cbow_mean=cbow_mean)
        return (out[0].sum(),) + out[1:]

    check(lambda x: (ns(C_=x)[0], ns(C_=x)[1]), C)
    check(lambda x: (ns(u_=x)[0], ns(u_=x)[2]), u)
    check(lambda x: (ns(N_=x)[0], ns(N_=x)[3]), N)
    check(lambda x: (hs(C_=x)[0], hs(C_=x)[1]), C)
    check(lambda x: (hs(P_=x)[0], hs(P_=x)[2]), P)


# ---------------------------------------------------------------- bad input

ONE = np.ones


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: cbow_negative_sampling_loss_and_grad(ONE((2, 3)), ONE(3), ONE((1, 3)), 2),
         ValueError, r"expected cbow_mean to be 0 \(sum\) or 1 \(mean\), got 2"),
        (lambda: cbow_negative_sampling_loss_and_grad(ONE((2, 3)), ONE(3), ONE((1, 3)), "1"),
         TypeError, r"expected cbow_mean to be the int 0 \(sum\) or 1 \(mean\), got str"),
        (lambda: cbow_hierarchical_softmax_loss_and_grad(ONE((2, 3)), ONE((1, 3)), [0], 0.5),
         TypeError, "expected cbow_mean to be the int 0"),
        (lambda: cbow_negative_sampling_loss_and_grad(ONE((0, 3)), ONE(3), ONE((1, 3))),
         ValueError, r"expected C to hold at least one context vector \(m >= 1\)"),
        (lambda: cbow_negative_sampling_loss_and_grad(ONE(3), ONE(3), ONE((1, 3))),
         ValueError, r"expected C of shape \(m, d\), got shape \(3,\)"),
        (lambda: cbow_negative_sampling_loss_and_grad(ONE((2, 3)), ONE(2), ONE((1, 3))),
         ValueError, r"expected u of shape \(3,\) like the rows of C, got shape \(2,\)"),
        (lambda: cbow_negative_sampling_loss_and_grad(ONE((2, 3)), ONE(3), ONE((1, 4))),
         ValueError, r"expected N to have 3 columns"),
        (lambda: cbow_negative_sampling_loss_and_grad("C", ONE(3), ONE((1, 3))),
         TypeError, "expected C to be an array of shape"),
        (lambda: cbow_hierarchical_softmax_loss_and_grad(ONE((2, 3)), ONE((2, 4)), [0, 1]),
         ValueError, r"expected P to have 3 columns"),
        (lambda: cbow_hierarchical_softmax_loss_and_grad(ONE((2, 3)), ONE((2, 3)), [0, 3]),
         ValueError, "expected codes to hold only 0 and 1"),
        (lambda: cbow_negative_sampling_loss_and_grad_batch(
            ONE((2, 3, 4)), ONE((2, 4)), ONE((2, 1, 4)),
            context_mask=[[1, 1, 0], [0, 0, 0]]),
         ValueError, r"expected at least one context vector per centre word, got none for "
                     r"centre\(s\) \[1\]"),
        (lambda: cbow_negative_sampling_loss_and_grad_batch(
            ONE((2, 3, 4)), ONE((2, 4)), ONE((2, 1, 4)), context_mask=ONE((2, 2))),
         ValueError, r"expected context_mask of shape \(2, 3\), got shape \(2, 2\)"),
        (lambda: cbow_negative_sampling_loss_and_grad_batch(
            ONE((2, 3, 4)), ONE((3, 4)), ONE((2, 1, 4))),
         ValueError, r"expected u of shape \(2, 4\) \(one row per centre word\)"),
        (lambda: cbow_hierarchical_softmax_loss_and_grad_batch(
            ONE((2, 3, 4)), ONE((2, 2, 5)), np.zeros((2, 2))),
         ValueError, r"expected P of shape \(2, L, 4\), got shape \(2, 2, 5\)"),
        (lambda: cbow_hierarchical_softmax_loss_and_grad_batch(
            ONE((2, 3, 4)), ONE((2, 2, 4)), np.zeros((2, 2)), cbow_mean=None),
         TypeError, "expected cbow_mean to be the int 0"),
        (lambda: cbow_hidden(ONE((2, 3)), 1, context_mask=ONE((2, 1))),
         ValueError, r"expected context_mask only with a batch C of shape \(B, M, d\)"),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
