"""Set 03 - learning-rate schedules (lesson 03).

A schedule is a function of progress s in [0, 1] (the fraction of training done). gensim's
alpha:  alpha_s = alpha - (alpha - min_alpha) * s.  Step t of T uses s = t / T.
"""

from __future__ import annotations

import numpy as np

from ..core import Case, CaseFailed, call, exercise, expect_close
from .set01_gradient_descent import _problem, _ref_grad


@exercise("03.linear_alpha", "gensim's linear decay alpha -> min_alpha")
def _linear_cases():
    def case(progress, alpha, min_alpha):
        def fn(f):
            from w2v_edu.schedules import linear_decay

            s = np.asarray(progress, dtype=float)
            want = np.asarray(linear_decay(alpha, min_alpha)(s), dtype=float)
            got = call(f, s, alpha, min_alpha) if s.ndim else call(f, float(s), alpha, min_alpha)
            expect_close(got, want, "alpha", mistakes={
                "alpha never decays: it must fall linearly with progress": np.full_like(s, alpha),
                "decays to 0 instead of min_alpha: alpha - (alpha - min_alpha) * s":
                    alpha * (1 - s),
                "runs backwards: it starts at alpha (s = 0) and ends at min_alpha (s = 1)":
                    min_alpha + (alpha - min_alpha) * s,
                "the slope has the wrong sign: alpha MINUS (alpha - min_alpha) * s":
                    alpha + (alpha - min_alpha) * s,
            })
        return fn

    return [Case("start, middle and end (gensim defaults)", case([0.0, 0.5, 1.0], 0.025, 1e-4)),
            Case("a single float", case(0.3, 0.025, 1e-4)),
            Case("100 progress values, alpha=0.05, min_alpha=0.001",
                 case(np.linspace(0, 1, 100), 0.05, 0.001))]


@exercise("03.step_decay_lr", "step decay: drop the rate at evenly spaced points")
def _step_cases():
    def case(progress, lr, drop, n_steps):
        def fn(f):
            from w2v_edu.schedules import step_decay

            s = np.asarray(progress, dtype=float)
            want = np.asarray(step_decay(lr, drop, n_steps)(s), dtype=float)
            k = np.floor(s * n_steps)
            expect_close(call(f, s, lr, drop, n_steps), want, "the rate", mistakes={
                "at progress 1 you drop once more: the stage index is at most n_steps - 1 "
                "(s = 1 belongs to the last stage, not a new one)": lr * drop ** k,
                "one drop too many in every stage: stage 0 uses lr itself, drop**0 = 1":
                    lr * drop ** (np.minimum(k, n_steps - 1) + 1),
                "the rate never drops": np.full_like(s, lr),
                "round() instead of floor(): a stage starts at k / n_steps, not halfway":
                    lr * drop ** np.minimum(np.round(s * n_steps), n_steps - 1),
            })
        return fn

    return [Case("3 stages, including s = 1", case([0.0, 0.2, 0.34, 0.5, 0.7, 1.0], 0.1, 0.5, 3)),
            Case("4 stages, drop 0.1", case(np.linspace(0, 1, 41), 1.0, 0.1, 4)),
            Case("1 stage is constant", case([0.0, 0.5, 1.0], 0.3, 0.5, 1))]


@exercise("03.sgd_with_schedule", "SGD whose rate follows a schedule of progress")
def _sched_cases():
    def ref(w0, X, y, schedule, epochs):
        n = len(y)
        T = n * epochs
        w = np.asarray(w0, dtype=float).copy()
        lrs = []
        for t in range(T):
            i = t % n
            eta = schedule(t / T)
            w = w - eta * _ref_grad(w, X[i:i + 1], y[i:i + 1])
            lrs.append(eta)
        return w, np.array(lrs)

    def lrs_case(epochs):
        def fn(f):
            from w2v_edu.schedules import linear_decay

            X, y, w0 = _problem(epochs, 10, 2)
            sched = linear_decay(0.05, 0.001)
            _, want = ref(w0, X, y, sched, epochs)
            got = call(f, w0, X, y, sched, epochs)
            if not isinstance(got, tuple) or len(got) != 2:
                raise CaseFailed("expected a pair (w, lrs): the final parameters and the rate "
                                 "used at every step")
            n, T = 10, 10 * epochs
            t = np.arange(T)
            expect_close(got[1], want, "the rates used", mistakes={
                "alpha never decayed: evaluate schedule(t / T) at EVERY step t":
                    np.full(T, sched(0.0)),
                "the progress restarts every epoch: it is the fraction of ALL training done, "
                "t / (n * epochs)": sched((t % n) / n),
                "progress only moves once per epoch; use the step count t / T":
                    sched((t // n) / epochs),
                "off by one: step t uses schedule(t / T), starting at s = 0":
                    sched((t + 1) / T),
            })
        return fn

    def w_case(f):
        from w2v_edu.schedules import linear_decay

        X, y, w0 = _problem(9, 12, 2)
        sched = linear_decay(0.08, 0.002)
        want, _ = ref(w0, X, y, sched, 3)
        got = call(f, w0, X, y, sched, 3)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CaseFailed("expected a pair (w, lrs)")
        expect_close(got[0], want, "the final w (examples visited in order 0..n-1 every epoch)",
                     rtol=1e-8, atol=1e-10)

    def constant_case(f):
        from w2v_edu.schedules import constant

        X, y, w0 = _problem(4, 8, 2)
        want, lrs = ref(w0, X, y, constant(0.05), 2)
        got = call(f, w0, X, y, constant(0.05), 2)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CaseFailed("expected a pair (w, lrs)")
        expect_close(got[0], want, "the final w with a constant rate", rtol=1e-8, atol=1e-10)

    return [Case("rates over 1 epoch", lrs_case(1)), Case("rates over 3 epochs", lrs_case(3)),
            Case("the final parameters", w_case), Case("a constant schedule", constant_case)]
