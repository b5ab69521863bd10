"""Hostile content ends in findings (`path:line:col`, exit 1), never in a crash,
minutes of work or gigabytes of memory: links that leave the content or theme
folder, links that loop, files too large, Markdown nested too deep, YAML alias
bombs, dates past the calendar's end, control characters in titles and names.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, build_site, run_cli
from sitegen.build import BuildOptions, Session
from sitegen.findings import error
from sitegen.raw import parse_yaml
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
    table = lines.index(next(line for line in lines if line.startswith("rule ")))
    assert all(line.startswith("content/") for line in lines[:table] if line), lines
    assert all(re.match(r"[\w.-]+  +\d+  ", line) or line.startswith(("rule ", "Check failed"))
               for line in lines[table + 1 :] if line), lines  # fmt: skip
    assert not any(line.startswith("ta.md") for line in lines)


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
        f"content/site.yaml:33:4: yaml: {ALIASES}",  # line e: the 1,001st alias
        f"content/packages.yaml:29:4: yaml: {ALIASES}",
        f"content/claims.yaml:5:4: yaml: {ALIASES}",
        f"{ALPHA}:12:4: yaml: {ALIASES}",
    )


def test_aliases_that_repeat_too_many_values_are_a_finding(content: Path, monkeypatch):
    wide = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 200) + "]\n"
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write(wide)
    monkeypatch.chdir(content.parent)
    assert "content/site.yaml:30:4: yaml: expected aliases (*name) to repeat at most 100,000 " \
        "values in all, found more (aliases of aliases multiply); write the values out " \
        "instead" in [str(f) for f in build_site(Path("content"), Path("site")).errors]  # fmt: skip


def test_an_alias_inside_the_value_it_names_is_a_finding(content: Path):
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("loop: &loop [*loop]\n")
    with (content / "packages.yaml").open("a", encoding="utf-8") as handle:
        handle.write("loop: &loop {again: *loop}\n")
    assert_findings(
        check_bounded(content),
        f"content/site.yaml:29:7: yaml: {NESTED} (an alias inside the value it names)",
        f"content/packages.yaml:25:7: yaml: {NESTED} (an alias inside the value it names)",
    )


def test_yaml_nested_too_deep_is_a_finding(content: Path):
    with (content / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("deep: " + "[" * 990 + "]" * 990 + "\n")
    replace_in(content / "conditions" / "alpha.md", "reviewed_by:",
               "deep: " + "{a: " * 900 + "}" * 900 + "\nreviewed_by:")  # fmt: skip
    assert_findings(
        check_bounded(content),
        f"content/site.yaml:29:70: yaml: {NESTED}",
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
            "    kind: other\n    evidence: investigational\n    duration_days: 3\n"
            "    known_risks: [Pain]\n"
            "    sources: *shared\n    last_reviewed: 2026-03-01\n"
            "  - <<: *base\n    id: third-package\n    name: Third\n"
        )
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"))
    assert result.ok, [str(f) for f in result.errors]
    assert {"packages/second-package/", "packages/third-package/"} <= set(result.urls)


# Symbolic links ------------------------------------------------------------------

SECRET = "not for the web, a line of etc passwd"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file beside the project, which no link may publish."""
    path = tmp_path / "secret.txt"
    path.write_text(f"---\ntitle: {SECRET}\n---\n{SECRET}\n", "utf-8")
    return path


def link(path: Path, target: Path | str) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def outside(shown: str, target: Path | str, folder: str = "content") -> str:
    return f"{shown}:1:1: symlink: expected a file inside {folder}/, found a symbolic link to " \
        f"'{target}', which leads outside it; it was not read"  # fmt: skip


def loop(shown: str) -> str:
    return f"{shown}:1:1: symlink: expected a file, found a symbolic link that loops back on itself"


CONTENT_FILES = ["conditions/alpha.md", "pages/about.md", "site.yaml", "packages.yaml",
                 "claims.yaml", "images/dot.svg", "images/new.png"]  # fmt: skip


