"""The command line: ``python -m w2v_edu train ... / evaluate ...``.

Most tests call :func:`w2v_edu.cli.main` in-process (fast); a few run the real
``python -m w2v_edu`` in a subprocess to check the entry point, the progress bar, exit codes
and that no traceback ever reaches the user.
"""

import collections
import os
import subprocess
import sys

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV

from w2v_edu import cli
from w2v_edu.keyedvectors import KeyedVectors
from w2v_edu.text import tokenize

TINY_TEXT = (
    "the cat sat on the mat\n"
    "the dog sat on the rug\n"
    "\n"
    "a cat and a dog played 42 games\n"
    "the cat likes the dog\n"
)

FAST = ["--epochs", "2", "--vector-size", "12", "--no-progress"]


def _vocab_of_lines(text, min_count):
    """Distinct tokens with count >= min_count, counted independently of the package."""
    counts = collections.Counter(w for line in text.splitlines() for w in tokenize(line))
    return {w for w, c in counts.items() if c >= min_count}


def _toy_text():
    path = os.path.join(os.path.dirname(__file__), os.pardir, "data", "toy_corpus.txt")
    with open(path, encoding="utf8") as fin:
        return fin.read()


def _run(args, cwd=None):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "w2v_edu", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def _assert_one_error_line(err, *phrases):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got {err!r}"
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in lines[0], f"{phrase!r} missing from {lines[0]!r}"


@pytest.fixture(scope="module")
def toy_vectors(tmp_path_factory):
    """Train once on the toy corpus (text format) and share the file."""
    out = tmp_path_factory.mktemp("cli") / "toy.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "1", *FAST,
                     "--out", str(out)]) == 0
    return out


