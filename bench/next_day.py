"""Time the first build of later days on a synthetic site, with the build cache on.

    .venv/bin/python bench/next_day.py [--pages 1000 | --content DIR] [--sitegen DIR]
                                       [--weight real]

Builds the site cold on 2026-11-26, then again the same day, the next day,
the day the synthetic conditions' next review falls due (2031-01-15, so
nothing is overdue yet), the day after it (every condition's review notice
appears) and the day after that (nothing to render again, but the overdue
documents' quality warnings count one day more). Each build runs in this
process through `sitegen.build.build(..., cache=True, today=...)`, as the
command line would on that day, and prints its time and how many pages it
rendered.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DAYS = (
    ("cold", date(2026, 11, 26)),
    ("same day", date(2026, 11, 26)),
    ("next day", date(2026, 11, 27)),
    ("review due", date(2031, 1, 15)),
    ("overdue", date(2031, 1, 16)),
    ("a day later", date(2031, 1, 17)),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=int, default=1000, help="synthetic conditions (1000)")
    source.add_argument("--content", type=Path, help="copy and build this content folder")
    parser.add_argument("--sitegen", type=Path, default=ROOT, help="a sitegen checkout")
    parser.add_argument(
        "--weight", choices=("light", "real"), default="light", help="of the synthetic pages"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(args.sitegen.resolve()))
    from sitegen.build import BuildOptions, build
    from sitegen.cli import COLLECTION_THRESHOLDS

    gc.set_threshold(*COLLECTION_THRESHOLDS)  # as the command line runs
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as scratch:
        content = Path(scratch) / "content"
        if args.content is None:
            sys.path.insert(0, str(BENCH))
            import generate

            generate.generate(args.pages, content, weight=args.weight)
        else:
            shutil.copytree(args.content, content)
        templates, out = args.sitegen / "templates", Path(scratch) / "site"
        print(f"sitegen from {args.sitegen}, content {args.content or f'{args.pages} conditions'}")
        for label, day in DAYS:
            options = BuildOptions(content, out, templates, cache=True, today=day)
            started = time.perf_counter()
            result = build(options)
            seconds = time.perf_counter() - started
            if not result.ok:
                print(f"The build of {day} failed: {result.errors[:3]}", file=sys.stderr)
                return 1
            rendered = len(result.rendered)
            print(f"  {label:<12} {day}  {seconds:7.2f} s  {rendered:>6} pages rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
