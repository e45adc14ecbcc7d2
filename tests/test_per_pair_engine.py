"""The per-pair engine: one SGD step per (context, centre) pair, in gensim's order.

The strongest check is against gensim itself: on a setting without randomness in training
(hierarchical softmax, no subsampling, full windows) gensim's trained vectors are a function of
the vocabulary, the seed and the update order -- and ours must equal them.
"""

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_edu import Word2Vec
from w2v_edu.objectives import hierarchical_softmax_loss_and_grad, negative_sampling_loss_and_grad
from w2v_edu.per_pair_engine import pair_update
from w2v_edu.random_streams import GensimDraws, gensim_cum_table
from w2v_edu.schedules import linear_decay
from w2v_edu.sigmoid import gensim_sigmoid_table
from w2v_edu.training_corpus import EncodedCorpus
from w2v_edu.vocab import Vocabulary
from w2v_edu.word2vec import initial_vectors

DETERMINISTIC = dict(sg=1, hs=1, negative=0, sample=0, shrink_windows=False)


@pytest.fixture(scope="module")
def deterministic_run(lee):
    """gensim and our per-pair engine (table sigmoid, and exact sigmoid) on a setting without
    random draws in training: hierarchical softmax, no subsampling, full windows."""
    sentences = lee[:40]
    kw = dict(DETERMINISTIC, vector_size=20, window=3, min_count=2, seed=3, epochs=1,
              min_alpha=0.025)
    theirs = GensimWord2Vec(sentences, workers=1, **kw)
    table = Word2Vec(sentences, engine="per_pair", exp_table=True, progress=False, **kw)
    exact = Word2Vec(sentences, engine="per_pair", exp_table=False, progress=False, **kw)
    return kw, theirs, table, exact


def test_hierarchical_softmax_training_reproduces_gensim(deterministic_run):
    kw, theirs, ours, _ = deterministic_run
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    start = initial_vectors(len(ours.wv), kw["vector_size"], kw["seed"])
    moved = np.abs(theirs.wv.vectors - start).max()
    assert moved > 0.05  # training really changed the vectors ...
    # ... and ours changed them in the same way, up to float32 rounding
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, rtol=0, atol=2e-4)
    np.testing.assert_allclose(ours.syn1, theirs.syn1, rtol=0, atol=2e-4)


def test_gensim_sigmoid_table_matters_for_the_exact_match(deterministic_run):
    """The exact sigmoid trains almost the same vectors, but only the table matches gensim."""
    _, theirs, table, exact = deterministic_run
    err_table = np.abs(table.wv.vectors - theirs.wv.vectors).max()
    err_exact = np.abs(exact.wv.vectors - theirs.wv.vectors).max()
    assert err_exact > 20 * err_table
    assert err_exact < 0.05


def test_sigmoid_table_is_gensims():
    table = gensim_sigmoid_table()
    assert table.shape == (1000,) and table.dtype == np.float32
    x = (np.arange(1000) / 1000 * 2 - 1) * 6
    np.testing.assert_allclose(table, 1 / (1 + np.exp(-x)), rtol=1e-6)


def test_job_alphas_equal_gensims(lee):
    """One alpha per 10k-word job, progress in sentences: the same sequence gensim applies."""

    class Recording(GensimWord2Vec):
        def _do_train_job(self, sentences, alpha, inits):
            self.alphas_seen.append(alpha)
            return super()._do_train_job(sentences, alpha, inits)

    # min_count=400 keeps a handful of words: few pairs, but the jobs are those of all of Lee.
    kw = dict(sg=1, negative=5, min_count=400, epochs=3, seed=1, vector_size=10)
    theirs = Recording(workers=1, **kw)
    theirs.alphas_seen = []
    theirs.build_vocab(lee)
    theirs.train(lee, total_examples=theirs.corpus_count, epochs=theirs.epochs)
    # both engines train each job with its alpha from the one plan (epoch_jobs); that the
    # per-pair engine reports these alphas is checked against gensim in
    # test_gensim_faithful_edges.py
    ours = Word2Vec(engine="per_pair", progress=False, **kw)
    ours.build_vocab(lee)
    our_alphas = [job.alpha for epoch in range(3)
                  for job in ours.epoch_jobs(lee, epoch=epoch, epochs=3)]
    assert len(our_alphas) == len(theirs.alphas_seen) == 3 * 6
    np.testing.assert_allclose(our_alphas, theirs.alphas_seen, rtol=0, atol=1e-12)
    assert our_alphas[-1] == pytest.approx(theirs.min_alpha_yet_reached, abs=1e-12)


