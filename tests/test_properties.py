"""Property: any front matter, site.yaml, packages.yaml or claims.yaml ends in a
build or in `path:line:col` findings (exit 1), within a time and memory bound;
never a traceback or exit 3.

The inputs are YAML-ish text made of fragments (the keys the models know,
indentation, list items, flow collections, anchors, aliases, merge keys, tags,
quotes and escapes, dates at the calendar's ends, huge numbers, control
characters, unicode), written into a copy of the test fixture, often as a few
changes to its own valid file, so that validation and rendering see odd values
and not only the YAML parser. Each property runs `build()` in this process on a
fixed seed (derandomize) for a bounded number of examples (60 in `make test`;
`make fuzz-properties` runs 1,000 of each); a few examples run through the command
line for the exit code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, TEMPLATES
from sitegen.build import BuildOptions, build

FINDING = re.compile(r"[^\n]+:\d+:\d+: (?:(?:warning|note): )?[^\n]+")
# How far one build of the small fixture may raise the process's resident memory:
# a few MB on valid input; an input that expanded (a YAML alias bomb, a huge
# repetition) would pass it. Measured per build (the peak is reset before it), not
# as the peak of the whole test process, which grows with every test before this one.
MEMORY_BOUND_MB = 200
PROPERTY = settings(
    max_examples=int(os.environ.get("SITEGEN_PROPERTY_EXAMPLES") or 60),
    derandomize=True,
    deadline=timedelta(seconds=20),  # one build takes 20 ms; this is a bound, not a timing
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

KEYS = {
    "front matter": ["title", "summary", "also_known_as", "evidence", "last_reviewed",
                     "next_review", "reviewed_by", "sources", "url", "publisher", "year",
                     "citation", "type", "accessed"],
    "site.yaml": ["title", "base_url", "language", "description", "publisher",
                  "review_interval_months", "navigation", "url", "contact", "email",
                  "disclosure", "financial_interest", "advertising_policy", "disclaimer",
                  "evidence_levels", "id", "label", "explanation", "required_sections",
                  "reading_grade_target", "directory_links", "limits", "max_page_kb",
                  "max_file_kb"],
    "packages.yaml": ["packages", "id", "name", "summary", "conditions", "evidence", "cells",
                      "type", "units", "administration", "route", "times", "note",
                      "adjuvant_therapies", "duration_days", "includes", "known_risks",
                      "price", "amount", "currency", "price_excludes", "follow_up",
                      "trial_registration", "registry", "identifier", "regulatory_status",
                      "jurisdiction", "status", "report_side_effects", "how", "sources",
                      "title", "url", "year", "last_reviewed"],
    "claims.yaml": ["rules", "disable", "id", "pattern", "regex", "severity", "reason",
                    "suggestion", "unless_negated", "unless_cited", "min_number"],
}  # fmt: skip
VALUES = [
    "", "x", "Alpha condition", "beta", "established", "investigational", "error", "warning",
    "2026-01-15", "9999-12-31", "0001-01-01", "2026-13-45", "10000-01-01", "2026-01-15 10:00",
    "12", "0", "-1", "60", "61", "1" * 40, "1:59:59" * 20, "0x1F", "0o17", "1e400", "-.inf",
    ".nan", "1_000", "3.5", "~", "null", "true", "no", "yes", "on", "EUR", "USD", "eur",
    "https://example.org/x", "http://", "example.org", "javascript:alert(1)", "/about/",
    "[a, b]", "[beta]", "{a: b}", "[", "]", "{", "}", "[]", "{}", "*a", "&a x", "&b [1, 2]",
    "!!str x", "!!int x", "!!float x", "!!python/object:os.system x", "!!binary aGk=",
    "!custom x", "<<", "'single'", "'it''s'", '"esc \\x01 \\u2028 \\t \\0"', '"\\uD800"',
    '"unclosed', "'unclosed", "|", ">", "|-\n  literal\n  text", "# comment", "- x",
    "? complex", ":", "%YAML 1.1", "---", "...", "\t", "\x00", "\x01", "\x85", "\u2028",
    "\ufeff", "é", "👁", "\U0010ffff", "a" * 300, "x\ny", "a: b: c", "(a+)+$", "cure",
]  # fmt: skip


@st.composite
def yaml_line(draw: st.DrawFn, keys: list[str]) -> str:
    """One line of YAML-ish text, from fragments a YAML file is made of."""
    indent = draw(st.sampled_from(["", "", "  ", "    ", "      ", " ", "\t", "  - "]))
    key = draw(st.sampled_from(keys) | st.sampled_from(["<<", "? a", "'q k'", "1", "-"]))
    value = draw(st.sampled_from(VALUES) | st.text(max_size=12))
    shape = draw(st.sampled_from(["key: value", "key:", "- value", "- key: value",
                                  "value", "key: &a value", "key: *a", "<<: *a"]))  # fmt: skip
    line = shape.replace("key", key, 1).replace("value", value, 1)
    return indent + line + draw(st.sampled_from(["", "", " # note", "  ", "\r"]))


# Values that are well-formed YAML on one line, so that a file changed with them
# still parses and the odd value reaches validation, the checks and the templates.
WELL_FORMED = [
    "x", "Alpha", "''", '""', "' '", "9999-12-31", "0001-01-01", "2026-02-30", "2026-12-04",
    "2026-01-15T10:00:00Z", "1" * 40, "1e400", "-.inf", ".nan", "~", "true", "false", "[]",
    "{}", "[beta, beta]", "[x, [y, z]]", "{a: 1}", '"\\x01\\u2028\\x85 text"', '"\\0"',
    "'it''s'", "!!str 12", "!!binary aGk=", "!!python/object:os.system x", "!!set {a}",
    "&anchor x", "12:30", "0b101", "0x1F", "1_000", "-1", "0", "1", "60", "61", "2101",
    "1799", "3.5", "https://example.org/x", "javascript:alert(1)", "mailto:a@b.org",
    "/about/", "../pages/about.md", "beta.md#causes", "é", "👁 🙂", '"' + "a" * 300 + '"',
    "EUR", "eur", "error", "info", "'[unclosed'", '"<script>alert(1)</script>"',
    "'**bold** [link](x.md) ![i](../images/dot.svg)'", "'# heading'", "'- - - - x'",
]  # fmt: skip


@st.composite
def yaml_text(draw: st.DrawFn, keys: list[str], original: str) -> str:
    """Mostly `original` with a few changes (values replaced by odd but well-formed
    ones, keys added, lines repeated or removed), sometimes a line or more of
    YAML-ish fragments, sometimes new text made of fragments only."""
    mode = draw(st.sampled_from(["values", "values", "values", "lines", "fresh"]))
    lines = original.splitlines() if mode != "fresh" else []
    for _ in range(draw(st.integers(1, 4 if lines else 25))):
        if not lines:
            lines.append(draw(yaml_line(keys)))
            continue
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" -"))]
        change = draw(st.sampled_from(["value", "value", "key", "repeat", "delete", "line"]))
        if mode == "values" and change == "line":
            change = "value"
        if change == "value" and ":" in line:
            lines[index] = f"{line.split(':', 1)[0]}: {draw(st.sampled_from(WELL_FORMED))}"
        elif change == "key":
            new_key = draw(st.sampled_from(keys))
            lines.insert(index, f"{indent}{new_key}: {draw(st.sampled_from(WELL_FORMED))}")
        elif change == "repeat":
            lines.insert(index, line)
        elif change == "delete":
            del lines[index]
        else:
            lines.insert(index, draw(yaml_line(keys)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "\n", "", "\r\n", "\n\n"]))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the minimal fixture; each example rewrites one file and restores it."""
    root = tmp_path_factory.mktemp("properties")
    shutil.copytree(FIXTURES / "minimal", root / "content")
    return root


