"""Problems found in content or output, kept as values and reported together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any

# What would split a finding's line or change how it shows in a terminal or log:
# control characters (C0, DEL, C1), Unicode's line and paragraph separators, and
# the marks that reorder text (bidirectional overrides and isolates).
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """`text` with each character `HIDDEN` names written as its escape (`\\n`, `\\x1b`,
    `\\u2028`), so that a file named with a newline cannot split a finding in two."""
    if HIDDEN.search(text) is None:
        return text
    return HIDDEN.sub(lambda match: match[0].encode("unicode_escape").decode("ascii"), text)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # shown in reports, never fails a build (e.g. an allowed claim)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located in a file: `path:line:col: field: message`.

    `message` says what was expected and what was found. Lines and columns
    count from 1, as editors show them.
    """

    path: str
    line: int
    col: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        path, field, message = one_line(self.path), one_line(self.field), one_line(self.message)
        return f"{path}:{self.line}:{self.col}: {prefix}{field}: {message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: str, line: int, col: int, field: str, message: str) -> Finding:
    return Finding(path, line, col, field, message, Severity.ERROR)


def warning(path: str, line: int, col: int, field: str, message: str) -> Finding:
    return Finding(path, line, col, field, message, Severity.WARNING)


def note(path: str, line: int, col: int, field: str, message: str) -> Finding:
    return Finding(path, line, col, field, message, Severity.NOTE)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


# A finding's fields in order, as a plain tuple: hashed and compared in C, not by the
# dataclass's own methods in Python (a big site's findings are sorted every build).
FIELDS = attrgetter("path", "line", "col", "field", "message", "severity")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Sorted by file, then position (the dataclass's order), with duplicates removed."""
    unique = {FIELDS(finding): finding for finding in findings}
    return [unique[key] for key in sorted(unique)]


def describe(value: object) -> str:
    """A plain description of a found value, for messages like `found text 'abc'`."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({'true' if value else 'false'})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        if not value.strip():
            return "empty text"
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    name = type(value).__name__
    if name in ("date", "datetime"):
        return f"a date ({value})"
    return f"a {name}"


def findings_data(findings: list[Finding]) -> list[list[Any]]:
    """Findings as plain data (JSON) for the store: one list of fields each."""
    return [[f.path, f.line, f.col, f.field, f.message, f.severity.value] for f in findings]


SEVERITIES = {severity.value: severity for severity in Severity}  # faster than Severity(v)


def findings_from(data: list[list[Any]]) -> list[Finding]:
    return [
        Finding(p, line, col, fld, message, SEVERITIES[sev])
        for p, line, col, fld, message, sev in data
    ]
