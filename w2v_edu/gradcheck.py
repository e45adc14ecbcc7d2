r"""Gradient checking by central differences.

For a scalar function :math:`J(x)` and each coordinate :math:`i`,

.. math:: \frac{\partial J}{\partial x_i} \approx
          \frac{J(x + \varepsilon e_i) - J(x - \varepsilon e_i)}{2\varepsilon},

with error :math:`O(\varepsilon^2)`. The analytic gradient :math:`a` and the numerical one
:math:`n` are compared by the relative error

.. math:: \frac{\lVert a - n \rVert_2}{\max(\lVert a \rVert_2, \lVert n \rVert_2, \text{tiny})},

which is about :math:`10^{-10}` for a correct float64 gradient and of order 1 for a wrong one.

A loss that samples (negative sampling draws noise words) would be a different function at
every call. As in CS224n's gradient check, the random state is saved once and restored
before *every* evaluation -- numpy's global state and any ``numpy.random.Generator`` you pass
-- so each evaluation draws the same noise words.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class GradcheckResult:
    """Outcome of :func:`gradcheck`.

    Attributes
    ----------
    relative_error : float
        :math:`\\lVert a - n\\rVert / \\max(\\lVert a\\rVert, \\lVert n\\rVert)`.
    max_abs_error : float
        Largest :math:`|a_i - n_i|`.
    worst_index : tuple of int
        Coordinate with the largest absolute error.
    analytic : numpy.ndarray, same shape as x
    numeric : numpy.ndarray, same shape as x
    passed : bool
        ``relative_error < tol``.
    tol : float
    """

    relative_error: float
    max_abs_error: float
    worst_index: tuple
    analytic: np.ndarray
    numeric: np.ndarray
    passed: bool
    tol: float

    def __bool__(self):
        return self.passed

    def __repr__(self):
        verdict = "passed" if self.passed else "FAILED"
        return (f"GradcheckResult({verdict}: relative_error={self.relative_error:.3e} "
                f"(tol {self.tol:g}), max_abs_error={self.max_abs_error:.3e} "
                f"at {self.worst_index})")


def _generators(rng_state):
    if rng_state is None:
        return []
    if isinstance(rng_state, np.random.Generator):
        return [rng_state]
    if isinstance(rng_state, (list, tuple)) and all(
        isinstance(g, np.random.Generator) for g in rng_state
    ):
        return list(rng_state)
    raise TypeError(
        "expected rng_state to be None, a numpy.random.Generator or a list of them, "
        f"got {type(rng_state).__name__}"
    )


def _scalar(value, where):
    if isinstance(value, tuple):
        value = value[0]
    arr = np.asarray(value)
    if arr.size != 1 or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"expected f(x) to return a scalar loss (or (loss, grad)), "
                         f"got {type(value).__name__} of shape {arr.shape} {where}")
    return float(arr.reshape(()))


def numerical_gradient(f, x, eps=1e-6, rng_state=None):
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> loss`` or ``f(x) -> (loss, ...)``; only the loss is used.
    x : numpy.ndarray of float64, any shape
        Point of evaluation; not modified (a float64 copy is perturbed).
    eps : float
        Step :math:`\\varepsilon`.
    rng_state : numpy.random.Generator or list of them, optional
        Generators whose state is restored before every evaluation (numpy's global random
        state is always restored too).

    Returns
    -------
    numpy.ndarray of float64, same shape as x
    """
    x = np.array(x, dtype=np.float64)  # copy
    if not np.all(np.isfinite(x)):
        raise ValueError("expected a finite x to check the gradient at, got NaN or inf")
    if not (np.isscalar(eps) and eps > 0):
        raise ValueError(f"expected eps > 0, got {eps!r}")
    gens = _generators(rng_state)
    global_state = np.random.get_state()  # noqa: NPY002 (legacy global state)
    gen_states = [g.bit_generator.state for g in gens]

    def evaluate(point, where):
        np.random.set_state(global_state)  # noqa: NPY002
        for g, s in zip(gens, gen_states, strict=True):
            g.bit_generator.state = s
        return _scalar(f(point), where)

    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + eps
        plus = evaluate(x, f"at x{list(ix)} + eps")
        x[ix] = old - eps
        minus = evaluate(x, f"at x{list(ix)} - eps")
        x[ix] = old
        # central difference: dJ/dx_i ~ (J(x + eps e_i) - J(x - eps e_i)) / (2 eps)
        grad[ix] = (plus - minus) / (2.0 * eps)
    # leave the random state as after one evaluation at x, as a plain call would
    np.random.set_state(global_state)  # noqa: NPY002
    for g, s in zip(gens, gen_states, strict=True):
        g.bit_generator.state = s
    return grad


def relative_error(analytic, numeric, tiny=1e-30):
    """:math:`\\lVert a - n\\rVert_2 / \\max(\\lVert a\\rVert_2, \\lVert n\\rVert_2, tiny)`."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"expected gradients of equal shape, got {a.shape} and {n.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(n), tiny)
    return float(np.linalg.norm(a - n) / scale)


def gradcheck(f, x, analytic_grad=None, eps=1e-6, rng_state=None, tol=1e-6):
    """Compare an analytic gradient with central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> (loss, grad)``, or ``f(x) -> loss`` when ``analytic_grad`` is given.
    x : array_like of float, any shape
    analytic_grad : array_like, same shape as x, optional
        If None, taken from ``f(x)[1]`` (evaluated with the saved random state).
    eps : float
        Central-difference step.
    rng_state : numpy.random.Generator or list of them, optional
        Restored before every evaluation, with numpy's global random state, so that sampled
        negatives are identical in all evaluations.
    tol : float
        ``passed`` is ``relative_error < tol``.

    Returns
    -------
    GradcheckResult

    Examples
    --------
    >>> import numpy as np
    >>> res = gradcheck(lambda x: (np.sum(x ** 3), 3 * x ** 2), np.array([1.0, -2.0]))
    >>> res.passed
    True
    """
    if not callable(f):
        raise TypeError(f"expected f to be callable, got {type(f).__name__}")
    x = np.asarray(x, dtype=np.float64)
    gens = _generators(rng_state)
    if analytic_grad is None:
        global_state = np.random.get_state()  # noqa: NPY002 (legacy global state)
        gen_states = [g.bit_generator.state for g in gens]
        out = f(x.copy())
        np.random.set_state(global_state)  # noqa: NPY002
        for g, s in zip(gens, gen_states, strict=True):
            g.bit_generator.state = s
        if not (isinstance(out, tuple) and len(out) >= 2):
            raise ValueError("expected f(x) to return (loss, grad) when analytic_grad is None, "
                             f"got {type(out).__name__}")
        analytic_grad = out[1]
    a = np.asarray(analytic_grad, dtype=np.float64)
    if a.shape != x.shape:
        raise ValueError(f"expected analytic_grad of shape {x.shape} (like x), got shape {a.shape}")
    n = numerical_gradient(f, x, eps=eps, rng_state=gens)
    diff = np.abs(a - n)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    err = relative_error(a, n)
    return GradcheckResult(
        relative_error=err,
        max_abs_error=float(diff.max()) if diff.size else 0.0,
        worst_index=tuple(int(i) for i in worst),
        analytic=a, numeric=n, passed=bool(err < tol), tol=tol,
    )
