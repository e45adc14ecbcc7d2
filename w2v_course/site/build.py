"""``python -m w2v_course.site build``: the whole course as a static website, with slides.

Steps, all offline:

1. find the lessons and exercise sets (:mod:`w2v_course.site.course`);
2. execute every lesson in a fresh kernel (:mod:`w2v_course.site.execute`);
3. write the Sphinx source folder: executed lessons (plus a slides/homework line after the first
   cell), exercise sheets as they are (not executed, no solutions), the generated pages
   (:mod:`w2v_course.site.pages`);
4. ``sphinx-build`` with MyST-NB and the Sphinx Book Theme (configuration in ``sphinx/conf.py``);
5. copy MathJax and reveal.js into ``_static/`` (:mod:`w2v_course.site.assets`) and write one
   reveal.js deck per lesson into ``slides/`` (:mod:`w2v_course.site.slides`).

The result, ``<out>/html``, is plain static files: open ``index.html`` or put the folder on any
static host.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from sphinx.cmd.build import build_main as sphinx_build

from .assets import copy_mathjax, copy_reveal
from .course import Course, discover
from .execute import execute_notebook
from .pages import SLIDES_DIR, lesson_bar, write_pages
from .slides import write_deck

CONF_DIR = Path(__file__).parent / "sphinx"


class SiteBuildError(RuntimeError):
    """sphinx-build failed."""


@dataclass
class BuildReport:
    """What a build produced: the site folder, the course it covered, seconds per step."""

    html: Path
    course: Course
    seconds: dict[str, float] = field(default_factory=dict)


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def build_site(root: str | Path = ".", out: str | Path | None = None,
               only: list[str] | None = None, timeout: int = 300, warnings_as_errors: bool = True,
               log: Callable[[str], None] = print) -> BuildReport:
    """Build the site of the checkout at ``root`` into ``out`` (default ``root/build/site``).

    Parameters
    ----------
    only : lesson numbers or name patterns (``["01"]``, ``["0[1-3]_*"]``) to build a part of
        the course; default every lesson found.
    timeout : seconds allowed per notebook cell.
    warnings_as_errors : make Sphinx warnings (a broken link, a bad heading) fail the build.

    Returns the :class:`BuildReport`; the site is ``report.html``.
    """
    root = Path(root).resolve()
    out = Path(out).resolve() if out is not None else root / "build" / "site"
    course = discover(root, only)
    src, html, doctrees = out / "source", out / "html", out / "doctrees"
    for folder in (src, html, doctrees):
        _fresh(folder)
    (src / "exercises").mkdir()
    report = BuildReport(html=html, course=course)

    executed: dict[str, nbformat.NotebookNode] = {}
    for lesson in course.lessons:
        nb, seconds = execute_notebook(lesson.path, root, timeout=timeout)
        report.seconds[lesson.name] = seconds
        log(f"executed {lesson.name:<34} {seconds:6.1f} s")
        executed[lesson.name] = nb
        page = nbformat.from_dict(nb)
        page.cells.insert(1, lesson_bar(course, lesson))
        nbformat.write(page, src / f"{lesson.name}.ipynb")
    for ex in course.exercises:
        shutil.copyfile(ex.path, src / "exercises" / ex.path.name)
    write_pages(course, src)

    start = time.perf_counter()
    warnings = out / "sphinx-warnings.txt"
    args = ["-b", "html", "-q", "-c", str(CONF_DIR), "-d", str(doctrees), "-w", str(warnings),
            str(src), str(html)]
    if warnings_as_errors:
        args[:0] = ["-W", "--keep-going"]
    status = sphinx_build(args)  # in this process: Sphinx's imports are paid once
    if status != 0:
        raise SiteBuildError(f"sphinx-build failed (exit {status}):\n"
                             f"{warnings.read_text(encoding='utf-8')[-6000:]}")
    report.seconds["sphinx"] = time.perf_counter() - start
    log(f"sphinx-build                               {report.seconds['sphinx']:6.1f} s")

    start = time.perf_counter()
    copy_mathjax(html)
    copy_reveal(html)
    for lesson in course.lessons:
        write_deck(executed[lesson.name], html / SLIDES_DIR / f"{lesson.name}.html", html)
    report.seconds["slides"] = time.perf_counter() - start
    log(f"assets and {len(course.lessons)} slide decks                  "
        f"{report.seconds['slides']:6.1f} s")
    log(f"site: {html / 'index.html'}")
    return report