def builds_or_reports(content: Path) -> None:
    """The property: a build of `content` returns (no exception) with findings that are
    each one `path:line:col` line, and the build allocates less than the bound."""
    before = memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    result = build(
        BuildOptions(content=content, out=content.parent / "site", templates=TEMPLATES,
                     write=False, jobs=1, today=date(2026, 12, 4))
    )  # fmt: skip
    grown_mb = (memory_kb("VmHWM") - before) / 1024
    for finding in result.findings:
        assert FINDING.fullmatch(str(finding)), str(finding)
    assert grown_mb < MEMORY_BOUND_MB, f"the build took {grown_mb:.0f} MB more"


def memory_kb(field: str) -> int:
    """A field of this process's /proc status in kB: VmRSS (now), VmHWM (the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def with_file(content: Path, name: str, text: str) -> None:
    (content / name).write_text(text, "utf-8", errors="surrogatepass")


ALPHA = "conditions/alpha.md"


def front_matter_of(text: str) -> tuple[str, str]:
    _, front, body = text.split("---\n", 2)
    return front, body


@PROPERTY
@given(data=st.data())
def test_any_front_matter_builds_or_is_reported(site: Path, data: st.DataObject) -> None:
    content = site / "content"
    original = (FIXTURES / "minimal" / ALPHA).read_text("utf-8")
    front, body = front_matter_of(original)
    new = data.draw(yaml_text(KEYS["front matter"], front), label="front matter")
    closing = data.draw(st.sampled_from(["---\n", "---\n", "...\n", "--- \n", ""]))
    try:
        with_file(content, ALPHA, "---\n" + new + closing + body)
        builds_or_reports(content)
    finally:
        with_file(content, ALPHA, original)


@pytest.mark.parametrize("name", ["site.yaml", "packages.yaml", "claims.yaml"])
@PROPERTY
@given(data=st.data())
def test_any_settings_catalogue_or_claims_file_builds_or_is_reported(
    site: Path, name: str, data: st.DataObject
) -> None:
    content = site / "content"
    fixture = FIXTURES / "minimal" / name
    original = fixture.read_text("utf-8") if fixture.exists() else ""
    start = original or "rules:\n  - id: my-rule\n    pattern: [cure]\n    reason: R.\n" \
        "    suggestion: S.\n"  # fmt: skip
    new = data.draw(yaml_text(KEYS[name], start), label=name)
    try:
        with_file(content, name, new)
        builds_or_reports(content)
    finally:
        if original:
            with_file(content, name, original)
        else:
            (content / name).unlink()


@settings(max_examples=4, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_the_command_line_exits_0_or_1(tmp_path: Path, data: st.DataObject) -> None:
    """A few examples through the command line: the exit code is 0 or 1, never 3."""
    content = tmp_path / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(FIXTURES / "minimal", content)
    for name in ("site.yaml", "packages.yaml"):
        text = (content / name).read_text("utf-8")
        with_file(content, name, data.draw(yaml_text(KEYS[name], text), label=name))
    front, body = front_matter_of((content / ALPHA).read_text("utf-8"))
    new = data.draw(yaml_text(KEYS["front matter"], front), label="front matter")
    with_file(content, ALPHA, "---\n" + new + "---\n" + body)
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "--no-cache", "--content",
         str(content), "--templates", str(TEMPLATES)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = (result.stdout + result.stderr).splitlines()[:-1]
    if "" in lines:  # the summary table of `check` follows a blank line
        lines = lines[: lines.index("")]
    for line in lines:
        assert FINDING.fullmatch(line), line