def test_jobs_hold_whole_sentences_up_to_batch_words(lee):
    corpus = EncodedCorpus.from_sentences(lee, Vocabulary.build(lee, min_count=5))
    jobs = list(corpus.jobs(10000))
    assert jobs[0][0] == 0 and jobs[-1][1] == len(lee)
    for (first, end, before), nxt in zip(jobs, jobs[1:] + [None], strict=True):
        assert corpus.raw_lengths[first:end].sum() <= 10000
        assert before == corpus.raw_lengths[:first].sum()
        if nxt is not None:
            assert nxt[0] == end
            # the next sentence did not fit
            assert corpus.raw_lengths[first:end + 1].sum() > 10000


def _ns_setup(seed=0, d=6):
    rng = np.random.default_rng(seed)
    syn0 = rng.standard_normal((8, d)) * 0.3
    syn1neg = rng.standard_normal((8, d)) * 0.3
    return syn0, syn1neg


def test_negative_sampling_pair_update_is_one_sgd_step_on_the_objective():
    syn0, syn1neg = _ns_setup()
    alpha = 0.05
    context, centre, noise = 2, 5, [1, 7, 3]
    loss, dv, du, dN = negative_sampling_loss_and_grad(syn0[context], syn1neg[centre],
                                                       syn1neg[noise])
    expected_v = syn0[context] - alpha * dv
    expected_u = syn1neg[centre] - alpha * du
    expected_N = syn1neg[noise] - alpha * dN
    got_loss = pair_update(syn0, syn1neg, context, np.array([centre] + noise),
                           np.array([1.0, 0, 0, 0]), alpha, max_exp=None)
    assert got_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(syn0[context], expected_v, rtol=1e-12)
    np.testing.assert_allclose(syn1neg[centre], expected_u, rtol=1e-12)
    np.testing.assert_allclose(syn1neg[noise], expected_N, rtol=1e-12)


def test_hierarchical_softmax_pair_update_is_one_sgd_step_on_the_objective():
    syn0, syn1 = _ns_setup(1)
    alpha = 0.05
    points, codes = np.array([6, 4, 0]), np.array([0, 1, 1], dtype=np.uint8)
    loss, dv, dP = hierarchical_softmax_loss_and_grad(syn0[3], syn1[points], codes)
    expected_v, expected_P = syn0[3] - alpha * dv, syn1[points] - alpha * dP
    got = pair_update(syn0, syn1, 3, points, 1.0 - codes, alpha, max_exp=None)
    assert got == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(syn0[3], expected_v, rtol=1e-12)
    np.testing.assert_allclose(syn1[points], expected_P, rtol=1e-12)


def test_a_noise_word_drawn_twice_sees_its_first_update():
    syn0, syn1neg = _ns_setup(2)
    alpha = 0.5
    targets, labels = np.array([5, 1, 1]), np.array([1.0, 0.0, 0.0])
    # gensim's order written out: each target updates its row before the next one is scored
    v = syn0[2].copy()
    u = syn1neg.copy()
    work = np.zeros_like(v)
    for t, lab in zip(targets, labels, strict=True):
        f = u[t] @ v
        g = (lab - 1 / (1 + np.exp(-f))) * alpha
        work += g * u[t]
        u[t] += g * v
    v += work
    # all targets scored before any update (what a vectorised step would do) differs
    f_all = syn1neg[targets] @ syn0[2]
    g_all = (labels - 1 / (1 + np.exp(-f_all))) * alpha
    stale = syn1neg.copy()
    np.add.at(stale, targets, np.outer(g_all, syn0[2]))
    assert np.abs(stale[1] - u[1]).max() > 1e-4

    pair_update(syn0, syn1neg, 2, targets, labels, alpha, max_exp=None)
    np.testing.assert_allclose(syn1neg, u, rtol=1e-12)
    np.testing.assert_allclose(syn0[2], v, rtol=1e-12)


def test_saturated_target_is_skipped_but_its_loss_counted():
    syn0 = np.zeros((3, 2))
    syn1neg = np.zeros((3, 2))
    syn0[0] = [1.0, 0.0]
    syn1neg[1] = [0.5, 0.0]  # f = 0.5: trained
    syn1neg[2] = [7.0, 0.0]  # f = 7 >= 6 for a noise word: skipped by gensim
    before = syn1neg.copy()
    loss = pair_update(syn0, syn1neg, 0, np.array([1, 2]), np.array([1.0, 0.0]), 0.1)
    assert np.array_equal(syn1neg[2], before[2])
    assert not np.array_equal(syn1neg[1], before[1])
    expected = np.log1p(np.exp(-0.5)) + np.log1p(np.exp(7.0))  # -log s(0.5) - log s(-7)
    assert loss == pytest.approx(expected, rel=1e-12)


