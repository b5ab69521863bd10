"""Live-reload latency of `python build.py serve` (a measurement, not a test).

    python bench/live_reload.py [--saves 20] [--pages 1000] [--only browser|disk]
                                [--weight real]

1. Save to browser, on a copy of the sample site: a condition page is open in
   headless Chromium (Debian's /usr/bin/chromium through Playwright); each save
   appends a new sentence to its Markdown. Latency = from just before the file
   is written to the first frame painted after the reloaded page has the
   sentence (two requestAnimationFrame callbacks after DOMContentLoaded).
2. Save to disk, on a synthetic site of N conditions (bench/generate.py): from
   just before the file is written to the rebuilt page on disk, for an edit of
   one condition's body, of its title (which every listing shows) and of
   templates/base.html (every page).

Each figure is the median of the saves, with the fastest and slowest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

PAINT_PROBE = """
window.__painted = null;
addEventListener("DOMContentLoaded", () => requestAnimationFrame(() =>
  requestAnimationFrame(() => { window.__painted = performance.timeOrigin + performance.now(); })));
"""
SHOWN_AT = "(m) => document.body && document.body.textContent.includes(m) ? window.__painted : null"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`build.py serve` in `folder`, started and answering: by default this checkout's,
    on the folder's content/ and templates/; `command` (without --port) runs another
    checkout's, as bench/compare does for each revision it times."""

    def __init__(
        self,
        folder: Path,
        ready_timeout: float,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = (folder / "serve.log").open("w")
        command = command or [sys.executable, str(ROOT / "build.py"), "serve"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=folder,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
        )
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"serve did not start; see {folder / 'serve.log'}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(30)
        self.log.close()


def summary(name: str, values_ms: list[float]) -> str:
    return (
        f"{name:<34} median {statistics.median(values_ms):6.0f} ms   "
        f"fastest {min(values_ms):5.0f}   slowest {max(values_ms):5.0f}   ({len(values_ms)} saves)"
    )


def wait_until(check: Callable[[], object], timeout: float = 30) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.001)
    raise SystemExit("timed out: the change never arrived")


def body_edit(original: str, n: int) -> tuple[str, str]:
    """A generated condition's text with a new paragraph in its body, and that paragraph
    (which its own page shows)."""
    marker = f"Disk probe {n} of {time.time_ns()}."
    marker_line = "\n## What the evidence says"
    return original.replace(marker_line, f"\n{marker}\n{marker_line}", 1), marker


def title_edit(original: str, n: int) -> tuple[str, str]:
    """A generated condition's text with words added to its title, and those words (which
    the conditions listing shows)."""
    marker = f"Renamed {n} {time.time_ns()}"
    title = next(line for line in original.splitlines() if line.startswith("title:"))
    return original.replace(title, f"{title} {marker}", 1), marker


def timed_save(path: Path, text: str, output: Path, marker: str) -> float:
    """Milliseconds from just before `text` is written to `path` until `output` on disk
    holds `marker`: the rebuilt page is there to be served."""
    started = time.perf_counter()
    path.write_text(text)
    wait_until(lambda: holds(output, marker), timeout=600)
    return (time.perf_counter() - started) * 1000


def holds(output: Path, marker: str) -> bool:
    """Whether the file holds the marker; False while it is missing (a site being swapped)."""
    try:
        return marker in output.read_text()
    except OSError:
        return False


def browser_latency(work: Path, saves: int) -> list[float]:
    from playwright.sync_api import Error, sync_playwright
    from serve_helpers import CHROMIUM_ARGS  # the browser tests' flags, one list

    shutil.copytree(ROOT / "content", work / "content")
    shutil.copytree(ROOT / "templates", work / "templates")
    source = work / "content/conditions/glaucoma.md"
    original = source.read_text()
    server = Server(work, 60)
    latencies = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=CHROMIUM_ARGS,
                env={**os.environ, "TMPDIR": str(work)},
            )
            page = browser.new_page()
            page.add_init_script(PAINT_PROBE)
            page.goto(server.url + "conditions/glaucoma/")
            page.wait_for_function("window.LiveReload !== undefined")
            time.sleep(1)  # the WebSocket connects

            def shown(marker: str) -> float | None:
                try:
                    return page.evaluate(SHOWN_AT, marker)
                except Error:  # the page is being replaced
                    return None

            for n in range(saves):
                marker = f"Latency probe {n} of {time.time_ns()}."
                text = original + f"\n{marker}\n"
                written = time.time() * 1000
                source.write_text(text)
                painted = wait_until(lambda m=marker: shown(m))
                latencies.append(float(painted) - written)  # type: ignore[arg-type]
                time.sleep(0.4)
            browser.close()
    finally:
        server.stop()
    return latencies


def disk_latency(work: Path, pages: int, saves: int, weight: str) -> dict[str, list[float]]:
    from generate import generate, slug_of

    content = work / "content"
    generate(pages, content, weight=weight)
    shutil.copytree(ROOT / "templates", work / "templates")
    print(f"Building the {pages}-condition site (a full build first) ...", flush=True)
    server = Server(work, 900)
    slug = slug_of(pages // 2)
    source = content / "conditions" / f"{slug}.md"
    page = work / "site/conditions" / slug / "index.html"
    listing = work / "site/conditions/index.html"
    base = work / "templates/base.html"

    results: dict[str, list[float]] = {"body": [], "title": [], "base.html": []}
    try:
        original = source.read_text()
        for n in range(saves):
            text, marker = body_edit(original, n)
            results["body"].append(timed_save(source, text, page, marker))
            time.sleep(0.3)
        for n in range(saves):
            text, marker = title_edit(original, n)
            results["title"].append(timed_save(source, text, listing, marker))
            time.sleep(0.3)
        source.write_text(original)
        time.sleep(1)
        template = base.read_text()
        for n in range(min(saves, 5)):
            marker = f"<!-- base probe {n} {time.time_ns()} -->"
            text = template.replace("</body>", f"{marker}\n</body>", 1)
            results["base.html"].append(timed_save(base, text, listing, marker))
            time.sleep(1)
    finally:
        server.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000, help="conditions in the disk test")
    parser.add_argument("--only", choices=("browser", "disk"))
    parser.add_argument(
        "--weight", choices=("light", "real"), default="light", help="of the disk test's pages"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-live-") as tmp:
        if args.only != "disk":
            work = Path(tmp) / "browser"
            work.mkdir()
            print(summary("save to browser (sample site)", browser_latency(work, args.saves)))
        if args.only != "browser":
            work = Path(tmp) / "disk"
            work.mkdir()
            results = disk_latency(work, args.pages, args.saves, args.weight)
            for edit, values in results.items():
                label = f"save to disk, {edit} ({args.pages} {args.weight} conditions)"
                print(summary(label, values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
