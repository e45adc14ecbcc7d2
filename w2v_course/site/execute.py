"""Run a lesson notebook top to bottom, as a learner would, and keep its outputs.

Each notebook runs in a fresh kernel whose working directory is the notebook's own folder
(lessons read ``../data/``), which imports ``w2v_edu`` from the checkout being built, and which
draws figures inline whatever ``MPLBACKEND`` the calling shell sets (CI sets ``Agg``, which
would leave the pages without figures).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from w2v_course.ipc_kernels import kernel_config

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class LessonFailedError(RuntimeError):
    """A lesson notebook raised while it was being executed for the site."""


def kernel_env(root: Path) -> dict[str, str]:
    """The kernel's environment: this process's, ``root`` first on ``PYTHONPATH``, inline plots."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    env["MPLBACKEND"] = INLINE_BACKEND
    return env


def static_widget_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep the static picture of every interactive figure, drop the live widget (in place).

    A site has no kernel to drive a widget, and rendering one would fetch the widget manager's
    JavaScript from a CDN. The lessons' interactive figures (``w2v_edu.widgets``) also carry their
    default figure as ``image/png``: removing the widget view and the notebook's widget state
    leaves that picture for the page and the deck.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
    return nb


def execute_notebook(path: Path, root: Path, timeout: int = 300) -> tuple[nbformat.NotebookNode,
                                                                          float]:
    """Execute the notebook at ``path``; return it with outputs and the seconds it took.

    ``timeout`` is per cell, in seconds. Raises :class:`LessonFailedError` naming the notebook
    and the failing cell when a cell raises.
    """
    nb = nbformat.read(path, as_version=4)
    # Unix sockets, not TCP ports: see w2v_course.ipc_kernels
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}},
                            config=kernel_config())
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env(root))
    except CellExecutionError as err:
        raise LessonFailedError(f"{path.name} failed while building the site:\n{err}") from None
    return static_widget_outputs(nb), time.perf_counter() - start
