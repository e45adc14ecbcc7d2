"""Open the built site in headless Chromium and check every page as a reader would see it.

For every ``.html`` page (site pages and slide decks) :func:`check_page` asserts nothing itself;
it returns a :class:`PageReport` listing what is wrong:

- console errors (a script that failed, a file that did not load);
- anything fetched from outside the site (every resource must be a ``file:`` or ``data:`` URL);
- images that did not load (natural width 0);
- maths left untypeset: a Sphinx ``math`` element without MathJax output, a MathJax error, or
  a raw ``$$`` / ``\\(`` / ``\\[`` in the visible text outside code;
- links into the site whose file, or whose ``#anchor`` on the same page, does not exist;

and it saves a full-page screenshot (for a deck: the title slide and the first slides with
maths and with a figure) for a person to look at.

Chromium is Debian's ``chromium`` with ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``), driven by Selenium; :func:`browser_missing` says why a check cannot run.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,900",
)
#: The tallest picture taken of a page; a longer page is saved as several pictures.
MAX_SCREENSHOT_HEIGHT = 12000
PAGE_TIMEOUT = 60


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_path() -> str | None:
    return _which("chromium", "chromium-browser", "google-chrome")


def chromedriver_path() -> str | None:
    return _which("chromedriver", "chromium-driver")


def browser_missing() -> str | None:
    """Why the browser check cannot run here, or None when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -r requirements.txt)"
    if chromium_path() is None or chromedriver_path() is None:
        return ("no Chromium here: install Debian's browser and its driver with "
                "`apt-get update && apt-get install -y chromium chromium-driver`")
    return None


@dataclass
class PageReport:
    """What the browser saw on one page."""

    page: str
    problems: list[str] = field(default_factory=list)
    images: int = 0
    maths: int = 0
    site_links: int = 0
    screenshots: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def start_browser(user_data_dir: Path):
    """A headless Chromium with a fresh profile that records the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver_path()),
                              options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    return driver


_WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
(async () => {
  // every image, wherever it is on the page (lazy ones too), loaded or failed
  await Promise.all(Array.from(document.images).map(img => {
    img.loading = 'eager';
    if (img.complete) return null;
    return new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); });
  }));
  // MathJax: the page's typesetting promise, if the page loads MathJax at all
  for (let k = 0; k < 100 && document.querySelector('script[src*="mathjax"]') &&
       !(window.MathJax && MathJax.startup && MathJax.startup.promise); k++) {
    await new Promise(r => setTimeout(r, 100));
  }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  // a reveal.js deck: until it has laid out its slides
  for (let k = 0; k < 100 && window.Reveal && !Reveal.isReady(); k++) {
    await new Promise(r => setTimeout(r, 100));
  }
  done(true);
})().catch(e => done(String(e)));
"""

_INSPECT = """
const visibleText = () => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
       .forEach(e => e.remove());
  return clone.textContent;
};
const text = visibleText();
const raw = ['$$', '\\\\(', '\\\\['].filter(d => text.includes(d));
return {
  resources: performance.getEntriesByType('resource').map(e => e.name),
  brokenImages: Array.from(document.images)
      .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
  images: document.images.length,
  mathElements: document.querySelectorAll('.math').length,
  mathUntypeset: Array.from(document.querySelectorAll('.math'))
      .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
  mjx: document.querySelectorAll('mjx-container').length,
  mathErrors: Array.from(document.querySelectorAll('mjx-merror'))
      .map(e => e.getAttribute('data-mjx-error') || e.textContent),
  rawDelimiters: raw,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
};
"""


def _is_local(url: str) -> bool:
    return url.split(":", 1)[0] in ("file", "data", "blob", "about")


