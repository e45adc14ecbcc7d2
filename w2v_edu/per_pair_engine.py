"""The teaching engine: skip-gram SGD one (context, centre) pair at a time, in gensim's order.

This is what gensim's compiled ``train_batch_sg`` does, written in NumPy so each step can be
read (lesson 09 walks through it next to gensim's source):

1. sentences are grouped into *jobs* of at most ``batch_words`` (10,000) raw words; alpha is
   computed once per job, ``alpha = alpha_0 - (alpha_0 - min_alpha) * progress``, where gensim
   (given a list of sentences, so ``total_examples``) measures progress in *sentences* pushed
   before the job;
2. in each job, out-of-vocabulary words are gone already, subsampled words are dropped, and
   every remaining word gets a reduced window b uniform in 1..window;
3. for every centre position i and every context position j != i with |i - j| <= b_i in the
   same sentence, one SGD step on the pair: the *context* word's input vector
   ``v = syn0[w_j]`` is the input; the targets are the *centre* word's Huffman path
   (hierarchical softmax) and/or the centre word plus ``negative`` noise words.

Per target (label l: 1 for the centre word, 0 for a noise word, ``1 - code`` on a path):

    f = v . u,   g = (l - sigmoid(f)) * alpha,   work += g * u,   u += g * v

and after all targets ``v += work``. A target with |f| >= 6 is skipped, as in gensim.
``exp_table=True`` also copies gensim's 1000-entry sigmoid table, so that on a deterministic
setting (hierarchical softmax, no subsampling, no window shrinking) this engine reproduces
gensim's vectors to float32 rounding -- a test checks it.
"""

from __future__ import annotations

import math

import numpy as np

from w2v_edu.windows import pair_positions

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000


def gensim_sigmoid_table() -> np.ndarray:
    """gensim's ``EXP_TABLE``: sigmoid at 1000 points over [-6, 6), float32, shape (1000,)."""
    x = (np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
    e = np.exp(x).astype(np.float32)
    return (e / (e + 1)).astype(np.float32)


_EXP_TABLE = gensim_sigmoid_table()


def _sigmoid_exact(f: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * f))


def _sigmoid_table(f: np.ndarray) -> np.ndarray:
    """gensim's table lookup, valid for |f| < 6 (saturated targets are skipped before).

    gensim (and word2vec.c) index the table with ``int((f + 6) * (1000 / 6 / 2))`` evaluated
    in C integer arithmetic: 1000 / 6 / 2 = 83, not 83.33. The lookup therefore reads the
    sigmoid at about ``0.996 (f + 6) - 6``, a little left of f -- reproduced here.
    """
    scale = EXP_TABLE_SIZE // 6 // 2  # 83 in C integer arithmetic
    idx = ((np.asarray(f, dtype=np.float64) + MAX_EXP) * scale).astype(np.int64)
    return _EXP_TABLE[np.clip(idx, 0, EXP_TABLE_SIZE - 1)]


