r"""Lock-free SGD on shared vectors (Hogwild), simulated deterministically on the course's engines.

gensim with ``workers=N`` starts N threads that take jobs from one queue and train them on the
*same* arrays ``syn0`` / ``syn1neg`` / ``syn1``, with no lock (the compiled loop releases the GIL).
Two things then happen that never happen on one thread:

- **stale reads**: a worker computes its update from rows as it read them; by the time it adds the
  update, other workers may have changed those rows;
- **interleaved writes**: the updates of different workers land in an order that depends on the
  operating system's scheduler, so two runs with the same seed give different vectors.

Niu et al. (2011) called this *Hogwild!* and showed it barely hurts when updates are sparse -- each
step touches a few rows of a large matrix, so two workers rarely touch the same row at once.

This module makes both effects reproducible. :func:`interleave` runs several *tasks* (each an
``engine.run_epoch`` on its own stream of jobs) on the same :class:`~w2v_edu.engine.Weights`, one
step at a time, the next task to step drawn from a seeded generator. It needs an engine that hands
its updates over before applying them (``APPLIES_BEFORE_REPORT = False``: the mini-batch engine):
a step *reads* the weights when it is computed, then the task yields, other tasks step, and its
update is *written* (``matrix[rows] += delta``) when it is resumed -- a stale read by exactly the
steps that ran in between. :func:`hogwild_epoch` is gensim's set-up: W workers, one job queue.
With ``batch_size=1`` one step is one centre word's pairs, close to gensim's granularity.

:func:`two_worker_race` shows what a race does to *one* update, with the per-pair engine's
:func:`~w2v_edu.per_pair_engine.pair_update`: for two pairs sharing a row, serial SGD applies

.. math:: \theta \to \theta + \Delta_a(\theta) \to \theta + \Delta_a(\theta)
          + \Delta_b\bigl(\theta + \Delta_a(\theta)\bigr),

Hogwild (both read before either writes, ``+=`` writes) gives
:math:`\theta + \Delta_a(\theta) + \Delta_b(\theta)` -- different by
:math:`O(\alpha^2)` -- and a plain store instead of ``+=`` would *lose* :math:`\Delta_a` on the
shared rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from w2v_edu.checks import check_int
from w2v_edu.engine import EpochStats, Weights
from w2v_edu.per_pair_engine import pair_update

__all__ = ["RaceResult", "two_worker_race", "InterleaveStats", "interleave", "hogwild_epoch",
           "hogwild_train", "shared_feed"]


# ---------------------------------------------------------------------- one race, by hand
@dataclass(frozen=True)
class RaceResult:
    """``(syn0, out)`` after two pair updates applied three ways (see :func:`two_worker_race`)."""

    serial: tuple[np.ndarray, np.ndarray]
    hogwild: tuple[np.ndarray, np.ndarray]
    lost_update: tuple[np.ndarray, np.ndarray]


def two_worker_race(syn0: np.ndarray, out: np.ndarray, pair_a: tuple, pair_b: tuple,
                    alpha: float) -> RaceResult:
    """Two workers each apply one pair update to the same arrays: serial, Hogwild, lost update.

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors (not modified).
    out : ndarray, shape (V_out, d)
        Output vectors (not modified).
    pair_a, pair_b : tuple (input_word, targets, labels)
        The two pairs, as :func:`~w2v_edu.per_pair_engine.pair_update` takes them: the context
        word, the target rows of ``out`` (n,), their labels (n,).
    alpha : float
        Learning rate of both updates.

    Returns
    -------
    RaceResult
        ``serial``: a, then b on the result (one thread). ``hogwild``: both computed from the
        same start, both increments added (``+=``, as gensim's ``saxpy`` writes).
        ``lost_update``: both computed from the same start, each row *stored* by the worker that
        wrote last (b), so a's increment is lost on the rows both touched.
    """
    for name, m in (("syn0", syn0), ("out", out)):
        if not isinstance(m, np.ndarray) or m.ndim != 2:
            raise TypeError(f"expected {name} to be a 2-D ndarray, got {type(m).__name__}")

    def apply(s0, s1, pair):
        word, targets, labels = pair
        pair_update(s0, s1, int(word), np.asarray(targets), np.asarray(labels, dtype=s0.dtype),
                    alpha)

    serial = (syn0.copy(), out.copy())
    apply(*serial, pair_a)
    apply(*serial, pair_b)

    after_a, after_b = (syn0.copy(), out.copy()), (syn0.copy(), out.copy())
    apply(*after_a, pair_a)  # worker a reads the start ...
    apply(*after_b, pair_b)  # ... and so does worker b
    # Hogwild: theta + Delta_a(theta) + Delta_b(theta), both increments land
    hogwild = tuple(start + (a - start) + (b - start)
                    for start, a, b in zip((syn0, out), after_a, after_b, strict=True))
    # a plain store: a row written by b holds b's value; a's increment survives only elsewhere
    lost = []
    for start, a, b in zip((syn0, out), after_a, after_b, strict=True):
        m = a.copy()
        written_by_b = np.any(b != start, axis=1)
        m[written_by_b] = b[written_by_b]
        lost.append(m)
    return RaceResult(serial=serial, hogwild=hogwild, lost_update=tuple(lost))


# ---------------------------------------------------------------------- the interleaving
@dataclass
class InterleaveStats:
    """What happened while tasks interleaved.

    Attributes
    ----------
    tasks : list of EpochStats
        Each task's loss, pairs, words and alphas.
    steps : int
        Steps (mini-batches) of all tasks.
    stale_steps : int
        Steps that wrote at least one row another task had changed after the step read it.
    rows_written : int
        Row updates written, summed over steps and matrices.
    stale_rows : int
        Of those, rows another task had changed between the step's read and its write.
    stale_by_input_word : ndarray of int, shape (V,)
        Stale input rows (``syn0``) counted per word.
    order : list of int
        The task of every step, in the order the steps were computed (the interleaving).
    """

    tasks: list = field(default_factory=list)
    steps: int = 0
    stale_steps: int = 0
    rows_written: int = 0
    stale_rows: int = 0
    stale_by_input_word: np.ndarray | None = None
    order: list = field(default_factory=list)

    @property
    def total(self) -> EpochStats:
        """All tasks' stats summed."""
        total = EpochStats()
        for s in self.tasks:
            total.loss += s.loss
            total.pairs += s.pairs
            total.words += s.words
            total.alphas.extend(s.alphas)
        return total

    @property
    def stale_row_fraction(self) -> float:
        """Share of written rows whose read was stale."""
        return self.stale_rows / max(self.rows_written, 1)

    @property
    def stale_step_fraction(self) -> float:
        """Share of steps with at least one stale row."""
        return self.stale_steps / max(self.steps, 1)


class _Stopped(Exception):
    """Raised in a waiting task when another task failed."""


class _Turns:
    """Exactly one task runs at a time; at every yield the next one is drawn from ``rng``.

    At most ``slots`` tasks are started; a finished task frees its slot for the next task in
    order (Spark starts the partitions of a stage in index order as cores free up).
    """

    def __init__(self, n_tasks: int, slots: int, rng: np.random.Generator):
        self.cond = threading.Condition()
        self.rng = rng
        self.pending = list(range(n_tasks))
        self.running: list[int] = []
        self.turn: int | None = None
        self.error: BaseException | None = None
        while self.pending and len(self.running) < slots:
            self.running.append(self.pending.pop(0))

    def _choose(self) -> None:
        self.turn = (self.running[int(self.rng.integers(len(self.running)))]
                     if self.running else None)
        self.cond.notify_all()

    def begin(self) -> None:
        with self.cond:
            self._choose()

    def wait(self, task: int) -> None:
        with self.cond:
            while self.turn != task and self.error is None:
                self.cond.wait()
            if self.error is not None:
                raise _Stopped

    def yield_turn(self) -> None:
        with self.cond:
            self._choose()

    def finish(self, task: int) -> None:
        with self.cond:
            self.running.remove(task)
            if self.pending:
                self.running.append(self.pending.pop(0))
            self._choose()

    def fail(self, error: BaseException) -> None:
        with self.cond:
            if self.error is None:
                self.error = error
            self.turn = None
            self.cond.notify_all()


def interleave(weights: Weights, feeds: Sequence[Iterable], plan, draws, *, seed: int,
               engine=None, slots: int | None = None,
               on_step: Callable | None = None,
               on_task_end: Callable[[int], None] | None = None) -> InterleaveStats:
    """Run several tasks on the same weights, one step at a time, in a seeded random order.

    Task ``i`` is ``engine.run_epoch(weights, feeds[i], plan, draws_i, ...)``. Whenever a task
    has computed a step (read the weights) it yields; the next task to run is drawn from
    ``numpy.random.default_rng(seed)`` among the running ones; when the task is resumed its
    step's update is added to the weights (written). Only one task runs at any moment, so the
    result depends on ``seed`` and nothing else.

    Parameters
    ----------
    weights : Weights
        Shared by all tasks, updated in place.
    feeds : sequence of iterables of :class:`~w2v_edu.training_corpus.Job`
        One per task. Several tasks may share one iterator (a job queue, see
        :func:`shared_feed`): a task pulls its next job when it finished the last.
    plan : :class:`~w2v_edu.training_plan.TrainingPlan`
    draws : draws object, or a sequence of them (one per task)
        Where each task's noise words come from.
    seed : int
        Seed of the interleaving.
    engine : module, optional
        An engine with ``APPLIES_BEFORE_REPORT = False`` (default: the mini-batch engine).
    slots : int, optional
        Tasks running at once (default: all). A finished task frees a slot for the next.
    on_step : callable, optional
        ``on_step(task, step)`` after a task computed a step, before it yields.
    on_task_end : callable, optional
        ``on_task_end(task)`` when a task has written its last step, before the next starts.

    Returns
    -------
    InterleaveStats

    Raises
    ------
    ValueError
        No task, ``slots`` < 1, or an engine that applies its updates as it goes (its reads
        could never be stale).
    """
    from w2v_edu import minibatch_engine

    engine = minibatch_engine if engine is None else engine
    if getattr(engine, "APPLIES_BEFORE_REPORT", True):
        raise ValueError(
            "expected an engine that hands its updates over before applying them "
            f"(APPLIES_BEFORE_REPORT = False, e.g. the mini-batch engine), got "
            f"{getattr(engine, '__name__', engine)!r}, which applies as it goes")
    feeds = list(feeds)
    if not feeds:
        raise ValueError("expected at least one task (feed of jobs), got none")
    seed = check_int("seed", seed, 0)
    slots = len(feeds) if slots is None else check_int("slots", slots, 1)
    task_draws = list(draws) if isinstance(draws, (list, tuple)) else [draws] * len(feeds)
    if len(task_draws) != len(feeds):
        raise ValueError(f"expected one draws object per task ({len(feeds)}), got "
                         f"{len(task_draws)}")

    turns = _Turns(len(feeds), slots, np.random.default_rng(seed))
    stats = InterleaveStats(tasks=[None] * len(feeds),
                            stale_by_input_word=np.zeros(weights.syn0.shape[0], np.int64))
    last_write = {id(m): np.full(m.shape[0], -1, np.int64) for m in weights.matrices()}
    clock = [0]  # writes applied so far

    def task_on_step(task, step):
        read_at = clock[0]
        stats.steps += 1
        stats.order.append(task)
        if on_step is not None:
            on_step(task, step)
        turns.yield_turn()
        turns.wait(task)
        # resumed: the engine adds the step's update as soon as this returns
        clock[0] += 1
        written = {}  # the step's rows per matrix (syn0 may come twice: hs and negative)
        for matrix, rows, delta in step.pending:
            hit = np.asarray(rows)[np.any(delta != 0, axis=1)]
            written[id(matrix)] = np.union1d(written.get(id(matrix), hit), hit)
        stale_step = False
        for key, rows in written.items():
            stale = rows[last_write[key][rows] > read_at]
            stats.rows_written += rows.shape[0]
            stats.stale_rows += stale.shape[0]
            stale_step |= stale.shape[0] > 0
            if key == id(weights.syn0):
                stats.stale_by_input_word[stale] += 1
            last_write[key][rows] = clock[0]
        stats.stale_steps += stale_step

    def body(task):
        try:
            turns.wait(task)
            stats.tasks[task] = engine.run_epoch(
                weights, feeds[task], plan, task_draws[task],
                lambda step: task_on_step(task, step))
            if on_task_end is not None:
                on_task_end(task)
        except _Stopped:
            return
        except BaseException as exc:  # re-raised in the caller's thread below
            turns.fail(exc)
            return
        turns.finish(task)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(len(feeds))]
    for t in threads:
        t.start()
    turns.begin()
    for t in threads:
        t.join()
    if turns.error is not None:
        raise turns.error
    return stats


