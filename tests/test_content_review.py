"""What makes a medical editor's review repeatable: sources opened since the last
review, a clinician's review shown (and required when a site says so), and a
package sold by the site's own publisher saying what its seller has not published."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import TEMPLATES
from sitegen.build import BuildOptions, BuildResult, build

TODAY = date(2026, 11, 25)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def built(content: Path, write: bool = True) -> BuildResult:
    return build(
        BuildOptions(
            content=content,
            out=content.parent / "site",
            templates=TEMPLATES,
            write=write,
            today=TODAY,
        )
    )


def reported(result: BuildResult, content: Path) -> list[str]:
    """Findings as `check` prints them, notes included, paths relative to the content's parent."""
    return [str(f).split(f"{content.parent}/", 1)[-1] for f in result.findings]


def page_text(content: Path, url: str) -> str:
    html = (content.parent / "site" / url / "index.html").read_text("utf-8")
    text = BeautifulSoup(html, "html.parser").find("main").get_text(" ", strip=True)
    return text.replace(" .", ".")


def sold_by_publisher_without_price(content: Path) -> None:
    """The minimal fixture's package, sold by the publisher, with its price left out."""
    edit(
        content / "packages.yaml",
        "    price: {amount: 1000, currency: EUR}\n",
        "    sold_by_publisher: true\n",
    )


# A package sold by the site's own publisher


def test_a_publisher_package_without_price_schedule_or_country_gets_notes(content: Path):
    sold_by_publisher_without_price(content)
    result = built(content, write=False)
    assert result.ok
    found = reported(result, content)
    where = "content/packages.yaml:16:24: note:"
    assert (
        f"{where} packages[1].price: expected the site's publisher, who sells this package "
        "(sold_by_publisher), to state its price, found nothing (the page says it has not "
        "been published)"
    ) in found
    assert any(
        f.startswith(f"{where} packages[1].schedule:") and "to state a day-by-day schedule" in f
        for f in found
    )
    assert any(
        f.startswith(f"{where} packages[1].country:") and "to state the country where" in f
        for f in found
    )
    gaps = {f.split(": ")[2] for f in found if f.startswith(where)}
    assert gaps == {
        f"packages[1].{name}"
        for name in (
            "price",
            "schedule",
            "eyes_treated",
            "treated_by",
            "country",
            "clinic",
            "regulator",
            "product_specification",
            "product_testing",
            "follow_up",
        )
    }


def test_the_gaps_are_errors_when_site_yaml_raises_them(content: Path):
    sold_by_publisher_without_price(content)
    edit(content / "site.yaml", "publisher:", "publisher_package_gaps: error\npublisher:")
    result = built(content, write=False)
    assert not result.ok
    errors = [str(f).split(f"{content.parent}/", 1)[-1] for f in result.errors]
    assert len(errors) == 10
    assert any(f.startswith("content/packages.yaml:16:24: packages[1].price:") for f in errors)


def test_the_package_page_says_plainly_what_its_seller_has_not_published(content: Path):
    sold_by_publisher_without_price(content)
    assert built(content).ok
    text = page_text(content, "packages/test-package")
    assert "The publisher of this site sells this package and has not published its price." in text
    assert "has not published a day-by-day schedule" in text
    assert "has not published the country where it is given" in text
    assert "has not published the follow-up after treatment" in text
    assert "What the seller has not published" in text


def test_a_publisher_package_that_states_everything_has_no_gaps(content: Path):
    edit(
        content / "packages.yaml",
        "    last_reviewed: 2026-03-01\n",
        "    last_reviewed: 2026-03-01\n"
        "    sold_by_publisher: true\n"
        "    follow_up: A visit after 3 months.\n"
        "    schedule: [{day: 1, what: Assessment}, {day: 2, what: Injection}]\n"
        "    eyes_treated: One eye only\n"
        "    treated_by: A named ophthalmologist\n"
        "    country: Testland\n"
        "    clinic: Test Clinic\n"
        "    regulator: Testland Medicines Agency\n"
        "    product_specification: Cells per unit, source and passage stated.\n"
        "    product_testing: Sterility and identity tests on each batch.\n",
    )
    result = built(content)
    assert result.ok
    assert [f for f in result.findings if "packages.yaml" in f.path] == []
    text = page_text(content, "packages/test-package")
    assert "has not published" not in text
    assert "Day 2: Injection" in text and "Testland Medicines Agency" in text


