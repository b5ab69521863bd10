"""Site search in headless Chromium: Pagefind's index, static/search.js, and the page without JavaScript."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from sitegen import search as search_index
from sitegen.build import BuildOptions, Session, build

from .conftest import AXE_TAGS, CONTENT, TEMPLATES, serving, violations_report

SEARCH = "search/index.html"


@pytest.fixture
def tab(browser: Any, served) -> Iterator[Any]:
    """A fresh page that records every request, console message and page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requests, page.console, page.errors = [], [], []
    context.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: page.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def search(page: Any, served, query: str) -> list[dict[str, str]]:
    """Type `query` into the search page's box; the results as shown."""
    page.goto(served.url(SEARCH), wait_until="networkidle")
    page.locator("#search-q").fill(query)
    status = page.locator("#search-status")
    status.filter(has_text="match").wait_for()
    return results(page)


def results(page: Any) -> list[dict[str, str]]:
    page.locator("#search-results > li").first.wait_for()
    return page.locator("#search-results > li").evaluate_all(
        """items => items.map(li => ({
            title: li.querySelector('h2 a').textContent,
            href: li.querySelector('h2 a').getAttribute('href'),
            facts: (li.querySelector('.search-facts') || {}).textContent || '',
            excerpt: (li.querySelector('.search-excerpt') || {}).textContent || '',
            marks: li.querySelectorAll('mark').length,
        }))"""
    )


def test_glaucoma_lists_the_glaucoma_page_first(tab, served):
    found = search(tab, served, "glaucoma")
    first = found[0]
    assert first["title"] == "Glaucoma"
    assert first["href"].endswith("/conditions/glaucoma/index.html")
    assert (
        "Condition" in first["facts"]
        and "Evidence for laser, eye drops and surgery: Established" in first["facts"]
    )
    assert "glaucoma" in first["excerpt"].lower() and first["marks"] >= 1
    assert tab.locator("#search-status").inner_text() == f"{len(found)} pages match “glaucoma”."
    assert tab.locator("#search-all").is_hidden()
    # The link works: it opens the page.
    tab.locator("#search-results a").first.click()
    tab.wait_for_url("**/conditions/glaucoma/index.html")
    assert tab.locator("h1").inner_text() == "Glaucoma"


def test_ucmsc_finds_the_package(tab, served):
    found = search(tab, served, "UCMSC")
    titles = [result["title"] for result in found]
    assert "12-day stem-cell programme for optic nerve damage" in titles
    package = found[titles.index("12-day stem-cell programme for optic nerve damage")]
    assert "Treatment package" in package["facts"]
    assert (
        "Evidence for this package: Unproven, sold outside a registered trial" in package["facts"]
    )
    assert "UCMSC" in package["excerpt"]


def test_an_also_known_as_name_finds_the_condition(tab, served):
    found = search(tab, served, "optic atrophy")
    assert found[0]["title"] == "Optic nerve damage"
    assert "Optic atrophy" in found[0]["excerpt"]


def test_no_match_says_so_and_shows_every_condition_and_package(tab, served):
    tab.goto(served.url(SEARCH), wait_until="networkidle")
    tab.locator("#search-q").fill("xylophone")
    tab.locator("#search-status").filter(has_text="No pages match").wait_for()
    assert tab.locator("#search-all").is_visible()
    assert tab.locator("#search-results").is_hidden()


def test_the_header_box_searches_from_any_page_by_keyboard(tab, served):
    tab.goto(served.url("conditions/optic-nerve-damage/index.html"), wait_until="networkidle")
    for _ in range(40):  # Tab from the top of the page to the header's search box
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "site-search-q":
            break
    assert tab.evaluate("document.activeElement.id") == "site-search-q"
    tab.keyboard.type("glaucoma")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/search/index.html?q=glaucoma")
    found = results(tab)
    assert found[0]["title"] == "Glaucoma"
    assert tab.locator("#search-q").input_value() == "glaucoma"
    # The results come next in the Tab order after the box and its button.
    tab.locator("#search-q").focus()
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Glaucoma"


def test_results_are_announced_and_marked_up_for_screen_readers(tab, served):
    search(tab, served, "glaucoma")
    status = tab.locator("#search-status")
    assert status.get_attribute("role") == "status"  # a polite live region
    snapshot = tab.locator("body").aria_snapshot()
    assert '- search "Site":' in snapshot
    assert '- searchbox "Words to search for"' in snapshot
    assert "- list:" in snapshot and '- heading "Glaucoma" [level=2]' in snapshot
    assert "pages match “glaucoma”" in snapshot


def test_search_with_results_is_axe_clean_light_and_dark(tab, served):
    from axe_playwright_python.sync_playwright import Axe

    search(tab, served, "optic")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    for scheme in ("light", "dark"):
        tab.emulate_media(color_scheme=scheme)
        violations = Axe().run(tab, options=options).response["violations"]
        assert violations == [], f"{scheme}:\n{violations_report(violations)}"


