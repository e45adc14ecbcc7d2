"""Master sources of the homework sets, and how one becomes two notebooks.

A master is a plain Python file, ``homework/exercise_masters/NN_name.py`` (one per set; the
folder name says what it holds: the masters the exercise notebooks are built from), in the
"percent" cell format (the one jupytext and VS Code understand; neither is needed here)::

    # %% [markdown]
    # # Homework 01 - gradient descent
    # Markdown lines start with "# " (or are a bare "#").

    # %%
    def least_squares_grad(w, X, y):
        \"\"\"Docstring in the lesson's notation. ~2 lines.\"\"\"
        ### BEGIN SOLUTION
        return X.T @ (X @ w - y) / len(y)
        ### END SOLUTION

    # %% tags=["raises-exception"]
    least_squares_grad(w, X, y)   # a cell that uses a stub: fails in the exercise notebook

Rules:

* ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell; an optional
  ``tags=["a", "b"]`` after it sets the cell's tags. Text before the first marker is a comment
  for maintainers and is dropped.
* In code cells, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are the
  solution. The exercise notebook replaces them with ``# YOUR CODE HERE`` and
  ``raise NotImplementedError()`` (indented like the ``### BEGIN SOLUTION`` line); the solution
  notebook keeps them and drops only the two marker lines.
* Cells that call a learner's function directly must be tagged ``raises-exception`` so that the
  untouched exercise notebook still runs under nbval (``check(...)`` calls never raise).
* Because the markers are comments, a master is valid Python:
  ``python homework/exercise_masters/NN_name.py``
  runs the reference solution top to bottom.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")

_MARKER = re.compile(r"^# %%(?P<md>\s*\[markdown\])?(?P<rest>.*)$")
_TAGS = re.compile(r"^\s*tags\s*=\s*(?P<tags>\[.*\])\s*$")


class MasterFormatError(ValueError):
    """A master file breaks the format; the message names the file and the line."""


@dataclass
class MasterCell:
    kind: str  # "markdown" | "code"
    source: str  # as written in the master, markers included (markdown without "# ")
    tags: list[str] = field(default_factory=list)
    line: int = 0  # 1-based line of the "# %%" marker

    @property
    def has_solution(self) -> bool:
        return BEGIN in self.source


@dataclass
class Master:
    path: Path
    cells: list[MasterCell]

    @property
    def name(self) -> str:  # "01_gradient_descent"
        return self.path.stem

    @property
    def set_id(self) -> str:  # "01"
        return self.name.split("_", 1)[0]


def parse_master(path: str | Path) -> Master:
    """Read a master file into cells (validating markers); raise MasterFormatError on bad input."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if not re.match(r"^\d\d_[a-z0-9_]+$", path.stem):
        raise MasterFormatError(f"{path}: expected a file name like 01_gradient_descent.py, "
                                f"got {path.name}")
    cells: list[MasterCell] = []
    current: MasterCell | None = None
    body: list[str] = []

    def close():
        if current is None:
            return
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        current.source = "\n".join(body)
        cells.append(current)

    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _MARKER.match(line)
        if m:
            close()
            rest = m.group("rest").strip()
            tags: list[str] = []
            if rest:
                t = _TAGS.match(rest)
                if not t:
                    raise MasterFormatError(f"{path}:{lineno}: expected `# %%`, `# %% [markdown]`"
                                            f" or `# %% tags=[...]`, got {line!r}")
                try:
                    tags = json.loads(t.group("tags"))
                except json.JSONDecodeError as exc:
                    raise MasterFormatError(f"{path}:{lineno}: tags must be a JSON list of "
                                            f"strings, got {t.group('tags')!r} ({exc})") from None
            current = MasterCell("markdown" if m.group("md") else "code", "", tags, lineno)
            body = []
            continue
        if current is None:
            continue  # maintainer comment before the first cell
        if current.kind == "markdown":
            if line.startswith("# "):
                body.append(line[2:])
            elif line.strip() in ("#", ""):
                body.append("")
            else:
                raise MasterFormatError(f"{path}:{lineno}: markdown lines must start with '# ', "
                                        f"got {line!r}")
        else:
            body.append(line)
    close()
    for cell in cells:
        _validate_markers(path, cell)
    if not cells:
        raise MasterFormatError(f"{path}: no cells (expected lines starting with `# %%`)")
    return Master(path, cells)


def _validate_markers(path: Path, cell: MasterCell) -> None:
    depth = 0
    begin_at = ""
    for k, line in enumerate(cell.source.splitlines()):
        s = line.strip()
        where = f"{path}:{cell.line + 1 + k}"
        if s == BEGIN:
            if cell.kind != "code":
                raise MasterFormatError(f"{where}: solution markers belong in code cells")
            if depth:
                raise MasterFormatError(f"{where}: nested {BEGIN}")
            depth = 1
            begin_at = where
        elif s == END:
            if not depth:
                raise MasterFormatError(f"{where}: {END} without {BEGIN}")
            depth = 0
        elif ("BEGIN SOLUTION" in s or "END SOLUTION" in s) and s.startswith("#"):
            raise MasterFormatError(f"{where}: expected exactly {BEGIN!r} or {END!r}, got {s!r}")
    if depth:
        raise MasterFormatError(f"{begin_at}: {BEGIN} without {END} in the same cell")


def render(source: str, version: str) -> str:
    """The cell source for ``version`` "solution" (markers dropped) or "exercise" (stubbed)."""
    if version not in ("solution", "exercise"):
        raise ValueError(f"expected version 'solution' or 'exercise', got {version!r}")
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        s = line.strip()
        if s == BEGIN:
            inside = True
            if version == "exercise":
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + stub for stub in STUB)
            continue
        if s == END:
            inside = False
            continue
        if inside and version == "exercise":
            continue
        out.append(line)
    return "\n".join(out)


def solution_regions(source: str) -> list[str]:
    """The text of every solution region of a cell (for the no-leak test)."""
    regions, cur, inside = [], [], False
    for line in source.splitlines():
        s = line.strip()
        if s == BEGIN:
            inside, cur = True, []
        elif s == END:
            inside = False
            regions.append("\n".join(cur))
        elif inside:
            cur.append(line)
    return regions
