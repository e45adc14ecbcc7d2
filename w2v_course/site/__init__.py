"""The course as a static website and as lecture slides, checked in a real browser.

``python -m w2v_course.site build`` executes every lesson and builds the site with Sphinx and
MyST-NB (:mod:`.build`); ``python -m w2v_course.site check`` opens every page in headless
Chromium (:mod:`.browser`). Lessons and exercise sets are found on disk (:mod:`.course`), never
listed by hand.
"""

from .course import Course, Notebook, discover

__all__ = ["build_site", "BuildReport", "discover", "Course", "Notebook"]


def __getattr__(name: str):
    # the build pulls in nbclient, nbconvert and Sphinx's helpers: import it only when asked
    if name in ("build_site", "BuildReport"):
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module 'w2v_course.site' has no attribute {name!r}")
