"""The course's corpora and benchmark files, all shipped inside gensim's wheel or this repo.

Nothing is downloaded: every file comes from gensim's test data (the folder
``gensim.test.utils.datapath`` reads, found without importing gensim) or from ``data/`` in
this repository.

Corpora (each a ``list[list[str]]``, one inner list of tokens per sentence/document):

* :func:`lee_corpus` -- 300 Australian news paragraphs (gensim's tutorial corpus),
  58,152 tokens; small enough for the per-pair engine.
* :func:`lee_sentences` -- the same paragraphs cut at sentence ends: 2,681 short lines
  (median 21 tokens), the benchmark's "many short texts" corpus shape.
* :func:`wiki_sample` -- the 106 English Wikipedia articles of gensim's test data, about
  453k tokens, parsed once with ``gensim.corpora.WikiCorpus`` (3-6 s) and cached under
  the per-user cache folder (:func:`cache_dir`); articles are cut into sentences of at most
  1000 tokens.
* :func:`toy_corpus` -- the course's own few hundred words of simple sentences.

Benchmark files (paths): :func:`wordsim353_path`, :func:`simlex999_path`,
:func:`analogies_path`.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import tempfile
from pathlib import Path

from w2v_edu.text import tokenize

__all__ = [
    "lee_corpus",
    "lee_sentences",
    "wiki_sample",
    "toy_corpus",
    "wordsim353_path",
    "simlex999_path",
    "analogies_path",
    "cache_dir",
    "WIKI_SAMPLE_FILE",
]

#: gensim's shortened Wikipedia dump (106 articles), inside ``gensim/test/test_data``.
WIKI_SAMPLE_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
_WIKI_CACHE_NAME = "wiki_sample_articles.v1.txt.gz"
_WIKI_MAGIC = "# w2v_edu wiki sample v1"

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def _gensim_test_file(name: str) -> str:
    """``gensim.test.utils.datapath(name)``, found without importing gensim: importing it costs
    about 3 s (SciPy, smart_open...), which a command-line run or a lesson's kernel that only
    reads a corpus or a benchmark file would pay for nothing."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the course's corpora and benchmarks ship inside gensim, which "
                                  "is not installed: pip install -r requirements.txt")
    path = os.path.join(spec.submodule_search_locations[0], "test", "test_data", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"expected gensim's test file {name} at {path}, but it is "
                                "missing; reinstall gensim>=4.4 (its wheel ships the test data)")
    return path


def wordsim353_path() -> str:
    """Path of WordSim353 (353 pairs, ``word1<TAB>word2<TAB>score``, ``#`` comment lines)."""
    return _gensim_test_file("wordsim353.tsv")


def simlex999_path() -> str:
    """Path of SimLex-999 (999 pairs, same layout as WordSim353, two ``#`` header lines)."""
    return _gensim_test_file("simlex999.txt")


def analogies_path() -> str:
    """Path of the Google analogy questions (19,544 lines ``a b c d`` in 14 ``: sections``)."""
    return _gensim_test_file("questions-words.txt")


def lee_corpus() -> list[list[str]]:
    """The Lee background corpus: 300 documents (one per line), tokenized.

    Returns
    -------
    list of list of str
        300 documents, 58,152 tokens: :func:`w2v_edu.text.tokenize` of each line, i.e.
        lower-cased alphabetic tokens of 2..15 characters, the same as gensim's
        ``simple_preprocess`` (tested).
    """
    with open(_gensim_test_file("lee_background.cor"), encoding="utf8") as fin:
        return [tokenize(line) for line in fin]


#: A sentence end: ``.``, ``!`` or ``?`` (repeats allowed), then any closing quotes or brackets,
#: then whitespace, then something a sentence starts with (an upper-case letter or a digit,
#: maybe after an opening quote or bracket). The match ends where the next sentence begins.
_SENTENCE_END = re.compile(r"""[.!?]+["'\u2019\u201d)\]]*\s+(?=["'\u2018\u201c(\[]?[A-Z0-9])""")
#: Titles written with a full stop ("Dr. Smith"): not a sentence end.
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "prof", "sen", "gen", "rev", "st"})


def _split_sentences(text: str) -> list[str]:
    """Cut raw ``text`` at sentence ends (:data:`_SENTENCE_END`), losslessly.

    ``"".join(pieces) == text``: each piece keeps its punctuation and the whitespace after
    it. A full stop after a title (:data:`_TITLES`) does not end a sentence, and neither does
    punctuation followed by a lower-case word (``'"Why?" he asked.'`` is one sentence).
    """
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        words = text[start:match.start()].split()
        if words and words[-1].strip("\"'(").lower() in _TITLES:
            continue
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def lee_sentences() -> list[list[str]]:
    """The Lee background corpus cut into sentences: many short lines, one text per line.

    Each of the 300 documents of :func:`lee_corpus` is cut at its sentence ends -- ``.``,
    ``!`` or ``?`` followed by whitespace and a capital letter or digit, not after a title
    such as ``Dr.`` -- *before* tokenising, then each piece is tokenised with
    :func:`w2v_edu.text.tokenize` (= gensim's ``simple_preprocess``); pieces with no token
    left are dropped. No sentence spans two documents, and the sentences of a document,
    joined, are exactly its :func:`lee_corpus` tokens (tested).

    Returns
    -------
    list of list of str
        2,681 sentences, 58,152 tokens (the same tokens as :func:`lee_corpus`), 3 to 71
        tokens each: mean 21.7, median 21, 90% at most 33. At ``min_count=5`` the
        vocabulary is 1,750 words. Fast to build (a few ms), so it is not cached.
    """
    with open(_gensim_test_file("lee_background.cor"), encoding="utf8") as fin:
        documents = fin.read().split("\n")
    sentences = []
    for document in documents:
        for piece in _split_sentences(document):
            tokens = tokenize(piece)
            if tokens:
                sentences.append(tokens)
    return sentences


