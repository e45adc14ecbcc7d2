"""gensim's API on w2v_edu: swap the import and gensim's own Word2Vec tutorial runs.

The first test walks through the training part of gensim's tutorial
(docs/src/gallery/tutorials/run_word2vec.py; its downloads aside) with ``Word2Vec`` taken from
w2v_edu. The others pin down each piece of the API against gensim itself: vocabulary options,
online training, saving, the loss tally, corpora.
"""

import logging

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec
from gensim.models.word2vec import LineSentence as GensimLineSentence
from gensim.test.utils import datapath
from gensim.utils import RULE_DISCARD, RULE_KEEP, simple_preprocess

from w2v_edu import Word2Vec


class LeeStream:
    """A streamed corpus as the tutorial writes one: re-iterable, yields token lists."""

    def __iter__(self):
        with open(datapath("lee_background.cor"), encoding="utf-8") as f:
            for line in f:
                yield simple_preprocess(line)


def test_gensims_tutorial_runs_with_the_import_swapped(tmp_path, caplog):
    sentences = LeeStream()
    model = Word2Vec(sentences=sentences, progress=False)  # the tutorial's defaults otherwise
    assert model.wv["king"].shape == (100,)
    assert [model.wv.index_to_key[i] for i in range(3)] == ["the", "to", "of"]

    path = tmp_path / "w2v-model"  # no suffix, like the tutorial's temporary file
    model.save(str(path))
    assert path.is_file()
    new_model = Word2Vec.load(str(path))
    np.testing.assert_array_equal(new_model.wv.vectors, model.wv.vectors)

    assert len(Word2Vec(sentences, min_count=10, progress=False).wv) < len(model.wv)
    assert Word2Vec(sentences, vector_size=200, progress=False).wv.vectors.shape[1] == 200
    with caplog.at_level(logging.INFO, logger="w2v_edu"):
        Word2Vec(sentences, workers=4, progress=False)
    assert sum("one thread" in r.getMessage() for r in caplog.records) == 1

    accuracy, sections = model.wv.evaluate_word_analogies(datapath("questions-words.txt"))
    assert 0.0 <= accuracy <= 1.0 and sections[-1]["section"] == "Total accuracy"
    pearson, spearman, oov = model.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert -1 <= pearson.statistic <= 1 and -1 <= spearman.statistic <= 1 and oov > 50

    model = Word2Vec.load(str(path))
    more_sentences = [["Advanced", "users", "can", "load", "a", "model", "and", "continue",
                       "training", "it", "with", "more", "sentences"]]
    model.build_vocab(more_sentences, update=True)
    before = model.wv.vectors.copy()
    model.train(more_sentences, total_examples=model.corpus_count, epochs=model.epochs)
    assert model.corpus_count == 1
    assert not np.array_equal(before, model.wv.vectors)  # "a", "and", "it"... moved

    model_with_loss = Word2Vec(sentences, min_count=1, compute_loss=True, hs=0, sg=1, seed=42,
                               progress=False)
    assert model_with_loss.get_latest_training_loss() > 0

    lee_lines = GensimLineSentence(datapath("lee_background.cor"))
    for sg, hs in [(1, 0), (1, 1)]:
        for loss_flag in (True, False):
            m = Word2Vec(lee_lines, compute_loss=loss_flag, sg=sg, hs=hs, seed=42,
                         progress=False)
            assert (m.get_latest_training_loss() > 0) == loss_flag

    from sklearn.manifold import TSNE

    vectors = np.asarray(model.wv.vectors)
    labels = np.asarray(model.wv.index_to_key)
    xy = TSNE(n_components=2, random_state=0, perplexity=10).fit_transform(vectors[:200])
    assert xy.shape == (200, 2) and labels.shape == (len(model.wv),)


def test_build_vocab_then_train_matches_the_one_call_form(lee):
    corpus = lee[:100]  # the two forms must agree on any corpus; 100 documents, 18,451 words
    kw = dict(sg=1, vector_size=16, epochs=2, min_count=3, seed=3, progress=False)
    one_call = Word2Vec(corpus, **kw)
    three = Word2Vec(**kw)
    three.build_vocab(corpus)
    assert (three.corpus_count, three.corpus_total_words) == (100, sum(map(len, corpus)))
    three.train(corpus, total_examples=three.corpus_count, epochs=three.epochs)
    np.testing.assert_array_equal(one_call.wv.vectors, three.wv.vectors)