def shared_feed(jobs: Iterable) -> Iterator:
    """One job queue for several tasks: pass the same returned iterator to each of them."""
    return iter(jobs)


def hogwild_epoch(weights: Weights, jobs: Iterable, plan, draws, *, workers: int, seed: int,
                  engine=None) -> InterleaveStats:
    """One epoch the way gensim's ``workers=N`` trains it: N workers, one job queue, no lock.

    Each worker takes the next job from ``jobs`` when it has finished its last one and trains it
    with ``engine`` (default: mini-batch); steps of different workers interleave in an order drawn
    from ``seed`` (see :func:`interleave`). With ``workers=1`` this is exactly
    ``engine.run_epoch(weights, jobs, plan, draws, on_step)``, update for update.

    Parameters
    ----------
    weights : Weights
        Shared by the workers, updated in place.
    jobs : iterable of Job
        The epoch's jobs (:func:`~w2v_edu.training_corpus.epoch_jobs`).
    plan : TrainingPlan
    draws : draws object
        Shared by the workers (noise words in the order the steps are computed).
    workers : int
        Simulated threads, >= 1.
    seed : int
        Seed of the interleaving.
    """
    workers = check_int("workers", workers, 1)
    queue = shared_feed(jobs)
    return interleave(weights, [queue] * workers, plan, draws, seed=seed, engine=engine)