@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_content_link_out_of_the_content_folder_is_refused(name: str, content: Path, secret):
    link(content / name, secret)
    result = check_bounded(content)
    assert_findings(result, outside(f"content/{name}", secret))
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_content_link_that_loops_is_a_finding(name: str, content: Path):
    link(content / name, content / name)
    assert_findings(check_bounded(content), loop(f"content/{name}"))


@pytest.mark.parametrize("cache", [False, True])
def test_links_are_findings_with_the_build_cache_too(cache: bool, content: Path, secret):
    link(content / "images" / "two.svg", "one.svg")
    link(content / "images" / "one.svg", "two.svg")
    link(content / "images" / "here", ".")
    link(content / "conditions" / "alpha.md", secret)
    args = ("build", "--content", "content", "--templates", str(TEMPLATES)) + (
        () if cache else ("--no-cache",)
    )
    result = run_cli(*args, cwd=content.parent)
    assert_findings(
        result,
        loop("content/images/one.svg"),
        loop("content/images/two.svg"),
        outside(ALPHA, secret),
        "content/images/here:1:1: warning: symlink: expected a file, found a symbolic link to a "
        "folder; it is not followed, so its files are not published",
    )
    assert not (content.parent / "site").exists()


def test_a_content_folder_linked_out_is_refused(content: Path, tmp_path: Path):
    (content / "images").rename(tmp_path / "elsewhere")
    link(content / "images", tmp_path / "elsewhere")
    assert_findings(
        check_bounded(content),
        "content/images:1:1: symlink: expected a folder inside content/, found a symbolic link "
        f"to '{tmp_path / 'elsewhere'}', which leads outside it; it was not read",
    )


def test_links_inside_the_content_folder_are_followed(content: Path, monkeypatch):
    link(content / "images" / "dot-again.svg", "dot.svg")
    link(content / "pages" / "about-us.md", "../pages/about.md")
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"))
    assert result.ok, [str(f) for f in result.errors]
    site = content.parent / "site"
    assert (site / "images" / "dot-again.svg").read_bytes() == (
        content / "images" / "dot.svg"
    ).read_bytes()
    assert "about-us/" in result.urls


THEME_FILES = ["static/site.css", "root/favicon.ico", "base.html", "partials/extra.html"]


@pytest.mark.parametrize("name", THEME_FILES)
def test_a_theme_link_out_of_the_templates_folder_is_refused(
    name: str, content: Path, templates: Path, secret: Path, monkeypatch
):
    if name == "partials/extra.html":  # a template that base.html includes
        (templates / "partials").mkdir(exist_ok=True)
        replace_in(templates / "base.html", "</body>", '{% include "partials/extra.html" %}</body>')
    link(templates / name, secret)
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"), templates)
    lines = [str(f) for f in result.errors]
    assert outside(f"{templates.relative_to(content.parent)}/{name}", secret, "templates") in lines
    assert not result.written and SECRET not in "\n".join(lines)


@pytest.mark.parametrize("name", THEME_FILES)
def test_a_theme_link_that_loops_is_a_finding(
    name: str, content: Path, templates: Path, monkeypatch
):
    if name == "partials/extra.html":
        (templates / "partials").mkdir(exist_ok=True)
        replace_in(templates / "base.html", "</body>", '{% include "partials/extra.html" %}</body>')
    link(templates / name, templates / name)
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"), templates)
    assert loop(f"templates/{name}") in [str(f) for f in result.errors]


# Files too large to read -------------------------------------------------------------


def test_a_content_file_over_the_size_limit_is_not_read(content: Path):
    with (content / "conditions" / "alpha.md").open("a", encoding="utf-8") as handle:
        handle.write(("A long line of text. " * 50 + "\n\n") * 50_000)  # 50 MB
    assert_findings(
        check_bounded(content, megabytes=512),
        f"{ALPHA}:1:1: size: expected a file of at most 512 KB (limits: max_page_kb in "
        "site.yaml), found 51,368 KB; split it into smaller files",
    )


