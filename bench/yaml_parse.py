"""Time the loader's YAML parsing (`raw.parse_yaml`) over a content folder.

    python bench/generate.py --pages 1000 --out /tmp/bench1000
    python bench/yaml_parse.py /tmp/bench1000 [--runs 25]

Every front matter and the YAML files (site.yaml, packages.yaml) are read once
into memory, then parsed `--runs` times; the minimum and the median of the
runs are printed. On a shared machine only the minimum means much.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.raw import parse_yaml, split_front_matter


def yaml_texts(content: Path) -> list[tuple[str, int]]:
    """Each YAML text of the folder with the line it starts on."""
    texts = []
    for path in sorted(content.glob("*/*.md")):
        front, _, _, _ = split_front_matter(path.read_text("utf-8"), str(path))
        if front is not None:
            texts.append((front, 2))
    texts += [(path.read_text("utf-8"), 1) for path in sorted(content.glob("*.yaml"))]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    texts = yaml_texts(args.content)
    runs = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for text, line in texts:
            parse_yaml(text, "bench", line)
        runs.append(time.perf_counter() - started)
    print(
        f"{len(texts)} YAML texts, {args.runs} runs: min {min(runs) * 1000:.1f} ms, "
        f"median {statistics.median(runs) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
