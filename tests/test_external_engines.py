"""The same CLI on gensim's threads and on Spark MLlib: names mapped, gaps said, same output."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from w2v_edu import cli, external_engines
from w2v_edu.keyedvectors import KeyedVectors

HAS_PYSPARK = external_engines.pyspark_available()
needs_pyspark = pytest.mark.skipif(
    not HAS_PYSPARK, reason=f"pyspark is not installed ({external_engines.SPARK_INSTALL_HINT})")


def test_spark_settings_map_our_names_and_say_what_spark_lacks():
    params, notes = external_engines.spark_settings(
        vector_size=50, window=3, min_count=2, alpha=0.05, epochs=4, seed=7, num_partitions=3,
        negative=5, hs=0, sample=1e-3, min_alpha=1e-4)
    assert params == {"vectorSize": 50, "windowSize": 3, "minCount": 2, "stepSize": 0.05,
                      "maxIter": 4, "seed": 7, "numPartitions": 3, "maxSentenceLength": 1000}
    text = " ".join(notes)
    assert "no negative sampling" in text and "subsample" in text and "alpha*1e-4" in text
    assert "averaged after every iteration" in text
    # Spark's own setting: nothing to warn about
    assert external_engines.spark_settings(negative=0, hs=1, sample=0)[1] == []
    assert "CBOW" in " ".join(external_engines.spark_settings(sg=0)[1])
    assert "hs=0" in " ".join(external_engines.spark_settings(negative=0, hs=0)[1])
    with pytest.raises(ValueError, match="num_partitions"):
        external_engines.spark_settings(num_partitions=0)
    with pytest.raises(TypeError, match="vector_size"):
        external_engines.spark_settings(vector_size="100")


def test_gensim_one_worker_is_reproducible_and_wrapped_in_our_vectors(toy):
    kw = dict(vector_size=10, min_count=1, epochs=2, seed=3, negative=3)
    a = external_engines.train_gensim(toy, workers=1, **kw)
    b = external_engines.train_gensim(toy, workers=1, **kw)
    assert a.sg == 1 and a.workers == 1
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    wv = external_engines.keyed_vectors_from_gensim(a)
    assert isinstance(wv, KeyedVectors) and wv.index_to_key == a.wv.index_to_key
    assert np.array_equal(wv.vectors, a.wv.vectors)
    assert wv.get_vecattr(wv.index_to_key[0], "count") == a.wv.get_vecattr(
        a.wv.index_to_key[0], "count")


def test_gensim_seeds_side_by_side_are_the_models_trained_one_at_a_time(toy):
    kw = dict(vector_size=10, min_count=1, epochs=2, negative=3)
    models = external_engines.train_gensim_seeds(toy, seeds=(3, 4), **kw)
    assert list(models) == [3, 4]
    for seed, model in models.items():
        alone = external_engines.train_gensim(toy, workers=1, seed=seed, **kw)
        assert model.seed == seed and model.workers == 1
        assert np.array_equal(model.wv.vectors, alone.wv.vectors)
    assert not np.array_equal(models[3].wv.vectors, models[4].wv.vectors)
    with pytest.raises(ValueError, match="distinct seeds"):
        external_engines.train_gensim_seeds(toy, seeds=(1, 1), **kw)
    with pytest.raises(ValueError, match="distinct seeds"):
        external_engines.train_gensim_seeds(toy, seeds=(), **kw)
    with pytest.raises(TypeError, match="seed"):
        external_engines.train_gensim_seeds(toy, seeds=("1",), **kw)


def test_cli_gensim_engine_writes_the_same_file_and_table(tmp_path, capsys):
    out = tmp_path / "g.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "2", "--engine", "gensim",
                     "--workers", "2", "--epochs", "2", "--vector-size", "12", "--no-progress",
                     "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "workers=2" in text and "runs differ" in text
    assert "epoch 2/2" in text and "WordSim353 Spearman" in text and "Nearest neighbours" in text
    wv = KeyedVectors.load_word2vec_format(str(out))
    assert wv.vector_size == 12 and len(wv) > 10


def test_cli_notes_for_options_an_engine_does_not_use(tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "2", "--epochs", "1",
                     "--vector-size", "8", "--workers", "4", "--num-partitions", "2",
                     "--no-progress", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "--workers 4 is for --engine gensim" in err and "--num-partitions is for" in err


def test_cli_spark_without_pyspark_is_one_error_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(external_engines, "pyspark_available", lambda: False)
    assert cli.main(["train", "--corpus", "toy", "--engine", "spark", "--out",
                     str(tmp_path / "s.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs pyspark" in err[0] and "requirements-spark.txt" in err[0]
    assert not (tmp_path / "s.txt").exists()


def test_cli_external_engines_check_their_input(tmp_path, capsys):
    assert cli.main(["train", "--corpus", "toy", "--engine", "gensim", "--hs", "0",
                     "--negative", "0", "--out", str(tmp_path / "x.txt")]) == 2
    assert "output layer" in capsys.readouterr().err
    assert cli.main(["train", "--corpus", "toy", "--engine", "gensim", "--workers", "0",
                     "--out", str(tmp_path / "x.txt")]) == 2
    assert "--workers" in capsys.readouterr().err
    assert cli.main(["train", "--corpus", "toy", "--engine", "spark", "--num-partitions", "0",
                     "--out", str(tmp_path / "x.txt")]) == 2
    assert "--num-partitions" in capsys.readouterr().err


@pytest.fixture
def short_lived_jvm(monkeypatch):
    # These jobs live seconds: the JVM's optimising compiler (C2) would cost more CPU than it
    # saves (33 -> 19 CPU seconds on the development machine with C1 alone). Only the JIT
    # changes; what the tests check does not depend on it. Someone's own PYSPARK_SUBMIT_ARGS
    # wins. (It matters only to the test that starts the JVM: pyspark keeps one per process.)
    if "PYSPARK_SUBMIT_ARGS" not in os.environ:
        monkeypatch.setenv("PYSPARK_SUBMIT_ARGS",
                           "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell")


@needs_pyspark
def test_cli_spark_engine_trains_locally_and_writes_the_same_file(tmp_path, capsys,
                                                                  short_lived_jvm):
    out = tmp_path / "s.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "2", "--engine", "spark",
                     "--spark-master", "local[2]", "--num-partitions", "2", "--epochs", "1",
                     "--vector-size", "12", "--hs", "1", "--negative", "0", "--sample", "0",
                     "--no-progress", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "numPartitions=2" in captured.out and "Spark fit" in captured.out
    assert "WordSim353 Spearman" in captured.out
    assert "averaged after every iteration" in captured.err
    assert "negative sampling" not in captured.err  # hs=1 negative=0 is Spark's own setting
    wv = KeyedVectors.load_word2vec_format(str(out))
    counts = Counter(w for s in cli.load_corpus("toy") for w in s)
    # Spark's vocabulary is ours: every word with count >= min_count, most frequent first
    assert set(wv.index_to_key) == {w for w, c in counts.items() if c >= 2}
    assert [counts[w] for w in wv.index_to_key] == sorted(
        (counts[w] for w in wv.index_to_key), reverse=True)
    assert wv.vector_size == 12 and np.all(np.isfinite(wv.vectors))


@needs_pyspark
def test_train_spark_gives_the_vectors_of_pysparks_own_word2vec(short_lived_jvm):
    # train_spark sets MLlib's Word2Vec class up through py4j; pyspark's own RDD-based wrapper
    # (pyspark.mllib.feature.Word2Vec) builds the same class from its arguments. With one
    # partition (no Hogwild between partitions) both must give the same vectors, so the names
    # are mapped onto the right setters. (Spark ML's DataFrame Word2Vec wraps the same class
    # again; comparing with it too would cost a SparkSession, about 10 s more here.)
    from pyspark.mllib.feature import Word2Vec as PySparkWord2Vec

    sentences = cli.load_corpus("toy")
    sc = external_engines.spark_context("local[2]")
    try:
        wv, info = external_engines.train_spark(sentences, sc, vector_size=8, min_count=2,
                                                window=3, alpha=0.05, seed=5, num_partitions=1)
        fitted = (PySparkWord2Vec().setVectorSize(8).setMinCount(2).setWindowSize(3)
                  .setLearningRate(0.05).setSeed(5).setNumPartitions(1).setNumIterations(1)
                  .fit(sc.parallelize([list(s) for s in sentences])))
        theirs = {w: fitted.transform(w).toArray() for w in wv.index_to_key}
    finally:
        sc.stop()
    assert info["params"]["stepSize"] == 0.05 and info["params"]["windowSize"] == 3
    counts = Counter(w for s in sentences for w in s)
    assert len(theirs) == len(wv) == sum(1 for c in counts.values() if c >= 2)
    np.testing.assert_array_equal(np.array([theirs[w] for w in wv.index_to_key], np.float32),
                                  wv.vectors)


def test_in_background_runs_in_a_process_of_its_own_at_lower_priority():
    # os.nice(0) reports the priority of the process it runs in: the child's, not ours
    ours = os.nice(0)
    assert external_engines.in_background(os.nice, 0, nice=7).result(timeout=60) == ours + 7
    assert os.nice(0) == ours
    assert external_engines.in_background(os.getpid).result(timeout=60) != os.getpid()
    with pytest.raises(FileNotFoundError):  # the function's own exception comes back
        external_engines.in_background(os.stat, "/no/such/file").result(timeout=60)
    with pytest.raises(ValueError, match="nice"):
        external_engines.in_background(os.getpid, nice=-1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pausing a process group is "
                    "implemented for Linux only; elsewhere paused() just runs the block")
def test_a_paused_background_process_makes_no_progress_until_resumed(tmp_path):
    ticks = tmp_path / "ticks"
    ticks.touch()
    loop = f"while :; do echo x >> '{ticks}'; sleep 0.02; done"
    run = external_engines.in_background(subprocess.run, ["sh", "-c", loop], nice=0)
    try:
        deadline = time.monotonic() + 30
        while ticks.stat().st_size == 0:
            assert time.monotonic() < deadline, "the background program never started"
            time.sleep(0.05)
        with run.paused():
            time.sleep(0.2)  # a write under way when the signal came may still land
            frozen = ticks.stat().st_size
            time.sleep(0.5)
            assert ticks.stat().st_size == frozen, "the paused program kept running"
        time.sleep(0.5)
        assert ticks.stat().st_size > frozen, "the program did not resume"
    finally:  # the loop never ends by itself
        os.killpg(run._pgid or run._pid_queue.get(timeout=30), signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        run.result(timeout=30)


def test_console_to_sends_a_started_programs_output_to_the_file_and_restores_ours(tmp_path,
                                                                                capfd):
    # what spark_runs does with the JVM's log lines, which would otherwise land in whichever
    # notebook cell runs when they are written
    log = tmp_path / "console.log"
    with external_engines._console_to(str(log)):
        subprocess.run(["sh", "-c", "echo out; echo err >&2"], check=True)
    subprocess.run(["sh", "-c", "echo after"], check=True)
    assert log.read_text().split() == ["out", "err"]
    assert capfd.readouterr().out == "after\n"


def test_spark_runs_says_why_there_are_none_without_pyspark(monkeypatch):
    monkeypatch.setattr(external_engines, "pyspark_available", lambda: False)
    runs, status = external_engines.spark_runs([["a", "b"]], partitions=(1, 2))
    assert runs is None and "pyspark is not installed" in status and "requirements-spark" in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and "
                    "PR_SET_PDEATHSIG are Linux's; elsewhere the background process is not tied")
def test_a_background_process_and_what_it_started_end_with_the_notebook(tmp_path):
    # A kernel killed while Spark starts must not leave a JVM behind: here a `sleep` stands for it
    marker = f"{600 + os.getpid() % 100}.{time.monotonic_ns() % 10**6}"  # seconds, unique
    script = tmp_path / "kernel.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "from w2v_edu.external_engines import in_background\n"
        "if __name__ == '__main__':\n"
        f"    in_background(subprocess.run, ['sleep', '{marker}'])\n"
        "    print('started', flush=True)\n"
        "    time.sleep(120)\n")
    kernel = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert kernel.stdout.readline().strip() == "started"

    def running():  # is a process with the marker in its command line alive? (Linux's /proc)
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if cmdline.read_bytes().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                    return True
            except OSError:  # the process ended while we looked
                continue
        return False

    deadline = time.monotonic() + 30
    while not running():
        assert time.monotonic() < deadline, "the background program never started"
        time.sleep(0.1)
    kernel.kill()
    kernel.wait()
    deadline = time.monotonic() + 10
    while running():
        assert time.monotonic() < deadline, "the background program outlived its kernel"
        time.sleep(0.1)
