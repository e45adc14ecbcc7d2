"""The lesson-budget benchmark's bookkeeping (benchmarks/bench_lessons.py): which notebooks it
runs and how it judges a time against a budget scaled by the machine factor. Nothing is timed
here; the benchmark itself is run by hand on a quiet machine."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_lessons  # noqa: E402


def test_every_lesson_and_only_lessons_by_default():
    found = bench_lessons.lessons([])
    names = [p.name for p in found]
    assert names == sorted(names) and names[0].startswith("01_") and len(names) >= 12
    assert all(p.parent.name == "notebooks" for p in found)  # not the exercises or solutions


def test_lessons_chosen_by_number_and_an_unknown_number_is_named():
    assert [p.name[:2] for p in bench_lessons.lessons(["9", "10"])] == ["09", "10"]
    with pytest.raises(SystemExit, match="no lesson numbered 99"):
        bench_lessons.lessons(["10", "99"])


def test_a_verdict_is_taken_at_the_median_factor_and_says_from_which_factor_a_time_fits():
    # budget 45 s: 38 s fits from factor 38/45 = 0.84; the median of the readings decides
    verdict = bench_lessons.verdict
    assert verdict(38.0, 45.0, [0.78, 0.90, 1.06]) == "PASS at 0.90 (within from 0.84)"
    assert verdict(38.0, 45.0, [0.78, 0.80, 1.06]) == "FAIL at 0.80 (within from 0.84)"
    assert verdict(45.0, 45.0, [1.0]).startswith("PASS")  # the budget itself fits
    assert verdict(10.0, 45.0, []) == "factor unknown"
