"""Set 01 - gradient descent on least squares (lesson 01).

Notation: X (n, p), y (n,), w (p,);  L(w) = 1/(2n) ||Xw - y||^2,  grad L(w) = 1/n X^T (Xw - y);
one step  w <- w - eta * grad L(w).
"""

from __future__ import annotations

import numpy as np

from w2v_edu.toy_problems import least_squares_loss_and_grad

from ..core import Case, CaseFailed, call, exercise, expect_close, expect_true

LS = "w2v_edu.toy_problems.least_squares_loss_and_grad"
GD = ("w2v_edu.gradient_descent.minibatch_gd", "w2v_edu.gradient_descent.batch_gd",
      "w2v_edu.gradient_descent.sgd")


def _problem(rng: np.random.Generator, n: int, p: int):
    X = rng.normal(size=(n, p)) * np.linspace(1.5, 0.5, p)
    w_true = rng.normal(size=p)
    y = X @ w_true + 0.3 * rng.normal(size=n)
    w = rng.normal(size=p)
    return X, y, w


def _conditioned_problem(rng: np.random.Generator, n: int, scales=(1.5, 0.5)):
    """A problem on which gradient descent with eta = 0.5 converges for *every* draw.

    X (n, p) = sqrt(n) Q diag(scales) R^T, with Q (n, p) orthonormal columns and R (p, p) a
    rotation, both random: the curvature X^T X / n = R diag(scales^2) R^T has eigenvalues exactly
    2.25 and 0.25, so each step multiplies the distance to the solution by at most
    max |1 - eta lambda| = 0.875 (0.875^400 ~ 6e-24). ``_problem``'s X has these eigenvalues only
    on average: for about 1 draw in 3,000 the larger one passes 2 / eta = 4 and a correct
    ``batch_gd`` diverges.
    """
    p = len(scales)
    Q = np.linalg.qr(rng.normal(size=(n, p)))[0]
    R = np.linalg.qr(rng.normal(size=(p, p)))[0]
    X = np.sqrt(n) * (Q * np.asarray(scales)) @ R.T
    w_true = rng.normal(size=p)
    y = X @ w_true + 0.3 * rng.normal(size=n)
    return X, y, rng.normal(size=p)


def _ref_loss(w, X, y):
    return least_squares_loss_and_grad(w, X, y)[0]


def _ref_grad(w, X, y):
    return least_squares_loss_and_grad(w, X, y)[1]


@exercise("01.least_squares_loss", "the least-squares loss L(w) = 1/(2n) ||Xw - y||^2",
          twins=(LS,))
def _loss_cases():
    def case(n, p):
        def fn(f, rng):
            X, y, w = _problem(rng, n, p)
            r = X @ w - y
            got = call(f, w, X, y)
            if np.ndim(got) != 0 and np.size(got) != 1:
                raise CaseFailed(f"expected one number (a float), got an array of shape "
                                 f"{np.shape(got)}: sum the squared residuals over all n examples")
            expect_close(np.asarray(got, dtype=float).reshape(()), _ref_loss(w, X, y), "the loss",
                         n=n, mistakes={
                             "the loss is n times too large: a missing 1/n (a mean, not a sum)":
                                 r @ r / 2,
                             "the loss is 2 times too large: a missing 1/2 in 1/(2n)": r @ r / n,
                             "the loss is 2n times too large: both the 1/2 and the 1/n are "
                             "missing": r @ r,
                             "the residuals must be squared: ||Xw - y||^2 = sum of r_i^2":
                                 r.sum() / (2 * n),
                             "took the root: ||r||^2 is the squared norm, not np.linalg.norm(r)":
                                 np.linalg.norm(r) / (2 * n),
                         })
        return fn

    return [Case("n=5, p=2", case(5, 2)), Case("n=50, p=3", case(50, 3)),
            Case("n=200, p=1", case(200, 1))]


