r"""Spark MLlib's way to apply SGD on many machines: train copies, average them -- simulated.

Spark MLlib's ``Word2Vec`` (``mllib/.../feature/Word2Vec.scala``; skip-gram with hierarchical
softmax only, no subsampling) trains ``numIterations`` (``maxIter``) *iterations*. In each one:

1. the driver **broadcasts** the global vectors ``syn0``, ``syn1``;
2. each of the ``numPartitions`` = P partitions of the sentences trains **its own copy** for one
   pass, with its own random generator, and returns the rows it touched (an input row: the
   input of at least one pair; an output row: updated at least once, i.e. not saturated);
3. the driver **averages every row over the partitions that touched it** (``n_w`` of them) and
   writes it back (since SPARK-24666, in Spark 3.0 and 2.4.5; before, it *summed* them):

.. math:: \theta_w \leftarrow \frac{1}{n_w}\sum_{p\,:\,w \in \text{touched}_p} \theta^{(p)}_w

The learning rate inside partition p, recomputed every 10,000 of its words, is

.. math:: \alpha = \eta\,\Bigl(1 - \frac{P\cdot wc_p + (k-1)\,T}{K\,T + 1}\Bigr),
          \qquad \alpha \ge 10^{-4}\,\eta,

with ``wc_p`` the words partition p has trained in iteration k (of K) and T the corpus's
in-vocabulary words: ``P * wc_p`` guesses the words *all* partitions have done, which is right only
if the partitions are equal. Before the first recomputation every partition, in every iteration,
trains at the full :math:`\eta` -- the rate restarts (Spark's ``alpha`` is a local variable copied
into each task with its starting value).

This module runs the scheme on the course's engines, deterministically: each partition is an
``engine.run_epoch`` over :func:`~w2v_edu.training_corpus.epoch_jobs` of its sentences, with
Spark's alpha in every job (:func:`spark_alpha_schedule`). Two ways to run the partitions:

- ``local_mode=False`` (a cluster): isolated copies of the broadcast vectors, one per partition;
- ``local_mode=True`` (``local[N]``): in one JVM the broadcast value is one shared array, so the
  partitions -- N at a time -- train the *same* vectors lock-free (Hogwild,
  :func:`w2v_edu.hogwild.interleave`), each returning its touched rows as they are when it ends,
  and those are averaged.

``merge`` chooses how rows are combined: ``"average"`` (Spark >= 3.0), ``"sum"`` (Spark < 3.0: P
copies of a vector added up, so norms grow about P-fold per iteration until float32 overflows),
``"mean"`` (plain model averaging over all P copies, a partition that did not touch a row counting
with the broadcast value).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from w2v_edu.checks import check_choice, check_float, check_int
from w2v_edu.engine import Weights
from w2v_edu.random_streams import NumpyDraws
from w2v_edu.training_corpus import EncodedCorpus, epoch_jobs

__all__ = ["SPARK_MAX_SENTENCE_LENGTH", "SPARK_ALPHA_EVERY", "MERGES", "spark_alpha",
           "spark_alpha_schedule", "spark_sentences", "spark_partitions", "merge_rows",
           "partition_jobs", "IterationRecord", "train_averaged"]

SPARK_MAX_SENTENCE_LENGTH = 1000
"""Spark's ``maxSentenceLength``: longer sentences are cut into chunks of this many words."""

SPARK_ALPHA_EVERY = 10000
"""A partition recomputes alpha once it has trained more than this many words since the last
time (checked before each sentence)."""

MERGES = ("average", "sum", "mean")


def spark_alpha(learning_rate: float, words_done: int, num_partitions: int, iteration: int,
                num_iterations: int, train_words: int) -> float:
    """Spark's learning rate after a partition trained ``words_done`` words of iteration k.

    ``alpha = lr * (1 - (P * wc + (k - 1) * T) / (K * T + 1))``, never below ``lr * 1e-4``.

    Parameters
    ----------
    learning_rate : float
        eta, Spark's ``stepSize`` (gensim's ``alpha``).
    words_done : int
        wc, words this partition has trained in this iteration.
    num_partitions, iteration, num_iterations : int
        P, k (1-based) and K.
    train_words : int
        T, in-vocabulary words of the corpus.
    """
    # alpha = lr (1 - (P wc + (k-1) T) / (K T + 1)), floored at lr 1e-4
    alpha = learning_rate * (1 - (num_partitions * words_done + (iteration - 1) * train_words)
                             / (num_iterations * train_words + 1))
    return max(alpha, learning_rate * 1e-4)