def pair_update(
    syn0: np.ndarray,
    out: np.ndarray,
    input_word: int,
    targets: np.ndarray,
    labels: np.ndarray,
    alpha: float,
    max_exp: float | None = MAX_EXP,
    exp_table: bool = False,
) -> float:
    """One SGD step on one (context, centre) pair, in place; returns the pair's loss.

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors; row ``input_word`` (the context word, v) is updated.
    out : ndarray, shape (V_out, d)
        Output vectors (``syn1neg`` or ``syn1``); the rows ``targets`` (u_1..u_n) are updated.
    input_word : int
        Index of the context word w_j.
    targets : ndarray of int, shape (n,)
        Negative sampling: the centre word, then the noise words (draws equal to the centre
        word already removed). Hierarchical softmax: the centre word's ``points``.
    labels : ndarray of float, shape (n,)
        1 for the centre word, 0 for noise; ``1 - code`` for a Huffman path.
    alpha : float
        Learning rate of the current job.
    max_exp : float or None
        Skip targets with |f| >= max_exp (gensim: 6); None updates every target.
    exp_table : bool
        Use gensim's sigmoid table instead of the exact sigmoid.

    Returns
    -------
    float
        ``-sum_n log sigmoid(+-f_n)`` over all targets, saturated ones included.
    """
    dtype = syn0.dtype.type
    v = syn0[input_word]  # a view: v += work below writes into syn0
    if len(set(targets.tolist())) < targets.shape[0]:
        # A noise word drawn twice: its second step must see the first one, as in gensim.
        return _pair_update_sequential(syn0, out, input_word, targets, labels, alpha, max_exp,
                                       exp_table)
    u = out[targets]  # (n, d) copy, the values *before* this pair's update
    # f_n = u_n . v, accumulated in double and rounded to float32 as gensim's dsdot does
    f64 = u.astype(np.float64) @ v.astype(np.float64)  # (n,)
    f = f64.astype(dtype)
    # loss = -sum_n log sigmoid(+-f_n) = sum_n log(1 + exp(-+f_n)), + for label 1, - for 0
    # (np.logaddexp: one call, stable; on a handful of numbers it beats the 4-step formula)
    loss = float(np.logaddexp(0.0, (1.0 - 2.0 * labels) * f64).sum())
    sig = _sigmoid_table(f) if exp_table else _sigmoid_exact(f)
    # g = (l - sigmoid(f)) * alpha, zero for skipped (saturated) targets
    g = (labels.astype(dtype, copy=False) - sig) * dtype(alpha)
    if max_exp is not None:
        g[np.abs(f) >= max_exp] = 0
    # u_n += g_n * v   (each output row at once, with v before its own update)
    out[targets] = u + g[:, None] * v
    # v += work,  work = sum_n g_n * u_n   (u_n before their update)
    v += g @ u
    return loss


def _pair_update_sequential(syn0, out, input_word, targets, labels, alpha, max_exp, exp_table):
    """:func:`pair_update` one target at a time (needed when a target repeats)."""
    dtype = syn0.dtype.type
    v = syn0[input_word]
    work = np.zeros_like(v)
    loss = 0.0
    for target, label in zip(targets.tolist(), labels.tolist(), strict=True):
        u = out[target]  # a view into the output matrix
        f = float(dtype(np.dot(u.astype(np.float64), v.astype(np.float64))))
        x = f if label > 0.5 else -f
        loss -= min(x, 0.0) - math.log1p(math.exp(-abs(x)))
        if max_exp is not None and abs(f) >= max_exp:
            continue
        s = _sigmoid_table(np.array(f)) if exp_table else _sigmoid_exact(np.array(f))
        g = dtype((dtype(label) - dtype(s)) * dtype(alpha))
        # work += g * u ;  u += g * v
        work += g * u
        u += g * v
    # v += work
    v += work
    return loss