def test_a_catalogue_over_the_size_limit_is_not_read(content: Path):
    with (content / "packages.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment line of forty characters ..\n" * 60_000)  # 2.3 MB
    assert_findings(
        check_bounded(content, megabytes=512),
        "content/packages.yaml:1:1: size: expected a file of at most 2,048 KB (limits: "
        "max_file_kb in site.yaml), found 2,345 KB; split it into smaller files",
    )


def test_site_yaml_sets_the_size_limit(content: Path, monkeypatch):
    replace_in(content / "site.yaml", "language: en", "language: en\nlimits: {max_page_kb: 1}")
    with (content / "conditions" / "alpha.md").open("a", encoding="utf-8") as handle:
        handle.write("\nMore about alpha. " * 100)
    monkeypatch.chdir(content.parent)
    options = BuildOptions(Path("content"), Path("site"), TEMPLATES)
    session = Session(options)
    first = session.build()
    assert f"{ALPHA}:1:1: size: expected a file of at most 1 KB (limits: max_page_kb in " \
        "site.yaml), found 3 KB; split it into smaller files" in map(str, first.errors)  # fmt: skip
    replace_in(content / "site.yaml", "max_page_kb: 1}", "max_page_kb: 64}")
    second = session.build()  # as serve rebuilds: alpha.md itself did not change
    assert second.ok, [str(f) for f in second.errors]


def test_a_size_limit_out_of_range_is_a_finding(content: Path, monkeypatch):
    replace_in(content / "site.yaml", "language: en", "language: en\nlimits: {max_file_kb: 0}")
    monkeypatch.chdir(content.parent)
    assert (
        "content/site.yaml:4:23: limits.max_file_kb: expected a number of at least 1, "
        "found a number (0)" in [str(f) for f in build_site(Path("content"), Path("site")).errors]
    )


# Markdown that asks for minutes ----------------------------------------------------


def with_body(content: Path, body: str, name: str = "alpha") -> None:
    """`content/conditions/<name>.md` with its body (from line 16) replaced by `body`."""
    path = content / "conditions" / f"{name}.md"
    head = path.read_text("utf-8").split("## Symptoms")[0]
    path.write_text(head + "## Symptoms\n\n" + body + "\n", "utf-8")


NESTING = "nesting: expected lists and block quotes nested at most 20 levels deep, found {} " \
    "(each '>', list marker or 4 spaces of indent is a level)"  # fmt: skip
