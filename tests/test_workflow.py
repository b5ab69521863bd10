"""The editorial workflow of a health publisher: drafts, scheduled and expired pages,
owners and sign-off, and old addresses (aliases) that redirect to a page.

Each test edits a private copy of the minimal site. Builds in one `Session` (as
`serve` keeps) are compared with a fresh build of the same files on the same day, so
the pages that appear or leave on a date are tracked as exactly as an edit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from sitegen.build import BuildOptions, BuildResult, Session, build

TODAY = date(2026, 6, 1)


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    return BuildOptions(content, tmp_path / "site", templates, today=TODAY)


def add_gamma(content: Path, **fields: object) -> Path:
    """A third condition, which no page links to, with front matter `fields` added."""
    text = (content / "conditions/beta.md").read_text().replace("Beta", "Gamma")
    extra = "".join(f"{name}: {yaml_value(value)}\n" for name, value in fields.items())
    gamma = content / "conditions/gamma.md"
    gamma.write_text(text.replace("---\n", "---\n" + extra, 1))
    return gamma


def yaml_value(value: object) -> str:
    if isinstance(value, list):
        return f"[{', '.join(map(str, value))}]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def edit_package(content: Path, **fields: object) -> None:
    catalogue = content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text("utf-8"))
    data["packages"][0].update(fields)
    catalogue.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def rebuild(session: Session, **changes: object) -> BuildResult:
    """A build in the session (its options changed by `changes`, e.g. another day),
    checked against a fresh build of the same files."""
    session.options = replace(session.options, **changes)
    result = session.build()
    fresh = build(replace(session.options, write=False))
    assert [(p.url, p.content) for p in result.pages] == [(p.url, p.content) for p in fresh.pages]
    assert result.findings == fresh.findings
    return result


def html(options: BuildOptions, url: str) -> str:
    return (options.out / url / "index.html").read_text("utf-8")


def lines_of(content: Path, result: BuildResult) -> list[str]:
    return [str(f).removeprefix(f"{content.parent}/") for f in result.findings]


# Drafts, scheduled and expired pages -----------------------------------------------


def test_a_draft_is_left_out_of_build_with_a_note_and_shown_marked_by_serve(
    options: BuildOptions,
):
    add_gamma(options.content, draft=True)
    built = build(options)
    assert built.ok and "conditions/gamma/" not in built.urls
    assert not (options.out / "conditions/gamma").exists()
    assert "Gamma" not in html(options, "conditions")
    assert "content/conditions/gamma.md:2:8: note: draft: a draft: left out of the site" in (
        lines_of(options.content, built)
    )
    served = build(replace(options, drafts=True))
    assert served.ok and "conditions/gamma/" in served.urls
    notice = BeautifulSoup(html(options, "conditions/gamma"), "html.parser").find(
        class_="publication-notice"
    )
    assert notice.get_text(" ", strip=True).startswith("Draft: not published.")
    assert "shown only while serving" in str(served.notes)
    assert (
        BeautifulSoup(html(options, "conditions/beta"), "html.parser").find(
            class_="publication-notice"
        )
        is None
    )  # a published page carries no notice


def test_a_scheduled_page_appears_on_its_day(options: BuildOptions):
    add_gamma(options.content, publish_on=date(2026, 6, 3))
    session = Session(options)
    before = session.build()
    assert before.ok and "conditions/gamma/" not in before.urls
    assert any("scheduled for 2026-06-03" in f.message for f in before.notes)
    still = rebuild(session, today=date(2026, 6, 2))
    assert "conditions/gamma/" not in still.urls
    assert "conditions/gamma/" not in still.rendered
    on_the_day = rebuild(session, today=date(2026, 6, 3))
    assert {"conditions/gamma/", "conditions/", "sitemap.xml"} <= set(on_the_day.rendered)
    assert "Gamma" in html(options, "conditions")
    assert not on_the_day.notes or all("scheduled" not in f.message for f in on_the_day.notes)
    assert "conditions/alpha/" not in on_the_day.rendered  # it neither lists nor links to it


def test_an_expired_page_is_reported_and_left_out(options: BuildOptions):
    add_gamma(options.content, expires_on=date(2026, 6, 1))
    session = Session(options)
    result = session.build()
    assert "conditions/gamma/" not in result.urls
    [warning] = result.warnings
    assert warning.field == "expires_on" and "expired on 2026-06-01" in warning.message
    assert not build(replace(options, strict=True)).ok  # --strict: an error
    earlier = rebuild(session, today=date(2026, 5, 31))
    assert "conditions/gamma/" in earlier.urls and not earlier.warnings


def test_a_scheduled_package_leaves_the_catalogue_and_its_condition(options: BuildOptions):
    edit_package(options.content, publish_on="2026-07-01")
    session = Session(options)
    result = session.build()
    assert result.ok and "packages/test-package/" not in result.urls
    assert "Test package" not in html(options, "packages")
    assert "Test package" not in html(options, "conditions/beta")
    [scheduled] = [f for f in result.notes if f.field == "packages[1].publish_on"]
    line = (options.content / "packages.yaml").read_text().splitlines()[scheduled.line - 1]
    assert line.strip().startswith("publish_on:")
    later = rebuild(session, today=date(2026, 7, 1))
    assert {"packages/test-package/", "packages/", "conditions/beta/"} <= set(later.rendered)


def test_expiry_must_follow_publication(options: BuildOptions):
    add_gamma(options.content, publish_on=date(2026, 7, 1), expires_on=date(2026, 7, 1))
    result = build(options)
    assert [(f.field, f.message) for f in result.errors] == [
        ("expires_on", "expected a day after publish_on (2026-07-01), found 2026-07-01")
    ]


# Owners and sign-off ---------------------------------------------------------------


def test_owner_and_approval_are_shown_on_the_page(options: BuildOptions):
    add_gamma(options.content, owner="Eye clinic editorial team", approved_by="Dr A. Patel",
              approved_on=date(2026, 5, 20))  # fmt: skip
    edit_package(options.content, owner="Catalogue editor", approved_by="Dr B. Chen",
                 approved_on="2026-05-21")  # fmt: skip
    assert build(options).ok
    review = BeautifulSoup(html(options, "conditions/gamma"), "html.parser").find(
        class_="review-dates"
    )
    text = " ".join(review.get_text().split())
    assert "Approved for publication by Dr A. Patel on 20 May 2026." in text
    assert "Kept up to date by Eye clinic editorial team." in text
    package = html(options, "packages/test-package")
    assert "Approved for publication by Dr B. Chen on" in package and "Catalogue editor" in package


def test_an_approval_names_who_and_when(options: BuildOptions):
    add_gamma(options.content, approved_by="Dr A. Patel")
    [found] = build(options).errors
    assert (found.field, found.line) == ("approved_on", 2)
    assert "expected approved_on beside approved_by" in found.message


def test_require_approval_makes_owner_and_approval_required(options: BuildOptions):
    with (options.content / "site.yaml").open("a") as settings:
        settings.write("require_approval: true\n")
    result = build(options)
    fields = {(f.path.rsplit("/", 1)[-1], f.field) for f in result.errors}
    assert {("alpha.md", "owner"), ("alpha.md", "approved_by"), ("about.md", "owner"),
            ("packages.yaml", "packages[1].owner"),
            ("packages.yaml", "packages[1].approved_by")} <= fields  # fmt: skip
    assert all("require_approval: true" in f.message for f in result.errors)


# Aliases -----------------------------------------------------------------------------


def test_an_alias_becomes_a_redirect_page(options: BuildOptions):
    add_gamma(options.content, aliases=["/old-gamma/", "/leaflets/gamma.html"])
    result = build(options)
    assert result.ok, result.errors
    for url, back in (("old-gamma/index.html", "../"), ("leaflets/gamma.html", "../")):
        page = BeautifulSoup((options.out / url).read_text(), "html.parser")
        target = f"{back}conditions/gamma/index.html"
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})
        assert refresh["content"] == f"0; url={target}"
        assert page.find("main").find("a", href=target).get_text() == "Gamma condition"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "old-gamma" not in (options.out / "sitemap.xml").read_text()


@pytest.mark.parametrize(
    ("alias", "holder"),
    [
        ("/conditions/alpha/", "a page of the site"),
        ("/conditions/alpha/index.html", "a page of the site"),
        ("/404.html", "a file the site writes"),
        ("/search/", "a file the site writes"),
        ("/static/x.html", "a folder of the site's own files"),
    ],
)
def test_an_alias_that_collides_with_a_page_fails_the_build(
    options: BuildOptions, alias: str, holder: str
):
    add_gamma(options.content, aliases=[alias])
    result = build(options)
    assert not result.ok and not result.written
    [found] = result.errors
    assert (found.field, found.line, found.col) == ("aliases[1]", 2, 11)
    assert found.message == (
        f"expected an old address no page uses, found '{alias}', which is {holder} "
        "(a redirect there would replace it)"
    )


def test_two_pages_may_not_share_an_alias(options: BuildOptions):
    add_gamma(options.content, aliases=["/old/"])
    edit_package(options.content, aliases=["/old/"])
    [found] = build(options).errors
    assert found.path.endswith("packages.yaml")  # documents are read before the catalogue
    assert found.field == "packages[1].aliases[1]"
    assert "which is already an alias of conditions/gamma/" in found.message


def test_adding_moving_and_removing_an_alias_in_a_session(options: BuildOptions):
    session = Session(options)
    session.build()
    gamma = add_gamma(options.content, aliases=["/old/"])
    added = rebuild(session)
    assert "old/" in added.rendered
    assert "conditions/gamma/" in (options.out / "old/index.html").read_text()
    gamma.write_text(gamma.read_text().replace("aliases: [/old/]\n", ""))
    edit_package(options.content, aliases=["/old/"])
    moved = rebuild(session)
    assert "old/" in moved.rendered
    assert "packages/test-package/" in (options.out / "old/index.html").read_text()
    edit_package(options.content, aliases=[])
    removed = rebuild(session)
    assert "old/" not in removed.urls and not (options.out / "old").exists()


def test_an_alias_of_a_draft_makes_no_redirect(options: BuildOptions):
    add_gamma(options.content, draft=True, aliases=["/old/"])
    result = build(options)
    assert result.ok and "old/" not in result.urls


def test_serve_and_build_in_turn_on_one_cache_equal_fresh_builds(options: BuildOptions):
    add_gamma(options.content, draft=True, aliases=["/old/"])
    session = Session(options)
    assert "conditions/gamma/" not in session.build().urls
    served = rebuild(session, drafts=True)
    assert {"conditions/gamma/", "old/", "conditions/"} <= set(served.rendered)
    built = rebuild(session, drafts=False)
    assert "conditions/gamma/" not in built.urls and "old/" not in built.urls
    assert "conditions/" in built.rendered
