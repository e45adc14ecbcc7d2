"""Toy problems small enough to picture: least squares and logistic regression.

Each problem is a pair of plain functions: a seeded data generator and a
``loss_and_grad(w, X, y) -> (loss, grad)`` function that returns the loss and its
gradient side by side. Every optimizer in :mod:`w2v_edu.gradient_descent` trains
any such function.

Notation (lessons 01-03)
------------------------
* ``X`` : (n, p) design matrix, one example per row :math:`x_i`.
* ``y`` : (n,) targets :math:`y_i`.
* ``w`` : (p,) parameters :math:`w`.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.checks import check_int
from w2v_edu.sigmoid import sigmoid as _sigmoid

__all__ = [
    "make_linear_regression",
    "least_squares_loss_and_grad",
    "least_squares_solution",
    "make_logistic_regression",
    "logistic_loss_and_grad",
    "sigmoid",
]


# ---------------------------------------------------------------------------
# input checks shared by the problems
# ---------------------------------------------------------------------------
def _as_finite(name: str, a, ndim: int, shape_hint: str) -> np.ndarray:
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"expected {name} to be a numeric array of shape {shape_hint}, "
                        f"got {type(a).__name__}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"expected {name} of shape {shape_hint}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"expected {name} to contain only finite numbers, "
                         f"got {bad} NaN/inf value(s)")
    return arr


def check_problem(w, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and convert ``(w, X, y)`` for a ``loss_and_grad`` function.

    Parameters
    ----------
    w : array_like, shape (p,)
    X : array_like, shape (n, p)
    y : array_like, shape (n,)

    Returns
    -------
    w, X, y : float64 ndarrays of shapes (p,), (n, p), (n,)

    Raises
    ------
    ValueError
        wrong shapes, an empty data set, or NaN/inf anywhere, with a message that
        states the expected and the given shape/value.
    """
    X = _as_finite("X", X, 2, "(n, p)")
    n, p = X.shape
    if n == 0 or p == 0:
        raise ValueError(f"expected X of shape (n, p) with n >= 1 and p >= 1, got shape {X.shape}")
    y = _as_finite("y", y, 1, f"(n,) = ({n},)")
    if y.shape[0] != n:
        raise ValueError(f"expected y of shape ({n},) to match X's {n} rows, got shape {y.shape}")
    w = _as_finite("w", w, 1, f"(p,) = ({p},)")
    if w.shape[0] != p:
        raise ValueError(f"expected w of shape ({p},) to match X's {p} columns, "
                         f"got shape {w.shape}")
    return w, X, y


