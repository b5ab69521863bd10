"""Incremental builds: what each page read while it rendered decides when it is
rendered again.

Each edit is made to a private copy of the minimal site; the incremental build
(one `Session`, as `serve` keeps) must render exactly the pages the edit affects
and give the same pages and findings as a fresh build.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

from conftest import counting_compiles, readable, run_cli, snapshot
from sitegen import models, render
from sitegen.build import BuildOptions, BuildResult, Session, build
from sitegen.models import Package, Site, SiteConfig
from sitegen.record import (
    Reads,
    RecordedDate,
    RecordedDocument,
    RecordingEnvironment,
    SiteView,
    Values,
    value_print,
)
from sitegen.urls import output_path

TODAY = date(2026, 6, 1)
HTML_PAGES = {
    "",
    "conditions/",
    "conditions/alpha/",
    "conditions/beta/",
    "packages/",
    "packages/test-package/",
    "about/",
    "how-we-rate-evidence/",
    "search/",
    "404.html",
}
EVERY_PAGE = HTML_PAGES | {"sitemap.xml", "feed.xml", "robots.txt", "_headers"}


# Recording what a page reads -------------------------------------------------------


def test_prints_are_stable_and_tell_values_apart() -> None:
    assert value_print({"a": 1, "b": [date(2026, 1, 1)]}) == value_print(
        {"a": 1, "b": [date(2026, 1, 1)]}
    )
    assert value_print("a") != value_print("b")


def test_every_template_a_page_loads_is_noted(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "base.html").write_text(
        '{% include "partials/nav.html" %}{% block c %}{% endblock %}'
    )
    (tmp_path / "partials/nav.html").write_text('{% include "partials/item.html" %}')
    (tmp_path / "partials/item.html").write_text("item")
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block c %}{% with x = 1 %}'
        '{% include "partials/badge.html" %}{% endwith %}'
        '{% include name %}{% include ["missing.html", "partials/item.html"] %}{% endblock %}'
    )
    (tmp_path / "partials/badge.html").write_text("badge")
    (tmp_path / "chosen.html").write_text("chosen at render time")
    env = RecordingEnvironment(loader=jinja2.FileSystemLoader(tmp_path))
    env.reads = reads = Reads()
    for _ in range(2):  # the second time from Jinja's cache of templates: still noted
        reads.start()
        env.get_template("page.html").render(name="chosen.html")
        assert reads.stop() == {
            "template:page.html",
            "template:base.html",
            "template:partials/nav.html",
            "template:partials/item.html",
            "template:partials/badge.html",
            "template:chosen.html",
            "template:missing.html",  # tried first: a file made later is chosen instead
        }


# Incremental builds ------------------------------------------------------------


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    return BuildOptions(content, tmp_path / "site", templates, today=TODAY)


@pytest.fixture
def session(options: BuildOptions) -> Session:
    return Session(options)


def rebuild(session: Session) -> BuildResult:
    """An incremental build, checked against a fresh build of the same files."""
    result = session.build()
    fresh = build(replace(session.options, write=False, cache=False))
    assert [(p.url, p.content) for p in result.pages] == [(p.url, p.content) for p in fresh.pages]
    assert result.findings == fresh.findings
    return result


def rendered_again(session: Session, url: str, shown: str) -> BuildResult:
    """`rebuild`, which must have rendered the page at `url` again, now showing `shown`."""
    result = rebuild(session)
    assert url in result.rendered
    assert shown in (session.options.out / output_path(url)).read_text()
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_first_build_renders_every_page_and_a_rebuild_without_changes_none(
    options: BuildOptions, session: Session
) -> None:
    first = session.build()
    assert first.ok
    assert set(first.rendered) == EVERY_PAGE
    again = rebuild(session)
    assert again.rendered == []
    assert again.written


def test_a_single_build_without_a_cache_keeps_nothing_for_a_next_one(
    options: BuildOptions, tmp_path: Path
) -> None:
    """The command line's `--no-cache` build is its store's only one: it commits nothing
    and works out no record of what each page read, and makes the same site as a
    session that keeps them."""
    alone = Session(options, once=True)
    try:
        result = alone.build()
        db = alone.store.connection()
        rows = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("steps", "data", "prints", "reads", "names")}  # fmt: skip
    finally:
        alone.close()
    assert result.ok and result.written and set(result.rendered) == EVERY_PAGE
    assert rows == dict.fromkeys(rows, 0)
    keeping = Session(replace(options, out=tmp_path / "kept"))
    try:
        kept = keeping.build()
        db = keeping.store.connection()
        assert db.execute("SELECT count(*) FROM reads").fetchone()[0] > 0
    finally:
        keeping.close()
    assert [(p.url, p.content) for p in kept.pages] == [(p.url, p.content) for p in result.pages]
    assert kept.findings == result.findings


def test_editing_a_body_renders_only_that_page(options: BuildOptions, session: Session) -> None:
    session.build()
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    second = rebuild(session)
    assert second.rendered == ["conditions/alpha/"]
    written = (options.out / "conditions/alpha/index.html").read_text()
    assert "Alpha has new symptoms" in written
    assert second.written


def test_editing_a_title_renders_the_page_and_the_pages_that_list_it(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    edit(options.content / "conditions/alpha.md", "title: Alpha condition", "title: Alpha renamed")
    second = rebuild(session)
    assert set(second.rendered) == {
        "conditions/alpha/",
        "",
        "conditions/",
        "search/",
        "feed.xml",
    }  # not the sitemap: the titles did not change the order it lists the pages in
    assert "conditions/beta/" not in second.rendered
    assert "about/" not in second.rendered
    assert "Alpha renamed" in (options.out / "conditions/index.html").read_text()
    # The catalogue's table names each package's conditions: beta's, not alpha's.
    edit(options.content / "conditions/beta.md", "title: Beta condition", "title: Beta renamed")
    third = rebuild(session)
    assert "packages/" in third.rendered
    assert "Beta renamed" in (options.out / "packages/index.html").read_text()


def test_editing_a_package_renders_it_the_lists_and_the_condition_it_is_offered_for(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    edit(options.content / "packages.yaml", "name: Test package", "name: Renamed package")
    second = rebuild(session)
    assert set(second.rendered) == {
        "packages/test-package/",
        "packages/",
        "",
        "conditions/beta/",
        "search/",  # it lists every package
        "feed.xml",
    }  # not the sitemap, which lists no package's name


def test_a_new_process_reads_only_the_packages_the_pages_it_renders_show(
    options: BuildOptions, monkeypatch
) -> None:
    """The catalogue's packages are kept as JSON, one after another, and each is
    validated again only when a page that is rendered shows it: editing a condition
    reads the packages offered for it, editing a page none."""
    catalogue = options.content / "packages.yaml"
    entry = catalogue.read_text().removeprefix("packages:\n")
    for number in range(1, 4):
        offered = entry.replace("id: test-package", f"id: other-{number}")
        catalogue.write_text(catalogue.read_text() + offered.replace("[beta]", "[alpha]"))
    assert build(replace(options, cache=True)).ok
    validated: list[str] = []
    adapter = models.PACKAGE

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(adapter, name)

        def validate_json(self, data: bytes) -> Package:
            package = adapter.validate_json(data)
            validated.append(package.id)
            return package

    monkeypatch.setattr(models, "PACKAGE", Counting())

    def build_in_new_session() -> BuildResult:  # nothing kept in memory, as a new process
        session = Session(replace(options, cache=True))
        try:
            result = session.build()
            fresh = build(replace(options, write=False))
            assert [(p.url, p.content) for p in result.pages] == [
                (p.url, p.content) for p in fresh.pages
            ]
            return result
        finally:
            session.close()

    edit(options.content / "conditions/beta.md", "Beta has causes.", "Beta has two causes.")
    assert build_in_new_session().rendered == ["conditions/beta/"]
    assert validated == ["test-package"]
    validated.clear()
    edit(options.content / "pages/about.md", "We test.", "We test things.")
    assert build_in_new_session().rendered == ["about/"] and validated == []
    edit(options.content / "packages.yaml", "name: Test package", "name: Renamed package")
    assert "packages/other-2/" not in build_in_new_session().rendered
    assert validated == []  # validated as read from packages.yaml, not from the store


def test_a_session_compiles_again_only_the_templates_that_changed(
    options: BuildOptions, session: Session, monkeypatch
) -> None:
    """A session (`serve`) keeps Jinja's code of each template in memory: a rebuild
    compiles a template again only when its source changed. (A new session takes it
    from the store, sealed: `test_store.py`.)"""
    compiled = counting_compiles(monkeypatch)
    session.build()
    assert "condition.html" in compiled
    compiled.clear()
    edit(options.content / "conditions/beta.md", "Beta has causes.", "Beta has two causes.")
    assert session.build().rendered == ["conditions/beta/"] and compiled == []
    edit(
        options.templates / "condition.html",
        "{% block content %}",
        "{% block content %}<!-- edited -->",
    )
    result = session.build()
    assert set(result.rendered) == {"conditions/alpha/", "conditions/beta/"}
    assert compiled == ["condition.html"]
    assert "<!-- edited -->" in (options.out / "conditions/alpha/index.html").read_text()
    fresh = build(replace(options, write=False))
    assert [(p.url, p.content) for p in result.pages] == [(p.url, p.content) for p in fresh.pages]


def test_a_session_reads_the_claims_rules_again_only_when_claims_yaml_changes(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    rules = session.rules
    edit(options.content / "conditions/beta.md", "Beta has causes.", "Beta has two causes.")
    rebuild(session)
    assert session.rules is rules  # with the expressions compiled so far
    (options.content / "claims.yaml").write_text(
        "rules:\n  - id: local-word\n    severity: warning\n    pattern: two causes\n"
        "    reason: A test rule.\n    suggestion: Say which.\n"
    )
    found = rebuild(session).findings
    assert session.rules is not rules
    assert any("local-word" in str(finding) for finding in found), found


def test_editing_base_html_renders_every_page(options: BuildOptions, session: Session) -> None:
    session.build()
    edit(options.templates / "base.html", "</main>", "<p>Base edited.</p>\n</main>")
    second = rebuild(session)
    assert set(second.rendered) == HTML_PAGES


def test_editing_a_partial_renders_the_pages_that_include_it(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    edit(options.templates / "partials/sources.html", "}}</h2>", "}} (ours)</h2>")
    second = rebuild(session)
    assert set(second.rendered) == {
        "conditions/alpha/",
        "conditions/beta/",
        "packages/test-package/",
        "about/",
        "how-we-rate-evidence/",
    }


def test_editing_the_stylesheet_renders_every_page_with_its_new_name(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    with (options.templates / "static/site.css").open("a") as css:
        css.write("\nbody { color: #111; }\n")
    second = rebuild(session)
    assert set(second.rendered) == HTML_PAGES


def test_editing_site_yaml_renders_every_page(options: BuildOptions, session: Session) -> None:
    session.build()
    edit(options.content / "site.yaml", "title: Test Site", "title: Test Site Renamed")
    second = rebuild(session)
    assert set(second.rendered) == HTML_PAGES | {"feed.xml"}  # what shows the title


def test_adding_and_removing_a_condition(options: BuildOptions, session: Session) -> None:
    session.build()
    gamma = options.content / "conditions/gamma.md"
    gamma.write_text((options.content / "conditions/beta.md").read_text().replace("Beta", "Gamma"))
    second = rebuild(session)
    assert {"conditions/gamma/", "", "conditions/", "sitemap.xml"} <= set(second.rendered)
    assert (options.out / "conditions/gamma/index.html").is_file()
    gamma.unlink()
    third = rebuild(session)
    assert "conditions/gamma/" not in {p.url for p in third.pages}
    assert not (options.out / "conditions/gamma").exists()


def served(session: Session, changed: list[Path]) -> BuildResult:
    """`serve`'s rebuild after file events named `changed`, checked against a fresh build."""
    result = session.rebuild(changed)
    fresh = build(replace(session.options, write=False))
    assert [(p.url, p.content) for p in result.pages] == [(p.url, p.content) for p in fresh.pages]
    assert result.findings == fresh.findings
    return result


