"""`new condition|page|package`: the right file, every field, never an overwrite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import build_site, run_cli
from sitegen.scaffold import (
    DEFAULT_SECTIONS,
    ScaffoldError,
    append_package,
    new_document,
    new_package,
    slugify,
)

TODAY = date(2026, 11, 25)


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text().split("---\n")[1])


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Optic neuritis", "optic-neuritis"),
        ("Travel advice", "travel-advice"),
        ("Leber's hereditary optic neuropathy (LHON)", "leber-s-hereditary-optic-neuropathy-lhon"),
        ("Névrite optique", "nevrite-optique"),
        ("  Glaucoma -- 2nd opinion  ", "glaucoma-2nd-opinion"),
    ],
)
def test_titles_become_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_new_condition_has_every_field_and_the_required_sections(content: Path) -> None:
    path = new_document("condition", "Optic neuritis", content, TODAY)
    assert path == content / "conditions/optic-neuritis.md"
    meta = front_matter(path)
    assert meta["title"] == "Optic neuritis"
    assert meta["last_reviewed"] == TODAY
    assert meta["next_review"] == date(2027, 11, 25)  # the fixture's 12-month interval
    assert meta["sources"] == []
    for field in ("summary", "evidence", "reviewed_by", "also_known_as"):
        assert field in meta
    headings = [line[3:] for line in path.read_text().splitlines() if line.startswith("## ")]
    assert headings == DEFAULT_SECTIONS  # the minimal site.yaml requires none of its own


def test_the_sections_come_from_site_yaml_when_it_names_them(content: Path) -> None:
    config = content / "site.yaml"
    config.write_text(config.read_text() + "required_sections: [Overview, Living with it]\n")
    path = new_document("condition", "Optic neuritis", content, TODAY)
    text = path.read_text()
    assert "## Overview\n" in text and "## Living with it\n" in text
    assert "## Causes" not in text


def test_the_build_names_what_is_left_to_fill_and_passes_once_it_is(
    content: Path, tmp_path: Path
) -> None:
    path = new_document("condition", "Optic neuritis", content, TODAY)
    result = build_site(content, tmp_path / "site")
    missing = {f.field for f in result.errors if f.path.endswith("optic-neuritis.md")}
    # every problem at once: the empty fields, the missing sources, the empty page
    assert missing == {"summary", "evidence", "reviewed_by", "sources", "text"}
    text = path.read_text()
    text = text.replace("summary: ", "summary: Inflammation of the optic nerve.", 1)
    text = text.replace("evidence: ", "evidence: established", 1)
    text = text.replace("reviewed_by: ", "reviewed_by: Editorial team", 1)
    text = text.replace("## Symptoms\n", "## Symptoms\n\nBlurred sight in one eye.\n", 1)
    source = "\n  - {title: Optic neuritis, publisher: NHS, url: 'https://www.nhs.uk/'}"
    path.write_text(text.replace("sources: []", "sources:" + source, 1))
    result = build_site(content, tmp_path / "site")
    assert result.ok, [str(f) for f in result.errors]
    assert (tmp_path / "site/conditions/optic-neuritis/index.html").is_file()


def test_a_new_page(content: Path) -> None:
    path = new_document("page", "Travel advice", content, TODAY)
    assert path == content / "pages/travel-advice.md"
    meta = front_matter(path)
    assert meta["title"] == "Travel advice" and meta["sources"] == []
    assert meta["last_reviewed"] == TODAY and meta["next_review"] == date(2027, 11, 25)


def test_titles_that_need_quotes_in_yaml_keep_them(content: Path) -> None:
    path = new_document("page", "Costs: what to expect", content, TODAY)
    assert front_matter(path)["title"] == "Costs: what to expect"


def test_an_existing_file_is_never_overwritten(content: Path) -> None:
    alpha = content / "conditions/alpha.md"
    before = alpha.read_text()
    with pytest.raises(ScaffoldError, match="already exists"):
        new_document("condition", "Alpha", content, TODAY)
    assert alpha.read_text() == before


def test_names_the_site_uses_itself_are_refused(content: Path) -> None:
    with pytest.raises(ScaffoldError, match="uses /packages/ itself"):
        new_document("page", "Packages", content, TODAY)
    with pytest.raises(ScaffoldError, match="--slug"):
        new_document("page", "???", content, TODAY)


def test_a_package_block_is_commented_yaml_with_every_field(content: Path) -> None:
    package_id, block = new_package("Vision rehab: 5 days", content, TODAY)
    assert package_id == "vision-rehab-5-days"
    entry = yaml.safe_load("packages:\n" + block)["packages"][0]
    assert entry["id"] == package_id and entry["name"] == "Vision rehab: 5 days"
    assert entry["known_risks"] == [] and entry["sources"] == []
    assert entry["last_reviewed"] == TODAY
    assert "# price:" in block


def test_appending_a_package_adds_it_to_the_catalogue(content: Path) -> None:
    catalogue = content / "packages.yaml"
    before = catalogue.read_text()
    package_id, block = new_package("Vision rehab", content, TODAY)
    append_package(block, package_id, content)
    assert catalogue.read_text().startswith(before)
    ids = [p["id"] for p in yaml.safe_load(catalogue.read_text())["packages"]]
    assert ids == ["test-package", "vision-rehab"]
    with pytest.raises(ScaffoldError, match="already has a package 'vision-rehab'"):
        append_package(block, package_id, content)


def test_appending_to_a_catalogue_it_cannot_join_is_refused(content: Path) -> None:
    catalogue = content / "packages.yaml"
    catalogue.write_text("packages: []\n")
    package_id, block = new_package("Vision rehab", content, TODAY)
    with pytest.raises(ScaffoldError, match="paste it in by hand"):
        append_package(block, package_id, content)
    assert catalogue.read_text() == "packages: []\n"


def test_the_commands(content: Path, tmp_path: Path) -> None:
    made = run_cli("new", "condition", "Optic neuritis", "--content", str(content))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith("conditions/optic-neuritis.md")
    again = run_cli("new", "condition", "Optic neuritis", "--content", str(content))
    assert again.returncode == 2 and "already exists" in again.stderr
    printed = run_cli("new", "package", "Vision rehab", "--content", str(content))
    assert printed.returncode == 0 and printed.stdout.startswith("  - id: vision-rehab\n")
    appended = run_cli("new", "package", "Vision rehab", "--append", "--content", str(content))
    assert appended.returncode == 0 and appended.stdout.strip().endswith("packages.yaml")
    wrong = run_cli("new", "page", "X", "--append", "--content", str(content))
    assert wrong.returncode == 2
