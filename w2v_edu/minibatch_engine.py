"""The fast engine: SGD on a whole mini-batch of centre words at once, in NumPy.

Same objectives, same learning-rate schedule, same jobs and windows as the per-pair engine
(:mod:`w2v_edu.per_pair_engine`). Two things change, both measured (lesson 08, ``benchmarks/``):

1. *When* updates are applied: a mini-batch of ``batch_size`` consecutive centre positions is
   computed from the parameters as they were at the start of the batch, and all its updates are
   added at the end -- a sum, not a mean: every pair still takes a step of size alpha.
2. For skip-gram with negative sampling, *which noise words* a pair is scored against. gensim
   draws k fresh noise words for every (context, centre) pair: about 30 dot products of length d
   per word, each a level-1 BLAS call. Here the batch's input positions are cut into groups of
   ``noise_group`` consecutive positions, each group draws ``noise_pool`` = K noise words, and
   every pair of the group is scored against all K, each noise term weighted k/K. The expected
   update is gensim's (each pair still sees k noise words' worth of gradient, from the same noise
   distribution); its variance is different, and the scores become real matrix products
   ``(g, d) @ (d, K)`` (Ji et al. 2016 share noise words across a window; BlazingText across a
   batch). CBOW keeps gensim's own draws: k per centre word, which is already one prediction.

Notation (lesson 08). For centre position t with word c_t and reduced window b_t, every
context position j = t + o with 0 < |o| <= b_t in the same sentence gives a pair whose input is
``x_j = syn0[w_j]``. Its targets are the centre word (label 1) and noise words (label 0), or the
centre word's Huffman path (label 1 - code):

    f = x_j . u_target,      g = (label - sigmoid(f)) * alpha   (times k/K for a shared noise word)
    syn0[w_j]  += g * u_target      (summed over the pair's targets)
    u_target   += g * x_j

How a batch is laid out so that NumPy does the work:

- the batch's input vectors are one gathered block ``X`` (T + 2W, d); a *window view* of it,
  ``X_win`` (T, 2W+1, d), shows every centre its window without copying (:func:`_window_view`);
  ``pair_mask`` (T, 2W+1) says which (centre, slot) pairs exist (window, sentence);
- the centre-word scores of all pairs are one product ``X_win @ u_c`` (T, 2W+1); the noise
  scores of all positions one batched product of the groups; gradients are two more products
  each, and :func:`_by_position` turns per-(centre, slot) numbers into per-position ones;
- the updated rows go back with :func:`w2v_edu.scatter.scatter_add_unchecked`, which sums
  repeated rows (a frequent word is the input of many pairs of one batch).

As in gensim, a target whose score is saturated (|f| >= ``max_exp``) gets no update; its loss
is still counted (every term, exactly).

Functions: :func:`skipgram_negative_update` (skip-gram, negative sampling),
:func:`batch_update` (skip-gram, targets per centre word: hierarchical softmax's Huffman paths),
:func:`cbow_batch_update` (CBOW, either output layer); :func:`run_epoch` trains an epoch.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.lib.stride_tricks import sliding_window_view

from w2v_edu.engine import EpochStats, Step
from w2v_edu.scatter import distinct_rows, scatter_add_unchecked
from w2v_edu.sigmoid import MAX_EXP, softplus_and_sigmoid

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
    x_ext = syn0.take(ext_ids, axis=0)  # (T + 2W, d)
    x_win = _window_view(x_ext, width)  # (T, 2W+1, d)
    u = out.take(targets.ravel(), axis=0).reshape(n_centres, n_targets, d)  # (T, n, d)
    scores = x_win @ u.transpose(0, 2, 1)  # f: (T, 2W+1, n)
    live = pair_mask[:, :, None] & target_mask[:, None, :]
    # label 1: loss -log sigmoid(f) = softplus(-f); label 0: softplus(f). sign = -1 for label 1
    sign = (1 - 2 * np.broadcast_to(labels, targets.shape)[:, None, :]).astype(scores.dtype)
    softplus, g = softplus_and_sigmoid(sign * scores)
    loss = float(softplus.sum(where=live, dtype=np.float64))
    # g = (label - sigmoid(f)) * alpha = -sign * sigmoid(sign * f) * alpha, 0 where no pair
    if max_exp is not None:
        live &= np.abs(scores) < max_exp
    g *= -sign * scores.dtype.type(alpha)
    g *= live
    # syn0[w_{t+o}] += sum_target g * u_target ;  u_target += sum_o g * v_{t+o}
    d_win = g @ u  # (T, 2W+1, d)
    d_out = (g.transpose(0, 2, 1) @ x_win).reshape(n_centres * n_targets, d)
    d_in = np.zeros_like(x_ext)
    for j in range(width):
        d_in[j : j + n_centres] += d_win[:, j]
    return loss, d_in, d_out


def _window_view(a: np.ndarray, width: int) -> np.ndarray:
    """Read-only view (len(a) - width + 1, width, d) of consecutive rows of a C-ordered ``a``.

    ``np.lib.stride_tricks.sliding_window_view`` does the same with checks that cost 20x more
    than the view itself -- per batch, that adds up.
    """
    n, d = a.shape
    view = np.ndarray((n - width + 1, width, d), a.dtype, a, 0, (a.strides[0],) + a.strides)
    view.flags.writeable = False
    return view


def _by_position(a: np.ndarray) -> np.ndarray:
    """A per-(centre, slot) array (T, 2W+1) seen from the positions: (T + 2W, 2W+1).

    Position j of the block is slot o of centre t = j - o's window. The result ``r`` holds
    ``r[j, q] = a[j - o, o]`` with ``o = 2W - q`` (0 where j - o is not one of the T centres),
    slots reversed so that ``r[j] @ _window_view(y_pad, 2W+1)[j]`` sums ``a[j - o, o] * y[j - o]``
    over the centres whose window holds j, for any per-centre rows ``y`` padded by 2W zero rows
    in front. No copy beyond the padding: a view whose second stride steps one row down and
    one slot left.
    """
    n, width = a.shape
    pad = np.zeros((n + 2 * (width - 1), width), dtype=a.dtype)
    pad[width - 1 : width - 1 + n] = a
    row, item = pad.strides
    return np.ndarray((n + width - 1, width), a.dtype, pad, (width - 1) * item, (row, row - item))


def skipgram_negative_update(
    syn0: np.ndarray,
    syn1neg: np.ndarray,
    ext_ids: np.ndarray,
    pair_mask: np.ndarray,
    noise: np.ndarray,
    noise_group: int,
    negative: int,
    alpha: float,
    max_exp: float | None = MAX_EXP,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """One mini-batch of skip-gram with negative sampling, noise words shared by groups of inputs.

    Centre t (word ``c_t = ext_ids[t + W]``) and context position j = t + o form a pair when
    ``pair_mask[t, o]``; the pair's input is ``x_j = syn0[ext_ids[j]]``. The block's T + 2W
    input positions are cut into groups of g = ``noise_group`` consecutive positions (the last
    group may be shorter), and group q draws its own
    K noise words ``noise[q]``. Every pair is scored against its centre (label 1) and the K noise
    words of its input's group (label 0), each noise term weighted ``negative / K`` -- the same
    expected update as gensim's ``negative`` fresh draws per pair -- and, as in gensim, a noise
    word equal to the pair's centre is left out. All from the parameters at the start of the batch:

        f = x_j . u_{c_t},              g = (1 - sigma(f)) * alpha
        s = x_j . u_n  (n in noise[q]), h = -sigma(s) * alpha * negative / K
        syn0[w_j]  += g u_{c_t} + sum_n h u_n
        u_{c_t}    += g x_j ;           u_n += h x_j

    How NumPy does it: the positive scores of a centre are one row of a sliding-window product;
    every noise score of the batch is one batched matrix product of the groups
    ``(T+2W)/g x (g, d) @ (d, K)``, weighted by how many of position j's pairs use noise word n.

    Parameters
    ----------
    syn0, syn1neg : ndarray, shape (V, d)
    ext_ids : ndarray of int, shape (T + 2W,)
        Word ids of positions t-W .. t+W around the T centres (padding rows are masked out).
    pair_mask : ndarray of bool, shape (T, 2W+1)
        ``pair_mask[t, o]``: block position t + o is a context of centre t (slot W is the centre).
    noise : ndarray of int, shape (ceil((T + 2W) / g), K)
        K noise words for each group of g input positions.
    noise_group : int
        g, consecutive input positions that share one row of ``noise``.
    negative : int
        k, gensim's noise words per pair: each shared noise term weighs ``k / K``.
    alpha : float
    max_exp : float or None
        Targets with |score| >= max_exp get no update (gensim); None updates all.

    Returns
    -------
    loss : float
        Sum over the pairs of ``-log sigma(f) - (k/K) sum_n log sigma(-s)`` (every term).
    d_in : ndarray, shape (T + 2W, d)
        Update to add to ``syn0[ext_ids]``.
    rows_out : ndarray of int, shape (T + n_groups * K,)
        Rows of ``syn1neg`` updated: the centres, then the noise words.
    d_out : ndarray, shape (T + n_groups * K, d)
        Update to add to ``syn1neg[rows_out]``.
    """
    n_centres, width = pair_mask.shape
    n_pos = ext_ids.shape[0]
    n_groups, pool = noise.shape
    group = noise_group
    if n_groups != -(-n_pos // group):
        raise ValueError(f"expected noise of shape ({-(-n_pos // group)}, K): one row for each "
                         f"group of {group} of the {n_pos} input positions, got {noise.shape}")
    d = syn0.shape[1]
    dtype = syn0.dtype
    centres = ext_ids[(width - 1) // 2 : (width - 1) // 2 + n_centres]

    x = syn0.take(ext_ids, axis=0)  # (T + 2W, d)
    x_win = _window_view(x, width)  # (T, 2W+1, d): x_win[t, o] = x_{t+o}
    u_c = syn1neg.take(centres, axis=0)  # (T, d)

    # positives, per (centre, slot): f = x_{t+o} . u_{c_t};  loss -log sigma(f) = softplus(-f)
    f = (x_win @ u_c[:, :, None])[:, :, 0]
    softplus, g = softplus_and_sigmoid(-f)
    loss = float(softplus.sum(where=pair_mask, dtype=np.float64))
    live = pair_mask if max_exp is None else pair_mask & (np.abs(f) < max_exp)
    # g = (1 - sigma(f)) alpha = sigma(-f) alpha on live pairs
    g *= dtype.type(alpha)
    g *= live
    # u_{c_t} += sum_o g x_{t+o}  (rows 0..T-1 of d_out; the noise words' rows follow)
    d_out = np.empty((n_centres + n_groups * pool, d), dtype)
    np.matmul(g[:, None, :], x_win, out=d_out[:n_centres, None, :])
    # syn0[w_j] += sum over the pairs (j - o, o) of g u_{c_{j-o}}: g per (position, slot),
    # slots reversed so that u_win[j, 2W - o] = u_{c_{j-o}} is a plain window over padded u_c
    g_at = _by_position(g)
    u_pad = np.zeros((n_pos + width - 1, d), dtype)
    u_pad[width - 1 : width - 1 + n_centres] = u_c
    d_in = (g_at[:, None, :] @ _window_view(u_pad, width))[:, 0]  # (T + 2W, d)

    # noise: position j uses noise word n once per live pair (j - o, o) whose centre is not n
    count = np.zeros((n_groups * group, pool), dtype)
    count[:n_pos] = _by_position(pair_mask).sum(axis=1, dtype=np.int32)[:, None]
    # minus the pairs whose centre is the noise word itself: only centres whose word is in some
    # group's noise (a lookup table over the vocabulary) are compared with the noise of the
    # groups their window's positions t .. t+2W fall in
    is_noise = np.zeros(syn1neg.shape[0], dtype=bool)
    is_noise[noise] = True
    flagged = np.flatnonzero(is_noise[centres])
    if flagged.size:
        first, last = flagged // group, (flagged + width - 1) // group
        t = np.repeat(flagged, last - first + 1)  # one row per (centre, group it touches)
        q = np.repeat(first - np.cumsum(np.r_[0, (last - first + 1)[:-1]]), last - first + 1)
        q += np.arange(t.shape[0])
        r, n = np.nonzero(noise[q] == centres[t][:, None])
        t, q = t[r], q[r]
        j = t[:, None] + np.arange(width)  # the centre's pairs: positions t + o ...
        hit = pair_mask[t] & (j // group == q[:, None])  # ... that live and are in group q
        # count[j, n] -= 1 for every such pair, repeats summed
        count.ravel()[:] -= np.bincount((j * pool + n[:, None])[hit], minlength=count.size)
    x_grp = np.zeros((n_groups * group, d), dtype)
    x_grp[:n_pos] = x
    x_grp = x_grp.reshape(n_groups, group, d)
    u_n = syn1neg.take(noise.ravel(), axis=0).reshape(n_groups, pool, d)
    s = x_grp @ u_n.transpose(0, 2, 1)  # (groups, g, K)
    weight = negative / pool
    softplus, h = softplus_and_sigmoid(s)  # -log sigma(-s), sigma(s)
    count = count.reshape(n_groups, group, pool)
    loss += weight * float((softplus * count).sum(dtype=np.float64))
    # h = -sigma(s) alpha k/K, once per pair that uses (j, n)
    h *= count
    h *= dtype.type(-alpha * weight)
    if max_exp is not None:
        h[np.abs(s) >= max_exp] = 0
    # syn0[w_j] += sum_n h u_n ;  u_n += sum_j h x_j
    d_in += (h @ u_n).reshape(n_groups * group, d)[:n_pos]
    np.matmul(h.transpose(0, 2, 1), x_grp, out=d_out[n_centres:].reshape(n_groups, pool, d))
    rows_out = np.concatenate([centres, noise.ravel()])
    return loss, d_in, rows_out, d_out


def _padded_job(job, window: int) -> tuple[np.ndarray, np.ndarray]:
    """A job's word ids padded by ``window`` zeros each side, and every centre's pair mask.

    A batch of centres ``start:end`` reads its block ``pad_ids[start : end + 2W]`` (T + 2W,)
    and its mask ``pairs[start:end]`` (T, 2W+1); the padding is never a pair.
    """
    pad = np.zeros(window, np.int32)
    no_sentence = np.full(window, -1, np.int32)
    pad_ids = np.concatenate([pad, job.ids, pad])
    pad_sent = np.concatenate([no_sentence, job.sentence_of, no_sentence])
    return pad_ids, _window_mask(pad_sent, job.sentence_of, job.windows, window)


def _huffman_targets(plan, centres: np.ndarray):
    """Each centre's Huffman path as targets: points (T, L), labels ``1 - code``, mask (T, L)."""
    points = plan.huffman_points[centres]
    path_mask = np.arange(points.shape[1])[None, :] < plan.huffman_lengths[centres][:, None]
    return points, 1.0 - plan.huffman_codes[centres], path_mask


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
        The noise words, one draw per job: ``plan.noise_pool`` for every group of
        ``plan.noise_group`` input positions of each batch (CBOW: ``plan.negative`` per centre).
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
        if n == 0:  # nothing kept (an empty first job, or everything subsampled away)
            continue
        pad_ids, job_pairs = _padded_job(job, W)
        starts = range(0, n, plan.batch_size)
        if syn1neg is not None:
            # the job's noise words in one draw: K for each group of noise_group consecutive
            # input positions of each batch
            groups = [-(-(min(plan.batch_size, n - b) + 2 * W) // plan.noise_group)
                      for b in starts]
            job_noise = draws.noise(sum(groups), plan.noise_pool)
            first_group = np.cumsum([0] + groups)
        for b, start in enumerate(starts):
            end = min(start + plan.batch_size, n)
            t = end - start
            ext_ids = pad_ids[start : end + 2 * W]
            centres = job.ids[start:end]
            pair_mask = job_pairs[start:end]
            loss, d_in, pending = 0.0, 0.0, []
            if syn1 is not None:
                points, labels, path_mask = _huffman_targets(plan, centres)
                l_hs, d_in_hs, d_out = batch_update(syn0, syn1, ext_ids, pair_mask, points,
                                                    labels, path_mask, job.alpha, plan.max_exp)
                loss += l_hs
                d_in = d_in + d_in_hs
                pending.append((syn1, points.ravel(), d_out))
            if syn1neg is not None:
                noise = job_noise[first_group[b] : first_group[b + 1]]
                l_ns, d_in_ns, rows_out, d_out = skipgram_negative_update(
                    syn0, syn1neg, ext_ids, pair_mask, noise, plan.noise_group, plan.negative,
                    job.alpha, plan.max_exp)
                loss += l_ns
                d_in = d_in + d_in_ns
                pending.append((syn1neg, rows_out, d_out))
            pending.insert(0, (syn0, ext_ids, d_in))
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

    How NumPy does it. The input vectors of the block, ``X`` (T + 2W, d), seen through a
    sliding window (T, 2W+1, d), give every centre's window sum in one product with the
    window's weights (1 or 1/m_t on context positions, 0 elsewhere); the same product read
    backwards gives every position the work of the centres whose windows hold it:

        H = weights_t . X_win[t]           (T, d)       -- all window sums at once
        d_in[j] = sum_o holds[j, o] work_{j-o}            (T + 2W, d), scatter-added later

    The output side folds the outer products into a sparse product: ``G`` (R_out, T) holds
    ``g_tn`` at (row of u_tn, t), and ``d_out = G @ H``, so the (T * n, d) rows ``g_tn * h_t``
    are never built and repeated rows come out summed.

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
    rows_in : ndarray of int, shape (T + 2W,)
        ``ext_ids``: the rows of ``syn0`` of the block's positions (a word may repeat).
    d_in : ndarray, shape (T + 2W, d)
        Update to scatter-add to ``syn0[rows_in]`` (repeated rows summed).
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
    width = pair_mask.shape[1]
    d = syn0.shape[1]
    dtype = syn0.dtype
    m_int = pair_mask.sum(axis=1, dtype=np.int32)  # m_t
    has_context = m_int > 0
    inv_m = np.divide(1, m_int, out=np.zeros(n_centres, dtype), where=has_context)
    # h_t = sum_o x_{t+o} (/ m_t with the mean): one product over the window view, the centre
    # and positions outside the window or the sentence weighted 0
    x = syn0.take(ext_ids, axis=0)  # (T + 2W, d)
    weight = pair_mask * inv_m[:, None] if cbow_mean else pair_mask.astype(dtype)
    h = (weight[:, None, :] @ _window_view(x, width))[:, 0]  # (T, d)
    u = out.take(targets.ravel(), axis=0).reshape(n_centres, n_targets, d)  # (T, n, d)
    scores = (u @ h[:, :, None])[:, :, 0]  # f_tn = u_tn . h_t
    live = target_mask & has_context[:, None]
    # label 1: loss softplus(-f), g = sigma(-f) alpha; label 0: softplus(f), g = -sigma(f) alpha
    sign = 1 - 2 * np.asarray(labels, dtype=dtype)  # -1 for label 1, (n,) or (T, n)
    softplus, g = softplus_and_sigmoid(sign * scores)
    loss = float(softplus.sum(where=live, dtype=np.float64))
    if max_exp is not None:
        live &= np.abs(scores) < max_exp
    # g = (label - sigmoid(f)) * alpha, zero for targets that are padding or saturated
    g *= -sign * dtype.type(alpha)
    g *= live
    # u_tn += g_tn * h_t, summed per distinct output row: d_out = G @ H with G (R_out, T)
    rows_out, row_of_target = distinct_rows(targets.ravel(), out.shape[0])
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
    # syn0[w_j] += work_t for every centre t whose window holds position j: the same window
    # product read backwards (slot o of centre j - o), over the work rows padded by 2W each side
    holds = _by_position(pair_mask.astype(dtype))  # (T + 2W, 2W+1)
    work_pad = np.zeros((n_centres + 2 * (width - 1), d), dtype)
    work_pad[width - 1 : width - 1 + n_centres] = work
    d_in = (holds[:, None, :] @ _window_view(work_pad, width))[:, 0]
    return loss, ext_ids, d_in, rows_out, d_out


def run_epoch_cbow(weights, jobs, plan, draws, on_step) -> EpochStats:
    """Train one epoch of CBOW, ``plan.batch_size`` centre words at a time.

    Same jobs, windows, alpha and noise words (k per centre word) as the skip-gram path; each
    mini-batch is one :func:`cbow_batch_update` per output layer, all read from the weights as
    they were at the start of the batch. Its updates (the block's positions for ``syn0``, distinct
    rows already summed for the output layers) are handed to ``on_step`` in ``step.pending`` and
    applied after it returns. A step's ``pairs`` are its
    training examples: the centre words with at least one context word.
    """
    syn0, syn1neg, syn1 = weights.syn0, weights.syn1neg, weights.syn1
    W = plan.window
    update = dict(cbow_mean=plan.cbow_mean, max_exp=plan.max_exp, cbow_update=plan.cbow_update)
    ns_labels = np.zeros(1 + plan.negative, dtype=syn0.dtype)  # the centre word, then noise
    ns_labels[0] = 1
    stats = EpochStats()
    for job in jobs:
        n = job.ids.shape[0]
        if n == 0:  # nothing kept (an empty first job, or everything subsampled away)
            continue
        pad_ids, job_pairs = _padded_job(job, W)
        if syn1neg is not None:
            job_noise = draws.noise(n, plan.negative)  # the job's noise words in one draw
        for start in range(0, n, plan.batch_size):
            end = min(start + plan.batch_size, n)
            ext_ids = pad_ids[start : end + 2 * W]
            centres = job.ids[start:end]
            pair_mask = job_pairs[start:end]
            loss, d_in, pending = 0.0, 0.0, []
            if syn1 is not None:
                points, labels, path_mask = _huffman_targets(plan, centres)
                l_hs, _, d_in_hs, rows_out, d_out = cbow_batch_update(
                    syn0, syn1, ext_ids, pair_mask, points, labels, path_mask, job.alpha,
                    **update)
                loss += l_hs
                d_in = d_in + d_in_hs
                pending.append((syn1, rows_out, d_out))
            if syn1neg is not None:
                drawn = job_noise[start:end]  # k noise words per centre word, as gensim
                targets = np.concatenate([centres[:, None], drawn], axis=1)
                # a noise draw equal to the centre word is skipped (gensim), not redrawn
                tmask = np.ones(targets.shape, dtype=bool)
                tmask[:, 1:] = drawn != centres[:, None]
                l_ns, _, d_in_ns, rows_out, d_out = cbow_batch_update(
                    syn0, syn1neg, ext_ids, pair_mask, targets, ns_labels, tmask, job.alpha,
                    **update)
                loss += l_ns
                d_in = d_in + d_in_ns
                pending.append((syn1neg, rows_out, d_out))
            # both output layers' context updates land on the block's positions: one scatter
            pending.insert(0, (syn0, ext_ids, d_in))
            raw_done = job.raw_before + (job.raw_words * end) // n
            step = Step(loss=loss, pairs=int(pair_mask.any(axis=1).sum()), words=end - start,
                        raw_words_done=raw_done, alpha=job.alpha, pending=tuple(pending))
            on_step(step)
            # syn0[ext_ids] += d_in, repeated rows summed; the output rows are distinct, their
            # updates already summed (take + assignment: the same sum as +=, faster)
            for matrix, rows, delta in pending:
                if matrix is syn0:
                    scatter_add_unchecked(matrix, rows, delta)
                else:
                    matrix[rows] = matrix.take(rows, axis=0) + delta
            stats.add(step)
    return stats
