"""Spark MLlib's scheme simulated: partitions, Spark's learning rate, merges, local mode."""

import copy
import dataclasses

import numpy as np
import pytest

from w2v_edu import Word2Vec
from w2v_edu.engine import get_engine, mean_loss
from w2v_edu.parameter_averaging import (
    merge_rows,
    partition_jobs,
    spark_alpha,
    spark_alpha_schedule,
    spark_partitions,
    spark_sentences,
    train_averaged,
)
from w2v_edu.random_streams import NumpyDraws
from w2v_edu.training_corpus import EncodedCorpus, epoch_jobs


def _model(corpus, **kw):
    settings = dict(sg=1, vector_size=10, min_count=2, hs=1, negative=0, sample=0, seed=2,
                    progress=False, batch_size=16)
    settings.update(kw)
    m = Word2Vec(**settings)
    m.build_vocab(corpus)
    return m


# ---------------------------------------------------------------------- Spark's learning rate
def test_spark_alpha_formula_and_floor():
    # alpha = lr (1 - (P wc + (k-1) T) / (K T + 1))
    assert spark_alpha(0.025, 0, 1, 1, 1, 1000) == 0.025
    assert spark_alpha(0.025, 500, 2, 1, 1, 1000) == pytest.approx(0.025 * (1 - 1000 / 1001))
    assert spark_alpha(0.1, 300, 1, 2, 3, 1000) == pytest.approx(0.1 * (1 - 1300 / 3001))
    # P wc beyond T (unequal partitions): floored at lr 1e-4
    assert spark_alpha(0.025, 900, 2, 1, 1, 1000) == pytest.approx(0.025e-4)


def test_spark_alpha_schedule_restarts_and_updates_every_10k_words():
    lengths = np.full(30, 1000)
    a = spark_alpha_schedule(lengths, 0.025, 1, 1, 1, 30000)
    # the first 11 sentences: nothing recomputed yet (more than 10,000 words needed)
    assert np.all(a[:11] == 0.025)
    assert a[11] == pytest.approx(spark_alpha(0.025, 11000, 1, 1, 1, 30000))
    assert np.all(a[11:22] == a[11]) and a[22] == pytest.approx(
        spark_alpha(0.025, 22000, 1, 1, 1, 30000))
    # a later iteration starts at the full rate again, then drops below where the last ended
    first = spark_alpha_schedule(lengths, 0.025, 1, 1, 2, 30000)
    second = spark_alpha_schedule(lengths, 0.025, 1, 2, 2, 30000)
    assert second[0] == 0.025 > first[-1]
    assert second[11] == pytest.approx(spark_alpha(0.025, 11000, 1, 2, 2, 30000))
    assert second[11] < first[-1]
    # equal partitions: P partitions of T/P words end where one partition of T ends
    a8 = spark_alpha_schedule(np.full(30, 1000), 0.025, 8, 1, 1, 8 * 30000)
    assert a8[-1] == pytest.approx(a[-1], rel=1e-3)


def test_spark_sentences_and_partitions(toy):
    m = _model(toy)
    chunks = spark_sentences([["zzz_unknown"] + toy[0] * 3], m.vocab, max_sentence_length=4)
    known = [w for w in toy[0] * 3 if w in m.vocab.key_to_index]
    assert [w for c in chunks for w in c] == known
    assert all(1 <= len(c) <= 4 for c in chunks)
    parts = spark_partitions(10, 3, seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(10))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert all(np.all(np.diff(p) == 3) for p in parts if len(p) > 1)
    with pytest.raises(ValueError, match="num_partitions"):
        spark_partitions(10, 0, seed=0)


# ---------------------------------------------------------------------- merges
def test_merge_rows_average_sum_mean():
    start = np.zeros((4, 2), np.float32)
    values = [(np.array([0, 1]), np.array([[1.0, 1.0], [2.0, 2.0]])),
              (np.array([1, 2]), np.array([[4.0, 4.0], [6.0, 6.0]]))]
    avg = merge_rows(start, values, "average")
    assert avg.tolist() == [[1, 1], [3, 3], [6, 6], [0, 0]]
    assert merge_rows(start, values, "sum").tolist() == [[1, 1], [6, 6], [6, 6], [0, 0]]
    start[3] = 5
    mean = merge_rows(start, values, "mean")
    assert mean.tolist() == [[0.5, 0.5], [3, 3], [3, 3], [5, 5]]
    with pytest.raises(ValueError, match="merge"):
        merge_rows(start, values, "median")


# ---------------------------------------------------------------------- the whole scheme
def _plain_spark_pass(m, corpus, seed):
    """P = 1, K = 1 by hand: the engine on the whole (Spark-cut) corpus with Spark's alphas."""
    chunks = spark_sentences(corpus, m.vocab)
    order = spark_partitions(len(chunks), 1, seed)[0]
    enc = EncodedCorpus.from_sentences([chunks[i] for i in order], m.vocab)
    T = sum(map(len, chunks))
    plan = dataclasses.replace(m._plan(1, m.alpha, m.alpha * 1e-4, None, T), batch_words=1000)
    w = copy.deepcopy(m.weights)
    d = NumpyDraws(np.random.default_rng([seed, 1, 0]), m.noise)
    get_engine(m.engine).run_epoch(w, partition_jobs(enc, plan, d, 1, 1, 1, T), plan, d,
                                   lambda s: None)
    return w