@exercise("01.least_squares_grad", "its gradient 1/n X^T (Xw - y)", twins=(LS,))
def _grad_cases():
    def case(n, p):
        def fn(f, rng):
            X, y, w = _problem(rng, n, p)
            want = _ref_grad(w, X, y)
            r = X @ w - y
            expect_close(call(f, w, X, y), want, "the gradient", n=n, mistakes={
                "the gradient points uphill the wrong way: a flipped sign; it is "
                "X^T (Xw - y), residual = prediction - target": -want,
                "a missing 1/n: the loss is a mean over n examples, so is its gradient": X.T @ r,
                "an extra factor 2: the 1/2 in the loss cancels the 2 from the square": 2 * want,
                "a missing 1/n and a flipped sign": -X.T @ r,
                "shape (n,): you returned the residuals; multiply by X^T to get one entry "
                "per parameter": r / n,
                "shape (p, 1): w or the residual became a column; keep 1-D arrays": want[:, None],
            })
        return fn

    return [Case("n=5, p=2", case(5, 2)), Case("n=50, p=3", case(50, 3)),
            Case("n=200, p=1", case(200, 1))]


def _step_mistakes(w, g, lr):
    return {
        "w + eta * grad climbs the loss: gradient DEScent subtracts": w + lr * g,
        "returned only the step -eta * grad; add it to w": -lr * g,
        "returned only eta * grad; the new w is w - eta * grad": lr * g,
        "the learning rate is missing": w - g,
    }


@exercise("01.gd_step", "one gradient-descent step w - eta * grad")
def _step_cases():
    def value(p):
        def fn(f, rng):
            w, g = rng.normal(size=p), rng.normal(size=p)
            lr = float(rng.uniform(0.05, 0.5))
            expect_close(call(f, w, g, lr), w - lr * g, "the new w",
                         mistakes=_step_mistakes(w, g, lr))
        return fn

    def no_inplace(f, rng):
        w, g = rng.normal(size=3), rng.normal(size=3)
        lr = float(rng.uniform(0.05, 0.5))
        keep = w.copy()
        got = call(f, w, g, lr, copy=False)
        expect_true(np.array_equal(w, keep),
                    "your function changed the caller's w in place (w -= ...); return a new "
                    "array (w - lr * grad) so the caller can keep the whole trajectory")
        expect_close(got, keep - lr * g, "the new w", mistakes=_step_mistakes(keep, g, lr))

    return [Case("p=3", value(3)), Case("p=6", value(6)),
            Case("leaves the input w unchanged", no_inplace)]


@exercise("01.batch_gd", "batch gradient descent: the whole trajectory", twins=GD)
def _bgd_cases():
    def ref(w0, X, y, lr, n_steps):
        W = [np.asarray(w0, dtype=float)]
        for _ in range(n_steps):
            W.append(W[-1] - lr * _ref_grad(W[-1], X, y))
        return np.array(W)

    def traj(lr, n_steps):
        def fn(f, rng):
            X, y, w0 = _problem(rng, 40, 2)
            want = ref(w0, X, y, lr, n_steps)
            got = call(f, w0, X, y, lr, n_steps)
            expect_close(got, want, "the trajectory", rtol=1e-6, atol=1e-9, mistakes={
                "the first row must be w0 itself: (n_steps + 1, p) rows, w0 then one row "
                "per step": want[1:],
                "one step too few: range(n_steps) steps, plus the starting point": want[:-1],
                "the rows are all the same object: append a copy (or w = w - ...), not the "
                "array you update in place": np.repeat(want[-1:], len(want), axis=0),
                "climbs instead of descends: w - lr * grad": ref(w0, X, y, -lr, n_steps),
            })
        return fn

    def converges(f, rng):
        X, y, w0 = _conditioned_problem(rng, 60)
        w_star = np.linalg.lstsq(X, y, rcond=None)[0]
        got = np.asarray(call(f, w0, X, y, 0.5, 400), dtype=float)
        if got.ndim != 2 or got.shape[1] != 2:
            raise CaseFailed(f"expected a trajectory of shape (n_steps + 1, p) = (401, 2), "
                             f"got shape {got.shape}")
        err = float(np.max(np.abs(got[-1] - w_star)))
        expect_true(err < 1e-6, f"after 400 steps with eta = 0.5 the last row is {err:.2e} away "
                                "from the closed-form solution (expected < 1e-6)")

    return [Case("5 steps, eta=0.1", traj(0.1, 5)), Case("20 steps, eta=0.3", traj(0.3, 20)),
            Case("reaches the least-squares solution", converges)]
