"""The search index: Pagefind run on the new output folder, just before it is swapped in.

`write_site` fills a temporary folder and calls the `SearchIndex` this module
plans; it writes `pagefind/` into that folder, so the site that is swapped in
always has an index made from exactly its own pages. Pagefind reads the
`data-pagefind-*` attributes the templates set: only the main content of
condition, package and other content pages is indexed (not the navigation, the
disclaimer shown on every page, or the listings), with each page's kind and
evidence level as metadata for the results.

A rebuild in which no HTML page changed, came or went reuses the index of the
folder being replaced (its files are hard-linked, as unchanged pages are);
any other build indexes the whole site again, which takes well under a second
for the sample site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, error
from .load import display
from .render import RenderedPage

BUNDLE = "pagefind"  # the index's folder at the site root; templates/search.html loads it
# Pagefind's ready-made interfaces, which the site does not use (static/search.js does
# the searching with Pagefind's JavaScript API): not written, so not served.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
REQUIRED = ("pagefind.js", "pagefind-entry.json")
TIMEOUT_S = 600


class SearchIndexError(Exception):
    """Pagefind could not index the site: the build is not swapped in."""

    def __init__(self, out: Path, message: str) -> None:
        super().__init__(message)
        self.finding: Finding = error(
            display(out), 1, 1, "search", f"expected Pagefind to index the site, found {message}"
        )


def executable() -> Path:
    """The Pagefind binary of the `pagefind_bin` package (installed by `pagefind[bin]`)."""
    from pagefind_bin import get_executable

    return get_executable()


def run_pagefind(folder: Path, keep_index_url: bool) -> None:
    """Index the HTML files in `folder` into `folder/pagefind/`."""
    try:
        binary = executable()
    except (ImportError, FileNotFoundError) as exc:
        raise SearchIndexError(
            folder, f"no Pagefind binary ({exc}; `make setup` installs pagefind[bin])"
        ) from exc
    command = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE, "--silent"]
    if keep_index_url:
        command.append("--keep-index-url")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(folder, f"Pagefind did not run: {exc}") from exc
    bundle = folder / BUNDLE
    if done.returncode != 0 or not all((bundle / name).is_file() for name in REQUIRED):
        said = " ".join((done.stderr or done.stdout).split())[-300:] or "no message"
        raise SearchIndexError(folder, f"exit code {done.returncode}: {said}")
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)


def link_index(old: Path, new: Path) -> bool:
    """Hard-link the index files of `old` into `new`; False if `old` holds no whole index."""
    if not all((old / name).is_file() for name in REQUIRED):
        return False
    if new.exists():
        return False
    try:
        for source in sorted(old.rglob("*")):
            target = new / source.relative_to(old)
            if source.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return False
    return True


@dataclass
class SearchIndex:
    """Gives a freshly written output folder its index (`write_site(..., finish=index)`).

    `reuse_from` is an output folder whose index was made from the same HTML pages,
    or None to run Pagefind.
    """

    reuse_from: Path | None
    keep_index_url: bool
    reused: bool = field(default=False, init=False)
    seconds: float = field(default=0.0, init=False)

    def __call__(self, folder: Path) -> None:
        start = time.perf_counter()
        bundle = folder / BUNDLE
        self.reused = self.reuse_from is not None and link_index(self.reuse_from / BUNDLE, bundle)
        if not self.reused:
            if bundle.exists():  # a page or file of the site has the index's name
                raise SearchIndexError(folder, f"a file or folder already named '{BUNDLE}/'")
            run_pagefind(folder, self.keep_index_url)
        self.seconds = time.perf_counter() - start


def search_index(
    pages: list[RenderedPage],
    on_disk: Mapping[str, RenderedPage],
    out: Path,
    directory_links: bool,
    keep_existing: bool = False,
) -> SearchIndex:
    """Plan the index of a build whose output is `pages`, when `out` now holds `on_disk`.

    The index is reused only when every HTML page is exactly as it is on disk,
    with none added or removed; otherwise Pagefind indexes the new folder.
    """
    html = {page.url: page for page in pages if page.is_html}
    before = {url: page for url, page in on_disk.items() if page.is_html}
    unchanged = bool(html) and html == before
    if keep_existing and (out / BUNDLE).is_dir():
        unchanged = True  # serve: results may lag behind edits until the next full build
    return SearchIndex(out.absolute() if unchanged else None, keep_index_url=not directory_links)
