"""Set 03 - learning-rate schedules (lesson 03).

A schedule is a function of progress s in [0, 1] (the fraction of training done). gensim's
alpha:  alpha_s = alpha - (alpha - min_alpha) * s.  Step t of T uses s = t / T.
The schedules handed to ``sgd_with_schedule`` are :class:`w2v_course.wire.Formula` objects, which
behave like ``w2v_edu.schedules.linear_decay`` / ``constant`` and can be sent to a kernel as data.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.schedules import linear_decay, step_decay

from ...wire import Formula
from ..core import Case, CaseFailed, call, exercise, expect_close
from .set01_gradient_descent import GD, _problem, _ref_grad


def _rates(rng):
    alpha = float(rng.uniform(0.01, 0.1))
    return alpha, float(alpha * rng.uniform(0.001, 0.1))


def _progress(rng, size):
    """Sorted progress values in [0, 1], both ends included."""
    return np.concatenate([[0.0], np.sort(rng.uniform(0, 1, size - 2)), [1.0]])


@exercise("03.linear_alpha", "gensim's linear decay alpha -> min_alpha",
          twins=("w2v_edu.schedules.linear_decay",))
def _linear_cases():
    def case(size):
        def fn(f, rng):
            alpha, min_alpha = _rates(rng)
            s = _progress(rng, size) if size else np.float64(rng.uniform(0.1, 0.9))
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

    return [Case("start, middle and end", case(3)), Case("a single float", case(0)),
            Case("100 progress values", case(100))]


@exercise("03.step_decay_lr", "step decay: drop the rate at evenly spaced points",
          twins=("w2v_edu.schedules.step_decay",))
def _step_cases():
    def one(f, rng, n_steps, size):
        lr = float(rng.uniform(0.05, 1.0))
        drop = float(rng.uniform(0.1, 0.9))
        s = _progress(rng, size)
        s[1:1 + n_steps - 1] = np.arange(1, n_steps) / n_steps  # the stage boundaries themselves
        s = np.sort(s)
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

    return [Case("3 stages, including s = 1", lambda f, rng: one(f, rng, 3, 8)),
            Case("4 stages, 41 values", lambda f, rng: one(f, rng, 4, 41)),
            Case("1 stage (constant) and 2 stages",
                 lambda f, rng: (one(f, rng, 1, 5), one(f, rng, 2, 6)))]


@exercise("03.sgd_with_schedule", "SGD whose rate follows a schedule of progress", twins=GD)
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

    def pair(got):
        if not isinstance(got, tuple) or len(got) != 2:
            raise CaseFailed("expected a pair (w, lrs): the final parameters and the rate "
                             "used at every step")
        return got

    def lrs_case(epochs):
        def fn(f, rng):
            X, y, w0 = _problem(rng, 10, 2)
            sched = Formula("linear", *_rates(rng))
            _, want = ref(w0, X, y, sched, epochs)
            got = pair(call(f, w0, X, y, sched, epochs))
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

    def w_case(f, rng):
        X, y, w0 = _problem(rng, 12, 2)
        sched = Formula("linear", *_rates(rng))
        want, _ = ref(w0, X, y, sched, 3)
        got = pair(call(f, w0, X, y, sched, 3))
        expect_close(got[0], want, "the final w (examples visited in order 0..n-1 every epoch)",
                     rtol=1e-8, atol=1e-10)

    def constant_case(f, rng):
        X, y, w0 = _problem(rng, 8, 2)
        sched = Formula("constant", float(rng.uniform(0.01, 0.1)))
        want, lrs = ref(w0, X, y, sched, 2)
        got = pair(call(f, w0, X, y, sched, 2))
        expect_close(got[0], want, "the final w with a constant rate", rtol=1e-8, atol=1e-10)

    return [Case("rates over 1 epoch", lrs_case(1)), Case("rates over 3 epochs", lrs_case(3)),
            Case("the final parameters", w_case), Case("a constant schedule", constant_case)]
