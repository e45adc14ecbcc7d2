"""Hogwild simulated: one worker is the plain engine exactly; more workers read stale rows."""

import copy

import numpy as np
import pytest

from w2v_edu import Word2Vec, minibatch_engine, per_pair_engine
from w2v_edu.hogwild import hogwild_epoch, hogwild_train, interleave, two_worker_race
from w2v_edu.per_pair_engine import pair_update
from w2v_edu.random_streams import NumpyDraws
from w2v_edu.training_corpus import epoch_jobs


def _setup(corpus, batch_size=8, **kw):
    settings = dict(sg=1, vector_size=12, min_count=1, negative=3, sample=0, seed=3, epochs=1,
                    progress=False, batch_size=batch_size, batch_words=100)
    settings.update(kw)
    m = Word2Vec(**settings)
    m.build_vocab(corpus)
    plan = m._plan(1, m.alpha, m.min_alpha, m.corpus_count, None)
    return m, plan, m._encode(corpus)


def _draws(m, seed=1):
    return NumpyDraws(np.random.default_rng([seed, 1]), m.noise)


def _run_hogwild(m, plan, enc, workers, seed, draws_seed=1):
    w = copy.deepcopy(m.weights)
    d = _draws(m, draws_seed)
    stats = hogwild_epoch(w, epoch_jobs(enc, plan, d, 0), plan, d, workers=workers, seed=seed)
    return w, stats


@pytest.mark.parametrize("kw", [dict(), dict(hs=1, negative=0), dict(hs=1, negative=2,
                                                                         sample=1e-2)])
def test_one_worker_is_the_plain_engine_exactly(toy, kw):
    m, plan, enc = _setup(toy, **kw)
    plain = copy.deepcopy(m.weights)
    d = _draws(m)
    plain_stats = minibatch_engine.run_epoch(plain, epoch_jobs(enc, plan, d, 0), plan, d,
                                             lambda s: None)
    w, stats = _run_hogwild(m, plan, enc, workers=1, seed=0)
    for a, b in zip(w.matrices(), plain.matrices(), strict=True):
        assert np.array_equal(a, b)
    assert stats.total.loss == plain_stats.loss
    assert stats.total.pairs == plain_stats.pairs
    assert stats.stale_rows == 0 and stats.stale_steps == 0


def test_several_workers_read_stale_rows_and_change_the_result(toy):
    m, plan, enc = _setup(toy, shrink_windows=False)
    one, _ = _run_hogwild(m, plan, enc, workers=1, seed=0)
    four, stats = _run_hogwild(m, plan, enc, workers=4, seed=0)
    assert stats.stale_rows > 0 and 0 < stats.stale_row_fraction < 1
    assert 0 < stats.stale_step_fraction <= 1
    assert not np.array_equal(one.syn0, four.syn0)
    # every job trained exactly once: without random draws in the pipeline, the same pairs
    assert stats.total.pairs == sum(job.skipgram_pairs()[0].shape[0]
                                    for job in epoch_jobs(enc, plan, _draws(m), 0))
    assert len(set(stats.order)) == 4
    assert stats.stale_by_input_word.sum() <= stats.stale_rows


def test_the_interleaving_is_a_seeded_parameter(toy):
    m, plan, enc = _setup(toy)
    a, sa = _run_hogwild(m, plan, enc, workers=3, seed=5)
    b, sb = _run_hogwild(m, plan, enc, workers=3, seed=5)
    c, sc = _run_hogwild(m, plan, enc, workers=3, seed=6)
    assert sa.order == sb.order and np.array_equal(a.syn0, b.syn0)
    assert sa.order != sc.order and not np.array_equal(a.syn0, c.syn0)


def test_hogwild_barely_changes_the_loss_on_sparse_updates(lee):
    m, plan, enc = _setup(lee[:120], batch_size=16, vector_size=20, min_count=3,
                          batch_words=2000)
    _, one = _run_hogwild(m, plan, enc, workers=1, seed=0)
    _, four = _run_hogwild(m, plan, enc, workers=4, seed=0)
    l1 = one.total.loss / one.total.pairs
    l4 = four.total.loss / four.total.pairs
    assert abs(l4 - l1) / l1 < 0.05
    assert four.stale_row_fraction < 0.5


def test_slots_limit_how_many_tasks_run_at_once(toy):
    m, plan, enc = _setup(toy)
    jobs = list(epoch_jobs(enc, plan, _draws(m), 0))
    feeds = [jobs[:1], jobs[1:2], jobs[2:3]]
    ended = []
    w = copy.deepcopy(m.weights)
    stats = interleave(w, feeds, plan, _draws(m), seed=0, slots=1,
                       on_task_end=ended.append)
    # one slot: tasks run one after the other, in order, never stale
    assert ended == [0, 1, 2]
    assert stats.order == sorted(stats.order)
    assert stats.stale_rows == 0


