"""A reader on a phone (320 x 640), a tablet (768 x 1024), a laptop (1280 x 900) and the laptop
zoomed to 200 % (a 640 x 450 viewport at two device pixels a CSS pixel), light and dark.

On the first screen: the site name, the menu, search, the page's title, its summary and the
start of the disclaimer (the key facts' heading). The page's own text starts within 1.5
screens. Nothing scrolls sideways. Issue 20 measured the theme before: at 320 x 640 the key
facts started at 1,096-2,147 px and a condition's own text at about 2,485 px.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    AXE_TAGS,
    SCREENSHOTS,
    Served,
    sample_urls,
    screenshot,
    violations_report,
)

URLS = sample_urls()
FIRST_SCREEN_JS = (Path(__file__).parent / "first_screen.js").read_text("utf-8")
SCREENS = {  # name: (width, height, device pixels a CSS pixel)
    "320": (320, 640, 1),
    "768": (768, 1024, 1),
    "1280": (1280, 900, 1),
    "zoom-200-1280": (640, 450, 2),
}
SCHEMES = ("light", "dark")
KEY_FACTS_MOST_LINES = 9  # of text at 320 px, the heading's row left out (see the README)


@pytest.fixture(scope="module")
def measured(browser: Any, served: Served) -> dict[tuple[str, str, str], dict[str, Any]]:
    """first_screen.js on every page, on every screen, in each colour scheme; a screenshot
    of each first screen in test-output/screenshots/first-screen/."""
    shots = SCREENSHOTS / "first-screen"
    shots.mkdir(parents=True, exist_ok=True)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for screen, (width, height, scale) in SCREENS.items():
        for scheme in SCHEMES:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=scale,
                color_scheme=scheme,
            )
            try:
                page = context.new_page()
                for url in URLS:
                    page.goto(served.url(url), wait_until="load")
                    found[url, screen, scheme] = page.evaluate(FIRST_SCREEN_JS)
                    name = url.strip("/").replace("/", "-").replace(".html", "") or "home"
                    screenshot(page, path=str(shots / f"{name}-{screen}-{scheme}.png"))
            finally:
                context.close()
    return found


@pytest.mark.parametrize("screen", [s for s in SCREENS if s != "1280"])
@pytest.mark.parametrize("url", URLS)
def test_the_first_screen_holds_name_menu_search_title_summary_and_key_facts(measured, url, screen):
    for scheme in SCHEMES:
        facts = measured[url, screen, scheme]
        height = facts["viewport"]["height"]
        for part in ("name", "menu", "search", "h1", "keyFacts", "keyFactsHeading"):
            box = facts[part]
            assert box is not None and box["shown"], (part, scheme)
        for part in ("name", "menu", "search", "h1", "lead", "keyFactsHeading"):
            box = facts[part]
            if box is not None:  # listings have no summary
                assert box["top"] >= 0 and box["bottom"] <= height, (part, scheme, box)
        assert facts["keyFacts"]["top"] < height


@pytest.mark.parametrize("screen", [s for s in SCREENS if s != "1280"])
@pytest.mark.parametrize("url", URLS)
def test_the_page_s_own_text_starts_within_one_and_a_half_screens(measured, url, screen):
    for scheme in SCHEMES:
        facts = measured[url, screen, scheme]
        own = facts["ownText"]
        assert own is not None and own["shown"], scheme
        assert own["top"] <= 1.5 * facts["viewport"]["height"], (
            scheme,
            facts["ownTextIs"],
            own,
        )


@pytest.mark.parametrize("url", URLS)
def test_nothing_scrolls_sideways_and_the_key_facts_stay_short(measured, url):
    for screen, (width, _, _) in SCREENS.items():
        for scheme in SCHEMES:
            facts = measured[url, screen, scheme]
            assert facts["viewport"]["width"] == width and facts["scrollWidth"] <= width
    assert measured[url, "320", "light"]["keyFactsLines"] <= KEY_FACTS_MOST_LINES


@pytest.mark.parametrize("url", URLS)
def test_the_full_disclaimer_closes_the_page_s_content(measured, url):
    for screen in SCREENS:
        facts = measured[url, screen, "light"]
        assert facts["full"]["shown"]
        assert facts["full"]["top"] > facts["keyFacts"]["bottom"]
        assert facts["full"]["top"] > facts["ownText"]["top"]


def test_the_header_does_not_move_between_pages_at_1280(measured):
    """Clicking from the conditions to the catalogue (which has a wide table) keeps the header
    where it was: one layout for every page."""

    def where(url: str) -> tuple[Any, ...]:
        facts = measured[url, "1280", "light"]
        menu = facts["menu"]
        return facts["name"], menu["top"], menu["left"], menu["right"], facts["search"]

    # no box in the search page's header; each language's own words make its own header
    boxes = {url: where(url) for url in URLS if not url.endswith("search/")}
    for url, found in boxes.items():
        language = url.partition("/")[0] if url.startswith(("es/", "ar/")) else ""
        assert found == boxes[f"{language}/conditions/".lstrip("/")], url


# The menu ----------------------------------------------------------------------


@pytest.fixture
def phone(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        yield context.new_page()
    finally:
        context.close()


LINKS_SHOWN_JS = (
    "() => [...document.querySelectorAll('.site-nav li a')]"
    ".filter((a) => a.checkVisibility()).length"
)


def tab_to(page: Any, selector: str) -> None:
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_menu_opens_and_closes_with_the_keyboard_alone(phone, served):
    phone.goto(served.url("conditions/glaucoma/"), wait_until="load")
    items = phone.locator(".site-nav li a").count()
    assert items >= 5
    assert phone.evaluate(LINKS_SHOWN_JS) == 0  # folded: only its button shows
    tab_to(phone, ".site-nav summary")
    assert phone.locator(".site-nav summary").inner_text().strip() == "Menu"
    phone.keyboard.press("Enter")
    assert phone.evaluate(LINKS_SHOWN_JS) == items
    # The next Tab reaches the first link, which lies inside the screen.
    phone.keyboard.press("Tab")
    focused = phone.evaluate(
        "(() => { const r = document.activeElement.getBoundingClientRect();"
        " return [document.activeElement.closest('.site-nav') !== null, r.top, r.bottom]; })()"
    )
    assert focused[0] and focused[1] >= 0 and focused[2] <= 640, focused
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Space")
    assert phone.evaluate(LINKS_SHOWN_JS) == 0


def test_the_menu_works_without_javascript_and_axe_finds_nothing_with_it_open(browser, served):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url("packages/"), wait_until="load")
        page.locator(".site-nav summary").click()
        assert page.locator(".site-nav a", has_text="Conditions").is_visible()
        page.locator(".site-nav a", has_text="Conditions").click()
        assert page.url.endswith("/conditions/index.html")
    finally:
        context.close()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(served.url("conditions/optic-nerve-damage/"), wait_until="load")
        page.locator(".site-nav summary").click()
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        violations = Axe().run(page, options=options).response["violations"]
        assert violations == [], violations_report(violations)
    finally:
        context.close()


@pytest.mark.parametrize("url", URLS)
def test_axe_finds_nothing_on_a_phone(browser, served, url):
    axe_at_320(browser, served.url(url))


@functools.cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_at_320(browser: Any, address: str) -> None:
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    for scheme in SCHEMES:
        context = browser.new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(address, wait_until="load")
            violations = _axe().run(page, options=options).response["violations"]
            assert violations == [], f"{scheme}:\n{violations_report(violations)}"
        finally:
            context.close()


HIDDEN_FROM_SOME_JS = """() => {
  // What a sighted reader sees but a screen reader or the keyboard would not reach.
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const problems = [];
  for (const el of document.querySelectorAll('[aria-hidden="true"]')) {
    if (shown(el) && el.textContent.trim()) problems.push('aria-hidden text: ' + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('a[href], button, input, summary')) {
    if (shown(el) && (el.tabIndex < 0 || el.closest('[inert]'))) problems.push('not focusable: ' + el.outerHTML.slice(0, 80));
  }
  return problems;
}"""


@pytest.mark.parametrize("url", URLS)
def test_nothing_seen_is_hidden_from_screen_readers_or_the_keyboard(browser, served, url):
    for width, height in ((320, 640), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            page.goto(served.url(url), wait_until="load")
            assert page.evaluate(HIDDEN_FROM_SOME_JS) == [], width
            # The search control on a phone says what it is, though it shows a picture.
            if width == 320 and not url.endswith("search/"):  # the search page has its own box
                link = page.locator(".search-link")
                assert link.is_visible()
                language = url.partition("/")[0] if url.startswith(("es/", "ar/")) else "en"
                assert (
                    page.evaluate("document.querySelector('.search-link').textContent.trim()")
                    == {"en": "Search", "es": "Buscar", "ar": "بحث"}[language]
                )
        finally:
            context.close()


def test_the_diagram_s_labels_are_at_least_16_px_on_a_phone(phone, served):
    phone.goto(served.url("conditions/optic-nerve-damage/"), wait_until="load")
    image = phone.locator("img[src$='visual-pathway.svg']")
    shown = image.bounding_box()
    drawing = (served.root / "images/visual-pathway.svg").read_text("utf-8")
    drawn = float(drawing.split('viewBox="0 0 ', 1)[1].split()[0])
    sizes = [float(size) for size in re.findall(r'font-size="([0-9.]+)"', drawing)]
    assert shown is not None and shown["width"] <= 320
    assert min(sizes) * shown["width"] / drawn >= 16, (shown, drawn, min(sizes))
    screenshot(image, path=str(SCREENSHOTS / "first-screen" / "diagram-320.png"))
