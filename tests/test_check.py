"""The build checks its own output: a template cannot ship a page without the disclaimer."""

from __future__ import annotations

from pathlib import Path

from conftest import build_site
from sitegen.check import check_pages, policy_is_own_origin, resolves
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
    found = check_pages(list(pages), [], "<p>Read <b>this</b>.</p>", LEVELS, Path("templates"))
    return [str(f) for f in found]


def test_a_page_with_the_disclaimer_passes():
    assert check(page("<section data-disclaimer><p>Read this.</p></section>")) == []


def test_a_page_without_the_disclaimer_fails_naming_the_template():
    assert check(page("<main>No block</main>")) == [
        "templates/custom.html:1:1: disclaimer: expected the disclaimer block on every page "
        "(extend base.html or include partials/disclaimer.html), found none (in a/index.html)"
    ]


def test_the_block_must_hold_the_disclaimer_text_and_be_visible():
    assert "found other text" in check(page("<div data-disclaimer>Other</div>"))[0]
    assert "found it hidden" in check(page("<div data-disclaimer hidden>Read this.</div>"))[0]


def test_evidence_pages_must_state_their_level():
    good = page(
        "<div data-disclaimer>Investigational Not shown to work. Read this.</div>",
        evidence="investigational",
    )
    bad = page("<div data-disclaimer>Read this.</div>", evidence="investigational")
    assert check(good) == []
    assert "expected the evidence level 'Investigational'" in check(bad)[0]


def test_other_origin_resources_and_broken_links_are_caught():
    body = (
        "<div data-disclaimer>Read this.</div><img src='https://cdn.example/x.png' alt='x'>"
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
    found = check(page("<div data-disclaimer id='x'>Read this.</div><p id='x'>y</p>"))
    assert found and "found x more than once" in found[0]


def test_content_security_policy_must_allow_only_the_own_origin():
    assert policy_is_own_origin("default-src 'self'; img-src 'self'")
    assert not policy_is_own_origin("default-src 'self'; script-src 'self' 'unsafe-inline'")
    assert not policy_is_own_origin("default-src 'self'; img-src https://cdn.example")
    assert not policy_is_own_origin("default-src *")
    html = b"<html><body><div data-disclaimer>Read this.</div></body></html>"
    pages = [RenderedPage.of("a/", html, "x.html")]
    found = [str(f) for f in check_pages(pages, [], "Read this.", {}, Path("t"))]
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
    where = (
        f"{templates / 'page.html'}:1:1: disclaimer: expected the disclaimer block on every page"
    )
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
