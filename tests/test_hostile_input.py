"""Hostile content ends in findings (`path:line:col`, exit 1), never in a crash,
minutes of work or gigabytes of memory: links that leave the content or theme
folder, links that loop, files too large, Markdown nested too deep, YAML alias
bombs, dates past the calendar's end, control characters in titles and names.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import TEMPLATES, build_site, run_cli
from sitegen.findings import error

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