def test_a_package_sold_by_someone_else_is_not_asked_the_publishers_questions(content: Path):
    edit(content / "packages.yaml", "    price: {amount: 1000, currency: EUR}\n", "")
    result = built(content)
    assert [f for f in result.findings if "packages.yaml" in f.path] == []
    text = page_text(content, "packages/test-package")
    assert "has not published" not in text and "Country Not stated." in text


# Sources opened before the page's last review


def test_a_source_opened_before_the_last_review_is_warned(content: Path):
    edit(
        content / "conditions" / "alpha.md",
        "    url: https://example.org/alpha-review\n",
        "    url: https://example.org/alpha-review\n    accessed: 2025-12-01\n",
    )
    assert reported(built(content, write=False), content) == [
        "content/conditions/alpha.md:14:15: warning: sources[1].accessed: expected the source "
        "to have been opened on or after the last review (2026-01-15), found 2025-12-01 "
        "(check that 'A review of alpha' still says what the page cites it for, then update "
        "the date)"
    ]


def test_a_source_opened_on_or_after_the_last_review_passes(content: Path):
    edit(
        content / "conditions" / "alpha.md",
        "    url: https://example.org/alpha-review\n",
        "    url: https://example.org/alpha-review\n    accessed: 2026-01-15\n",
    )
    assert reported(built(content, write=False), content) == []


def test_a_package_source_opened_before_its_review_is_warned(content: Path):
    edit(
        content / "packages.yaml",
        '{title: Package source, url: "https://example.org/package"}',
        '{title: Package source, url: "https://example.org/package", accessed: 2026-02-28}',
    )
    found = reported(built(content, write=False), content)
    assert len(found) == 1
    assert found[0].startswith("content/packages.yaml:")
    assert ": warning: packages[1].sources[1].accessed: expected the source" in found[0]
    assert "(2026-03-01), found 2026-02-28" in found[0]


# A clinician's review


def test_a_clinical_review_is_shown_on_the_page(content: Path):
    edit(
        content / "conditions" / "alpha.md",
        "reviewed_by: Test reviewer\n",
        "reviewed_by: Test reviewer\n"
        "clinical_review: {by: Dr A Example, role: Consultant ophthalmologist, date: 2026-01-20}\n",
    )
    assert built(content).ok
    text = page_text(content, "conditions/alpha")
    assert (
        "Clinically reviewed by Dr A Example (Consultant ophthalmologist) on 20 January 2026."
        in text
    )
    assert "No clinician has reviewed this page." in page_text(content, "conditions/beta")


def test_site_yaml_can_require_a_clinical_review(content: Path):
    edit(content / "site.yaml", "publisher:", "require_clinical_review: true\npublisher:")
    result = built(content, write=False)
    assert not result.ok
    message = (
        "clinical_review: expected a clinical review ({by, role, date}), as site.yaml "
        "requires (require_clinical_review: true), found none"
    )
    errors = [str(f).split(f"{content.parent}/", 1)[-1] for f in result.errors]
    # every condition; of the other pages, only those citing sources (none in the fixture)
    assert errors == [
        f"content/conditions/alpha.md:2:1: {message}",
        f"content/conditions/beta.md:2:1: {message}",
    ]


def test_a_required_clinical_review_that_is_given_passes(content: Path):
    edit(content / "site.yaml", "publisher:", "require_clinical_review: true\npublisher:")
    for name in ("alpha", "beta"):
        edit(
            content / "conditions" / f"{name}.md",
            "reviewed_by: Test reviewer\n",
            "reviewed_by: Test reviewer\n"
            "clinical_review: {by: Dr B, role: Neuro-ophthalmologist, date: 2026-02-02}\n",
        )
    assert built(content, write=False).ok
