"""The per-pair engine reproduces gensim in every setting, the edges included (the job edges
for CBOW, sg=0, too; CBOW's other settings: tests/test_cbow_training.py).

With ``gensim_rng=True`` (gensim's random streams replayed) and ``exp_table=True`` (its sigmoid
table) our per-pair engine must end where gensim ends, to float32 rounding, for every combination
of hierarchical softmax / negative sampling / subsampling / reduced windows, and at the edges of
gensim's job machinery (facts in ../shared/notes/gensim-sgd-facts.md):

- ``batch_words`` other than 10,000 (several jobs, one alpha each);
- a first sentence longer than ``batch_words``: gensim pushes an empty job first, which still
  costs the two ``RandomState`` draws that seed a job's generator;
- a job with more than 10,000 effective words: the rest is dropped (a long sentence is cut);
- the job's generator seeded only when ``negative`` or ``sample`` is on.
"""

import itertools

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_edu import Word2Vec

TOL = 2e-4  # float32 rounding accumulated over thousands of SGD steps


class _RecordingGensim(GensimWord2Vec):
    """gensim's Word2Vec, noting the alpha of every job it trains (empty jobs included)."""

    def _do_train_job(self, sentences, alpha, inits):
        self.job_alphas.append(alpha)
        return super()._do_train_job(sentences, alpha, inits)


def _both(sentences, **kw):
    theirs = _RecordingGensim(workers=1, **kw)
    theirs.job_alphas = []
    theirs.build_vocab(sentences)
    effective, _ = theirs.train(sentences, total_examples=theirs.corpus_count,
                                epochs=theirs.epochs)
    ours = Word2Vec(sentences, engine="per_pair", exp_table=True, gensim_rng=True,
                    progress=False, **kw)
    # the same jobs, with the same alpha each
    our_alphas = [a for h in ours.history for a in h["alphas"]]
    np.testing.assert_allclose(our_alphas, theirs.job_alphas, rtol=0, atol=1e-12)
    return theirs, ours, effective


COMBOS = [c for c in itertools.product((0, 1), (0, 3), (0, 1e-3), (False, True))
          if c[0] or c[1]]


@pytest.mark.parametrize("hs, negative, sample, shrink_windows", COMBOS)
def test_every_combination_reproduces_gensim(lee, hs, negative, sample, shrink_windows):
    sentences = lee[:25]
    kw = dict(sg=1, hs=hs, negative=negative, sample=sample, shrink_windows=shrink_windows,
              vector_size=10, window=3, min_count=2, seed=5, epochs=1, batch_words=2000)
    theirs, ours, effective = _both(sentences, **kw)
    assert len(ours.history[0]["alphas"]) > 1  # several jobs of 2,000 raw words
    _check(theirs, ours, effective, kw)


def _check(theirs, ours, effective, kw):
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert sum(h["words"] for h in ours.history) == effective  # the same tokens trained
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, rtol=0, atol=TOL)
    if kw["negative"]:
        np.testing.assert_allclose(ours.syn1neg, theirs.syn1neg, rtol=0, atol=TOL)
    if kw["hs"]:
        np.testing.assert_allclose(ours.syn1, theirs.syn1, rtol=0, atol=TOL)


@pytest.mark.parametrize("sg", [1, 0])
@pytest.mark.parametrize("negative, sample", [(3, 1e-3), (0, 0)])
def test_a_first_sentence_longer_than_batch_words_costs_an_empty_job(lee, negative, sample, sg):
    long_first = [w for doc in lee[:12] for w in doc]  # ~2,300 raw words
    sentences = [long_first] + lee[12:20]
    kw = dict(sg=sg, hs=1, negative=negative, sample=sample, vector_size=10, window=3,
              min_count=2, seed=7, epochs=1, batch_words=1000)
    assert len(long_first) > kw["batch_words"]
    theirs, ours, effective = _both(sentences, **kw)
    _check(theirs, ours, effective, kw)
    # gensim's first job was the empty one (and _both checked we ran the same jobs)
    assert len(theirs.job_alphas) >= 3 and theirs.job_alphas[0] == theirs.job_alphas[1]


@pytest.mark.parametrize("sg", [1, 0])
def test_a_job_trains_at_most_10000_effective_words(lee, sg):
    one_sentence = [w for doc in lee[:60] for w in doc]  # ~11,600 raw words
    kw = dict(sg=sg, hs=0, negative=2, sample=0, vector_size=8, window=1, min_count=1,
              seed=2, epochs=1, batch_words=20000)
    theirs, ours, effective = _both([one_sentence], **kw)
    assert len(one_sentence) > 10000
    assert effective == 10000 == ours.history[0]["words"]
    _check(theirs, ours, effective, kw)


def test_hs_without_sampling_takes_no_draw_for_the_job_generator(lee):
    """With hs=1, negative=0, sample=0 gensim seeds no LCG: reduced windows alone use
    RandomState, and they must come out the same (shrink_windows=True)."""
    sentences = lee[:20]
    kw = dict(sg=1, hs=1, negative=0, sample=0, shrink_windows=True, vector_size=10,
              window=4, min_count=2, seed=9, epochs=2, batch_words=1500)
    theirs, ours, effective = _both(sentences, **kw)
    _check(theirs, ours, effective, kw)
