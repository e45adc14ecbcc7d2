"""The one text -> pairs pipeline: what lesson 04 prints is what both engines train on.

Lesson 04 builds ``w2v_edu.Word2Vec(sg=1, vector_size=10, min_count=5, seed=1,
engine="per_pair")`` on the Lee corpus and prints the pairs of the first job,
``next(model.epoch_jobs(docs)).skipgram_pairs()``. Here a second model with the same seed trains,
and every SGD step it takes is recorded: the per-pair engine's first job is those pairs, in that
order; the mini-batch engine's first job covers the same pairs.
"""

import numpy as np
import pytest

import w2v_edu
from w2v_edu import minibatch_engine, per_pair_engine
from w2v_edu.training_corpus import MAX_WORDS_IN_JOB, EncodedCorpus, epoch_jobs

LESSON = dict(sg=1, vector_size=10, min_count=5, seed=1, progress=False)


class _SeenEnough(Exception):
    """Raised by a recorder once the first job's steps are recorded (saves training on)."""


def _lesson_first_job(docs, engine):
    model = w2v_edu.Word2Vec(engine=engine, **LESSON)
    model.build_vocab(docs)
    return next(iter(model.epoch_jobs(docs)))


def test_the_per_pair_engine_trains_on_the_pairs_the_lesson_prints(lee, monkeypatch):
    job = _lesson_first_job(lee, "per_pair")
    contexts, centres = job.skipgram_pairs()
    seen = []
    real = per_pair_engine.pair_update

    def recording(syn0, out, input_word, targets, labels, *args, **kwargs):
        if len(seen) == len(contexts):
            raise _SeenEnough
        seen.append((input_word, int(targets[0])))  # targets[0] is the centre word
        return real(syn0, out, input_word, targets, labels, *args, **kwargs)

    monkeypatch.setattr(per_pair_engine, "pair_update", recording)
    model = w2v_edu.Word2Vec(engine="per_pair", epochs=1, **LESSON)
    model.build_vocab(lee)
    with pytest.raises(_SeenEnough):
        model.train(lee, total_examples=model.corpus_count, epochs=1)
    assert len(contexts) > 10_000
    assert seen[: len(contexts)] == list(zip(contexts.tolist(), centres.tolist(), strict=True))


def test_the_minibatch_engine_covers_the_same_pairs(lee, monkeypatch):
    job = _lesson_first_job(lee, "minibatch")
    expected = sorted(zip(*(a.tolist() for a in job.skipgram_pairs()), strict=True))
    seen = []
    real = minibatch_engine.skipgram_negative_update

    def recording(syn0, out, ext_ids, pair_mask, *args, **kwargs):
        # centre t has the block's position t + W; window column o is position t + o there
        W = (pair_mask.shape[1] - 1) // 2
        t, o = np.nonzero(pair_mask)
        seen.extend(zip(ext_ids[t + o].tolist(), ext_ids[t + W].tolist(), strict=True))
        if len(seen) >= len(expected):
            raise _SeenEnough
        return real(syn0, out, ext_ids, pair_mask, *args, **kwargs)

    monkeypatch.setattr(minibatch_engine, "skipgram_negative_update", recording)
    model = w2v_edu.Word2Vec(engine="minibatch", epochs=1, **LESSON)
    model.build_vocab(lee)
    with pytest.raises(_SeenEnough):
        model.train(lee, total_examples=model.corpus_count, epochs=1)
    assert sorted(seen[: len(expected)]) == expected


def test_jobs_keep_at_most_10000_words_and_windows_stay_in_sentences(lee):
    model = w2v_edu.Word2Vec(**{**LESSON, "min_count": 1, "sample": 0, "batch_words": 50_000})
    model.build_vocab(lee)
    jobs = list(model.epoch_jobs(lee))
    assert jobs[0].raw_words > MAX_WORDS_IN_JOB and len(jobs[0].ids) == MAX_WORDS_IN_JOB
    for job in jobs:
        j, i = job.pair_positions()
        assert np.all(job.sentence_of[j] == job.sentence_of[i])
        assert np.all((np.abs(j - i) <= job.windows[i]) & (j != i))


def test_epoch_jobs_rejects_nothing_silently_for_an_out_of_vocabulary_corpus(lee):
    model = w2v_edu.Word2Vec(**LESSON)
    model.build_vocab(lee)
    corpus = EncodedCorpus.from_sentences([["qqq", "zzz"], []], model.vocab)
    plan = model._plan(1, model.alpha, model.min_alpha, 2, None)
    jobs = list(epoch_jobs(corpus, plan, model._draws, 0))
    assert len(jobs) == 1 and jobs[0].ids.size == 0 and jobs[0].raw_words == 2
    assert jobs[0].skipgram_pairs()[0].size == 0


@pytest.mark.parametrize("bad", [None, "a plain string", 42])
def test_encoding_a_bad_corpus_is_a_type_error(lee, bad):
    model = w2v_edu.Word2Vec(**LESSON)
    model.build_vocab(lee)
    with pytest.raises(TypeError, match="expected sentences"):
        EncodedCorpus.from_sentences(bad, model.vocab)
