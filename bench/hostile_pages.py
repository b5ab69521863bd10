"""Time and memory of `check` on hostile pages, each as costly as the limits allow.

    .venv/bin/python bench/hostile_pages.py [--only NAME ...] [--size KB] [--sitegen DIR]

Each case writes one condition page of about `--size` KB (default: the 512 KB
that site.yaml's `limits: max_page_kb` allows) into a copy of the test fixture,
shaped to make Python-Markdown (or the YAML loader) work as hard as the limits in
sitegen/markdown.py and sitegen/raw.py let it, and runs `build.py check
--no-cache` on it in a process of its own. It prints the wall time, the peak
memory (maximum resident set) and the exit code: 1 when a limit refused the
page, 0 when the page is within them and was converted. `--sitegen` measures
another checkout (for example the code before the limits, with a smaller
`--size`: some of these took minutes there).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FIXTURE = ROOT / "tests" / "fixtures" / "minimal"


def fill(unit: str, size: int, separator: str = "\n\n") -> str:
    """`unit` repeated (with `separator` between) to about `size` bytes."""
    return separator.join([unit] * max(1, size // (len(unit) + len(separator))))


def one_paragraph(prefix: str) -> Callable[[int], str]:
    return lambda size: prefix + " plain words" * ((size - len(prefix)) // 12)


CASES: dict[str, Callable[[int], str]] = {
    "plain text": lambda size: fill("Plain words in a sentence. " * 20, size),
    "500 marks in each paragraph": lambda size: fill("*a* " * 250, size),
    "20,000 marks in paragraphs of 500": lambda size: (
        fill("*a* " * 250, 40 * 1001) + "\n\n" + fill("Plain words. " * 20, size - 40 * 1001)
    ),
    "500 marks in one long paragraph": one_paragraph("*a* " * 250),
    "8 unclosed [ in one long paragraph": one_paragraph("[" * 8),
    "8 unclosed ( after links in one long paragraph": one_paragraph("[a](" * 8),
    "emphasis nested in each paragraph": lambda size: fill(
        "***a " * 166 + "x" + " a***" * 166, size
    ),
    "250 inline HTML tags in each paragraph": lambda size: fill("<b>a</b>" * 125, size),
    "lists nested 20 deep": lambda size: fill(
        "".join("    " * i + "- a\n" for i in range(20)), size
    ),
    "markers 20 deep on each line": lambda size: fill("- " * 20 + "x", size, "\n"),
    "markers 20 deep on 450 lines, then text": lambda size: (
        fill("- " * 20 + "x", 450 * 43, "\n") + "\n\n" + fill("Plain words. " * 20, size - 450 * 43)
    ),
    "quotes 20 deep on each line": lambda size: fill(">" * 20 + " x", size, "\n"),
    "50 headings in each block": lambda size: fill("## h\n" * 50, size),
    "50 rules in each block": lambda size: fill("***\n" * 50, size),
    "1,000 footnotes": lambda size: (
        "".join(f"x[^{i}] " for i in range(500))
        + "\n\n"
        + "".join(f"[^{i}]: note\n\n" for i in range(500))
        + fill("Plain words. " * 20, size)
    ),
    "100 abbreviations": lambda size: (
        "".join(f"*[AB{i}]: abbreviation\n\n" for i in range(100))
        + fill("AB1 plain AB2 words " * 20, size)
    ),
    "a long table": lambda size: "| a | b |\n|---|---|\n" + fill("| *x* | [y](#z) |", size, "\n"),
    "a table of 10,000 cells, then text": lambda size: (
        "|"
        + " a |" * 100
        + "\n|"
        + "---|" * 100
        + "\n"
        + "|\n" * 97
        + "\n"
        + fill("Plain words. " * 20, size)
    ),
    "raw HTML nested": lambda size: "<div>" * (size // 10) + "</div>" * (size // 10),
    "a long list": lambda size: fill("- item *with* some `code`", size, "\n"),
    "tiny paragraphs": lambda size: fill("a", size),
    "9,900 paragraphs, then a long one": lambda size: (
        fill("a", 9_900 * 3) + "\n\n" + "Plain words. " * ((size - 9_900 * 3) // 13)
    ),
    "blank lines": lambda size: "\n" * size,
}


def page(body: str) -> str:
    head = (FIXTURE / "conditions" / "alpha.md").read_text("utf-8").split("## Symptoms")[0]
    return head + "## Symptoms\n\n" + body + "\n"


def run(sitegen: Path, content: Path) -> tuple[float, int, int]:
    """Wall seconds, peak resident KB and exit code of `check` on `content`."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(sitegen / "build.py"), "check", "--no-cache", "--jobs", "1",
         "--content", str(content), "--templates", str(sitegen / "templates")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=content.parent,
    )  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="cases whose name contains one of these")
    parser.add_argument("--size", type=int, default=512, help="page size in KB (512)")
    parser.add_argument("--sitegen", type=Path, default=ROOT, help="a sitegen checkout")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a runaway stops at 4 GB
    with tempfile.TemporaryDirectory(prefix="sitegen-hostile-") as scratch:
        for name, make in CASES.items():
            if args.only and not any(word in name for word in args.only):
                continue
            content = Path(scratch) / "content"
            shutil.rmtree(content, ignore_errors=True)
            shutil.copytree(FIXTURE, content)
            text = page(make(args.size * 1024 - 600))
            (content / "conditions" / "alpha.md").write_text(text, "utf-8")
            seconds, peak, code = run(args.sitegen, content)
            print(f"{name:<48} {len(text) / 1024:7,.0f} KB  {seconds:6.2f} s  "
                  f"{peak / 1024:6.0f} MB  exit {code}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
