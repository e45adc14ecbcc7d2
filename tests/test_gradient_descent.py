"""The one training loop: BGD, SGD, mini-batch GD, momentum, divergence, validation."""

import numpy as np
import pytest

from w2v_edu.errors import DivergenceError
from w2v_edu.gradient_descent import GDHistory, batch_gd, minibatch_gd, sgd
from w2v_edu.schedules import linear_decay
from w2v_edu.toy_problems import (
    least_squares_loss_and_grad,
    least_squares_solution,
    logistic_loss_and_grad,
    make_linear_regression,
    make_logistic_regression,
)

LS = least_squares_loss_and_grad


@pytest.fixture(scope="module")
def problem():
    X, y, _ = make_linear_regression(n_samples=200, n_features=2, noise=0.5, seed=0)
    return X, y, least_squares_solution(X, y)


def test_batch_gd_reaches_closed_form(problem):
    X, y, w_star = problem
    hist = batch_gd(LS, np.zeros(2), X, y, lr=0.5, epochs=400)
    assert np.max(np.abs(hist.w - w_star)) < 1e-6
    assert hist.n_steps == 400 and hist.steps_per_epoch == 1


def test_batch_gd_first_step_by_hand(problem):
    X, y, _ = problem
    w0 = np.array([1.0, 1.0])
    hist = batch_gd(LS, w0, X, y, lr=0.3, epochs=2)
    grad0 = X.T @ (X @ w0 - y) / len(y)
    np.testing.assert_allclose(hist.trajectory[1], w0 - 0.3 * grad0)
    grad1 = X.T @ (X @ hist.trajectory[1] - y) / len(y)
    np.testing.assert_allclose(hist.trajectory[2], hist.trajectory[1] - 0.3 * grad1)
    np.testing.assert_array_equal(w0, [1.0, 1.0])  # w0 is not modified


def test_sgd_with_decaying_schedule_gets_close(problem):
    # stated tolerance: after 15 epochs of SGD with alpha 0.1 -> 0.001 every coordinate is
    # within 0.03 of the closed-form optimum (the loss within 1e-3 of the minimum)
    X, y, w_star = problem
    best = LS(w_star, X, y)[0]
    for seed in range(3):
        hist = sgd(LS, np.zeros(2), X, y, lr=linear_decay(0.1, 0.001), epochs=15, seed=seed)
        assert np.max(np.abs(hist.w - w_star)) < 0.03
        assert hist.epoch_loss[-1] - best < 1e-3


def test_history_shapes_and_bookkeeping(problem):
    X, y, _ = problem  # n = 200, B = 16 -> 13 steps per epoch, the last of 200 - 12*16 = 8
    sched = linear_decay(0.05, 0.001)
    hist = minibatch_gd(LS, np.zeros(2), X, y, lr=sched, batch_size=16, epochs=3, seed=1)
    T = 13 * 3
    assert isinstance(hist, GDHistory)
    assert hist.steps_per_epoch == 13 and hist.n_steps == T
    assert hist.step_loss.shape == hist.lr.shape == hist.step_time.shape == (T,)
    assert hist.trajectory.shape == (T + 1, 2)
    assert hist.epoch_loss.shape == (4,)
    assert hist.epoch_loss[0] == pytest.approx(LS(np.zeros(2), X, y)[0])
    assert hist.epoch_loss[-1] == pytest.approx(LS(hist.w, X, y)[0])
    sizes = np.diff(np.concatenate([[0], hist.grad_evals]))
    np.testing.assert_array_equal(sizes, ([16] * 12 + [8]) * 3)
    np.testing.assert_array_equal(hist.epoch_grad_evals, [0, 200, 400, 600])
    np.testing.assert_allclose(hist.lr, sched(np.arange(T) / T))
    assert hist.epoch_time.shape == (4,) and np.all(np.diff(hist.epoch_time) >= 0)
    assert "batch_size=16" in repr(hist)


def test_reshuffles_every_epoch(problem):
    X, y, _ = problem
    seen = []

    def recording_loss(w, Xb, yb):
        seen.append(yb.copy())
        return LS(w, Xb, yb)

    minibatch_gd(recording_loss, np.zeros(2), X, y, lr=0.01, batch_size=200, epochs=2, seed=0)
    # calls: initial full loss, epoch-1 step, epoch-1 full loss, epoch-2 step, ...
    first, second = seen[1], seen[3]
    assert sorted(first) == sorted(y) and not np.array_equal(first, second)


