"""The benchmark's synthetic site generator: deterministic, light pages clean under
--strict, real-weight pages as heavy as the sample's and built as the bench builds them."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, build_site
from sitegen.findings import Severity
from sitegen.markdown import SOURCE_MARKER_PATTERN, mask_markdown
from sitegen.models import Package, Source
from sitegen.quality import body_headings

REAL = 20  # real-weight conditions in the build tests: every fifth is above the grade


def load(name: str, path: Path):
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


generate = load("bench_generate", ROOT / "bench" / "generate.py")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_twenty_pages_build_strictly_with_no_findings(tmp_path: Path) -> None:
    content = tmp_path / "content"
    generate.generate(20, content)
    assert len(list((content / "conditions").glob("*.md"))) == 20
    result = build_site(content, tmp_path / "site", strict=True)
    assert [f for f in result.findings if f.severity is not Severity.NOTE] == []
    assert result.written
    grades = [f for f in result.findings if f.field == "reading-grade"]
    assert len(grades) == 20  # every condition is long enough to be graded, and below 9
    html = (tmp_path / "site" / "conditions" / generate.slug_of(0) / "index.html").read_text()
    assert "<table" in html and "<li>" in html and 'class="footnote' in html


def test_real_pages_build_with_the_benchmarks_command(tmp_path: Path) -> None:
    """bench/compare's own sitegen command builds them: exit 0, and the only warnings
    are the reading grades and ages of every fifth condition (which --strict would refuse)."""
    compare = load("bench_compare", ROOT / "bench" / "compare")
    command = compare.sitegen_command(compare.Sitegen(ROOT, Path(sys.executable), "test"))
    assert "--strict" not in command
    folder = tmp_path / "sitegen"
    generate.generate(REAL, folder / "content", weight="real")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if ": warning: " in line]
    every = generate.GRADE_WARNING_EVERY
    slow = {generate.slug_of(n) for n in range(REAL) if n % every == every - 1}
    assert len(slow) == REAL // every
    assert {Path(line.split(":")[0]).stem for line in warnings} == slow
    assert all(
        "reading-grade: expected a reading grade of 7 or below" in w
        or "reading-age: expected a reading age of 14 or below" in w
        for w in warnings
    )
    assert ": error: " not in done.stderr
    built = folder / "site"
    assert len(list((built / "conditions").glob("*/index.html"))) == REAL
    html = (built / "conditions" / generate.slug_of(3) / "index.html").read_text()
    assert html.count('<li id="source-') >= 10
    assert 'href="#source-10"' in html and 'class="footnote' in html
    assert "../../packages/eye-programme-1/index.html" in html
    sold = (built / "packages" / "eye-programme-1" / "index.html").read_text()
    assert sold.count('<li id="source-') >= 10
    assert "What the seller has not published" in sold and "Day 1: Arrival" in sold
    other = (built / "packages" / "eye-programme-2" / "index.html").read_text()
    assert "What the seller has not published" not in other

    strict = build_site(folder / "content", tmp_path / "strict", strict=True)
    assert {f.field for f in strict.errors} == {"reading-grade", "reading-age"}
    assert len([f for f in strict.errors if f.field == "reading-grade"]) == len(slow)
    assert {Path(f.path).stem for f in strict.errors} == slow


def test_real_pages_carry_what_the_sample_does() -> None:
    synthetic = generate.make(40, weight="real")
    assert synthetic.site["reading_grade_target"] == 7  # as the sample's site.yaml
    required = [heading.lower() for heading in synthetic.site["required_sections"]]
    assert "support" in required
    words, source_counts = [], []
    for doc in synthetic.conditions:
        assert set(required) <= set(body_headings(doc.body)), doc.slug
        sources = [Source.model_validate(source) for source in doc.meta["sources"]]
        assert all(s.title and s.publisher and s.year and s.url and s.type for s in sources)
        source_counts.append(len(sources))
        markers = re.findall(SOURCE_MARKER_PATTERN, mask_markdown(doc.body))
        assert {int(m) for m in markers} == set(range(1, len(sources) + 1)), doc.slug
        for note in (1, 2, 3):
            assert f" [^{note}]" in doc.body and f"\n[^{note}]: " in doc.body
        assert len(re.findall(r"\]\([a-z0-9-]+\.md\)", doc.body)) == 5  # other conditions
        assert "](../packages/eye-programme-" in doc.body
        assert "](../pages/how-we-rate-evidence.md)" in doc.body
        assert doc.body.count("\n| ") >= 6 and doc.body.count("\n- ") >= 18
        assert doc.meta["evidence"] in generate.LEVELS
        assert len(doc.meta["also_known_as"]) == 2
        reviewed = date.fromisoformat(doc.meta["last_reviewed"])
        assert reviewed <= date.fromisoformat(generate.REVIEWED)
        assert date.fromisoformat(doc.meta["next_review"]) > reviewed
        assert all(s.accessed in (None, reviewed) for s in sources)
        words.append(len(doc.body.split()))
    assert min(source_counts) >= 10 and max(source_counts) <= 14
    assert 11 <= sum(source_counts) / len(source_counts) <= 13  # a dozen on average
    assert 1400 <= sum(words) / len(words) <= 1800  # the sample's: 1,300 to 2,500, mean 1,700
    packages = [Package.model_validate(entry) for entry in synthetic.packages]
    for package in packages:
        assert len(package.known_risks) >= 6 and len(package.sources) >= 10
        assert len(package.administration) == 3 and len(package.regulatory_status) == 3
        assert package.schedule[0].day == 1 and package.schedule[-1].day == package.duration_days
    sold = [p for p in packages if p.sold_by_publisher]
    every = range(0, len(packages), generate.SOLD_EVERY)
    assert [p.id for p in sold] == [generate.package_id(k) for k in every]
    assert all([words for _, words in p.publisher_gaps] == generate.UNPUBLISHED for p in sold)


def test_generation_is_deterministic_and_edits_apply(tmp_path: Path) -> None:
    generate.generate(12, tmp_path / "a")
    generate.generate(12, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    generate.generate(12, tmp_path / "c", seed=2)
    assert tree(tmp_path / "a") != tree(tmp_path / "c")
    edited = generate.edit_condition(tmp_path / "a", "sitegen", 3, "An edited line.")
    assert "An edited line.\n\n## What the evidence says" in edited.read_text()


def test_real_generation_is_deterministic_and_edits_apply(tmp_path: Path) -> None:
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        generate.generate(12, tmp_path / name, seed=seed, weight="real")
    generate.generate(12, tmp_path / "light")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")
    assert tree(tmp_path / "a").keys() == tree(tmp_path / "light").keys()
    assert tree(tmp_path / "a") != tree(tmp_path / "light")
    edited = generate.edit_condition(tmp_path / "a", "sitegen", 3, "An edited line.")
    assert edited.read_text().count("An edited line.\n\n## What the evidence says") == 1


@pytest.mark.parametrize("weight", generate.WEIGHTS)
def test_other_formats_hold_the_same_text(tmp_path: Path, weight: str) -> None:
    condition = generate.make(12, weight=weight).conditions[5]
    sentence = condition.body.split("\n\n")[3]  # the first paragraph of Symptoms: no links
    titles = [source["title"] for source in condition.meta["sources"]]
    for fmt, marker in [
        ("pelican", "pelicanconf.py"),
        ("mkdocs", "mkdocs.yml"),
        ("hugo", "hugo.toml"),
    ]:
        generate.generate(12, tmp_path / fmt, fmt, weight=weight)
        assert (tmp_path / fmt / marker).is_file()
        page = generate.condition_file(tmp_path / fmt, fmt, generate.slug_of(5))
        text = page.read_text()
        assert sentence in text
        assert len(list(page.parent.glob("*.md"))) >= 12
        # with real weight every tool shows the sources: Hugo from the front matter,
        # the others from a list at the end of the body
        listed = text.split("\n## Sources\n")[1:]
        if weight == "real" and fmt != "hugo":
            items = re.findall(r"^\d+\. (.+)$", listed[0], re.MULTILINE)
            assert [item.split(". ")[0] for item in items] == titles
        else:
            assert listed == []
    front = yaml.safe_load(page.read_text().split("---\n")[1])
    assert [source["title"] for source in front["sources"]] == titles
