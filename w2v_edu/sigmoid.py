r"""The logistic sigmoid, its logarithm, and gensim's 1000-entry sigmoid table -- in one place.

Every objective, both engines and the toy logistic regression use these:

- :func:`sigmoid` :math:`\sigma(x) = 1/(1+e^{-x})` and :func:`log_sigmoid`
  :math:`\log\sigma(x) = -\log(1+e^{-x})`, exact and overflow-free for any finite x;
- :func:`gensim_sigmoid_table` and :func:`sigmoid_from_table`: the lookup table gensim's compiled
  code (and ``word2vec.c``) reads instead of computing :math:`\sigma`. It holds
  :math:`\sigma` at 1000 points of [-6, 6) and is read at index ``int((f + 6) * (1000 / 6 / 2))``,
  where ``1000 / 6 / 2`` is C integer division, 83 -- so the table reads :math:`\sigma` a little
  left of f (:math:`\sigma(0)` reads 0.494). Scores with :math:`|f| \ge` :data:`MAX_EXP` are not
  looked up at all: gensim skips those targets.
"""

from __future__ import annotations

import numpy as np

MAX_EXP = 6
"""gensim skips every target whose score has :math:`|f| \\ge 6`."""

EXP_TABLE_SIZE = 1000
"""Entries of gensim's sigmoid table."""


def _floating(x) -> np.ndarray:
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def sigmoid(x):
    r""":math:`\sigma(x) = 1/(1+e^{-x})`, never overflows, accurate in relative terms for any x.

    With :math:`z = e^{-|x|} \le 1`: :math:`\sigma(x) = 1/(1+z)` for :math:`x \ge 0` and
    :math:`z/(1+z)` for :math:`x < 0`. Keeps a floating input's dtype (float32 stays float32);
    integers become float64. Any shape.
    """
    x = _floating(x)
    z = np.exp(-np.abs(x))
    out = (np.where(x >= 0, 1.0, z) / (1.0 + z)).astype(x.dtype, copy=False)
    return out[()] if out.ndim == 0 else out


def log_sigmoid(x):
    r""":math:`\log\sigma(x) = \min(x,0) - \log(1+e^{-|x|})`, any finite x, any shape."""
    x = _floating(x)
    out = (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)
    return out[()] if out.ndim == 0 else out


def gensim_sigmoid_table() -> np.ndarray:
    """gensim's ``EXP_TABLE``, shape (1000,), float32, built exactly as its compiled code does.

    In C, with ``REAL_t = float``: ``x = (i / (float)1000 * 2 - 1) * 6`` in float arithmetic,
    ``e = (float) exp((double) x)``, then ``e / (e + 1)`` in float.
    """
    one = np.float32(1)
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float32) / np.float32(EXP_TABLE_SIZE)
         * np.float32(2) - one) * np.float32(MAX_EXP)
    e = np.exp(x.astype(np.float64)).astype(np.float32)
    return (e / (e + one)).astype(np.float32)


_EXP_TABLE = gensim_sigmoid_table()
_TABLE_SCALE = np.float32(EXP_TABLE_SIZE // MAX_EXP // 2)  # 83 in C integer arithmetic
_TABLE_SHIFT = np.float32(MAX_EXP)


def sigmoid_from_table(f) -> np.ndarray:
    """gensim's table lookup of :math:`\\sigma(f)`, valid for :math:`|f| < 6`; float32, f's shape.

    The index is ``int((f + 6) * 83)``: ``1000 / 6 / 2`` in C integer arithmetic is 83, not
    83.33, so the lookup reads :math:`\\sigma` at about ``0.996 (f + 6) - 6``.
    """
    # (f + 6) * 83 in float, as gensim's REAL_t arithmetic; the cast to int truncates
    idx = ((np.asarray(f, dtype=np.float32) + _TABLE_SHIFT) * _TABLE_SCALE).astype(np.int64)
    # indices outside 0..999 (|f| >= 6, never read by gensim) are clipped to the table's ends
    return _EXP_TABLE.take(idx, mode="clip")


def softplus_and_sigmoid(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\log(1+e^{z}) = -\log\sigma(-z)` and :math:`\sigma(z)`, both from one ``exp``.

    The mini-batch engine needs a target's loss term and its gradient factor together: with
    :math:`e = e^{z}`, :math:`\mathrm{softplus}(z) = \log(1+e)` and :math:`\sigma(z) = e/(1+e)`.
    ``z`` is clipped at 80 before the ``exp`` (no float32 overflow); above that
    :math:`\mathrm{softplus}(z) = z` to within :math:`e^{-80}`. ``log(1 + e)`` rather than
    ``log1p(e)``: NumPy vectorises ``log`` for float32, not ``log1p`` (5x slower), and the
    absolute error, under 1e-7 per term, is below float32 rounding of the loss. Keeps z's float
    dtype and shape.
    """
    e = np.exp(np.minimum(z, 80.0, dtype=z.dtype))
    e_plus_1 = e + 1
    softplus = np.log(e_plus_1)
    if z.size and z.max() > 80.0:
        softplus = np.where(z > 80.0, z, softplus)
    return softplus, np.divide(e, e_plus_1, out=e)
