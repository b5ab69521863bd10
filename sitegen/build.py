"""The whole pipeline in one function: load -> validate -> render -> check -> write.

The command line, the tests and (later) the server all call `build()`;
nothing else strings the stages together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .check import check_output
from .claims import lint, load_rules
from .findings import Finding, Severity, has_errors, sort_findings
from .load import load_content
from .quality import check_quality
from .render import RenderedPage, render
from .validate import validate
from .write import write_site


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path = Path("templates")
    strict: bool = False
    write: bool = True
    today: date | None = None  # for review dates; today's date unless a test fixes it


@dataclass
class BuildResult:
    pages: list[RenderedPage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.NOTE]

    @property
    def ok(self) -> bool:
        return not self.errors


def strictly(findings: list[Finding]) -> list[Finding]:
    """With --strict, every warning counts as an error."""
    return [
        Finding(f.path, f.line, f.col, f.field, f.message, Severity.ERROR)
        if f.severity is Severity.WARNING
        else f
        for f in findings
    ]


def build(options: BuildOptions) -> BuildResult:
    result = BuildResult()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[stage] = now - clock
        clock = now

    loaded = load_content(options.content)
    findings = list(loaded.findings)
    lap("load")
    site, found = validate(loaded)
    findings += found
    today = options.today or date.today()
    if site is not None:
        findings += check_quality(site, loaded, today)
    rules, found = load_rules(options.content)
    readable = [loaded.site, loaded.catalogue, *loaded.documents]
    findings += found + lint([doc for doc in readable if doc is not None], rules)
    lap("validate")
    if site is not None:
        rendered = render(site, options.templates, today)
        findings += rendered.findings
        lap("render")
        findings += check_output(
            rendered.pages,
            list(rendered.files),
            rendered.disclaimer_html,
            site.evidence,
            options.templates,
            check_links=not has_errors(findings),
        )
        lap("check")
        result.pages = rendered.pages
    if options.strict:
        findings = strictly(findings)
    result.findings = sort_findings(findings)
    if site is not None and not has_errors(result.findings) and options.write:
        write_site(result.pages, rendered.files, options.out)
        result.written = True
        lap("write")
    return result