def test_a_serve_rebuild_stamps_only_the_files_the_events_name(
    options: BuildOptions, session: Session, monkeypatch
) -> None:
    """While each named path is a file the last build listed, nothing came or went:
    the folders are not listed and no other file is looked at."""
    from sitegen import build as build_module

    session.build()
    alpha = options.content / "conditions/alpha.md"
    edit(alpha, "Alpha has symptoms", "Alpha has new symptoms")
    listed, stated = [], []
    scan, stat = build_module.scan, os.stat

    def scan_counting_stats(*args: object) -> object:
        monkeypatch.setattr(os, "stat", lambda p, **kw: stated.append(str(p)) or stat(p, **kw))
        try:
            return scan(*args)
        finally:
            monkeypatch.setattr(os, "stat", stat)

    monkeypatch.setattr(build_module, "scan", scan_counting_stats)
    monkeypatch.setattr(build_module, "list_inputs", lambda o: listed.append(o) or 1 / 0)
    result = session.rebuild([alpha])
    monkeypatch.undo()
    assert result.rendered == ["conditions/alpha/"]
    assert "Alpha has new symptoms" in (options.out / "conditions/alpha/index.html").read_text()
    assert listed == [] and stated == [f"{options.content}/conditions/alpha.md"]
    assert served(session, []).rendered == []


