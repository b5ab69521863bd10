"""Every kind of bad input gives its one exact line, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import TEMPLATES, build_site, run_cli, snapshot


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(content: Path) -> None:
        path = content / relative
        text = path.read_text("utf-8")
        assert old in text, f"fixture changed: {old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return apply


def rename(relative: str, new_name: str) -> Callable[[Path], None]:
    def apply(content: Path) -> None:
        path = content / relative
        path.rename(path.with_name(new_name))

    return apply


def not_utf8(content: Path) -> None:
    path = content / "conditions" / "beta.md"
    path.write_bytes(path.read_bytes().replace(b"another", b"anoth\xe9r"))


def duplicate_package(content: Path) -> None:
    path = content / "packages.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + text.split("packages:\n", 1)[1], "utf-8")


ALPHA = "content/conditions/alpha.md"
CASES = {
    "yaml syntax error": (
        edit("conditions/alpha.md", "evidence: established", "evidence: [established"),
        f"{ALPHA}:5:11: yaml: expected a ']' closing the list that starts here (and ', ' "
        "between its items), found none",
    ),
    "yaml syntax error in site.yaml": (
        edit("site.yaml", "language: en", "language: en: gb"),
        "content/site.yaml:3:13: yaml: expected the value in quotes, as it holds ': ' (write "
        'language: "en: gb"), found it without',
    ),
    "missing front matter": (
        edit("conditions/alpha.md", "---\ntitle: Alpha condition\n", "title: Alpha condition\n"),
        f"{ALPHA}:1:1: front matter: expected a first line '---' opening the front matter, "
        "found 'title: Alpha condition'",
    ),
    "unclosed front matter": (
        edit("conditions/alpha.md", "---\n## Symptoms", "## Symptoms"),
        f"{ALPHA}:1:1: front matter: expected a '---' line closing the front matter opened "
        "here, found the end of the file",
    ),
    "missing required field": (
        edit("conditions/alpha.md", "summary: Alpha is a test condition.\n", ""),
        f"{ALPHA}:2:1: summary: expected a value (this field is required), found nothing",
    ),
    "wrong type (text for a number)": (
        edit("packages.yaml", "duration_days: 10", "duration_days: ten"),
        "content/packages.yaml:13:20: packages[1].duration_days: expected a whole number, "
        "found 'ten'",
    ),
    "wrong type (number for a list)": (
        edit(
            "conditions/alpha.md", "also_known_as: [First condition, A-itis]", "also_known_as: 12"
        ),
        f"{ALPHA}:4:16: also_known_as: expected a list (one '- ' item per line), found a "
        "number (12)",
    ),
    "impossible date": (
        edit("conditions/alpha.md", "last_reviewed: 2026-01-15", "last_reviewed: 2026-13-15"),
        f"{ALPHA}:6:16: last_reviewed: expected a date whose month is from 01 to 12 "
        "(YYYY-MM-DD), found '2026-13-15'",
    ),
    "unknown source type, with a suggestion": (
        edit("conditions/alpha.md", "    year: 2024\n", "    year: 2024\n    type: case reprot\n"),
        f"{ALPHA}:13:11: sources[1].type: expected one of: 'systematic review', 'randomised "
        "trial', 'cohort study', 'guideline', 'regulator', 'professional body', 'patient "
        "information', 'narrative review', 'trial registration', 'case series', 'case report', "
        "'conference abstract', 'news', 'marketing' or 'other' (did you mean 'case report'?), "
        "found 'case reprot'",
    ),
    "unknown field, misspelt": (
        edit("conditions/alpha.md", "summary:", "sumary:"),
        f"{ALPHA}:3:1: sumary: expected the field 'summary', found an unknown field 'sumary'",
    ),
    "unknown field": (
        edit("conditions/alpha.md", "reviewed_by:", "author: Someone\nreviewed_by:"),
        f"{ALPHA}:8:1: author: expected one of the known fields: title, summary, "
        "also_known_as, evidence, evidence_for, last_reviewed, next_review, reviewed_by, "
        "clinical_review, sources, draft, publish_on, expires_on, owner, approved_by, "
        "approved_on, aliases, found an unknown field 'author'",
    ),
    "unknown field in a package, with a suggestion": (
        edit("packages.yaml", "duration_days: 10", "duration_days: 10\n    known_risk: [x]"),
        "content/packages.yaml:14:5: packages[1].known_risk: expected one of the known "
        "fields: id, name, kind, summary, conditions, evidence, cells, "
        "product_specification, product_testing, medicines, procedures, sessions, tests, "
        "administration, adjuvant_therapies, schedule, duration_days, duration, includes, "
        "country, clinic, provider, treated_by, eyes_treated, regulator, licence, "
        "regulatory_status, trial_registration, benefits, known_risks, alternatives, price, "
        "price_excludes, follow_up, report_side_effects, sources, last_reviewed, "
        "sold_by_publisher, translations, draft, publish_on, expires_on, owner, approved_by, "
        "approved_on, aliases "
        "(did you mean 'known_risks'?), found an unknown field 'known_risk'",
    ),
    "unknown evidence level": (
        edit("conditions/alpha.md", "evidence: established", "evidence: establish"),
        f"{ALPHA}:5:11: evidence: expected one of the evidence levels defined in site.yaml "
        "(established, investigational) (did you mean 'established'?), found 'establish'",
    ),
    "package naming a condition that does not exist": (
        edit("packages.yaml", "conditions: [beta]", "conditions: [betta]"),
        "content/packages.yaml:5:18: packages[1].conditions[1]: expected the name of a "
        "condition file in content/conditions/ (alpha, beta) (did you mean 'beta'?), found "
        "'betta'",
    ),
    "duplicate package id": (
        duplicate_package,
        "content/packages.yaml:25:9: packages[2].id: expected a unique package id, found "
        "'test-package' again (first used on line 2)",
    ),
    "duplicate evidence level id": (
        edit("site.yaml", "  - id: investigational", "  - id: established"),
        "content/site.yaml:23:9: evidence_levels[2].id: expected a unique evidence level "
        "id, found 'established' again",
    ),
    "duplicate field": (
        edit("conditions/alpha.md", "reviewed_by: Test reviewer", "reviewed_by: A\nreviewed_by: B"),
        f"{ALPHA}:9:1: reviewed_by: expected each field once, found 'reviewed_by' a second time",
    ),
    "invalid slug": (
        rename("conditions/alpha.md", "Alpha_One.md"),
        "content/conditions/Alpha_One.md:1:1: slug: expected lower-case letters, digits and "
        "single hyphens (like 'optic-nerve-damage') in the file name, found 'Alpha_One'",
    ),
    "page slug the site uses itself": (
        rename("pages/about.md", "packages.md"),
        "content/pages/packages.md:1:1: slug: expected a page name the site does not use "
        "itself (404, conditions, images, packages, pagefind, search, static), found 'packages'",
    ),
    "file that is not UTF-8": (
        not_utf8,
        "content/conditions/beta.md:3:23: encoding: expected UTF-8 text, found the byte 0xE9, "
        "which is not UTF-8 (save the file with UTF-8 encoding)",
    ),
    "internal link to a page that does not exist": (
        edit("conditions/alpha.md", "(beta.md#causes)", "(gamma.md)"),
        f"{ALPHA}:17:45: link: expected a link to a page or file of this site, found 'gamma.md'",
    ),
    "site path that does not exist": (
        edit("conditions/beta.md", "(/packages/)", "(/treatments/)"),
        "content/conditions/beta.md:13:37: link: expected a link to a page or file of this "
        "site, found '/treatments/'",
    ),
    "image with no alt text": (
        edit("conditions/alpha.md", "![A small dot]", "![]"),
        f"{ALPHA}:20:5: image: expected alt text describing the image, found none for "
        "'../images/dot.svg'",
    ),
    "image file that is missing": (
        edit("conditions/alpha.md", "dot.svg", "dott.svg"),
        f"{ALPHA}:20:16: image: expected an image file in content/images/, found no file at "
        "'content/images/dott.svg'",
    ),
    "image from another site": (
        edit("conditions/alpha.md", "../images/dot.svg", "https://cdn.example/dot.svg"),
        f"{ALPHA}:20:16: image: expected an image stored in content/images/ (pages load "
        "nothing from other sites), found 'https://cdn.example/dot.svg'",
    ),
    "package without known risks": (
        edit("packages.yaml", "known_risks: [Headache, Infection]", "known_risks: []"),
        "content/packages.yaml:15:18: packages[1].known_risks: expected at least 1 item, found "
        "an empty list",
    ),
    "navigation to a page that does not exist": (
        edit("site.yaml", "url: /about/", "url: /abuot/"),
        "content/site.yaml:10:25: navigation[4].url: expected a page of this site such as "
        "/conditions/ (did you mean '/about/'?), found '/abuot/'",
    ),
    "base_url that is not absolute": (
        edit("site.yaml", "https://example.test/sub/", "example.test"),
        "content/site.yaml:2:11: base_url: expected an absolute http:// or https:// address, "
        "found 'example.test'",
    ),
    "source with a bad url": (
        edit("conditions/alpha.md", "url: https://example.org/alpha-review", "url: example.org"),
        f"{ALPHA}:13:10: sources[1].url: expected an absolute http:// or https:// address, "
        "found 'example.org'",
    ),
    "no site.yaml": (
        lambda content: (content / "site.yaml").unlink(),
        "content/site.yaml:1:1: site.yaml: expected the site settings file (title, base_url, "
        "disclaimer, ...), found none",
    ),
    "no evidence page": (
        lambda content: (content / "pages" / "how-we-rate-evidence.md").unlink(),
        "content/site.yaml:19:1: evidence_levels: expected a page "
        "content/pages/how-we-rate-evidence.md that explains the evidence levels (badges link "
        "to it), found none",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gives_its_exact_line(case: str, content: Path, monkeypatch):
    change, expected = CASES[case]
    change(content)
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"), TEMPLATES)
    assert expected in [str(f) for f in result.errors]
    assert not result.written
    assert not (content.parent / "site").exists()


def test_all_problems_are_reported_at_once(content: Path, monkeypatch):
    for case in (
        "missing required field",
        "unknown evidence level",
        "duplicate package id",
        "image with no alt text",
        "file that is not UTF-8",
        "base_url that is not absolute",
    ):
        CASES[case][0](content)
    monkeypatch.chdir(content.parent)
    result = build_site(Path("content"), Path("site"))
    lines = [str(f) for f in result.errors]
    for case in (
        "missing required field",
        "duplicate package id",
        "file that is not UTF-8",
        "base_url that is not absolute",
    ):
        assert CASES[case][1] in lines
    assert len(lines) >= 4


def test_cli_reports_bad_input_without_traceback(content: Path):
    args = ("build", "--content", "content", "--out", "site", "--templates", str(TEMPLATES))
    assert run_cli(*args, cwd=content.parent).returncode == 0  # the previous site
    for case in ("yaml syntax error", "duplicate package id", "file that is not UTF-8"):
        CASES[case][0](content)
    before = snapshot(content.parent / "site")
    result = run_cli(*args, cwd=content.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    for case in ("yaml syntax error", "duplicate package id", "file that is not UTF-8"):
        assert CASES[case][1] in lines
    assert lines[-1] == "Build failed: 3 errors; site/ was left as it was."
    assert snapshot(content.parent / "site") == before


def test_raw_html_is_sanitised_with_a_warning(content: Path, tmp_path: Path, monkeypatch):
    edit(
        "conditions/beta.md",
        "Beta has causes.",
        'Beta has causes.\n\n<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a></p>\n'
        '<script>alert(1)</script>\n<iframe src="https://evil.example/"></iframe>',
    )(content)
    monkeypatch.chdir(tmp_path)
    result = build_site(Path("content"), Path("site"))
    assert result.ok and result.written
    warnings = [str(f) for f in result.warnings]
    beta = "content/conditions/beta.md"
    assert (
        f"{beta}:15:1: warning: html: expected safe HTML, found the event handler 'onclick' on <p>; it was removed"
        in warnings
    )
    assert (
        f"{beta}:15:25: warning: html: expected a safe address, found 'javascript:alert(1)' in <a href>; it was removed"
        in warnings
    )
    assert (
        f"{beta}:16:1: warning: html: expected safe HTML, found <script>; it was removed"
        in warnings
    )
    assert (
        f"{beta}:17:1: warning: html: expected safe HTML, found <iframe>; it was removed"
        in warnings
    )
    html = (tmp_path / "site" / "conditions" / "beta" / "index.html").read_text("utf-8")
    for banned in ("<script>", "alert(", "onclick", "javascript:", "<iframe", "evil.example"):
        assert banned not in html
    assert "Hi " in html


def test_strict_turns_warnings_into_errors(content: Path, tmp_path: Path, monkeypatch):
    edit("conditions/beta.md", "Beta has causes.", "Beta has causes.\n\n# A second title")(content)
    monkeypatch.chdir(tmp_path)
    assert build_site(Path("content"), Path("site")).ok
    strict = build_site(Path("content"), Path("site2"), strict=True)
    assert not strict.ok and not (tmp_path / "site2").exists()
    assert [f.field for f in strict.errors] == ["heading"]