def run_epoch(
    syn0: np.ndarray,
    syn1neg: np.ndarray | None,
    syn1: np.ndarray | None,
    corpus,
    *,
    window: int,
    negative: int,
    keep_prob: np.ndarray | None,
    draws,
    huffman_points: list | None,
    huffman_codes: list | None,
    alpha_at,
    batch_words: int = 10000,
    shrink_windows: bool = True,
    max_exp: float | None = MAX_EXP,
    exp_table: bool = False,
    on_job=None,
):
    """Train one epoch pair by pair (see the module docstring for the order).

    ``draws`` supplies every random draw (:class:`~w2v_edu.random_streams.NumpyDraws`, or
    :class:`~w2v_edu.random_streams.GensimDraws` to replay gensim's own streams).
    ``alpha_at(epoch_fraction)`` gives a job's learning rate from the fraction of this epoch's
    sentences pushed before it (gensim's examples-based progress).
    ``on_job(loss, pairs, raw_words_done, alpha)`` is called after every job and may raise to
    stop training.

    Returns
    -------
    dict with ``loss`` (summed over pairs), ``pairs``, ``words`` (effective words) and
    ``alphas`` (one per job).
    """
    bounds = corpus.sentence_bounds
    dtype = syn0.dtype
    if syn1 is not None:
        hs_labels = [(1 - np.asarray(c, dtype=np.int64)).astype(dtype) for c in huffman_codes]
        hs_points = [np.asarray(p, dtype=np.int64) for p in huffman_points]
    ns_labels = np.zeros(negative + 1, dtype=dtype)
    ns_labels[0] = 1
    total_loss, total_pairs, total_words, alphas = 0.0, 0, 0, []
    n_sentences = corpus.raw_lengths.shape[0]
    for first, end, raw_before in corpus.jobs(batch_words):
        alpha = alpha_at(first / n_sentences)
        lo, hi = bounds[first], bounds[end]
        draws.start_job()
        keep = draws.keep(corpus.ids[lo:hi], keep_prob)
        ids = corpus.ids[lo:hi][keep]
        sent = corpus.sentence_of[lo:hi][keep]
        n = ids.shape[0]
        # reduced window b_i uniform in 1..window, one per effective word of the job
        b = draws.windows(n, window) if shrink_windows else np.full(n, window)
        # all (context j, centre i) pairs of the job in gensim's order, sentence by sentence
        bounds_kept = np.flatnonzero(np.r_[True, sent[1:] != sent[:-1], True])
        context_pos, centre_pos = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for s0, s1 in zip(bounds_kept[:-1].tolist(), bounds_kept[1:].tolist(), strict=True):
            j, i = pair_positions(b[s0:s1])
            context_pos.append(j + s0)
            centre_pos.append(i + s0)
        inputs = ids[np.concatenate(context_pos)].tolist()
        centres = ids[np.concatenate(centre_pos)].tolist()
        drawn = draws.noise(len(centres), negative) if syn1neg is not None else None
        job_loss = 0.0
        for p, (word_j, centre) in enumerate(zip(inputs, centres, strict=True)):
            if syn1 is not None:
                job_loss += pair_update(syn0, syn1, word_j, hs_points[centre],
                                        hs_labels[centre], alpha, max_exp, exp_table)
            if syn1neg is not None:
                # a noise draw equal to the centre word is skipped, not redrawn
                noise_p = drawn[p][drawn[p] != centre]
                targets = np.concatenate(([centre], noise_p))
                job_loss += pair_update(syn0, syn1neg, word_j, targets,
                                        ns_labels[: targets.shape[0]], alpha, max_exp, exp_table)
        if on_job is not None:
            on_job(job_loss, len(centres), raw_before, alpha)
        total_loss += job_loss
        total_pairs += len(centres)
        total_words += n
        alphas.append(alpha)
    return {"loss": total_loss, "pairs": total_pairs, "words": total_words, "alphas": alphas}


# ---------------------------------------------------------------------------------------------
# CBOW (sg=0): one update per centre word, as gensim's train_batch_cbow
# ---------------------------------------------------------------------------------------------

CBOW_UPDATES = ("gensim", "exact_gradient")


