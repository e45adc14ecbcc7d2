import numpy as np
import pytest

from w2v_edu.gradcheck import gradcheck
from w2v_edu.objectives import (
    hierarchical_softmax_loss_and_grad,
    hierarchical_softmax_loss_and_grad_batch,
    log_sigmoid,
    negative_sampling_loss_and_grad,
    negative_sampling_loss_and_grad_batch,
    sigmoid,
    softmax_loss_and_grad,
    softmax_loss_and_grad_batch,
)

TOL = 1e-6


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def check(f, x):
    res = gradcheck(f, x, tol=TOL)
    assert res.passed, res


# ---------------------------------------------------------------- helpers


def test_sigmoid_and_log_sigmoid_stable():
    x = np.array([-5000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 5000.0])
    s = sigmoid(x)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(s[1:-1], 1 / (1 + np.exp(-x[1:-1])), rtol=1e-12)
    ls = log_sigmoid(x)
    assert np.all(np.isfinite(ls))
    assert ls[0] == -5000.0 and ls[-1] == 0.0
    np.testing.assert_allclose(ls[2:5], np.log(1 / (1 + np.exp(-x[2:5]))), rtol=1e-12)
    assert sigmoid(np.float32(3)).dtype == np.float32
    assert isinstance(sigmoid(0.0), np.floating)


# ---------------------------------------------------------------- per-pair gradient checks


def test_softmax_gradcheck(rng):
    v, U, t = rng.normal(size=5), rng.normal(size=(9, 5)), 4
    check(lambda x: softmax_loss_and_grad(x, U, t)[:2], v)
    check(lambda x: softmax_loss_and_grad(v, x, t)[::2], U)


def test_negative_sampling_gradcheck(rng):
    v, u, N = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(4, 5))
    check(lambda x: (negative_sampling_loss_and_grad(x, u, N)[0],
                     negative_sampling_loss_and_grad(x, u, N)[1]), v)
    check(lambda x: (negative_sampling_loss_and_grad(v, x, N)[0],
                     negative_sampling_loss_and_grad(v, x, N)[2]), u)
    check(lambda x: (negative_sampling_loss_and_grad(v, u, x)[0],
                     negative_sampling_loss_and_grad(v, u, x)[3]), N)


def test_hierarchical_softmax_gradcheck(rng):
    v, P, c = rng.normal(size=5), rng.normal(size=(6, 5)), np.array([0, 1, 1, 0, 1, 0])
    check(lambda x: hierarchical_softmax_loss_and_grad(x, P, c)[:2], v)
    check(lambda x: hierarchical_softmax_loss_and_grad(v, x, c)[::2], P)


# ---------------------------------------------------------------- closed forms and conventions


def test_softmax_value(rng):
    v, U = rng.normal(size=3), rng.normal(size=(4, 3))
    s = U @ v
    loss, _, _ = softmax_loss_and_grad(v, U, 2)
    assert loss == pytest.approx(-np.log(np.exp(s[2]) / np.exp(s).sum()), rel=1e-12)


def test_negative_sampling_value_and_gensim_g(rng):
    v, u, N = rng.normal(size=3), rng.normal(size=3), rng.normal(size=(2, 3))
    loss, dv, du, dN = negative_sampling_loss_and_grad(v, u, N)
    expected = -np.log(1 / (1 + np.exp(-u @ v))) - np.sum(np.log(1 / (1 + np.exp(N @ v))))
    assert loss == pytest.approx(expected, rel=1e-12)
    # gensim: g = (label - sigmoid(f)) * alpha and syn1neg[t] += g * v  <=>  u -= alpha * du
    alpha = 0.025
    g_pos = (1 - 1 / (1 + np.exp(-u @ v))) * alpha
    np.testing.assert_allclose(-alpha * du, g_pos * v, rtol=1e-12)
    g_neg = (0 - 1 / (1 + np.exp(-N @ v))) * alpha
    np.testing.assert_allclose(-alpha * dN, np.outer(g_neg, v), rtol=1e-12)
    np.testing.assert_allclose(-alpha * dv, g_pos * u + g_neg @ N, rtol=1e-12)


def test_negative_sampling_with_no_negatives(rng):
    v, u = rng.normal(size=3), rng.normal(size=3)
    loss, dv, du, dN = negative_sampling_loss_and_grad(v, u, np.zeros((0, 3)))
    assert dN.shape == (0, 3)
    assert loss == pytest.approx(-np.log(1 / (1 + np.exp(-u @ v))))


