"""The catalogue for any treatment package: each kind's fields, its "Before you decide"
questions, and the side-by-side comparison on /packages/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import build_site

# One package of each kind besides the fixture's cell therapy, with its own fields.
OTHER_KINDS = {
    "medicine course": {
        "medicines": [{"name": "Testamol", "form": "10 mg tablets", "dose": "One a day"}],
        "duration": "Every day, as long as it helps",
        "licence": "Licensed by the MHRA in the UK for this use",
        "alternatives": ["Waiting to see how it goes"],
        "benefits": "In one trial, fewer people lost sight [1].",
    },
    "surgery or procedure": {
        "procedures": [
            {
                "name": "Laser to the drainage channels",
                "anaesthetic": "Eye drops",
                "how_long": "10 minutes",
                "stay": "You go home the same day.",
            }
        ],
        "treated_by": "An eye surgeon",
        "duration_days": 1,
    },
    "rehabilitation": {
        "sessions": [{"what": "Training with magnifiers", "how_many": 6, "length": "an hour"}],
        "duration_days": 42,
    },
    "diagnostic": {
        "tests": [
            {
                "name": "OCT scan",
                "why": "To measure the nerve fibre layer",
                "preparation": "None",
                "results": "The same day",
            }
        ],
        "duration_days": 1,
    },
    "other": {"duration": "One visit"},
}
QUESTIONS = {
    "cell therapy": "Is it part of a registered clinical trial?",
    "medicine course": "How do I take it, and for how long?",
    "surgery or procedure": "What happens, and how long does it take?",
    "rehabilitation": "What happens in the sessions, and how many are there?",
    "diagnostic": "When and how will I get the results?",
    "other": None,  # the questions every kind asks, and none of the others' own
}
BRAN = "What else could I do, and what if I do nothing?"


def slug(kind: str) -> str:
    return kind.split()[0]


def add_kinds(content: Path) -> None:
    catalogue = content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text("utf-8"))
    base = {key: value for key, value in data["packages"][0].items()
            if key not in ("cells", "regulatory_status", "duration_days", "kind")}  # fmt: skip
    for kind, fields in OTHER_KINDS.items():
        data["packages"].append(
            {**base, "id": slug(kind), "name": f"A {kind}", "kind": kind, **fields}
        )
    catalogue.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    add_kinds(content)
    result = build_site(content, tmp_path / "site")
    assert result.ok, "\n".join(map(str, result.findings))
    return tmp_path / "site"


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def questions(site: Path, url: str) -> list[str]:
    section = page(site, url).find("section", class_="before-you-decide")
    return [dt.get_text(" ", strip=True) for dt in section.find_all("dt")]


def facts(site: Path, url: str) -> dict[str, str]:
    section = page(site, url).find(id="contents-title").parent
    terms = section.find_all("dt")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in terms}  # fmt: skip


def test_each_kind_asks_its_own_questions(built: Path):
    for kind, question in QUESTIONS.items():
        url = "packages/test-package/" if kind == "cell therapy" else f"packages/{slug(kind)}/"
        asked = questions(built, url)
        assert question is None or question in asked, (kind, asked)
        others = {q for k, q in QUESTIONS.items() if k != kind}
        assert not others & set(asked), (kind, asked)
        assert (BRAN in asked) == (kind != "cell therapy"), (kind, asked)


def test_a_medicine_course_shows_no_cell_fields_and_answers_from_its_own(built: Path):
    shown = facts(built, "packages/medicine/")
    assert "Cells" not in shown and "How the cells are given" not in shown
    assert shown["Kind"] == "Medicine course"
    assert shown["Medicines"] == "Testamol (10 mg tablets): One a day"
    assert shown["Length"] == "Every day, as long as it helps"
    assert shown["Licence"] == "Licensed by the MHRA in the UK for this use"
    section = page(built, "packages/medicine/").find("section", class_="before-you-decide")
    text = section.get_text(" ", strip=True)
    assert "Waiting to see how it goes" in text and "fewer people lost sight" in text
    assert "None given" not in text  # no trial is no warning for standard care
    cell = facts(built, "packages/test-package/")
    assert cell["Cells"] == "Test cells: 2 units" and "How the cells are given" in cell


def test_the_comparison_lists_every_package_with_its_kind_and_length(built: Path):
    table = BeautifulSoup((built / "packages/index.html").read_text("utf-8"), "html.parser")
    rows = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in table.find("table").tbody.find_all("tr")
    }
    assert rows["Test package"][:1] == ["Cell therapy"] and rows["Test package"][3] == "10 days"
    assert (
        rows["A rehabilitation"][0] == "Rehabilitation" and rows["A rehabilitation"][3] == "42 days"
    )
    assert rows["A diagnostic"][0] == "Diagnostic tests" and rows["A diagnostic"][3] == "1 day"
    assert rows["A medicine course"][6] == "Licensed by the MHRA in the UK for this use"
    assert rows["A other"][6] == "Not stated"


def edit_package(content: Path, index: int, **fields: object) -> None:
    catalogue = content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text("utf-8"))
    data["packages"][index].update(fields)
    catalogue.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def errors(content: Path, tmp_path: Path) -> list[str]:
    """The build's errors, their paths as shown from the content's parent folder."""
    found = build_site(content, tmp_path / "site").errors
    return [str(f).removeprefix(f"{content.parent}/") for f in found]


def test_a_package_without_a_kind_is_an_error(content: Path, tmp_path: Path):
    catalogue = content / "packages.yaml"
    catalogue.write_text(catalogue.read_text("utf-8").replace("    kind: cell therapy\n", ""))
    assert errors(content, tmp_path) == [
        "content/packages.yaml:2:5: packages[1].kind: expected a value (this field is required), "
        "found nothing"
    ]


def test_a_field_of_another_kind_is_an_error_at_its_line(content: Path, tmp_path: Path):
    edit_package(content, 0, kind="medicine course", medicines=[{"name": "M", "dose": "D"}])
    found = errors(content, tmp_path)
    assert len(found) == 1 and "packages[1].cells: expected the fields of a medicine course " \
        "package, found 'cells', which only a cell therapy package has" in found[0]  # fmt: skip
    line = (content / "packages.yaml").read_text("utf-8").splitlines().index("  cells:") + 1
    assert found[0].startswith(f"content/packages.yaml:{line}:3:")


def test_a_kind_must_say_what_is_given_and_how_long(content: Path, tmp_path: Path):
    edit_package(content, 0, kind="rehabilitation", cells=[], duration_days=None)
    found = errors(content, tmp_path)
    assert any("packages[1].sessions: expected the sessions given ({what}) of a rehabilitation "
               "package, found none" in f for f in found), found  # fmt: skip
    assert any("packages[1].duration_days: expected how long the package lasts" in f
               for f in found), found  # fmt: skip


def test_unknown_kind_suggests_the_nearest(content: Path, tmp_path: Path):
    edit_package(content, 0, kind="cell therapies")
    found = errors(content, tmp_path)
    assert len(found) == 1 and "(did you mean 'cell therapy'?), found 'cell therapies'" in found[0]
