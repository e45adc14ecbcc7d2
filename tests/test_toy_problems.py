"""Toy problems: data generators, losses, and every gradient against central differences."""

import numpy as np
import pytest

from w2v_edu.toy_problems import (
    least_squares_loss_and_grad,
    least_squares_solution,
    logistic_loss_and_grad,
    make_linear_regression,
    make_logistic_regression,
    sigmoid,
)


def central_difference_grad(f, w, eps=1e-6):
    """(f(w + eps e_i) - f(w - eps e_i)) / (2 eps) for every coordinate i; shape (p,)."""
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = eps
        g[i] = (f(w + e) - f(w - e)) / (2 * eps)
    return g


def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("p", [1, 2, 5])
def test_least_squares_grad_matches_central_differences(p):
    X, y, _ = make_linear_regression(n_samples=50, n_features=p, seed=3)
    w = np.random.default_rng(1).normal(size=p)
    loss, grad = least_squares_loss_and_grad(w, X, y)
    num = central_difference_grad(lambda v: least_squares_loss_and_grad(v, X, y)[0], w)
    assert grad.shape == (p,)
    assert rel_error(grad, num) < 1e-6


@pytest.mark.parametrize("p", [1, 2, 4])
def test_logistic_grad_matches_central_differences(p):
    X, y, _ = make_logistic_regression(n_samples=60, n_features=p, seed=4)
    w = np.random.default_rng(2).normal(size=p)
    _, grad = logistic_loss_and_grad(w, X, y)
    num = central_difference_grad(lambda v: logistic_loss_and_grad(v, X, y)[0], w)
    assert rel_error(grad, num) < 1e-6


def test_least_squares_loss_formula_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, 0.0, 3.0])
    w = np.array([2.0, -1.0])
    # residuals Xw - y = (1, -2, -2); L = (1 + 4 + 4) / (2 * 3) = 1.5
    loss, grad = least_squares_loss_and_grad(w, X, y)
    assert loss == pytest.approx(1.5)
    # X^T r / n = (1 - 2, -4 - 2) / 3
    np.testing.assert_allclose(grad, [-1 / 3, -2.0])


def test_closed_form_is_a_stationary_point_and_near_w_true():
    X, y, w_true = make_linear_regression(n_samples=2000, noise=0.1, seed=0)
    w_star = least_squares_solution(X, y)
    _, grad = least_squares_loss_and_grad(w_star, X, y)
    assert np.max(np.abs(grad)) < 1e-10
    np.testing.assert_allclose(w_star, w_true, atol=0.05)


def test_logistic_loss_is_stable_for_huge_scores():
    X = np.array([[1000.0], [-1000.0]])
    y = np.array([1.0, 0.0])
    loss, grad = logistic_loss_and_grad(np.array([1.0]), X, y)
    assert np.isfinite(loss) and loss == pytest.approx(0.0, abs=1e-12)
    loss, grad = logistic_loss_and_grad(np.array([-1.0]), X, y)
    assert loss == pytest.approx(1000.0)  # log(1 + e^1000) ~ 1000
    assert np.all(np.isfinite(grad))
    assert sigmoid(-1e4) == 0.0 and sigmoid(1e4) == 1.0


def test_generators_are_seeded_and_shaped():
    a = make_linear_regression(n_samples=30, n_features=3, seed=7)
    b = make_linear_regression(n_samples=30, n_features=3, seed=7)
    c = make_linear_regression(n_samples=30, n_features=3, seed=8)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (30, 3) and a[1].shape == (30,) and a[2].shape == (3,)
    X, y, w = make_logistic_regression(n_samples=30, n_features=3, seed=1)
    assert X.shape == (30, 3) and set(np.unique(y)) == {0.0, 1.0} and w.shape == (3,)


def test_two_feature_problem_is_elongated():
    X, _, _ = make_linear_regression(n_samples=2000, seed=0)
    eig = np.linalg.eigvalsh(X.T @ X / len(X))
    assert eig[-1] / eig[0] > 5  # an elongated contour: condition number well above 1


@pytest.mark.parametrize(
    ("w", "X", "y", "match"),
    [
        (np.zeros(3), np.ones((4, 2)), np.ones(4), r"expected w of shape \(2,\).*got shape \(3,\)"),
        (np.zeros(2), np.ones(4), np.ones(4), r"expected X of shape \(n, p\), got shape \(4,\)"),
        (np.zeros(2), np.ones((4, 2)), np.ones(5), r"expected y of shape \(4,\).*got shape \(5,\)"),
        (np.zeros(2), np.array([[1.0, np.nan]]), np.ones(1), r"finite.*got 1 NaN"),
        (np.zeros(2), np.ones((4, 2)), np.array([1, 2, np.inf, 0]), r"finite"),
    ],
)
def test_bad_input_is_a_clear_value_error(w, X, y, match):
    with pytest.raises(ValueError, match=match):
        least_squares_loss_and_grad(w, X, y)


def test_bad_generator_arguments():
    with pytest.raises(ValueError, match="n_samples to be an integer >= 1, got n_samples=0"):
        make_linear_regression(n_samples=0)
    with pytest.raises(ValueError, match="noise >= 0"):
        make_linear_regression(noise=-1.0)
    with pytest.raises(TypeError, match="n_features"):
        make_logistic_regression(n_features=2.5)
    with pytest.raises(ValueError, match=r"labels y in \{0, 1\}"):
        logistic_loss_and_grad(np.zeros(1), np.ones((2, 1)), np.array([0.0, 2.0]))