def test_a_serve_rebuild_lists_the_folders_again_when_a_file_came_or_went(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    gamma = options.content / "conditions/gamma.md"
    gamma.write_text((options.content / "conditions/beta.md").read_text().replace("Beta", "Gamma"))
    assert "conditions/gamma/" in served(session, [gamma]).rendered
    moved = options.content / "conditions/delta.md"
    gamma.rename(moved)
    assert "conditions/delta/" in served(session, [gamma, moved]).rendered
    moved.unlink()
    assert "conditions/delta/" not in served(session, [moved]).urls
    folder = options.content / "conditions"
    edit(folder / "beta.md", "Beta has causes", "Beta has known causes")  # named by its folder
    assert served(session, [folder]).rendered == ["conditions/beta/"]


def test_after_a_failed_build_a_serve_rebuild_stamps_every_file(
    options: BuildOptions, session: Session, monkeypatch
) -> None:
    """A build that did not finish may not have kept what it stamped: the next one
    trusts no event."""
    session.build()
    alpha, beta = options.content / "conditions/alpha.md", options.content / "conditions/beta.md"
    edit(alpha, "Alpha has symptoms", "Alpha has new symptoms")
    monkeypatch.setattr(Session, "keep", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        session.rebuild([alpha])
    monkeypatch.undo()
    edit(beta, "Beta has causes", "Beta has known causes")
    assert sorted(served(session, [beta]).rendered) == ["conditions/alpha/", "conditions/beta/"]


def test_a_finding_in_an_unchanged_file_points_where_a_fresh_build_does(
    options: BuildOptions, session: Session
) -> None:
    """An unchanged file that a later edit makes wrong is parsed again to say where."""
    session.build()
    (options.content / "conditions/beta.md").unlink()
    broken = rebuild(session)
    [finding] = [f for f in broken.errors if f.path.endswith("packages.yaml")]
    line = (options.content / "packages.yaml").read_text().splitlines()[finding.line - 1]
    assert line[finding.col - 1 :].startswith("beta") and ".conditions[" in finding.field


def test_an_error_keeps_the_site_and_fixing_it_rebuilds_what_changed(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    alpha = options.content / "conditions/alpha.md"
    good = alpha.read_text()
    before = (options.out / "conditions/alpha/index.html").read_bytes()
    alpha.write_text(good.replace("evidence: established", "evidence: establish"))
    broken = rebuild(session)
    assert not broken.ok and not broken.written
    assert any("alpha.md" in f.path and f.field == "evidence" for f in broken.errors)
    assert (options.out / "conditions/alpha/index.html").read_bytes() == before
    alpha.write_text(good.replace("Alpha has symptoms", "Alpha has fixed symptoms"))
    fixed = rebuild(session)
    assert fixed.ok and fixed.written
    assert "conditions/alpha/" in fixed.rendered
    assert "conditions/beta/" not in fixed.rendered
    assert "fixed symptoms" in (options.out / "conditions/alpha/index.html").read_text()


def test_what_changed_before_failed_builds_is_rendered_by_the_next_build_that_finishes(
    options: BuildOptions,
) -> None:
    """The files changed since the last finished build are noted by each build that
    sees them change, come or go; builds that fail add to the list, and the first
    build to finish renders what they all changed. Each build here is a new
    session with the store on disk, as each command is."""
    cached = replace(options, cache=True)

    def command() -> BuildResult:
        return rebuild(Session(cached))

    assert command().ok
    conditions = options.content / "conditions"
    alpha, beta, gamma, delta = (conditions / f"{name}.md" for name in
                                 ("alpha", "beta", "gamma", "delta"))  # fmt: skip
    good = alpha.read_text()
    alpha.write_text(good.replace("evidence: established", "evidence: establish"))
    edit(beta, "title: Beta condition", "title: Beta renamed")
    gamma.write_text(beta.read_text().replace("Beta", "Gamma"))
    assert not command().ok
    gamma.unlink()
    delta.write_text(beta.read_text().replace("Beta", "Delta"))
    assert not command().ok
    alpha.write_text(good)
    fixed = command()
    assert fixed.ok and fixed.written
    assert {"conditions/beta/", "conditions/delta/", "conditions/"} <= set(fixed.rendered)
    listing = (options.out / "conditions/index.html").read_text()
    assert "Beta renamed" in listing and "Delta renamed" in listing and "Gamma" not in listing
    assert not (options.out / "conditions/gamma").exists()
    assert command().rendered == []


def test_a_template_error_is_reported_and_fixing_it_renders_the_pages_again(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    condition = options.templates / "condition.html"
    good = condition.read_text()
    condition.write_text(good.replace("{% block content %}", "{% block content %}{{ nope() }}"))
    broken = rebuild(session)
    assert any(f.field == "template" for f in broken.errors)
    condition.write_text(good)
    fixed = rebuild(session)
    assert fixed.ok and fixed.written
    assert fixed.rendered == []  # as the last good build left them: nothing to render
    condition.write_text(good.replace("{% block content %}", "{% block content %}<p>New</p>"))
    changed = rebuild(session)
    assert set(changed.rendered) == {"conditions/alpha/", "conditions/beta/"}


def test_warnings_of_reused_pages_are_kept(options: BuildOptions, session: Session) -> None:
    about = options.content / "pages/about.md"
    about.write_text(about.read_text() + "\n<p onclick='x()'>Hi</p>\n")
    first = session.build()
    assert any("about.md" in f.path for f in first.warnings)
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    second = rebuild(session)
    assert second.rendered == ["conditions/alpha/"]
    assert any("about.md" in f.path for f in second.warnings)


def test_unchanged_pages_are_linked_not_written_again(
    options: BuildOptions, session: Session
) -> None:
    session.build()
    beta = options.out / "conditions/beta/index.html"
    inode = beta.stat().st_ino
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    rebuild(session)
    assert beta.stat().st_ino == inode  # the same file, hard-linked into the new folder


def test_a_store_kept_for_other_code_is_not_reused(options: BuildOptions, monkeypatch) -> None:
    cached = replace(options, cache=True)
    assert build(cached).ok
    assert build(cached).rendered == []
    monkeypatch.setattr("sitegen.build.code_print", lambda: "another generator")
    assert set(build(cached).rendered) == EVERY_PAGE


# Today's date ------------------------------------------------------------------


def recorded() -> tuple[RecordedDate, Reads]:
    reads = Reads()
    reads.start()
    return RecordedDate(date(2026, 11, 26), reads), reads


def print_on(key: str, day: date) -> str:
    return Values(None, Path("t"), {}, day, lambda name: None).print_of(key)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("compare", "key"),
    [
        (lambda today, day: day < today, "today:gt:2026-12-01"),
        (lambda today, day: today < day, "today:lt:2026-12-01"),
        (lambda today, day: day >= today, "today:le:2026-12-01"),
        (lambda today, day: today >= day, "today:ge:2026-12-01"),
        (lambda today, day: day == today, "today:eq:2026-12-01"),
        (lambda today, day: today != day, "today:ne:2026-12-01"),
    ],
)
def test_the_date_notes_each_comparison_with_a_date_from_either_side(compare, key):
    (today, reads), day = recorded(), date(2026, 12, 1)
    assert compare(today, day) == compare(date(2026, 11, 26), day)
    assert reads.stop() == {key}
    assert print_on(key, date(2026, 11, 26)) == str(compare(date(2026, 11, 26), day))
    assert print_on(key, date(2026, 12, 2)) == str(compare(date(2026, 12, 2), day))


@pytest.mark.parametrize(
    "use",
    [
        str,
        repr,
        hash,
        lambda today: f"{today:%d %B}",
        lambda today: today.year,
        lambda today: today.isoformat(),
        lambda today: today.strftime("%Y"),
        lambda today: today - date(2026, 1, 1),
        lambda today: date(2027, 1, 1) - today,
        lambda today: today + timedelta(days=1),
        lambda today: jinja2.Environment().from_string("{{ today }}").render(today=today),
    ],
)
def test_any_other_use_of_the_date_is_a_use_of_the_whole_date(use):
    today, reads = recorded()
    assert use(today) == use(date(2026, 11, 26))
    assert reads.stop() == {"today"}
    assert print_on("today", date(2026, 11, 27)) == "2026-11-27"


def test_a_comparison_with_what_is_not_a_plain_date_uses_the_whole_date():
    today, reads = recorded()
    with pytest.raises(TypeError):
        today < datetime(2026, 12, 1)  # noqa: B015  (as with a plain date)
    assert reads.stop() == {"today"}


def test_a_template_that_compares_the_date_notes_only_the_comparisons_it_makes():
    template = jinja2.Environment().from_string("{% if due and due < today %}overdue{% endif %}")
    today, reads = recorded()
    assert template.render(due=None, today=today) == "" and reads.keys == set()
    assert template.render(due=date(2026, 1, 1), today=today) == "overdue"
    assert reads.stop() == {"today:gt:2026-01-01"}


# Templates that read the site in ways nobody declared --------------------------------


@pytest.mark.parametrize("cache", [True, False])
def test_a_template_reading_another_document_is_rendered_again_when_it_changes(
    options: BuildOptions, tmp_path: Path, cache: bool
) -> None:
    """Issue 15's probe: alpha's page names beta's title through a helper; retitling
    beta must render alpha's page again, in the next process as in a session."""
    edit(options.templates / "condition.html", "{% block content %}",
         "{% block content %}<p class='probe'>See {{ condition_title('beta') }}</p>")  # fmt: skip
    options = replace(options, cache=cache)
    session = Session(options)
    assert session.build().ok
    edit(options.content / "conditions/beta.md", "title: Beta condition", "title: Beta renamed")
    again = build(options) if cache else session.build()
    assert "conditions/alpha/" in again.rendered
    alpha = (options.out / "conditions/alpha/index.html").read_text()
    assert "See Beta renamed" in alpha
    clean = build(replace(options, out=tmp_path / "clean", cache=False))
    assert alpha == (tmp_path / "clean/conditions/alpha/index.html").read_text()
    assert [str(f) for f in again.findings] == [str(f) for f in clean.findings]
    session.close()


def test_a_loop_over_the_site_added_to_a_template_is_followed(
    options: BuildOptions, session: Session
) -> None:
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}<ul>{% for c in site.conditions %}<li>{{ c.meta.summary }}</li>"
         "{% endfor %}</ul>")  # fmt: skip
    session.build()
    edit(options.content / "conditions/alpha.md", "summary: Alpha", "summary: Now alpha")
    second = rebuild(session)
    assert {"about/", "how-we-rate-evidence/", "conditions/alpha/"} <= set(second.rendered)
    assert "Now alpha" in (options.out / "about/index.html").read_text()
    edit(options.content / "conditions/beta.md", "reviewed_by: Test reviewer",
         "reviewed_by: Another reviewer")  # fmt: skip
    third = rebuild(session)
    assert "about/" not in third.rendered  # no page lists who reviewed beta


def test_random_and_lipsum_choose_the_same_on_a_page_in_every_build(
    options: BuildOptions, tmp_path: Path
) -> None:
    """Jinja's `random` and `lipsum` chose anew in every build, so a page kept from the
    last build and one rendered again disagreed, and so did two clean builds. They now
    choose by the page, also inside a part that `serve` shows again unrendered."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}<p class='pick'>{{ range(1000) | random }} "
         "{{ site.conditions | map(attribute='slug') | random }} "
         "{% fragment %}{{ range(1000, 2000) | random }}{% endfragment %} "
         "{{ range(2000, 3000) | random }}</p>{{ lipsum(1) }}")  # fmt: skip
    session = Session(replace(options, keep_fragments=True))
    first = session.build()
    assert first.ok
    about = (options.out / "about/index.html").read_text()
    other = (options.out / "how-we-rate-evidence/index.html").read_text()
    picks = about[about.index("<p class='pick'>") :].split("</p>")[0]
    assert picks != other[other.index("<p class='pick'>") :].split("</p>")[0]
    edit(options.templates / "page.html", "{% block content %}", "{% block content %}<!-- -->")
    session.build()  # renders the page again, its part shown as kept
    edit(options.content / "pages/about.md", "We test.", "We test again.")
    rendered_again(session, "about/", picks)
    clean = build(replace(options, out=tmp_path / "clean", cache=False))
    assert clean.ok
    assert (tmp_path / "clean/about/index.html").read_text() == (
        options.out / "about/index.html"
    ).read_text()
    session.close()


def test_builds_in_processes_that_order_sets_otherwise_agree(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """Each Python process lists a set of text in an order of its own: a template
    listing the site's sets of URLs or a model's `model_fields_set`, or a message
    listing what a link could mean, must come out the same from every process, as
    the command line runs."""
    sets = ["known_urls", "content_urls", "assets", "theme", "withheld", "unchecked"]
    loops = "".join(f"<p>{{% for u in site.{name} %}}{{{{ u }}}} {{% endfor %}}</p>"
                    for name in sets)  # fmt: skip
    loops += (
        "<p>{% for name in site.config.model_fields_set %}{{ name }} {% endfor %}"
        "{{ doc.meta.model_fields_set | list }}</p>"
    )  # pydantic's own set
    edit(templates / "page.html", "{% block content %}", "{% block content %}" + loops)
    built = {}
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        done = run_cli("build", "--no-cache", "--content", str(content), "--templates",
                       str(templates), "--out", str(out), env={"PYTHONHASHSEED": seed})  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        built[seed] = snapshot(out)
    assert sorted(built["1"]) == sorted(built["2"])
    assert [name for name in built["1"] if built["1"][name][0] != built["2"][name][0]] == []
    about = (tmp_path / "site-1/about/index.html").read_text()
    assert "<p> about/ conditions/ conditions/alpha/ conditions/beta/ how" in about
    about_text = (content / "pages/about.md").read_text()
    (content / "pages/alpha.md").write_text(about_text.replace("title: About", "title: Alpha"))
    edit(content / "pages/about.md", "[the home page](/)", "[the home page](alphx.md)")
    options = ("--content", str(content), "--templates", str(templates))
    reported = [run_cli("check", *options, env={"PYTHONHASHSEED": seed}) for seed in "12"]
    assert reported[0].returncode == 1
    assert "did you mean '" in reported[0].stdout + reported[0].stderr
    assert reported[0].stdout + reported[0].stderr == reported[1].stdout + reported[1].stderr


def test_a_listing_of_titles_is_rendered_again_when_a_title_changes_in_place(
    options: BuildOptions, session: Session
) -> None:
    """`c.title` is `c.meta.title`: a retitled condition that keeps its place in the
    list still changes a page that shows its title."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}<ul>{% for c in site.conditions %}<li>Listed: {{ c.title }}</li>"
         "{% endfor %}</ul>")  # fmt: skip
    session.build()
    edit(options.content / "conditions/alpha.md", "title: Alpha condition",
         "title: Alpha condition, retitled")  # fmt: skip
    rendered_again(session, "about/", "Listed: Alpha condition, retitled")


