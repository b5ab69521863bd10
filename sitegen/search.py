"""The search index: Pagefind run on the new output folder, just before it is swapped in.

`write_site` brings the folder to be swapped in up to date and calls the
`SearchIndex` this module plans; it puts `pagefind/` into that folder, so the
site that is swapped in always has an index made from its own pages. Pagefind
reads the `data-pagefind-*` attributes the templates set: only the main
content of condition, package and other content pages is indexed (not the
navigation, the disclaimer shown on every page, or the listings), with each
page's kind and evidence level as metadata for the results.

Pagefind indexes a whole site at once, in time and memory that grow with the
pages, whatever changed: tens of seconds and gigabytes for a large site. So the indexed
pages are split into shards of about `SHARD_PAGES` (by a hash of their path,
so a page stays in its shard; fewer shards when the hash would leave one empty,
see `split`), each its own Pagefind bundle in
`pagefind/<n>/`; `pagefind/shards.json` lists them, and the search page loads
the first and merges the others (Pagefind's `mergeIndex`). A build indexes
again only the shards whose pages changed, came or went; the others are
hard-linked from the live site, as unchanged pages are. A site of up to
`SHARD_PAGES` content pages has one shard. `serve` keeps the index it has, so
search results may lag behind edits until the next build, which indexes the
pages changed meanwhile as it would those of one edit (see below).

Indexing a whole shard again for a one-page edit takes seconds, so a
build that changed few pages (up to `OVERLAY_PAGES` since the shards were
made, on a site of over twice as many and the ballast) leaves the shards as
they are and indexes those pages into an overlay bundle, `pagefind/overlay/`,
which `shards.json` names apart from the shards. The shards' entries for the
changed and removed pages are listed there as stale (by Pagefind's page id, a
hash of what it indexed), and the search page drops them from the results.
Pagefind scores a word by how rare it is within each bundle, so the overlay
also holds `BALLAST_PAGES` unchanged pages, the same each time: its word
counts are then those of a sample of the site, not of a page or two. The
search page takes each unchanged page from its shard and each changed page
from the overlay, its score scaled by how the ballast pages found score in
both, so an edited page ranks about as it would in its shard. Past
`OVERLAY_PAGES` the shards holding the changed pages are indexed again and
the overlay is dropped.

Pagefind's time grows with the pages it indexes, so the overlay is made in two
layers: `pagefind/overlay/` for the pages changed since the shards were made,
kept as it is while `pagefind/recent/` takes the pages changed since it was made
(with the same ballast). An edit then indexes the few recent pages, not all the
changed ones; past `RECENT_PAGES` the two are made into one overlay again. A
page's entry in a layer is stale once a newer layer holds the page.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import heapq
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Set
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Finding, error
from .fs import display, link_copy, walk
from .parallel import workers
from .urls import output_path
from .write import Finish

BUNDLE = "pagefind"  # the index's folder at the site root; templates/search.html loads it
SHARDS = "shards.json"  # in BUNDLE: the shards' folders, the first one first
# Pages a shard is made for. Smaller shards make an edit cheaper to index but a
# search dearer: a first search fetches part of every shard's index (measured in
# docs/performance.md).
SHARD_PAGES = 1000
OVERLAY = "overlay"  # in BUNDLE: the pages changed since the shards were made
OVERLAY_PAGES = 100
RECENT = "recent"  # in BUNDLE: the pages changed since the overlay was made
RECENT_PAGES = 10
# Unchanged pages the overlay also holds. The search page scales a changed page's
# score by how these score in both bundles, so a few suffice where enough of them
# match a query; for rarer words it goes by the words' weights. 20 ranked as 50 did,
# for common words and for words one page in 25 to 500 uses (docs/performance.md),
# and each is a page Pagefind indexes again on every edit.
BALLAST_PAGES = 20
RECORD_VERSION = 5  # 5: the overlay in two layers
INDEXED_MARK = b"data-pagefind-body"
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
ENTRY = "pagefind-entry.json"  # a bundle's list of its languages' indexes
FRAGMENT_SIGNATURE = b"pagefind_dcd"  # what a fragment file's JSON follows, decompressed
FRAGMENT_URL = re.compile(re.escape(FRAGMENT_SIGNATURE) + rb'\{"url":("(?:[^"\\]|\\.)*")')
FRAGMENT_HEAD = 4096  # bytes of a fragment decompressed to find its URL
GZIP_WBITS = 31  # zlib's way of saying the gzip format
REQUIRED = ("pagefind.js", ENTRY)
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


def run_pagefind(site: Path, output: Path, keep_index_url: bool) -> None:
    """Index the HTML files in `site` into the bundle folder `output`."""
    try:
        binary = executable()
    except (ImportError, FileNotFoundError) as exc:
        raise SearchIndexError(
            site, f"no Pagefind binary ({exc}; `make setup` installs pagefind[bin])"
        ) from exc
    command = [str(binary), "--site", str(site), "--output-path", str(output), "--silent"]
    if keep_index_url:
        command.append("--keep-index-url")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(site, f"Pagefind did not run: {exc}") from exc
    if done.returncode != 0 or not all((output / name).is_file() for name in REQUIRED):
        said = " ".join((done.stderr or done.stdout).split())[-300:] or "no message"
        raise SearchIndexError(site, f"exit code {done.returncode}: {said}")
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    languages_in_order(output / ENTRY)


def languages_in_order(entry: Path) -> None:
    """Write a bundle's entry file with its languages in order of their codes.

    Pagefind lists them in an order that changes from run to run, so two builds of
    one multilingual site differed in this file alone. The search page reads it as a
    map, so the order means nothing to it. The file is new, never a link to a live
    one, and is written afresh."""
    try:
        data = json.loads(entry.read_text("utf-8"))
        languages = data["languages"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # not the format this was written for: left as Pagefind wrote it
    if not isinstance(languages, dict) or list(languages) == sorted(languages):
        return
    data["languages"] = dict(sorted(languages.items()))
    written = entry.with_name(f"{entry.name}.tmp")
    written.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    written.replace(entry)


def index_shard(
    folder: Path, output: Path, pages: Iterable[str], keep_index_url: bool
) -> dict[str, str]:
    """Index the `pages` of `folder` (output paths) into the bundle `output`; the page
    ids it gave them (`page_ids`, read while the files are fresh in memory, so that no
    edit has to). Pagefind reads a folder of hard links to the pages, so page URLs stay
    those of the site. The folder of links is named after `folder`, a temporary folder
    of the build, so that the next build removes it as one (`write.remove_leftovers`)
    if this one is killed."""
    shutil.rmtree(output, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{folder.name}-search-", dir=folder.parent))
    try:
        for name in pages:
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(folder / name, target)
        run_pagefind(scratch, output, keep_index_url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return page_ids(output)


def link_tree(old: Path, new: Path) -> bool:
    """Make `new` a copy of the folder `old` made of hard links (kept as it is if it
    already is one); False if that failed.

    A bundle already linked is judged by its entry file, as `same_index` judges a
    whole index: a bundle's files are never changed in place, a bundle made again
    gets a new entry file, and one linked gets all its files or is removed. Walking
    both folders to compare every inode was a noticeable part of a no-change build."""
    entry = entry_inode(old)
    if entry is not None and entry == entry_inode(new):
        return True
    shutil.rmtree(new, ignore_errors=True)
    return link_copy(old, new)


def same_index(live: Path, bundle: Path) -> bool:
    """`bundle` already holds the index `live` holds, judged without walking either:
    the same names at the top, and the same files for the shard list and each
    bundle's entry (a bundle's files are never changed in place, and one made or
    linked again gets a new entry file)."""
    try:
        names = sorted(os.listdir(live))
        if names != sorted(os.listdir(bundle)):
            return False
        for name in names:
            old, new = live / name, bundle / name
            if old.is_dir():
                entry = entry_inode(old)
                if entry is None or entry != entry_inode(new):
                    return False
            elif old.stat().st_ino != new.stat().st_ino:
                return False
    except OSError:
        return False
    return True


def keep_index(live: Path, bundle: Path) -> bool:
    """Give `bundle` the index `live` holds (serve keeps it while it runs): nothing
    to do if it already has it, which is the rule, or linked afresh."""
    return same_index(live, bundle) or link_tree(live, bundle)


def inodes(folder: Path) -> dict[str, int]:
    """Each file under `folder` with its inode (the same inode is the same bytes: the
    index is never changed in place). The inodes come with the folder listing."""
    return {name: entry.inode() for name, entry in walk(folder)}


def entry_inode(bundle: Path) -> int | None:
    try:
        return (bundle / REQUIRED[1]).stat().st_ino
    except OSError:
        return None


def overlay_layers(overlay: dict, recent: dict) -> list[tuple[str, dict]]:
    """The overlay's layers as recorded, each with its folder's name: the recent layer
    only if it holds pages."""
    return [(OVERLAY, overlay)] + ([(RECENT, recent)] if recent["members"] else [])


def linked_layer(live: Path, output: Path, recorded: dict) -> bool:
    """The live bundle `live` is the one `recorded` (its entry file) and was linked
    into `output`."""
    return entry_inode(live) == recorded.get("entry") and link_tree(live, output)


def as_recorded(bundle: Path, shards: list[dict]) -> bool:
    """Each shard of the index `bundle` is still the one `shards` records (its entry file)."""
    return all(entry_inode(bundle / str(n)) == shard.get("entry") for n, shard in enumerate(shards))


@functools.lru_cache(maxsize=1 << 17)  # a build asks for each page's twice (`ballast`)
def name_hash(name: str) -> int:
    """A page's place among the shards and in the ballast's order, the same in every
    process (Python's own `hash` of a string is not)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big")


def shard_of(name: str, count: int) -> int:
    return name_hash(name) % count


def split(pages: Mapping[str, str], shard_pages: int) -> list[dict[str, str]]:
    """The pages (name: digest) in shards of about `shard_pages`, each page in shard
    `shard_of(name, count)`, and none empty: Pagefind refuses to index no pages.

    A hash does not share pages out evenly: 9 pages in shards of 2 make 5 shards, and
    the hash may give one of them nothing. Then the count is lowered until every
    shard has a page (one shard always has, unless there are no pages at all). With
    shards of `SHARD_PAGES` pages an empty one is all but impossible; it happens with small
    shards. A count that leaves none empty is kept, so such an index is unchanged."""
    count = max(1, -(-len(pages) // shard_pages))
    while True:
        shards: list[dict[str, str]] = [{} for _ in range(count)]
        for name, digest in pages.items():
            shards[shard_of(name, count)][name] = digest
        if count == 1 or all(shards):
            return shards
        count -= 1


def members_print(members: Mapping[str, str]) -> str:
    text = "\n".join(f"{name} {digest}" for name, digest in sorted(members.items()))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def valid_record(record: Any) -> dict | None:
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return None
    if not isinstance(record.get("shards"), list) or not isinstance(record.get("indexed"), list):
        return None
    overlay, recent = record.get("overlay"), record.get("recent")
    if not isinstance(overlay, dict) or not isinstance(overlay.get("members"), dict):
        return None
    if not isinstance(recent, dict) or not isinstance(recent.get("members"), list):
        return None
    return record


def page_ids(bundle: Path) -> dict[str, str]:
    """Pagefind's page id of each page in `bundle`, by output path: its fragment
    files are named by the id and hold the URL."""
    ids = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        url = fragment_url(path.read_bytes()).lstrip("/")
        ids[output_path(url)] = path.name.removesuffix(".pf_fragment")
    return ids


def fragment_url(data: bytes) -> str:
    """The URL of the page a fragment file is of. The file is gzipped JSON after a
    signature, and Pagefind writes the URL first, before the page's whole text: only
    the start is decompressed where it holds the URL (else all of it is read)."""
    head = zlib.decompressobj(wbits=GZIP_WBITS).decompress(data, FRAGMENT_HEAD)
    found = FRAGMENT_URL.match(head)
    if found is not None:
        return json.loads(found[1])
    return json.loads(gzip.decompress(data).removeprefix(FRAGMENT_SIGNATURE))["url"]


def note_changes(
    members: dict[str, str], indexed: Set[str], changed: Iterable[str], gone: Iterable[str]
) -> None:
    """Add to the overlay's `members` the pages `changed` (or added) and those `gone`
    from the index since the shards were made: "?" for a page the shards hold (its
    id is looked up when the overlay is made), "" for one they do not."""
    for name in changed:
        members.setdefault(name, "?" if name in indexed else "")
    for name in gone:
        if name in indexed:
            members.setdefault(name, "?")


def ballast(pages: Mapping[str, str], members: Mapping[str, str]) -> list[str]:
    """The unchanged pages the overlay also holds: the same ones while they last."""
    rest = (name for name in pages if name not in members)
    return heapq.nsmallest(BALLAST_PAGES, rest, key=lambda name: shard_of(name, 1 << 62))


@dataclass
class SearchIndex:
    """Gives the new output folder its index (`write_site(..., finish=index)`).

    Each shard of the live site's index is reused (hard-linked, or kept where the
    folder being patched already shares it) while its pages are byte for byte
    those it was made from; with `keep_existing` (serve) the whole live index is
    kept whatever changed. Other shards are indexed again.
    """

    keep_index_url: bool
    keep_existing: bool = False
    jobs: int | None = None  # Pagefinds run side by side; None: one per core
    progress: Callable[[int, int], None] | None = None  # (bundles indexed, to index)
    # Work to do while Pagefind runs, once (the store's commit): the build's own CPU
    # then overlaps Pagefind's, whose process waits for nothing of it.
    meanwhile: Callable[[], Any] | None = None
    # Pagefind's page ids of the shards' pages, by shard number: (the shard's print,
    # as in the record, and its entry file's inode; the ids by output path). The build
    # gives those it kept; those of the shards indexed, and any an edit had to look up
    # in a shard's fragments, are added.
    ids: dict[int, tuple[str, dict[str, str]]] = field(default_factory=dict)
    seconds: float = field(default=0.0, init=False)

    def __call__(self, done: Finish) -> dict | None:
        """Index `done.folder`; what the manifest keeps, to reuse the shards next time
        (while serving: the kept index's record, with the pages changed since it was
        made added to its overlay's members, for the next build to index)."""
        start = time.perf_counter()
        try:
            return self.index(done)
        finally:
            self.seconds = time.perf_counter() - start

    def index(self, done: Finish) -> dict | None:
        bundle = done.folder / BUNDLE
        live = done.live / BUNDLE if done.live else None
        record = valid_record(done.live_index)
        if self.keep_existing and live and (live / SHARDS).is_file() and keep_index(live, bundle):
            if record is None:
                return None
            return self.kept(done, record)
        pages = self.searchable(done, record)
        shards = split(pages, SHARD_PAGES)
        count = len(shards)
        before = record["shards"] if record and len(record["shards"]) == count else []
        base_kept = live is not None and bool(before) and as_recorded(live, before)
        members, recent = self.changed(done, record, pages) if base_kept and record else (None, [])
        small = len(pages) <= 2 * (OVERLAY_PAGES + BALLAST_PAGES)  # indexed again as fast
        overlay = members is not None and not small and 0 < len(members) <= OVERLAY_PAGES
        self.tidy(bundle, count, overlay)
        prints, unmade = [], {}
        for number, members_now in enumerate(shards):
            output, print_ = bundle / str(number), members_print(members_now)
            old = live / str(number) if live else None
            # With an overlay a shard stays as it was made; its print says from what.
            made_from = before[number].get("pages") if before else None
            kept = old is not None and bool(before) and entry_inode(old) == before[number]["entry"]
            if kept and (made_from == print_ or overlay) and link_tree(old, output):
                print_ = made_from or print_
            else:
                unmade[output] = sorted(members_now)
            prints.append(print_)
        made = self.index_shards(done.folder, unmade)
        recorded = [
            {"pages": print_, "entry": entry_inode(bundle / str(number))}
            for number, print_ in enumerate(prints)
        ]
        for number, shard in enumerate(recorded):
            ids = made.get(bundle / str(number))
            if ids is not None:
                self.ids[number] = (f"{shard['pages']} {shard['entry']}", ids)
        listing: dict[str, Any] = {"bundles": [f"{n}/" for n in range(count)]}
        layer: dict[str, Any] = {"members": {}}
        top: dict[str, Any] = {"members": []}
        if overlay and members is not None and live is not None and record is not None:
            layer, top, stale = self.overlays(done, bundle, live, record, pages, members, recent)
            layers = overlay_layers(layer, top)
            listing["overlays"] = [f"{name}/" for name, _ in layers]
            listing["stale"] = stale
            # for the search page's estimate of how the bundles weigh a rare word
            listing["pages"] = {"shard": round(len(pages) / count),
                                "overlays": [made["count"] for _, made in layers]}  # fmt: skip
        written = bundle / f"{SHARDS}.tmp"
        written.write_text(json.dumps(listing), "utf-8")
        written.replace(bundle / SHARDS)  # a new file: the live one may share the old
        return {"version": RECORD_VERSION, "shards": recorded, "indexed": sorted(pages),
                "shard_pages": SHARD_PAGES, "overlay": layer, "recent": top}  # fmt: skip

    def index_shards(
        self, folder: Path, shards: Mapping[Path, list[str]]
    ) -> dict[Path, dict[str, str]]:
        """Index each shard (its bundle folder: its pages) of `folder`, `jobs` at a time;
        the page ids of each.

        One Pagefind keeps more than one core busy but not two, so two side by side
        finish sooner than one after the other, at the memory of one more Pagefind."""
        with ThreadPoolExecutor(max_workers=min(workers(self.jobs), len(shards) or 1)) as pool:
            runs = [
                pool.submit(index_shard, folder, output, pages, self.keep_index_url)
                for output, pages in shards.items()
            ]
            if runs and self.meanwhile is not None:
                meanwhile, self.meanwhile = self.meanwhile, None
                meanwhile()
            for done, _ in enumerate(as_completed(runs), 1):
                if self.progress:
                    self.progress(done, len(runs))
        # the first shard's failure, if any, as in one after the other
        return {output: run.result() for output, run in zip(shards, runs, strict=True)}

    @staticmethod
    def current(live: Path, record: Any) -> bool:
        """Whether the index of `live` is the one recorded (each bundle's entry file
        the same), made in shards of today's size, and nothing is waiting to be indexed
        into it: then a folder of the same pages would be given the same index."""
        record = valid_record(record)
        bundle = live / BUNDLE
        if record is None or record.get("shard_pages") != SHARD_PAGES:
            return False
        if not (bundle / SHARDS).is_file():
            return False
        if not as_recorded(bundle, record["shards"]):
            return False
        if not record["overlay"]["members"]:
            return True
        layers = overlay_layers(record["overlay"], record["recent"])
        return all(made.get("pages") is not None and entry_inode(bundle / name) == made.get("entry")
                   for name, made in layers)  # fmt: skip

    @staticmethod
    def tidy(bundle: Path, count: int, overlay: bool) -> None:
        """Clear the spare's index of what can no longer serve."""
        if not bundle.is_dir():
            return
        for leftover in bundle.iterdir():
            if leftover.is_dir() and leftover.name.isdigit() and int(leftover.name) < count:
                continue
            if leftover.is_dir() and leftover.name in (OVERLAY, RECENT) and overlay:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()

    @staticmethod
    def kept(done: Finish, record: dict) -> dict:
        """The record of an index kept while serving, with the pages changed since it
        was made added to its overlay's members and its recent layer's (and to what it
        indexes), for the next build to index. Only the files whose stamps differ from
        the live ones' can have changed (the others are the live files, linked), so
        this stays cheap."""
        indexed = set(record["indexed"])
        members = dict(record["overlay"]["members"])
        differ = [name for name, stamp in done.files.items()
                  if name.endswith(".html") and done.live_files.get(name) != stamp]  # fmt: skip
        searchable = {name for name in differ if INDEXED_MARK in (done.folder / name).read_bytes()}
        gone = {name for name in differ if name not in searchable}
        gone |= done.live_files.keys() - done.files.keys()
        note_changes(members, indexed, searchable, gone)
        layer = {**record["overlay"], "members": members}
        recent = sorted({*record["recent"]["members"], *searchable, *(gone & indexed)})
        top = {**record["recent"], "members": recent}
        if recent != record["recent"]["members"]:
            top["pages"] = None  # to be indexed by the next build that is not kept
        return {**record, "indexed": sorted((indexed | searchable) - gone), "overlay": layer,
                "recent": top}  # fmt: skip

    @staticmethod
    def changed(done: Finish, record: dict, pages: Mapping[str, str]
                ) -> tuple[dict[str, str], list[str]]:  # fmt: skip
        """The pages changed, added or removed since the shards were made, each with
        its id in its shard ("" if it is in none yet; filled in by `overlays`); and
        those changed, added or removed since the overlay was made."""
        members = dict(record["overlay"]["members"])
        before = set(record["indexed"])
        changed = [
            name
            for name, digest in pages.items()
            if name not in before or getattr(done.live_files.get(name), "digest", "") != digest
        ]
        gone = before - pages.keys()
        note_changes(members, before, changed, gone)
        return members, sorted({*record["recent"]["members"], *changed, *gone})

    def overlays(self, done: Finish, bundle: Path, live: Path, record: dict,
                 pages: Mapping[str, str], members: dict[str, str], recent: list[str]
                 ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:  # fmt: skip
        """Index the changed pages into the overlay's layers: the recent pages (those
        changed since the overlay was made) into the recent layer while there are few,
        else all of them into the overlay, made again. What the record keeps of each
        layer, and the page ids gone stale in the shards and the overlay."""
        count = len(record["shards"])
        unknown = {shard_of(name, count) for name, found in members.items() if found == "?"}
        for number in unknown:
            ids = self.shard_ids(live / str(number), number, record["shards"][number])
            for name, found in members.items():
                if found == "?" and shard_of(name, count) == number:
                    members[name] = ids.get(name, "")
        old = record["overlay"]
        kept = (old.get("pages") is not None and len(recent) <= RECENT_PAGES
                and linked_layer(live / OVERLAY, bundle / OVERLAY, old))  # fmt: skip
        if kept:
            layer = {**old, "members": members}
        else:
            layer = {**self.layer(done, OVERLAY, live, old, list(members), pages, members),
                     "members": members}  # fmt: skip
            recent = []
        top: dict[str, Any] = {"members": recent}
        if recent:
            top |= self.layer(done, RECENT, live, record["recent"], recent, pages, members)
        else:
            shutil.rmtree(bundle / RECENT, ignore_errors=True)
        stale = set()
        for name, in_shard in members.items():
            now = layer["held"].get(name)
            older = {in_shard}
            if name in top["members"]:
                older.add(now)  # the overlay's entry, if any, is the older one now
                now = top["held"].get(name)
            stale |= older - {now, None, ""}
        return layer, top, sorted(stale)

    def layer(self, done: Finish, name: str, live: Path, old: dict, changed: list[str],
              pages: Mapping[str, str], members: Mapping[str, str]) -> dict[str, Any]:  # fmt: skip
        """Index the `changed` pages that are still pages, with the ballast, into the
        layer `name` of the index (linked from the live one if made of the same pages);
        what the record keeps of it, with the page ids of the changed pages it holds."""
        indexed = {page: pages[page] for page in changed if page in pages}
        indexed.update((page, pages[page]) for page in ballast(pages, members))
        output, print_ = done.folder / BUNDLE / name, members_print(indexed)
        kept = old.get("pages") == print_ and linked_layer(live / name, output, old)
        if kept:
            ids = page_ids(output)
        else:
            ids = self.index_shards(done.folder, {output: sorted(indexed)})[output]
        held = {page: ids[page] for page in changed if page in ids}
        return {"pages": print_, "entry": entry_inode(output), "count": len(ids), "held": held}

    def shard_ids(self, shard: Path, number: int, recorded: dict) -> dict[str, str]:
        """The page ids of the live `shard` (as `recorded`): those kept, if kept for the
        same shard, else read from its fragment files (a full shard has a thousand
        to open: kept in `ids` for the build to keep)."""
        made = f"{recorded.get('pages')} {recorded.get('entry')}"
        kept = self.ids.get(number)
        if kept is not None and kept[0] == made:
            return kept[1]
        ids = page_ids(shard)
        self.ids[number] = (made, ids)
        return ids

    @staticmethod
    def searchable(done: Finish, record: dict | None) -> dict[str, str]:
        """The HTML pages Pagefind indexes (those marked `data-pagefind-body`), with
        their digests. A page the live site holds with the same bytes is indexed if
        it was; any other page is read to find out."""
        before = set(record["indexed"]) if record else None
        pages = {}
        for name, stamp in done.files.items():
            if not name.endswith(".html"):
                continue
            live = done.live_files.get(name)
            if before is not None and live is not None and live.digest == stamp.digest:
                indexed = name in before
            else:
                indexed = INDEXED_MARK in (done.folder / name).read_bytes()
            if indexed:
                pages[name] = stamp.digest
        return pages


def search_index(
    names: Iterable[str],
    out: Path,
    directory_links: bool,
    keep_existing: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchIndex:
    """Plan the index of a build whose output files are `names`.

    With `keep_existing` (serve) the live index is kept whatever changed. `jobs`:
    how many shards are indexed at once (None: one per core); `progress(done, total)`
    is told of the bundles indexed.
    """
    for name in names:
        if name == BUNDLE or name.startswith(f"{BUNDLE}/"):
            raise SearchIndexError(out, f"a file or folder already named '{BUNDLE}/' ({name})")
    return SearchIndex(not directory_links, keep_existing, jobs, progress)
