"""The search index: Pagefind run on the new output folder, just before it is swapped in.

`write_site` brings the folder to be swapped in up to date and calls the
`SearchIndex` this module plans; it puts `pagefind/` into that folder, so the
site that is swapped in always has an index made from its own pages. Pagefind reads the
`data-pagefind-*` attributes the templates set: only the main content of
condition, package and other content pages is indexed (not the navigation, the
disclaimer shown on every page, or the listings), with each page's kind and
evidence level as metadata for the results.

A rebuild in which no HTML page changed, came or went reuses the index of the
folder being replaced (its files are hard-linked, as unchanged pages are);
any other build indexes the whole site again, which takes well under a second
for the sample site and about 3 ms of CPU a page for large ones. `serve` keeps
the index it has, so search results may lag behind edits until the next build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, error
from .load import display
from .write import Finish

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


def inodes(folder: Path) -> dict[str, int]:
    """Each file under `folder` with its inode (the same inode is the same bytes: the
    index is never changed in place). The inodes come with the folder listing."""
    found: dict[str, int] = {}
    folders = [(str(folder), "")]
    while folders:
        current, prefix = folders.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for item in entries:
            if item.is_dir(follow_symlinks=False):
                folders.append((item.path, f"{prefix}{item.name}/"))
            else:
                found[prefix + item.name] = item.inode()
    return found


def entry_inode(folder: Path) -> int | None:
    try:
        return (folder / BUNDLE / REQUIRED[1]).stat().st_ino
    except OSError:
        return None


@dataclass
class SearchIndex:
    """Gives the new output folder its index (`write_site(..., finish=index)`).

    The live site's index is reused (hard-linked, or kept where the folder being
    patched already shares it) when the HTML pages are byte for byte those it was
    made from, or always with `keep_existing` (serve); otherwise Pagefind runs.
    """

    keep_index_url: bool
    keep_existing: bool = False
    reused: bool = field(default=False, init=False)
    seconds: float = field(default=0.0, init=False)

    def __call__(self, done: Finish) -> int | None:
        """Index `done.folder`; the inode of its index's entry file if the index was
        made from exactly its pages (None for an index kept while serving)."""
        start = time.perf_counter()
        bundle = done.folder / BUNDLE
        live_entry = entry_inode(done.live) if done.live else None
        current = live_entry is not None and live_entry == done.live_index and done.same_pages()
        self.reused = (current or self.keep_existing) and self.reuse(done, bundle)
        if not self.reused:
            shutil.rmtree(bundle, ignore_errors=True)
            run_pagefind(done.folder, self.keep_index_url)
        self.seconds = time.perf_counter() - start
        return entry_inode(done.folder) if current or not self.reused else None

    def reuse(self, done: Finish, bundle: Path) -> bool:
        """Give `bundle` the live index: kept if it already shares it, else hard-linked."""
        live_entry = entry_inode(done.live) if done.live else None
        if done.live is None or live_entry is None:
            return False
        if entry_inode(done.folder) == live_entry and inodes(bundle) == inodes(done.live / BUNDLE):
            return True
        shutil.rmtree(bundle, ignore_errors=True)
        return link_index(done.live / BUNDLE, bundle)


def search_index(
    names: Iterable[str], out: Path, directory_links: bool, keep_existing: bool = False
) -> SearchIndex:
    """Plan the index of a build whose output files are `names`.

    With `keep_existing` (serve) the live index is kept whatever changed.
    """
    for name in names:
        if name == BUNDLE or name.startswith(f"{BUNDLE}/"):
            raise SearchIndexError(out, f"a file or folder already named '{BUNDLE}/' ({name})")
    return SearchIndex(keep_index_url=not directory_links, keep_existing=keep_existing)
