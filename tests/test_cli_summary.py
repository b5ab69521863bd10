"""`check` ends with a summary table: rule, count, example."""

from __future__ import annotations

from sitegen.cli import summary_table
from sitegen.findings import Finding, Severity


def test_the_summary_counts_errors_and_warnings_by_rule_most_first():
    findings = [
        Finding("a.md", 3, 1, "absolute-efficacy", '"cures": A claim… Suggest: …'),
        Finding(
            "a.md", 9, 1, "absolute-efficacy", '"cures": see 3:1 for the reason and a suggestion'
        ),
        Finding("b.md", 2, 5, "absolute-efficacy", '"miracle": A claim… Suggest: …'),
        Finding("p.yaml", 4, 7, "packages[2].known_risks[1]", "expected a real risk, found 'None'"),
        Finding("p.yaml", 9, 7, "packages[3].known_risks[1]", "expected a real risk, found 'Nil'"),
        Finding("c.md", 1, 1, "reading-grade", "grade 5.1", Severity.NOTE),
        Finding("c.md", 1, 1, "review", "expected a review by 2026-01-01", Severity.WARNING),
    ]
    assert summary_table(findings).splitlines() == [
        "rule                  count  example",
        'absolute-efficacy         3  a.md:3: "cures"',
        "packages.known_risks      2  p.yaml:4: expected a real risk, found 'None'",
        "review                    1  c.md:1: expected a review by 2026-01-01",
    ]


def test_no_summary_without_errors_or_warnings():
    assert summary_table([Finding("c.md", 1, 1, "reading-grade", "grade 5", Severity.NOTE)]) == ""
