"""Links written as a page's address relative to the page's own (`../beta/`,
`../../packages/x/`), in every language: read against the page's URL (on
/es/conditions/alpha/, `../beta/` is /es/conditions/beta/), accepted when they name a
published page or file, reported at their Markdown line when they name none or a page
left out, with the messages a link by the page's file or its site address gets."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_i18n import edit, make_multilingual
from test_incremental import rebuild

from sitegen.build import BuildOptions, BuildResult, Session, build

RELATIVE = [
    "../beta/",
    "../beta/#causes",
    "../../packages/test-package/",
    "../../about/",
    "../../",
    "../",
    "../../images/dot.svg",
]


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    make_multilingual(content)
    return BuildOptions(content, tmp_path / "site", templates)


def add_links(page: Path, addresses: list[str]) -> int:
    """Append a paragraph linking each address; the line it is on."""
    lines = page.read_text().splitlines()
    links = " ".join(f"[link {n}]({address})" for n, address in enumerate(addresses))
    page.write_text("\n".join([*lines, "", links, ""]))
    return len(lines) + 2


def hrefs(options: BuildOptions, url: str) -> dict[str, str]:
    """The address each `link n` on the page at `url` was written to."""
    html = (options.out / url / "index.html").read_text()
    return {text: href for href, text in re.findall(r'<a href="([^"]*)">(link \d+)</a>', html)}


def link_findings(result: BuildResult, file_name: str) -> list[tuple[int, int, str]]:
    return [(f.line, f.col, f.message) for f in result.findings
            if f.path.endswith(f"/{file_name}") and f.field == "link"]  # fmt: skip


def test_relative_site_addresses_to_published_pages_pass_in_every_language(
    options: BuildOptions,
) -> None:
    add_links(options.content / "conditions/alpha.md", RELATIVE)
    add_links(options.content / "conditions/alpha.es.md", RELATIVE)
    add_links(options.content / "pages/about.md", ["../conditions/alpha/", "../packages/"])
    result = build(options)
    assert result.ok, result.errors
    assert not [f for f in result.findings if f.field == "link"]
    written = [
        "../beta/index.html",
        "../beta/index.html#causes",
        "../../packages/test-package/index.html",
        "../../about/index.html",
        "../../index.html",
        "../index.html",
    ]
    for prefix in ("", "es/", "ar/"):  # ar/: the English page shown in Arabic
        links = hrefs(options, f"{prefix}conditions/alpha/")
        assert [links[f"link {n}"] for n in range(6)] == written, prefix
        depth = "../" * prefix.count("/")
        assert links["link 6"] == f"../../{depth}images/dot.svg"
    assert hrefs(options, "es/about/")["link 0"] == "../conditions/alpha/index.html"


def test_a_link_to_a_page_in_another_language_goes_to_that_language(
    options: BuildOptions,
) -> None:
    """`/es/about/` on an English page, `/ar/about/` or `../../../ar/conditions/beta/` on
    a Spanish one: the page in the language the link names (every page is published in
    every language, translated or shown in the default's)."""
    add_links(options.content / "conditions/alpha.md", ["/es/about/", "/ar/conditions/beta/"])
    add_links(options.content / "conditions/alpha.es.md",
              ["/ar/about/", "../../../ar/conditions/beta/", "/about/"])  # fmt: skip
    result = build(options)
    assert result.ok, result.errors
    assert hrefs(options, "conditions/alpha/") == {
        "link 0": "../../es/about/index.html",
        "link 1": "../../ar/conditions/beta/index.html",
    }
    spanish = hrefs(options, "es/conditions/alpha/")
    assert spanish["link 0"] == "../../../ar/about/index.html"
    assert spanish["link 1"] == "../../../ar/conditions/beta/index.html"
    assert spanish["link 2"] == "../../about/index.html"  # the page in the page's language
    assert not [f for f in result.findings if f.field == "link"]
    add_links(options.content / "conditions/alpha.es.md", ["/ar/nope/"])
    ((_, _, message),) = link_findings(build(options), "alpha.es.md")
    assert message.endswith("found '/ar/nope/'")


def test_a_relative_address_of_no_page_is_reported_at_its_line(options: BuildOptions) -> None:
    line = add_links(options.content / "conditions/alpha.md", ["../gamma/", "../betx/"])
    es_line = add_links(options.content / "conditions/alpha.es.md", ["../../packages/nope/"])
    result = build(options)
    assert link_findings(result, "alpha.md") == [
        (line, 10, "expected a link to a page or file of this site, found '../gamma/'"),
        (line, 30, "expected a link to a page or file of this site "
                   "(did you mean '../beta/'?), found '../betx/'"),
    ]  # fmt: skip
    ((at_line, col, message),) = link_findings(result, "alpha.es.md")
    assert (at_line, col) == (es_line, 10)
    assert message.startswith("expected a link to a page or file of this site")
    assert message.endswith("found '../../packages/nope/'")


def test_a_relative_address_of_a_draft_is_reported_as_a_link_by_its_file_is(
    options: BuildOptions,
) -> None:
    edit(options.content / "conditions/beta.md", "---\n", "---\ndraft: true\n")
    english = options.content / "conditions/alpha.md"
    edit(english, "Compare with [beta](beta.md#causes)", "Compare with [beta](beta.md)")
    line = add_links(english, ["../beta/"])
    es_line = add_links(options.content / "conditions/alpha.es.md", ["../beta/#x"])
    result = build(options)
    english_found = link_findings(result, "alpha.md")
    by_name = next(message for _, _, message in english_found if "'beta.md'" in message)
    (relative,) = [found for found in english_found if "'../beta/'" in found[2]]
    ((es_at, es_col, es_message),) = [
        found for found in link_findings(result, "alpha.es.md") if "'../beta/#x'" in found[2]
    ]
    assert relative[:2] == (line, 10) and (es_at, es_col) == (es_line, 10)
    assert "a draft, which the build leaves out" in by_name
    assert relative[2].replace("../beta/", "beta.md") == by_name
    assert es_message.replace("../beta/#x", "beta.md") == by_name


def test_a_cached_build_with_relative_addresses_equals_a_clean_one(
    options: BuildOptions,
) -> None:
    add_links(options.content / "conditions/alpha.es.md", ["../beta/"])
    session = Session(replace(options, write=False))
    assert rebuild(session).ok
    edit(options.content / "conditions/beta.md", "---\n", "---\ndraft: true\n")
    assert not rebuild(session).ok  # now a link to a draft
    edit(options.content / "conditions/beta.md", "draft: true\n", "")
    assert rebuild(session).ok
