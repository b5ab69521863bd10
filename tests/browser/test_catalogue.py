"""Both kinds of sample package, and an old address redirecting, in a real browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import BuildOptions, build

from .conftest import TEMPLATES, serving

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/minimal"
CELL_THERAPY = "packages/optic-nerve-stem-cell-12-day/index.html"
PROCEDURE = "packages/selective-laser-trabeculoplasty/index.html"


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def questions(page: Any) -> list[str]:
    return page.locator(".before-you-decide dt").all_inner_texts()


def test_each_kind_of_package_asks_its_own_questions(tab, served):
    tab.goto(served.url(CELL_THERAPY))
    asked = questions(tab)
    assert asked[0] == "Is it part of a registered clinical trial?"
    assert "Where do the cells come from, and how are they made and tested?" in asked
    assert tab.get_by_text("How the cells are given", exact=True).is_visible()
    tab.goto(served.url(PROCEDURE))
    asked = questions(tab)
    assert asked[:2] == ["What are the benefits, and how sure is the evidence?",
                         "What happens, and how long does it take?"]  # fmt: skip
    assert "What else could I do, and what if I do nothing?" in asked
    assert not any("cells" in question.lower() for question in asked)
    assert tab.get_by_text("How the cells are given", exact=True).count() == 0
    assert tab.locator("#contents-title + dl dt", has_text="Procedures").is_visible()


def test_the_catalogue_compares_both_kinds_side_by_side(tab, served):
    tab.goto(served.url("packages/index.html"))
    rows = tab.locator("table.compare tbody tr")
    assert rows.count() == 2
    kinds = tab.locator("table.compare tbody td[data-label='Kind']").all_inner_texts()
    assert sorted(kinds) == ["Cell therapy", "Surgery or procedure"]
    tab.get_by_role("link", name="The risks in full: Selective laser trabeculoplasty (SLT) for "
                    "glaucoma").click()  # fmt: skip
    tab.wait_for_url(f"**/{PROCEDURE}#risks-title")


@pytest.fixture(scope="module")
def aliased(tmp_path_factory) -> Iterator[Any]:
    """The minimal site, its alpha page given two old addresses, served."""
    content = tmp_path_factory.mktemp("aliases") / "content"
    shutil.copytree(FIXTURE, content)
    alpha = content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace(
        "---\n", "---\naliases: [/old-alpha/, /leaflets/alpha.html]\n", 1))  # fmt: skip
    out = content.parent / "site"
    assert build(BuildOptions(content=content, out=out, templates=TEMPLATES)).ok
    with serving(out) as served:
        yield served


@pytest.mark.parametrize("old", ["old-alpha/", "leaflets/alpha.html"])
@pytest.mark.parametrize("javascript", [True, False])
def test_an_old_address_takes_the_browser_to_the_page(browser, aliased, old, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(aliased.url(old))
        page.wait_for_url("**/conditions/alpha/index.html")
        assert page.locator("h1").inner_text() == "Alpha condition"
    finally:
        context.close()
