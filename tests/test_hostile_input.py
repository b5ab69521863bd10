"""Hostile content ends in findings (`path:line:col`, exit 1), never in a crash,
minutes of work or gigabytes of memory: links that leave the content or theme
folder, links that loop, files too large, Markdown nested too deep, YAML alias
bombs, dates past the calendar's end, control characters in titles and names.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, build_site, run_cli
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


# YAML that asks for more than it is ------------------------------------------------

BOMB = (
    "a: &a ["
    + ", ".join(["lol"] * 9)
    + "]\n"
    + "".join(  # under 400 bytes; 9**8 values
        f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]\n"
        for before, name in zip("abcdefg", "bcdefgh", strict=True)
    )
)


def check_bounded(content: Path, seconds: int = 60, megabytes: int = 1024):
    """`check` on `content` in a process that may take at most `seconds` and `megabytes`
    (of address space: past it the process gets MemoryError, and exits 3)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "--no-cache", "--content", "content",
         "--templates", str(TEMPLATES)],
        cwd=content.parent, capture_output=True, text=True, env=env, timeout=seconds,
        preexec_fn=limit,
    )  # fmt: skip


def assert_findings(result, *expected: str) -> None:
    """Exit 1, no traceback, and each `expected` line among the findings."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    lines = output.splitlines()
    for line in expected:
        assert line in lines, output


ALIASES = "expected at most 1,000 aliases (*name) of lists and mappings in one file, found more"
NESTED = "expected values nested at most 64 levels deep, found deeper"


def test_an_alias_bomb_is_a_finding(content: Path):
    assert len(BOMB.encode()) < 400
    for name in ("site.yaml", "packages.yaml"):
        with (content / name).open("a", encoding="utf-8") as handle:
            handle.write(BOMB)
    (content / "claims.yaml").write_text(BOMB, "utf-8")
    replace_in(content / "conditions" / "alpha.md", "reviewed_by:", BOMB + "reviewed_by:")
    assert_findings(
        check_bounded(content),
        f"content/site.yaml:30:4: yaml: {ALIASES}",  # line e: the 1,001st alias
        f"content/packages.yaml:28:4: yaml: {ALIASES}",
        f"content/claims.yaml:5:4: yaml: {ALIASES}",
        f"{ALPHA}:12:4: yaml: {ALIASES}",
    )


def test_aliases_that_repeat_too_many_values_are_a_finding(content: Path, monkeypatch):
    wide = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 200) + "]\n"
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write(wide)
    monkeypatch.chdir(content.parent)
    assert "content/site.yaml:27:4: yaml: expected aliases (*name) to repeat at most 100,000 " \
        "values in all, found more (aliases of aliases multiply); write the values out " \
        "instead" in [str(f) for f in build_site(Path("content"), Path("site")).errors]  # fmt: skip


def test_an_alias_inside_the_value_it_names_is_a_finding(content: Path):
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("loop: &loop [*loop]\n")
    with (content / "packages.yaml").open("a", encoding="utf-8") as handle:
        handle.write("loop: &loop {again: *loop}\n")
    assert_findings(
        check_bounded(content),
        f"content/site.yaml:26:7: yaml: {NESTED} (an alias inside the value it names)",
        f"content/packages.yaml:24:7: yaml: {NESTED} (an alias inside the value it names)",
    )


def test_yaml_nested_too_deep_is_a_finding(content: Path):
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("deep: " + "[" * 990 + "]" * 990 + "\n")
    replace_in(content / "conditions" / "alpha.md", "reviewed_by:",
               "deep: " + "{a: " * 900 + "}" * 900 + "\nreviewed_by:")  # fmt: skip
    assert_findings(
        check_bounded(content),
        f"content/site.yaml:26:70: yaml: {NESTED}",
        f"{ALPHA}:8:259: yaml: {NESTED}",
    )


def test_a_long_base_60_number_is_read_as_text_at_once(content: Path):
    replace_in(content / "packages.yaml", "duration_days: 10", "duration_days: 1" + ":59" * 400_000)
    assert_findings(check_bounded(content, seconds=20))  # it took 90 s, as a number


def test_anchors_aliases_and_merge_keys_still_work(content: Path, monkeypatch):
    replace_in(content / "packages.yaml", "    sources:\n      - {title: Package source, "
               'url: "https://example.org/package"}\n',
               "    sources: &shared\n      - {title: Package source, "
               'url: "https://example.org/package"}\n')  # fmt: skip
    with (content / "packages.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  - &base\n    id: second-package\n    name: Second\n    conditions: [beta]\n"
            "    evidence: investigational\n    duration_days: 3\n    known_risks: [Pain]\n"
            "    sources: *shared\n    last_reviewed: 2026-03-01\n"
            "  - <<: *base\n    id: third-package\n    name: Third\n"
        )
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"))
    assert result.ok, [str(f) for f in result.errors]
    assert {"packages/second-package/", "packages/third-package/"} <= set(result.urls)
