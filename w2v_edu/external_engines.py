"""The same training run on gensim's threads or on Spark MLlib, from our (gensim's) names.

Where a learner goes after the course: gensim with ``workers=N`` (lock-free threads on shared
vectors, :mod:`w2v_edu.hogwild`) or Spark MLlib's ``Word2Vec`` (partitions trained on copies and
averaged, :mod:`w2v_edu.parameter_averaging`). This module maps the course's parameter names onto
theirs, says which settings an engine does not have, and hands back our
:class:`~w2v_edu.keyedvectors.KeyedVectors`, so that the same file writer and the same evaluation
table serve every engine (``python -m w2v_edu train --engine gensim|spark``).

Spark is optional: ``pip install -r requirements-spark.txt`` (pyspark, which needs Java 17 or
newer). :func:`spark_context` starts a local Spark context that never leaves the machine (driver
bound to 127.0.0.1, no web UI).
"""

from __future__ import annotations

import ctypes
import importlib.util
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, suppress

import numpy as np

from w2v_edu.checks import check_float, check_int
from w2v_edu.keyedvectors import KeyedVectors

__all__ = ["SPARK_NAMES", "pyspark_available", "spark_settings", "spark_context",
           "train_spark", "train_gensim", "train_gensim_seeds", "keyed_vectors_from_gensim",
           "SPARK_INSTALL_HINT", "in_background", "BackgroundRun", "spark_runs"]

#: Our (gensim's) parameter name -> Spark ML's ``pyspark.ml.feature.Word2Vec`` parameter.
SPARK_NAMES = {
    "vector_size": "vectorSize",
    "window": "windowSize",
    "min_count": "minCount",
    "alpha": "stepSize",
    "epochs": "maxIter",
    "seed": "seed",
    "num_partitions": "numPartitions",
    "max_sentence_length": "maxSentenceLength",
}

SPARK_INSTALL_HINT = "pip install -r requirements-spark.txt (pyspark; needs Java 17+)"


def pyspark_available() -> bool:
    """True if ``pyspark`` can be imported (its Java runtime is checked when a session starts)."""
    try:
        return importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):  # a broken or half-removed installation
        return False


def spark_settings(*, vector_size=100, window=5, min_count=5, alpha=0.025, epochs=1, seed=1,
                   num_partitions=1, max_sentence_length=1000, negative=0, hs=1, sample=0.0,
                   min_alpha=None, sg=1) -> tuple[dict, list[str]]:
    """Spark ML ``Word2Vec`` parameters for our settings, and what Spark cannot do.

    Returns
    -------
    params : dict
        Keyword arguments of ``pyspark.ml.feature.Word2Vec`` (see :data:`SPARK_NAMES`).
    notes : list of str
        One sentence per setting Spark does not have or does differently (negative sampling,
        subsampling, CBOW, ``min_alpha``): Spark MLlib trains skip-gram with hierarchical softmax
        only, on every word, its learning rate falling to ``alpha * 1e-4`` by its own rule.
    """
    params = {
        "vectorSize": check_int("vector_size", vector_size, 1),
        "windowSize": check_int("window", window, 1),
        "minCount": check_int("min_count", min_count, 0),
        "stepSize": check_float("alpha", alpha, 0.0, strict=True),
        "maxIter": check_int("epochs", epochs, 1),
        "seed": check_int("seed", seed, 0),
        "numPartitions": check_int("num_partitions", num_partitions, 1),
        "maxSentenceLength": check_int("max_sentence_length", max_sentence_length, 1),
    }
    notes = []
    if not sg:
        notes.append("Spark MLlib trains skip-gram only: CBOW (sg=0) is not available, "
                     "training skip-gram")
    if negative:
        notes.append(f"Spark MLlib has no negative sampling (negative={negative} ignored): it "
                     "trains hierarchical softmax, as hs=1 negative=0")
    elif not hs:
        notes.append("Spark MLlib always trains hierarchical softmax (hs=0 ignored)")
    if sample:
        notes.append(f"Spark MLlib does not subsample frequent words (sample={sample:g} "
                     "ignored): every word is trained")
    if min_alpha is not None:
        notes.append(f"Spark MLlib lowers alpha to alpha*1e-4 = {alpha * 1e-4:.3g} by its own "
                     f"rule, once per 10,000 words of each partition (min_alpha={min_alpha:g} "
                     "ignored)")
    if num_partitions > 1:
        notes.append(f"num_partitions={num_partitions}: each partition trains its own copy and "
                     "the copies are averaged after every iteration; Spark's advice is 'use a "
                     "small number for accuracy' (lesson 12)")
    return params, notes


