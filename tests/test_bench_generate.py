"""The benchmark's synthetic site generator: deterministic, and clean under --strict."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from conftest import ROOT, build_site
from sitegen.findings import Severity


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generate = load_generator()


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


def test_generation_is_deterministic_and_edits_apply(tmp_path: Path) -> None:
    generate.generate(12, tmp_path / "a")
    generate.generate(12, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    generate.generate(12, tmp_path / "c", seed=2)
    assert tree(tmp_path / "a") != tree(tmp_path / "c")
    edited = generate.edit_condition(tmp_path / "a", "sitegen", 3, "An edited line.")
    assert "An edited line.\n\n## What the evidence says" in edited.read_text()


def test_other_formats_hold_the_same_text(tmp_path: Path) -> None:
    body = generate.make(12).conditions[5].body
    sentence = body.split("\n\n")[3]  # the list of signs: no links in it
    for fmt, marker in [
        ("pelican", "pelicanconf.py"),
        ("mkdocs", "mkdocs.yml"),
        ("hugo", "hugo.toml"),
    ]:
        generate.generate(12, tmp_path / fmt, fmt)
        assert (tmp_path / fmt / marker).is_file()
        page = generate.condition_file(tmp_path / fmt, fmt, generate.slug_of(5))
        assert sentence in page.read_text()
        assert len(list(page.parent.glob("*.md"))) >= 12