def spark_alpha_schedule(sentence_lengths, learning_rate: float, num_partitions: int,
                         iteration: int, num_iterations: int, train_words: int) -> np.ndarray:
    """The alpha Spark trains each sentence of one partition with, in one iteration.

    Replays Spark's loop: alpha starts at ``learning_rate`` (the restart); before each sentence,
    if more than :data:`SPARK_ALPHA_EVERY` words were trained since the last recomputation,
    alpha becomes :func:`spark_alpha` of the words trained so far.

    Parameters
    ----------
    sentence_lengths : array of int, shape (S,)
        Words of each sentence of the partition, in order.

    Returns
    -------
    ndarray of float, shape (S,)
    """
    alphas = np.empty(len(sentence_lengths))
    alpha, last, done = learning_rate, 0, 0
    for s, length in enumerate(np.asarray(sentence_lengths, dtype=np.int64).tolist()):
        if done - last > SPARK_ALPHA_EVERY:
            last = done
            alpha = spark_alpha(learning_rate, done, num_partitions, iteration, num_iterations,
                                train_words)
        alphas[s] = alpha
        done += length
    return alphas


def spark_sentences(sentences, vocab, max_sentence_length: int = SPARK_MAX_SENTENCE_LENGTH):
    """Sentences as Spark trains them: out-of-vocabulary words removed, then cut into chunks.

    Returns a list of lists of str (empty chunks dropped).
    """
    max_sentence_length = check_int("max_sentence_length", max_sentence_length, 1)
    known = vocab.key_to_index
    chunks = []
    for sentence in sentences:
        words = [w for w in sentence if w in known]
        chunks.extend(words[i:i + max_sentence_length]
                      for i in range(0, len(words), max_sentence_length))
    return chunks


def spark_partitions(n_sentences: int, num_partitions: int, seed: int) -> list[np.ndarray]:
    """Which sentences each partition gets: dealt round robin from a seeded start.

    That is what ``repartition(P)`` does with one input partition (Spark starts each input
    partition at a random position). Returns P arrays of sentence indices, in corpus order.
    """
    n_sentences = check_int("n_sentences", n_sentences, 0)
    num_partitions = check_int("num_partitions", num_partitions, 1)
    start = int(np.random.default_rng(seed).integers(num_partitions))
    owner = (start + np.arange(n_sentences)) % num_partitions
    return [np.flatnonzero(owner == p) for p in range(num_partitions)]


def merge_rows(start: np.ndarray, values: list, merge: str) -> np.ndarray:
    """Combine the partitions' copies of one matrix, row by row.

    Parameters
    ----------
    start : ndarray, shape (V, d)
        The broadcast matrix (what every partition started from).
    values : list of (rows, vectors)
        Per partition: the rows it touched, (n_p,), and their values when it ended, (n_p, d).
    merge : {"average", "sum", "mean"}
        ``average``: mean over the partitions that touched the row (Spark >= 3.0, 2.4.5);
        ``sum``: their sum (before SPARK-24666); ``mean``: mean over all P partitions, the untouched
        ones contributing ``start``. A row no partition touched keeps ``start``.

    Returns
    -------
    ndarray, shape (V, d), float32
    """
    check_choice("merge", merge, MERGES)
    total = np.zeros(start.shape, dtype=np.float64)
    touched = np.zeros(start.shape[0], dtype=np.int64)
    for rows, vectors in values:
        total[rows] += vectors
        touched[rows] += 1
    merged = start.astype(np.float64)
    hit = touched > 0
    if merge == "average":
        # theta_w = (1 / n_w) sum_{p touched w} theta_w^(p)
        merged[hit] = total[hit] / touched[hit, None]
    elif merge == "sum":
        # theta_w = sum_{p touched w} theta_w^(p)   (before SPARK-24666)
        merged[hit] = total[hit]
    else:
        # theta_w = (1 / P) (sum_{p touched w} theta_w^(p) + (P - n_w) theta_w)
        P = len(values)
        merged[hit] = (total[hit] + (P - touched[hit, None]) * merged[hit]) / P
    return merged.astype(start.dtype)


