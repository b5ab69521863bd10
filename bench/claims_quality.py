"""The claims linter's precision, recall and cost.

    .venv/bin/python bench/claims_quality.py [--pages 1000] [--runs 3] [--sitegen DIR]

Precision and recall on the corpora in tests/claims_corpus/, by sentence: a
misleading sentence counts as found if it gets an error, an honest one as a
false alarm if it does; the honest pages are counted by their errors. Batch A
was written before the linter and tuned on; batch B was held out (see
docs/performance.md for its figures before it was tuned on). Then the time the
linter takes per document on a synthetic site of --pages conditions from
bench/generate.py (CPU time and wall time of `lint` in this process, the best
of --runs). --sitegen runs another checkout's linter on the same corpora and
site, for a before-and-after comparison.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPUS = ROOT / "tests" / "claims_corpus"


def sentences(name: str) -> list[str]:
    lines = (CORPUS / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sitegen", type=Path, default=ROOT, help="a sitegen checkout")
    args = parser.parse_args()

    sys.path.insert(0, str(args.sitegen.resolve()))
    from sitegen import claims
    from sitegen.findings import Severity
    from sitegen.load import load_content

    rules, _ = claims.load_rules(Path("/nonexistent"))
    typed = "sources" in inspect.signature(claims.Text).parameters
    listed = yaml.safe_load((CORPUS / "sources.yaml").read_text("utf-8"))
    sources = tuple(map(claims.CitedSource.of, listed)) if typed else ()

    def has_error(sentence: str) -> bool:
        extra = (sources,) if typed else ()
        piece = claims.Text(sentence, "corpus", 1, 1, {}, *extra)
        return any(f.severity is Severity.ERROR for f in claims.lint_text(piece, rules))

    def page_errors(folder: str) -> tuple[int, int]:
        pages = sorted((CORPUS / folder).glob("*.md"))
        with_errors = 0
        for page in pages:
            with tempfile.TemporaryDirectory() as scratch:
                (Path(scratch) / "pages").mkdir()
                shutil.copy(page, Path(scratch) / "pages" / page.name)
                loaded = load_content(Path(scratch))
                found = claims.lint(loaded.documents, rules)
                with_errors += any(f.severity is Severity.ERROR for f in found)
        return with_errors, len(pages)

    print(f"sitegen at {args.sitegen.resolve()}")
    print(
        f"{'corpus':<28} {'recall':>14} {'precision':>16} {'honest flagged':>15} "
        f"{'pages w/ errors':>16}"
    )
    for label, prefix, pages in (("A (tuned on)", "", "pages"),
                                 ("B (held out)", "heldout-", "heldout-pages")):  # fmt: skip
        misleading = sentences(f"{prefix}misleading.txt")
        honest = sentences(f"{prefix}honest.txt")
        found = sum(map(has_error, misleading))
        false = sum(map(has_error, honest))
        flagged_pages, total_pages = page_errors(pages)
        precision = found / (found + false) if found + false else 1.0
        print(
            f"{label:<28} {found:>4}/{len(misleading):<4} {found / len(misleading):>5.0%}"
            f" {precision:>15.1%} {false:>7}/{len(honest):<7} {flagged_pages:>8}/{total_pages}"
        )

    sys.path.insert(0, str(BENCH))
    import generate

    with tempfile.TemporaryDirectory(prefix="sitegen-claims-") as scratch:
        content = Path(scratch) / "content"
        generate.generate(args.pages, content)
        loaded = load_content(content)
        documents = [d for d in (loaded.site, loaded.catalogue, *loaded.documents) if d]
        site_rules, _ = claims.load_rules(content)
        cpu, wall = [], []
        for _ in range(args.runs):
            started_cpu, started = time.process_time(), time.perf_counter()
            found = claims.lint(documents, site_rules)
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        count = len(documents)
        print(
            f"\nlint, {args.pages} conditions ({count} documents, {len(found)} findings): "
            f"{min(cpu) / count * 1000:.2f} ms CPU a document, {min(wall) / count * 1000:.2f} ms "
            f"wall (best of {args.runs}; {min(cpu):.2f} s CPU in all)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
