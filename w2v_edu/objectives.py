r"""The word2vec objectives: loss and gradient of one training example, side by side.

Skip-gram's three (full softmax, negative sampling, hierarchical softmax), then CBOW's two
(``cbow_*``: the same targets, predicted from the mean -- or sum -- of the context vectors).

Notation (one training pair: the context word's input vector predicts the centre word):

- :math:`v \in \mathbb{R}^d` -- input vector of the context word, a row of gensim's ``syn0``;
- :math:`U \in \mathbb{R}^{V\times d}` -- all output vectors (full softmax);
- :math:`u \in \mathbb{R}^d` -- output vector of the centre word, a row of ``syn1neg``;
- :math:`N \in \mathbb{R}^{k\times d}` -- output vectors of k noise words (rows of ``syn1neg``);
- :math:`P \in \mathbb{R}^{L\times d}` -- inner-node vectors on the centre word's Huffman path
  (rows of ``syn1``), :math:`c \in \{0,1\}^L` its code.

Every function returns the loss and its gradients with respect to each array it was given
(same shapes). One SGD step is ``param -= alpha * grad``; gensim writes the same step with
:math:`g = (\text{label} - \sigma(f))\,\alpha = -\alpha\,\partial\,\text{loss}/\partial f`.

The ``*_batch`` forms take B pairs at once and return per-pair losses (B,) and per-pair
gradients; they equal the per-pair forms (tested). Computation is in the inputs' floating
dtype (float32 stays float32, float64 stays float64; integers become float64) and is stable
for scores in the thousands: no overflow, finite losses and gradients.

CBOW (lesson 10) has one example per centre word: the m context vectors :math:`C` (m, d) are
combined into :math:`h` (gensim's ``neu1``), which takes the place of :math:`v` above.
"""

import numbers

import numpy as np

# sigmoid and log-sigmoid live in w2v_edu.sigmoid, the one place every module takes them from
from w2v_edu.sigmoid import log_sigmoid, sigmoid  # noqa: E402, F401  (re-exported for the lessons)


def log_softmax(scores, axis=-1):
    r""":math:`\log \mathrm{softmax}(s)_i = s_i - \max s - \log\sum_j e^{s_j - \max s}`."""
    s = np.asarray(scores)
    if not np.issubdtype(s.dtype, np.floating):
        s = s.astype(np.float64)
    shifted = s - s.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# ---------------------------------------------------------------------------------------------
# Input validation: say what was expected and what was given
# ---------------------------------------------------------------------------------------------


