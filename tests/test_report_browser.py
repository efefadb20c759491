"""The HTML report as a reader sees it: rendered by headless Chromium at a desktop and a phone width.

The report is written once per session (:func:`energytrade.report.render.write_report` on the bundled
data, by the ``bundled_report`` fixture of tests/conftest.py, which tests/test_report.py reads too) and
``report.html`` is opened from disk by Debian's Chromium, driven through Playwright's Python
package pointed at the system browser (``executable_path``; Playwright never downloads one here). At
1280 px and 400 px wide the tests check that every image loaded, that nothing is wider than the window
(tables scroll inside their own box), that every ``<placeholder>`` written in ``report.md`` is still
visible text (the Markdown once swallowed ``data/raw/<source>/<vintage>/<file>`` as tags), and that
every heading of ``report.md`` is a heading of the page. Full-page screenshots go to
``reports/screenshots/report_<width>px.png`` (``reports/`` is not committed) to be looked at.

Collapsed ``<details>`` sections are opened before checking, so their tables are checked too.

Without a Chromium executable the tests skip, saying so; under CI (``CI`` set to true, as ``.ci/run``
does) a missing browser fails instead, since ``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from playwright.sync_api import sync_playwright

from energytrade.report import render as writer

#: Window widths [px]: a desktop browser and a phone.
WIDTHS = (1280, 400)
#: Height of the window [px] (the screenshots are full-page, whatever this is).
HEIGHT = 900
SCREENSHOTS = REPO / "reports" / "screenshots"
#: Where Debian's package puts the browser; ``CHROMIUM`` in the environment names another one.
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
#: Chromium's flags on this kind of machine: no sandbox as root, and no background calls to Google's
#: hosts, which the closed network refuses (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A rendered box may pass the window's edge by this much [px] (sub-pixel rounding).
TOLERANCE_PX = 1
#: HTML elements a report may write on purpose in its Markdown; any other ``<word>`` in report.md is a
#: placeholder for the reader (``<source>``, ``<file>``), which must stay visible text.
HTML_TAGS = frozenset(
    "a abbr b br caption code col colgroup details div em figcaption figure hr i img li ol p section small "
    "span strong sub summary sup table tbody td th thead tr ul".split()
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no")


def chromium_executable() -> Path | None:
    """The Chromium to drive: ``$CHROMIUM``, else Debian's ``/usr/bin/chromium``, else one on the PATH."""
    named = os.environ.get("CHROMIUM")
    candidates = [Path(named)] if named else []
    candidates.append(DEBIAN_CHROMIUM)
    candidates += [Path(p) for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p]
    return next((p for p in candidates if p.is_file() and os.access(p, os.X_OK)), None)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    path = chromium_executable()
    if path is None:
        reason = (
            f"no Chromium executable ({DEBIAN_CHROMIUM} missing, none on the PATH, $CHROMIUM unset): "
            "install Debian's package with `apt-get install chromium` (.ci/run does)"
        )
        if _truthy(os.environ.get("CI")):
            pytest.fail(f"CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def report_dir(bundled_report) -> Path:
    """The bundled report, written once per session (tests/conftest.py; shared with tests/test_report.py)."""
    return bundled_report.out


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Runs in the page: a short CSS path for an element, and every element or text that passes the window's
# edges without an ancestor that scrolls it (a wide table inside a scrolling box is fine; one cut off by
# ``overflow: hidden`` is not).
_OVERFLOW_JS = r"""
(tolerance) => {
  const vw = document.documentElement.clientWidth;
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(part + '#' + e.id); break; }
      if (e.classList.length) part += '.' + [...e.classList].join('.');
      const same = e.parentElement ? [...e.parentElement.children].filter(c => c.tagName === e.tagName) : [];
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(e) + 1) + ')';
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const scrolled = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > vw + tolerance || r.left < -tolerance) && !scrolled(el)) {
      const text = (el.innerText || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ').slice(0, 50);
      out.push(`${path(el)} [${Math.round(r.left)}..${Math.round(r.right)} px] "${text}"`);
    }
  }
  // Text runs past its own box without the box growing (a long word): measure the text itself.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if ((r.right > vw + tolerance || r.left < -tolerance) && !scrolled(node)) {
      const text = node.textContent.trim().replace(/\s+/g, ' ').slice(0, 50);
      out.push(`${path(node.parentElement)} (text) [${Math.round(r.left)}..${Math.round(r.right)} px] "${text}"`);
    }
  }
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, offenders: out};
}
"""


class RenderedPage:
    """What one window width showed: images, overflow, visible text, headings, the screenshot's path."""

    def __init__(self, page, width: int) -> None:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        self.width = width
        self.images = page.evaluate(
            "() => [...document.images].map(i => ({alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,"
            " shownWidth: i.getBoundingClientRect().width}))"
        )
        self.overflow = page.evaluate(_OVERFLOW_JS, TOLERANCE_PX)
        self.text = page.evaluate("() => document.body.innerText")
        self.headings = page.evaluate(
            "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => h.textContent)"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.screenshot = SCREENSHOTS / f"report_{width}px.png"
        page.screenshot(path=str(self.screenshot), full_page=True)


@pytest.fixture(scope="session")
def rendered(browser, report_dir) -> dict[int, RenderedPage]:
    """The report opened once per width; external requests (there should be none) are refused and listed."""
    pages = {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": HEIGHT})
        page = context.new_page()
        external: list[str] = []
        page.route(
            re.compile(r"^(?!file:|data:)"),
            lambda route, external=external: (external.append(route.request.url), route.abort()),
        )
        page.goto((report_dir / writer.REPORT_HTML).as_uri(), wait_until="load")
        pages[width] = RenderedPage(page, width)
        pages[width].external = external
        context.close()
    return pages


@pytest.fixture(scope="session")
def report_md(report_dir) -> str:
    return (report_dir / writer.REPORT_MD).read_text(encoding="utf-8")


def _plain(markdown_text: str) -> str:
    """Inline Markdown as the reader sees it: links to their text, no emphasis marks, escapes resolved."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|])", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(html.unescape(text).split())


def _quotes(text: str) -> str:
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def markdown_headings(markdown_text: str) -> list[str]:
    """The ATX headings of a Markdown text (outside fenced code), as plain text.

    >>> markdown_headings("# Title\\n\\n```\\n# not a heading\\n```\\n## The **claims** (`x`)\\n")
    ['Title', 'The claims (x)']
    """
    headings, fenced = [], False
    for line in markdown_text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            headings.append(_plain(m.group(1)))
    return headings


def markdown_placeholders(markdown_text: str) -> list[str]:
    """Every ``<word>`` of a Markdown text meant as visible text: not an HTML tag of :data:`HTML_TAGS`, a
    closing tag, a comment or an autolink. ``\\<x\\>`` and ``&lt;x&gt;`` count too (they show as ``<x>``).

    >>> markdown_placeholders("data/raw/<source>/<file>.yml, <details><summary>x</summary>, <https://a.b>")
    ['<source>', '<file>']
    """
    text = html.unescape(re.sub(r"\\([<>])", r"\1", markdown_text))
    found = []
    for m in re.finditer(r"<([^<>\n]+)>", text):
        inner = m.group(1)
        name = re.match(r"/?([A-Za-z][A-Za-z0-9]*)", inner)
        if inner.startswith(("!--", "/")) or re.match(r"[a-z]+:", inner):
            continue
        if name and name.group(1).lower() in HTML_TAGS:
            continue
        found.append(m.group(0))
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_image_loaded(rendered, report_md, width):
    images = rendered[width].images
    broken = [i["alt"] or "(no alt text)" for i in images if not (i["complete"] and i["naturalWidth"] > 0)]
    assert not broken, f"{len(broken)} of {len(images)} images did not load at {width} px: {broken}"
    in_markdown = len(re.findall(r"!\[[^\]]*\]\(", report_md))
    assert len(images) >= in_markdown, f"{in_markdown} images in report.md, {len(images)} on the page"


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_window(rendered, width):
    overflow = rendered[width].overflow
    offenders = overflow["offenders"]
    listing = "\n  ".join(offenders[:25]) + (f"\n  ... and {len(offenders) - 25} more" if len(offenders) > 25 else "")
    assert not offenders, (
        f"at {width} px ({overflow['viewport']} px inside the window), {len(offenders)} elements pass its edge "
        f"(page scroll width {overflow['scrollWidth']} px); see {rendered[width].screenshot}:\n  {listing}"
    )
    assert overflow["scrollWidth"] <= overflow["viewport"] + TOLERANCE_PX, "the page scrolls sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_images_fit_the_window(rendered, width):
    too_wide = [i["alt"] for i in rendered[width].images if i["shownWidth"] > width + TOLERANCE_PX]
    assert not too_wide, f"images wider than {width} px: {too_wide}"


def test_every_placeholder_of_report_md_is_visible_text(rendered, report_md):
    placeholders = markdown_placeholders(report_md)
    for width, page in rendered.items():
        lost = sorted(
            {p for p in placeholders if page.text.count(p) < placeholders.count(p)},
            key=placeholders.index,
        )
        assert not lost, f"at {width} px, placeholders of report.md missing from the page's visible text: {lost}"


def test_every_heading_of_report_md_is_a_heading_of_the_page(rendered, report_md):
    expected = markdown_headings(report_md)
    assert expected, "report.md has headings"
    for width, page in rendered.items():
        # a heading may carry more than its Markdown text (a permalink sign); curly quotes count as straight
        shown = [_quotes(" ".join(h.split())) for h in page.headings]
        missing = [h for h in expected if not any(_quotes(h) in s for s in shown)]
        assert not missing, f"at {width} px, headings of report.md missing from the page: {missing}"


def test_the_page_asks_for_nothing_outside_itself(rendered):
    for width, page in rendered.items():
        assert not page.external, f"at {width} px the page requested {page.external}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_full_page_screenshot_is_saved(rendered, width):
    png = rendered[width].screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    png_width = int.from_bytes(png[16:20], "big")  # IHDR: width, then height, big-endian
    png_height = int.from_bytes(png[20:24], "big")
    assert png_width >= width  # wider only when the page overflows (tested above)
    assert png_height > HEIGHT, "a full page, longer than one window"
