"""A site in English, Spanish and Arabic in headless Chromium: the language switcher,
right-to-left mirroring, and search that finds each language's words from its own
search page only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_i18n import make_multilingual

from sitegen.build import BuildOptions, build

from .conftest import AXE_TAGS, OUTPUT, TEMPLATES, screenshot, serving, violations_report

FIXTURE = Path(__file__).parents[1] / "fixtures" / "minimal"
ARABIC_WORD = "قرنبيط"  # "cauliflower": on the Arabic page only
SPANISH_WORD = "zarzaparrilla"  # on the Spanish page only


@pytest.fixture(scope="module")
def languages_site(tmp_path_factory) -> Iterator[Any]:
    """The minimal site in three languages (alpha in Spanish, beta in Arabic), served."""
    folder = tmp_path_factory.mktemp("languages")
    content = folder / "content"
    shutil.copytree(FIXTURE, content)
    make_multilingual(content)
    beta = (content / "conditions/beta.md").read_text()
    arabic = beta.replace("title: Beta condition", "title: حالة بيتا")
    arabic += f"\n## الأعراض\n\nكلمة نادرة في هذه الصفحة: {ARABIC_WORD}.\n"
    (content / "conditions/beta.ar.md").write_text(arabic)
    result = build(BuildOptions(content=content, out=folder / "site", templates=TEMPLATES))
    assert result.ok, "\n".join(map(str, result.errors))
    with serving(folder / "site") as served:
        yield served


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def search(tab: Any, served: Any, page: str, query: str) -> str:
    """Search from one language's search page; the status line once it has answered."""
    tab.goto(served.url(page), wait_until="networkidle")
    tab.locator("#search-q").fill(query)
    status = tab.locator("#search-status")
    status.filter(has_text=query).wait_for()
    return status.inner_text()


def result_links(tab: Any) -> list[str]:
    return tab.locator("#search-results > li h2 a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def test_each_language_searches_its_own_pages(tab: Any, languages_site: Any) -> None:
    said = search(tab, languages_site, "ar/search/", ARABIC_WORD)
    links = result_links(tab)
    assert len(links) == 1 and links[0].endswith("ar/conditions/beta/index.html"), said
    assert "صفحة واحدة" in said  # the status line in Arabic
    said = search(tab, languages_site, "search/", ARABIC_WORD)
    assert said.startswith("No pages match")
    said = search(tab, languages_site, "es/search/", SPANISH_WORD)
    links = result_links(tab)
    assert len(links) == 1 and links[0].endswith("es/conditions/alpha/index.html"), said
    assert said.startswith("1 página coincide")
    assert search(tab, languages_site, "search/", SPANISH_WORD).startswith("No pages match")
    assert tab.errors == []


def test_the_switcher_goes_to_the_same_page_or_to_the_languages_home(
    tab: Any, languages_site: Any
) -> None:
    tab.goto(languages_site.url("conditions/alpha/"))
    switcher = tab.get_by_role("navigation", name="Languages")
    switcher.get_by_role("link", name="Español").click()
    tab.wait_for_url("**/es/conditions/alpha/index.html")
    assert tab.locator("h1").inner_text() == "Afección alfa"
    assert tab.locator("html").get_attribute("lang") == "es"
    tab.get_by_role("navigation", name="Idiomas").get_by_role("link", name="العربية").click()
    tab.wait_for_url("**/ar/index.html")  # alpha is not in Arabic: its home page, said so
    assert tab.locator("html").get_attribute("dir") == "rtl"
    tab.get_by_role("navigation", name="اللغات").get_by_role("link", name="English").click()
    tab.wait_for_url(languages_site.url("index.html"))
    assert tab.locator("html").get_attribute("lang") == "en"


MIRRORED = """() => {
  const box = element => element.getBoundingClientRect();
  const style = element => getComputedStyle(element);
  const disclaimer = document.querySelector('.disclaimer-full');
  const title = document.querySelector('.site-title');
  const menu = document.querySelector('.menu > summary');
  const links = [...document.querySelectorAll('.site-nav a')];
  const phone = document.querySelector('.site-footer [dir=ltr]');
  return {
    direction: style(document.body).direction,
    disclaimerRight: parseFloat(style(disclaimer).borderRightWidth),
    disclaimerLeft: parseFloat(style(disclaimer).borderLeftWidth),
    firstLinkX: box(links[0]).left, secondLinkX: box(links[1]).left,
    firstLinkTop: box(links[0]).top, secondLinkTop: box(links[1]).top,
    headingRight: box(document.querySelector('h1')).right,
    titleX: box(title).left, menuX: box(menu).left,
    mainRight: box(document.querySelector('main')).right,
    wide: document.documentElement.scrollWidth > window.innerWidth,
  };
}"""


@pytest.mark.parametrize("width", [320, 1280])
def test_right_to_left_pages_mirror_the_menu_and_the_disclaimer(
    browser: Any, languages_site: Any, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        facts = {}
        for url in ("conditions/beta/", "ar/conditions/beta/"):
            page.goto(languages_site.url(url))
            facts[url] = page.evaluate(MIRRORED)
        english, arabic = facts["conditions/beta/"], facts["ar/conditions/beta/"]
        assert (english["direction"], arabic["direction"]) == ("ltr", "rtl")
        # The disclaimer's thick edge is at the start of the line: left in English, right in Arabic.
        assert english["disclaimerLeft"] > english["disclaimerRight"]
        assert arabic["disclaimerRight"] > arabic["disclaimerLeft"]
        # The header mirrors: the site's name at the start, the menu's button after it.
        if width == 320:
            assert english["titleX"] < english["menuX"] and arabic["titleX"] > arabic["menuX"]
        # The menu runs from the right: its first link is right of the second on one row.
        if arabic["firstLinkTop"] == arabic["secondLinkTop"]:
            assert arabic["firstLinkX"] > arabic["secondLinkX"]
            assert english["firstLinkX"] < english["secondLinkX"]
        assert not arabic["wide"]
        OUTPUT.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        screenshot(
            page, path=OUTPUT / "screenshots" / f"arabic-condition-{width}.png", full_page=True
        )
    finally:
        context.close()


@pytest.mark.parametrize("url", ["es/", "es/conditions/alpha/", "ar/", "ar/conditions/beta/",
                                 "ar/conditions/alpha/", "ar/packages/", "ar/search/"])  # fmt: skip
def test_every_languages_pages_have_no_axe_violations(
    browser: Any, languages_site: Any, url: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(languages_site.url(url), wait_until="networkidle")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        violations = Axe().run(page, options=options).response["violations"]
        assert violations == [], violations_report(violations)
    finally:
        context.close()


def test_phone_numbers_read_left_to_right_in_arabic(browser: Any, served: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served.url("ar/"))
        phone = page.locator(".site-footer span[dir=ltr]")
        assert phone.inner_text() == "+00 000 000 0000"
        assert phone.evaluate("element => getComputedStyle(element).direction") == "ltr"
        assert page.locator("html").get_attribute("dir") == "rtl"
    finally:
        context.close()


def test_an_arabic_contents_link_lands_on_its_heading(browser: Any, served: Any) -> None:
    """The contents list of an Arabic page links its sections by their Arabic ids: the
    browser goes to the heading, and the address says its name."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(served.url("ar/conditions/glaucoma/"), wait_until="load")
        page.locator(".contents a", has_text="خيارات العلاج").click()
        assert page.evaluate("decodeURIComponent(location.hash)") == "#خيارات-العلاج"
        heading = page.locator("h2:target")
        assert heading.inner_text() == "خيارات العلاج"
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] < 100, box
    finally:
        context.close()
