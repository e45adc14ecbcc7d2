"""Build the exercise and solution notebooks from the masters in ``homework/``.

``python -m w2v_course.homework build`` writes, for every master
``homework/exercise_masters/NN_name.py``,

* ``notebooks/exercises/NN_name.ipynb``: solutions replaced by a stub;
* ``notebooks/solutions/NN_name.ipynb``: the full solution.

Output is deterministic: stable cell ids (``NN-cKK``, the same in both versions), no outputs,
``execution_count`` null, sorted JSON keys, so a rebuild of unchanged masters changes no byte.
``python -m w2v_course.homework build --check`` only compares and exits 1 when a committed notebook
differs from what the build generates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .master import Master, parse_master, render

if TYPE_CHECKING:
    import nbformat

# nbformat is imported where a notebook is built, not here: the grader imports this module for
# ``find_repo_root`` and ``master_paths`` only, and importing nbformat costs seconds on some
# installations (jsonschema loads rfc3987-syntax, which compiles a grammar on import)

VERSIONS = {"exercise": "exercises", "solution": "solutions"}
MASTERS_DIR = Path("homework") / "exercise_masters"  # relative to the repository root
MASTER_GLOB = "[0-9][0-9]_*.py"


def find_repo_root(start: str | Path | None = None) -> Path:
    """The repository holding ``homework/exercise_masters/``: from ``start`` (or the cwd) upwards,
    else the checkout the package was installed from (editable install)."""
    candidates = []
    here = Path(start or Path.cwd()).resolve()
    candidates += [here, *here.parents]
    candidates.append(Path(__file__).resolve().parents[2])
    for c in candidates:
        if (c / MASTERS_DIR).is_dir() and any((c / MASTERS_DIR).glob(MASTER_GLOB)):
            return c
    raise FileNotFoundError(f"expected a folder {MASTERS_DIR}/ with NN_name.py masters in "
                            f"{here} or above, found none")


def master_paths(root: Path) -> list[Path]:
    """Every master file of the repository at ``root``, in set order."""
    return sorted((Path(root) / MASTERS_DIR).glob(MASTER_GLOB))


def masters(root: Path) -> list[Master]:
    return [parse_master(p) for p in master_paths(root)]


def notebook_for(master: Master, version: str) -> nbformat.NotebookNode:
    """The notebook of one version ("exercise" or "solution") of a master."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
        "w2v_edu": {"homework_set": master.set_id, "name": master.name, "version": version,
                    "generated_from": f"{MASTERS_DIR.as_posix()}/{master.path.name}"},
    }
    for k, cell in enumerate(master.cells):
        cid = f"{master.set_id}-c{k:02d}"
        if cell.kind == "markdown":
            nc = new_markdown_cell(cell.source, id=cid)
        else:
            nc = new_code_cell(render(cell.source, version), id=cid)
            nc.outputs = []
            nc.execution_count = None
        nc.metadata = {"tags": list(cell.tags)} if cell.tags else {}
        nb.cells.append(nc)
    nbformat.validate(nb)
    return nb


def notebook_text(master: Master, version: str) -> str:
    import nbformat

    return nbformat.writes(notebook_for(master, version)) + "\n"


def target_path(root: Path, master: Master, version: str) -> Path:
    return root / "notebooks" / VERSIONS[version] / f"{master.name}.ipynb"


def build(root: str | Path | None = None, *, check_only: bool = False,
          sets: list[str] | None = None) -> list[Path]:
    """Write (or with ``check_only`` compare) every generated notebook.

    Returns the paths written, or with ``check_only`` the paths that differ (empty = up to date).
    """
    root = find_repo_root(root)
    changed: list[Path] = []
    for master in masters(root):
        if sets and master.set_id not in sets:
            continue
        for version in VERSIONS:
            path = target_path(root, master, version)
            text = notebook_text(master, version)
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old == text:
                continue
            changed.append(path)
            if not check_only:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed
