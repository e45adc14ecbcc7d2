"""Lessons as reveal.js slide decks, the same decks RISE shows live in JupyterLab.

Slide boundaries are the cells' ``metadata.slideshow.slide_type`` (``slide``, ``subslide``,
``fragment``, ``-`` = continue, ``skip``, ``notes``), chosen by hand in the lesson notebooks.
A notebook that has none yet (a lesson that has just arrived) gets :func:`default_slide_types`:
a new slide at every heading, and every figure on a slide of its own after the cell before it.

The deck is nbconvert's reveal exporter with the template in ``templates/w2v_reveal``, which loads
reveal.js and MathJax from the site's ``_static/`` instead of a CDN.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from .assets import MATHJAX_DIR, MATHJAX_SCRIPT, REVEAL_DIR

# nbconvert warns about every figure without alt text (matplotlib's have none): not news here
_QUIET = logging.getLogger("w2v_course.site.slides.nbconvert")
_QUIET.setLevel(logging.ERROR)

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
TEMPLATES = Path(__file__).parent / "templates"


def slide_type(cell: nbformat.NotebookNode) -> str | None:
    """The cell's ``slideshow.slide_type``, or None when it has none."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def has_slide_metadata(nb: nbformat.NotebookNode) -> bool:
    """True when at least one cell of ``nb`` says where its slide starts."""
    return any(slide_type(c) is not None for c in nb.cells)


def _has_figure(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(
        "image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {})
        for out in cell.get("outputs", []))


def default_slide_types(nb: nbformat.NotebookNode) -> list[str]:
    """Slide types for a notebook without hand-chosen ones.

    The first cell opens the deck; a Markdown cell starting with a heading opens a slide
    (``#``/``##``) or a sub-slide (``###`` and deeper); a code cell that draws a figure
    opens a sub-slide, so the figure is not squeezed under the formula before it.
    Everything else continues the current slide.
    """
    types = []
    for k, cell in enumerate(nb.cells):
        first_line = cell.source.lstrip().split("\n", 1)[0] if cell.source else ""
        if k == 0:
            types.append("slide")
        elif cell.cell_type == "markdown" and first_line.startswith(("# ", "## ")):
            types.append("slide")
        elif cell.cell_type == "markdown" and first_line.startswith("###"):
            types.append("subslide")
        elif _has_figure(cell):
            types.append("subslide")
        else:
            types.append("-")
    return types


def with_slide_types(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` itself if it has hand-chosen slide types, else a copy with the default ones."""
    if has_slide_metadata(nb):
        return nb
    nb = nbformat.from_dict(nb)  # a deep copy
    for cell, kind in zip(nb.cells, default_slide_types(nb), strict=True):
        cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    return nb


_PAGE_LINK = re.compile(r"\]\((?!\w+:|#|/)(?P<page>[^)\s]+?)\.(?:md|ipynb)(?P<anchor>#[^)\s]*)?\)")


def link_pages_from(nb: nbformat.NotebookNode, up: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose Markdown links to course pages (``glossary.md``,
    ``04_text_to_pairs.ipynb``) point at the site's HTML pages from a deck ``up`` folders deep."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _PAGE_LINK.sub(
                lambda m: f"]({up}/{m['page']}.html{m['anchor'] or ''})", cell.source)
    return nb


def write_deck(nb: nbformat.NotebookNode, out: Path, site_root: Path) -> Path:
    """Write the reveal.js deck of the executed notebook ``nb`` to ``out`` (an ``.html`` file).

    ``site_root`` is the built site's root: the deck links reveal.js and MathJax there by
    relative paths, so the site can be moved or opened from disk.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    up = Path(*[".."] * len(out.parent.relative_to(site_root).parts)) if out.parent != site_root \
        else Path(".")
    exporter = SlidesExporter(template_name="w2v_reveal", log=_QUIET,
                              extra_template_basedirs=[str(TEMPLATES)])
    exporter.reveal_url_prefix = (up / REVEAL_DIR).as_posix()
    exporter.mathjax_url = (up / MATHJAX_DIR / MATHJAX_SCRIPT).as_posix()
    exporter.reveal_theme = "white"  # reveal.js's own fonts; "simple" loads Google Fonts
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(link_pages_from(with_slide_types(nb), up.as_posix()))
    out.write_text(body, encoding="utf-8")
    return out