def partition_jobs(encoded: EncodedCorpus, plan, draws, iteration: int, num_partitions: int,
                   num_iterations: int, train_words: int):
    """The jobs one partition trains in one iteration, each with Spark's alpha.

    Jobs come from :func:`~w2v_edu.training_corpus.epoch_jobs` (``plan.batch_words`` should be
    :data:`SPARK_MAX_SENTENCE_LENGTH`, so a job is one of Spark's sentences unless sentences are
    short); a job gets the alpha of its first sentence (:func:`spark_alpha_schedule`).
    """
    alphas = spark_alpha_schedule(encoded.raw_lengths, plan.alpha, num_partitions, iteration,
                                  num_iterations, train_words)
    first_sentence = np.r_[0, np.cumsum(encoded.raw_lengths)]
    sentence_at = {int(w): s for s, w in enumerate(first_sentence[:-1].tolist())}
    for job in epoch_jobs(encoded, plan, draws, iteration - 1):
        s = sentence_at.get(job.raw_before, 0)
        yield dataclasses.replace(job, alpha=float(alphas[s]) if len(alphas) else plan.alpha)


def _noting_inputs(jobs, inputs: set):
    """Pass ``jobs`` through, adding every input word of their pairs to ``inputs``."""
    for job in jobs:
        inputs.update(np.unique(job.skipgram_pairs()[0]).tolist())
        yield job


@dataclass
class IterationRecord:
    """One iteration of :func:`train_averaged`.

    Attributes
    ----------
    iteration : int
        k, 1-based.
    partition_words : list of int
        Words each partition trained.
    partition_loss : list of float
        Mean loss per pair each partition saw while training its copy.
    alphas : list of ndarray
        Per partition, the alpha of each of its sentences (:func:`spark_alpha_schedule`).
    touched : dict of str -> ndarray of int, shape (V,)
        Per matrix name, how many partitions touched each row.
    mean_norm : float
        Mean Euclidean norm of the input vectors after the merge.
    seconds : float
    broadcast : dict of str -> ndarray
        Per matrix name, the vectors every partition started from.
    returned : dict of str -> list of (rows, vectors)
        Per matrix name and partition, the rows it touched and their values when it ended:
        what :func:`merge_rows` combined (merge them another way to compare).
    """

    iteration: int
    partition_words: list
    partition_loss: list
    alphas: list
    touched: dict
    mean_norm: float
    seconds: float
    broadcast: dict
    returned: dict