def spark_context(master: str = "local[2]", app_name: str = "w2v_edu"):
    """A Spark context for ``master`` (``local[N]``, ``local[*]`` or a cluster URL).

    A plain ``SparkContext``, not a ``SparkSession``: MLlib's ``Word2Vec`` trains on an RDD and
    needs nothing of Spark SQL, and a session's SQL machinery costs the JVM about 7 CPU-seconds
    more at start (10 instead of 17 on the development machine). If the process already has a
    context, that one is returned.

    For a local master the driver binds to 127.0.0.1, so nothing is reachable from outside the
    machine; the web UI and the console progress bars are off and Spark logs errors only.

    Raises
    ------
    ImportError
        pyspark is not installed (the message says how to install it).
    """
    if not pyspark_available():
        raise ImportError(f"Spark needs pyspark, which is not installed: {SPARK_INSTALL_HINT}")
    from pyspark import SparkConf, SparkContext

    conf = (SparkConf().setMaster(master).setAppName(app_name)
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):
        conf = (conf.set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"))
    sc = SparkContext.getOrCreate(conf)
    sc.setLogLevel("ERROR")
    return sc


#: Spark ML's parameter name -> the setter of MLlib's ``org.apache.spark.mllib.feature.Word2Vec``.
_MLLIB_SETTERS = {
    "vectorSize": "setVectorSize",
    "windowSize": "setWindowSize",
    "minCount": "setMinCount",
    "stepSize": "setLearningRate",
    "maxIter": "setNumIterations",
    "seed": "setSeed",
    "numPartitions": "setNumPartitions",
    "maxSentenceLength": "setMaxSentenceLength",
}


def train_spark(sentences, sc, **settings) -> tuple[KeyedVectors, dict]:
    """Train Spark MLlib's ``Word2Vec`` on ``sentences`` and return our word vectors.

    The trainer is the Scala class lesson 12 annotates, ``org.apache.spark.mllib.feature.Word2Vec``,
    called through pyspark's bridge to the JVM (py4j) on an RDD of the sentences. Spark ML's
    ``pyspark.ml.feature.Word2Vec`` is a DataFrame wrapper around the same class (its ``fit``
    builds one and calls its ``fit``), so the training is the one Spark ML runs for the same
    settings: with one partition the vectors are equal to Spark ML's and to pyspark's own
    ``pyspark.mllib`` wrapper's (the latter is tested; with P > 1 in local mode no two runs are
    equal). Going to the class directly spares the JVM Spark SQL (a ``SparkSession``, a
    DataFrame for the input and another for the vectors: 7 + 6 CPU-seconds on the development
    machine) and reaches ``maxSentenceLength``, which ``pyspark.mllib``'s wrapper does not pass
    on.

    Parameters
    ----------
    sentences : list of list of str
    sc : pyspark.SparkContext
        From :func:`spark_context` (a ``SparkSession`` is accepted too: its context is used).
    **settings
        Our names, as :func:`spark_settings` takes them.

    Returns
    -------
    wv : KeyedVectors
        Words in descending corpus frequency, with their counts.
    info : dict
        ``params`` (what Spark got, by Spark ML's names), ``notes`` (what it cannot do),
        ``seconds`` (the fit and the copy of the vectors back to Python).
    """
    from pyspark.serializers import CPickleSerializer

    sc = getattr(sc, "sparkContext", sc)
    params, notes = spark_settings(**settings)
    jvm = sc._jvm
    word2vec = jvm.org.apache.spark.mllib.feature.Word2Vec()
    for name, value in params.items():
        getattr(word2vec, _MLLIB_SETTERS[name])(value)
    # each sentence (a Python list) arrives in the JVM as a java.util.List of strings
    rdd = sc.parallelize([list(s) for s in sentences])._to_java_object_rdd()
    start = time.perf_counter()
    model = word2vec.fit(rdd)
    # word -> vector as one pickled map: reading the Java map entry by entry over py4j would be
    # a round trip per number (1,750 words x 100 dimensions on Lee)
    java_map = jvm.org.apache.spark.mllib.api.python.Word2VecModelWrapper(model).getVectors()
    vectors_of = CPickleSerializer().loads(bytes(jvm.org.apache.spark.mllib.api.python.SerDe
                                                 .dumps(java_map)))
    seconds = time.perf_counter() - start
    counts = Counter(w for s in sentences for w in s)
    # Spark returns words in no particular order: sort like gensim (count, then first seen)
    first_seen = {w: i for i, w in enumerate(counts)}
    words = sorted(vectors_of, key=lambda w: (-counts[w], first_seen[w]))
    vectors = np.array([vectors_of[w] for w in words], dtype=np.float32).reshape(
        len(words), params["vectorSize"])
    wv = KeyedVectors(words, vectors, counts=[counts[w] for w in words])
    return wv, {"params": params, "notes": notes, "seconds": seconds}


class BackgroundRun:
    """A function running in a background process, from :func:`in_background`.

    ``result()`` waits for it and returns its value (or raises its exception); ``done()`` says
    whether it has finished; ``paused()`` stops it for the length of a ``with`` block.
    """

    def __init__(self, future: Future, pid_queue):
        self._future = future
        self._pid_queue = pid_queue
        self._pgid = None

    def result(self, timeout: float | None = None):
        return self._future.result(timeout)

    def done(self) -> bool:
        return self._future.done()

    @contextmanager
    def paused(self):
        """Stop the process and everything it started (SIGSTOP) inside the block, then resume.

        For timing something else with the cores to itself: a niced process still takes a
        slice of a busy core. Linux only (where the process leads its own process group);
        elsewhere, or once the function has finished, the block simply runs.
        """
        if self._pgid is None and not self.done() and self._pid_queue is not None:
            self._pgid = self._pid_queue.get(timeout=60)  # the process sends it on start
        stopped = False
        if self._pgid is not None and not self.done():
            try:
                os.killpg(self._pgid, signal.SIGSTOP)
                stopped = True
            except ProcessLookupError:  # it has just finished
                pass
        try:
            yield
        finally:
            if stopped:
                with suppress(ProcessLookupError):
                    os.killpg(self._pgid, signal.SIGCONT)


def in_background(fn, /, *args, nice: int = 10, **kwargs) -> BackgroundRun:
    """Start ``fn(*args, **kwargs)`` in a separate Python process at a lower CPU priority.

    For work a lesson needs later but does not time: an external engine that is slow to warm up
    (Spark's JVM spends about 6 s starting and 7 s more on its first job, lesson 12) or a gensim
    model to compare with (lesson 09). The lesson starts it early and collects the result with
    ``run.result()`` when it needs it. A process, not a thread: pyspark's start is thousands of
    Python round trips to the JVM, gensim's job producer is Python code, and in a thread either
    would wait for Python's lock (the GIL) whenever the notebook computes. The process runs at
    priority ``nice`` (0-19, higher yields more), and so does every program it starts -- the
    JVM -- so the work uses the cores the notebook leaves idle and steps aside when a cell
    computes (``run.paused()`` stops it altogether).

    ``fn`` must be importable (a function of a module, not one defined in a notebook), and its
    arguments and result picklable.

    Returns
    -------
    BackgroundRun
    """
    nice = check_int("nice", nice, 0)
    context = multiprocessing.get_context("spawn")
    linux = sys.platform.startswith("linux")
    pid_queue = context.Queue() if linux else None
    executor = ProcessPoolExecutor(1, mp_context=context,
                                   initializer=_background_process_setup,
                                   initargs=(nice, os.getpid(), pid_queue))
    future = executor.submit(fn, *args, **kwargs)
    executor.shutdown(wait=False)  # the process ends when fn returns
    run = BackgroundRun(future, pid_queue)
    # the starting process reads pid_queue, so it must outlive a caller that drops the run
    _RUNNING.add(run)
    future.add_done_callback(lambda _: _RUNNING.discard(run))
    return run


_RUNNING: set[BackgroundRun] = set()


def _background_process_setup(nice: int, parent: int, pid_queue) -> None:
    """Lower the priority; on Linux, also end this process and all it started with its parent.

    The process and every program it starts (Spark's JVM) form one process group. When the
    notebook's kernel goes away (restarted, interrupted, killed), Linux sends SIGTERM here
    (``PR_SET_PDEATHSIG``) and the whole group is killed, so no JVM is left behind. Linux ties
    this to the *thread* that started the process: call :func:`in_background` from a thread that
    outlives the work (a notebook's cells run in the kernel's main thread).
    """
    try:
        os.nice(nice)
    except (AttributeError, OSError):  # a platform without nice: normal priority
        pass
    if pid_queue is None:
        return
    os.setpgrp()
    pid_queue.put(os.getpid())  # the group's id, for BackgroundRun.paused
    signal.signal(signal.SIGTERM, lambda *_: os.killpg(0, signal.SIGKILL))
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before prctl took effect
        os.killpg(0, signal.SIGKILL)


def spark_runs(sentences, partitions=(1,), master: str = "local[2]",
               **settings) -> tuple[dict | None, str]:
    """Start a Spark context, train Spark MLlib's ``Word2Vec`` once per number of partitions.

    Lesson 12's live Spark runs, whole, so that :func:`in_background` can run them in a process
    of their own. The context is stopped at the end.

    Parameters
    ----------
    sentences : list of list of str
    partitions : tuple of int
        One run per value of ``num_partitions``.
    master : str
        As :func:`spark_context` takes it.
    **settings
        Our names, as :func:`spark_settings` takes them (except ``num_partitions``).

    Returns
    -------
    runs : dict or None
        ``{P: (wv, info)}`` as :func:`train_spark` returns them; None when pyspark is not
        installed or Spark cannot start (no Java runtime, say).
    status : str
        One line: the Spark context and its start time, or why there is none.
    """
    if not pyspark_available():
        return None, ("pyspark is not installed, so the live Spark cells are skipped: "
                      f"{SPARK_INSTALL_HINT}")
    # the JVM's console (its log lines, a notice that no native BLAS was found) goes to a file:
    # in a notebook it would otherwise appear under whichever cell is running at the time
    fd, log = tempfile.mkstemp(prefix="w2v_edu-spark-", suffix=".log")
    os.close(fd)
    start = time.perf_counter()
    try:
        with _console_to(log):
            sc = spark_context(master)
    except Exception as exc:  # e.g. no Java runtime: one line, not a JVM stack trace
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        return None, (f"Spark could not start, the live Spark cells are skipped: {first_line} "
                      f"(Spark's console output: {log})")
    seconds = time.perf_counter() - start
    status = f"Spark {sc.version} context on {master}, started in {seconds:.1f} s"
    try:
        runs = {P: train_spark(sentences, sc, num_partitions=P, **settings) for P in partitions}
    finally:
        sc.stop()
    with suppress(OSError):
        os.remove(log)
    return runs, status


@contextmanager
def _console_to(path: str):
    """Inside the block, this process's standard output and error (file descriptors 1 and 2)
    write to ``path``; programs started inside (Spark's JVM) keep writing there after it."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def train_gensim(sentences, *, workers: int = 3, callbacks=(), **settings):
    """gensim's ``Word2Vec`` on ``sentences`` with ``workers`` threads; returns the gensim model.

    ``settings`` are gensim's own names (ours): ``sg`` defaults to 1 (skip-gram, as in this
    course).
    """
    from gensim.models import Word2Vec as GensimWord2Vec

    workers = check_int("workers", workers, 1)
    settings.setdefault("sg", 1)
    model = GensimWord2Vec(workers=workers, **settings)
    model.build_vocab(sentences)
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs,
                callbacks=list(callbacks))
    return model


def train_gensim_seeds(sentences, seeds, *, workers: int = 1, **settings) -> dict:
    """:func:`train_gensim` once per seed, the models side by side (a thread each); returns
    ``{seed: gensim model}``.

    Each model is the one ``train_gensim(sentences, workers=workers, seed=seed, **settings)``
    gives (with ``workers=1``, bit for bit). Meant for a background process (lesson 09 compares
    with two seeds): one process instead of one per seed spares a Python start and gensim's import
    (about 2.5 s of CPU each), and gensim's compiled loop releases Python's lock (the GIL), so the
    models still train in parallel on the cores that are free.
    """
    seeds = [check_int("seed", seed) for seed in seeds]
    if not seeds or len(set(seeds)) < len(seeds):
        raise ValueError(f"expected one or more distinct seeds, got {seeds}")
    with ThreadPoolExecutor(len(seeds)) as pool:
        runs = {seed: pool.submit(train_gensim, sentences, workers=workers, seed=seed, **settings)
                for seed in seeds}
    return {seed: run.result() for seed, run in runs.items()}


def keyed_vectors_from_gensim(model) -> KeyedVectors:
    """gensim's trained vectors as our :class:`KeyedVectors` (same words, order and counts)."""
    wv = model.wv
    counts = [wv.get_vecattr(w, "count") for w in wv.index_to_key]
    return KeyedVectors(wv.index_to_key, wv.vectors, counts=counts)