def test_bad_input_is_refused_clearly(toy):
    m, plan, enc = _setup(toy)
    w = copy.deepcopy(m.weights)
    with pytest.raises(ValueError, match="APPLIES_BEFORE_REPORT"):
        interleave(w, [[]], plan, _draws(m), seed=0, engine=per_pair_engine)
    with pytest.raises(ValueError, match="at least one task"):
        interleave(w, [], plan, _draws(m), seed=0)
    with pytest.raises(ValueError, match="workers"):
        hogwild_epoch(w, [], plan, _draws(m), workers=0, seed=0)
    with pytest.raises(TypeError, match="seed"):
        hogwild_epoch(w, [], plan, _draws(m), workers=2, seed="x")
    with pytest.raises(ValueError, match="one draws object per task"):
        interleave(w, [[], []], plan, [_draws(m)], seed=0)


def test_an_error_in_a_worker_reaches_the_caller(toy):
    m, plan, enc = _setup(toy)

    def broken():
        yield from epoch_jobs(enc, plan, _draws(m), 0)
        raise RuntimeError("corpus broke")

    feed = broken()
    with pytest.raises(RuntimeError, match="corpus broke"):
        interleave(copy.deepcopy(m.weights), [feed, feed], plan, _draws(m), seed=0)


def test_two_worker_race_serial_hogwild_and_lost_update():
    rng = np.random.default_rng(0)
    syn0 = rng.normal(0, 0.5, (4, 3)).astype(np.float32)
    out = rng.normal(0, 0.5, (4, 3)).astype(np.float32)
    a = (1, np.array([0, 2]), np.array([1.0, 0.0]))
    b = (1, np.array([0, 3]), np.array([1.0, 0.0]))  # same input row 1, same target row 0
    alpha = 0.1
    race = two_worker_race(syn0, out, a, b, alpha)
    # serial: a then b, as one thread would
    s0, s1 = syn0.copy(), out.copy()
    pair_update(s0, s1, *a[:2], a[2].astype(np.float32), alpha)
    pair_update(s0, s1, *b[:2], b[2].astype(np.float32), alpha)
    assert np.array_equal(race.serial[0], s0) and np.array_equal(race.serial[1], s1)
    # Hogwild: both increments land, computed from the same start: differs from serial by
    # O(alpha^2), far less than the increments themselves
    step = np.abs(race.serial[0] - syn0).max()
    gap = np.abs(race.hogwild[0] - race.serial[0]).max()
    assert 0 < gap < 0.2 * step
    # rows only one worker touched: identical in all three
    assert np.array_equal(race.lost_update[1][2], race.hogwild[1][2])
    assert np.array_equal(race.lost_update[1][3], race.hogwild[1][3])
    # lost update: on the shared rows a's increment is gone -- the result is b's alone
    b0, b1 = syn0.copy(), out.copy()
    pair_update(b0, b1, *b[:2], b[2].astype(np.float32), alpha)
    assert np.array_equal(race.lost_update[0][1], b0[1])
    assert np.array_equal(race.lost_update[1][0], b1[0])
    assert np.abs(race.lost_update[0][1] - race.hogwild[0][1]).max() > 10 * gap
    # inputs untouched
    with pytest.raises(TypeError, match="syn0"):
        two_worker_race([[0.0]], out, a, b, alpha)


def test_hogwild_train_one_worker_equals_word2vec_train(toy):
    kw = dict(sg=1, vector_size=10, min_count=1, negative=3, seed=4, epochs=2, progress=False,
              batch_size=8, batch_words=150)
    plain = Word2Vec(**kw)
    plain.build_vocab(toy)
    plain.train()
    one = Word2Vec(**kw)
    one.build_vocab(toy)
    records = hogwild_train(one, workers=1, seed=0)
    assert len(records) == 2 and len(one.history) == 2
    assert np.array_equal(one.wv.vectors, plain.wv.vectors)
    assert np.array_equal(one.syn1neg, plain.syn1neg)
    two = Word2Vec(**kw)
    two.build_vocab(toy)
    hogwild_train(two, workers=2, seed=0)
    assert not np.array_equal(two.wv.vectors, plain.wv.vectors)
    assert two.history[-1]["stale_row_fraction"] > 0
    with pytest.raises(RuntimeError, match="build_vocab"):
        hogwild_train(Word2Vec(sg=1, progress=False), workers=2, seed=0)


def test_corpus_loss_leaves_the_weights_and_orders_models(toy):
    from w2v_edu.evaluation import corpus_loss

    kw = dict(sg=1, vector_size=10, min_count=1, negative=3, hs=1, seed=4, progress=False)
    untrained = Word2Vec(epochs=1, **kw)
    untrained.build_vocab(toy)
    before = untrained.wv.vectors.copy()
    start = corpus_loss(untrained, toy)
    assert np.array_equal(untrained.wv.vectors, before)
    # all output vectors zero: every target costs log 2, about the initial loss per pair
    assert start == pytest.approx(untrained.initial_loss_per_pair(), rel=0.05)
    trained = Word2Vec(toy, epochs=5, **kw)
    assert corpus_loss(trained, toy) < start
    assert corpus_loss(trained, toy, seed=1) == corpus_loss(trained, toy, seed=1)