# ---------------------------------------------------------------------------
# least squares
# ---------------------------------------------------------------------------
def make_linear_regression(n_samples: int = 200, n_features: int = 2, noise: float = 0.5,
                           seed: int | np.random.Generator = 0):
    """Seeded data for linear regression :math:`y = X w_{true} + \\varepsilon`.

    The features have different scales (1.5, 0.5, ...) and are correlated
    (correlation 0.6 between neighbours), so the 2-parameter loss has an elongated,
    tilted elliptic contour: the shape that makes plain gradient descent zig-zag.

    Parameters
    ----------
    n_samples : int
        n, number of examples (>= 1).
    n_features : int
        p, number of features (>= 1). No intercept column is added.
    noise : float
        Standard deviation of the Gaussian noise :math:`\\varepsilon` (>= 0).
    seed : int or numpy.random.Generator
        Same seed -> identical data.

    Returns
    -------
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    w_true : ndarray, shape (p,)
        The parameters that generated ``y``. With noise the least-squares optimum
        :func:`least_squares_solution` differs slightly from ``w_true``.
    """
    n = check_int("n_samples", n_samples, 1)
    p = check_int("n_features", n_features, 1)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"expected noise >= 0 (a standard deviation), got noise={noise!r}")
    rng = np.random.default_rng(seed)
    scales = np.geomspace(1.5, 0.5, p) if p > 1 else np.array([1.0])
    idx = np.arange(p)
    cov = np.outer(scales, scales) * 0.6 ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    w_true = np.resize(np.array([2.0, -1.0]), p) * (1.0 + 0.25 * (idx // 2))
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true


def least_squares_loss_and_grad(w, X, y) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient.

    .. math::
        L(w) = \\frac{1}{2n} \\lVert Xw - y \\rVert^2, \\qquad
        \\nabla L(w) = \\frac{1}{n} X^\\top (Xw - y)

    Parameters
    ----------
    w : array_like, shape (p,)
    X : array_like, shape (n, p)
    y : array_like, shape (n,)

    Returns
    -------
    loss : float
    grad : ndarray, shape (p,)
    """
    w, X, y = check_problem(w, X, y)
    n = X.shape[0]
    r = X @ w - y  # residuals, (n,)
    return float(r @ r) / (2 * n), X.T @ r / n


def least_squares_solution(X, y) -> np.ndarray:
    """Closed-form minimiser :math:`w^* = \\arg\\min_w \\lVert Xw - y \\rVert^2`.

    Computed with ``np.linalg.lstsq`` (stable; equals :math:`(X^\\top X)^{-1} X^\\top y`
    when X has full column rank).

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)

    Returns
    -------
    w_star : ndarray, shape (p,)
    """
    X = _as_finite("X", X, 2, "(n, p)")
    _, X, y = check_problem(np.zeros(X.shape[1]), X, y)
    return np.linalg.lstsq(X, y, rcond=None)[0]


# ---------------------------------------------------------------------------
# logistic regression
# ---------------------------------------------------------------------------
def sigmoid(z):
    """Numerically stable logistic function :math:`\\sigma(z) = 1 / (1 + e^{-z})`.

    :func:`w2v_edu.sigmoid.sigmoid` in float64: :math:`\\tfrac12 (1 + \\tanh(z/2))`, which never
    overflows.

    Parameters
    ----------
    z : float or ndarray, any shape

    Returns
    -------
    float or ndarray, same shape as ``z``, values in [0, 1]
    """
    return _sigmoid(np.asarray(z, dtype=np.float64))


def make_logistic_regression(n_samples: int = 200, n_features: int = 2,
                             seed: int | np.random.Generator = 0):
    """Seeded data for logistic regression, labels drawn from :math:`\\sigma(x_i^\\top w_{true})`.

    Parameters
    ----------
    n_samples : int
        n (>= 2).
    n_features : int
        p (>= 1).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, p)
        Standard normal features.
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0 (float so they enter the arithmetic directly); both classes
        always occur.
    w_true : ndarray, shape (p,)
    """
    n = check_int("n_samples", n_samples, 2)
    p = check_int("n_features", n_features, 1)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_true = np.resize(np.array([1.5, -2.0]), p)
    y = (rng.random(n) < sigmoid(X @ w_true)).astype(np.float64)
    # both classes must occur, otherwise the optimum is at infinity
    y[0], y[1] = 0.0, 1.0
    return X, y, w_true


def logistic_loss_and_grad(w, X, y) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of logistic regression and its gradient.

    With :math:`z_i = x_i^\\top w`:

    .. math::
        L(w) = \\frac{1}{n} \\sum_i \\big[\\log(1 + e^{z_i}) - y_i z_i\\big], \\qquad
        \\nabla L(w) = \\frac{1}{n} X^\\top (\\sigma(Xw) - y)

    ``log(1 + e^z)`` is computed with ``np.logaddexp(0, z)``, so large ``|z|`` never
    overflows.

    Parameters
    ----------
    w : array_like, shape (p,)
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
        Labels in {0, 1}.

    Returns
    -------
    loss : float
    grad : ndarray, shape (p,)
    """
    w, X, y = check_problem(w, X, y)
    if np.any((y != 0) & (y != 1)):
        raise ValueError(f"expected labels y in {{0, 1}}, got values {np.unique(y)[:5]}")
    n = X.shape[0]
    z = X @ w  # (n,)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, X.T @ (sigmoid(z) - y) / n
