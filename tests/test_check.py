"""The build checks its own output: a template cannot ship a page without the disclaimer."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import build_site
from sitegen.check import PageScanner, check_pages, policy_is_own_origin, resolves
from sitegen.models import EvidenceLevel, RenderedPage

LEVELS = {
    "investigational": EvidenceLevel(
        id="investigational", label="Investigational", explanation="Not shown to work."
    )
}
CSP = "<meta http-equiv='Content-Security-Policy' content=\"default-src 'self'\">"


def page(body: str, url: str = "a/", evidence: str | None = None) -> RenderedPage:
    html = f"<!doctype html><html><head>{CSP}</head><body>{body}</body></html>"
    return RenderedPage.of(url, html.encode(), "custom.html", evidence)


def check(*pages: RenderedPage) -> list[str]:
    found = check_pages(
        list(pages), [], "Key facts.", "<p>Read <b>this</b>.</p>", LEVELS, Path("templates")
    )
    return [str(f) for f in found]


SHORT = (
    '<section class="disclaimer disclaimer-short" aria-labelledby="k">'
    '<h2 id="k">Key facts</h2><p>{level}Key facts. <a href="#disclaimer">All of it</a></p>'
    "</section>"
)
FULL = (
    '<section id="disclaimer" class="disclaimer disclaimer-full" aria-labelledby="f">'
    '<h2 id="f">About this information</h2><p>{level}Read this.</p></section>'
)


def both(short_level: str = "", full_level: str = "", between: str = "") -> str:
    return SHORT.format(level=short_level) + between + FULL.format(level=full_level)


def test_a_page_with_both_parts_of_the_disclaimer_passes():
    assert check(page(both())) == []


def test_a_page_without_the_disclaimer_fails_naming_the_template_and_each_part():
    assert check(page("<main>No block</main>")) == [
        'templates/custom.html:1:1: disclaimer: expected the key facts (class="disclaimer '
        'disclaimer-short") on every page (extend base.html or include '
        "partials/disclaimer_short.html), found none (in a/index.html)",
        'templates/custom.html:1:1: disclaimer: expected the full disclaimer (class="disclaimer '
        'disclaimer-full") on every page (extend base.html or include '
        "partials/disclaimer.html), found none (in a/index.html)",
    ]
    only_short = check(page(SHORT.format(level="")))
    assert len(only_short) == 1 and "expected the full disclaimer" in only_short[0]


def test_each_part_must_hold_the_site_s_words_and_be_visible():
    other = both().replace("Read this.", "Other")
    assert (
        "the site's words (disclaimer in site.yaml) in the full disclaimer" in check(page(other))[0]
    )
    other = both().replace("Key facts. ", "Other ")
    assert "(disclaimer_short in site.yaml) in the key facts" in check(page(other))[0]
    hidden = both().replace('<section class="disclaimer disclaimer-short"',
                            '<section hidden class="disclaimer disclaimer-short"')  # fmt: skip
    assert check(page(hidden)) == [
        "templates/custom.html:1:1: disclaimer: expected the key facts visible, found it hidden "
        "(in a/index.html)"
    ]
    folded = f"<details><summary>More</summary>{both()}</details>"
    assert len(check(page(folded))) == 2  # a closed <details> hides both


def test_each_part_is_a_named_landmark_and_the_key_facts_link_to_the_full_statement():
    unnamed = both().replace(' aria-labelledby="f"', "")
    assert "expected the full disclaimer to be a landmark with a name" in check(page(unnamed))[0]
    as_div = both().replace("<section class", "<div class", 1).replace("</section>", "</div>", 1)
    assert "found <div>" in check(page(as_div))[0]
    unlinked = both().replace('href="#disclaimer"', 'href="#elsewhere"')
    assert "expected the key facts to link to the full disclaimer" in check(page(unlinked))[0]
    swapped = FULL.format(level="") + SHORT.format(level="")
    assert check(page(swapped)) == [
        "templates/custom.html:1:1: disclaimer: expected the key facts before the full "
        "disclaimer, found them after (in a/index.html)"
    ]
    twice = both() + SHORT.format(level="").replace('"k"', '"k2"')
    assert "expected the key facts once on a page, found 2 blocks" in check(page(twice))[0]


def test_evidence_pages_must_state_their_level_in_both_parts():
    good = page(
        both("Investigational. ", "Investigational. Not shown to work. "),
        evidence="investigational",
    )
    assert check(good) == []
    no_explanation = page(
        both("Investigational. ", "Investigational. "), evidence="investigational"
    )
    assert check(no_explanation) == [
        "templates/custom.html:1:1: disclaimer: expected the explanation of the evidence level "
        "'Investigational' in the full disclaimer, found it missing (in a/index.html)"
    ]
    no_label = page(both("", "Investigational. Not shown to work. "), evidence="investigational")
    assert (
        "expected the page's evidence level 'Investigational' in the key facts"
        in check(no_label)[0]
    )


def test_other_origin_resources_and_broken_links_are_caught():
    body = (
        both() + "<img src='https://cdn.example/x.png' alt='x'>"
        "<a href='../missing/index.html'>gone</a><a href='https://example.org/'>fine</a>"
    )
    found = check(page(body))
    assert any(
        "expected resources from this site only, found 'https://cdn.example/x.png'" in f
        for f in found
    )
    assert any(
        "expected a link to a page the build writes, found '../missing/index.html'" in f
        for f in found
    )
    assert len(found) == 2


def test_duplicate_ids_are_caught():
    found = check(page(both() + "<p id='k'>y</p>"))
    assert found and "found k more than once" in found[0]


def test_content_security_policy_must_allow_only_the_own_origin():
    assert policy_is_own_origin("default-src 'self'; img-src 'self'")
    assert not policy_is_own_origin("default-src 'self'; script-src 'self' 'unsafe-inline'")
    assert not policy_is_own_origin("default-src 'self'; img-src https://cdn.example")
    assert not policy_is_own_origin("default-src *")
    html = f"<html><body>{both()}</body></html>".encode()
    pages = [RenderedPage.of("a/", html, "x.html")]
    found = [str(f) for f in check_pages(pages, [], "Key facts.", "Read this.", {}, Path("t"))]
    assert any("Content-Security-Policy meta tag, found none" in f for f in found)


def test_resolves_relative_links_against_the_page():
    written = frozenset({"index.html", "a/index.html", "static/x.css"})
    assert resolves("a/", "../index.html", written)
    assert resolves("a/", "../static/x.css", written)
    assert resolves("a/", "./", written)
    assert not resolves("a/", "../b/index.html", written)


def test_a_custom_template_that_forgets_the_base_fails_the_build(
    content: Path, templates: Path, tmp_path: Path
):
    (templates / "page.html").write_text(
        "<!doctype html><html lang='en'><head><title>{{ title }}</title></head>"
        "<body><main>{{ body }}</main></body></html>",
        "utf-8",
    )
    out = tmp_path / "site"
    result = build_site(content, out, templates)
    assert not result.ok and not out.exists()
    messages = {str(f) for f in result.errors}
    where = f"{templates / 'page.html'}:1:1: disclaimer: expected the key facts"
    assert any(m.startswith(where) and "(in about/index.html)" in m for m in messages)
    assert all("page.html" in m for m in messages)


def test_a_template_error_is_reported_with_its_line(content: Path, templates: Path, tmp_path: Path):
    (templates / "home.html").write_text(
        "{% extends 'base.html' %}\n{% block content %}\n{{ nope.x }}\n{% endblock %}\n", "utf-8"
    )
    result = build_site(content, tmp_path / "site", templates)
    assert [(f.path, f.line, f.field) for f in result.errors] == [
        (str(templates / "home.html"), 3, "template")
    ]
    message = result.errors[0].message
    assert message.startswith("expected one of the names a template is given (")
    assert message.endswith("found 'nope'")


# Pieces of HTML that each path of the scanner treats differently: tags it reads
# or passes over, tag-like text in comments, scripts and attribute values, odd
# case, self-closing forms, stray angle brackets and quotes.
HTML_PIECES = [
    '<a href="x/">',
    '<a href="p?id=3">',
    '<a href="a&amp;b">',
    '<A HREF="up/">',
    "</a>",
    '<div id="d">',
    "<div>",
    "</div>",
    '<DIV ID="u">',
    '<span data-grid="1">',
    "<abbr>",
    '<span title="<a href=z>">',
    '<p title="hidden things">',
    "<p hidden>",
    "<p HIDDEN>",
    '<p aria-hidden="true">',
    "</p>",
    "<details>",
    "<details open>",
    "</details>",
    '<!-- <a href="c"> -->',
    "<!x>",
    "<!-->",
    '<script src="s.js">var a="<a href=q>"</script>',
    "<script>",
    "</script>",
    "<style>p{}</style>",
    '<style><a href="in-style/"></style>',
    "<script-x>",
    "<x-a>",
    '<a-b href="y">',
    "<br/>",
    "<div/>",
    "<details/>",
    '<img src="i.png" alt="">',
    '<link rel="stylesheet" href="s.css">',
    '<meta http-equiv="content-security-policy" content="default-src \'self\'">',
    '<section class="disclaimer disclaimer-short" aria-label="k">',
    "</section>",
    '<aside class="disclaimer disclaimer-full" id="full">',
    "</aside>",
    '<a href="#full">',
    "<i class='disclaimer-'>",
    "text",
    " < ",
    "<",
    ">",
    '"',
    "'",
    "&amp;",
]


def scanned(html: str, keep_text: bool) -> tuple[object, ...]:
    scanner = PageScanner(keep_text=keep_text)
    scanner.feed(html)
    blocks = {
        kind: [(b.tag, b.attributes, b.order, b.hidden, b.text, b.links) for b in found]
        for kind, found in scanner.blocks.items()
    }
    return scanner.ids, scanner.csp, scanner.resources, scanner.links, blocks


@settings(max_examples=3000, derandomize=True, database=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=30))
def test_passing_over_unread_tags_finds_what_reading_every_token_finds(pieces: list[str]):
    """Outside the disclaimer and hidden elements the scanner passes over runs of
    tags it need not read; keeping the text makes it read every token. Both must
    find the same ids, policies, resources, links and disclaimer blocks."""
    html = "".join(pieces)
    assert scanned(html, keep_text=False) == scanned(html, keep_text=True)