def hogwild_train(model, *, workers: int, seed: int) -> list[InterleaveStats]:
    """``model.train()`` as gensim's ``workers=N`` would run it, simulated: one record per epoch.

    The model's own corpus (the one ``build_vocab`` read), settings, weights and random draws,
    ``model.epochs`` epochs with alpha falling as in :meth:`~w2v_edu.word2vec.Word2Vec.train`;
    each epoch is :func:`hogwild_epoch` with ``workers`` simulated threads and the interleaving
    drawn from ``seed + epoch``. With ``workers=1`` the weights equal ``model.train()``'s
    exactly (mini-batch engine). Appends one ``model.history`` record per epoch.
    """
    from w2v_edu.training_corpus import epoch_jobs

    if model.vocab is None or model._build_corpus is None:
        raise RuntimeError("build the model's vocabulary first: model.build_vocab(sentences)")
    workers = check_int("workers", workers, 1)
    seed = check_int("seed", seed, 0)
    encoded = model._encode(model._build_corpus)
    plan = model._plan(model.epochs, model.alpha, model.min_alpha, encoded.corpus_count, None)
    records = []
    for epoch in range(model.epochs):
        jobs = epoch_jobs(encoded, plan, model._draws, epoch)
        stats = hogwild_epoch(model.weights, jobs, plan, model._draws, workers=workers,
                              seed=seed + epoch)
        total = stats.total
        model.history.append({"epoch": len(model.history),
                              "loss": total.loss / max(total.pairs, 1),
                              "pairs": total.pairs, "words": total.words, "workers": workers,
                              "stale_row_fraction": stats.stale_row_fraction})
        records.append(stats)
    return records