HOSTILE_BODIES = {  # body from line 17 -> the finding's line and text (after 'alpha.md:')
    "10,000 list markers on one line": (
        "- " * 10_000 + "x",
        f"17:1: {NESTING.format('10,000')}",
    ),
    "1,000 indented list levels": (
        "".join("    " * level + "- item\n" for level in range(100)),
        f"37:1: {NESTING.format(21)}",
    ),
    "1,000 nested block quotes": (
        "".join(">" * level + " quote\n" for level in range(1, 1_001)),
        f"37:1: {NESTING.format(21)}",
    ),
    "40,000 [ in a paragraph": (
        "[" * 40_000,
        "15:1: markup: expected at most 20,000 Markdown marks (* _ ` [ < & \\) on a page, found "
        "40,000; split the page",
    ),
    "5,000 [ in a paragraph": (
        "Text " + "[" * 5_000,
        "17:1: brackets: expected at most 8 '[' open at once in one paragraph, found 5,000 (is "
        "a ']' missing?)",
    ),
    "unclosed ( after links": (
        "See [a](" * 20 + " and more",
        "17:1: brackets: expected at most 8 '(' open at once in one paragraph, found 20 (is a "
        "')' missing?)",
    ),
    "deeply nested emphasis": (
        "***a " * 10_000 + "x" + " a***" * 10_000,
        "15:1: markup: expected at most 20,000 Markdown marks (* _ ` [ < & \\) on a page, found "
        "60,000; split the page",
    ),
    "many emphases in one paragraph": (
        "*a* " * 300,
        "17:1: markup: expected at most 500 Markdown marks (* _ ` [ < & \\) in one paragraph, "
        "list item or table cell, found 600; split it",
    ),
    "8,000 headings in one block": (
        "## h\n" * 8_000,
        "17:1: blocks: expected at most 50 headings, rules and definitions ('[x]: ...') in one "
        "block of lines, found more; put blank lines between them",
    ),
    "8,000 rules in one block": (
        "Text\n" + "***\n" * 8_000,
        "17:1: blocks: expected at most 50 headings, rules and definitions ('[x]: ...') in one "
        "block of lines, found more; put blank lines between them",
    ),
    "8,000 abbreviations": (
        "".join(f"*[AB{number}]: an abbreviation\n\n" for number in range(8_000)),
        "217:1: abbreviations: expected at most 100 abbreviation definitions ('*[...]: ...') on "
        "a page, found 8,000",
    ),
    "4,000 footnotes": (
        "".join(f"x[^{number}]\n\n[^{number}]: note\n\n" for number in range(2_000)),
        "2017:1: footnotes: expected at most 1,000 footnote references and definitions ('[^') "
        "on a page, found 4,000",
    ),
    "a table of 300 columns and 8,000 empty rows": (
        "|" + " a |" * 300 + "\n|" + "---|" * 300 + "\n" + "|\n" * 8_000,
        "17:1: tables: expected tables of at most 10,000 cells on a page (columns times rows), "
        "found 2,416,604 from here on; split the table or the page",
    ),
    "30,000 paragraphs": (
        "a\n\n" * 30_000,
        "15:1: blocks: expected at most 10,000 blocks (paragraphs, headings, lists, ... between "
        "blank lines) on a page, found 30,002; split the page",
    ),
    "40,000 blank lines": (
        "Text" + "\n" * 40_000 + "more text",
        "15:1: blocks: expected at most 10,000 blocks (paragraphs, headings, lists, ... between "
        "blank lines) on a page, found 20,002; split the page",
    ),
    "25,000 list items": (
        "- " * 5 + "x\n" + "- a\n" * 25_000,
        "15:1: elements: expected at most 20,000 paragraphs, list items, headings, table cells "
        "and the like on a page, found 25,012; split the page",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_BODIES))
def test_hostile_markdown_is_a_finding(case: str, content: Path):
    body, expected = HOSTILE_BODIES[case]
    with_body(content, body)
    assert_findings(check_bounded(content, seconds=60, megabytes=1024), f"{ALPHA}:{expected}")


def test_hostile_markdown_in_the_disclaimer_is_a_finding(content: Path, monkeypatch):
    text = (content / "site.yaml").read_text("utf-8")
    start = text.index("disclaimer:")
    end = text.index("\n", text.index("\n", start) + 1)
    (content / "site.yaml").write_text(
        text[:start] + "disclaimer: |\n  " + "- " * 10_000 + "x\n" + text[end + 1 :], "utf-8"
    )
    monkeypatch.chdir(content.parent)
    lines = [str(f) for f in build_site(Path("content"), Path("site")).errors]
    assert any(line.startswith("content/site.yaml:") and ": nesting: " in line for line in lines)


# Positions from the parser's elements, not a search of the text --------------------

