"""Known risks are read too: a risk that is played down is a finding."""

from __future__ import annotations

import pytest

from sitegen.models import Package
from sitegen.quality import MINIMISING, check_package

PLAYED_DOWN = [
    "Side effects are rare and mild.",
    "Minimal discomfort at the injection site.",
    "None in over 20,000 cases.",
    "None in thousands of treatments",
    "Complications are virtually unheard of.",
    "Only minor bruising.",
    "Risk of infection is negligible.",
    "Almost no risk when done by our team.",
    "No serious side effects have been seen.",
    "No reported complications in our patients so far.",
    "Not a single infection in ten years.",
]
HONEST = [
    "Infection, in about 1 in 1,000 injections; it can cause loss of sight.",
    "Bleeding behind the eye: rare, but it can be severe.",
    "Headache after lumbar puncture, in about a third of people.",
    "Loss of sight in rare cases.",
    "Fever for a short time has been linked to this in clinical trials.",
    "Unknown long-term effects: no long-term results have been published.",
    "Minor bleeding under the skin is common and fades within two weeks; serious bleeding is rare.",
]


@pytest.mark.parametrize("risk", PLAYED_DOWN)
def test_a_risk_played_down_is_a_finding(risk: str):
    package = Package(id="p", name="P", kind="other", conditions=["c"], evidence="e", duration_days=1,
                      known_risks=["Infection", risk], last_reviewed="2026-01-01",
                      sources=[{"title": "S", "url": "https://example.org/s"}])  # fmt: skip
    found = check_package(package, 0, None, "content/packages.yaml")
    assert [f.field for f in found] == ["packages[1].known_risks[2]"]
    assert "played down" in found[0].message and found[0].is_error


@pytest.mark.parametrize("risk", HONEST)
def test_a_risk_stated_plainly_is_not(risk: str):
    assert MINIMISING.search(risk) is None
