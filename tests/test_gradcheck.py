import numpy as np
import pytest

from w2v_edu.gradcheck import gradcheck, numerical_gradient, relative_error
from w2v_edu.objectives import negative_sampling_loss_and_grad


def cubic(x):
    return np.sum(x**3), 3 * x**2


def test_correct_gradient_passes():
    res = gradcheck(cubic, np.array([[1.0, -2.0], [0.5, 3.0]]))
    assert res.passed and bool(res)
    assert res.relative_error < 1e-9
    assert res.numeric.shape == (2, 2)
    assert "passed" in repr(res)


def test_wrong_gradient_fails():
    res = gradcheck(lambda x: (np.sum(x**3), 3 * x**2 + 1e-3), np.array([1.0, -2.0]))
    assert not res.passed
    res = gradcheck(lambda x: np.sum(np.sin(x)), np.array([0.3, 1.0]),
                    analytic_grad=np.sin(np.array([0.3, 1.0])))
    assert not res.passed and "FAILED" in repr(res)


def test_does_not_modify_x():
    x = np.array([1.0, 2.0])
    gradcheck(cubic, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_known():
    g = numerical_gradient(lambda x: float(x @ x), np.array([1.0, -3.0]))
    np.testing.assert_allclose(g, [2.0, -6.0], rtol=1e-8)


def _ns_loss(v, u, out_matrix, draw):
    ids = draw(3)
    loss, dv, _, _ = negative_sampling_loss_and_grad(v, u, out_matrix[ids])
    return loss, dv


def test_restores_generator_state_for_sampled_negatives():
    rng = np.random.default_rng(0)
    out_matrix = rng.normal(size=(50, 4))
    v, u = rng.normal(size=4), rng.normal(size=4)
    gen = np.random.default_rng(7)

    def f(x):
        return _ns_loss(x, u, out_matrix, lambda k: gen.integers(0, 50, k))

    assert gradcheck(f, v, rng_state=gen).passed
    # without restoring, every evaluation draws other negatives and the check fails
    assert not gradcheck(f, v).passed


def test_restores_global_numpy_state():
    rng = np.random.default_rng(1)
    out_matrix = rng.normal(size=(50, 4))
    v, u = rng.normal(size=4), rng.normal(size=4)
    np.random.seed(3)  # noqa: NPY002 (the legacy global state is the point)

    def f(x):
        return _ns_loss(x, u, out_matrix, lambda k: np.random.randint(0, 50, k))  # noqa: NPY002

    assert gradcheck(f, v).passed


def test_bad_input():
    with pytest.raises(ValueError, match=r"expected analytic_grad of shape \(2,\)"):
        gradcheck(lambda x: float(x.sum()), np.ones(2), analytic_grad=np.ones(3))
    with pytest.raises(ValueError, match="return \\(loss, grad\\) when analytic_grad is None"):
        gradcheck(lambda x: float(x.sum()), np.ones(2))
    with pytest.raises(ValueError, match="scalar loss"):
        gradcheck(lambda x: (x, x), np.ones(2))
    with pytest.raises(TypeError, match="expected f to be callable"):
        gradcheck(3, np.ones(2))
    with pytest.raises(TypeError, match="rng_state"):
        gradcheck(cubic, np.ones(2), rng_state=5)
    with pytest.raises(ValueError, match="equal shape"):
        relative_error(np.ones(2), np.ones(3))
