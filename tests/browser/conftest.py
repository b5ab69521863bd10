"""The sample site in a real browser: built once, served on 127.0.0.1, read by Debian's Chromium.

One browser serves the whole session and each page of the site is opened once:
`visit(url)` loads it in a fresh context, measures it in every way the tests
need (light and dark, wide and narrow, more contrast, reduced motion, text at
200 %, keyboard focus), runs axe-core, and keeps the results for the tests to
assert on. Screenshots go to test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from serve_helpers import CHROMIUM, CHROMIUM_ARGS

from conftest import QuietHTTPServer
from sitegen.build import BuildOptions, build

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
FACTS_JS = (Path(__file__).parent / "page_facts.js").read_text("utf-8")
# Pages photographed at every width, by the name their files get.
PHOTOGRAPHED = {"": "home", "conditions/optic-nerve-damage/": "condition", "packages/": "catalogue"}
WIDTHS = (320, 768, 1280)
PRINTED = (
    "conditions/optic-nerve-damage/",
    "packages/optic-nerve-stem-cell-12-day/",
    "packages/selective-laser-trabeculoplasty/",
)


def sample_urls() -> list[str]:
    """Every HTML page the sample site produces, rendered in memory (for parametrising)."""
    result = build(BuildOptions(content=CONTENT, templates=TEMPLATES, write=False))
    return [page.url for page in result.pages if page.is_html]


def missing_tools() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (make browser-deps installs it)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (make setup installs it)"
    return None


def need(reason: str | None) -> None:
    """Skip on a developer's machine without the tools; fail in CI, where they must be."""
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


# The served site ---------------------------------------------------------------


@dataclass
class Served:
    root: Path
    base: str
    log: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status

    def url(self, page: str) -> str:
        return self.base + page

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.requests.append((self.command, self.path, int(code)))  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    result = build(BuildOptions(content=CONTENT, out=out, templates=TEMPLATES))
    assert result.ok, "\n".join(map(str, result.findings))
    return out


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[Served]:
    """`folder` served over HTTP on 127.0.0.1 while the block runs."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(folder, f"http://127.0.0.1:{server.server_port}/", server.requests)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(built_site: Path) -> Iterator[Served]:
    with serving(built_site) as site:
        yield site


# The browser -------------------------------------------------------------------


def screenshot(target: Any, **options: Any) -> None:
    """`target.screenshot(**options)`, for a page or an element, asked again when
    Chromium refuses one capture ("Unable to capture screenshot"): it does now and then,
    and takes the same picture a moment later. One refusal failed 321 tests that
    depend on the phone suite's measurements, which the pictures are only beside."""
    from playwright.sync_api import Error

    for attempt in range(1, 4):
        try:
            target.screenshot(**options)
            return
        except Error as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == 3:
                raise
            time.sleep(0.2 * attempt)


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator[Any]:
    need(missing_tools())
    from playwright.sync_api import sync_playwright

    scratch = tmp_path_factory.mktemp("chromium-tmp")  # Chromium leaves folders in TMPDIR
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@dataclass
class Visit:
    """Everything measured on one page."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[tuple[str, int]] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    axe: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scheme -> violations
    aria: str = ""
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # condition -> page_facts.js
    focus: list[dict[str, Any]] = field(default_factory=list)
    skip_link: dict[str, Any] = field(default_factory=dict)
    cookies: list[Any] = field(default_factory=list)
    storage: dict[str, Any] = field(default_factory=dict)
    main_text: str = ""
    without_javascript: dict[str, Any] = field(default_factory=dict)
    scroll_widths: dict[int, int] = field(default_factory=dict)  # viewport width -> page width
    pdf: bytes | None = None
    screenshots: list[Path] = field(default_factory=list)


FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')];
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  let background = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { background = colour; break; }
  }
  return {
    element: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' +
             (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"',
    index: all.indexOf(el), id: el.id,
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
    outlineColor: s.outlineColor, boxShadow: s.boxShadow, background,
    top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    viewportHeight: innerHeight, viewportWidth: document.documentElement.clientWidth,
  };
}"""

SCROLL_WIDTH_JS = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
STORAGE_JS = """async () => ({
  cookie: document.cookie,
  localStorage: localStorage.length,
  sessionStorage: sessionStorage.length,
  indexedDB: (await indexedDB.databases()).length,
  caches: (await caches.keys()).length,
  serviceWorkers: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0,
})"""


