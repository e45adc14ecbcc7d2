"""Schedules: values at start, middle and end from their formulas; vectorised; validated."""

import math

import numpy as np
import pytest

from w2v_edu.schedules import (
    as_schedule,
    constant,
    exponential,
    inverse_time,
    linear_decay,
    step_decay,
)


def test_linear_decay_is_gensims_formula():
    sched = linear_decay(alpha=0.025, min_alpha=0.0001)
    for s in (0.0, 0.5, 1.0, 0.3):
        assert sched(s) == pytest.approx(0.025 - (0.025 - 0.0001) * s, rel=1e-12)
    assert sched(0.0) == 0.025 and sched(1.0) == pytest.approx(0.0001)
    assert sched(0.5) == pytest.approx((0.025 + 0.0001) / 2)


def test_linear_decay_defaults_are_gensims():
    sched = linear_decay()
    assert (sched.alpha, sched.min_alpha) == (0.025, 0.0001)
    assert repr(sched) == "linear_decay(alpha=0.025, min_alpha=0.0001)"


def test_constant():
    assert constant(0.3)(0.0) == constant(0.3)(0.5) == constant(0.3)(1.0) == 0.3


def test_step_decay_stages():
    sched = step_decay(1.0, drop=0.5, n_steps=3)
    # stages [0, 1/3), [1/3, 2/3), [2/3, 1]: rates 1, 0.5, 0.25
    assert sched(0.0) == 1.0
    assert sched(0.3) == 1.0
    assert sched(0.5) == 0.5
    assert sched(0.9) == 0.25
    assert sched(1.0) == 0.25


def test_inverse_time():
    sched = inverse_time(0.2, decay=9.0)
    assert sched(0.0) == pytest.approx(0.2)
    assert sched(0.5) == pytest.approx(0.2 / (1 + 4.5))
    assert sched(1.0) == pytest.approx(0.02)


def test_exponential_with_final_lr_and_with_rate():
    sched = exponential(0.1, final_lr=0.001)
    assert sched(0.0) == pytest.approx(0.1)
    assert sched(0.5) == pytest.approx(math.sqrt(0.1 * 0.001))  # geometric mean
    assert sched(1.0) == pytest.approx(0.001)
    by_rate = exponential(0.1, rate=2.0)
    assert by_rate(1.0) == pytest.approx(0.1 * math.exp(-2.0))
    assert exponential(0.1)(1.0) == pytest.approx(0.001)  # default final_lr = lr / 100


@pytest.mark.parametrize(
    "sched",
    [constant(0.1), step_decay(0.1), inverse_time(0.1), exponential(0.1), linear_decay()],
)
def test_vectorised_equals_scalar_and_repr(sched):
    s = np.linspace(0, 1, 11)
    values = sched(s)
    assert isinstance(values, np.ndarray) and values.shape == (11,)
    np.testing.assert_allclose(values, [sched(float(v)) for v in s])
    assert isinstance(sched(0.5), float)
    assert np.all(np.diff(values) <= 0)  # none of them increases
    assert repr(sched).startswith(type(sched).__name__ + "(")


@pytest.mark.parametrize("progress", [-0.1, 1.5, float("nan")])
def test_progress_outside_unit_interval(progress):
    with pytest.raises(ValueError, match=r"expected progress in \[0, 1\]"):
        linear_decay()(progress)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: constant(0.0), "expected lr > 0.*got lr=0.0"),
        (lambda: constant(-1), "expected lr > 0"),
        (lambda: linear_decay(alpha=0.01, min_alpha=0.1), "min_alpha <= alpha"),
        (lambda: linear_decay(alpha=float("nan")), "alpha > 0"),
        (lambda: step_decay(0.1, drop=1.5), r"drop in \(0, 1\]"),
        (lambda: step_decay(0.1, n_steps=0), "n_steps to be an int >= 1"),
        (lambda: inverse_time(0.1, decay=-1), "decay >= 0"),
        (lambda: exponential(0.1, final_lr=0.01, rate=1.0), "not both"),
    ],
)
def test_bad_arguments(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_as_schedule():
    assert as_schedule(0.5)(0.7) == 0.5
    sched = linear_decay()
    assert as_schedule(sched) is sched
    with pytest.raises(ValueError, match="lr > 0"):
        as_schedule(-0.1)
    with pytest.raises(TypeError, match="positive float or a schedule"):
        as_schedule("fast")