def _float_array(name, x, ndim, shape_text):
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"expected {name} to be an array of shape {shape_text}, got "
                        f"{type(x).__name__}")
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists etc.
        raise ValueError(f"expected {name} to be an array of shape {shape_text}, got {x!r}") \
            from exc
    if a.dtype == object or not (np.issubdtype(a.dtype, np.floating)
                                 or np.issubdtype(a.dtype, np.integer)):
        raise TypeError(f"expected {name} to be a real float array of shape {shape_text}, "
                        f"got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"expected {name} of shape {shape_text}, got shape {a.shape}")
    return a


def _result_dtype(*arrays):
    dt = np.result_type(*arrays)
    return dt if np.issubdtype(dt, np.floating) else np.dtype(np.float64)


def _check_dim(name, a, axis, d, ref):
    if a.shape[axis] != d:
        raise ValueError(
            f"expected {name} to have {d} columns (the vector size of {ref}), "
            f"got shape {a.shape}"
        )


def _codes_array(codes, shape, name="codes"):
    c = np.asarray(codes)
    if c.shape != shape:
        raise ValueError(f"expected {name} of shape {shape} (one per row of P), "
                         f"got shape {c.shape}")
    if c.size and (c.dtype == object or not np.all((c == 0) | (c == 1))):
        raise ValueError(f"expected {name} to hold only 0 and 1, got values {np.unique(c)}")
    return c


def _mask_array(mask, shape, name="mask"):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != shape:
        raise ValueError(f"expected {name} of shape {shape}, got shape {m.shape}")
    return m.astype(bool)


# ---------------------------------------------------------------------------------------------
# Full softmax
# ---------------------------------------------------------------------------------------------


def softmax_loss_and_grad(v, U, target):
    r"""Full-softmax skip-gram loss of one pair.

    .. math::
        s = U v, \quad p = \mathrm{softmax}(s), \quad
        \text{loss} = -\log p_t, \\
        \frac{\partial \text{loss}}{\partial s} = p - e_t, \quad
        \frac{\partial \text{loss}}{\partial v} = U^\top (p - e_t), \quad
        \frac{\partial \text{loss}}{\partial U} = (p - e_t)\, v^\top.

    Parameters
    ----------
    v : array_like, shape (d,)
        Input vector of the context word.
    U : array_like, shape (V, d)
        Output vectors of every word.
    target : int
        Index t of the centre word, ``0 <= t < V``.

    Returns
    -------
    loss : float
    dv : numpy.ndarray, shape (d,)
    dU : numpy.ndarray, shape (V, d)
    """
    v = _float_array("v", v, 1, "(d,)")
    U = _float_array("U", U, 2, "(V, d)")
    _check_dim("U", U, 1, v.shape[0], "v")
    V = U.shape[0]
    if not isinstance(target, numbers.Integral) or isinstance(target, bool):
        raise TypeError(f"expected target to be an int word index, got {type(target).__name__}")
    if not 0 <= target < V:
        raise ValueError(f"expected target in 0..{V - 1}, got {target}")
    dt = _result_dtype(v, U)
    v, U = v.astype(dt, copy=False), U.astype(dt, copy=False)

    logp = log_softmax(U @ v)  # (V,)
    loss = -logp[target]
    delta = np.exp(logp)  # p, (V,)
    delta[target] -= 1.0  # p - e_t
    dv = U.T @ delta
    dU = np.outer(delta, v)
    return loss, dv, dU


def softmax_loss_and_grad_batch(v, U, targets):
    r"""Full-softmax loss of B pairs that share the output matrix U.

    Parameters
    ----------
    v : array_like, shape (B, d)
        Input vectors, one row per pair.
    U : array_like, shape (V, d)
    targets : array_like of int, shape (B,)

    Returns
    -------
    losses : numpy.ndarray, shape (B,)
        ``losses[b]`` = loss of pair b.
    dv : numpy.ndarray, shape (B, d)
        ``dv[b]`` = gradient of pair b's loss w.r.t. ``v[b]``.
    dU : numpy.ndarray, shape (V, d)
        Gradient of the *summed* loss :math:`\sum_b \text{loss}_b` w.r.t. U
        (= sum of the per-pair ``dU``).
    """
    v = _float_array("v", v, 2, "(B, d)")
    U = _float_array("U", U, 2, "(V, d)")
    _check_dim("U", U, 1, v.shape[1], "v")
    t = np.asarray(targets)
    B, V = v.shape[0], U.shape[0]
    if t.shape != (B,):
        raise ValueError(
            f"expected targets of shape ({B},) (one per row of v), got shape {t.shape}"
        )
    if t.size and not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"expected integer targets, got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= V):
        raise ValueError(f"expected targets in 0..{V - 1}, got values in {t.min()}..{t.max()}")
    dt = _result_dtype(v, U)
    v, U = v.astype(dt, copy=False), U.astype(dt, copy=False)

    logp = log_softmax(v @ U.T, axis=1)  # (B, V)
    rows = np.arange(B)
    losses = -logp[rows, t]
    delta = np.exp(logp)  # (B, V)
    delta[rows, t] -= 1.0
    dv = delta @ U
    dU = delta.T @ v
    return losses, dv, dU


# ---------------------------------------------------------------------------------------------
# Negative sampling
# ---------------------------------------------------------------------------------------------


def negative_sampling_loss_and_grad(v, u, N):
    r"""Negative-sampling loss of one pair: one positive target u, k noise targets N.

    .. math::
        \text{loss} = -\log\sigma(u^\top v) - \sum_{k} \log\sigma(-N_k^\top v), \\
        \frac{\partial \text{loss}}{\partial v} = (\sigma(u^\top v) - 1)\,u
            + \sum_k \sigma(N_k^\top v)\, N_k, \quad
        \frac{\partial \text{loss}}{\partial u} = (\sigma(u^\top v) - 1)\, v, \quad
        \frac{\partial \text{loss}}{\partial N_k} = \sigma(N_k^\top v)\, v.

    With label :math:`l` (1 for u, 0 for each N_k) and score :math:`f`, every target has
    :math:`\partial\text{loss}/\partial f = \sigma(f) - l`: gensim's ``g / alpha`` with the
    sign flipped.

    Parameters
    ----------
    v : array_like, shape (d,)
        Input vector of the context word (row of ``syn0``).
    u : array_like, shape (d,)
        Output vector of the centre word (row of ``syn1neg``).
    N : array_like, shape (k, d)
        Output vectors of the k noise words (k may be 0). A word drawn twice appears twice;
        its gradient rows must then be summed when applied (``np.add.at``).

    Returns
    -------
    loss : float
    dv : numpy.ndarray, shape (d,)
    du : numpy.ndarray, shape (d,)
    dN : numpy.ndarray, shape (k, d)
    """
    v = _float_array("v", v, 1, "(d,)")
    u = _float_array("u", u, 1, "(d,)")
    N = _float_array("N", N, 2, "(k, d)")
    d = v.shape[0]
    if u.shape != (d,):
        raise ValueError(f"expected u of shape ({d},) like v, got shape {u.shape}")
    _check_dim("N", N, 1, d, "v")
    dt = _result_dtype(v, u, N)
    v, u, N = (a.astype(dt, copy=False) for a in (v, u, N))

    pos = u @ v  # score of the centre word
    neg = N @ v  # (k,) scores of the noise words
    loss = -log_sigmoid(pos) - log_sigmoid(-neg).sum()
    g_pos = sigmoid(pos) - 1.0  # d loss / d pos  (= -sigmoid(-pos))
    g_neg = sigmoid(neg)  # (k,) d loss / d neg
    dv = g_pos * u + g_neg @ N
    du = g_pos * v
    dN = np.outer(g_neg, v)
    return loss, dv, du, dN


def negative_sampling_loss_and_grad_batch(v, u, N, mask=None):
    r"""Negative-sampling loss of B pairs at once.

    Parameters
    ----------
    v : array_like, shape (B, d)
        Input vectors (rows of ``syn0`` of the context words).
    u : array_like, shape (B, d)
        Output vectors of the centre words.
    N : array_like, shape (B, k, d)
        Output vectors of k noise words per pair.
    mask : array_like of bool, shape (B, k), optional
        False drops that noise word (no loss, zero gradient) -- e.g. gensim skips a noise
        draw equal to the centre word.

    Returns
    -------
    losses : numpy.ndarray, shape (B,)
    dv : numpy.ndarray, shape (B, d)
    du : numpy.ndarray, shape (B, d)
    dN : numpy.ndarray, shape (B, k, d)
        Per-pair gradients w.r.t. the rows given; scatter them back with ``np.add.at``.
    """
    v = _float_array("v", v, 2, "(B, d)")
    u = _float_array("u", u, 2, "(B, d)")
    N = _float_array("N", N, 3, "(B, k, d)")
    B, d = v.shape
    if u.shape != (B, d):
        raise ValueError(f"expected u of shape ({B}, {d}) like v, got shape {u.shape}")
    if N.shape[0] != B or N.shape[2] != d:
        raise ValueError(f"expected N of shape ({B}, k, {d}), got shape {N.shape}")
    m = _mask_array(mask, N.shape[:2])
    dt = _result_dtype(v, u, N)
    v, u, N = (a.astype(dt, copy=False) for a in (v, u, N))

    pos = np.einsum("bd,bd->b", u, v)  # (B,)
    neg = np.einsum("bkd,bd->bk", N, v)  # (B, k)
    neg_terms = -log_sigmoid(-neg)
    g_neg = sigmoid(neg)
    if m is not None:
        neg_terms = np.where(m, neg_terms, 0.0)
        g_neg = np.where(m, g_neg, 0.0)
    losses = -log_sigmoid(pos) + neg_terms.sum(axis=1)
    g_pos = sigmoid(pos) - 1.0
    dv = g_pos[:, None] * u + np.einsum("bk,bkd->bd", g_neg, N)
    du = g_pos[:, None] * v
    dN = g_neg[:, :, None] * v[:, None, :]
    return losses, dv, du, dN


# ---------------------------------------------------------------------------------------------
# Hierarchical softmax
# ---------------------------------------------------------------------------------------------


def hierarchical_softmax_loss_and_grad(v, P, codes):
    r"""Hierarchical-softmax loss of one pair: the centre word's Huffman path.

    At inner node l the walk goes left (code 0) with probability :math:`\sigma(P_l^\top v)`
    and right (code 1) with :math:`1 - \sigma(P_l^\top v) = \sigma(-P_l^\top v)`, as in gensim:

    .. math::
        \text{loss} = -\sum_{l=1}^{L} \log\sigma\bigl((1 - 2c_l)\, P_l^\top v\bigr), \\
        \frac{\partial \text{loss}}{\partial (P_l^\top v)} = \sigma(P_l^\top v) - (1 - c_l),
        \quad
        \frac{\partial \text{loss}}{\partial v}
            = \sum_l \bigl(\sigma(P_l^\top v) - 1 + c_l\bigr) P_l,
        \quad
        \frac{\partial \text{loss}}{\partial P_l} = \bigl(\sigma(P_l^\top v) - 1 + c_l\bigr) v.

    gensim's step is :math:`g = (1 - c_l - \sigma(f))\,\alpha`, the same thing.

    Parameters
    ----------
    v : array_like, shape (d,)
        Input vector of the context word (row of ``syn0``).
    P : array_like, shape (L, d)
        Rows of ``syn1`` for the inner nodes on the centre word's path (``points``).
    codes : array_like of {0, 1}, shape (L,)
        The centre word's Huffman code.

    Returns
    -------
    loss : float
    dv : numpy.ndarray, shape (d,)
    dP : numpy.ndarray, shape (L, d)
    """
    v = _float_array("v", v, 1, "(d,)")
    P = _float_array("P", P, 2, "(L, d)")
    _check_dim("P", P, 1, v.shape[0], "v")
    c = _codes_array(codes, (P.shape[0],))
    dt = _result_dtype(v, P)
    v, P = v.astype(dt, copy=False), P.astype(dt, copy=False)
    c = c.astype(dt)

    f = P @ v  # (L,)
    sign = 1.0 - 2.0 * c  # +1 for code 0, -1 for code 1
    loss = -log_sigmoid(sign * f).sum()
    g = sigmoid(f) - (1.0 - c)  # (L,) d loss / d f
    dv = g @ P
    dP = np.outer(g, v)
    return loss, dv, dP


def hierarchical_softmax_loss_and_grad_batch(v, P, codes, mask=None):
    r"""Hierarchical-softmax loss of B pairs; paths padded to a common length L.

    Parameters
    ----------
    v : array_like, shape (B, d)
    P : array_like, shape (B, L, d)
        Path rows of ``syn1`` per pair (padding rows can be anything).
    codes : array_like of {0, 1}, shape (B, L)
    mask : array_like of bool, shape (B, L), optional
        True on real path entries, False on padding (see ``HuffmanTree.padded``).
        Padding contributes no loss and zero gradient.

    Returns
    -------
    losses : numpy.ndarray, shape (B,)
    dv : numpy.ndarray, shape (B, d)
    dP : numpy.ndarray, shape (B, L, d)
    """
    v = _float_array("v", v, 2, "(B, d)")
    P = _float_array("P", P, 3, "(B, L, d)")
    B, d = v.shape
    if P.shape[0] != B or P.shape[2] != d:
        raise ValueError(f"expected P of shape ({B}, L, {d}), got shape {P.shape}")
    c = _codes_array(codes, P.shape[:2])
    m = _mask_array(mask, P.shape[:2])
    dt = _result_dtype(v, P)
    v, P = v.astype(dt, copy=False), P.astype(dt, copy=False)
    c = c.astype(dt)

    f = np.einsum("bld,bd->bl", P, v)  # (B, L)
    terms = -log_sigmoid((1.0 - 2.0 * c) * f)
    g = sigmoid(f) - (1.0 - c)
    if m is not None:
        terms = np.where(m, terms, 0.0)
        g = np.where(m, g, 0.0)
    losses = terms.sum(axis=1)
    dv = np.einsum("bl,bld->bd", g, P)
    dP = g[:, :, None] * v[:, None, :]
    return losses, dv, dP


# ---------------------------------------------------------------------------------------------
# CBOW: the context words' vectors, averaged (or summed), predict the centre word
# ---------------------------------------------------------------------------------------------
#
# Notation (lesson 10). For one centre word with m context words in its window:
#
# - C in R^{m x d} -- input vectors of the context words, rows of ``syn0`` (a word that occurs
#   twice in the window is two rows);
# - h in R^d -- gensim's ``neu1``: h = (1/m) sum_j C_j with cbow_mean=1 (the default), or
#   h = sum_j C_j with cbow_mean=0;
# - the targets are those of skip-gram with h in the place of v: the centre word u and k noise
#   words N (negative sampling), or the inner nodes P on the centre word's Huffman path.
#
# So the loss is skip-gram's loss of the input h, and by the chain rule
#
#     dloss/dC_j = (dh/dC_j) dloss/dh = dloss/dh / m   (mean)   or   dloss/dh   (sum),
#
# the same for every context row. gensim's update of the context rows is *not* this gradient
# (see ``w2v_edu.per_pair_engine.centre_update``).


def _check_cbow_mean(cbow_mean):
    if isinstance(cbow_mean, bool) or not isinstance(cbow_mean, numbers.Integral):
        raise TypeError(f"expected cbow_mean to be the int 0 (sum) or 1 (mean), "
                        f"got {type(cbow_mean).__name__} {cbow_mean!r}")
    if cbow_mean not in (0, 1):
        raise ValueError(f"expected cbow_mean to be 0 (sum) or 1 (mean), got {cbow_mean!r}")
    return int(cbow_mean)


def _context_rows(C):
    C = _float_array("C", C, 2, "(m, d)")
    if C.shape[0] == 0:
        raise ValueError("expected C to hold at least one context vector (m >= 1), got shape "
                         f"{C.shape}; a centre word without context words has no CBOW loss")
    return C


def _context_mask(context_mask, shape):
    """(B, M) bool mask of real context rows; every centre needs at least one."""
    if context_mask is None:
        m = np.ones(shape, dtype=bool)
    else:
        m = _mask_array(context_mask, shape, name="context_mask")
    if shape[1] == 0 or not m.any(axis=1).all():
        empty = np.flatnonzero(~m.any(axis=1)) if shape[1] else np.arange(shape[0])
        raise ValueError("expected at least one context vector per centre word, got none for "
                         f"centre(s) {empty.tolist()[:5]}")
    return m


def cbow_hidden(C, cbow_mean=1, context_mask=None):
    r"""gensim's ``neu1``: the mean (cbow_mean=1) or sum (cbow_mean=0) of context vectors.

    .. math::
        h = \frac{1}{m}\sum_{j=1}^{m} C_j \ \ (\text{cbow\_mean}=1), \qquad
        h = \sum_{j=1}^{m} C_j \ \ (\text{cbow\_mean}=0).

    Parameters
    ----------
    C : array_like, shape (m, d), or (B, M, d) for a batch
        Context vectors (rows of ``syn0``); a batch is padded to M rows per centre.
    cbow_mean : {1, 0}
    context_mask : array_like of bool, shape (B, M), optional
        Batch only: True on real context rows, False on padding.

    Returns
    -------
    h : numpy.ndarray, shape (d,) or (B, d)
    """
    cbow_mean = _check_cbow_mean(cbow_mean)
    if np.ndim(C) == 3:
        C = _float_array("C", C, 3, "(B, M, d)")
        m = _context_mask(context_mask, C.shape[:2])
        C = C.astype(_result_dtype(C), copy=False)
        h = np.einsum("bm,bmd->bd", m.astype(C.dtype), C)
        return h / m.sum(axis=1, keepdims=True).astype(C.dtype) if cbow_mean else h
    if context_mask is not None:
        raise ValueError("expected context_mask only with a batch C of shape (B, M, d), got C "
                         f"of shape {np.shape(C)}")
    C = _context_rows(C)
    C = C.astype(_result_dtype(C), copy=False)
    return C.mean(axis=0) if cbow_mean else C.sum(axis=0)


def cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=1):
    r"""CBOW negative-sampling loss of one centre word, and its exact gradients.

    .. math::
        h = \tfrac{1}{m}\textstyle\sum_j C_j \text{ (or } \sum_j C_j\text{)}, \quad
        \text{loss} = -\log\sigma(u^\top h) - \sum_k \log\sigma(-N_k^\top h), \\
        \frac{\partial \text{loss}}{\partial h} = (\sigma(u^\top h) - 1)\,u
            + \sum_k \sigma(N_k^\top h)\, N_k, \quad
        \frac{\partial \text{loss}}{\partial C_j} = \frac{1}{m}
            \frac{\partial \text{loss}}{\partial h} \text{ (mean) or }
            \frac{\partial \text{loss}}{\partial h} \text{ (sum)}, \\
        \frac{\partial \text{loss}}{\partial u} = (\sigma(u^\top h) - 1)\, h, \quad
        \frac{\partial \text{loss}}{\partial N_k} = \sigma(N_k^\top h)\, h.

    Parameters
    ----------
    C : array_like, shape (m, d), m >= 1
        Input vectors of the context words (rows of ``syn0``; a repeated word is repeated).
    u : array_like, shape (d,)
        Output vector of the centre word (row of ``syn1neg``).
    N : array_like, shape (k, d)
        Output vectors of the k noise words (k may be 0).
    cbow_mean : {1, 0}
        1: h is the mean of the context vectors (gensim's default); 0: their sum.

    Returns
    -------
    loss : float
    dC : numpy.ndarray, shape (m, d)
        Every row equal: the gradient w.r.t. each context vector. Summed per word when
        applied (``np.add.at``), a word twice in the window gets it twice -- its true gradient.
    du : numpy.ndarray, shape (d,)
    dN : numpy.ndarray, shape (k, d)
    """
    cbow_mean = _check_cbow_mean(cbow_mean)
    C = _context_rows(C)
    u = _float_array("u", u, 1, "(d,)")
    N = _float_array("N", N, 2, "(k, d)")
    m, d = C.shape
    if u.shape != (d,):
        raise ValueError(f"expected u of shape ({d},) like the rows of C, got shape {u.shape}")
    _check_dim("N", N, 1, d, "C")
    dt = _result_dtype(C, u, N)
    h = cbow_hidden(C.astype(dt, copy=False), cbow_mean)
    # skip-gram's objective with h as the input vector
    loss, dh, du, dN = negative_sampling_loss_and_grad(h, u.astype(dt, copy=False),
                                                       N.astype(dt, copy=False))
    # dloss/dC_j = dh/dC_j * dloss/dh,  dh/dC_j = 1/m (mean) or 1 (sum)
    dC = np.broadcast_to(dh / m if cbow_mean else dh, (m, d)).copy()
    return loss, dC, du, dN