def test_searching_asks_nothing_of_another_origin_and_logs_no_error(tab, served):
    for query in ("glaucoma", "UCMSC", "optic atrophy"):
        search(tab, served, query)
    assert tab.requests
    assert [url for url in tab.requests if not url.startswith(served.origin + "/")] == []
    assert any("/pagefind/" in url for url in tab.requests)
    assert [m for m in tab.console if m[0] in ("error", "warning")] == []
    assert tab.errors == []


def test_without_javascript_the_page_lists_every_condition_and_package(browser, served):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url(SEARCH + "?q=glaucoma"), wait_until="load")
        listed = page.locator("#search-all h3 a").all_inner_texts()
        assert "Glaucoma" in listed and "Optic nerve damage" in listed
        assert "Leber hereditary optic neuropathy (LHON)" in listed
        assert "12-day stem-cell programme for optic nerve damage" in listed
        assert page.locator("#search-all").is_visible()
        assert page.locator("#search-results").is_hidden()
        assert page.locator(".disclaimer-short").is_visible()
        assert page.locator(".disclaimer-full").is_visible()
    finally:
        context.close()


def test_condition_pages_carry_json_ld_that_the_policy_does_not_block(tab, served):
    tab.goto(served.url("conditions/optic-nerve-damage/index.html"), wait_until="networkidle")
    raw = tab.locator('script[type="application/ld+json"]').text_content()
    assert json.loads(raw)["about"]["alternateName"] == ["Optic atrophy", "Optic neuropathy"]
    assert tab.console == [] and tab.errors == []


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Iterator[Any]:
    """The sample site with its index split into shards of about two pages (its nine
    indexed pages: by the hash alone one of five shards would be empty, which Pagefind
    refuses; search.split makes four)."""
    out = tmp_path_factory.mktemp("sharded") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_PAGES", 2)
        result = build(BuildOptions(content=CONTENT, out=out, templates=TEMPLATES))
    assert result.ok, "\n".join(map(str, result.findings))
    with serving(out) as site:
        yield site


def test_a_sharded_index_finds_what_one_index_finds(tab, sharded, served):
    """The search page merges every shard; results do not depend on how it is split."""
    shards = json.loads((sharded.root / "pagefind/shards.json").read_text())["bundles"]
    assert len(shards) >= 3
    assert search(tab, sharded, "glaucoma")[0]["title"] == "Glaucoma"
    assert search(tab, sharded, "optic atrophy")[0]["title"] == "Optic nerve damage"
    titles = [found["title"] for found in search(tab, sharded, "UCMSC")]
    assert "12-day stem-cell programme for optic nerve damage" in titles
    for query in ("glaucoma", "optic", "stem cell"):
        one = sorted(found["title"] for found in search(tab, served, query))
        assert sorted(found["title"] for found in search(tab, sharded, query)) == one, query
    assert tab.errors == [] and [m for m in tab.console if m[0] == "error"] == []