def toy_corpus() -> list[list[str]]:
    """The course's toy corpus ``data/toy_corpus.txt``: one tokenized sentence per line.

    Blank lines are dropped.

    Raises
    ------
    FileNotFoundError
        The file is missing (it lives in the repository, not in an installed wheel).
    """
    path = _REPO_DATA / "toy_corpus.txt"
    if not path.is_file():
        raise FileNotFoundError(f"expected the toy corpus at {path}; it ships with the course "
                                "repository (run from a clone of the repo)")
    with open(path, encoding="utf8") as fin:
        sentences = [tokenize(line) for line in fin]
    return [s for s in sentences if s]


def cache_dir() -> Path:
    """Where parsed corpora are cached: ``$W2V_EDU_CACHE`` if set, else the user's cache folder
    (``platformdirs.user_cache_dir("w2v_edu")``: ``~/.cache/w2v_edu`` on Linux,
    ``~/Library/Caches/w2v_edu`` on macOS, ``%LOCALAPPDATA%\\w2v_edu\\Cache`` on Windows) --
    never the repository or site-packages."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("W2V_EDU_CACHE") or user_cache_dir("w2v_edu"))


def _parse_wiki_articles() -> list[list[str]]:
    """Parse gensim's Wikipedia sample with ``WikiCorpus``: one token list per article.

    ``dictionary={}`` skips building a gensim Dictionary (we only want the texts). WikiCorpus
    cleans the articles in a pool of worker processes (``processes``; one more process reads
    the dump) and returns them in order, so the output does not depend on the pool's size:
    two workers, on a machine with two cores or more, parse the sample in 2.9 s instead of
    3.9 s with one (measured on the development machine).
    """
    from gensim.corpora import WikiCorpus

    processes = 2 if (os.cpu_count() or 1) >= 2 else 1
    corpus = WikiCorpus(_gensim_test_file(WIKI_SAMPLE_FILE), dictionary={}, processes=processes)
    return [list(tokens) for tokens in corpus.get_texts()]


def _write_wiki_cache(path: Path, articles: list[list[str]]) -> None:
    """Write the cache atomically (temp file in the same folder, then rename).

    The gzip header gets no file name and mtime 0, so the same articles always give the
    same bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    n_tokens = sum(len(a) for a in articles)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(f"{_WIKI_MAGIC} articles={len(articles)} tokens={n_tokens}\n".encode())
            for article in articles:
                gz.write((" ".join(article) + "\n").encode("utf8"))
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; a cache is for everyone
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise


def _read_wiki_cache(path: Path) -> list[list[str]] | None:
    """Read the cache; ``None`` when it is absent, unreadable or does not match its header."""
    try:
        with gzip.open(path, "rt", encoding="utf8") as fin:
            header = fin.readline().split()
            if " ".join(header[:5]) != _WIKI_MAGIC:
                return None
            fields = dict(item.split("=") for item in header[5:])
            articles = [line.split() for line in fin]
    except (OSError, EOFError, ValueError, UnicodeDecodeError):
        return None
    if (len(articles) != int(fields.get("articles", -1))
            or sum(len(a) for a in articles) != int(fields.get("tokens", -1))):
        return None
    return articles


def wiki_articles(refresh: bool = False) -> list[list[str]]:
    """The 106 Wikipedia articles, whole: one token list per article (cached).

    Parameters
    ----------
    refresh : bool
        Re-parse the dump even if a valid cache exists.
    """
    path = cache_dir() / _WIKI_CACHE_NAME
    if not refresh:
        articles = _read_wiki_cache(path)
        if articles is not None:
            return articles
    articles = _parse_wiki_articles()
    _write_wiki_cache(path, articles)
    return articles


def wiki_sample(max_sentence_length: int = 1000) -> list[list[str]]:
    """gensim's 106-article Wikipedia sample, cut into sentences of at most 1000 tokens.

    The first call parses the bz2 dump with ``gensim.corpora.WikiCorpus`` (about 3-6 s) and
    caches the token lists under :func:`cache_dir`; later calls read the cache (a fraction
    of a second). Each article is cut, in order, into consecutive pieces of
    ``max_sentence_length`` tokens (the last piece shorter) -- gensim's Word2Vec would
    silently truncate longer sentences at 10,000 tokens.

    Parameters
    ----------
    max_sentence_length : int
        Longest sentence, in tokens (>= 1).

    Returns
    -------
    list of list of str
        About 453k lower-case tokens in total (9,002 distinct words occur >= 5 times).
    """
    if isinstance(max_sentence_length, bool) or not isinstance(max_sentence_length, int):
        raise TypeError("expected max_sentence_length as an int, got "
                        f"{type(max_sentence_length).__name__}")
    if max_sentence_length < 1:
        raise ValueError(f"expected max_sentence_length >= 1, got {max_sentence_length}")
    sentences = []
    for article in wiki_articles():
        for start in range(0, len(article), max_sentence_length):
            sentences.append(article[start:start + max_sentence_length])
    return sentences