def cbow_hierarchical_softmax_loss_and_grad(C, P, codes, cbow_mean=1):
    r"""CBOW hierarchical-softmax loss of one centre word, and its exact gradients.

    .. math::
        h = \tfrac{1}{m}\textstyle\sum_j C_j \text{ (or } \sum_j C_j\text{)}, \quad
        \text{loss} = -\sum_{l} \log\sigma\bigl((1 - 2c_l)\, P_l^\top h\bigr), \\
        \frac{\partial \text{loss}}{\partial h}
            = \sum_l \bigl(\sigma(P_l^\top h) - 1 + c_l\bigr) P_l, \quad
        \frac{\partial \text{loss}}{\partial C_j} = \frac{1}{m}
            \frac{\partial \text{loss}}{\partial h} \text{ (mean) or }
            \frac{\partial \text{loss}}{\partial h} \text{ (sum)}, \quad
        \frac{\partial \text{loss}}{\partial P_l} = \bigl(\sigma(P_l^\top h) - 1 + c_l\bigr) h.

    Parameters
    ----------
    C : array_like, shape (m, d), m >= 1
        Input vectors of the context words.
    P : array_like, shape (L, d)
        Rows of ``syn1`` on the centre word's Huffman path.
    codes : array_like of {0, 1}, shape (L,)
        The centre word's Huffman code.
    cbow_mean : {1, 0}

    Returns
    -------
    loss : float
    dC : numpy.ndarray, shape (m, d)
    dP : numpy.ndarray, shape (L, d)
    """
    cbow_mean = _check_cbow_mean(cbow_mean)
    C = _context_rows(C)
    P = _float_array("P", P, 2, "(L, d)")
    m, d = C.shape
    _check_dim("P", P, 1, d, "C")
    dt = _result_dtype(C, P)
    h = cbow_hidden(C.astype(dt, copy=False), cbow_mean)
    loss, dh, dP = hierarchical_softmax_loss_and_grad(h, P.astype(dt, copy=False), codes)
    # dloss/dC_j = dloss/dh / m (mean) or dloss/dh (sum)
    dC = np.broadcast_to(dh / m if cbow_mean else dh, (m, d)).copy()
    return loss, dC, dP


