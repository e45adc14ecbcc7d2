"""The fast engine: skip-gram SGD on a whole mini-batch of centre words at once, in NumPy.

Same objectives, same learning-rate schedule and same pair structure as the per-pair engine
(:mod:`w2v_edu.per_pair_engine`); what changes is *when* updates are applied. Instead of one
pair at a time, a mini-batch of ``batch_size`` consecutive centre positions is processed with
the parameters as they were at the start of the batch, and all updates are added at the end.

Notation (lesson 08). For centre position t with word c_t and reduced window b_t, every
context position t+o with 0 < |o| <= b_t in the same sentence gives a pair whose input is
``v = syn0[w_{t+o}]``. The pair's targets are the centre word (label 1) and ``negative`` noise
words (label 0), or the centre word's Huffman path (label 1 - code):

    f = v . u_target,      g = (label - sigmoid(f)) * alpha
    syn0[w_{t+o}]  += g * u_target      (summed over the pair's targets)
    u_target       += g * v

How the batch is laid out so that NumPy does the work:

- the input vectors of positions t-W .. t+W are a *sliding window view* of one gathered block
  ``X`` (T + 2W, d): ``Xwin`` (T, 2W+1, d), no copy per offset;
- every centre gets its own target block ``U`` (T, n_targets, d): its word and k noise words
  drawn once per centre and shared by that centre's context words (gensim draws k per pair;
  sharing them keeps the expected update and cuts the rows to gather and scatter from about
  ``2 * b_t * (k + 1)`` per centre to ``k + 1``);
- all scores of the batch are one batched product ``S = Xwin @ U^T`` (T, 2W+1, n_targets),
  masked where the window, the sentence or a noise draw equal to the centre rules a pair out;
- gradients are two more batched products, and the rows go back with
  :func:`w2v_edu.scatter.scatter_add` (unchecked), which sums repeated rows.

As in gensim, a target whose score is saturated (|f| >= ``max_exp``) gets no update; its loss
is still counted, with an exact log-sigmoid.

CBOW (``sg=0``): :func:`run_epoch_cbow` and :func:`cbow_batch_update` -- one prediction per
centre word from the mean (or sum) of its window, all windows' sums as one sparse product.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.lib.stride_tricks import sliding_window_view

from w2v_edu.engine import EpochStats, Step
from w2v_edu.scatter import scatter_add_unchecked
from w2v_edu.sigmoid import MAX_EXP, log_sigmoid, sigmoid

APPLIES_BEFORE_REPORT = False
"""A batch's updates are handed to ``on_step`` in ``Step.pending`` and applied after it returns."""


def _window_mask(sent_ext, centre_sent, b, window):
    """Which (centre, offset) pairs exist: (T, 2W+1) bool.

    ``sent_ext`` (T + 2W,) sentence of every position of the extended block (-1 for padding),
    ``centre_sent`` (T,) and ``b`` (T,) the centres' sentences and effective windows.
    """
    offsets = np.arange(-window, window + 1)
    same_sentence = sliding_window_view(sent_ext, 2 * window + 1) == centre_sent[:, None]
    in_window = np.abs(offsets)[None, :] <= b[:, None]
    return same_sentence & in_window & (offsets != 0)[None, :]