@pytest.fixture(scope="module")
def overlaid(tmp_path_factory) -> Iterator[Any]:
    """The sample site in shards of two pages, then one condition edited: the edit
    goes into an overlay bundle and the shard's old entry for it is listed as stale.
    Then that condition and another are edited: both go into the overlay's recent
    layer, and their entries in the overlay and the shards are stale."""
    root = tmp_path_factory.mktemp("overlaid")
    content, out = root / "content", root / "site"
    shutil.copytree(CONTENT, content)
    options = BuildOptions(content=content, out=out, templates=TEMPLATES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_PAGES", 2)
        patch.setattr(search_index, "OVERLAY_PAGES", 2)
        patch.setattr(search_index, "RECENT_PAGES", 2)
        patch.setattr(search_index, "BALLAST_PAGES", 1)
        session = Session(options)
        session.build()
        glaucoma = content / "conditions/glaucoma.md"
        lhon = content / "conditions/leber-hereditary-optic-neuropathy.md"
        for changed, word in (([glaucoma], "kaleidoscope"), ([glaucoma, lhon], "xylophone")):
            for path in changed:
                text = path.read_text("utf-8")
                path.write_text(text.replace("\n## ", f"\nA {word} test sentence.\n\n## ", 1))
            result = session.rebuild(changed)
            assert result.ok, "\n".join(map(str, result.findings))
            listing = json.loads((out / "pagefind/shards.json").read_text())
            if word == "kaleidoscope":
                assert listing["overlays"] == ["overlay/"] and len(listing["stale"]) == 1
        session.close()
    assert listing["overlays"] == ["overlay/", "recent/"] and len(listing["stale"]) == 3
    with serving(out) as site:
        yield site


def test_an_overlay_replaces_the_shards_entry_for_an_edited_page(tab, overlaid, served):
    """Search finds the edited text, and each page once, as from one fresh index: a page
    edited twice from its newest layer."""
    assert [found["title"] for found in search(tab, overlaid, "kaleidoscope")] == ["Glaucoma"]
    assert sorted(found["title"] for found in search(tab, overlaid, "xylophone")) == [
        "Glaucoma",
        "Leber hereditary optic neuropathy (LHON)",
    ]
    for query in ("glaucoma", "optic", "stem cell"):
        one = sorted(found["title"] for found in search(tab, served, query))
        assert sorted(found["title"] for found in search(tab, overlaid, query)) == one, query
    assert tab.errors == [] and [m for m in tab.console if m[0] == "error"] == []


def fake_bundle(hits: dict[str, list[tuple[str, float]]]) -> str:
    """A stand-in for a bundle's pagefind.js whose search for a query finds its `hits`
    (id, score), best first; each page's title is its id."""
    found = {query: [{"id": i, "score": score} for i, score in by] for query, by in hits.items()}
    return (
        "export async function options() {}\n"
        "export async function init() {}\n"
        "export async function mergeIndex() {}\n"
        f"const found = {json.dumps(found)};\n"
        "export async function search(query) {\n"
        "  return {results: (found[query] || []).map(hit => ({...hit, data: async () => ({\n"
        "    url: '/' + hit.id + '/', meta: {title: hit.id}, excerpt: ''})}))};\n"
        "}\n"
    )


def test_after_an_edit_changed_pages_are_scored_as_their_shards_would_score_them(tab, served):
    """Unchanged pages rank by their shards' scores (a ballast page's copy in the overlay
    is never shown); a changed page's score in an overlay layer is scaled by the median
    ratio of the ballast pages' shard scores to their scores in that layer; stale
    entries are dropped. Where no ballast page matches, the scale is the ratio of
    Pagefind's word weights in the shards and in that layer."""
    listing = {
        "bundles": ["0/"],
        "overlays": ["overlay/", "recent/"],
        "stale": ["edited-before", "twice-before", "twice-a"],
        "pages": {"shard": 1000, "overlays": [51, 21]},
    }
    shards = {
        "common": [("alpha", 10), ("edited-before", 9), ("beta", 6), ("gamma", 4), ("delta", 1)],
        "rare": [("alpha", 8), ("edited-before", 8)],
    }
    # common: ratios beta 6/3 = 2, gamma 4/1 = 4, delta 1/5 = 0.2 (its copy scores higher)
    # rare: one page of 1,000 in the shard, one of 51 in the overlay: weights 6.50 / 3.55
    overlay = {
        "common": [("delta", 5), ("edited", 3.5), ("beta", 3), ("twice-a", 2.5), ("gamma", 1)],
        "rare": [("edited", 5), ("twice-a", 5)],
    }
    # a page edited again is in the recent layer: its overlay entry is stale
    # common: ratios beta 6/1.5 = 4, gamma 4/1 = 4, delta 1/0.5 = 2: median 4
    # rare: one page of 1,000 in the shard, one of 21 in the layer: weights 6.50 / 2.69
    recent = {
        "common": [("twice-b", 2), ("beta", 1.5), ("gamma", 1), ("delta", 0.5)],
        "rare": [("twice-b", 4)],
    }
    bodies = {
        "shards.json": (json.dumps(listing), "application/json"),
        "0/pagefind.js": (fake_bundle(shards), "text/javascript"),
        "overlay/pagefind.js": (fake_bundle(overlay), "text/javascript"),
        "recent/pagefind.js": (fake_bundle(recent), "text/javascript"),
    }

    def fake(route):
        name = route.request.url.split("/pagefind/", 1)[1]
        body, kind = bodies[name]
        route.fulfill(body=body, content_type=kind)

    tab.route("**/pagefind/**", fake)
    found = [result["title"] for result in search(tab, served, "common")]
    # edited: 3.5 x 2 = 7; twice-b: 2 x 4 = 8
    assert found == ["alpha", "twice-b", "edited", "beta", "gamma", "delta"]
    found = [result["title"] for result in search(tab, served, "rare")]
    assert found == [
        "twice-b",
        "edited",
        "alpha",
    ]  # twice-b: 4 x 2.42 = 9.7, edited: 5 x 1.83 = 9.2
    assert tab.errors == [] and [m for m in tab.console if m[0] == "error"] == []


def test_words_typed_while_the_index_loads_are_searched_when_it_is_ready(tab, served):
    def slowly(route):
        tab.wait_for_timeout(1500)  # a slow connection: the index arrives late
        route.continue_()

    tab.route("**/pagefind/shards.json", slowly)
    tab.goto(served.url(SEARCH), wait_until="domcontentloaded")
    tab.locator("#search-q").fill("glaucoma")
    status = tab.locator("#search-status")
    status.filter(has_text="Loading the search index").wait_for()
    status.filter(has_text="match").wait_for()
    assert results(tab)[0]["title"] == "Glaucoma"
