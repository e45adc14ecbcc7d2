"""Corpora and benchmark files: right content, the wiki cache parsed once, atomic, reproducible."""

import gzip
import math
import os
import re
import sys

import numpy as np
import pytest
from gensim.corpora import WikiCorpus
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from w2v_edu import datasets


# ---------------------------------------------------------------------------- Lee corpus
def test_lee_corpus_is_gensims_simple_preprocess_per_line():
    with open(datapath("lee_background.cor"), "rb") as fin:
        lines = fin.read().split(b"\n")
    lines = [line for line in lines if line]  # the file ends without a trailing newline
    expected = [simple_preprocess(line.decode("utf8")) for line in lines]
    corpus = datasets.lee_corpus()
    assert corpus == expected
    assert len(corpus) == 300  # the Lee background set is 300 documents
    assert all(isinstance(doc, list) and doc for doc in corpus)
    assert all(t.islower() and t.isalpha() and 2 <= len(t) <= 15 for doc in corpus for t in doc)


def test_lee_corpus_is_the_course_tokenizer_per_line():
    from w2v_edu import text

    with open(datapath("lee_background.cor"), encoding="utf8") as fin:
        assert [text.tokenize(line) for line in fin] == datasets.lee_corpus()


# ------------------------------------------------------------------ Lee cut into sentences
@pytest.mark.parametrize(("text", "expected"), [
    ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
    ('He said "Go." Then 3 left.  ', ['He said "Go." ', "Then 3 left.  "]),
    ('"Why?" he asked. "Now?" Yes.', ['"Why?" he asked. ', '"Now?" ', "Yes."]),
    ("It rose 3.5 per cent... more was due. I was with Dr. Smith (Mr. Jones too).",
     ["It rose 3.5 per cent... more was due. ", "I was with Dr. Smith (Mr. Jones too)."]),
    ("", [""]),
])
def test_split_sentences(text, expected):
    assert datasets._split_sentences(text) == expected


@pytest.fixture(scope="module")
def lee_documents():
    with open(datapath("lee_background.cor"), encoding="utf8") as fin:
        return [line for line in fin.read().split("\n") if line]


def test_lee_sentences_cut_documents_without_crossing_them(lee_documents):
    sentences = datasets.lee_sentences()
    assert all(isinstance(s, list) and s for s in sentences)  # no empty sentence
    # walk the documents: each must be exactly a run of consecutive whole sentences
    k = 0
    for document in lee_documents:
        tokens = simple_preprocess(document)
        run = []
        while len(run) < len(tokens):
            run += sentences[k]
            k += 1
        assert run == tokens  # a sentence running past the document's end breaks this
    assert k == len(sentences)


def test_lee_sentences_split_at_every_sentence_end_and_nowhere_else(lee_documents):
    """Cut each raw document at every ". ", "! ", "? " (the finest cut); classify the cuts."""
    n_cuts = n_kept = 0
    for document in lee_documents:
        pieces = datasets._split_sentences(document)
        assert "".join(pieces) == document  # lossless: only cut, nothing dropped
        ends = {sum(map(len, pieces[:i + 1])) for i in range(len(pieces) - 1)}
        for m in re.finditer(r'[.!?]["\')]*\s+', document):
            follows = document[m.end():].lstrip('"\'(')[:1]
            title = document[:m.start()].split()[-1].lower() in {"dr", "mr", "mrs", "ms"}
            sentence_start = (follows.isupper() or follows.isdigit()) and not title
            n_cuts += 1
            n_kept += m.end() in ends
            assert (m.end() in ends) == sentence_start, document[m.start() - 30:m.end() + 30]
        assert len(ends) <= n_cuts  # cut only at punctuation followed by whitespace
    assert len(lee_documents) < n_kept < n_cuts


def test_lee_sentences_are_short_lines(lee_documents):
    sentences = datasets.lee_sentences()
    lengths = np.array([len(s) for s in sentences])
    doc_lengths = np.array([len(simple_preprocess(d)) for d in lee_documents])
    assert lengths.sum() == doc_lengths.sum()  # every token of the file, once
    assert len(sentences) > 5 * len(lee_documents)
    # the corpus shape the benchmark wants: a few to ~20 tokens per line, documents ~10x longer
    assert 5 <= np.median(lengths) <= 25 and np.percentile(lengths, 90) <= 40
    assert np.median(doc_lengths) > 5 * np.median(lengths)


# ------------------------------------------------------------------------ benchmark files
def _is_gensim(module: str) -> bool:
    return module == "gensim" or module.startswith("gensim.")


def test_files_are_gensims_datapath_found_without_importing_gensim():
    names = ["lee_background.cor", "wordsim353.tsv", "simlex999.txt", "questions-words.txt",
             datasets.WIKI_SAMPLE_FILE]
    expected = [datapath(name) for name in names]
    # as in a fresh process (a CLI run, a lesson's kernel): gensim not imported yet
    saved = {m: sys.modules.pop(m) for m in list(sys.modules) if _is_gensim(m)}
    try:
        found = [datasets._gensim_test_file(name) for name in names]
        imported = [m for m in sys.modules if _is_gensim(m)]
    finally:
        for m in [m for m in sys.modules if _is_gensim(m)]:
            del sys.modules[m]
        sys.modules.update(saved)
    assert found == expected
    assert not imported, imported
    with pytest.raises(FileNotFoundError, match="reinstall gensim"):
        datasets._gensim_test_file("no-such-file.txt")