def _batch_context(C, context_mask, cbow_mean):
    """Validated C (B, M, d), mask (B, M), counts (B,) and h (B, d) of a CBOW batch."""
    cbow_mean = _check_cbow_mean(cbow_mean)
    C = _float_array("C", C, 3, "(B, M, d)")
    cm = _context_mask(context_mask, C.shape[:2])
    return C, cm, cbow_mean


def _scatter_dh(dh, cm, cbow_mean, dtype):
    """dC (B, M, d): dloss/dh / m_b (mean) or dloss/dh (sum) on real rows, 0 on padding."""
    counts = cm.sum(axis=1).astype(dtype)  # m_b, (B,)
    step = dh / counts[:, None] if cbow_mean else dh
    return cm[:, :, None].astype(dtype) * step[:, None, :]


def cbow_negative_sampling_loss_and_grad_batch(C, u, N, context_mask=None, mask=None,
                                               cbow_mean=1):
    r"""CBOW negative-sampling loss of B centre words at once; windows padded to M rows.

    Parameters
    ----------
    C : array_like, shape (B, M, d)
        Context vectors of each centre word, padded to M rows (padding can be anything).
    u : array_like, shape (B, d)
        Output vectors of the centre words.
    N : array_like, shape (B, k, d)
        Output vectors of k noise words per centre word.
    context_mask : array_like of bool, shape (B, M), optional
        True on real context rows, False on padding; every centre needs at least one.
    mask : array_like of bool, shape (B, k), optional
        False drops that noise word (a draw equal to the centre word, as gensim skips it).
    cbow_mean : {1, 0}

    Returns
    -------
    losses : numpy.ndarray, shape (B,)
    dC : numpy.ndarray, shape (B, M, d)
        ``dC[b, j]`` = gradient of centre b's loss w.r.t. its j-th context vector (0 on padding).
    du : numpy.ndarray, shape (B, d)
    dN : numpy.ndarray, shape (B, k, d)
    """
    C, cm, cbow_mean = _batch_context(C, context_mask, cbow_mean)
    B, _, d = C.shape
    u = _float_array("u", u, 2, "(B, d)")
    N = _float_array("N", N, 3, "(B, k, d)")
    if u.shape != (B, d):
        raise ValueError(f"expected u of shape ({B}, {d}) (one row per centre word), "
                         f"got shape {u.shape}")
    dt = _result_dtype(C, u, N)
    h = cbow_hidden(C.astype(dt, copy=False), cbow_mean, cm)
    losses, dh, du, dN = negative_sampling_loss_and_grad_batch(h, u, N, mask=mask)
    return losses, _scatter_dh(dh, cm, cbow_mean, dt), du, dN