@pytest.mark.parametrize("options", [
    dict(min_count=0),
    dict(min_count=2, sorted_vocab=0),
    dict(min_count=1, max_vocab_size=2000),
    dict(min_count=5, max_final_vocab=500),
])
def test_vocabulary_options_give_gensims_vocabulary(lee, options):
    theirs = GensimWord2Vec(vector_size=8, **options)
    theirs.build_vocab(lee)
    ours = Word2Vec(vector_size=8, progress=False, **options)
    ours.build_vocab(lee)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    counts = [theirs.wv.get_vecattr(w, "count") for w in theirs.wv.index_to_key]
    assert ours.vocab.counts.tolist() == counts


def test_trim_rule_decides_as_in_gensim(lee):
    def rule(word, count, min_count):
        if word.startswith("z"):
            return RULE_KEEP
        return RULE_DISCARD if len(word) < 4 else 0

    theirs = GensimWord2Vec(vector_size=8, min_count=5, trim_rule=rule)
    theirs.build_vocab(lee, trim_rule=rule)
    ours = Word2Vec(vector_size=8, min_count=5, progress=False)
    ours.build_vocab(lee, trim_rule=rule)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert "zealand" in ours.wv and "the" not in ours.wv


def test_online_training_reproduces_gensim(lee):
    """build_vocab(update=True) then train(): new words, counts, vectors, noise table, keep
    probabilities -- replayed with gensim's streams, the result is gensim's to float32 rounding."""
    first, more = lee[:30], lee[30:45]
    kw = dict(sg=1, hs=1, negative=3, sample=1e-3, vector_size=10, window=3, min_count=3,
              seed=6, epochs=1)
    theirs = GensimWord2Vec(first, workers=1, **kw)
    ours = Word2Vec(first, engine="per_pair", exp_table=True, gensim_rng=True, progress=False,
                    **kw)
    theirs.build_vocab(more, update=True)
    ours.build_vocab(more, update=True)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert len(ours.wv) > 0 and ours.corpus_count == theirs.corpus_count == 15
    np.testing.assert_array_equal(
        ours.vocab.counts, [theirs.wv.get_vecattr(w, "count") for w in theirs.wv.index_to_key])
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, rtol=0, atol=2e-4)
    theirs.train(more, total_examples=theirs.corpus_count, epochs=theirs.epochs)
    ours.train(more, total_examples=ours.corpus_count, epochs=ours.epochs)
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, rtol=0, atol=2e-4)
    np.testing.assert_allclose(ours.syn1neg, theirs.syn1neg, rtol=0, atol=2e-4)
    np.testing.assert_allclose(ours.syn1, theirs.syn1, rtol=0, atol=2e-4)


def test_updating_a_model_without_vocabulary_fails_clearly():
    with pytest.raises(RuntimeError, match="never built"):
        Word2Vec(progress=False).build_vocab([["a", "b"]], update=True)


@pytest.mark.parametrize("engine", ["minibatch", "per_pair"])
def test_save_load_keeps_the_whole_training_state(tmp_path, lee, engine):
    """Training on after save + load gives exactly what training on without it gives."""
    kw = dict(sg=1, vector_size=12, epochs=1, min_count=5, seed=8, engine=engine, hs=1,
              progress=False)
    # a small corpus: a lost piece of state (a weight matrix, the keep probabilities, the random
    # streams' position) changes the continued training all the same
    corpus = lee[:12]
    straight = Word2Vec(corpus, **kw)
    saved = Word2Vec(corpus, **kw)
    saved.save(tmp_path / "m")
    loaded = Word2Vec.load(tmp_path / "m")
    assert loaded.wv.index_to_key == saved.wv.index_to_key and loaded.history == saved.history
    straight.train(corpus, total_examples=len(corpus), epochs=1)
    loaded.train(corpus, total_examples=len(corpus), epochs=1)
    np.testing.assert_array_equal(loaded.wv.vectors, straight.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1, straight.syn1)
    np.testing.assert_array_equal(loaded.syn1neg, straight.syn1neg)