def test_a_document_offers_templates_only_what_is_recorded(
    options: BuildOptions, session: Session
) -> None:
    """What a document holds beyond its fields (how it is read, its parts at once) is
    not offered to templates: a read of it could not be followed."""
    for name in ("parts", "source", "_parts"):
        edit(options.templates / "page.html", "{% block content %}",
             f"{{% block content %}}<p>{{{{ site.conditions[0].{name} }}}}</p>")  # fmt: skip
        result = session.build()
        assert [f.field for f in result.errors] == ["template"], name
        assert f"found '{name}'" in str(result.errors[0])
        edit(options.templates / "page.html", f"<p>{{{{ site.conditions[0].{name} }}}}</p>", "")


@pytest.mark.parametrize(
    "behind",
    ["site._site.config.title", "(site | attr('_site')).config.title", "site['_site'].pages",
     "config.__class__.__mro__", "site.conditions[0].meta.__dict__", "site.reads.keys",
     "site.known_urls._names", "today._reads.keys", "'{0._site.pages}'.format(site)",
     "'{s._site}'.format_map({'s': site})", "'{0.meta.__dict__}'.format(site.conditions[0])"],
)  # fmt: skip
def test_what_lies_behind_the_recording_views_is_not_offered(
    options: BuildOptions, session: Session, behind: str
) -> None:
    """A name starting with `_` (`site._site`, the raw site) would be read without a
    note, and a page showing it would not be rendered again when it changed: it is not
    offered, however it is asked for. A key of data may start with `_`."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}<p>{{ " + behind + " }}</p>")  # fmt: skip
    result = session.build()
    assert [f.field for f in result.errors] == ["template"]
    assert "expected one of the fields" in str(result.errors[0])
    edit(options.templates / "page.html", "<p>{{ " + behind + " }}</p>",
         "<p>{{ {'_x': 1}._x }}{{ {'_y': 2}['_y'] }}{% set ns = namespace(_z=3) %}{{ ns._z }}"
         "</p>")  # fmt: skip
    assert session.build().ok
    assert "<p>123</p>" in (options.out / "about/index.html").read_text()


@pytest.mark.parametrize(
    "whole",
    ["c.meta", "c.meta | string", "c.meta == site.conditions[0].meta", "config", "c.meta.__dict__"],
)
def test_a_template_printing_or_comparing_a_whole_model_is_followed(
    options: BuildOptions, session: Session, whole: str
) -> None:
    """A model printed or compared whole reads every field of it (and its private names,
    which would hand them out unnoted, are not offered)."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}{% for c in site.conditions %}<p>{{ " + whole + " }}</p>"
         "{% endfor %}")  # fmt: skip
    first = session.build()
    if whole.endswith("__dict__"):
        assert [f.field for f in first.errors] == ["template"]
        return
    assert first.ok
    edit(options.content / "conditions/alpha.md", "summary: Alpha", "summary: Now alpha")
    edit(options.content / "site.yaml", "description: A small", "description: A tiny")
    rebuild(session)


