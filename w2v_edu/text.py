"""Text -> tokens: a tokenizer comparable to gensim's ``simple_preprocess``.

A token is a maximal run of word characters that are not digits (letters, and also ``_``),
taken from the lower-cased text. Tokens shorter than ``min_len`` or longer than ``max_len``
characters, and tokens starting with ``_``, are dropped. This reproduces the behaviour of
``gensim.utils.simple_preprocess`` (checked token for token on the Lee corpus in the tests).

What lives here: turning a string into a list of word strings, and reading a
one-document-per-line file. What does not: counting words (``vocab``), dropping frequent
words (``subsampling``).
"""

import os
import re
import unicodedata

# One token = one or more "word" characters that are not digits.
# [^\W\d] reads "not a non-word character and not a digit" = word characters minus digits.
_TOKEN = re.compile(r"[^\W\d]+")


def strip_accents(text):
    """Remove accent marks: ``"Šéf" -> "Sef"``.

    Decomposes every character (Unicode NFD), drops the combining marks (category ``Mn``)
    and recomposes (NFC).
    """
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


def tokenize(text, min_len=2, max_len=15, deacc=False):
    """Split ``text`` into lower-case word tokens, like ``gensim.utils.simple_preprocess``.

    Parameters
    ----------
    text : str
        One document.
    min_len, max_len : int
        Keep tokens with ``min_len <= len(token) <= max_len`` (inclusive, like gensim).
    deacc : bool
        Remove accent marks first (``"café" -> "cafe"``).

    Returns
    -------
    list of str
        The tokens in order of appearance.

    Examples
    --------
    >>> tokenize("The cat sat on 2 mats, didn't it?")
    ['the', 'cat', 'sat', 'on', 'mats', 'didn', 'it']
    """
    if isinstance(text, bytes):
        text = text.decode("utf8", errors="ignore")
    if not isinstance(text, str):
        raise TypeError(f"expected text to be a str, got {type(text).__name__}")
    for name, value in (("min_len", min_len), ("max_len", max_len)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"expected {name} to be a non-negative int, got {value!r}")
    text = text.lower()
    if deacc:
        text = strip_accents(text)
    return [
        tok
        for tok in _TOKEN.findall(text)
        if min_len <= len(tok) <= max_len and not tok.startswith("_")
    ]


def read_lines_corpus(path, min_len=2, max_len=15, deacc=False, skip_empty=True):
    """Read a text file with one document per line and tokenize every line.

    Parameters
    ----------
    path : str or os.PathLike
        A UTF-8 text file.
    min_len, max_len, deacc
        Passed to :func:`tokenize`.
    skip_empty : bool
        Leave out lines that give no tokens (blank lines), so every document has >= 1 token.

    Returns
    -------
    list of list of str
        One token list per document (line).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected path to be a str or os.PathLike, got {type(path).__name__}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"expected an existing text file, got {os.fspath(path)!r}")
    documents = []
    with open(path, encoding="utf8", errors="ignore") as handle:
        for line in handle:
            tokens = tokenize(line, min_len=min_len, max_len=max_len, deacc=deacc)
            if tokens or not skip_empty:
                documents.append(tokens)
    return documents


class LineSentence:
    """A re-iterable corpus streamed from a text file: one sentence per line, tokens split on
    whitespace (gensim's ``LineSentence`` format, the one ``corpus_file`` reads).

    Lines longer than ``max_sentence_length`` tokens are cut into pieces of that length, as
    gensim does. Nothing is tokenised beyond splitting: pre-process the file first (e.g. with
    :func:`tokenize`) if it is raw text.
    """

    def __init__(self, source, max_sentence_length: int = 10000):
        from pathlib import Path

        if not isinstance(source, (str, Path)):
            raise TypeError(f"expected source to be a file path, got {type(source).__name__}")
        if not Path(source).is_file():
            raise FileNotFoundError(f"expected a text file at {str(source)!r}, no such file")
        self.source = str(source)
        self.max_sentence_length = max_sentence_length

    def __iter__(self):
        with open(self.source, encoding="utf-8") as f:
            for line in f:
                tokens = line.split()
                for i in range(0, len(tokens), self.max_sentence_length):
                    yield tokens[i : i + self.max_sentence_length]

    def __repr__(self):
        return f"LineSentence({self.source!r})"