_NEXT_FRAMES = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
"""


def _settle(driver) -> None:
    """Return once the browser has laid out and painted what the last command changed (two
    animation frames: the next one starts after the pending layout and paint)."""
    driver.execute_async_script(_NEXT_FRAMES)


def _viewport_screenshot(driver, path: Path) -> Path:
    # optimizeForSpeed: less PNG compression, about twice as fast (the same pixels, a larger file)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                  {"format": "png", "optimizeForSpeed": True})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _page_screenshots(driver, stem: Path) -> list[Path]:
    """The whole page: ``stem.png``, and ``stem-2.png``... when it is taller than
    MAX_SCREENSHOT_HEIGHT. The page is laid out in a window as tall as one picture, so nothing
    sticky or scrolled moves between the browser and the picture."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    width = metrics["cssLayoutViewport"]["clientWidth"]
    total = int((metrics.get("cssContentSize") or metrics["contentSize"])["height"])
    height = min(total, MAX_SCREENSHOT_HEIGHT)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    shots = []
    try:
        for k in range(-(-total // height)):
            driver.execute_script(f"window.scrollTo(0, {k * height});")
            _settle(driver)
            name = stem.name + (f"-{k + 1}" if k else "") + ".png"
            shots.append(_viewport_screenshot(driver, stem.with_name(name)))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_script("window.scrollTo(0, 0);")
    return shots


def _deck_screenshots(driver, stem: Path) -> list[Path]:
    """The title slide, the first slide with maths and the first with a figure."""
    slides = driver.execute_script("""
        return Reveal.getSlides().map((s, k) => ({k: k, h: Reveal.getIndices(s).h,
            v: Reveal.getIndices(s).v, maths: s.querySelectorAll('mjx-container').length,
            images: s.querySelectorAll('img').length}));""")
    picks = {"title": slides[0]}
    picks.update({name: next((s for s in slides if s[key] > 0), None)
                  for name, key in (("maths", "maths"), ("figure", "images"))})
    # no slide transition: each slide is drawn at once where the transition would have ended
    driver.execute_script("Reveal.configure({transition: 'none', backgroundTransition: 'none'});")
    shots = []
    for name, slide in picks.items():
        if slide is None:
            continue
        driver.execute_script(f"Reveal.slide({slide['h']}, {slide['v']});")
        _settle(driver)
        shots.append(_viewport_screenshot(driver, stem.with_name(f"{stem.name}-{name}.png")))
    return shots


def check_page(driver, page: Path, site: Path, shots: Path | None) -> PageReport:
    """Open ``page`` (a file of the built ``site``) and report what is wrong with it."""
    rel = page.relative_to(site).as_posix()
    report = PageReport(page=rel)
    start = time.perf_counter()
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.resolve().as_uri())
    waited = driver.execute_async_script(_WAIT_FOR_PAGE)
    if waited is not True:
        report.problems.append(f"page scripts failed while loading: {waited}")
    seen = driver.execute_script(_INSPECT)
    report.images, report.maths = seen["images"], seen["mjx"]

    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            report.problems.append(f"console error: {entry.get('message')}")
    for url in seen["resources"]:
        if not _is_local(url):
            report.problems.append(f"fetched from outside the site: {url}")
    for src in seen["brokenImages"]:
        report.problems.append(f"image did not load: {src}")
    for tex in seen["mathUntypeset"]:
        report.problems.append(f"maths not typeset: {tex!r}")
    for err in seen["mathErrors"]:
        report.problems.append(f"MathJax error: {err}")
    for delim in seen["rawDelimiters"]:
        report.problems.append(f"raw TeX delimiter {delim!r} left in the text")

    here = page.resolve()
    ids = set(seen["ids"])
    for url in seen["links"]:
        parts = urlsplit(url)
        if parts.scheme != "file":
            continue
        report.site_links += 1
        target = Path(unquote(parts.path))
        if not target.exists():
            report.problems.append(f"broken link: {url}")
        elif (parts.fragment and target == here and not parts.fragment.startswith("/")
              and not {parts.fragment, unquote(parts.fragment)} & ids):
            # (an id may be written encoded or not; '#/2/1' is a reveal.js slide address)
            report.problems.append(f"link to a missing anchor: #{parts.fragment}")

    if shots is not None:
        stem = shots / rel.replace("/", "__").removesuffix(".html")
        if driver.execute_script("return typeof Reveal !== 'undefined' && Reveal.isReady();"):
            report.screenshots = _deck_screenshots(driver, stem)
        else:
            report.screenshots = _page_screenshots(driver, stem)
    report.seconds = time.perf_counter() - start
    return report


def site_pages(site: Path) -> list[Path]:
    """Every HTML page of the built site (not the theme's own partials under ``_static``)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def check_site(site: str | Path, shots: str | Path | None = None,
               pages: list[Path] | None = None) -> list[PageReport]:
    """Check ``pages`` (default: every page) of the built ``site``; screenshots go to ``shots``
    (its earlier PNGs are removed first).

    Raises RuntimeError with the reason when no browser is available.
    """
    missing = browser_missing()
    if missing:
        raise RuntimeError(missing)
    site = Path(site).resolve()
    shots = Path(shots).resolve() if shots is not None else None
    if shots is not None:  # the pictures of the last check only
        for old in shots.glob("*.png"):
            old.unlink()
    pages = [Path(p).resolve() for p in pages] if pages is not None else site_pages(site)
    with tempfile.TemporaryDirectory(prefix="w2v-chromium-") as profile:
        driver = start_browser(Path(profile))
        try:
            return [check_page(driver, p, site, shots) for p in pages]
        finally:
            driver.quit()
