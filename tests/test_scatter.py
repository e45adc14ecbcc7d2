"""Scatter-add: both implementations sum repeated rows; plain fancy-index += does not."""

import numpy as np
import pytest

from w2v_edu.scatter import scatter_add, scatter_add_numpy


def _loop_reference(matrix, idx, rows):
    out = matrix.copy()
    for i, r in zip(idx, rows, strict=True):
        out[i] += r
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("impl", [scatter_add, scatter_add_numpy])
def test_scatter_add_sums_repeated_rows(impl, dtype):
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((50, 7)).astype(dtype)
    idx = rng.integers(0, 10, size=300)  # many repeats on purpose
    rows = rng.standard_normal((300, 7)).astype(dtype)
    expected = _loop_reference(matrix, idx, rows)
    impl(matrix, idx, rows)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(matrix, expected, rtol=tol, atol=tol)


def test_both_implementations_agree_on_a_word2vec_sized_batch():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((9000, 100)).astype(np.float32)
    b = a.copy()
    idx = rng.zipf(1.3, size=5000) % 9000  # frequent words repeat, like a real batch
    rows = rng.standard_normal((5000, 100)).astype(np.float32)
    scatter_add(a, idx, rows)
    scatter_add_numpy(b, idx, rows)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_plain_fancy_index_update_loses_repeats():
    """Why the primitive exists: M[idx] += rows keeps one update per repeated row."""
    m = np.zeros((3, 2))
    idx = np.array([1, 1, 1])
    rows = np.ones((3, 2))
    m_fancy = m.copy()
    m_fancy[idx] += rows
    scatter_add(m, idx, rows)
    assert m_fancy[1, 0] == 1.0
    assert m[1, 0] == 3.0


def test_empty_update_changes_nothing():
    m = np.ones((4, 3))
    scatter_add(m, np.array([], dtype=np.int64), np.zeros((0, 3)))
    assert np.all(m == 1)


@pytest.mark.parametrize(
    "idx, rows, message",
    [
        (np.array([0, 1]), np.zeros((3, 2)), "rows of shape"),
        (np.array([0, 5]), np.zeros((2, 2)), "indices in"),
        (np.array([0.0, 1.0]), np.zeros((2, 2)), "integer"),
        (np.array([[0, 1]]), np.zeros((2, 2)), "1-D"),
    ],
)
def test_bad_input_names_what_was_expected(idx, rows, message):
    with pytest.raises(ValueError, match=message):
        scatter_add(np.zeros((3, 2)), idx, rows)
