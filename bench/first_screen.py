"""Where a reader first meets each part of every page: the positions (CSS px from the top of
the page) of the site name, the menu, search, the title, its summary, the key facts (the
start of the disclaimer) and the page's own text, on a 320 x 640 phone and on a 1280 x 900
screen zoomed to 200 % (a 640 x 450 viewport).

    .venv/bin/python bench/first_screen.py SITE_FOLDER [URL ...]

SITE_FOLDER is a built site (`python build.py build --out SITE_FOLDER`); it is served on
127.0.0.1 while the pages are measured in Debian's Chromium. The browser tests assert on the
same measurements (tests/browser/first_screen.js); this prints them for a person.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

SCREENS = {"320x640": (320, 640, 1), "zoom200-1280x900": (640, 450, 2)}
MEASURE_JS = (Path(__file__).resolve().parents[1] / "tests/browser/first_screen.js").read_text(
    "utf-8"
)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def pages_of(folder: Path) -> list[str]:
    found = sorted(path.relative_to(folder) for path in folder.rglob("index.html"))
    return [str(path.parent).replace(".", "") + ("/" if str(path.parent) != "." else "")
            for path in found]  # fmt: skip


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    folder = Path(argv[0])
    urls = argv[1:] or pages_of(folder)
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    columns = ("name", "menu", "search", "h1", "lead", "keyFacts", "ownText", "full", "page",
               "keyFactsLines")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS,
            env={**os.environ, "TMPDIR": scratch},
        )  # fmt: skip
        for screen, (width, height, scale) in SCREENS.items():
            print(
                f"\n{screen} (viewport {width}x{height} CSS px): top of each part, in px;"
                " keyFactsLines: lines of text in the key facts"
            )
            print(f"{'page':48}" + "".join(f"{c[:8]:>9}" for c in columns))
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
            page = context.new_page()
            for url in urls:
                page.goto(base + url, wait_until="load")
                facts = page.evaluate(MEASURE_JS)
                cells = []
                for column in columns:
                    box = facts.get(column)
                    if isinstance(box, dict):
                        box = round(box["top"])
                    cells.append("-" if box is None else str(box))
                print(f"{'/' + url:48}" + "".join(f"{c:>9}" for c in cells))
            context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
