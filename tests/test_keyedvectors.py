"""KeyedVectors must give gensim's answers on the same vectors and read/write gensim's files."""

import collections

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKV
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from w2v_edu.keyedvectors import KeyedVectors

# gensim's most_similar_cosmul calls its own deprecated init_sims(); not our concern here
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")

TOL = 1e-5
DIM = 24


def _lee_words(min_count):
    with open(datapath("lee_background.cor"), encoding="utf8") as fin:
        counts = collections.Counter(w for line in fin for w in simple_preprocess(line))
    return [w for w, c in counts.most_common() if c >= min_count]


def _plant_analogies(words, vectors, rng, n_max=150):
    """Make some analogy questions solvable: x_d = x_b + x_c - x_a + small noise.

    The chosen questions have distinct answers d that never appear as a, b or c in another
    chosen question, so planting one does not undo another.
    """
    index = {w: i for i, w in enumerate(words)}
    answers, used_inputs = set(), set()
    planted = 0
    with open(datapath("questions-words.txt"), encoding="utf8") as fin:
        for line in fin:
            quad = line.split()
            if line.startswith(":") or len(quad) != 4 or any(w not in index for w in quad):
                continue
            a, b, c, d = quad
            if d in answers or d in used_inputs or {a, b, c} & answers:
                continue
            vectors[index[d]] = (vectors[index[b]] + vectors[index[c]] - vectors[index[a]]
                                 + 0.3 * rng.standard_normal(vectors.shape[1]))
            answers.add(d)
            used_inputs |= {a, b, c}
            planted += 1
            if planted == n_max:
                break
    return planted


@pytest.fixture(scope="module")
def pair():
    """(ours, gensim's) KeyedVectors holding the same seeded random vectors over Lee words."""
    words = _lee_words(min_count=2)
    rng = np.random.default_rng(12345)
    vectors = rng.standard_normal((len(words), DIM)).astype(np.float32)
    planted = _plant_analogies(words, vectors, rng)
    assert planted > 10
    vectors = vectors.astype(np.float32)
    g = GensimKV(DIM)
    g.add_vectors(words, vectors)
    return KeyedVectors(words, vectors), g


def _same_ranking(ours, theirs):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=0, atol=TOL)


# --------------------------------------------------------------------------- basics
def test_basic_container_api(pair):
    ours, g = pair
    assert ours.index_to_key == g.index_to_key
    assert ours.key_to_index == g.key_to_index
    assert ours.vectors.dtype == np.float32 and ours.vectors.shape == g.vectors.shape
    assert ours.vector_size == DIM and len(ours) == len(g)
    assert "government" in ours and "qwertyuiop" not in ours
    np.testing.assert_array_equal(ours["police"], g["police"])
    np.testing.assert_array_equal(ours[["police", "fire"]], g[["police", "fire"]])
    np.testing.assert_allclose(ours.get_normed_vectors(), g.get_normed_vectors(), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(ours.get_normed_vectors(), axis=1), 1, atol=1e-6)


def test_norms_follow_in_place_changes():
    wv = KeyedVectors(["a", "b"], np.ones((2, 3)))
    wv.vectors[0] *= 2  # e.g. training updates the matrix in place
    np.testing.assert_allclose(wv.norms, [2 * np.sqrt(3), np.sqrt(3)], rtol=1e-6)


# ------------------------------------------------------------------- similarity queries
QUERIES = [
    (["government"], None),
    (["police", "fire"], None),
    (["king", "woman"], ["man"]),
    (["australia"], ["sydney", "year"]),
    (None, ["said"]),
]


@pytest.mark.parametrize(("positive", "negative"), QUERIES)
def test_most_similar_matches_gensim(pair, positive, negative):
    ours, g = pair
    _same_ranking(ours.most_similar(positive=positive, negative=negative, topn=10),
                  g.most_similar(positive=positive, negative=negative, topn=10))


def test_most_similar_options_match_gensim(pair):
    ours, g = pair
    _same_ranking(ours.most_similar("police", topn=7, restrict_vocab=300),
                  g.most_similar("police", topn=7, restrict_vocab=300))
    np.testing.assert_allclose(ours.most_similar("police", topn=None),
                               g.most_similar("police", topn=None), atol=TOL)
    vec = ours["police"] + ours["fire"]
    _same_ranking(ours.similar_by_vector(vec, topn=5), g.similar_by_vector(vec, topn=5))
    _same_ranking(ours.most_similar(positive=[("police", 2.0), "fire"], topn=5),
                  g.most_similar(positive=[("police", 2.0), "fire"], topn=5))
    assert ours.most_similar("police", topn=0) == []


