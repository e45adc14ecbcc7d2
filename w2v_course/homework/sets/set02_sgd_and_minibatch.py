"""Set 02 - SGD and mini-batch gradient descent (lesson 02).

Notation: a batch B of example indices; grad L_B(w) = 1/|B| X_B^T (X_B w - y_B); every epoch the
examples are reshuffled and cut into ceil(n / B) consecutive batches, the last one smaller.
Checks here test *properties* (a partition, reshuffling, convergence), never one random stream.
"""

from __future__ import annotations

import numpy as np

from ..core import Case, CaseFailed, call, draw_seed, exercise, expect_close, expect_true
from .set01_gradient_descent import GD, LS, _problem, _ref_grad


def _as_batches(got):
    if got is None:
        raise CaseFailed("expected a list of index arrays, got None: did you forget `return`?")
    if isinstance(got, (str, bytes, dict)) or not hasattr(got, "__iter__"):
        raise CaseFailed(f"expected a list of index arrays, got {type(got).__name__}")
    batches = [np.asarray(b) for b in got]
    for b in batches:
        if b.ndim != 1:
            raise CaseFailed(f"each batch should be a 1-D array of indices, got shape {b.shape}")
        if b.size and not np.issubdtype(b.dtype, np.integer):
            raise CaseFailed(f"batches should hold integer indices, got dtype {b.dtype}")
    return batches