def batch_update(
    syn0: np.ndarray,
    out: np.ndarray,
    ext_ids: np.ndarray,
    pair_mask: np.ndarray,
    targets: np.ndarray,
    labels: np.ndarray,
    target_mask: np.ndarray,
    alpha: float,
    max_exp: float | None = MAX_EXP,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Compute one mini-batch's loss and SGD updates for one output matrix (not applied).

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors.
    out : ndarray, shape (V_out, d)
        Output vectors: ``syn1neg`` (negative sampling) or ``syn1`` (hierarchical softmax).
    ext_ids : ndarray of int, shape (T + 2W,)
        Word ids of positions t-W .. t+W around the T centres (padding rows are masked out).
    pair_mask : ndarray of bool, shape (T, 2W+1)
        ``pair_mask[t, W + o]``: position t+o is a context of centre t.
    targets : ndarray of int, shape (T, n)
        Rows of ``out`` each centre's pairs are scored against.
    labels : ndarray, shape (T, n) or (n,)
        1 for the centre word, 0 for a noise word; ``1 - code`` on a Huffman path.
    target_mask : ndarray of bool, shape (T, n)
        False for padding on a short Huffman path, or a noise draw equal to the centre word.
    alpha : float
        Learning rate for this batch.
    max_exp : float or None
        Skip the update of targets with |f| >= max_exp, as gensim does; None updates all.

    Returns
    -------
    loss : float
        Sum over the batch's pairs and targets of ``-log sigmoid(+-f)`` (every term counted).
    d_in : ndarray, shape (T + 2W, d)
        Update to add to ``syn0[ext_ids]``.
    d_out : ndarray, shape (T * n, d)
        Update to add to ``out[targets.ravel()]``.
    """
    n_centres, n_targets = targets.shape
    d = syn0.shape[1]
    width = pair_mask.shape[1]
    x_ext = syn0[ext_ids]  # (T + 2W, d)
    x_win = sliding_window_view(x_ext, width, axis=0).transpose(0, 2, 1)  # (T, 2W+1, d)
    u = out[targets]  # (T, n, d)
    scores = x_win @ u.transpose(0, 2, 1)  # f: (T, 2W+1, n)
    live = pair_mask[:, :, None] & target_mask[:, None, :]
    labels = np.broadcast_to(labels, targets.shape)[:, None, :].astype(scores.dtype)
    # loss = sum over live pairs and targets of -log sigmoid(+-f), + for label 1, - for label 0
    loss = -float(log_sigmoid((2 * labels - 1) * scores).sum(where=live, dtype=np.float64))
    # g = (label - sigmoid(f)) * alpha, zero for pairs that do not exist
    if max_exp is not None:
        live &= np.abs(scores) < max_exp
    g = (labels - sigmoid(scores)) * scores.dtype.type(alpha)
    g *= live
    # syn0[w_{t+o}] += sum_target g * u_target ;  u_target += sum_o g * v_{t+o}
    d_win = g @ u  # (T, 2W+1, d)
    d_out = (g.transpose(0, 2, 1) @ x_win).reshape(n_centres * n_targets, d)
    d_in = np.zeros_like(x_ext)
    for j in range(width):
        d_in[j : j + n_centres] += d_win[:, j]
    return loss, d_in, d_out


def run_epoch(weights, jobs, plan, draws, on_step) -> EpochStats:
    """Train one epoch, ``plan.batch_size`` centre words at a time (see the module docstring).

    Parameters
    ----------
    weights : :class:`~w2v_edu.engine.Weights`
        ``syn0`` (V, d) and ``syn1neg`` and/or ``syn1``, updated in place.
    jobs : iterable of :class:`~w2v_edu.training_corpus.Job`
        The epoch's jobs (kept tokens, reduced windows, one alpha each); a job's tokens are cut
        into mini-batches of consecutive centre positions.
    plan : :class:`~w2v_edu.training_plan.TrainingPlan`
    draws : :class:`~w2v_edu.random_streams.NumpyDraws`
        k noise words per centre word.
    on_step : callable
        ``on_step(step)`` with every batch's loss and its updates in ``step.pending``, *before*
        they are applied; it may raise to stop training (the divergence check lives there).

    With ``plan.sg == 0`` the epoch is CBOW (:func:`run_epoch_cbow`).
    """
    if plan.sg == 0:
        return run_epoch_cbow(weights, jobs, plan, draws, on_step)
    syn0, syn1neg, syn1 = weights.syn0, weights.syn1neg, weights.syn1
    W = plan.window
    stats = EpochStats()
    for job in jobs:
        n = job.ids.shape[0]
        pad_ids = np.concatenate([np.zeros(W, np.int32), job.ids, np.zeros(W, np.int32)])
        pad_sent = np.concatenate([np.full(W, -1, np.int32), job.sentence_of,
                                   np.full(W, -1, np.int32)])
        for start in range(0, n, plan.batch_size):
            end = min(start + plan.batch_size, n)
            t = end - start
            ext_ids = pad_ids[start : end + 2 * W]
            centres = job.ids[start:end]
            pair_mask = _window_mask(pad_sent[start : end + 2 * W], job.sentence_of[start:end],
                                     job.windows[start:end], W)
            loss, pending = 0.0, []
            if syn1 is not None:
                points = plan.huffman_points[centres]
                codes = plan.huffman_codes[centres]
                path_mask = (np.arange(points.shape[1])[None, :]
                             < plan.huffman_lengths[centres][:, None])
                l_hs, d_in, d_out = batch_update(syn0, syn1, ext_ids, pair_mask, points,
                                                 1.0 - codes, path_mask, job.alpha, plan.max_exp)
                loss += l_hs
                pending += [(syn0, ext_ids, d_in), (syn1, points.ravel(), d_out)]
            if syn1neg is not None:
                drawn = draws.noise(t, plan.negative)
                targets = np.concatenate([centres[:, None], drawn], axis=1)
                labels = np.zeros(targets.shape[1], dtype=syn0.dtype)
                labels[0] = 1
                # a noise draw equal to the centre word is skipped (gensim), not redrawn
                tmask = np.ones(targets.shape, dtype=bool)
                tmask[:, 1:] = drawn != centres[:, None]
                l_ns, d_in, d_out = batch_update(syn0, syn1neg, ext_ids, pair_mask, targets,
                                                 labels, tmask, job.alpha, plan.max_exp)
                loss += l_ns
                pending += [(syn0, ext_ids, d_in), (syn1neg, targets.ravel(), d_out)]
            # progress: the job's raw words, in proportion to the centre positions done
            raw_done = job.raw_before + (job.raw_words * end) // n
            step = Step(loss=loss, pairs=int(pair_mask.sum()), words=t,
                        raw_words_done=raw_done, alpha=job.alpha, pending=tuple(pending))
            on_step(step)
            # matrix[rows] += delta, repeated rows summed
            for matrix, rows, delta in pending:
                scatter_add_unchecked(matrix, rows, delta)
            stats.add(step)
    return stats


# ---------------------------------------------------------------------------------------------
# CBOW (sg=0): one prediction per centre word, from the mean (or sum) of its window
# ---------------------------------------------------------------------------------------------


def cbow_batch_update(
    syn0: np.ndarray,
    out: np.ndarray,
    ext_ids: np.ndarray,
    pair_mask: np.ndarray,
    targets: np.ndarray,
    labels: np.ndarray,
    target_mask: np.ndarray,
    alpha: float,
    cbow_mean: int = 1,
    max_exp: float | None = MAX_EXP,
    cbow_update: str = "gensim",
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One mini-batch of CBOW: loss and SGD updates for one output matrix (not applied).

    For centre t with m_t context positions (``pair_mask[t]``), all read from the parameters
    at the start of the batch:

        h_t = sum_o syn0[w_{t+o}]  (/ m_t with cbow_mean=1)
        f_tn = h_t . u_tn,   g_tn = (label_tn - sigmoid(f_tn)) * alpha
        u_tn            += g_tn * h_t
        work_t           = sum_n g_tn * u_tn
        syn0[w_{t+o}]   += work_t     (gensim, mean)  or  work_t / m_t  (gensim, sum)

    ``cbow_update="exact_gradient"`` uses ``work_t / m_t`` with the mean and ``work_t`` with
    the sum: minus alpha times the gradient of the batch's summed CBOW loss. A centre without
    a context position (m_t = 0) gets no update and adds no loss.

    How NumPy does it. The windows are one sparse 0/1 matrix ``A`` (T, R_in) over the R_in
    distinct words of the block, ``A[t, r]`` = how often word r fills a context position of
    centre t. Then every centre's window sum is one product, and its transpose is the
    scatter-add back onto the rows (:mod:`w2v_edu.scatter`'s selector product, a repeated word
    summed):

        H = A @ syn0[rows_in]              (T, d)     -- all window sums at once
        d_in = A^T @ work                  (R_in, d)  -- every context position gets work_t

    The output side is the same scatter-add with the outer products folded in: ``G`` (R_out, T)
    holds ``g_tn`` at (row of u_tn, t), and ``d_out = G @ H``, so the (T * n, d) rows
    ``g_tn * h_t`` are never built.

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
    out : ndarray, shape (V_out, d)
        ``syn1neg`` (negative sampling) or ``syn1`` (hierarchical softmax).
    ext_ids : ndarray of int, shape (T + 2W,)
        Word ids of positions t-W .. t+W around the T centres (padding rows are masked out).
    pair_mask : ndarray of bool, shape (T, 2W+1)
        ``pair_mask[t, W + o]``: position t+o is a context position of centre t.
    targets : ndarray of int, shape (T, n)
        Rows of ``out`` each centre is scored against.
    labels : ndarray, shape (T, n) or (n,)
        1 for the centre word, 0 for a noise word; ``1 - code`` on a Huffman path.
    target_mask : ndarray of bool, shape (T, n)
        False for padding on a short Huffman path, or a noise draw equal to the centre word.
    alpha : float
    cbow_mean : {1, 0}
        1: h_t is the mean of the context vectors (gensim's default); 0: their sum.
    max_exp : float or None
        Skip the update of targets with |f| >= max_exp, as gensim does; None updates all.
    cbow_update : {"gensim", "exact_gradient"}

    Returns
    -------
    loss : float
        Sum over the batch's centre words (with context) and targets of ``-log sigmoid(+-f)``.
    rows_in : ndarray of int, shape (R_in,)
        Distinct rows of ``syn0`` the batch updates.
    d_in : ndarray, shape (R_in, d)
        Update to add to ``syn0[rows_in]`` (rows distinct: plain indexing adds it right).
    rows_out : ndarray of int, shape (R_out,)
        Distinct rows of ``out`` the batch updates.
    d_out : ndarray, shape (R_out, d)
        Update to add to ``out[rows_out]``.
    """
    if cbow_update not in ("gensim", "exact_gradient"):
        raise ValueError(
            f"expected cbow_update to be one of ('gensim', 'exact_gradient'), got {cbow_update!r}"
        )
    n_centres, n_targets = targets.shape
    dtype = syn0.dtype
    # A (T, R_in): one entry per context position, in the row of its centre
    centre_of, offset = np.nonzero(pair_mask)
    m_int = np.bincount(centre_of, minlength=n_centres)  # m_t
    rows_in, word_of_position = _distinct_rows(ext_ids, syn0.shape[0])
    indptr = np.zeros(n_centres + 1, dtype=np.int32)
    np.cumsum(m_int, out=indptr[1:])
    windows = sp.csr_array(
        (np.ones(centre_of.shape[0], dtype=dtype),
         word_of_position[centre_of + offset], indptr),
        shape=(n_centres, rows_in.shape[0]),
    )
    m = m_int.astype(dtype)
    has_context = m_int > 0
    inv_m = np.divide(1, m, out=np.zeros_like(m), where=has_context)
    # h_t = sum_o syn0[w_{t+o}]  (and / m_t with the mean): all centres in one product
    h = windows @ syn0.take(rows_in, axis=0)  # (T, d)
    if cbow_mean:
        h *= inv_m[:, None]
    u = out.take(targets.ravel(), axis=0).reshape(n_centres, n_targets, -1)  # (T, n, d)
    scores = (u @ h[:, :, None])[:, :, 0]  # f_tn = u_tn . h_t
    live = target_mask & has_context[:, None]
    labels = np.broadcast_to(labels, targets.shape).astype(dtype)
    # loss = sum over live targets of -log sigmoid(+-f), + for label 1, - for label 0
    loss = -float(log_sigmoid((2 * labels - 1) * scores).sum(where=live, dtype=np.float64))
    if max_exp is not None:
        live &= np.abs(scores) < max_exp
    # g = (label - sigmoid(f)) * alpha, zero for targets that are padding or saturated
    g = (labels - sigmoid(scores)) * dtype.type(alpha)
    g *= live
    # u_tn += g_tn * h_t, summed per distinct output row: d_out = G @ H
    rows_out, row_of_target = _distinct_rows(targets.ravel(), out.shape[0])
    per_row = sp.csc_array(
        (g.ravel(), row_of_target,
         np.arange(0, n_centres * n_targets + 1, n_targets, dtype=np.int32)),
        shape=(rows_out.shape[0], n_centres),
    )
    d_out = per_row @ h
    # work_t = sum_n g_tn u_tn ; gensim divides it by m_t only with the sum, the exact
    # gradient only with the mean
    work = (g[:, None, :] @ u)[:, 0]  # (T, d)
    if (cbow_update == "gensim") != bool(cbow_mean):
        work *= inv_m[:, None]
    # syn0[w_{t+o}] += work_t for every context position: d_in = A^T @ work
    d_in = windows.T @ work
    return loss, rows_in, d_in, rows_out, d_out


def _distinct_rows(idx: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
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


def run_epoch_cbow(weights, jobs, plan, draws, on_step) -> EpochStats:
    """Train one epoch of CBOW, ``plan.batch_size`` centre words at a time.

    Same jobs, windows, alpha and noise words (k per centre word) as the skip-gram path; each
    mini-batch is one :func:`cbow_batch_update` per output layer, all read from the weights as
    they were at the start of the batch. Its updates (distinct rows, already summed) are handed to
    ``on_step`` in ``step.pending`` and applied after it returns. A step's ``pairs`` are its
    training examples: the centre words with at least one context word.
    """
    syn0, syn1neg, syn1 = weights.syn0, weights.syn1neg, weights.syn1
    W = plan.window
    update = dict(cbow_mean=plan.cbow_mean, max_exp=plan.max_exp, cbow_update=plan.cbow_update)
    stats = EpochStats()
    for job in jobs:
        n = job.ids.shape[0]
        pad_ids = np.concatenate([np.zeros(W, np.int32), job.ids, np.zeros(W, np.int32)])
        pad_sent = np.concatenate([np.full(W, -1, np.int32), job.sentence_of,
                                   np.full(W, -1, np.int32)])
        for start in range(0, n, plan.batch_size):
            end = min(start + plan.batch_size, n)
            t = end - start
            ext_ids = pad_ids[start : end + 2 * W]
            centres = job.ids[start:end]
            pair_mask = _window_mask(pad_sent[start : end + 2 * W], job.sentence_of[start:end],
                                     job.windows[start:end], W)
            loss, pending = 0.0, []
            if syn1 is not None:
                points = plan.huffman_points[centres]
                path_mask = (np.arange(points.shape[1])[None, :]
                             < plan.huffman_lengths[centres][:, None])
                l_hs, rows_in, d_in, rows_out, d_out = cbow_batch_update(
                    syn0, syn1, ext_ids, pair_mask, points, 1.0 - plan.huffman_codes[centres],
                    path_mask, job.alpha, **update)
                loss += l_hs
                pending += [(syn0, rows_in, d_in), (syn1, rows_out, d_out)]
            if syn1neg is not None:
                drawn = draws.noise(t, plan.negative)
                targets = np.concatenate([centres[:, None], drawn], axis=1)
                labels = np.zeros(targets.shape[1], dtype=syn0.dtype)
                labels[0] = 1
                # a noise draw equal to the centre word is skipped (gensim), not redrawn
                tmask = np.ones(targets.shape, dtype=bool)
                tmask[:, 1:] = drawn != centres[:, None]
                l_ns, rows_in, d_in, rows_out, d_out = cbow_batch_update(
                    syn0, syn1neg, ext_ids, pair_mask, targets, labels, tmask, job.alpha,
                    **update)
                loss += l_ns
                pending += [(syn0, rows_in, d_in), (syn1neg, rows_out, d_out)]
            raw_done = job.raw_before + (job.raw_words * end) // n
            step = Step(loss=loss, pairs=int(pair_mask.any(axis=1).sum()), words=t,
                        raw_words_done=raw_done, alpha=job.alpha, pending=tuple(pending))
            on_step(step)
            # matrix[rows] += delta: the rows are distinct, their updates already summed
            # (take + assignment: the same sum, faster than the fancy-indexed +=)
            for matrix, rows, delta in pending:
                matrix[rows] = matrix.take(rows, axis=0) + delta
            stats.add(step)
    return stats
