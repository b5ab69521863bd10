"""Time no-change builds and one-page edits in one process, with the cache on.

    python bench/incremental.py --content DIR [--tree PATH] [--runs 5]

DIR is a content folder (`bench/generate.py --pages 10000 --out DIR`); the site is
built beside it. `--tree` is a sitegen checkout to time (default: this one), so the
code before a change can be timed on the same machine in the same minute
(`git worktree add /tmp/before <rev>`). The first build fills the cache; then
`--runs` no-change builds and `--runs` one-page body edits, each printed with its
wall and CPU seconds and the build's own stage timings. The garbage collector is
set as the command line sets it.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    from sitegen import build as sitegen_build  # the checkout's own code
    from sitegen.cli import COLLECTION_THRESHOLDS

    gc.set_threshold(*COLLECTION_THRESHOLDS)
    content = args.content.resolve()
    options = sitegen_build.BuildOptions(
        content, content.parent / "site", args.tree / "templates", cache=True
    )

    def timed(label: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        result = sitegen_build.build(options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stages = {name: round(seconds, 3) for name, seconds in result.timings.items()}
        print(f"{label:10} wall {wall:7.3f} s  cpu {cpu:7.3f} s  "
              f"rendered {len(result.rendered):5}  {stages}", flush=True)  # fmt: skip

    timed("first")
    for _ in range(args.runs):
        timed("no-change")
    target = sorted((content / "conditions").glob("*.md"))[7]
    for run in range(args.runs):
        text = target.read_text("utf-8")
        target.write_text(text.replace("\n## ", f"\nEdited paragraph {run}.\n\n## ", 1), "utf-8")
        timed("edit")


if __name__ == "__main__":
    main()