def _partition(got, n, bs):
    """The epoch's order, after checking that the batches partition 0..n-1 in the right sizes."""
    batches = _as_batches(got)
    allidx = np.concatenate(batches) if batches else np.zeros(0, int)
    k = -(-n // bs)
    if len(allidx) < n and len(batches) == n // bs and n % bs:
        raise CaseFailed(f"the last, smaller batch is missing: with n={n}, batch_size="
                         f"{bs} an epoch has ceil(n/B) = {k} batches (the last has "
                         f"{n % bs}); check the upper bound of your range")
    if len(np.unique(allidx)) < len(allidx):
        raise CaseFailed("some indices appear twice: sample WITHOUT replacement - one "
                         "permutation per epoch (rng.permutation(n)), then cut it")
    expect_true(np.array_equal(np.sort(allidx), np.arange(n)),
                f"the batches together must contain every index 0..{n - 1} exactly "
                f"once; got {len(allidx)} indices")
    sizes = [len(b) for b in batches]
    want = [bs] * (n // bs) + ([n % bs] if n % bs else [])
    expect_true(sizes == want, f"batch sizes should be {want[:5]}{'...' if k > 5 else ''}"
                               f" ({k} batches), got {sizes[:5]}")
    return allidx


def _shuffled(order, n):
    expect_true(not np.array_equal(order, np.arange(n)),
                "the indices come out in order 0, 1, 2, ...: shuffle them first "
                "(rng.permutation(n))")


@exercise("02.minibatch_indices", "one epoch of shuffled mini-batches")
def _indices_cases():
    def partition(*sizes):
        def fn(f, rng):
            for n, bs in sizes:
                _partition(call(f, n, bs, np.random.default_rng(draw_seed(rng))), n, bs)
        return fn

    def shuffled(f, rng):
        n = 50
        _shuffled(_partition(call(f, n, 10, np.random.default_rng(draw_seed(rng))), n, 10), n)

    def reshuffles(f, rng):
        gen = np.random.default_rng(draw_seed(rng))
        a = _partition(call(f, 40, 8, gen, copy=False), 40, 8)
        b = _partition(call(f, 40, 8, gen, copy=False), 40, 8)
        expect_true(not np.array_equal(a, b),
                    "two epochs with the same generator gave the same order: draw a new "
                    "permutation from rng on every call (do not re-seed inside the function)")

    def seeded(f, rng):
        s = draw_seed(rng)
        a = _partition(call(f, 30, 4, np.random.default_rng(s)), 30, 4)
        b = _partition(call(f, 30, 4, np.random.default_rng(s)), 30, 4)
        _shuffled(a, 30)
        expect_true(np.array_equal(a, b), "the same seed gave different batches: use only the "
                                          "rng passed in, not np.random or a new default_rng()")

    return [Case("n=20, B=5: a partition", partition((20, 5))),
            Case("n=23, B=5: the last batch is smaller", partition((23, 5))),
            Case("n=7, B=7 (batch GD) and B=1 (SGD)", partition((7, 7), (7, 1))),
            Case("shuffled", shuffled), Case("reshuffled every epoch", reshuffles),
            Case("same seed, same batches", seeded)]


@exercise("02.minibatch_grad", "the gradient on one mini-batch", twins=(LS,))
def _grad_cases():
    def case(n, make_idx):
        def fn(f, rng):
            X, y, w = _problem(rng, n, 3)
            idx_a = make_idx(rng, n)
            Xb, yb = X[idx_a], y[idx_a]
            want = _ref_grad(w, Xb, yb)
            r = Xb @ w - yb
            expect_close(call(f, w, X, y, idx_a), want, "the batch gradient", n=len(idx_a),
                         mistakes={
                "divided by n (all examples) instead of |B| (the batch size): the batch "
                "gradient is the MEAN over the batch": Xb.T @ r / n,
                "a missing 1/|B|: average over the batch, do not just sum": Xb.T @ r,
                "a flipped sign: X_B^T (X_B w - y_B)": -want,
                "this is the full-data gradient: use only the rows X[idx], y[idx]":
                    _ref_grad(w, X, y),
            })
        return fn

    def repeated(rng, n):
        idx = rng.choice(n, size=4, replace=False)
        return np.concatenate([idx[:1], idx])  # the first index twice

    return [Case("B=4 of n=30", case(30, lambda rng, n: rng.choice(n, 4, replace=False))),
            Case("B=1 (SGD) of n=30", case(30, lambda rng, n: rng.choice(n, 1))),
            Case("B=n (batch GD)", case(12, lambda rng, n: rng.permutation(n))),
            Case("B=5, a repeated index counts twice", case(30, repeated))]


@exercise("02.minibatch_sgd", "mini-batch SGD over several epochs", twins=GD)
def _sgd_cases():
    def loss(w, X, y):
        r = X @ w - y
        return float(r @ r) / (2 * len(y))

    def shape(f, rng):
        X, y, w0 = _problem(rng, 23, 2)
        got = np.asarray(call(f, w0, X, y, 0.05, 5, 3, draw_seed(rng)), dtype=float)
        T = 3 * (-(-23 // 5))
        if got.shape == (T, 2):
            raise CaseFailed(f"expected {T + 1} rows (w0, then one per step), got {T}: put w0 "
                             "first")
        if got.shape == (3 * (23 // 5) + 1, 2):
            raise CaseFailed(f"expected {T + 1} rows: the last, smaller batch of each epoch is "
                             f"missing (n=23, B=5 -> ceil(23/5) = 5 steps per epoch)")
        expect_true(got.shape == (T + 1, 2),
                    f"expected a trajectory of shape (epochs * ceil(n/B) + 1, p) = ({T + 1}, 2), "
                    f"got {got.shape}")
        expect_close(got[0], w0, "the first row (it must be w0)")
        expect_true(np.all(np.isfinite(got)) and loss(got[-1], X, y) < loss(w0, X, y),
                    "the loss at the last row is not below the loss at w0: the steps do not "
                    "descend (w - lr * gradient of the batch)")

    def full_batch(f, rng):
        X, y, w0 = _problem(rng, 16, 2)
        W = [w0]
        for _ in range(4):
            W.append(W[-1] - 0.2 * _ref_grad(W[-1], X, y))
        got = call(f, w0, X, y, 0.2, 16, 4, draw_seed(rng))
        expect_close(got, np.array(W), "the trajectory with B = n (must equal batch GD)",
                     rtol=1e-8, atol=1e-10)

    def converges(f, rng):
        X, y, w0 = _problem(rng, 100, 2)
        w_star = np.linalg.lstsq(X, y, rcond=None)[0]
        got = np.asarray(call(f, w0, X, y, 0.02, 1, 30, draw_seed(rng)), dtype=float)
        if got.ndim != 2:
            raise CaseFailed(f"expected a trajectory (T + 1, p), got shape {got.shape}")
        err = float(np.linalg.norm(got[-1] - w_star))
        expect_true(np.all(np.isfinite(got[-1])) and err < 0.15,
                    f"SGD (B=1, eta=0.02, 30 epochs) ends {err:.3g} from the least-squares "
                    "solution; expected < 0.15 (with a small constant rate SGD hovers near it)")

    def reseeded(f, rng):
        X, y, w0 = _problem(rng, 20, 2)
        s1 = draw_seed(rng)
        s2 = s1 + 1
        a = np.asarray(call(f, w0, X, y, 0.05, 4, 2, s1), dtype=float)
        b = np.asarray(call(f, w0, X, y, 0.05, 4, 2, s1), dtype=float)
        c = np.asarray(call(f, w0, X, y, 0.05, 4, 2, s2), dtype=float)
        expect_true(a.shape == (11, 2), f"expected a trajectory of shape (11, 2), got {a.shape}")
        expect_close(a[0], w0, "the first row (it must be w0)")
        expect_true(a.shape == b.shape and np.array_equal(a, b),
                    "the same seed gave different trajectories: build one rng from `seed` "
                    "(np.random.default_rng(seed)) and use only it")
        expect_true(a.shape == c.shape and not np.allclose(a, c),
                    "different seeds gave the same trajectory: the batches are not shuffled "
                    "with the rng made from `seed`")

    return [Case("shape: one row per step plus w0", shape),
            Case("B = n is batch gradient descent", full_batch),
            Case("SGD (B=1) gets close to w*", converges),
            Case("seeded and shuffled", reseeded)]
