"""The JavaScript the site and the slides need, taken from installed packages (never a CDN).

- **MathJax 3.2.2** (TeX input, SVG output: no web fonts to load, so it also works from
  ``file://``) from the PyPI package ``sphinx-mathjax-offline``, which ships MathJax's own
  distribution files unchanged.
- **reveal.js 5** from the PyPI package ``sphinx-revealjs``, which ships reveal.js's ``dist/``
  and plugins unchanged.

Both are copied into the built site's ``_static/``, so every page loads them from the site itself.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

#: Where the copies go, relative to the site's root.
MATHJAX_DIR = "_static/mathjax"
REVEAL_DIR = "_static/revealjs"
#: The MathJax component every page loads (TeX input, SVG output, menu, autoloaded extensions).
MATHJAX_SCRIPT = "tex-svg.js"


class MissingAssetError(RuntimeError):
    """A package that ships a vendored renderer is not installed."""


def _package_dir(dist_name: str, relative: str) -> Path:
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        raise MissingAssetError(
            f"the site needs the package {dist_name!r} (pip install -r requirements.txt); "
            "it is not installed") from None
    path = Path(str(dist.locate_file(relative)))
    if not path.is_dir():
        raise MissingAssetError(f"package {dist_name!r} is installed but has no {relative}/")
    return path


def mathjax_source() -> Path:
    """MathJax's ``es5`` distribution folder inside ``sphinx-mathjax-offline``."""
    return _package_dir("sphinx-mathjax-offline", "sphinx-mathjax-offline/static/mathjax")


def reveal_source() -> Path:
    """reveal.js's package root (``dist/``, ``plugin/``) inside ``sphinx-revealjs``."""
    return _package_dir("sphinx-revealjs", "sphinx_revealjs/_static/revealjs")


def _ignore_other_mathjax_bundles(folder: str, names: list[str]) -> list[str]:
    # The top level holds a dozen combined bundles; pages load only MATHJAX_SCRIPT. The folders
    # (input/, output/, ui/, a11y/, sre/) hold what it may load on demand, so they are kept.
    if Path(folder) == mathjax_source():
        return [n for n in names if n.endswith(".js") and n != MATHJAX_SCRIPT]
    return []


def copy_mathjax(site: Path) -> Path:
    """Copy MathJax into ``site/_static/mathjax``; return the folder."""
    dest = site / MATHJAX_DIR
    shutil.copytree(mathjax_source(), dest, ignore=_ignore_other_mathjax_bundles,
                    dirs_exist_ok=True)
    return dest


def copy_reveal(site: Path) -> Path:
    """Copy reveal.js's ``dist/`` and its speaker-notes plugin into ``site/_static/revealjs``."""
    src, dest = reveal_source(), site / REVEAL_DIR
    shutil.copytree(src / "dist", dest / "dist", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copytree(src / "plugin" / "notes", dest / "plugin" / "notes", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.esm.js"))
    return dest