def test_loading_a_file_that_is_not_ours_fails_clearly(tmp_path, lee):
    gensim_model = GensimWord2Vec(lee[:20], vector_size=8, min_count=1)
    gensim_model.save(str(tmp_path / "gensim.model"))
    (tmp_path / "vectors.txt").write_text("2 3\na 1 2 3\nb 4 5 6\n")
    (tmp_path / "garbage").write_bytes(np.random.default_rng(0).bytes(300))
    for name in ("gensim.model", "vectors.txt", "garbage"):
        with pytest.raises(ValueError, match="not one"):
            Word2Vec.load(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        Word2Vec.load(tmp_path / "missing")


def test_compute_loss_is_cumulative_per_train_call_and_close_to_gensims(lee):
    corpus = lee[:40]
    kw = dict(sg=1, negative=5, vector_size=10, min_count=3, seed=2, epochs=2)
    theirs = GensimWord2Vec(corpus, workers=1, compute_loss=True, **kw)
    ours = Word2Vec(corpus, engine="per_pair", exp_table=True, gensim_rng=True,
                    compute_loss=True, progress=False, **kw)
    total = sum(h["loss"] * h["pairs"] for h in ours.history)
    assert ours.get_latest_training_loss() == pytest.approx(total, rel=1e-12)
    # gensim's float32 tally reads a shifted log table (~2 % high) and skips saturated terms
    assert ours.get_latest_training_loss() == pytest.approx(
        theirs.get_latest_training_loss(), rel=0.05)
    # the tally's bookkeeping per train() call: a few documents show it as well as forty
    more = corpus[:10]
    ours.train(more, total_examples=len(more), epochs=1)  # compute_loss=False: gensim resets to 0
    assert ours.get_latest_training_loss() == 0.0
    ours.train(more, total_examples=len(more), epochs=1, compute_loss=True)
    assert ours.get_latest_training_loss() == pytest.approx(
        ours.history[-1]["loss"] * ours.history[-1]["pairs"], rel=1e-12)


def test_corpus_file_and_line_sentence(tmp_path, lee):
    path = tmp_path / "lee.txt"
    path.write_text("\n".join(" ".join(doc) for doc in lee[:50]) + "\n", encoding="utf-8")
    kw = dict(sg=1, vector_size=8, epochs=1, min_count=2, seed=1, progress=False)
    from_file = Word2Vec(corpus_file=str(path), **kw)
    from_list = Word2Vec(lee[:50], **kw)
    np.testing.assert_array_equal(from_file.wv.vectors, from_list.wv.vectors)
    with pytest.raises(FileNotFoundError):
        Word2Vec(corpus_file=str(tmp_path / "nope.txt"), **kw)


def test_a_corpus_with_no_known_word_trains_nothing_and_breaks_nothing(lee):
    model = Word2Vec(lee[:20], sg=1, vector_size=8, min_count=2, epochs=1, progress=False)
    before = model.wv.vectors.copy()
    effective, raw = model.train([["qqqq", "zzzz"]], total_examples=1, epochs=1)
    assert (effective, raw) == (0, 2)
    np.testing.assert_array_equal(before, model.wv.vectors)


def test_gensim_names_we_do_not_implement_are_named():
    with pytest.raises(NotImplementedError, match="null_word"):
        Word2Vec(null_word=1)
    with pytest.raises(NotImplementedError, match="queue_size"):
        Word2Vec([["a", "b"]] * 5, min_count=1, progress=False).train(
            [["a", "b"]], total_examples=1, epochs=1, queue_size=3)


def test_keyedvectors_details_gensim_users_rely_on(tmp_path, lee):
    from gensim.models import KeyedVectors as GensimKeyedVectors

    first, more = lee[:40], lee[40:60]
    kw = dict(sg=1, vector_size=8, epochs=1, min_count=3, seed=4)
    ours = Word2Vec(first, progress=False, **kw)
    theirs = GensimWord2Vec(first, workers=1, **kw)
    for m in (ours, theirs):
        m.build_vocab(more, update=True)  # new words at the end: rows no longer by count
    # int in wv, as gensim: an index in range
    for key in (0, len(ours.wv) - 1, len(ours.wv), -1, "the", "zzz"):
        assert (key in ours.wv) == (key in theirs.wv), key
    # save_word2vec_format writes words in gensim's order (descending count)
    ours.wv.save_word2vec_format(tmp_path / "ours.txt")
    theirs.wv.save_word2vec_format(str(tmp_path / "theirs.txt"))
    read = [line.split()[0] for line in open(tmp_path / "ours.txt", encoding="utf8")][1:]
    expected = [line.split()[0] for line in open(tmp_path / "theirs.txt", encoding="utf8")][1:]
    assert read == expected and read != ours.wv.index_to_key
    # limit=0 means no limit
    back = GensimKeyedVectors.load_word2vec_format(str(tmp_path / "ours.txt"), limit=0)
    from w2v_edu import KeyedVectors

    assert len(KeyedVectors.load_word2vec_format(tmp_path / "ours.txt", limit=0)) == len(back)
    # evaluate_word_pairs: result objects with .statistic / .pvalue, still unpackable
    pearson, spearman, oov = ours.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    r, p = pearson
    assert (r, p) == (pearson.statistic, pearson.pvalue) and 0 <= spearman.pvalue <= 1
