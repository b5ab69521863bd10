"""The claims linter against corpora written for it (tests/claims_corpus/).

Batch A (misleading.txt, honest.txt, pages/) was written before the linter was
rewritten and tuned on; batch B (heldout-*) was written after, measured before
any change (docs/performance.md gives both figures) and then added here. Every
misleading sentence must get an error; no honest sentence or page may.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from sitegen.claims import CitedSource, Text, lint, lint_text, load_rules
from sitegen.findings import Severity
from sitegen.load import load_content

CORPUS = Path(__file__).parent / "claims_corpus"
RULES, _ = load_rules(Path("/nonexistent"))
SOURCES = tuple(map(CitedSource.of, yaml.safe_load((CORPUS / "sources.yaml").read_text("utf-8"))))


def sentences(name: str) -> list[tuple[str, str]]:
    """(register, sentence) for each line of a corpus file."""
    found, register = [], ""
    for line in (CORPUS / name).read_text("utf-8").splitlines():
        if line.startswith("# register:"):
            register = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            found.append((register, line.strip()))
    return found


MISLEADING = sentences("misleading.txt") + sentences("heldout-misleading.txt")
HONEST = sentences("honest.txt") + sentences("heldout-honest.txt")
PAGES = sorted((CORPUS / "pages").glob("*.md")) + sorted((CORPUS / "heldout-pages").glob("*.md"))


def errors(sentence: str) -> list[str]:
    found = lint_text(Text(sentence, "corpus", 1, 1, {}, SOURCES), RULES)
    return [f"{f.field}: {f.message[:90]}" for f in found if f.severity is Severity.ERROR]


def body_words(page: Path) -> int:
    body = page.read_text("utf-8").split("---", 2)[2]
    return len(re.findall(r"[A-Za-z][\w'-]*", body))


def test_the_corpora_are_big_and_varied():
    assert len(MISLEADING) >= 200 and len(HONEST) >= 200
    registers = {register for register, _ in MISLEADING + HONEST}
    assert {"clinic brochure", "testimonial", "news", "charity leaflet", "NHS-style page",
            "research summary", "forum post"} <= registers  # fmt: skip
    assert len(PAGES) >= 10 and all(body_words(page) >= 800 for page in PAGES)
    assert len(set(MISLEADING)) == len(MISLEADING) and len(set(HONEST)) == len(HONEST)


@pytest.mark.parametrize(("register", "sentence"), MISLEADING)
def test_every_misleading_sentence_gets_an_error(register: str, sentence: str):
    assert errors(sentence), f"{register}: not flagged"


@pytest.mark.parametrize(("register", "sentence"), HONEST)
def test_no_honest_sentence_gets_an_error(register: str, sentence: str):
    assert errors(sentence) == [], register


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_no_honest_page_gets_an_error(page: Path, tmp_path: Path):
    (tmp_path / "pages").mkdir()
    shutil.copy(page, tmp_path / "pages" / page.name)
    loaded = load_content(tmp_path)
    found = [str(f) for f in lint(loaded.documents, RULES) if f.severity is Severity.ERROR]
    assert len(loaded.documents) == 1 and loaded.documents[0].body
    assert found == []


@pytest.mark.parametrize(
    ("register", "sentence"), [("", s) for _, s in sentences("known-limits.txt")]
)
def test_known_limits_are_still_flagged(register: str, sentence: str):
    assert errors(sentence)
