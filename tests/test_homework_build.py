"""The master format and the build: committed notebooks are what the build generates, exercise
notebooks carry no solution text, output is deterministic."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest
from homework_helpers import MASTERS, ROOT

from w2v_course.homework import REGISTRY
from w2v_course.homework.build import MASTERS_DIR, build, notebook_text
from w2v_course.homework.master import (
    BEGIN,
    END,
    MasterFormatError,
    parse_master,
    render,
    solution_regions,
)


def test_there_is_one_master_per_set_and_lessons_01_to_08_have_one():
    ids = [m.name[:2] for m in MASTERS]
    assert len(ids) == len(set(ids)) and {f"{k:02d}" for k in range(1, 9)} <= set(ids)
    assert all(m.parent.name == "exercise_masters" for m in MASTERS)


def test_committed_notebooks_match_the_build():
    stale = build(ROOT, check_only=True)
    assert not stale, ("generated notebooks are out of date; run "
                       f"`python -m w2v_course.homework build`: {[str(p) for p in stale]}")


def test_build_check_cli_exits_zero_when_up_to_date():
    r = subprocess.run([sys.executable, "-m", "w2v_course.homework", "build", "--check"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_build_check_detects_a_stale_notebook(tmp_path):
    (tmp_path / MASTERS_DIR).mkdir(parents=True)
    src = MASTERS[0].read_text()
    (tmp_path / MASTERS_DIR / MASTERS[0].name).write_text(src)
    assert len(build(tmp_path)) == 2  # first build writes both versions
    assert build(tmp_path, check_only=True) == []
    (tmp_path / MASTERS_DIR / MASTERS[0].name).write_text(src.replace("Gradient descent",
                                                                      "Gradient Descent"))
    assert len(build(tmp_path, check_only=True)) == 2


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_build_is_deterministic_with_stable_ids_and_no_outputs(master):
    m = parse_master(master)
    for version in ("exercise", "solution"):
        text = notebook_text(m, version)
        assert text == notebook_text(parse_master(master), version)
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        ids = [c.id for c in nb.cells]
        assert ids == [f"{m.set_id}-c{k:02d}" for k in range(len(nb.cells))]
        assert nb.metadata["w2v_edu"]["homework_set"] == m.set_id
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_exercise_notebooks_contain_no_solution_text(master):
    m = parse_master(master)
    ex = nbformat.read(ROOT / "notebooks" / "exercises" / f"{m.name}.ipynb", as_version=4)
    ex_text = "\n".join(c.source for c in ex.cells)
    outside = "\n".join(render(c.source, "exercise") for c in m.cells)
    assert "BEGIN SOLUTION" not in ex_text and "END SOLUTION" not in ex_text
    n_regions = 0
    for cell in m.cells:
        for region in solution_regions(cell.source):
            n_regions += 1
            assert region.strip() and region.strip() not in ex_text
            for line in region.splitlines():
                s = line.strip()
                # every substantial solution line is absent, unless the master also has it
                # outside a solution region (e.g. a shared `import`)
                if len(s) >= 12 and not s.startswith("#") and s not in outside:
                    assert s not in ex_text, f"solution line leaked: {s!r}"
    code = "\n".join(c.source for c in ex.cells if c.cell_type == "code")
    assert code.count("raise NotImplementedError()") == n_regions >= 2
    assert code.count("# YOUR CODE HERE") == n_regions


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_stub_a_check_call_and_a_registered_check(master):
    m = parse_master(master)
    source = "\n".join(c.source for c in m.cells)
    called = re.findall(r"check\(\"(\d\d\.\w+)\", (\w+)\)", source)
    registered = [e for e in REGISTRY if e.startswith(m.set_id + ".")]
    assert [c for c, _ in called] == registered
    for ex_id, func in called:
        assert ex_id.split(".")[1] == func
        assert re.search(rf"^def {func}\(", source, re.M), func
        doc = re.search(rf"^def {func}\(.*?\"\"\"(.*?)\"\"\"", source, re.M | re.S).group(1)
        assert re.search(r"~\d+ lines?", doc), f"{func}: docstring lacks a '~N lines' hint"
        assert "Returns" in doc and "Parameters" in doc


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_cells_that_use_a_stub_are_tagged(master):
    """In the exercise version, only check(...) cells may call the learner's functions unless
    the cell is tagged raises-exception (nbval runs the untouched exercise notebooks)."""
    m = parse_master(master)
    funcs = [e.split(".")[1] for e in REGISTRY if e.startswith(m.set_id + ".")]
    for cell in m.cells:
        if cell.kind != "code" or cell.has_solution or "raises-exception" in cell.tags:
            continue
        body = re.sub(r"check\(.*\)", "", cell.source)
        for f in funcs:
            assert not re.search(rf"\b{f}\(", body), f"untagged cell calls {f}: {cell.source!r}"


def test_render_replaces_solution_with_indented_stub():
    src = f"def f(x):\n    \"\"\"Doc.\"\"\"\n    {BEGIN}\n    y = x + 1\n    return y\n    {END}\n"
    assert render(src, "exercise") == ("def f(x):\n    \"\"\"Doc.\"\"\"\n    # YOUR CODE HERE\n"
                                       "    raise NotImplementedError()")
    assert render(src, "solution") == "def f(x):\n    \"\"\"Doc.\"\"\"\n    y = x + 1\n    return y"
    with pytest.raises(ValueError, match="expected version"):
        render(src, "teacher")


@pytest.mark.parametrize(("text", "match"), [
    (f"# %%\ndef f():\n    {BEGIN}\n    pass\n", r"x\.py:3: .*without"),
    (f"# %%\ndef f():\n    {END}\n", r"x\.py:3: .*without"),
    (f"# %%\n{BEGIN}\n{BEGIN}\n{END}\n", "nested"),
    ("# %% [markdown]\nnot a comment\n", r"x\.py:2: markdown lines"),
    ("# %% tags=oops\nx = 1\n", r"x\.py:1: expected"),
    ("# %% [markdown]\n# ### BEGIN SOLUTION\n# %%\nx\n", "code cells"),
    ("x = 1\n", "no cells"),
])
def test_master_format_errors_name_file_and_line(tmp_path, text, match):
    p = tmp_path / "01_x.py"
    p.write_text(text)
    with pytest.raises(MasterFormatError, match=match.replace("x\\.py", "01_x\\.py")):
        parse_master(p)


def test_master_file_name_is_validated(tmp_path):
    p = tmp_path / "gradient.py"
    p.write_text("# %%\nx = 1\n")
    with pytest.raises(MasterFormatError, match="01_gradient_descent.py"):
        parse_master(p)


def test_masters_are_valid_python():
    for master in MASTERS:
        compile(master.read_text(), str(master), "exec")