def test_hierarchical_softmax_code_convention():
    v = np.array([1.0, 0.0])
    P = np.array([[30.0, 0.0]])  # score +30: sigma = 1 -> branch with code 0 is certain
    assert hierarchical_softmax_loss_and_grad(v, P, [0])[0] == pytest.approx(0.0, abs=1e-12)
    assert hierarchical_softmax_loss_and_grad(v, P, [1])[0] == pytest.approx(30.0, rel=1e-9)
    # gensim: g = (1 - code - sigmoid(f)) * alpha = -alpha * dloss/df
    rng = np.random.default_rng(0)
    v, P, c = rng.normal(size=4), rng.normal(size=(3, 4)), np.array([1, 0, 1])
    _, dv, dP = hierarchical_softmax_loss_and_grad(v, P, c)
    g = 1 - c - sigmoid(P @ v)
    np.testing.assert_allclose(-dP, np.outer(g, v), rtol=1e-12)
    np.testing.assert_allclose(-dv, g @ P, rtol=1e-12)


# ---------------------------------------------------------------- stability


@pytest.mark.parametrize("scale", [1e3, 5e3])
def test_stable_at_huge_scores(scale):
    v = np.array([scale, -scale, 1.0])
    U = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
    for t in range(3):
        loss, dv, dU = softmax_loss_and_grad(v, U, t)
        assert np.isfinite(loss) and np.all(np.isfinite(dv)) and np.all(np.isfinite(dU))
    assert softmax_loss_and_grad(v, U, 2)[0] == pytest.approx(2 * scale)
    for sign in (1.0, -1.0):
        u = sign * np.array([1.0, 0.0, 0.0])
        out = negative_sampling_loss_and_grad(v, u, np.stack([u, -u]))
        assert all(np.all(np.isfinite(o)) for o in out)
        out = hierarchical_softmax_loss_and_grad(v, np.stack([u, -u]), [0, 1])
        assert all(np.all(np.isfinite(o)) for o in out)
    loss = negative_sampling_loss_and_grad(v, -U[0], U[:1])[0]
    assert loss == pytest.approx(2 * scale)


def test_dtypes():
    v32 = np.ones(3, dtype=np.float32)
    out = negative_sampling_loss_and_grad(v32, v32, np.ones((2, 3), np.float32))
    assert all(np.asarray(o).dtype == np.float32 for o in out)
    out = softmax_loss_and_grad(np.ones(3, dtype=int), np.ones((4, 3), dtype=int), 0)
    assert all(np.asarray(o).dtype == np.float64 for o in out)


# ---------------------------------------------------------------- batched forms


def test_softmax_batch_equals_per_pair(rng):
    B, V, d = 6, 8, 4
    v, U, t = rng.normal(size=(B, d)), rng.normal(size=(V, d)), rng.integers(0, V, B)
    losses, dv, dU = softmax_loss_and_grad_batch(v, U, t)
    dU_sum = np.zeros_like(U)
    for b in range(B):
        loss_b, dvb, dUb = softmax_loss_and_grad(v[b], U, int(t[b]))
        assert losses[b] == pytest.approx(loss_b, rel=1e-12)
        np.testing.assert_allclose(dv[b], dvb, rtol=1e-10, atol=1e-14)
        dU_sum += dUb
    np.testing.assert_allclose(dU, dU_sum, rtol=1e-10, atol=1e-14)


def test_softmax_batch_gradcheck(rng):
    B, V, d = 3, 5, 4
    v, U, t = rng.normal(size=(B, d)), rng.normal(size=(V, d)), np.array([0, 4, 4])
    check(lambda x: (softmax_loss_and_grad_batch(x, U, t)[0].sum(),
                     softmax_loss_and_grad_batch(x, U, t)[1]), v)
    check(lambda x: (softmax_loss_and_grad_batch(v, x, t)[0].sum(),
                     softmax_loss_and_grad_batch(v, x, t)[2]), U)


