"""The site's own pages, written as MyST Markdown from what the checkout already says.

- ``index.md``: the README's opening paragraph, the lesson table (one row per lesson found on
  disk; what it teaches comes from the README's lesson table), the homework, the reference pages;
- ``benchmark.md``: the README's ``## Benchmark`` section, verbatim;
- ``slides.md``: how to present, and one deck per lesson;
- ``glossary.md``: ``notebooks/glossary.md``, verbatim.

Every page is generated at build time, so nothing here needs editing when a lesson arrives.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .course import BENCHMARK_HEADING, Course, Notebook, lesson_table, readme_section

GLOSSARY = Path("notebooks") / "glossary.md"
SLIDES_DIR = "slides"


def deck_href(lesson: Notebook) -> str:
    """Relative URL of a lesson's deck from a page at the site's root."""
    return f"{SLIDES_DIR}/{lesson.name}.html"


def _cell(text: str) -> str:
    # a table cell: one line, no unescaped pipes
    return " ".join(text.split()).replace("|", "\\|")


def _intro(readme: str) -> str:
    """The README's first paragraph after its title."""
    paragraphs = readme.split("\n\n")
    body = [p for p in paragraphs[1:] if p.strip() and not p.lstrip().startswith("#")]
    return body[0].strip() if body else ""


def index_page(course: Course, readme: str) -> str:
    """The home page: what the course is, the lesson table, homework, reference pages."""
    table = lesson_table(readme)
    rows = ["| lesson | what it teaches | slides | homework |", "|---|---|---|---|"]
    for lesson in course.lessons:
        what = table.get(lesson.name, ("", ""))[0] or "(new lesson: see its first cell)"
        ex = course.exercise_for(lesson)
        homework = f"[exercise set {ex.number}](exercises/{ex.name}.ipynb)" if ex else ""
        rows.append(f"| [{_cell(lesson.title)}]({lesson.name}.ipynb) | {_cell(what)} | "
                    f'<a href="{deck_href(lesson)}">slides</a> | {homework} |')
    lesson_toc = "\n".join(n.name for n in course.lessons)
    exercise_toc = "\n".join(f"exercises/{n.name}" for n in course.exercises)
    parts = [
        "# How gensim's Word2Vec applies SGD — the course",
        _intro(readme),
        "Every lesson below was run top to bottom when this site was built: the figures and "
        "numbers are the ones the code produced. To run a lesson yourself, download it with the "
        "button at the top of its page (or clone the repository) and open it in JupyterLab.",
        "## Lessons",
        "\n".join(rows),
        "## Homework",
        "Each exercise set asks for 2–4 functions; a `check(...)` cell after each one gives "
        "instant feedback. The pages show the sheets; download a notebook to work on it. "
        "Worked solutions are in the repository, not on this site.",
        "## Reference",
        "- [Glossary · 术语表](glossary.md): every key term in English and Chinese, with the "
        "lesson that introduces it.\n"
        "- [Benchmark](benchmark.md): our engines against gensim, speed and quality.\n"
        "- [Slides](slides.md): every lesson as a reveal.js deck; presenting with RISE in "
        "JupyterLab.",
        f"```{{toctree}}\n:hidden:\n:caption: Lessons\n\n{lesson_toc}\n```",
    ]
    if exercise_toc:
        parts.append(f"```{{toctree}}\n:hidden:\n:caption: Homework\n\n{exercise_toc}\n```")
    parts.append("```{toctree}\n:hidden:\n:caption: Reference\n\nglossary\nbenchmark\nslides\n```")
    return "\n\n".join(parts) + "\n"


def benchmark_page(readme: str) -> str:
    """The README's benchmark section as a page of its own."""
    section = readme_section(readme, BENCHMARK_HEADING)
    if section is None:
        section = "The README has no benchmark section yet."
    return "# Benchmark\n\n" + section + "\n"


def slides_page(course: Course) -> str:
    """How to present a lesson, and the list of decks."""
    decks = "\n".join(f'- <a href="{deck_href(n)}">{n.title}</a>' for n in course.lessons)
    return f"""# Slides

Every lesson is also a slide deck: one idea per slide, each figure on the slide after its
formula. The decks below are static [reveal.js](https://revealjs.com) pages built with this
site; they work offline.

{decks}

**Keys:** space next slide, ← → between sections, ↑ ↓ within a section, `Esc` overview of all
slides, `S` speaker view, `F` full screen. A tall slide scrolls.

## Presenting live in JupyterLab (RISE)

`pip install -r requirements.txt` installs the RISE extension (`jupyterlab-rise`). Open a lesson
in JupyterLab, run all cells, then press `Alt`+`R` (or use the toolbar's *Render as slides*
button): the same slides, with live code cells you can edit and re-run in front of the class.
Offline, choose the theme `white` in *Settings → Settings Editor → RISE* (the default, `simple`,
asks Google Fonts for its fonts).

The slide boundaries are the cells' *slideshow* metadata (JupyterLab: the property inspector,
gear icon in the right sidebar → *Slide Type*).
"""


def lesson_bar(course: Course, lesson: Notebook) -> nbformat.NotebookNode:
    """A Markdown cell put after a lesson's first cell on the site only: slides and homework."""
    parts = [f'**Slides:** <a href="{deck_href(lesson)}">present this lesson</a>']
    ex = course.exercise_for(lesson)
    if ex is not None:
        parts.append(f"**Homework:** [exercise set {ex.number}](exercises/{ex.name}.ipynb)")
    parts.append("**Glossary:** [English ↔ 中文](glossary.md)")
    cell = nbformat.v4.new_markdown_cell(" · ".join(parts))
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    return cell


def unlink_missing_lessons(markdown: str, course: Course) -> str:
    """``markdown`` with links to lesson notebooks outside this build turned into plain text.

    A build of part of the course (``--only``) has no page for the other lessons.
    """
    built = {n.name for n in course.lessons}

    def keep_or_unlink(m: re.Match) -> str:
        return m[0] if m["name"] in built else m["text"]

    return re.sub(r"\[(?P<text>[^\]]+)\]\((?P<name>\d{2}_[A-Za-z0-9_]+)\.ipynb\)",
                  keep_or_unlink, markdown)


def write_pages(course: Course, src: Path) -> list[Path]:
    """Write the generated pages into the Sphinx source folder ``src``; return their paths."""
    readme = (course.root / "README.md").read_text(encoding="utf-8")
    written = []
    for name, text in (("index.md", index_page(course, readme)),
                       ("benchmark.md", benchmark_page(readme)),
                       ("slides.md", slides_page(course))):
        (src / name).write_text(text, encoding="utf-8")
        written.append(src / name)
    glossary = course.root / GLOSSARY
    if not glossary.is_file():
        raise FileNotFoundError(f"expected the glossary at {glossary}")
    text = unlink_missing_lessons(glossary.read_text(encoding="utf-8"), course)
    (src / "glossary.md").write_text(text, encoding="utf-8")
    written.append(src / "glossary.md")
    return written
