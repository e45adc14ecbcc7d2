"""The course site without a browser: lessons found on disk, generated pages, the glossary and
the lessons' key terms agree, slide boundaries, the offline deck template, the command line."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest

from w2v_course.site import assets, course, pages, slides
from w2v_course.site.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GLOSSARY = ROOT / "notebooks" / "glossary.md"
KEY_TERMS = "**Key terms · 关键术语:**"
CJK = re.compile(r"[\u4e00-\u9fff]")
# a 1x1 PNG, to stand in for a figure
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def _notebook(path: Path, title: str, extra: list | None = None) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nSome text.")] + (extra or [])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def fake_repo(tmp_path):
    """A checkout with lessons 01, 02 and a just-arrived 10, exercises 01 and 10, solutions."""
    nbs = tmp_path / "notebooks"
    _notebook(nbs / "01_gradient_descent.ipynb", "01 — Gradient descent")
    _notebook(nbs / "02_sgd.ipynb", "02 — SGD")
    _notebook(nbs / "10_cbow.ipynb", "10 — CBOW")
    _notebook(nbs / "scratch.ipynb", "not a lesson")
    _notebook(nbs / "exercises" / "01_gradient_descent.ipynb", "Homework 01")
    _notebook(nbs / "exercises" / "10_cbow.ipynb", "Homework 10")
    _notebook(nbs / "solutions" / "01_gradient_descent.ipynb", "Solution 01")
    (nbs / "glossary.md").write_text(
        "# Glossary\n\n| English | 中文 | meaning | lesson |\n|---|---|---|---|\n"
        "| gradient | 梯度 | slope | [01](01_gradient_descent.ipynb) |\n"
        "| CBOW | 连续词袋 | the other model | [10](10_cbow.ipynb) |\n", encoding="utf-8")
    (tmp_path / "README.md").write_text(
        "# Title\n\nThe course in one paragraph.\n\n## The lessons\n\n"
        "| notebook | what it teaches | package modules |\n|---|---|---|\n"
        "| `01_gradient_descent` | the rule w ← w − η∇L, with a \\| pipe | `gradient_descent` |\n"
        "| `02_sgd` | one example per step | `gradient_descent` |\n\n"
        "## Benchmark\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Homework\n\nlater\n",
        encoding="utf-8")
    return tmp_path


# --- lessons and exercise sets are found, never listed --------------------------------------

def test_discover_finds_every_numbered_lesson_and_exercise_set(fake_repo):
    found = course.discover(fake_repo)
    assert [n.name for n in found.lessons] == ["01_gradient_descent", "02_sgd", "10_cbow"]
    assert [n.name for n in found.exercises] == ["01_gradient_descent", "10_cbow"]
    assert found.lessons[2].title == "10 — CBOW"
    assert found.exercise_for(found.lessons[1]) is None
    assert found.exercise_for(found.lessons[2]).path.parent.name == "exercises"


def test_discover_only_selects_lessons_and_their_exercises(fake_repo):
    by_number = course.discover(fake_repo, only=["10"])
    assert [n.name for n in by_number.lessons] == ["10_cbow"]
    assert [n.name for n in by_number.exercises] == ["10_cbow"]
    by_pattern = course.discover(fake_repo, only=["0[12]_*"])
    assert [n.name for n in by_pattern.lessons] == ["01_gradient_descent", "02_sgd"]


def test_discover_rejects_a_selection_of_nothing_and_a_missing_folder(fake_repo, tmp_path):
    with pytest.raises(ValueError, match="selects no lesson"):
        course.discover(fake_repo, only=["99"])
    with pytest.raises(FileNotFoundError, match="notebooks"):
        course.discover(tmp_path / "nowhere")


def test_discover_finds_the_real_course():
    found = course.discover(ROOT)
    assert [n.path for n in found.lessons] == LESSONS
    assert len(found.exercises) >= 1
    assert all("solutions" not in n.path.parts for n in found.lessons + found.exercises)


# --- generated pages ------------------------------------------------------------------------

def test_lesson_table_reads_the_readme_rows(fake_repo):
    table = course.lesson_table((fake_repo / "README.md").read_text(encoding="utf-8"))
    assert list(table) == ["01_gradient_descent", "02_sgd"]
    assert table["01_gradient_descent"][0] == "the rule w ← w − η∇L, with a \\| pipe"


def test_every_row_of_the_real_readme_table_is_a_lesson_on_disk():
    table = course.lesson_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert table, "the README's lesson table was not found"
    assert set(table) <= {p.stem for p in LESSONS}


def test_index_lists_each_lesson_once_even_one_the_readme_does_not_know(fake_repo):
    found = course.discover(fake_repo)
    index = pages.index_page(found, (fake_repo / "README.md").read_text(encoding="utf-8"))
    for lesson in found.lessons:
        assert index.count(f"]({lesson.name}.ipynb)") == 1  # the table row
        assert index.count(f'href="slides/{lesson.name}.html"') == 1
        assert re.search(rf"^{lesson.name}$", index, re.M)  # the toctree entry
    assert "one example per step" in index
    assert "(new lesson: see its first cell)" in index  # 10_cbow has no README row yet
    assert "](exercises/10_cbow.ipynb)" in index and "exercises/02_sgd" not in index
    assert "solutions/" not in index
    assert "The course in one paragraph." in index


def test_benchmark_page_is_the_readme_section(fake_repo):
    page = pages.benchmark_page((fake_repo / "README.md").read_text(encoding="utf-8"))
    assert page.startswith("# Benchmark") and "| 1 | 2 |" in page and "later" not in page


def test_pages_unlink_lessons_outside_a_partial_build(fake_repo, tmp_path):
    found = course.discover(fake_repo, only=["01"])
    out = tmp_path / "src"
    out.mkdir()
    pages.write_pages(found, out)
    glossary = (out / "glossary.md").read_text(encoding="utf-8")
    assert "[01](01_gradient_descent.ipynb)" in glossary
    assert "10_cbow.ipynb" not in glossary and "| [10]" not in glossary and "| 10 |" in glossary
    assert {p.name for p in out.iterdir()} == {"index.md", "benchmark.md", "slides.md",
                                               "glossary.md"}


def test_lesson_bar_links_slides_homework_glossary_and_is_skipped_in_slides(fake_repo):
    found = course.discover(fake_repo)
    cell = pages.lesson_bar(found, found.lessons[0])
    assert 'href="slides/01_gradient_descent.html"' in cell.source
    assert "(exercises/01_gradient_descent.ipynb)" in cell.source
    assert "(glossary.md)" in cell.source
    assert slides.slide_type(cell) == "skip"
    assert "exercises" not in pages.lesson_bar(found, found.lessons[1]).source


# --- glossary and key terms -----------------------------------------------------------------

def _glossary_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (?P<en>[^|]+?) \| (?P<zh>[^|]+?) \| (?P<what>.+) \| "
                     r"\[(?P<n>\d\d)\]\((?P<file>[^)]+)\) \|$", line)
        if m:
            assert m["what"].strip(), f"glossary row {m['en']!r} has no meaning"
            assert m["file"].startswith(m["n"] + "_"), f"row {m['en']!r} links the wrong lesson"
            assert (ROOT / "notebooks" / m["file"]).is_file(), f"no lesson {m['file']}"
            zh = re.sub(r"\s*\(.*\)$", "", m["zh"]).replace("\\*", "").replace("†", "").strip()
            rows.append((m["en"], zh, m["n"]))
    return rows


def _key_terms(lesson: Path) -> list[tuple[str, str]]:
    first = nbformat.read(lesson, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    lines = [ln for ln in first.source.splitlines() if ln.startswith(KEY_TERMS)]
    assert len(lines) == 1, (f"{lesson.name}: the first cell needs one line '{KEY_TERMS} "
                             "english · 中文; ... — [glossary · 术语表](glossary.md)'")
    line = lines[0]
    assert line.endswith("](glossary.md)"), f"{lesson.name}: key terms must link the glossary"
    terms = line[len(KEY_TERMS):line.rindex(" — [")].split(";")
    pairs = []
    for term in terms:
        en, sep, zh = term.partition(" · ")
        assert sep and en.strip() and zh.strip(), f"{lesson.name}: {term!r} is not 'en · 中文'"
        pairs.append((en.strip(), zh.strip()))
    return pairs


def test_glossary_is_bilingual_and_has_the_terms_the_course_promises():
    rows = _glossary_rows()
    assert len(rows) >= 40
    assert len({en for en, _, _ in rows}) == len(rows), "a term is listed twice"
    for en, zh, _ in rows:
        assert CJK.search(zh) or zh in ("softmax", "t-SNE"), f"{en!r} has no Chinese term"
    chinese = {zh for _, zh, _ in rows}
    # the core terms, as d2l-zh writes them
    assert {"梯度下降", "随机梯度下降", "小批量随机梯度下降", "学习率", "负采样", "层序softmax",
            "霍夫曼树", "下采样", "词向量", "上下文窗口", "跳元模型", "连续词袋", "词嵌入",
            "损失函数", "动量法"} <= chinese


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_first_cell_names_key_terms_in_both_languages_as_the_glossary_does(lesson):
    rows = {en: (zh, n) for en, zh, n in _glossary_rows()}
    for en, zh in _key_terms(lesson):
        assert en in rows, f"{lesson.name}: key term {en!r} is not in notebooks/glossary.md"
        assert rows[en][0] == zh, f"{lesson.name}: {en!r} is {rows[en][0]} in the glossary"
        assert rows[en][1] <= lesson.name[:2], (
            f"{lesson.name} lists {en!r}, which the glossary says lesson {rows[en][1]} "
            "introduces")


def test_every_glossary_term_is_a_key_term_of_the_lesson_that_introduces_it():
    listed = {lesson.name[:2]: {en for en, _ in _key_terms(lesson)} for lesson in LESSONS}
    for en, _, n in _glossary_rows():
        assert en in listed[n], f"glossary: {en!r} is introduced in {n}, whose key terms omit it"


# --- slides -----------------------------------------------------------------------------------

def _figure_cell(code: str = "plot()") -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG})]
    return cell


def test_default_slide_types_open_slides_at_headings_and_put_figures_on_their_own():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("import numpy"),
                nbformat.v4.new_markdown_cell("## Section\n\n$$L = 1$$"),
                _figure_cell(),
                nbformat.v4.new_markdown_cell("What it shows."),
                nbformat.v4.new_markdown_cell("### Detail")]
    assert slides.default_slide_types(nb) == ["slide", "-", "slide", "subslide", "-", "subslide"]
    assert not slides.has_slide_metadata(nb)
    marked = slides.with_slide_types(nb)
    assert [slides.slide_type(c) for c in marked.cells][:3] == ["slide", "-", "slide"]
    assert slides.slide_type(nb.cells[0]) is None  # the original is not modified


def test_hand_chosen_slide_types_are_kept():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    nb.cells[1].metadata["slideshow"] = {"slide_type": "skip"}
    assert slides.with_slide_types(nb) is nb


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_slide_types_are_valid_and_start_with_a_slide(lesson):
    nb = nbformat.read(lesson, as_version=4)
    if not slides.has_slide_metadata(nb):
        pytest.skip(f"{lesson.name} has no hand-chosen slides yet; the site uses the defaults")
    kinds = [slides.slide_type(c) or "-" for c in nb.cells]
    assert set(kinds) <= set(slides.SLIDE_TYPES), kinds
    assert kinds[0] == "slide"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_committed_lessons_have_no_outputs(lesson):
    nb = nbformat.read(lesson, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, lesson.name


def test_deck_is_offline_and_follows_the_slide_types(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\n$$\\eta > 0$$ [terms](glossary.md)"),
                nbformat.v4.new_code_cell("import numpy"),
                nbformat.v4.new_markdown_cell("## Next idea"),
                _figure_cell("draw()")]
    kinds = ["slide", "skip", "slide", "subslide"]
    for cell, kind in zip(nb.cells, kinds, strict=True):
        cell.metadata["slideshow"] = {"slide_type": kind}
    site = tmp_path / "site"
    deck = slides.write_deck(nb, site / "slides" / "lesson.html", site).read_text()
    urls = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', deck)
    assert urls and not [u for u in urls if "//" in u], urls  # nothing from a CDN
    assert "../_static/revealjs/dist/reveal.js" in urls
    assert f"../_static/mathjax/{assets.MATHJAX_SCRIPT}" in urls
    assert "require.js" not in deck and "jquery" not in deck.lower()
    assert "import numpy" not in deck  # the skipped cell
    # reveal.js nests: each slide is a <section> of sub-slide <section>s: (1 + 1) + (1 + 2)
    assert deck.count("<section") == 5
    assert "data:image/png;base64," in deck
    assert 'href="../glossary.html"' in deck  # course links point at the site's pages


def test_vendored_renderers_are_installed():
    assert (assets.mathjax_source() / assets.MATHJAX_SCRIPT).is_file()
    assert (assets.reveal_source() / "dist" / "reveal.js").is_file()
    assert (assets.reveal_source() / "plugin" / "notes" / "notes.js").is_file()


# --- the command line (run in-process; tests/test_site_browser.py runs the real command) ------

def test_cli_build_rejects_an_empty_selection_with_one_error_line(tmp_path, capsys):
    assert main(["build", "--root", str(ROOT), "--only", "99", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --only 99 selects no lesson") and err.count("\n") == 1
    assert not any(tmp_path.iterdir())  # nothing was built


def test_cli_check_says_when_there_is_no_site(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "no built site" in capsys.readouterr().err


def test_browser_check_explains_how_to_install_chromium_when_it_is_missing(monkeypatch):
    from w2v_course.site import browser

    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    reason = browser.browser_missing()
    assert reason is not None and "apt-get install -y chromium chromium-driver" in reason
    with pytest.raises(RuntimeError, match="chromium"):
        browser.check_site(ROOT)