def measure(browser: Any, served: Served, url: str, shots: Path) -> Visit:
    """Open `url` once and measure everything the tests assert on."""
    from axe_playwright_python.sync_playwright import Axe

    visit = Visit(url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.on("request", lambda request: visit.requests.append(request.url))
    context.on("requestfailed", lambda request: visit.failed_requests.append(request.url))
    context.on(
        "response",
        lambda response: (
            visit.bad_responses.append((response.url, response.status))
            if response.status >= 400
            else None
        ),
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda message: visit.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    axe = Axe()
    axe_options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    name = PHOTOGRAPHED.get(url)

    def photograph(label: str) -> None:
        if name:
            path = shots / f"{name}-{label}.png"
            screenshot(page, path=str(path), full_page=True)
            visit.screenshots.append(path)

    def photograph_zoomed(label: str) -> None:
        # A full-page screenshot would reset the font sizes: stretch the viewport instead.
        if name:
            path = shots / f"{name}-{label}.png"
            size = page.viewport_size
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": size["width"], "height": height})
            screenshot(page, path=str(path))
            page.set_viewport_size(size)
            visit.screenshots.append(path)

    try:
        page.goto(served.url(url), wait_until="networkidle")
        # Light theme, wide screen: the page as most readers first meet it.
        visit.facts["light"] = page.evaluate(FACTS_JS)
        visit.axe["light"] = axe.run(page, options=axe_options).response["violations"]
        visit.aria = page.locator("body").aria_snapshot()
        photograph("1280")

        # Keyboard: Tab through every focusable element, noting the indicator each shows.
        for _ in range(300):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_JS)
            if state is None or (visit.focus and state["index"] <= visit.focus[-1]["index"]):
                break
            visit.focus.append(state)
        # The skip link moves focus to the main content.
        if page.locator("a.skip-link").count():
            page.locator("a.skip-link").focus()
            page.keyboard.press("Enter")
            visit.skip_link = {
                "hash": page.evaluate("location.hash"),
                "focused": page.evaluate("document.activeElement.id"),
            }
        page.evaluate("window.scrollTo(0, 0)")

        # Dark theme: same checks, same contrast.
        page.emulate_media(color_scheme="dark")
        visit.facts["dark"] = page.evaluate(FACTS_JS)
        visit.axe["dark"] = axe.run(page, options=axe_options).response["violations"]
        photograph("dark-1280")
        page.emulate_media(contrast="more")
        visit.facts["dark-more-contrast"] = page.evaluate(FACTS_JS)
        page.emulate_media(color_scheme="light")
        visit.facts["more-contrast"] = page.evaluate(FACTS_JS)
        page.emulate_media(contrast="no-preference", reduced_motion="reduce")
        visit.facts["reduced-motion"] = page.evaluate(FACTS_JS)
        page.emulate_media(reduced_motion="no-preference")

        # Narrower screens: a tablet, then a small phone (WCAG reflow at 320 CSS px).
        for width in (1024, 768, 480):
            page.set_viewport_size({"width": width, "height": 900})
            visit.scroll_widths[width] = page.evaluate(SCROLL_WIDTH_JS)
            if width == 768:
                photograph("768")
        page.set_viewport_size({"width": 320, "height": 640})
        visit.facts["320"] = page.evaluate(FACTS_JS)
        photograph("320")
        page.emulate_media(color_scheme="dark")
        photograph("dark-320")
        page.emulate_media(color_scheme="light")

        # Text at 200 %: the browser's own font-size setting, doubled.
        cdp = context.new_cdp_session(page)
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        page.set_viewport_size({"width": 1280, "height": 900})
        visit.facts["zoom-1280"] = page.evaluate(FACTS_JS)
        page.set_viewport_size({"width": 640, "height": 900})
        visit.facts["zoom-640"] = page.evaluate(FACTS_JS)
        photograph_zoomed("text-200-640")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
        page.set_viewport_size({"width": 1280, "height": 900})

        # Print: the print stylesheet, and a real PDF of the page.
        if url in PRINTED:
            page.emulate_media(media="print")
            visit.facts["print"] = page.evaluate(FACTS_JS)
            visit.pdf = page.pdf(format="A4")
            page.emulate_media(media="null")

        visit.storage = page.evaluate(STORAGE_JS)
        visit.cookies = context.cookies()
        visit.main_text = page.locator("main").inner_text()
    finally:
        context.close()
    # The same page with JavaScript off: nothing may be missing.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(served.url(url), wait_until="load")
        visit.without_javascript = {
            "main_text": page.locator("main").inner_text(),
            "disclaimer_visible": page.locator(".disclaimer-short").is_visible()
            and page.locator(".disclaimer-full").is_visible(),
        }
    finally:
        context.close()
    return visit


@pytest.fixture(scope="session")
def visit(browser: Any, served: Served, screenshots: Path) -> Callable[[str], Visit]:
    """`visit(url)`: the measurements of one page, taken the first time they are asked for.

    A page that could not be measured fails every test that asks for it, at once.
    """
    taken: dict[str, Visit | Exception] = {}

    def get(url: str) -> Visit:
        if url not in taken:
            try:
                taken[url] = measure(browser, served, url, screenshots)
            except Exception as exc:  # one broken page must not stall the whole suite
                taken[url] = exc
        result = taken[url]
        if isinstance(result, Exception):
            pytest.fail(f"could not measure {url}: {type(result).__name__}: {result}")
        return result

    return get


def violations_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)[:4000]