def test_a_template_walking_a_models_fields_is_followed(
    options: BuildOptions, session: Session
) -> None:
    """`{% for name, value in c.meta %}` goes over every field of the model, as on the
    model itself (it was refused: the view was not iterable), and reads each."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}{% for c in site.conditions %}<p>{% for name, value in c.meta %}"
         "{{ name }}: {{ value }}; {% endfor %}</p>{% endfor %}")  # fmt: skip
    assert session.build().ok
    edit(options.content / "conditions/alpha.md", "summary: Alpha", "summary: Now alpha")
    rendered_again(session, "about/", "summary: Now alpha")
    edit(options.templates / "page.html", "{% for c in site.conditions %}",
         "{% for c in site.conditions %}{% for part in c %}{% endfor %}")  # fmt: skip
    refused = session.build()
    assert [str(f).partition(": template: ")[2] for f in refused.errors] == [
        "expected the template to render, found TypeError: 'Document' object is not iterable"
    ]  # a document offers its fields by name only


def test_the_settings_shown_in_structured_data_are_noted_on_each_page(
    options: BuildOptions, session: Session
) -> None:
    """The JSON-LD names the publisher: a site whose footer does not still renders its
    pages again when the publisher changes."""
    footer = options.templates / "partials/footer.html"
    lines = footer.read_text().splitlines()
    footer.write_text("\n".join(line for line in lines if "publisher" not in line))
    assert session.build().ok
    edit(options.content / "site.yaml", "publisher: The test suite", "publisher: Another one")
    rendered_again(session, "conditions/alpha/", "Another one")


def test_a_theme_file_included_as_a_template_is_followed(
    options: BuildOptions, session: Session
) -> None:
    """A file under static/ is copied with a hashed name, and can also be included
    whole (inline script or style): the pages that include it follow its changes even
    when they do not link it."""
    edit(options.templates / "page.html", "{% block content %}",
         "{% block content %}<!-- {% include 'static/search.js' %} -->")  # fmt: skip
    assert session.build().ok
    script = options.templates / "static/search.js"
    script.write_text(script.read_text() + "\n// changed since\n")
    rendered_again(session, "about/", "// changed since")


def test_a_template_included_if_present_is_followed_once_it_is_made(
    options: BuildOptions, session: Session
) -> None:
    """`{% include … ignore missing %}` of a template that does not exist yet notes its
    name: making it later renders the page again."""
    edit(options.templates / "page.html", "{% block content %}",
         '{% block content %}{% include "partials/extra-" ~ doc.slug ~ ".html" ignore missing %}')  # fmt: skip
    assert session.build().ok
    (options.templates / "partials/extra-about.html").write_text("<p>More about us</p>")
    assert rendered_again(session, "about/", "More about us").rendered == ["about/"]


def validated_site(options: BuildOptions, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The site as a build validates it and hands it to the renderer."""
    made: list[Site] = []
    renderer_init = render.Renderer.__init__

    def keeping(self: render.Renderer, site: Site, *args: object, **kwargs: object) -> None:
        made.append(site)
        renderer_init(self, site, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "__init__", keeping)
    assert build(replace(options, write=False)).ok
    return made[0]


