"""The grader's own copy of the reference solutions: the solution code of the exercise masters.

For every master ``homework/exercise_masters/NN_name.py`` the grader takes the *solution* version
of its code cells and keeps only the top-level ``import`` statements, function and class
definitions (no data loading, no ``check`` calls, no "Try it" cells), executes those in a fresh
namespace of its own process, and looks up each exercise's function by name. These functions are
what the grader runs to plan the inputs of a graded run (see :mod:`w2v_course.grading.judge`);
they are loaded once, before any submission runs, from the lecturer's copy of the course.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from w2v_course.homework import exercises_of_set
from w2v_course.homework.build import MASTERS_DIR, find_repo_root, master_paths
from w2v_course.homework.master import parse_master, render

_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def reference_source(master_path: str | Path) -> str:
    """The imports and definitions of a master's solution version, as one Python source."""
    master = parse_master(master_path)
    parts = []
    for cell in master.cells:
        if cell.kind != "code":
            continue
        tree = ast.parse(render(cell.source, "solution"), filename=str(master_path))
        for node in tree.body:
            if isinstance(node, _KEEP):
                parts.append(ast.get_source_segment(render(cell.source, "solution"), node))
    return "\n\n".join(parts) + "\n"


def load_references(root: str | Path | None = None) -> dict[str, dict[str, Callable]]:
    """``{set_id: {function name: reference function}}`` for every master with registered checks.

    Raises FileNotFoundError when no masters are found (the grader needs them) and ValueError
    when a master lacks a function its checks expect.
    """
    try:
        root = find_repo_root(root)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"the grader needs the exercise masters ({MASTERS_DIR}/) as its reference "
            f"solutions: {exc}") from None
    out: dict[str, dict[str, Callable]] = {}
    for path in master_paths(root):
        set_id = path.name[:2]
        exercises = exercises_of_set(set_id)
        if not exercises:
            continue
        namespace: dict = {"__name__": f"w2v_course_reference_{set_id}"}
        exec(compile(reference_source(path), str(path), "exec"), namespace)  # noqa: S102
        funcs = {}
        for ex in exercises:
            func = namespace.get(ex.func_name)
            if not callable(func):
                raise ValueError(f"{path}: expected a function {ex.func_name} (checked by "
                                 f"{ex.id}), found none")
            funcs[ex.func_name] = func
        out[set_id] = funcs
    return out