def train_averaged(model, sentences, *, num_partitions: int, num_iterations: int = 1,
                   merge: str = "average", local_mode: bool = False, cores: int = 2,
                   alpha: float | None = None, seed: int | None = None,
                   max_sentence_length: int = SPARK_MAX_SENTENCE_LENGTH,
                   engine=None) -> list[IterationRecord]:
    """Train ``model`` the way Spark MLlib does: P partitions, copies, merged every iteration.

    Parameters
    ----------
    model : :class:`~w2v_edu.word2vec.Word2Vec`
        With its vocabulary built (``build_vocab``); its weights are the starting (broadcast)
        vectors and are replaced by the merged ones. Its objective, window and ``sample`` are
        used as they are (Spark's own: ``hs=1, negative=0, sample=0``).
    sentences : list of list of str
    num_partitions : int
        P (Spark's ``numPartitions``).
    num_iterations : int
        K (Spark's ``maxIter`` / ``numIterations``).
    merge : {"average", "sum", "mean"}
        See :func:`merge_rows`.
    local_mode : bool
        False: every partition trains an isolated copy (a cluster). True: Spark's ``local[N]``,
        where the partitions share one array, ``cores`` at a time, interleaved step by step.
    cores : int
        N of ``local[N]`` (``local_mode`` only).
    alpha : float, optional
        eta (Spark's ``stepSize``); default ``model.alpha``.
    seed : int, optional
        Seeds partitioning, each partition's draws and the interleaving; default ``model.seed``.
    max_sentence_length : int
        Spark's ``maxSentenceLength``.
    engine : module, optional
        Default: the model's engine (isolated copies), the mini-batch engine (``local_mode``).

    Returns
    -------
    list of IterationRecord
    """
    from w2v_edu.engine import get_engine
    from w2v_edu.hogwild import interleave

    if model.vocab is None:
        raise RuntimeError("build the model's vocabulary first: model.build_vocab(sentences)")
    num_partitions = check_int("num_partitions", num_partitions, 1)
    num_iterations = check_int("num_iterations", num_iterations, 1)
    check_choice("merge", merge, MERGES)
    cores = check_int("cores", cores, 1)
    eta = model.alpha if alpha is None else check_float("alpha", alpha, 0.0, strict=True)
    seed = model.seed if seed is None else check_int("seed", seed, 0)
    if engine is None:
        engine = get_engine("minibatch" if local_mode else model.engine)

    chunks = spark_sentences(sentences, model.vocab, max_sentence_length)
    if not chunks:
        raise ValueError("expected sentences with at least one in-vocabulary word, got none")
    parts = spark_partitions(len(chunks), num_partitions, seed)
    # a partition without sentences (P > sentences) trains nothing and returns no row
    encoded = [EncodedCorpus.from_sentences([chunks[i] for i in idx], model.vocab)
               if len(idx) else None for idx in parts]
    train_words = int(sum(len(c) for c in chunks))
    plan = dataclasses.replace(
        model._plan(num_iterations, eta, eta * 1e-4, None, train_words),
        batch_words=max_sentence_length)
    names = [n for n in ("syn0", "syn1neg", "syn1") if getattr(model.weights, n) is not None]
    history = []
    for k in range(1, num_iterations + 1):
        t0 = time.perf_counter()
        broadcast = {n: getattr(model.weights, n).copy() for n in names}
        draws = [NumpyDraws(np.random.default_rng([seed, k, p]), model.noise)
                 for p in range(num_partitions)]
        # Spark counts an input row as touched whenever it is the input of a pair (even if every
        # target was saturated), an output row only when it got a (non-saturated) update
        inputs = [set() for _ in range(num_partitions)]
        feeds = [() if encoded[p] is None else
                 _noting_inputs(partition_jobs(encoded[p], plan, draws[p], k, num_partitions,
                                               num_iterations, train_words), inputs[p])
                 for p in range(num_partitions)]
        returned = {n: [] for n in names}
        stats = []
        if not local_mode:
            for p in range(num_partitions):
                copy = Weights(*(None if getattr(model.weights, n) is None
                                 else broadcast[n].copy()
                                 for n in ("syn0", "syn1neg", "syn1")))
                stats.append(engine.run_epoch(copy, feeds[p], plan, draws[p],
                                              lambda step: None))
                for n in names:
                    m = getattr(copy, n)
                    rows = (np.array(sorted(inputs[p]), dtype=np.int64) if n == "syn0" else
                            np.flatnonzero(np.any(m != broadcast[n], axis=1)))
                    returned[n].append((rows, m[rows].copy()))
        else:
            shared = model.weights
            updated = [{id(getattr(shared, n)): set() for n in names}
                       for _ in range(num_partitions)]

            def note_rows(task, step, updated=updated):
                for matrix, rows, delta in step.pending:
                    updated[task][id(matrix)].update(
                        np.asarray(rows)[np.any(delta != 0, axis=1)].tolist())

            def snapshot(task, updated=updated, returned=returned, shared=shared,
                         inputs=inputs):
                # the task returns its touched rows as they are now, in the shared array
                for n in names:
                    m = getattr(shared, n)
                    rows = inputs[task] if n == "syn0" else updated[task][id(m)]
                    rows = np.array(sorted(rows), dtype=np.int64)
                    returned[n].append((rows, m[rows].copy()))

            # the returned rows hold the step's update only after it is written: record the
            # rows when a step is computed, snapshot when the task has written its last step
            result = interleave(shared, feeds, plan, draws, seed=seed + k, engine=engine,
                                slots=cores, on_step=note_rows, on_task_end=snapshot)
            stats = result.tasks
        for n in names:
            merged = merge_rows(broadcast[n], returned[n], merge)
            getattr(model.weights, n)[...] = merged
        touched_counts = {}
        for n in names:
            counts = np.zeros(broadcast[n].shape[0], dtype=np.int64)
            for rows, _ in returned[n]:
                counts[rows] += 1
            touched_counts[n] = counts
        history.append(IterationRecord(
            iteration=k,
            partition_words=[s.words for s in stats],
            partition_loss=[s.loss / max(s.pairs, 1) for s in stats],
            alphas=[np.zeros(0) if e is None else
                    spark_alpha_schedule(e.raw_lengths, eta, num_partitions, k, num_iterations,
                                         train_words) for e in encoded],
            touched=touched_counts,
            mean_norm=float(np.linalg.norm(model.weights.syn0, axis=1).mean()),
            seconds=time.perf_counter() - t0,
            broadcast=broadcast,
            returned=returned,
        ))
    return history
