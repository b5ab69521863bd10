"""How well search ranks after a one-page edit, by the size of the overlay's ballast
(a measurement, not a test).

    python bench/overlay_ranking.py --content DIR [--edits 6] [--ballast 150,50,0] [--rare]

DIR is a content folder of at least 1,000 conditions (`bench/generate.py --pages 1000
--weight real --out DIR`). For each of `--edits` conditions picked at random (seed 7),
and for each ballast size, a copy of DIR is built (cold, into a folder under
bench/.work/overlay-ranking/), the condition gets a sentence more, and it is built
again: its page goes into the overlay bundle with that many unchanged pages of
ballast. The reference is the same edit indexed the other way, its shard indexed
again (no overlay). Then, in headless Chromium (/usr/bin/chromium, `make
browser-deps`), the site's search page is searched for the condition's title and
12 of its words, as a reader searches it (its own static/search.js ranks the
results); each ranking (the first 20 pages it shows) is compared with the
reference's:

- the same first result: the share of queries whose first page is the reference's;
- the edited page's move: how many places it stands from where the reference puts
  it (a page not in the first 20 counts as 20th);
- the first ten in common: the share of the reference's first ten in them.

With `--rare` the queries are instead the title and 12 made-up words, each put into
the edited condition and into a few others (2 to 40 pages of the 1,000 in all, one
page in 500 to one in 25): the words few pages use, which a small ballast may not
hold (generated pages share their vocabulary, so their own words never are).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import random
import re
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen import search  # noqa: E402
from sitegen.build import BuildOptions, build  # noqa: E402

WORK = ROOT / "bench" / ".work" / "overlay-ranking"
SHOWN = 20  # as static/search.js shows at most
SENTENCE = "This page was checked again by the clinic team."

# Whether the search page has shown the results for `query` (its status names it).
SHOWN_FOR = """query => document.getElementById('search-status').textContent
    .includes('\u201c' + query + '\u201d')"""


def edited_site(content: Path, label: str, condition: str, ballast: int, overlay: int) -> Path:
    """A copy of `content` built, `condition` edited, built again with the given
    ballast and overlay sizes; the site folder."""
    folder = WORK / label
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(content, folder / "content")
    options = BuildOptions(folder / "content", folder / "site", ROOT / "templates", cache=True)
    search.BALLAST_PAGES, search.OVERLAY_PAGES = 150, 100
    build(options)
    target = folder / "content" / "conditions" / condition
    text = target.read_text("utf-8")
    target.write_text(text.replace("\n## ", f"\n{SENTENCE}\n\n## ", 1), "utf-8")
    search.BALLAST_PAGES, search.OVERLAY_PAGES = ballast, overlay
    build(options)
    listing = json.loads((folder / "site/pagefind/shards.json").read_text())
    if ("overlays" in listing) != (overlay > 0):
        raise SystemExit(f"{label}: expected {'an' if overlay else 'no'} overlay, found {listing}")
    return folder / "site"


def rankings(page, site: Path, queries: list[str]) -> dict[str, list[str]]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/search/index.html")
        ranked = {}
        for query in queries:
            page.fill("#search-q", query)
            page.press("#search-q", "Enter")
            page.wait_for_function(SHOWN_FOR, arg=query)
            ranked[query] = page.locator("#search-results > li h2 a").evaluate_all(
                "links => links.map(link => new URL(link.href).pathname)"
            )
        return ranked
    finally:
        server.shutdown()


def with_rare_words(content: Path, condition: str, rng: random.Random) -> tuple[Path, list[str]]:
    """A copy of `content` in which `condition` and a few other conditions hold each of
    12 made-up words (see `--rare`); the copy and the words."""
    folder = WORK / "content-rare"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(content, folder)
    others = sorted(p.name for p in (folder / "conditions").glob("*.md") if p.name != condition)
    added: dict[str, list[str]] = {}
    words = []
    for number in range(12):
        word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
        words.append(word)
        users = [condition, *rng.sample(others, rng.choice([1, 4, 9, 19, 39]))]
        for name in users:
            added.setdefault(name, []).append(f"Some call it {word} (note {number}).")
    for name, sentences in added.items():
        target = folder / "conditions" / name
        text = target.read_text("utf-8")
        target.write_text(text.replace("\n## ", f"\n{' '.join(sentences)}\n\n## ", 1), "utf-8")
    return folder, words


def queries_for(path: Path, rng: random.Random) -> list[str]:
    text = path.read_text("utf-8")
    title = re.search(r"\ntitle: *(.*)", text).group(1).strip().strip("\"'")
    body = text.split("\n---", 2)[-1].lower()
    words = sorted(set(re.findall(r"[a-z]{6,}", body)))
    rng.shuffle(words)
    return [title, *words[:12]]


def compare(reference: dict[str, list[str]], found: dict[str, list[str]], url: str) -> tuple:
    first = moves = common = 0.0
    for query, ref in reference.items():
        got = found[query]
        first += ref[:1] == got[:1]
        where = [next((i for i, path in enumerate(r) if path.startswith(url)), SHOWN)
                 for r in (ref, got)]  # fmt: skip
        moves += abs(where[0] - where[1])
        common += len(set(ref[:10]) & set(got[:10])) / max(1, len(set(ref[:10])))
    count = len(reference)
    return first / count, moves / count, common / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=6)
    parser.add_argument("--ballast", default="150,50,0")
    parser.add_argument("--rare", action="store_true", help="query made-up words few pages use")
    args = parser.parse_args()
    sizes = [int(size) for size in args.ballast.split(",")]
    rng = random.Random(7)
    conditions = sorted(path.name for path in (args.content / "conditions").glob("*.md"))
    from playwright.sync_api import sync_playwright

    totals: dict[int, list[tuple]] = {size: [] for size in sizes}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             headless=True, args=["--no-sandbox"])  # fmt: skip
        page = browser.new_page()
        for condition in rng.sample(conditions, args.edits):
            content = args.content
            queries = queries_for(content / "conditions" / condition, rng)
            if args.rare:
                content, words = with_rare_words(args.content, condition, rng)
                queries = [queries[0], *words]
            url = f"/conditions/{condition[:-3]}/"
            site = edited_site(content, "reference", condition, 150, 0)
            reference = rankings(page, site, queries)
            for size in sizes:
                site = edited_site(content, f"ballast-{size}", condition, size, 100)
                totals[size].append(compare(reference, rankings(page, site, queries), url))
            shown = {size: [round(x, 2) for x in rows[-1]] for size, rows in totals.items()}
            print(condition, shown, flush=True)
        browser.close()
    print(f"\n{args.edits} edits, {len(queries)} queries each; against the shard indexed again:")
    print("| ballast | the same first result | the edited page's move | the first ten in common |")
    print("|---:|---:|---:|---:|")
    for size, rows in totals.items():
        first, moves, common = (sum(row[i] for row in rows) / len(rows) for i in range(3))
        print(f"| {size} | {first:.2f} | {moves:.2f} places | {common:.2f} |")


if __name__ == "__main__":
    main()
