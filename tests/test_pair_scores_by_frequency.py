"""Word-pair benchmarks scored by the frequency of the rarer word (lesson 10)."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from w2v_edu.evaluation import pair_scores_by_frequency
from w2v_edu.keyedvectors import KeyedVectors

WORDS = ["the", "cat", "dog", "car", "bus", "apple", "pear", "Rome"]
COUNTS = np.array([900, 300, 250, 120, 100, 40, 30, 5])


@pytest.fixture
def pairs_file(tmp_path):
    rows = [("cat", "dog", 8.0), ("car", "bus", 7.5), ("apple", "pear", 8.5),
            ("cat", "car", 2.0), ("dog", "apple", 1.0), ("bus", "pear", 1.5),
            ("the", "cat", 3.0), ("rome", "the", 0.5), ("zebra", "cat", 9.0)]
    path = tmp_path / "pairs.tsv"
    text = "# header\n" + "".join(f"{a}\t{b}\t{s}\n" for a, b, s in rows) + "not a pair\n"
    path.write_text(text, encoding="utf8")
    return str(path), rows


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    return KeyedVectors(WORDS, rng.normal(size=(len(WORDS), 6)).astype(np.float32),
                        counts=COUNTS)


def test_bands_hold_the_pairs_sorted_by_their_rarer_word(wv, pairs_file):
    path, rows = pairs_file
    known = [(a, b, s) for a, b, s in rows if a != "zebra"]  # zebra is OOV; Rome matches rome
    index = {w.lower(): i for i, w in enumerate(WORDS)}
    rarer = [min(COUNTS[index[a]], COUNTS[index[b]]) for a, b, _ in known]
    order = np.argsort(rarer, kind="stable")
    bands = pair_scores_by_frequency(wv, path, n_bands=2)
    assert [b["pairs"] for b in bands] == [4, 4]
    assert bands[0]["max_count"] <= bands[1]["min_count"]
    assert bands[0]["min_count"] == 5 and bands[1]["max_count"] == 300
    for band, idx in zip(bands, (order[:4], order[4:]), strict=True):
        a = np.array([wv.get_vector(WORDS[index[known[i][0]]], norm=True) for i in idx])
        b = np.array([wv.get_vector(WORDS[index[known[i][1]]], norm=True) for i in idx])
        expected = spearmanr((a * b).sum(axis=1), [known[i][2] for i in idx]).statistic
        assert band["spearman"] == pytest.approx(expected, abs=1e-6)


def test_one_band_is_the_whole_benchmark(wv, pairs_file):
    path, _ = pairs_file
    (whole,) = pair_scores_by_frequency(wv, path, n_bands=1)
    spearman = wv.evaluate_word_pairs(path)[1][0]
    assert whole["pairs"] == 8 and whole["spearman"] == pytest.approx(spearman, abs=1e-6)


def test_counts_can_be_given_and_bad_input_is_named(wv, pairs_file):
    path, _ = pairs_file
    reversed_counts = COUNTS[::-1]
    bands = pair_scores_by_frequency(wv, path, n_bands=2, counts=reversed_counts)
    assert bands[1]["max_count"] == 250  # now "the" is the rarest word
    with pytest.raises(ValueError, match="n_bands to be an integer >= 1, got 0"):
        pair_scores_by_frequency(wv, path, n_bands=0)
    with pytest.raises(ValueError, match="a count for each of the 8 words, got 3"):
        pair_scores_by_frequency(wv, path, counts=[1, 2, 3])
    with pytest.raises(ValueError, match="at least one word pair"):
        pair_scores_by_frequency(KeyedVectors(["x", "y"], np.ones((2, 3)), counts=[2, 1]), path)