@pytest.mark.parametrize("merge", ["average", "sum", "mean"])
@pytest.mark.parametrize("local_mode", [False, True])
def test_one_partition_is_the_plain_engine_exactly(lee, merge, local_mode):
    corpus = lee[:40]
    m = _model(corpus)
    expected = _plain_spark_pass(m, corpus, seed=m.seed)
    history = train_averaged(m, corpus, num_partitions=1, merge=merge, local_mode=local_mode)
    assert np.array_equal(m.weights.syn0, expected.syn0)
    assert np.array_equal(m.weights.syn1, expected.syn1)
    assert history[0].touched["syn0"].max() == 1
    assert history[0].partition_words == [sum(map(len, spark_sentences(corpus, m.vocab)))]


def test_isolated_partitions_are_averaged_over_the_partitions_that_touched_a_row(lee):
    corpus = lee[:60]
    m = _model(corpus)
    start = m.weights.syn0.copy()
    h = train_averaged(m, corpus, num_partitions=3)[0]
    rows_per_part = [rows for rows, _ in h.returned["syn0"]]
    # each copy started from the broadcast vectors; as in Spark, a partition returns the input
    # row of every pair it trained (every word of a sentence with >= 2 words: b >= 1), changed
    # or not (saturated), and every output row it updated
    assert np.array_equal(h.broadcast["syn0"], start)
    chunks = spark_sentences(corpus, m.vocab)
    for idx, (rows, vectors) in zip(spark_partitions(len(chunks), 3, m.seed),
                                    h.returned["syn0"], strict=True):
        words = {m.vocab.key_to_index[w] for i in idx if len(chunks[i]) >= 2 for w in chunks[i]}
        assert set(rows.tolist()) == words
        assert np.mean(np.any(vectors != start[rows], axis=1)) > 0.9
    for rows, vectors in h.returned["syn1"]:
        assert np.all(np.any(vectors != h.broadcast["syn1"][rows], axis=1))
    expected = merge_rows(start, h.returned["syn0"], "average")
    assert np.array_equal(m.weights.syn0, expected)
    counts = h.touched["syn0"]
    assert counts.max() == 3 and counts.min() >= 0
    assert counts.sum() == sum(len(r) for r in rows_per_part)
    # rows no partition touched keep their broadcast value
    assert np.array_equal(m.weights.syn0[counts == 0], start[counts == 0])


def test_more_partitions_shrink_the_vectors_and_slow_the_descent(lee):
    corpus = lee[:150]
    norms, losses = {}, {}
    base = _model(corpus)
    held = EncodedCorpus.from_sentences(corpus[::3], base.vocab)
    plan = dataclasses.replace(base._plan(1, 0.025, 0.0001, None, held.total_raw_words),
                               shrink_windows=False)
    start_loss = mean_loss(base.weights, epoch_jobs(held, plan, NumpyDraws(
        np.random.default_rng(0), base.noise), 0), plan, None)
    for P in (1, 8):
        m = _model(corpus)
        h = train_averaged(m, corpus, num_partitions=P)
        # how far the input vectors moved from where they started
        norms[P] = np.linalg.norm(m.weights.syn0 - h[0].broadcast["syn0"], axis=1).mean()
        d = NumpyDraws(np.random.default_rng(0), m.noise)
        losses[P] = mean_loss(m.weights, epoch_jobs(held, plan, d, 0), plan, d)
    assert norms[8] < 0.5 * norms[1]
    assert losses[1] < losses[8] < start_loss


def test_sum_merge_grows_the_vectors_average_does_not(toy):
    grow = {}
    for merge in ("sum", "average"):
        m = _model(toy, min_count=1)
        h = train_averaged(m, toy, num_partitions=4, num_iterations=3, merge=merge)
        grow[merge] = h[-1].mean_norm / h[0].mean_norm
    assert grow["sum"] > 4 and grow["average"] < 2


def test_local_mode_shares_one_array_and_is_seeded(lee):
    corpus = lee[:60]
    a, b, c = (_model(corpus) for _ in range(3))
    iso = _model(corpus)
    train_averaged(a, corpus, num_partitions=4, local_mode=True, seed=1)
    train_averaged(b, corpus, num_partitions=4, local_mode=True, seed=1)
    train_averaged(c, corpus, num_partitions=4, local_mode=True, seed=2)
    train_averaged(iso, corpus, num_partitions=4, seed=1)
    assert np.array_equal(a.weights.syn0, b.weights.syn0)
    assert not np.array_equal(a.weights.syn0, c.weights.syn0)
    # shared: later partitions start from what earlier ones wrote -> longer vectors than isolated
    assert (np.linalg.norm(a.weights.syn0, axis=1).mean()
            > np.linalg.norm(iso.weights.syn0, axis=1).mean())


def test_more_partitions_than_sentences_and_bad_input(toy):
    m = _model(toy[:3], min_count=1)
    h = train_averaged(m, toy[:3], num_partitions=5)
    assert sum(1 for w in h[0].partition_words if w == 0) == 2
    fresh = Word2Vec(vector_size=5, progress=False)
    with pytest.raises(RuntimeError, match="build_vocab"):
        train_averaged(fresh, toy, num_partitions=2)
    m = _model(toy, min_count=1)
    with pytest.raises(ValueError, match="num_partitions"):
        train_averaged(m, toy, num_partitions=0)
    with pytest.raises(ValueError, match="merge"):
        train_averaged(m, toy, num_partitions=2, merge="max")
    with pytest.raises(TypeError, match="num_iterations"):
        train_averaged(m, toy, num_partitions=2, num_iterations=1.5)
    with pytest.raises(ValueError, match="in-vocabulary"):
        train_averaged(m, [["qqqq", "zzzz"]], num_partitions=2)