# ---------------------------------------------------------------------- train
def test_train_toy_saves_file_gensim_loads_with_right_shape(tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "2", *FAST,
                     "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    g = GensimKV.load_word2vec_format(str(out), binary=False)
    expected = _vocab_of_lines(_toy_text(), 2)
    assert g.vectors.shape == (len(expected), 12)
    assert set(g.index_to_key) == expected
    assert np.isfinite(g.vectors).all()
    # gensim's default model, CBOW; per-epoch loss lines, the evaluation table and neighbours
    assert "training CBOW (mean) (negative=5)" in stdout
    assert "epoch 1/2: loss/centre word" in stdout and "epoch 2/2: loss/centre word" in stdout
    assert "epoch 3/2" not in stdout
    for row in ("WordSim353 Spearman", "SimLex-999 pairs OOV %", "Analogy accuracy"):
        assert row in stdout
    assert "Nearest neighbours" in stdout


def test_train_path_corpus_one_sentence_per_line(tmp_path, capsys):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY_TEXT, encoding="utf8")
    out = tmp_path / "tiny_vectors.txt"
    assert cli.main(["train", "--corpus", str(corpus), "--min-count", "2", *FAST,
                     "--window", "2", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    g = GensimKV.load_word2vec_format(str(out))
    assert set(g.index_to_key) == _vocab_of_lines(TINY_TEXT, 2)
    assert g.vector_size == 12
    # 4 non-empty lines; the blank line is not a sentence
    assert "4 sentences" in stdout


def test_binary_and_text_files_hold_the_same_vectors(tmp_path):
    text, binary = tmp_path / "v.txt", tmp_path / "v.bin"
    common = ["train", "--corpus", "toy", "--min-count", "1", "--seed", "3", *FAST]
    assert cli.main([*common, "--out", str(text)]) == 0
    assert cli.main([*common, "--out", str(binary), "--binary"]) == 0
    a = GensimKV.load_word2vec_format(str(text), binary=False)
    b = GensimKV.load_word2vec_format(str(binary), binary=True)
    assert a.index_to_key == b.index_to_key
    # same seed -> identical training; the text format round-trips float32 exactly
    np.testing.assert_array_equal(a.vectors, b.vectors)


def test_seed_changes_the_vectors(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"v{seed}.txt"
        assert cli.main(["train", "--corpus", "toy", "--min-count", "1", "--seed", seed, *FAST,
                         "--out", str(out)]) == 0
        outs.append(GensimKV.load_word2vec_format(str(out)).vectors)
    assert not np.array_equal(outs[0], outs[1])


@pytest.mark.parametrize("sg, cbow_mean, model_line", [
    ("1", "1", "training skip-gram (hs)"), ("0", "0", "training CBOW (sum) (hs)")])
def test_train_per_pair_engine_and_hierarchical_softmax(tmp_path, capsys, sg, cbow_mean,
                                                         model_line):
    out = tmp_path / "pp.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "3", "--engine", "per_pair",
                     "--hs", "1", "--negative", "0", "--epochs", "1", "--window", "2",
                     "--sg", sg, "--cbow-mean", cbow_mean,
                     "--vector-size", "8", "--no-progress", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "engine=per_pair" in stdout and model_line in stdout
    assert "epoch 1/1: loss/" + ("pair" if sg == "1" else "centre word") in stdout
    assert GensimKV.load_word2vec_format(str(out)).vectors.shape == \
        (len(_vocab_of_lines(_toy_text(), 3)), 8)


def test_probe_words_are_shown(tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "1", *FAST, "--out", str(out),
                     "--probe", "cat", "zebraxyz", "--topn", "3"]) == 0
    stdout = capsys.readouterr().out
    neighbours = stdout.split("Nearest neighbours")[1].splitlines()
    cat_line = next(line for line in neighbours if line.strip().startswith("cat "))
    assert cat_line.count(",") == 2  # three neighbours
    assert any("zebraxyz" in line and "not in the vocabulary" in line for line in neighbours)


def test_probe_words_default_picks_known_words():
    wv = KeyedVectors(["the", "sheep", "cat", "of", "meadow", "rome", "grass"],
                      np.eye(7, dtype=np.float32))
    assert cli.probe_words(wv) == ["cat", "rome", "sheep", "meadow", "grass"]
    assert cli.probe_words(wv, ["of"]) == ["of"]


# ---------------------------------------------------------------------- evaluate
def test_evaluate_our_file(toy_vectors, capsys):
    assert cli.main(["evaluate", str(toy_vectors)]) == 0
    stdout = capsys.readouterr().out
    n = len(_vocab_of_lines(_toy_text(), 1))
    assert f"loaded {n:,} vectors of dimension 12" in stdout
    assert "WordSim353 Spearman" in stdout and "Nearest neighbours" in stdout


def test_evaluate_a_file_gensim_wrote(tmp_path, capsys):
    words = ["france", "spain", "king", "queen", "war", "music"]
    g = GensimKV(5)
    g.add_vectors(words, np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32))
    path = tmp_path / "gensim.bin"
    g.save_word2vec_format(str(path), binary=True)
    assert cli.main(["evaluate", str(path), "--binary", "--topn", "2"]) == 0
    stdout = capsys.readouterr().out
    assert "loaded 6 vectors of dimension 5" in stdout
    # the nearest neighbour printed for france is gensim's own answer
    top = g.most_similar("france", topn=1)[0][0]
    line = next(line for line in stdout.splitlines() if line.strip().startswith("france "))
    assert line.split()[1] == top


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "args, phrases",
    [
        (["train", "--corpus", "no_such_file.txt"], ["--corpus", "no such file"]),
        (["train", "--corpus", "toy", "--window", "0"], ["--window", ">= 1", "got 0"]),
        (["train", "--corpus", "toy", "--vector-size", "-3"], ["--vector-size", "got -3"]),
        (["train", "--corpus", "toy", "--epochs", "0"], ["--epochs"]),
        (["train", "--corpus", "toy", "--negative", "-1"], ["--negative"]),
        (["train", "--corpus", "toy", "--alpha", "0"], ["--alpha", "> 0"]),
        (["train", "--corpus", "toy", "--alpha", "fast"], ["--alpha", "'fast'"]),
        (["train", "--corpus", "toy", "--sample", "-0.1"], ["--sample"]),
        (["train", "--corpus", "toy", "--sample", "nan"], ["--sample"]),
        (["train", "--corpus", "toy", "--hs", "2"], ["--hs"]),
        (["train", "--corpus", "toy", "--sg", "2"], ["--sg", "invalid choice: 2"]),
        (["train", "--corpus", "toy", "--cbow-mean", "mean"], ["--cbow-mean", "'mean'"]),
        (["train", "--corpus", "toy", "--engine", "turbo"], ["--engine"]),
        (["train", "--corpus", "toy", "--hs", "0", "--negative", "0"], ["hs=0", "negative=0"]),
        (["train", "--corpus", "toy", "--min-alpha", "0.5"], ["min_alpha"]),
        (["train", "--corpus", "toy", "--min-count", "100000"], ["min_count=100000"]),
        (["train", "--corpus", "toy", "--no-such-option"], ["unrecognized"]),
    ],
)
def test_bad_training_input_exits_2_with_one_line(args, phrases, tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert cli.main([*args, "--no-progress", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    _assert_one_error_line(captured.err, *phrases)
    assert not out.exists()


def test_missing_out_option(capsys):
    assert cli.main(["train", "--corpus", "toy"]) == 2
    _assert_one_error_line(capsys.readouterr().err, "--out")


def test_no_command(capsys):
    assert cli.main([]) == 2
    _assert_one_error_line(capsys.readouterr().err, "train or evaluate")


@pytest.mark.parametrize("content", ["", "\n\n", "123 456\n!!! ???\n"])
def test_empty_corpus_file(content, tmp_path, capsys):
    corpus = tmp_path / "empty.txt"
    corpus.write_text(content, encoding="utf8")
    assert cli.main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "v.txt")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "no tokens")


def test_corpus_folder_and_out_folder(tmp_path, capsys):
    assert cli.main(["train", "--corpus", str(tmp_path), "--out", str(tmp_path / "v")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "--corpus", "folder")
    assert cli.main(["train", "--corpus", "toy", "--out", str(tmp_path)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "--out", "folder")
    missing = tmp_path / "no" / "such" / "v.txt"
    assert cli.main(["train", "--corpus", "toy", "--out", str(missing)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "--out", "does not exist")


def test_diverging_alpha_is_one_error_line_and_no_file(tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert cli.main(["train", "--corpus", "toy", "--min-count", "1", "--alpha", "50",
                     "--no-progress", "--out", str(out)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "diverged", "alpha=50")
    assert not out.exists()


def test_evaluate_bad_files(tmp_path, toy_vectors, capsys):
    assert cli.main(["evaluate", str(tmp_path / "absent.txt")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "no such file")

    bad = tmp_path / "bad.txt"
    bad.write_text("2 3\nfoo 1 2 3\nbar 1 2\n", encoding="utf8")
    assert cli.main(["evaluate", str(bad)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "line 3")

    header = tmp_path / "header.txt"
    header.write_text("hello world\n", encoding="utf8")
    assert cli.main(["evaluate", str(header)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "line 1")

    # a text file read as binary, and a binary file read as text
    assert cli.main(["evaluate", str(toy_vectors), "--binary"]) == 2
    _assert_one_error_line(capsys.readouterr().err, "text format", "drop --binary")
    binary = tmp_path / "v.bin"
    KeyedVectors.load_word2vec_format(str(toy_vectors)).save_word2vec_format(str(binary),
                                                                              binary=True)
    assert cli.main(["evaluate", str(binary)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "--binary")


# ---------------------------------------------------------------------- the real entry point
def test_subprocess_train_with_progress_bar_then_evaluate(tmp_path):
    out = tmp_path / "vectors.txt"
    proc = _run(["train", "--corpus", "toy", "--min-count", "1", "--epochs", "2",
                 "--vector-size", "10", "--out", str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Word2Vec (minibatch)" in proc.stderr and "word/s" in proc.stderr  # tqdm's bar
    assert "epoch 2/2: loss/centre word" in proc.stdout
    g = GensimKV.load_word2vec_format(str(out))
    assert g.vectors.shape == (len(_vocab_of_lines(_toy_text(), 1)), 10)

    proc = _run(["evaluate", str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "WordSim353 Spearman" in proc.stdout


def test_subprocess_error_exits_2_without_traceback(tmp_path):
    proc = _run(["train", "--corpus", "missing.txt", "--out", "v.txt"], cwd=tmp_path)
    assert proc.returncode == 2
    _assert_one_error_line(proc.stderr, "no such file")
    assert proc.stdout == ""


def test_help(capsys):
    assert cli.main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--corpus", "--engine", "--epochs", "--vector-size", "--window",
                   "--min-count", "--negative", "--hs", "--sample", "--alpha", "--seed",
                   "--batch-size", "--no-progress", "--out", "--binary", "wiki-sample",
                   "--sg", "--cbow-mean"):
        assert option in out
    assert cli.main(["evaluate", "--help"]) == 0
    assert "--binary" in capsys.readouterr().out
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "train" in out and "evaluate" in out