POSITION_CASES = {  # body from line 17 -> findings (after 'alpha.md:')
    "the same missing image twice": (
        "![A](missing.svg)\n\nText.\n\n![A](missing.svg)",
        [
            "17:6: image: expected an image file in content/images/, found no file at "
            "'content/conditions/missing.svg'",
            "21:6: image: expected an image file in content/images/, found no file at "
            "'content/conditions/missing.svg'",
        ],
    ),
    "an image whose address is in the prose above": (
        "The file missing.svg is not there.\n\n![A](missing.svg)",
        [
            "19:6: image: expected an image file in content/images/, found no file at "
            "'content/conditions/missing.svg'"
        ],
    ),
    "the same broken link twice in a line, named in the prose above": (
        "gamma.md is named here first.\n\nSee [gamma](gamma.md) and [again](gamma.md).",
        [
            "19:13: link: expected a link to a page or file of this site, found 'gamma.md'",
            "19:35: link: expected a link to a page or file of this site, found 'gamma.md'",
        ],
    ),
    "a link in a code span first": (
        "`[gamma](gamma.md)` shows the syntax.\n\nSee [gamma](gamma.md).",
        ["19:13: link: expected a link to a page or file of this site, found 'gamma.md'"],
    ),
    "a reference link: at its definition": (
        "See [x][ref] and [y][ref].\n\n[ref]: gamma.md",
        ["19:8: link: expected a link to a page or file of this site, found 'gamma.md'"],
    ),
    "an image without alt text, its address in the prose above": (
        "See ../images/dot.svg below.\n\n![](../images/dot.svg)",
        ["19:5: image: expected alt text describing the image, found none for '../images/dot.svg'"],
    ),
    "a skipped heading level, its words in the prose above": (
        "Causes are many.\n\n#### Causes",
        [
            "19:1: warning: heading: expected a level-3 heading next, found level 4 ('Causes'); "
            "skipped levels confuse screen-reader users"
        ],
    ),
    "raw HTML written in a code span first": (
        '`<p onclick="x()">Hi</p>` is removed.\n\n<p onclick="x()">Hi</p>',
        [
            "19:1: warning: html: expected safe HTML, found the event handler 'onclick' on <p>; "
            "it was removed"
        ],
    ),
}


@pytest.mark.parametrize("case", list(POSITION_CASES))
def test_findings_point_at_the_element_itself(case: str, content: Path, monkeypatch):
    body, expected = POSITION_CASES[case]
    with_body(content, body)
    monkeypatch.chdir(content.parent)
    lines = [str(f) for f in build_site(Path("content"), Path("site")).findings]
    in_body = [line for line in lines if line.startswith(ALPHA) and int(line.split(":")[1]) > 16]
    assert in_body == [f"{ALPHA}:{line}" for line in expected]


def test_a_control_character_in_yaml_is_a_finding(content: Path):
    replace_in(content / "conditions" / "alpha.md", "title: Alpha condition", "title: Alpha\x1f")
    with (content / "packages.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment with a bell \x07\n")
    assert_findings(
        check_bounded(content),
        f"{ALPHA}:2:13: yaml: expected valid YAML, found the character U+001F, which YAML does "
        "not allow in a file (write it as an escape in double quotes, like \\x1f)",
        "content/packages.yaml:25:25: yaml: expected valid YAML, found the character U+0007, "
        "which YAML does not allow in a file (write it as an escape in double quotes, like \\x1f)",
    )


# The claims linter on hostile text ------------------------------------------------

# Within the Markdown limits (500 marks a paragraph, 20,000 a page, 512 KB), so the
# page is read and linted: 20,000 unclosed `<!--`, a fence on each of 40,000 lines.
HOSTILE_PROSE = {
    "unclosed comments": "\n\n".join(
        ["<!--" + "x" * 19 + " "] * 500 and [("<!--" + "x" * 19 + " ") * 500] * 40
    ),
    "unclosed fences": "```a\n" * 40_000,
}


@pytest.mark.parametrize("kind", list(HOSTILE_PROSE))
def test_the_claims_linter_reads_hostile_text_in_linear_time(content: Path, kind: str):
    """Its masking of code and comments ran on to the end of the page from every
    unclosed `<!--` or fence: 20,000 of them took minutes. Within the limits the
    page is linted, in well under the bound."""
    page = content / "pages" / "hostile.md"
    page.write_text("---\ntitle: Hostile\nsummary: Hostile text.\n---\n" + HOSTILE_PROSE[kind])
    result = check_bounded(content, seconds=20)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "hostile.md:1:1: size" not in result.stdout  # read, not refused