def test_alpha_decays_linearly_over_jobs_within_one_train_call(lee):
    model = Word2Vec(lee[:80], sg=1, engine="per_pair", min_count=50, epochs=2, progress=False)
    schedule = linear_decay(model.alpha, model.min_alpha)
    alphas = [a for h in model.history for a in h["alphas"]]
    assert alphas[0] == model.alpha
    assert all(a > b for a, b in zip(alphas, alphas[1:], strict=False))  # strictly decreasing
    assert alphas[-1] >= schedule(1.0)


def test_gensim_integer_noise_table_is_gensims(lee):
    theirs = GensimWord2Vec(sg=1, negative=5, min_count=5)
    theirs.build_vocab(lee)
    vocab = Vocabulary.build(lee, min_count=5)
    assert np.array_equal(gensim_cum_table(vocab.counts, 0.75), theirs.cum_table)


@pytest.mark.parametrize("n", [0, 1, 5, 1023, 1024, 1025, 5000])
def test_gensims_generator_jumped_ahead_gives_the_step_by_step_draws(n):
    """The vectorised draws (jump-ahead in blocks) are the LCG's own, one step at a time."""
    vectorised, stepwise = GensimDraws(7, np.arange(1, 10)), GensimDraws(7, np.arange(1, 10))
    for draws in (vectorised, stepwise):
        draws.start_job()
    peeked = vectorised._peek(n)
    assert vectorised.next_random == stepwise.next_random  # peeking does not move it
    assert peeked.tolist() == [stepwise._next() for _ in range(n)]
    vectorised._advance(n)
    assert vectorised.next_random == stepwise.next_random


@pytest.mark.parametrize("limit", [None, 0, 1, 40, 10_000])
def test_subsampling_stops_drawing_once_the_job_is_full(limit):
    """gensim reads no token (and takes no draw) after the ``limit``-th kept one."""
    ids = np.random.default_rng(0).integers(0, 9, size=200)
    keep_prob = np.linspace(0.1, 1.0, 9)
    vectorised, stepwise = GensimDraws(3, np.arange(1, 10)), GensimDraws(3, np.arange(1, 10))
    for draws in (vectorised, stepwise):
        draws.start_job()
    keep = vectorised.keep(ids, keep_prob, limit)
    thresholds = (keep_prob * (2**32 - 1)).astype(np.uint32).astype(np.int64)[ids]
    expected, kept = np.zeros(ids.shape[0], dtype=bool), 0
    for t, threshold in enumerate(thresholds.tolist()):
        if kept == limit:
            break
        if threshold >= stepwise._next():
            expected[t], kept = True, kept + 1
    assert keep.tolist() == expected.tolist()
    assert np.count_nonzero(keep) == (np.count_nonzero(expected) if limit is None else min(
        limit, np.count_nonzero(expected)))
    assert vectorised.next_random == stepwise.next_random


@pytest.mark.parametrize("hs, negative", [(0, 5), (1, 0)])
def test_replaying_gensims_random_streams_reproduces_its_default_training(lee, hs, negative):
    """Subsampling, reduced windows and noise words drawn as gensim draws them: same vectors."""
    sentences = lee[:30]
    kw = dict(sg=1, hs=hs, negative=negative, vector_size=20, window=5, min_count=3,
              sample=1e-3, epochs=1, seed=4)
    theirs = GensimWord2Vec(workers=1, **kw)
    theirs.build_vocab(sentences)
    effective, _ = theirs.train(sentences, total_examples=theirs.corpus_count, epochs=1)
    replay = Word2Vec(sentences, engine="per_pair", exp_table=True, gensim_rng=True,
                      progress=False, **kw)
    numpy_draws = Word2Vec(sentences, engine="per_pair", exp_table=True, progress=False, **kw)
    # the same tokens survive subsampling ...
    assert sum(h["words"] for h in replay.history) == effective
    # ... and the same SGD steps follow, up to float32 rounding
    np.testing.assert_allclose(replay.wv.vectors, theirs.wv.vectors, rtol=0, atol=2e-4)
    # with NumPy's draws instead, the vectors differ by a lot: the test can tell
    assert np.abs(numpy_draws.wv.vectors - theirs.wv.vectors).max() > 0.05


def test_gensim_rng_belongs_to_the_per_pair_engine():
    with pytest.raises(ValueError, match="per_pair"):
        Word2Vec(engine="minibatch", gensim_rng=True, progress=False)
