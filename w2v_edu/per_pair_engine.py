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

CBOW (``sg=0``, gensim's ``train_batch_cbow``) walks the same jobs one *centre word* at a time
(:func:`run_epoch_cbow`, :func:`centre_update`): the context rows summed (and averaged) into one
input ``h``, the same targets, then every context row gets the whole ``work`` -- not the exact
gradient, which ``cbow_update="exact_gradient"`` applies instead (lesson 10).
"""

from __future__ import annotations

import math

import numpy as np

from w2v_edu.engine import EpochStats, Step
from w2v_edu.sigmoid import MAX_EXP, sigmoid, sigmoid_from_table

APPLIES_BEFORE_REPORT = True
"""Updates are applied pair by pair, so a job is already in the weights when it is reported."""


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
    # loss = -sum_n log sigmoid(+-f_n)  (+ for label 1, - for 0)
    #      =  sum_n [log(1 + exp(f_n)) - l_n f_n]
    softplus = np.logaddexp(0.0, f64)  # log(1 + exp(f_n)), stable for any f
    loss = float(softplus.sum() - np.vdot(labels, f64))
    # sigmoid(f) = exp(f - log(1 + exp(f))), from the softplus above; or gensim's table
    sig = sigmoid_from_table(f) if exp_table else np.exp(f64 - softplus).astype(dtype)
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
    v = syn0[input_word]
    work, loss = _targets_one_at_a_time(out, v, targets, labels, alpha, max_exp, exp_table)
    # v += work
    v += work
    return loss


def _targets_one_at_a_time(out, x, targets, labels, alpha, max_exp, exp_table):
    """Update ``out[targets]`` against the input vector ``x`` (d,) one target after the other, in
    place, as gensim's loop does; return (work, loss), ``work = sum_n g_n u_n`` (d,).

    Needed when a target repeats (a noise word drawn twice): its second step must see the first.
    ``x`` is v (skip-gram) or h (CBOW); it is not changed here.
    """
    dtype = out.dtype.type
    work = np.zeros_like(x)
    loss = 0.0
    for target, label in zip(targets.tolist(), labels.tolist(), strict=True):
        u = out[target]  # a view into the output matrix
        f64 = float(np.dot(u.astype(np.float64), x.astype(np.float64)))
        f = float(dtype(f64))
        z = f64 if label > 0.5 else -f64
        loss -= min(z, 0.0) - math.log1p(math.exp(-abs(z)))
        if max_exp is not None and abs(f) >= max_exp:
            continue
        s = sigmoid_from_table(np.array(f)) if exp_table else sigmoid(f64)
        g = dtype((dtype(label) - dtype(s)) * dtype(alpha))
        # work += g * u ;  u += g * x
        work += g * u
        u += g * x
    return work, loss


def run_epoch(weights, jobs, plan, draws, on_step) -> EpochStats:
    """Train one epoch pair by pair, in gensim's order (see the module docstring).

    With ``plan.sg == 0`` the epoch is CBOW, one centre word at a time (:func:`run_epoch_cbow`).

    Parameters
    ----------
    weights : :class:`~w2v_edu.engine.Weights`
        ``syn0`` (V, d) and ``syn1neg`` and/or ``syn1``, updated in place.
    jobs : iterable of :class:`~w2v_edu.training_corpus.Job`
        The epoch's jobs: kept tokens, reduced windows, one alpha each.
    plan : :class:`~w2v_edu.training_plan.TrainingPlan`
    draws : :class:`~w2v_edu.random_streams.NumpyDraws` or ``GensimDraws``
        Noise words, drawn once per job for all its pairs (gensim's stream order).
    on_step : callable
        ``on_step(step)`` after every job (:class:`~w2v_edu.engine.Step`); may raise to stop.
    """
    if plan.sg == 0:
        return run_epoch_cbow(weights, jobs, plan, draws, on_step)
    syn0, syn1neg, syn1 = weights.syn0, weights.syn1neg, weights.syn1
    ns_labels = np.zeros(plan.negative + 1, dtype=syn0.dtype)
    ns_labels[0] = 1
    if syn1 is not None:
        # each word's Huffman path and its labels 1 - code, sliced once per epoch
        paths = [plan.huffman_path(w) for w in range(syn0.shape[0])]
        paths = [(p.astype(np.int64), lab.astype(syn0.dtype)) for p, lab in paths]
    stats = EpochStats()
    for job in jobs:
        # every (context word, centre word) pair of the job, gensim's order
        input_ids, centre_ids = job.skipgram_pairs()
        if syn1neg is not None:
            # each pair's targets: its centre word, then its k noise words (gensim's stream order)
            drawn = draws.noise(len(centre_ids), plan.negative)
            ns_targets = np.concatenate([centre_ids[:, None], drawn], axis=1)  # (pairs, 1 + k)
            clashes = (drawn == centre_ids[:, None]).any(axis=1).tolist()
        job_loss = 0.0
        inputs, centres = input_ids.tolist(), centre_ids.tolist()
        for p, (word_j, centre) in enumerate(zip(inputs, centres, strict=True)):
            if syn1 is not None:
                points, labels = paths[centre]
                job_loss += pair_update(syn0, syn1, word_j, points, labels, job.alpha,
                                        plan.max_exp, plan.exp_table)
            if syn1neg is not None:
                targets = ns_targets[p]
                if clashes[p]:
                    # a noise draw equal to the centre word is skipped, not redrawn
                    targets = np.concatenate(([centre], drawn[p][drawn[p] != centre]))
                job_loss += pair_update(syn0, syn1neg, word_j, targets,
                                        ns_labels[: targets.shape[0]], job.alpha, plan.max_exp,
                                        plan.exp_table)
        step = Step(loss=job_loss, pairs=len(centres), words=int(job.ids.shape[0]),
                    raw_words_done=job.raw_before + job.raw_words, alpha=job.alpha)
        on_step(step)
        stats.add(step)
    return stats


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
    if repeated:
        return _targets_one_at_a_time(out, h, targets, labels, alpha, max_exp, exp_table)
    dtype = out.dtype.type
    u = out[targets]  # (n, d) copy: the values before this step
    # f_n = u_n . h, accumulated in double and rounded to float32 (gensim's dsdot)
    f64 = u.astype(np.float64) @ h.astype(np.float64)
    f = f64.astype(dtype)
    # loss = sum_n [log(1 + exp(f_n)) - l_n f_n];  sigmoid(f) = exp(f - log(1 + exp(f)))
    softplus = np.logaddexp(0.0, f64)
    loss = float(softplus.sum() - np.vdot(labels, f64))
    sig = sigmoid_from_table(f) if exp_table else np.exp(f64 - softplus).astype(dtype)
    # g = (l - sigmoid(f)) * alpha, zero for saturated targets
    g = (labels.astype(dtype, copy=False) - sig) * dtype(alpha)
    if max_exp is not None:
        g[np.abs(f) >= max_exp] = 0
    # u_n += g_n * h
    out[targets] = u + g[:, None] * h
    # work = sum_n g_n * u_n
    return g @ u, loss


def run_epoch_cbow(weights, jobs, plan, draws, on_step) -> EpochStats:
    """Train one epoch of CBOW centre word by centre word, as gensim's ``train_batch_cbow``.

    For every centre position i of a job (sentence by sentence, left to right): its context words
    (the reduced window, the centre left out) and one :func:`centre_update` -- first on the
    Huffman path (``hs``), then, with the input rows already moved by it, on the centre word and
    its ``negative`` noise words. gensim draws the noise words of *every* centre position, also
    of one without context words (whose update then changes nothing); so do we, so that the
    noise stream stays gensim's. Parameters as :func:`run_epoch`; a step is a job, and its
    ``pairs`` are its training examples: the centre positions with at least one context word.
    """
    syn0, syn1neg, syn1 = weights.syn0, weights.syn1neg, weights.syn1
    ns_labels = np.zeros(plan.negative + 1, dtype=syn0.dtype)
    ns_labels[0] = 1
    if syn1 is not None:
        paths = [plan.huffman_path(w) for w in range(syn0.shape[0])]
        paths = [(p.astype(np.int64), lab.astype(syn0.dtype)) for p, lab in paths]
    update = dict(cbow_mean=plan.cbow_mean, max_exp=plan.max_exp, exp_table=plan.exp_table,
                  cbow_update=plan.cbow_update)
    stats = EpochStats()
    for job in jobs:
        context_ids, starts = job.cbow_contexts()
        starts = starts.tolist()
        centres = job.ids.tolist()
        # k noise words for every centre position, in gensim's stream order
        drawn = draws.noise(len(centres), plan.negative) if syn1neg is not None else None
        job_loss = 0.0
        for i, centre in enumerate(centres):
            context = context_ids[starts[i] : starts[i + 1]]
            if syn1 is not None:
                points, labels = paths[centre]
                job_loss += centre_update(syn0, syn1, context, points, labels, job.alpha,
                                          **update)
            if syn1neg is not None:
                # a noise draw equal to the centre word is skipped, not redrawn
                noise_i = drawn[i][drawn[i] != centre]
                targets = np.concatenate(([centre], noise_i))
                job_loss += centre_update(syn0, syn1neg, context, targets,
                                          ns_labels[: targets.shape[0]], job.alpha, **update)
        examples = int(np.count_nonzero(np.diff(starts)))
        step = Step(loss=job_loss, pairs=examples, words=len(centres),
                    raw_words_done=job.raw_before + job.raw_words, alpha=job.alpha)
        on_step(step)
        stats.add(step)
    return stats
