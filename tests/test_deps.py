"""The dependency graph, and incremental builds that follow it.

Each edit is made to a private copy of the minimal site; the incremental build
must render exactly the pages the edit affects and give the same pages and
findings as a fresh build.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

from sitegen.build import BuildOptions, BuildResult, build
from sitegen.deps import TODAY as TODAY_KEY
from sitegen.deps import (
    DependencyGraph,
    Templates,
    date_print,
    fingerprint,
    template_facts,
)
from sitegen.render import ObservedDate

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


# The graph as data -----------------------------------------------------------


def test_stale_pages_are_new_ones_changed_ones_and_those_whose_inputs_changed() -> None:
    before = DependencyGraph(
        {"a/": frozenset({"x", "t"}), "b/": frozenset({"y", "t"}), "c/": frozenset({"z"})},
        {"x": "1", "y": "1", "z": "1", "t": "1"},
    )
    after = DependencyGraph(
        {
            "a/": frozenset({"x", "t"}),
            "b/": frozenset({"y", "t"}),
            "c/": frozenset({"z", "w"}),
            "d/": frozenset({"x"}),
        },
        {"x": "2", "y": "1", "z": "1", "t": "1", "w": "1"},
    )
    assert before.changed_inputs(after) == {"x", "w"}
    assert before.stale(after) == {"a/", "c/", "d/"}
    assert after.dependents("t") == {"a/", "b/"}
    assert before.stale(before) == set()


def test_the_graph_is_plain_data_that_survives_json() -> None:
    graph = DependencyGraph({"a/": frozenset({"x", "y"})}, {"x": "1", "y": "2"})
    again = DependencyGraph.from_json(graph.pages_json(), graph.prints_json())
    assert again == graph
    assert again.stale(graph) == set()


def test_fingerprints_are_stable_and_tell_values_apart() -> None:
    assert fingerprint({"a": 1, "b": [date(2026, 1, 1)]}) == fingerprint(
        {"b": [date(2026, 1, 1)], "a": 1}
    )
    assert fingerprint("a") != fingerprint("b")


def test_template_chains_follow_extends_and_includes_recursively(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "base.html").write_text(
        '{% include "partials/nav.html" %}{% block c %}{% endblock %}'
    )
    (tmp_path / "partials/nav.html").write_text('{% include "partials/item.html" %}')
    (tmp_path / "partials/item.html").write_text("item")
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block c %}{% with x = 1 %}'
        '{% include "partials/badge.html" %}{% endwith %}{% endblock %}'
    )
    (tmp_path / "partials/badge.html").write_text("{{ site.title }}")
    (tmp_path / "other.html").write_text("{% include name %}")
    templates = Templates(tmp_path)
    assert templates.chain("page.html") == {
        "page.html",
        "base.html",
        "partials/nav.html",
        "partials/item.html",
        "partials/badge.html",
    }
    assert templates.chain("partials/item.html") == {"partials/item.html"}
    assert templates.chain("other.html") is None  # a name chosen at render time: any template
    assert template_facts("{{ site.conditions }}", "x").reads_site
    assert not template_facts("{% set site = 1 %}{{ site }}", "x").reads_site


# Incremental builds ------------------------------------------------------------


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    return BuildOptions(content, tmp_path / "site", templates, today=TODAY)


def rebuild(options: BuildOptions, previous: BuildResult) -> BuildResult:
    """An incremental build, checked against a fresh build of the same files."""
    result = build(options, previous)
    fresh = build(replace(options, write=False))
    assert [(p.url, p.content) for p in result.pages] == [(p.url, p.content) for p in fresh.pages]
    assert result.findings == fresh.findings
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_first_build_renders_every_page_and_a_rebuild_without_changes_none(
    options: BuildOptions,
) -> None:
    first = build(options)
    assert first.ok
    assert set(first.rendered) == HTML_PAGES | {"sitemap.xml", "feed.xml"}
    assert set(first.graph.pages) == {p.url for p in first.pages}
    again = rebuild(options, first)
    assert again.rendered == []
    assert again.written


def test_editing_a_body_renders_only_that_page(options: BuildOptions) -> None:
    first = build(options)
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    second = rebuild(options, first)
    assert second.rendered == ["conditions/alpha/"]
    written = (options.out / "conditions/alpha/index.html").read_text()
    assert "Alpha has new symptoms" in written
    assert second.written


def test_editing_a_title_renders_the_page_and_the_pages_that_list_it(
    options: BuildOptions,
) -> None:
    first = build(options)
    edit(options.content / "conditions/alpha.md", "title: Alpha condition", "title: Alpha renamed")
    second = rebuild(options, first)
    assert set(second.rendered) >= {"conditions/alpha/", "", "conditions/", "sitemap.xml"}
    assert "conditions/beta/" not in second.rendered
    assert "about/" not in second.rendered
    assert "Alpha renamed" in (options.out / "conditions/index.html").read_text()


def test_editing_a_package_renders_it_the_lists_and_the_condition_it_is_offered_for(
    options: BuildOptions,
) -> None:
    first = build(options)
    edit(options.content / "packages.yaml", "name: Test package", "name: Renamed package")
    second = rebuild(options, first)
    assert set(second.rendered) == {
        "packages/test-package/",
        "packages/",
        "",
        "conditions/",  # its template reads `site`, so every listing
        "conditions/beta/",
        "search/",  # it lists every package
        "sitemap.xml",
        "feed.xml",
    }


def test_editing_base_html_renders_every_page(options: BuildOptions) -> None:
    first = build(options)
    edit(options.templates / "base.html", "</main>", "<p>Base edited.</p>\n</main>")
    second = rebuild(options, first)
    assert set(second.rendered) == HTML_PAGES


def test_editing_a_partial_renders_the_pages_that_include_it(options: BuildOptions) -> None:
    first = build(options)
    edit(options.templates / "partials/sources.html", "Sources</h2>", "Our sources</h2>")
    second = rebuild(options, first)
    assert set(second.rendered) == {
        "conditions/alpha/",
        "conditions/beta/",
        "packages/test-package/",
        "about/",
        "how-we-rate-evidence/",
    }


def test_editing_the_stylesheet_renders_every_page_with_its_new_name(
    options: BuildOptions,
) -> None:
    first = build(options)
    with (options.templates / "static/site.css").open("a") as css:
        css.write("\nbody { color: #111; }\n")
    second = rebuild(options, first)
    assert set(second.rendered) == HTML_PAGES


def test_editing_site_yaml_renders_every_page(options: BuildOptions) -> None:
    first = build(options)
    edit(options.content / "site.yaml", "title: Test Site", "title: Test Site Renamed")
    second = rebuild(options, first)
    assert set(second.rendered) == HTML_PAGES | {"sitemap.xml", "feed.xml"}


def test_adding_and_removing_a_condition(options: BuildOptions) -> None:
    first = build(options)
    gamma = options.content / "conditions/gamma.md"
    gamma.write_text((options.content / "conditions/beta.md").read_text().replace("Beta", "Gamma"))
    second = rebuild(options, first)
    assert {"conditions/gamma/", "", "conditions/", "sitemap.xml"} <= set(second.rendered)
    assert (options.out / "conditions/gamma/index.html").is_file()
    gamma.unlink()
    third = rebuild(options, second)
    assert "conditions/gamma/" not in {p.url for p in third.pages}
    assert not (options.out / "conditions/gamma").exists()


def test_a_finding_in_an_unchanged_file_points_where_a_fresh_build_does(
    options: BuildOptions,
) -> None:
    """A build forgets each document's YAML positions once its checks are done; an
    unchanged file that a later edit makes wrong is parsed again to say where."""
    first = build(options)
    read = [doc for doc, _, _ in first.memo.lint.values()]
    assert len(read) > 3 and all(doc.kept_positions is None for doc in read)
    (options.content / "conditions/beta.md").unlink()
    broken = rebuild(options, first)
    [finding] = [f for f in broken.errors if f.path.endswith("packages.yaml")]
    line = (options.content / "packages.yaml").read_text().splitlines()[finding.line - 1]
    assert line[finding.col - 1 :].startswith("beta") and ".conditions[" in finding.field


def test_an_error_keeps_the_site_and_fixing_it_rebuilds_what_changed(
    options: BuildOptions,
) -> None:
    first = build(options)
    alpha = options.content / "conditions/alpha.md"
    good = alpha.read_text()
    before = (options.out / "conditions/alpha/index.html").read_bytes()
    alpha.write_text(good.replace("evidence: established", "evidence: establish"))
    broken = rebuild(options, first)
    assert not broken.ok and not broken.written
    assert any("alpha.md" in f.path and f.field == "evidence" for f in broken.errors)
    assert (options.out / "conditions/alpha/index.html").read_bytes() == before
    alpha.write_text(good.replace("Alpha has symptoms", "Alpha has fixed symptoms"))
    fixed = rebuild(options, broken)
    assert fixed.ok and fixed.written
    assert "conditions/alpha/" in fixed.rendered
    assert "conditions/beta/" not in fixed.rendered
    assert "fixed symptoms" in (options.out / "conditions/alpha/index.html").read_text()


def test_a_template_error_is_reported_and_fixing_it_renders_the_pages_again(
    options: BuildOptions,
) -> None:
    first = build(options)
    condition = options.templates / "condition.html"
    good = condition.read_text()
    condition.write_text(good.replace("{% block content %}", "{% block content %}{{ nope() }}"))
    broken = rebuild(options, first)
    assert any(f.field == "template" for f in broken.errors)
    condition.write_text(good)
    fixed = rebuild(options, broken)
    assert fixed.ok
    assert {"conditions/alpha/", "conditions/beta/"} <= set(fixed.rendered)


def test_warnings_of_reused_pages_are_kept(options: BuildOptions) -> None:
    about = options.content / "pages/about.md"
    about.write_text(about.read_text() + "\n<p onclick='x()'>Hi</p>\n")
    first = build(options)
    assert any("about.md" in f.path for f in first.warnings)
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    second = rebuild(options, first)
    assert second.rendered == ["conditions/alpha/"]
    assert any("about.md" in f.path for f in second.warnings)


def test_unchanged_pages_are_linked_not_written_again(options: BuildOptions) -> None:
    first = build(options)
    beta = options.out / "conditions/beta/index.html"
    inode = beta.stat().st_ino
    edit(options.content / "conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
    rebuild(options, first)
    assert beta.stat().st_ino == inode  # the same file, hard-linked into the new folder


def test_a_previous_result_for_other_options_is_not_reused(
    options: BuildOptions, tmp_path: Path
) -> None:
    first = build(options)
    other = replace(options, out=tmp_path / "other")
    result = build(other, first)
    assert set(result.rendered) == HTML_PAGES | {"sitemap.xml", "feed.xml"}


# Today's date ------------------------------------------------------------------


def observed() -> ObservedDate:
    return ObservedDate(date(2026, 11, 26))


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
    today, day = observed(), date(2026, 12, 1)
    assert compare(today, day) == compare(date(2026, 11, 26), day)
    assert today.uses == {key}
    assert date_print(key, date(2026, 11, 26)) == str(compare(date(2026, 11, 26), day))
    assert date_print(key, date(2026, 12, 2)) == str(compare(date(2026, 12, 2), day))


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
    today = observed()
    assert use(today) == use(date(2026, 11, 26))
    assert today.uses == {TODAY_KEY}
    assert date_print(TODAY_KEY, date(2026, 11, 27)) == "2026-11-27"


def test_a_comparison_with_what_is_not_a_plain_date_uses_the_whole_date():
    today = observed()
    with pytest.raises(TypeError):
        today < datetime(2026, 12, 1)  # noqa: B015  (as with a plain date)
    assert today.uses == {TODAY_KEY}


def test_a_template_that_compares_the_date_notes_only_the_comparisons_it_makes():
    template = jinja2.Environment().from_string("{% if due and due < today %}overdue{% endif %}")
    today = observed()
    assert template.render(due=None, today=today) == "" and today.uses == set()
    assert template.render(due=date(2026, 1, 1), today=today) == "overdue"
    assert today.uses == {"today:gt:2026-01-01"}