def test_most_similar_excludes_the_query_words(pair):
    ours, _ = pair
    result = ours.most_similar(positive=["king", "woman"], negative=["man"], topn=50)
    assert not {"king", "woman", "man"} & {w for w, _ in result}
    assert len(result) == 50


@pytest.mark.parametrize(("positive", "negative"), QUERIES[:4])
def test_most_similar_cosmul_matches_gensim(pair, positive, negative):
    ours, g = pair
    _same_ranking(ours.most_similar_cosmul(positive=positive, negative=negative, topn=10),
                  g.most_similar_cosmul(positive=positive, negative=negative, topn=10))


def test_cosmul_formula_by_hand():
    """(1 + cos) / 2 shift, products, the 1e-6 in the denominator: computed independently."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 4))
    wv = KeyedVectors(list("abcdef"), X)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    shifted = (1 + unit @ unit.T) / 2
    expected = shifted[1] * shifted[2] / (shifted[0] + 1e-6)
    scores = dict(wv.most_similar_cosmul(positive=["b", "c"], negative=["a"], topn=3))
    assert set(scores) == {"d", "e", "f"}
    for w in "def":
        assert scores[w] == pytest.approx(expected["abcdef".index(w)], rel=1e-5)


def test_similarity_and_doesnt_match_match_gensim(pair):
    ours, g = pair
    for a, b in [("police", "fire"), ("king", "man"), ("the", "the"), ("year", "australia")]:
        assert ours.similarity(a, b) == pytest.approx(float(g.similarity(a, b)), abs=TOL)
        assert ours.distance(a, b) == pytest.approx(float(g.distance(a, b)), abs=TOL)
    rng = np.random.default_rng(0)
    for _ in range(20):
        words = list(rng.choice(ours.index_to_key[:500], size=5, replace=False))
        assert ours.doesnt_match(words) == g.doesnt_match(words)


def test_doesnt_match_ignores_unknown_words_like_gensim(pair):
    ours, g = pair
    words = ["police", "fire", "king", "qwertyuiop"]
    with pytest.warns(UserWarning, match="qwertyuiop"):
        assert ours.doesnt_match(words) == g.doesnt_match(words)
    with pytest.raises(ValueError, match="none"), pytest.warns(UserWarning):
        ours.doesnt_match(["qwertyuiop"])
    with pytest.raises(TypeError, match="list of words"):
        ours.doesnt_match("police fire")


# -------------------------------------------------------------------------- benchmarks
@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize(("restrict_vocab", "case_insensitive"),
                         [(300000, True), (400, True), (300000, False)])
def test_evaluate_word_pairs_matches_gensim(pair, name, restrict_vocab, case_insensitive):
    ours, g = pair
    kw = dict(restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    (p, pp), (s, sp), oov = ours.evaluate_word_pairs(datapath(name), **kw)
    gp, gs, goov = g.evaluate_word_pairs(datapath(name), **kw)
    assert p == pytest.approx(gp[0], abs=TOL) and pp == pytest.approx(gp[1], abs=TOL)
    assert s == pytest.approx(gs[0], abs=TOL) and sp == pytest.approx(gs[1], abs=TOL)
    assert oov == pytest.approx(goov, abs=1e-9)
    assert 0 < oov < 100


def test_evaluate_word_pairs_case_variants_and_comments(tmp_path):
    """Upper-casing: 'Tiger' (first row) stands for 'tiger'; '#' lines and junk lines skipped."""
    words = ["Tiger", "cat", "tiger", "dog", "Car", "house", "tree"]
    X = np.random.default_rng(7).standard_normal((len(words), 5)).astype(np.float32)
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\ntiger\tcat\t7.3\ndog\tCAT\t6.0\ncar\thouse\t1.5\n"
                    "not a pair line\nhouse\ttree\t2.5\nzebra\tcat\t5.0\ntree\tdog\t2.0\n")
    ours = KeyedVectors(words, X)
    g = GensimKV(5)
    g.add_vectors(words, X)
    for ci in (True, False):
        (p, _), (s, _), oov = ours.evaluate_word_pairs(str(path), case_insensitive=ci)
        gp, gs, goov = g.evaluate_word_pairs(str(path), case_insensitive=ci)
        assert (p, s, oov) == pytest.approx((gp[0], gs[0], goov), abs=TOL)


def test_evaluate_word_pairs_all_oov_raises(tmp_path):
    wv = KeyedVectors(["a", "b"], np.eye(2))
    with pytest.raises(ValueError, match="scorable"):
        wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    with pytest.raises(FileNotFoundError):
        wv.evaluate_word_pairs(str(tmp_path / "nope.tsv"))


@pytest.mark.parametrize(("restrict_vocab", "case_insensitive"),
                         [(300000, True), (1500, True), (300000, False)])
def test_evaluate_word_analogies_matches_gensim(pair, restrict_vocab, case_insensitive):
    ours, g = pair
    path = datapath("questions-words.txt")
    kw = dict(restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    acc, sections = ours.evaluate_word_analogies(path, **kw)
    gacc, gsections = g.evaluate_word_analogies(path, **kw)
    assert acc == pytest.approx(gacc, abs=1e-12)
    assert sections == gsections  # same names, same correct / incorrect quadruples, same order
    assert sections[-1]["section"] == "Total accuracy"
    if restrict_vocab == 300000:
        assert acc > 0.05  # the planted analogies are found: the comparison has teeth


@pytest.mark.parametrize("n_words", [4, 5, 6, 7, 9])
def test_evaluate_word_analogies_with_fewer_than_five_other_words_matches_gensim(n_words,
                                                                                 tmp_path):
    # a, b and c left out leave 1..6 candidates: the answer comes from fewer than five words
    rng = np.random.default_rng(n_words)
    words = [f"w{i}" for i in range(n_words)]
    vectors = rng.standard_normal((n_words, 4)).astype(np.float32)
    g = GensimKV(4)
    g.add_vectors(words, vectors)
    path = tmp_path / "q.txt"
    questions = [" ".join(words[i] for i in rng.choice(n_words, 4, replace=False))
                 for _ in range(40)]
    path.write_text(": tiny\n" + "\n".join(questions) + "\n")
    acc, sections = KeyedVectors(words, vectors).evaluate_word_analogies(str(path))
    gacc, gsections = g.evaluate_word_analogies(str(path))
    assert acc == pytest.approx(gacc, abs=1e-12) and sections == gsections
    # with 4 words one candidate is left, the right one; with more, some answers are wrong
    right = len(sections[-1]["correct"])
    assert right == 40 if n_words == 4 else 0 < right < 40


def test_evaluate_word_analogies_dummy4unknown_and_header(pair, tmp_path):
    ours, g = pair
    path = datapath("questions-words.txt")
    acc, sections = ours.evaluate_word_analogies(path, dummy4unknown=True)
    gacc, gsections = g.evaluate_word_analogies(path, dummy4unknown=True)
    assert acc == pytest.approx(gacc) and sections == gsections
    bad = tmp_path / "q.txt"
    bad.write_text("athens greece baghdad iraq\n")
    with pytest.raises(ValueError, match="line 1"):
        ours.evaluate_word_analogies(str(bad))


# ------------------------------------------------------------------------- file interop
@pytest.mark.parametrize("binary", [False, True])
def test_our_files_are_gensims_files(pair, tmp_path, binary):
    ours, g = pair
    ours_path, gensim_path = tmp_path / "ours.w2v", tmp_path / "gensim.w2v"
    ours.save_word2vec_format(str(ours_path), binary=binary)
    g.save_word2vec_format(str(gensim_path), binary=binary)
    assert ours_path.read_bytes() == gensim_path.read_bytes()


@pytest.mark.parametrize("binary", [False, True])
def test_round_trips_both_directions(pair, tmp_path, binary):
    ours, g = pair
    path = tmp_path / "v.w2v"
    ours.save_word2vec_format(str(path), binary=binary)
    loaded_by_gensim = GensimKV.load_word2vec_format(str(path), binary=binary)
    assert loaded_by_gensim.index_to_key == ours.index_to_key
    np.testing.assert_array_equal(loaded_by_gensim.vectors, ours.vectors)

    path2 = tmp_path / "g.w2v"
    g.save_word2vec_format(str(path2), binary=binary)
    loaded_by_us = KeyedVectors.load_word2vec_format(str(path2), binary=binary)
    assert loaded_by_us.index_to_key == g.index_to_key
    np.testing.assert_array_equal(loaded_by_us.vectors, g.vectors)
    assert loaded_by_us.vectors.dtype == np.float32

    limited = KeyedVectors.load_word2vec_format(str(path2), binary=binary, limit=17)
    assert limited.index_to_key == g.index_to_key[:17]


def test_reads_word2vec_c_files(tmp_path):
    """word2vec.c writes a newline after each binary vector and a trailing space in text."""
    words = ["</s>", "the", "über"]
    X = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    binary = b"3 4\n" + b"".join(w.encode() + b" " + x.tobytes() + b"\n"
                                  for w, x in zip(words, X, strict=True))
    (tmp_path / "c.bin").write_bytes(binary)
    text = "3 4\n" + "".join(w + " " + "".join(f"{v:.6f} " for v in x) + "\n"
                             for w, x in zip(words, X, strict=True))
    (tmp_path / "c.txt").write_text(text, encoding="utf8")
    wv = KeyedVectors.load_word2vec_format(str(tmp_path / "c.bin"), binary=True)
    assert wv.index_to_key == words
    np.testing.assert_array_equal(wv.vectors, X)
    wv = KeyedVectors.load_word2vec_format(str(tmp_path / "c.txt"))
    assert wv.index_to_key == words
    np.testing.assert_allclose(wv.vectors, X, atol=1e-6)
    g = GensimKV.load_word2vec_format(str(tmp_path / "c.txt"))
    np.testing.assert_array_equal(g.vectors, wv.vectors)


# ------------------------------------------------------------------------------ errors
def test_unknown_word_is_a_keyerror_naming_it(pair):
    ours, _ = pair
    for call in (lambda: ours["qwertyuiop"],
                 lambda: ours.most_similar("qwertyuiop"),
                 lambda: ours.most_similar(positive=["police"], negative=["qwertyuiop"]),
                 lambda: ours.most_similar_cosmul(["police", "qwertyuiop"]),
                 lambda: ours.similarity("police", "qwertyuiop")):
        with pytest.raises(KeyError, match="qwertyuiop"):
            call()
    with pytest.raises(ValueError, match="at least one"):
        ours.most_similar()
    with pytest.raises(ValueError, match=r"shape \(24,\)"):
        ours.most_similar(positive=[np.zeros(3)])


@pytest.mark.parametrize(("keys", "vectors", "error", "match"), [
    (["a", "b"], np.zeros(2), ValueError, r"got shape \(2,\)"),
    (["a", "b"], np.zeros((3, 4)), ValueError, r"expected vectors of shape \(2, d\).*\(3, 4\)"),
    (["a", "a"], np.zeros((2, 4)), ValueError, "unique"),
    (["a", 3], np.zeros((2, 4)), TypeError, "str"),
    ("ab", np.zeros((2, 4)), TypeError, "list of words"),
    (["a", "b"], np.array([[1.0, np.nan], [0, 1]]), ValueError, "'a'"),
])
def test_constructor_validates(keys, vectors, error, match):
    with pytest.raises(error, match=match):
        KeyedVectors(keys, vectors)


@pytest.mark.parametrize(("content", "match"), [
    ("three 2\na 1 2\n", "line 1"),
    ("2 3\na 1 2 3\nb 1 2\n", "line 3.*expected a word and 3 numbers, got 2"),
    ("2 3\na 1 2 3\nb 1 x 3\n", "line 3.*not a number"),
    ("3 3\na 1 2 3\nb 1 2 3\n", "line 4.*expected 3 vectors"),
])
def test_malformed_text_file_names_the_line(tmp_path, content, match):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        KeyedVectors.load_word2vec_format(str(path))


def test_malformed_binary_file_and_missing_file(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b"2 3\na " + np.ones(3, np.float32).tobytes() + b"b " + b"\x00" * 5)
    with pytest.raises(ValueError, match="line 3.*end of file"):
        KeyedVectors.load_word2vec_format(str(path), binary=True)
    with pytest.raises(FileNotFoundError, match="nope"):
        KeyedVectors.load_word2vec_format(str(tmp_path / "nope.txt"))


def test_duplicate_words_in_a_file_keep_the_first(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 2\na 1 2\nb 3 4\na 5 6\n")
    with pytest.warns(UserWarning, match="repeated"):
        wv = KeyedVectors.load_word2vec_format(str(path))
    assert wv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(wv["a"], [1, 2])


def test_a_text_file_read_as_binary_or_the_reverse_says_which_flag_to_use(tmp_path):
    kv = KeyedVectors(["a", "b", "c"], np.arange(30, dtype=np.float32).reshape(3, 10) / 7)
    text, binary = tmp_path / "v.txt", tmp_path / "v.bin"
    kv.save_word2vec_format(text)
    kv.save_word2vec_format(binary, binary=True)
    with pytest.raises(ValueError, match="binary=False"):
        KeyedVectors.load_word2vec_format(text, binary=True)
    with pytest.raises(ValueError, match=r"line 2: .*binary=True"):
        KeyedVectors.load_word2vec_format(binary, binary=False)
    # limit stops early on purpose: the rest of the file is not an error
    assert KeyedVectors.load_word2vec_format(binary, binary=True, limit=2).vectors.shape == (2, 10)
