"""Time sitegen alone, stage by stage, on a synthetic site (or any content folder).

    .venv/bin/python bench/build_time.py [--pages 1000 | --content DIR] [--runs 3]
                                         [--profile [N]] [--sitegen DIR] [--weight real]

Calls `sitegen.build.build()` in this process and prints the per-stage
timings of its `BuildResult.timings` (load, validate, render, check, write and
any later stages), median of `--runs` builds into a fresh output folder each.
`--profile` runs one more build under cProfile and prints the N functions with
the most time of their own and the N with the most cumulative time, as a share
of the whole build.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def hot_spots(profile: cProfile.Profile, total: float, count: int) -> str:
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        where = f"{Path(filename).parent.name}/{Path(filename).name}:{line}"
        rows.append((own, cumulative, calls, f"{name} ({where})"))
    out = []
    for title, key in (("own time", 0), ("cumulative time", 1)):
        out.append(f"\nTop {count} by {title} (share of {total:.2f} s):")
        for row in sorted(rows, key=lambda r: r[key], reverse=True)[:count]:
            out.append(f"  {row[key] / total:6.1%}  {row[key]:7.2f} s  {row[2]:>9} calls  {row[3]}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=int, default=1000, help="synthetic conditions (1000)")
    source.add_argument("--content", type=Path, help="build this content folder instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, nargs="?", const=25, metavar="N")
    parser.add_argument("--sitegen", type=Path, default=ROOT, help="a sitegen checkout")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument(
        "--weight", choices=("light", "real"), default="light", help="of the synthetic pages"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(args.sitegen.resolve()))
    from sitegen.build import BuildOptions, build

    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as scratch:
        work = Path(scratch)
        content = args.content
        if content is None:
            sys.path.insert(0, str(BENCH))
            import generate

            content = work / "content"
            generate.generate(args.pages, content, weight=args.weight)
        options = dict(content=content, templates=args.sitegen / "templates", strict=args.strict)
        timings: list[dict[str, float]] = []
        totals = []
        for run in range(args.runs):
            out = work / f"site-{run}"
            started = time.perf_counter()
            result = build(BuildOptions(out=out, **options))
            totals.append(time.perf_counter() - started)
            if not result.ok:
                for finding in result.errors[:20]:
                    print(finding, file=sys.stderr)
                print("The build failed.", file=sys.stderr)
                return 1
            timings.append(result.timings)
            shutil.rmtree(out, ignore_errors=True)
        pages = sum(1 for page in result.pages if page.is_html)
        print(f"sitegen from {args.sitegen}: {pages} pages from {content}, median of {args.runs}")
        total = statistics.median(totals)
        for stage in timings[0]:
            value = statistics.median(t.get(stage, 0.0) for t in timings)
            print(f"  {stage:<12} {value:8.3f} s  {value / total:6.1%}")
        print(f"  {'total':<12} {total:8.3f} s  ({total / pages * 1000:.1f} ms a page)")
        if args.profile:
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            build(BuildOptions(out=work / "site-profiled", **options))
            profile.disable()
            print(hot_spots(profile, time.perf_counter() - started, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
