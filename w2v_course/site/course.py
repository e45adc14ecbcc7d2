"""What the course consists of, found on disk: lessons, exercise sets, the README's tables.

Nothing here is listed by hand. A lesson is any ``notebooks/NN_name.ipynb``, an exercise set any
``notebooks/exercises/NN_name.ipynb``; lessons and exercise sets are matched by their number
``NN``. What a lesson teaches is read from the README's lesson table (the one place it is
written); a lesson the table does not mention yet is still published, under its own title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: ``NN_name.ipynb``: two digits, an underscore, a name.
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d{2})_(?P<slug>[A-Za-z0-9_]+)\.ipynb$")

#: The README heading of the lesson table, and the heading whose section is the benchmark.
LESSONS_HEADING = "## The lessons"
BENCHMARK_HEADING = "## Benchmark"


@dataclass(frozen=True)
class Notebook:
    """One lesson or exercise notebook of the course.

    ``path`` is the file, ``number`` its two-digit prefix (``"01"``), ``name`` the file stem
    (``"01_gradient_descent"``), ``title`` the text of its first ``#`` heading.
    """

    path: Path
    number: str
    name: str
    title: str


@dataclass(frozen=True)
class Course:
    """The lessons and exercise sets of one checkout, in lesson order."""

    root: Path
    lessons: tuple[Notebook, ...]
    exercises: tuple[Notebook, ...]

    def exercise_for(self, lesson: Notebook) -> Notebook | None:
        """The exercise set with the lesson's number, or None."""
        return next((e for e in self.exercises if e.number == lesson.number), None)


def first_heading(nb: nbformat.NotebookNode) -> str | None:
    """The text of the first level-1 Markdown heading of a notebook, or None."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return None


def _notebooks(folder: Path) -> tuple[Notebook, ...]:
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        m = NOTEBOOK_NAME.match(path.name)
        if m is None:
            continue
        nb = nbformat.read(path, as_version=4)
        found.append(Notebook(path=path, number=m["number"], name=path.stem,
                              title=first_heading(nb) or path.stem))
    return tuple(found)


def discover(root: str | Path, only: list[str] | None = None) -> Course:
    """Find the lessons and exercise sets of the checkout at ``root``.

    Parameters
    ----------
    root : the repository root (it holds ``notebooks/``).
    only : if given, keep only lessons whose name matches one of these glob patterns
        (``"01_*"``) or equals one of these numbers (``"01"``); exercise sets follow their lesson.

    Raises
    ------
    FileNotFoundError : ``root/notebooks`` does not exist.
    ValueError : ``only`` selects no lesson.
    """
    root = Path(root)
    folder = root / "notebooks"
    if not folder.is_dir():
        raise FileNotFoundError(f"expected the course's notebooks in {folder}, found no folder")
    lessons = _notebooks(folder)
    exercises = _notebooks(folder / "exercises") if (folder / "exercises").is_dir() else ()
    if only:
        lessons = tuple(n for n in lessons if _selected(n, only))
        if not lessons:
            raise ValueError(f"--only {' '.join(only)} selects no lesson; expected numbers like "
                             "01 or patterns like '01_*'")
        numbers = {n.number for n in lessons}
        exercises = tuple(e for e in exercises if e.number in numbers)
    return Course(root=root, lessons=lessons, exercises=exercises)


def _selected(nb: Notebook, only: list[str]) -> bool:
    from fnmatch import fnmatch

    return any(pattern == nb.number or fnmatch(nb.name, pattern) for pattern in only)


def readme_section(readme: str, heading: str) -> str | None:
    """The README's section under ``heading`` (a ``## `` line), up to the next ``## `` heading."""
    lines = readme.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        return None
    end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")),
               len(lines))
    return "\n".join(lines[start + 1:end]).strip("\n")


def lesson_table(readme: str) -> dict[str, tuple[str, str]]:
    """The README's lesson table: lesson name -> (what it teaches, package modules).

    Reads the rows ``| `NN_name` | what | modules |`` of the section ``## The lessons``.
    """
    section = readme_section(readme, LESSONS_HEADING) or ""
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*`(?P<name>\d{2}_[A-Za-z0-9_]+)`\s*\|(?P<what>.*)\|(?P<mods>.*)\|\s*$",
                     line)
        if m:
            rows[m["name"]] = (m["what"].strip(), m["mods"].strip())
    return rows
