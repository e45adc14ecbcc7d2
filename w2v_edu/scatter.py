"""Scatter-add: the one primitive a vectorised SGD step cannot do with plain indexing.

A mini-batch touches some rows of a matrix many times (a frequent word is the context of many
pairs in one batch). SGD must *add* every pair's update, so ``M[idx] += rows`` is wrong when
``idx`` repeats: NumPy buffers the fancy-indexed write and keeps only the last update per row.

    M[i] <- M[i] + sum_{r : idx[r] = i} rows[r]        for every distinct i in idx

Two implementations that agree (a test checks it):

- :func:`scatter_add_numpy` -- ``np.add.at``, the textbook answer; clear but slow (about 1 M
  rows of 100 floats a second).
- :func:`scatter_add` -- the same sum written as a sparse matrix product ``S @ rows`` where
  ``S[u, r] = 1`` when row ``r`` goes to the ``u``-th distinct index. SciPy's sparse product
  runs in compiled code, several times faster. This is what the mini-batch engine uses.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _check(matrix: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    idx = np.asarray(idx)
    if matrix.ndim != 2:
        raise ValueError(f"scatter_add: expected a 2-D matrix (V, d), got shape {matrix.shape}")
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(
            "scatter_add: expected idx as a 1-D integer array, "
            f"got {idx.dtype} of shape {idx.shape}"
        )
    if rows.shape != (idx.shape[0], matrix.shape[1]):
        raise ValueError(
            f"scatter_add: expected rows of shape ({idx.shape[0]}, {matrix.shape[1]}) "
            f"(one row of length d per index), got {rows.shape}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= matrix.shape[0]):
        raise ValueError(
            f"scatter_add: expected indices in [0, {matrix.shape[0]}), "
            f"got values from {idx.min()} to {idx.max()}"
        )
    return idx


def scatter_add_numpy(matrix: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
    """Add ``rows[r]`` to ``matrix[idx[r]]`` for every r, summing repeated indices (in place).

    Parameters
    ----------
    matrix : ndarray, shape (V, d)
        Updated in place.
    idx : ndarray of int, shape (m,)
        Target row of every update; may repeat.
    rows : ndarray, shape (m, d)
        The updates.
    """
    idx = _check(matrix, idx, rows)
    np.add.at(matrix, idx, rows)


def scatter_add(matrix: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
    """Same contract as :func:`scatter_add_numpy`, computed as a sparse product (faster).

    With ``u`` the sorted distinct values of ``idx`` and ``inv`` the position of each
    ``idx[r]`` in ``u``, build the 0/1 matrix ``S`` of shape (len(u), m) with ``S[inv[r], r] = 1``;
    then ``S @ rows`` holds one summed update per distinct row.
    """
    scatter_add_unchecked(matrix, _check(matrix, idx, rows), rows)


def scatter_add_unchecked(matrix: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
    """:func:`scatter_add` without the argument checks, for the engine's inner loop.

    The mini-batch engine builds ``idx`` and ``rows`` itself, so their shapes and ranges are
    right by construction; checking them twice per batch costs as much as the sum itself.
    """
    m = idx.shape[0]
    if m == 0:
        return
    unique, inverse = distinct_rows(idx, matrix.shape[0])
    # CSC with one entry per column r, in row inv[r]: built directly from its three arrays.
    selector = sp.csc_array(
        (np.ones(m, dtype=rows.dtype), inverse, np.arange(m + 1, dtype=np.int32)),
        shape=(unique.shape[0], m),
    )
    # M[u] <- M[u] + S @ rows  (u distinct: a plain assignment writes every row once)
    matrix[unique] = matrix.take(unique, axis=0) + selector @ rows


def distinct_rows(idx: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(idx, return_inverse=True)`` for row indices in ``0..n_rows-1``, without sorting.

    Marks the rows used in a (n_rows,) table instead: ``rows`` (R,) the distinct rows in
    ascending order, ``slot`` (len(idx),) int32 with ``rows[slot] == idx``. Several times faster
    than sorting for the few thousand indices of a batch, even with a large vocabulary.
    """
    used = np.zeros(n_rows, dtype=bool)
    used[idx] = True
    rows = np.flatnonzero(used)
    slot_of_row = np.empty(n_rows, dtype=np.int32)
    slot_of_row[rows] = np.arange(rows.shape[0], dtype=np.int32)
    return rows, slot_of_row[idx]