def test_same_seed_same_history_other_seed_differs(problem):
    X, y, _ = problem
    kw = dict(lr=0.05, batch_size=4, epochs=2)
    a = minibatch_gd(LS, np.zeros(2), X, y, seed=5, **kw)
    b = minibatch_gd(LS, np.zeros(2), X, y, seed=5, **kw)
    c = minibatch_gd(LS, np.zeros(2), X, y, seed=6, **kw)
    for field in ("step_loss", "epoch_loss", "trajectory", "lr", "grad_evals"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.trajectory, c.trajectory)
    gen = minibatch_gd(LS, np.zeros(2), X, y, seed=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(gen.trajectory, a.trajectory)


def test_momentum_update_by_hand_and_convergence(problem):
    X, y, w_star = problem
    mu, eta = 0.9, 0.1
    hist = batch_gd(LS, np.zeros(2), X, y, lr=eta, epochs=300, momentum=mu)
    w, v = np.zeros(2), np.zeros(2)
    for t in range(3):
        v = mu * v - eta * LS(w, X, y)[1]
        w = w + v
        np.testing.assert_allclose(hist.trajectory[t + 1], w)
    assert np.max(np.abs(hist.w - w_star)) < 1e-6
    plain = batch_gd(LS, np.zeros(2), X, y, lr=eta, epochs=300)
    assert np.max(np.abs(plain.w - w_star)) > 1e-6  # momentum is what got there in 300 steps


def test_logistic_regression_loss_decreases():
    X, y, _ = make_logistic_regression(n_samples=200, seed=0)
    hist = minibatch_gd(logistic_loss_and_grad, np.zeros(2), X, y, lr=0.5, batch_size=16,
                        epochs=10, seed=0)
    assert hist.epoch_loss[-1] < 0.7 * hist.epoch_loss[0]
    assert np.all(np.diff(hist.epoch_loss[:3]) < 0)


def test_divergence_is_caught_with_a_helpful_message(problem):
    X, y, _ = problem
    # the largest curvature of this problem is ~2.3, so lr = 1.5 > 2 / 2.3 must diverge
    with pytest.raises(DivergenceError) as info:
        batch_gd(LS, np.zeros(2), X, y, lr=1.5, epochs=500)
    err = info.value
    msg = str(err)
    assert "lr=1.5" in msg and f"step t={err.step}" in msg and "smaller learning rate" in msg
    assert err.lr == 1.5 and err.step < 500
    assert np.all(np.isfinite(err.history.trajectory))
    assert len(err.history.trajectory) >= 2


def test_divergence_with_sgd_and_a_schedule(problem):
    X, y, _ = problem
    with pytest.raises(DivergenceError, match=r"learning rate lr=.*smaller"):
        sgd(LS, np.zeros(2), X, y, lr=linear_decay(5.0, 4.0), epochs=3)


def test_nan_loss_is_divergence_not_silent():
    X, y, _ = make_linear_regression(n_samples=10, seed=0)

    def broken(w, Xb, yb):
        loss, grad = LS(w, Xb, yb)
        return (float("nan"), grad) if np.abs(w).max() > 0.5 else (loss, grad)

    with pytest.raises(DivergenceError, match="became nan"):
        batch_gd(broken, np.zeros(2), X, y, lr=0.5, epochs=50)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(batch_size=0), ValueError, r"1 <= batch_size <= n = 200.*got batch_size=0"),
        (dict(batch_size=201), ValueError, r"1 <= batch_size <= n = 200.*got batch_size=201"),
        (dict(batch_size=2.0), TypeError, "batch_size to be an int"),
        (dict(lr=0.0), ValueError, r"lr > 0.*got lr=0.0"),
        (dict(lr=-0.1), ValueError, r"lr > 0"),
        (dict(epochs=0), ValueError, "epochs >= 1, got epochs=0"),
        (dict(momentum=1.0), ValueError, r"momentum in \[0, 1\)"),
        (dict(w0=np.zeros(3)), ValueError, r"expected w of shape \(2,\).*got shape \(3,\)"),
        (dict(y=np.zeros(199)), ValueError, r"expected y of shape \(200,\).*got shape \(199,\)"),
        (dict(X=np.zeros(200)), ValueError, r"expected X of shape \(n, p\), got shape \(200,\)"),
    ],
)
def test_bad_input(problem, kwargs, error, match):
    X, y, _ = problem
    args = dict(w0=np.zeros(2), X=X, y=y, lr=0.1, batch_size=10, epochs=1) | kwargs
    with pytest.raises(error, match=match):
        minibatch_gd(LS, args.pop("w0"), args.pop("X"), args.pop("y"), **args)


def test_nan_in_data_is_rejected(problem):
    X, y, _ = problem
    X = X.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="finite.*got 1 NaN"):
        sgd(LS, np.zeros(2), X, y, lr=0.1, epochs=1)


def test_schedule_giving_a_bad_rate_is_rejected(problem):
    X, y, _ = problem
    with pytest.raises(ValueError, match="positive learning rate"):
        batch_gd(LS, np.zeros(2), X, y, lr=lambda s: 0.1 - s, epochs=5)
