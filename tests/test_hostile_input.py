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