@pytest.mark.parametrize(("func", "n_items"), [
    (datasets.wordsim353_path, 353),
    (datasets.simlex999_path, 999),
])
def test_word_pair_files(func, n_items):
    path = func()
    assert os.path.isfile(path)
    with open(path, encoding="utf8") as fin:
        rows = [line.rstrip("\n").split("\t") for line in fin if not line.startswith("#")]
    assert len(rows) == n_items  # the benchmark's name is its size
    assert all(len(r) == 3 and float(r[2]) >= 0 for r in rows)


def test_analogies_file():
    with open(datasets.analogies_path(), encoding="utf8") as fin:
        lines = fin.read().splitlines()
    sections = [line for line in lines if line.startswith(": ")]
    questions = [line for line in lines if not line.startswith(": ")]
    assert len(sections) == 14 and lines[0].startswith(": ")
    assert all(len(q.split()) == 4 for q in questions)


# ------------------------------------------------------------------------ Wikipedia sample
@pytest.fixture(scope="module")
def articles():
    """The articles through the course's cache (parses once if the cache is missing)."""
    return datasets.wiki_articles()


def test_wiki_cache_holds_exactly_what_wikicorpus_gives(articles):
    path = datapath(datasets.WIKI_SAMPLE_FILE)
    expected = list(WikiCorpus(path, dictionary={}, processes=1).get_texts())
    assert articles == expected
    assert len(articles) == 106  # the shortened dump's article count


@pytest.mark.parametrize("max_len", [1000, 300])
def test_wiki_sample_cuts_articles_into_short_sentences(articles, max_len):
    sentences = datasets.wiki_sample(max_sentence_length=max_len)
    assert all(1 <= len(s) <= max_len for s in sentences)
    assert len(sentences) == sum(math.ceil(len(a) / max_len) for a in articles)
    # cutting only: consecutive sentences rebuild every article, in order
    rebuilt, k = [], 0
    for article in articles:
        n = math.ceil(len(article) / max_len)
        rebuilt.append([t for s in sentences[k:k + n] for t in s])
        k += n
    assert rebuilt == articles


def test_wiki_sample_validates_length():
    with pytest.raises(ValueError, match="got 0"):
        datasets.wiki_sample(max_sentence_length=0)
    with pytest.raises(TypeError, match="str"):
        datasets.wiki_sample(max_sentence_length="1000")


FAKE = [["alpha", "beta", "gamma"] * 700, ["delta", "über"], ["eps"] * 1000]


@pytest.fixture
def fake_parse(monkeypatch, tmp_path):
    """Point the cache at a temp dir and count parses of a small fake dump."""
    calls = []

    def parse():
        calls.append(1)
        return [list(a) for a in FAKE]

    monkeypatch.setenv("W2V_EDU_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(datasets, "_parse_wiki_articles", parse)
    return calls


def test_cache_is_created_once_and_reused(fake_parse, tmp_path):
    first = datasets.wiki_sample()
    assert fake_parse == [1]
    assert datasets.wiki_sample() == first and datasets.wiki_articles() == FAKE
    assert fake_parse == [1]  # second and third calls read the cache
    assert [len(s) for s in first] == [1000, 1000, 100, 2, 1000]
    files = os.listdir(tmp_path / "cache")
    assert len(files) == 1 and files[0].endswith(".gz")  # no temp file left behind


def test_cache_bytes_are_reproducible(fake_parse, tmp_path, monkeypatch):
    datasets.wiki_articles()
    (name,) = os.listdir(tmp_path / "cache")
    first = (tmp_path / "cache" / name).read_bytes()
    monkeypatch.setenv("W2V_EDU_CACHE", str(tmp_path / "other"))
    datasets.wiki_articles()
    assert (tmp_path / "other" / name).read_bytes() == first
    with gzip.open(tmp_path / "other" / name, "rt") as fin:
        assert "articles=3" in fin.readline()


def test_damaged_cache_is_rebuilt(fake_parse, tmp_path):
    datasets.wiki_articles()
    (name,) = os.listdir(tmp_path / "cache")
    path = tmp_path / "cache" / name
    path.write_bytes(path.read_bytes()[:-20])  # truncated, e.g. a killed writer
    assert datasets.wiki_articles() == FAKE
    assert fake_parse == [1, 1]


def test_failed_write_leaves_no_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("W2V_EDU_CACHE", str(tmp_path))
    monkeypatch.setattr(datasets, "_parse_wiki_articles", lambda: [["fine"], ["bad", 3]])
    with pytest.raises(TypeError):
        datasets.wiki_articles()
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------ toy corpus
def test_toy_corpus():
    path = datasets._REPO_DATA / "toy_corpus.txt"
    if not path.is_file():
        pytest.skip("data/toy_corpus.txt not written yet")
    corpus = datasets.toy_corpus()
    with open(path, encoding="utf8") as fin:
        expected = [simple_preprocess(line) for line in fin if simple_preprocess(line)]
    assert corpus == expected
    assert len(corpus) > 0
