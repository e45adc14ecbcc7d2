"""``python -m w2v_course.site build | check``: build the course site, check it in Chromium."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m w2v_course.site",
                                description="The course as a static website with slides.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="execute every lesson and build the site (a few minutes)")
    b.add_argument("--root", default=".", help="the repository root (default: .)")
    b.add_argument("--out", default=None,
                   help="output folder (default: ROOT/build/site; the site is OUT/html)")
    b.add_argument("--only", nargs="+", metavar="LESSON",
                   help="build only these lessons: numbers (01 07) or name patterns ('0[1-3]_*')")
    b.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    b.add_argument("--allow-warnings", action="store_true",
                   help="do not fail on Sphinx warnings (broken cross-references and the like)")
    c = sub.add_parser("check", help="open every page in headless Chromium; save screenshots")
    c.add_argument("site", nargs="?", default="build/site/html",
                   help="the built site (default: build/site/html)")
    c.add_argument("--screenshots", default="build/site-screenshots",
                   help="where to save the screenshots (default: build/site-screenshots)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        from .build import build_site

        start = time.perf_counter()
        try:
            build_site(args.root, args.out, only=args.only, timeout=args.timeout,
                       warnings_as_errors=not args.allow_warnings)
        except (FileNotFoundError, ValueError, RuntimeError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"built in {time.perf_counter() - start:.0f} s")
        return 0

    from .browser import check_site

    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"error: no built site at {site} (run `python -m w2v_course.site build` first)",
              file=sys.stderr)
        return 2
    try:
        reports = check_site(site, args.screenshots)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    bad = 0
    for r in reports:
        status = "ok " if not r.problems else "BAD"
        print(f"{status} {r.page:48s} {r.images:3d} images {r.maths:4d} maths "
              f"{r.site_links:4d} links {r.seconds:5.1f} s")
        for problem in r.problems:
            print(f"      {problem}")
        bad += bool(r.problems)
    print(f"{len(reports) - bad} pages ok, {bad} with problems; screenshots in {args.screenshots}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