def cbow_hierarchical_softmax_loss_and_grad_batch(C, P, codes, context_mask=None, mask=None,
                                                  cbow_mean=1):
    r"""CBOW hierarchical-softmax loss of B centre words; windows and paths padded.

    Parameters
    ----------
    C : array_like, shape (B, M, d)
    P : array_like, shape (B, L, d)
        Path rows of ``syn1`` per centre word.
    codes : array_like of {0, 1}, shape (B, L)
    context_mask : array_like of bool, shape (B, M), optional
        True on real context rows; every centre needs at least one.
    mask : array_like of bool, shape (B, L), optional
        True on real path entries, False on padding.
    cbow_mean : {1, 0}

    Returns
    -------
    losses : numpy.ndarray, shape (B,)
    dC : numpy.ndarray, shape (B, M, d)
    dP : numpy.ndarray, shape (B, L, d)
    """
    C, cm, cbow_mean = _batch_context(C, context_mask, cbow_mean)
    P = _float_array("P", P, 3, "(B, L, d)")
    B, _, d = C.shape
    if P.shape[0] != B or P.shape[2] != d:
        raise ValueError(f"expected P of shape ({B}, L, {d}), got shape {P.shape}")
    dt = _result_dtype(C, P)
    h = cbow_hidden(C.astype(dt, copy=False), cbow_mean, cm)
    losses, dh, dP = hierarchical_softmax_loss_and_grad_batch(h, P, codes, mask=mask)
    return losses, _scatter_dh(dh, cm, cbow_mean, dt), dP
