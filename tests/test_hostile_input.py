"""Hostile content ends in findings (`path:line:col`, exit 1), never in a crash,
minutes of work or gigabytes of memory: links that leave the content or theme
folder, links that loop, files too large, Markdown nested too deep, YAML alias
bombs, dates past the calendar's end, control characters in titles and names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import TEMPLATES, build_site, run_cli
from sitegen.findings import error
from sitegen.load import parse_yaml
from sitegen.scaffold import append_package, new_document, new_package

ALPHA = "content/conditions/alpha.md"


def findings_of(content: Path, templates: Path = TEMPLATES) -> list[str]:
    """Every finding of a build of `content` (run from its parent folder), as lines."""
    os.chdir(content.parent)
    result = build_site(Path("content"), Path("site"), templates)
    return [str(finding) for finding in result.findings]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


# One finding, one line ------------------------------------------------------------


def test_a_finding_with_control_characters_stays_on_one_line():
    finding = error("content/a\nb\x1b[31m.md", 1, 1, "title", "found 'x\u2028y\rz'")
    assert str(finding) == "content/a\\nb\\x1b[31m.md:1:1: title: found 'x\\u2028y\\rz'"


def test_a_file_named_with_a_newline_cannot_split_an_error_line(content: Path):
    (content / "conditions" / "beta.md").rename(content / "conditions" / "be\nta.md")
    result = run_cli("check", "--no-cache", "--content", "content", "--templates",
                     str(TEMPLATES), cwd=content.parent)  # fmt: skip
    assert result.returncode == 1, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert (
        "content/conditions/be\\nta.md:1:1: slug: expected lower-case letters, digits and "
        "single hyphens (like 'optic-nerve-damage') in the file name, found 'be\\nta'" in lines
    )
    assert all(line.startswith(("content/", "Check failed")) for line in lines), lines


# Titles that YAML would misread -----------------------------------------------------

AWKWARD_TITLES = [
    "Optic\nneuritis",
    "Optic\r\nneuritis",
    "Line\u2028separated",
    "Next\x85line",
    "Bell\x07and\ttab",
    "Colon: a subtitle",
    "# not a comment",
    "A #hash inside",
    "'single' and \"double\" quotes",
    "- a dash",
    "yes",
    "2026-01-01",
    "*alias &anchor !tag",
    "  spaces around  ",
    "Ünïcödé – dashes — and emoji 👁",
    "x" * 300 + " long",
]


def read_back(path: Path) -> dict:
    """The front matter of `path` as the build reads it."""
    from sitegen.load import load_markdown_file

    doc, findings = load_markdown_file(path, path.parent.parent, "condition")
    assert findings == [], findings
    return doc.data


@pytest.mark.parametrize("title", AWKWARD_TITLES, ids=range(len(AWKWARD_TITLES)))
def test_new_writes_front_matter_that_reads_back_as_the_title(title: str, content: Path):
    condition = new_document("condition", title + " c", content, slug="awkward-c")
    page = new_document("page", title + " p", content, slug="awkward-p")
    assert read_back(condition)["title"] == title + " c"
    assert read_back(page)["title"] == title + " p"


@pytest.mark.parametrize("name", AWKWARD_TITLES, ids=range(len(AWKWARD_TITLES)))
def test_new_package_writes_yaml_that_reads_back_as_the_name(name: str, content: Path):
    package_id, block = new_package(name, content, slug="awkward")
    path = append_package(block, package_id, content)
    data, _, problems = parse_yaml(path.read_text("utf-8"), "packages.yaml")
    assert problems == []
    assert [package["name"] for package in data["packages"]][-1] == name


def test_new_condition_with_a_newline_in_its_title_builds(content: Path):
    result = run_cli("new", "condition", "Optic\nneuritis", "--content", "content",
                     cwd=content.parent)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert read_back(content / "conditions" / "optic-neuritis.md")["title"] == "Optic\nneuritis"


# Dates at the end of the calendar ----------------------------------------------------

OVERFLOW = "expected a review date from which the next review, {} months on, is still a date " \
    "(before the year 10000), found {}"  # fmt: skip


def test_a_review_date_at_the_end_of_the_calendar_is_a_finding(content: Path, monkeypatch):
    replace_in(
        content / "conditions" / "alpha.md",
        "last_reviewed: 2026-01-15\nnext_review: 2027-01-15",
        "last_reviewed: 9999-12-31",
    )
    replace_in(content / "packages.yaml", "last_reviewed: 2026-03-01", "last_reviewed: 9999-12-31")
    monkeypatch.chdir(content.parent)
    lines = [str(f) for f in build_site(Path("content"), Path("site")).errors]
    assert f"{ALPHA}:6:16: last_reviewed: {OVERFLOW.format(12, '9999-12-31')}" in lines
    assert "content/packages.yaml:23:20: packages[1].last_reviewed: " \
        f"{OVERFLOW.format(12, '9999-12-31')}" in lines  # fmt: skip


def test_the_longest_review_interval_near_the_end_of_the_calendar(content: Path, monkeypatch):
    replace_in(content / "site.yaml", "language: en", "language: en\nreview_interval_months: 60")
    replace_in(content / "packages.yaml", "last_reviewed: 2026-03-01", "last_reviewed: 9995-01-01")
    monkeypatch.chdir(content.parent)
    lines = [str(f) for f in build_site(Path("content"), Path("site")).errors]
    assert "content/packages.yaml:23:20: packages[1].last_reviewed: " \
        f"{OVERFLOW.format(60, '9995-01-01')}" in lines  # fmt: skip


def test_the_command_line_exits_1_for_a_date_past_the_calendar(content: Path):
    replace_in(content / "packages.yaml", "last_reviewed: 2026-03-01", "last_reviewed: 9999-12-31")
    result = run_cli("check", "--content", "content", "--templates", str(TEMPLATES),
                     cwd=content.parent)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