def test_every_field_a_template_reads_is_noted_under_a_key_that_prints_it(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a template reads on a document, its front matter, a package or the
    settings, in each language, a key the read notes prints the value it got (what a
    document's path tells is read freely): a value read without one could change
    while the store sees nothing change, and the page would be left as it was."""
    from test_i18n import make_multilingual

    make_multilingual(options.content)
    site = validated_site(options, monkeypatch)
    values = Values(site, options.templates, {}, TODAY, lambda name: None)
    checked = 0
    for lang in (None, "es"):
        reads = Reads()
        view = SiteView(site, reads, {}, lang)

        documents = view.conditions + view.pages
        free = RecordedDocument.FREE | {"meta"}  # what the path tells, and a view of fields
        owners = [(doc, sorted(RecordedDocument.OFFERED), free) for doc in documents]
        owners += [(doc.meta, readable(doc.meta.__class__), set()) for doc in documents]
        owners += [(package, readable(Package), set()) for package in view.packages]
        owners.append((view.config, readable(SiteConfig), set()))
        for owner, names, read_freely in owners:
            for name in names:
                reads.start()
                value = getattr(owner, name)
                keys = reads.stop()
                where = f"{owner!r}.{name} ({lang})"
                if name in read_freely:
                    assert not keys, where
                elif owner in documents and name in ("body", "body_line"):
                    assert keys == {f"doc:{owner.content_path}#body"}, where
                else:
                    assert value_print(value) in {values.print_of(key) for key in keys}, where
                checked += 1
    assert checked > 200


def test_a_translation_into_a_language_not_listed_is_an_error_every_build(
    options: BuildOptions, session: Session
) -> None:
    alpha = options.content / "conditions" / "alpha.md"
    (options.content / "conditions" / "alpha.fr.md").write_text(alpha.read_text())
    for _ in range(2):  # the first build, and one that reuses everything
        result = session.build()
        assert [f.field for f in result.errors] == ["translation"]
        assert "fr/conditions/alpha/" not in result.urls