def centre_update(
    syn0: np.ndarray,
    out: np.ndarray,
    context_words: np.ndarray,
    targets: np.ndarray,
    labels: np.ndarray,
    alpha: float,
    cbow_mean: int = 1,
    max_exp: float | None = MAX_EXP,
    exp_table: bool = False,
    cbow_update: str = "gensim",
) -> float:
    """One CBOW step for one centre word, in place; returns the centre word's loss.

    gensim's ``fast_sentence_cbow_hs`` / ``fast_sentence_cbow_neg`` (lesson 10):

        h = sum_j syn0[w_j]            (gensim's neu1; a word twice in the window counts twice)
        h = h / m                      (cbow_mean=1 only; m = number of context words)
        per target n:  f = h . u_n,  g = (l_n - sigmoid(f)) * alpha,  work += g * u_n,
                       u_n += g * h    (skipped when |f| >= max_exp)
        work = work / m                (cbow_mean=0 only)
        syn0[w_j] += work              for every context position j

    The last line is *not* SGD on the CBOW loss: the exact step on each context vector is
    ``-alpha dloss/dC_j = work / m`` (mean) or ``work`` (sum) -- gensim applies m times the
    gradient with the mean and 1/m of it with the sum. ``cbow_update="exact_gradient"``
    applies the exact step instead (the output rows get the exact step either way).

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors; the rows ``context_words`` (C_1..C_m) are updated.
    out : ndarray, shape (V_out, d)
        Output vectors (``syn1neg`` or ``syn1``); the rows ``targets`` are updated.
    context_words : ndarray of int, shape (m,)
        The context words of the window, in window order; a repeated word is repeated (and
        updated once per occurrence, as in gensim). m = 0 (a one-word sentence) changes
        nothing and returns 0.0, as gensim's update then does nothing.
    targets, labels : ndarray, shape (n,)
        As in :func:`pair_update`: the centre word then the noise words (labels 1, 0, ...),
        or the centre word's Huffman ``points`` (labels ``1 - code``).
    alpha : float
    cbow_mean : {1, 0}
        1: h is the mean of the context vectors (gensim's default); 0: their sum.
    max_exp, exp_table
        As in :func:`pair_update`.
    cbow_update : {"gensim", "exact_gradient"}
        How the context rows are updated (see above).

    Returns
    -------
    float
        ``-sum_n log sigmoid(+-f_n)`` over all targets, saturated ones included.
    """
    if cbow_update not in CBOW_UPDATES:
        raise ValueError(f"expected cbow_update to be one of {CBOW_UPDATES}, got {cbow_update!r}")
    m = context_words.shape[0]
    if m == 0:
        return 0.0
    dtype = syn0.dtype.type
    # h = sum_j C_j (float32, in window order, as gensim's saxpy loop); then / m for the mean
    h = syn0[context_words[0]].copy()
    for w in context_words[1:].tolist():
        h += syn0[w]
    inv_count = dtype(1.0) / dtype(m)
    if cbow_mean:
        h *= inv_count
    repeated = len(set(targets.tolist())) < targets.shape[0]
    work, loss = _cbow_targets(out, h, targets, labels, alpha, max_exp, exp_table, repeated)
    # gensim: work / m only with the sum; the exact gradient: work / m only with the mean
    if (cbow_update == "gensim") != bool(cbow_mean):
        work *= inv_count
    # C_j += work for every context position j (a repeated word twice)
    if len(set(context_words.tolist())) == m:
        syn0[context_words] += work
    else:
        np.add.at(syn0, context_words, work)
    return loss


def _cbow_targets(out, h, targets, labels, alpha, max_exp, exp_table, repeated):
    """Output side of a CBOW step: update ``out[targets]`` in place, return (work, loss).

    ``work = sum_n g_n u_n`` with every ``u_n`` taken before its own update; when a target
    repeats (a noise word drawn twice) it is walked one target at a time, as in gensim.
    """
    dtype = out.dtype.type
    if repeated:
        work = np.zeros_like(h)
        loss = 0.0
        for target, label in zip(targets.tolist(), labels.tolist(), strict=True):
            u = out[target]  # a view
            f = float(dtype(np.dot(u.astype(np.float64), h.astype(np.float64))))
            x = f if label > 0.5 else -f
            loss -= min(x, 0.0) - math.log1p(math.exp(-abs(x)))
            if max_exp is not None and abs(f) >= max_exp:
                continue
            s = _sigmoid_table(np.array(f)) if exp_table else _sigmoid_exact(np.array(f))
            g = dtype((dtype(label) - dtype(s)) * dtype(alpha))
            # work += g * u ;  u += g * h
            work += g * u
            u += g * h
        return work, loss
    u = out[targets]  # (n, d) copy: the values before this step
    # f_n = u_n . h, accumulated in double and rounded to float32 (gensim's dsdot)
    f64 = u.astype(np.float64) @ h.astype(np.float64)
    f = f64.astype(dtype)
    # loss = sum_n log(1 + exp(-+f_n)), + for label 1, - for label 0
    loss = float(np.logaddexp(0.0, (1.0 - 2.0 * labels) * f64).sum())
    sig = _sigmoid_table(f) if exp_table else _sigmoid_exact(f)
    # g = (l - sigmoid(f)) * alpha, zero for saturated targets
    g = (labels.astype(dtype, copy=False) - sig) * dtype(alpha)
    if max_exp is not None:
        g[np.abs(f) >= max_exp] = 0
    # u_n += g_n * h
    out[targets] = u + g[:, None] * h
    # work = sum_n g_n * u_n
    return g @ u, loss
