"""Set 05 - skip-gram with a full softmax (lesson 05).

v (d,) input vector, U (V, d) output vectors, scores s = U v, y_hat = softmax(s),
J = -log y_hat[target];  dJ/dv = U^T (y_hat - e_target),  dJ/dU = outer(y_hat - e_target, v).
"""

from __future__ import annotations

import numpy as np

from w2v_edu.objectives import softmax_loss_and_grad

from ..core import Case, CaseFailed, call, exercise, expect_close

SOFTMAX = ("w2v_edu.objectives.softmax_loss_and_grad",
           "w2v_edu.objectives.softmax_loss_and_grad_batch")


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _scalar(got):
    return np.asarray(got, dtype=float).reshape(()) if np.size(got) == 1 else got


@exercise("05.softmax", "a numerically stable softmax",
          twins=("w2v_edu.objectives.log_softmax",))
def _softmax_cases():
    def case(V, offset, scale, what):
        def fn(f, rng):
            z_a = offset + scale * rng.normal(size=V)
            want = _softmax(z_a)
            with np.errstate(all="ignore"):
                naive = np.exp(z_a) / np.exp(z_a).sum()
            expect_close(call(f, z_a), want, what, mistakes={
                "overflow: exp(1000) is inf; subtract max(z) first (softmax(z) = "
                "softmax(z - c) for any c)": naive if not np.all(np.isfinite(naive)) else None,
                "exp(z) without normalising: divide by the sum": np.exp(z_a - z_a.max()),
                "normalised z itself, not exp(z)": z_a / z_a.sum() if z_a.sum() else None,
            })
        return fn

    return [Case("small scores", case(5, 0.0, 1.0, "softmax")),
            Case("large scores (1000)", case(4, 1000.0, 5.0, "softmax of large scores")),
            Case("very negative scores", case(4, -1000.0, 1.0,
                                              "softmax of very negative scores"))]


@exercise("05.softmax_loss_and_grad", "the full-softmax loss and both gradients", twins=SOFTMAX)
def _loss_cases():
    def case(V, d, scale=1.0):
        def fn(f, rng):
            v = rng.normal(size=d) * scale
            U = rng.normal(size=(V, d)) * scale
            target = int(rng.integers(V))
            loss, dv, dU = softmax_loss_and_grad(v, U, target)
            y_hat = _softmax(U @ v)
            got = call(f, v, U, target)
            if not isinstance(got, tuple) or len(got) != 3:
                raise CaseFailed("expected a tuple (loss, dv, dU)")
            expect_close(_scalar(got[0]), loss, "the loss", mistakes={
                "the loss is log y_hat[target]; J is its NEGATIVE": -loss,
                "the loss is -log y_hat[target], not -y_hat[target]": -y_hat[target],
            })
            expect_close(got[1], dv, "dv", mistakes={
                "dv and dU are swapped: dv has the shape of v (d,), dU the shape of U (V, d)":
                    dU,
                "a flipped sign: dJ/dv = U^T (y_hat - e_target)": -dv,
                "the -1 at the target is missing: y_hat - e_target, not y_hat": U.T @ y_hat,
            })
            err = y_hat.copy()
            err[target] -= 1
            expect_close(got[2], dU, "dU", mistakes={
                "dv and dU are swapped: dU has the shape of U (V, d)": dv,
                "a flipped sign: dJ/dU = outer(y_hat - e_target, v)": -dU,
                "the -1 at the target is missing in dU": np.outer(y_hat, v),
                "outer product in the wrong order: rows of dU belong to words, so "
                "outer(y_hat - e, v) has shape (V, d)": np.outer(v, err),
            })
        return fn

    return [Case("V=5, d=3", case(5, 3)), Case("V=40, d=10", case(40, 10)),
            Case("large scores (no overflow)", case(20, 4, scale=30.0))]


@exercise("05.softmax_sgd_step", "one SGD step on v and U (both from the old values)",
          twins=SOFTMAX)
def _step_cases():
    def case(V, d):
        def fn(f, rng):
            v = rng.normal(size=d)
            U = rng.normal(size=(V, d))
            target = int(rng.integers(V))
            alpha = float(rng.uniform(0.05, 0.5))
            _, dv, dU = softmax_loss_and_grad(v, U, target)
            U_new = U - alpha * dU
            _, dv_late, _ = softmax_loss_and_grad(v, U_new, target)
            got = call(f, v, U, target, alpha)
            if not isinstance(got, tuple) or len(got) != 2:
                raise CaseFailed("expected a pair (v_new, U_new)")
            expect_close(got[0], v - alpha * dv, "the new v", mistakes={
                "v was updated with the gradient at the NEW U: compute both gradients "
                "first, then update (like gensim's `work` buffer)": v - alpha * dv_late,
                "a flipped sign: SGD subtracts alpha * gradient": v + alpha * dv,
                "v not updated": v,
            })
            expect_close(got[1], U_new, "the new U", mistakes={
                "a flipped sign: SGD subtracts alpha * gradient": U + alpha * dU,
                "U not updated": U,
            })
        return fn

    return [Case("V=6, d=3", case(6, 3)), Case("V=30, d=8", case(30, 8))]
