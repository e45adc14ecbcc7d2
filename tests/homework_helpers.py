"""Shared helpers for the homework tests: load the reference solutions and the stubs."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat

from w2v_course.homework.build import master_paths

ROOT = Path(__file__).resolve().parents[1]
MASTERS = master_paths(ROOT)


def namespace_of(notebook: Path) -> dict:
    """Execute a generated notebook's code cells in-process (skipping cells tagged
    raises-exception) and return its namespace: the learner's functions, as the grader sees them."""
    nb = nbformat.read(notebook, as_version=4)
    ns: dict = {"__name__": "__homework__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
                continue
            exec(compile(cell.source, f"<{notebook.name}>", "exec"), ns)  # noqa: S102
    return ns