def test_negative_sampling_batch_equals_per_pair_and_mask(rng):
    B, k, d = 5, 3, 4
    v, u, N = rng.normal(size=(B, d)), rng.normal(size=(B, d)), rng.normal(size=(B, k, d))
    mask = rng.random((B, k)) < 0.7
    for m in (None, mask):
        losses, dv, du, dN = negative_sampling_loss_and_grad_batch(v, u, N, mask=m)
        for b in range(B):
            keep = np.ones(k, bool) if m is None else m[b]
            loss_b, dvb, dub, dNb = negative_sampling_loss_and_grad(v[b], u[b], N[b][keep])
            assert losses[b] == pytest.approx(loss_b, rel=1e-12)
            np.testing.assert_allclose(dv[b], dvb, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(du[b], dub, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(dN[b][keep], dNb, rtol=1e-10, atol=1e-14)
            assert np.all(dN[b][~keep] == 0)


def test_negative_sampling_batch_gradcheck(rng):
    B, k, d = 3, 2, 4
    v, u, N = rng.normal(size=(B, d)), rng.normal(size=(B, d)), rng.normal(size=(B, k, d))
    mask = np.array([[True, False], [True, True], [False, True]])

    def total(v_, u_, N_):
        return negative_sampling_loss_and_grad_batch(v_, u_, N_, mask)

    check(lambda x: (total(x, u, N)[0].sum(), total(x, u, N)[1]), v)
    check(lambda x: (total(v, x, N)[0].sum(), total(v, x, N)[2]), u)
    check(lambda x: (total(v, u, x)[0].sum(), total(v, u, x)[3]), N)


def test_hierarchical_softmax_batch_equals_per_pair(rng):
    B, L, d = 4, 5, 3
    v, P = rng.normal(size=(B, d)), rng.normal(size=(B, L, d))
    codes = rng.integers(0, 2, size=(B, L))
    lengths = np.array([5, 1, 3, 4])
    mask = np.arange(L)[None, :] < lengths[:, None]
    losses, dv, dP = hierarchical_softmax_loss_and_grad_batch(v, P, codes, mask)
    for b in range(B):
        n = lengths[b]
        loss_b, dvb, dPb = hierarchical_softmax_loss_and_grad(v[b], P[b, :n], codes[b, :n])
        assert losses[b] == pytest.approx(loss_b, rel=1e-12)
        np.testing.assert_allclose(dv[b], dvb, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dP[b, :n], dPb, rtol=1e-10, atol=1e-14)
        assert np.all(dP[b, n:] == 0)
    full = hierarchical_softmax_loss_and_grad_batch(v, P, codes)[0]
    assert full[0] == pytest.approx(losses[0])


def test_hierarchical_softmax_batch_gradcheck(rng):
    B, L, d = 3, 4, 3
    v, P = rng.normal(size=(B, d)), rng.normal(size=(B, L, d))
    codes = rng.integers(0, 2, size=(B, L))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], bool)

    def total(v_, P_):
        return hierarchical_softmax_loss_and_grad_batch(v_, P_, codes, mask)

    check(lambda x: (total(x, P)[0].sum(), total(x, P)[1]), v)
    check(lambda x: (total(v, x)[0].sum(), total(v, x)[2]), P)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: softmax_loss_and_grad(np.ones(3), np.ones((4, 2)), 0), ValueError,
         r"expected U to have 3 columns \(the vector size of v\), got shape \(4, 2\)"),
        (lambda: softmax_loss_and_grad(np.ones((1, 3)), np.ones((4, 3)), 0), ValueError,
         r"expected v of shape \(d,\), got shape \(1, 3\)"),
        (lambda: softmax_loss_and_grad(np.ones(3), np.ones((4, 3)), 4), ValueError,
         "expected target in 0..3, got 4"),
        (lambda: softmax_loss_and_grad(np.ones(3), np.ones((4, 3)), 1.0), TypeError,
         "expected target to be an int word index, got float"),
        (lambda: negative_sampling_loss_and_grad(np.ones(3), np.ones(2), np.ones((1, 3))),
         ValueError, r"expected u of shape \(3,\) like v, got shape \(2,\)"),
        (lambda: negative_sampling_loss_and_grad(np.ones(3), np.ones(3), np.ones(3)),
         ValueError, r"expected N of shape \(k, d\), got shape \(3,\)"),
        (lambda: hierarchical_softmax_loss_and_grad(np.ones(3), np.ones((2, 3)), [0, 1, 1]),
         ValueError, r"expected codes of shape \(2,\) \(one per row of P\), got shape \(3,\)"),
        (lambda: hierarchical_softmax_loss_and_grad(np.ones(3), np.ones((2, 3)), [0, 2]),
         ValueError, "expected codes to hold only 0 and 1"),
        (lambda: softmax_loss_and_grad_batch(np.ones((2, 3)), np.ones((4, 3)), [0]),
         ValueError, r"expected targets of shape \(2,\) \(one per row of v\), got shape \(1,\)"),
        (lambda: negative_sampling_loss_and_grad_batch(
            np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 1, 3))),
         ValueError, r"expected N of shape \(2, k, 3\), got shape \(3, 1, 3\)"),
        (lambda: negative_sampling_loss_and_grad_batch(
            np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1, 3)), mask=np.ones(2)),
         ValueError, r"expected mask of shape \(2, 1\), got shape \(2,\)"),
        (lambda: hierarchical_softmax_loss_and_grad_batch(
            np.ones((2, 3)), np.ones((2, 4, 3)), np.zeros((2, 3))),
         ValueError, r"expected codes of shape \(2, 4\)"),
        (lambda: softmax_loss_and_grad("v", np.ones((4, 3)), 0), TypeError,
         "expected v to be an array of shape"),
        (lambda: softmax_loss_and_grad(np.array(["a", "b"]), np.ones((4, 2)), 0), TypeError,
         "expected v to be a real float array of shape"),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
