"""Make the theme's default social-card picture, templates/static/og-image.png, once.

Run it again only to change the picture (it is committed, not built):

    .venv/bin/python tools/og_image.py [--title "Site name"] [--out templates/static/og-image.png]

It draws a plain 1200 x 630 card with the site's name (from content/site.yaml unless
--title is given) in Debian's Chromium, through Playwright, and saves a screenshot.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1200, 630
sys.path.insert(0, str(ROOT / "tests"))
from serve_helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the browser tests' flags

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: {width}px; height: {height}px; }}
body {{ box-sizing: border-box; display: flex; flex-direction: column; justify-content: center;
  padding: 0 96px; background: #ffffff; color: #161616;
  border-top: 24px solid #0041a3; border-bottom: 24px solid #0041a3;
  font-family: "DejaVu Sans", system-ui, sans-serif; }}
h1 {{ margin: 0; font-size: 88px; line-height: 1.15; font-weight: 700; }}
</style></head><body><h1>{title}</h1></body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", help="the name on the card (default: content/site.yaml)")
    parser.add_argument("--out", type=Path, default=ROOT / "templates/static/og-image.png")
    args = parser.parse_args()
    title = args.title or yaml.safe_load((ROOT / "content/site.yaml").read_text("utf-8"))["title"]
    page = PAGE.format(width=WIDTH, height=HEIGHT, title=html.escape(title))

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "TMPDIR": scratch}
        )
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        tab = context.new_page()
        tab.set_content(page)
        tab.screenshot(path=str(args.out), clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
        browser.close()
    print(f"Wrote {args.out} ({WIDTH} x {HEIGHT}).")


if __name__ == "__main__":
    main()
