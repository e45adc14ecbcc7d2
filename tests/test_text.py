import numpy as np
import pytest
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from w2v_edu.text import read_lines_corpus, strip_accents, tokenize

LEE = datapath("lee_background.cor")


def test_tokenize_matches_simple_preprocess_on_lee():
    with open(LEE, encoding="utf8") as fh:
        lines = fh.read().splitlines()
    ours = [tokenize(line) for line in lines]
    theirs = [simple_preprocess(line) for line in lines]
    assert ours == theirs
    assert sum(map(len, ours)) == 58152


@pytest.mark.parametrize("kwargs", [dict(), dict(min_len=1), dict(max_len=4), dict(deacc=True)])
def test_tokenize_matches_simple_preprocess_on_tricky_text(kwargs):
    text = ("Šéf Café-au-lait 3D x2 under_score _hidden O'Brien naïve  "
            "supercalifragilisticexpialidocious A b ÉCOLE 2024 über")
    assert tokenize(text, **kwargs) == simple_preprocess(text, **kwargs)


def test_tokenize_basic():
    assert tokenize("The cat sat on 2 mats, didn't it?") == [
        "the", "cat", "sat", "on", "mats", "didn", "it"]
    assert tokenize("") == []
    assert strip_accents("Šéf naïve") == "Sef naive"


def test_tokenize_bad_input():
    with pytest.raises(TypeError, match="expected text to be a str, got list"):
        tokenize(["a", "b"])
    with pytest.raises(ValueError, match="min_len"):
        tokenize("abc", min_len=-1)


def test_read_lines_corpus(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("Hello world!\n\n  \nOne 1 two\n", encoding="utf8")
    assert read_lines_corpus(p) == [["hello", "world"], ["one", "two"]]
    assert len(read_lines_corpus(p, skip_empty=False)) == 4
    with pytest.raises(FileNotFoundError, match="expected an existing text file"):
        read_lines_corpus(tmp_path / "missing.txt")


def test_lee_corpus_has_300_documents():
    docs = read_lines_corpus(LEE)
    assert len(docs) == 300
    assert int(np.sum([len(d) for d in docs])) == 58152


def test_toy_corpus_reads():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "toy_corpus.txt"
    docs = read_lines_corpus(path)
    n_tokens = sum(len(d) for d in docs)
    assert 300 <= n_tokens <= 3000
    assert all(len(d) >= 2 for d in docs)
