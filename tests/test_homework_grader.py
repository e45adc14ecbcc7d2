"""The grader end to end: real kernels, one pool, every solution and stub notebook plus a
rogues' gallery of broken submissions graded in one run."""

from __future__ import annotations

import copy
import csv
import subprocess
import sys

import nbformat
import pytest
from homework_helpers import ROOT

from w2v_course.grading import find_submissions, grade, write_csv
from w2v_course.grading.grader import detect_set

SOL01 = ROOT / "notebooks" / "solutions" / "01_gradient_descent.ipynb"


def _variant(tmp, name, *, after=None, code=None, replace=None, drop_metadata=False):
    nb = nbformat.read(SOL01, as_version=4)
    nb = copy.deepcopy(nb)
    if replace:
        for c in nb.cells:
            if c.cell_type == "code" and replace[0] in c.source:
                c.source = c.source.replace(*replace)
    if code is not None:
        i = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and after in c.source)
        nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code))
    if drop_metadata:
        nb.metadata.pop("w2v_edu")
    path = tmp / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    bad = tmp / "bad"
    bad.mkdir()
    _variant(bad, "loop_cell", after="def gd_step", code="while True:\n    pass")
    _variant(bad, "sys_exit", after="def gd_step", code="import sys\nsys.exit(3)")
    _variant(bad, "os_exit", after="def gd_step", code="import os\nos._exit(1)")
    _variant(bad, "os_kill", after="def gd_step",
             code="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    _variant(bad, "kill_in_function", replace=("return w - lr * grad", "import os; os._exit(0)"))
    _variant(bad, "fake_print", after="def gd_step",
             code="print('01.gd_step score: 3/3 - all cases pass')",
             replace=("return w - lr * grad", "return w + lr * grad"))
    _variant(bad, "renamed", replace=("def gd_step(", "def my_step("), drop_metadata=True)
    (bad / "corrupt.ipynb").write_text("{not json")
    (bad / "03_truncated.ipynb").write_text('{"cells": [')
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                   bad / "unrelated.ipynb")
    paths = [ROOT / "notebooks" / "solutions", ROOT / "notebooks" / "exercises", bad]
    subs = find_submissions(paths)
    rows = grade(subs, timeout=30, cell_timeout=3, check_timeout=30, workers=2)
    by_sub: dict[str, list] = {}
    for r in rows:
        by_sub.setdefault(r.submission.replace("\\", "/"), []).append(r)
    return subs, rows, by_sub, tmp


def _rows(by_sub, suffix):
    hits = [v for k, v in by_sub.items() if k.endswith(suffix)]
    assert len(hits) == 1, (suffix, list(by_sub))
    return hits[0]


def test_one_row_per_submission_and_exercise(graded):
    subs, rows, by_sub, _ = graded
    assert len(by_sub) == len(subs) == 26
    for name, rs in by_sub.items():
        assert len({r.exercise for r in rs}) == len(rs), name


@pytest.mark.parametrize("set_id", [f"{k:02d}" for k in range(1, 9)])
def test_solutions_score_full_marks_and_stubs_zero(graded, set_id):
    _, _, by_sub, _ = graded
    sol = [v for k, v in by_sub.items() if f"solutions/{set_id}_" in k][0]
    ex = [v for k, v in by_sub.items() if f"exercises/{set_id}_" in k][0]
    assert 2 <= len(sol) <= 4
    assert all(r.points == r.max_points > 0 for r in sol), sol
    assert [r.exercise for r in ex] == [r.exercise for r in sol]
    assert all(r.points == 0 and "not implemented" in r.feedback for r in ex), ex


@pytest.mark.parametrize("name", ["loop_cell", "sys_exit", "os_exit", "os_kill"])
def test_grading_survives_a_bad_cell_and_still_scores_the_rest(graded, name):
    _, _, by_sub, _ = graded
    rs = _rows(by_sub, f"{name}.ipynb")
    assert [r.points for r in rs] == [r.max_points for r in rs], rs


def test_a_function_that_kills_the_kernel_scores_zero_but_others_count(graded):
    _, _, by_sub, _ = graded
    rs = {r.exercise: r for r in _rows(by_sub, "kill_in_function.ipynb")}
    assert rs["01.least_squares_loss"].points == rs["01.least_squares_loss"].max_points
    assert rs["01.least_squares_grad"].points == rs["01.least_squares_grad"].max_points
    assert rs["01.gd_step"].points == 0
    assert "kernel died" in rs["01.gd_step"].feedback


def test_printing_pass_earns_nothing(graded):
    _, _, by_sub, _ = graded
    rs = {r.exercise: r for r in _rows(by_sub, "fake_print.ipynb")}
    assert rs["01.gd_step"].points < rs["01.gd_step"].max_points
    assert "subtracts" in rs["01.gd_step"].feedback


def test_renamed_function_and_set_from_file_content(graded):
    _, _, by_sub, _ = graded
    rs = {r.exercise: r for r in _rows(by_sub, "renamed.ipynb")}  # no metadata, no NN_ prefix
    assert set(rs) == {"01.least_squares_loss", "01.least_squares_grad", "01.gd_step",
                       "01.batch_gd"}
    assert rs["01.gd_step"].points == 0 and "no function named gd_step" in rs["01.gd_step"].feedback


def test_corrupt_files_score_zero_with_a_reason(graded):
    _, _, by_sub, _ = graded
    (row,) = _rows(by_sub, "/corrupt.ipynb")
    assert (row.exercise, row.points, row.max_points) == ("?", 0, 0)
    assert "could not read" in row.feedback
    rs = _rows(by_sub, "03_truncated.ipynb")
    assert [r.exercise for r in rs] == ["03.linear_alpha", "03.step_decay_lr",
                                        "03.sgd_with_schedule"]
    assert all(r.points == 0 and "could not read" in r.feedback for r in rs)
    (row,) = _rows(by_sub, "unrelated.ipynb")
    assert row.exercise == "?" and "which homework set" in row.feedback


def test_csv_has_the_promised_columns(graded, tmp_path):
    _, rows, _, _ = graded
    out = tmp_path / "grades.csv"
    write_csv(rows, out)
    with open(out, newline="") as fh:
        read = list(csv.DictReader(fh))
    assert list(read[0]) == ["submission", "exercise", "points", "max_points", "feedback"]
    assert len(read) == len(rows)
    assert all(float(r["points"]) <= float(r["max_points"]) for r in read)


def test_cli_grades_a_folder(tmp_path):
    d = tmp_path / "subs"
    d.mkdir()
    (d / "broken.ipynb").write_text("not a notebook")
    out = tmp_path / "g.csv"
    r = subprocess.run([sys.executable, "-m", "w2v_course.grading", "grade", str(d), "--out",
                        str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "graded 1 submission" in r.stdout
    assert out.read_text().splitlines()[0] == "submission,exercise,points,max_points,feedback"
    r = subprocess.run([sys.executable, "-m", "w2v_course.grading", "grade",
                        str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no such file" in r.stderr


def test_detect_set_prefers_metadata_then_name_then_checks(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('check("05.softmax", f)')])
    assert detect_set(nb, tmp_path / "hw.ipynb") == "05"
    assert detect_set(nb, tmp_path / "07_x.ipynb") == "07"
    nb.metadata["w2v_edu"] = {"homework_set": "02"}
    assert detect_set(nb, tmp_path / "07_x.ipynb") == "02"


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="workers"):
        grade([], workers=0)
    with pytest.raises(ValueError, match="timeout"):
        grade([], timeout=0)
