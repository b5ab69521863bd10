"""The persistent build cache: an SQLite database in `.cache/` beside `content/`.

It keeps what the last successful build produced, so the next build in a new
process does only what changed since: every input file's digest, each page's
bytes and template, the findings, and the dependency graph (`deps`) that
decides which pages a change makes stale. Like Lektor's build database it is
embedded, crash-safe (one transaction per save) and inspectable with `sqlite3`.

It is never trusted blindly: a file that is not our database, of another
schema or generator version, or that fails to read is set aside with a
warning and the site is built from scratch.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .deps import DependencyGraph, TemplateFacts
from .findings import Finding, Severity, warning
from .load import RawDocument, display, walk
from .render import RenderedPage, unpack
from .write import RACY_NS, digest_of

SCHEMA = 7  # 4: pages' bytes kept compressed; 5: compiled templates; 6: document prints;
# 7: the graph's pages and fingerprints kept apart
CACHE_DIR = ".cache"
CACHE_FILE = "sitegen.sqlite"
GENERATOR_FILES = Path(__file__).parent


def cache_path(content: Path) -> Path:
    return content.absolute().parent / CACHE_DIR / CACHE_FILE


def not_an_input(name: str) -> bool:
    """Hidden files and compiled Python are no input of a build."""
    return name.startswith(".") or name == "__pycache__" or name.endswith(".pyc")


def walk_files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every file under `folder` (hidden ones and compiled Python left out), by its
    path inside `folder`, with its `stat`."""
    for name, entry in walk(folder, skip=not_an_input):
        if entry.is_file():
            yield name, entry.stat()


Stamps = dict[str, tuple[int, int, int, str]]  # key -> size, mtime_ns, inode, digest
# (kind, content path) -> (the file's digest, the context, the findings)
StoredFindings = dict[tuple[str, str], tuple[str, str, list[Finding]]]
# Jinja's compiled templates by bucket key (`render.MemoryBytecodeCache`), and each
# template's facts with the digest of its source (`deps.TEMPLATE_FACTS`).
TemplateMemos = tuple[dict[str, bytes], dict[str, tuple[str, TemplateFacts]]]
# A document's fingerprints (`deps.document_prints`), kept with its file's reading:
# the fingerprint of the settings they were made under, then the two prints.
KeptPrints = tuple[str, str, str]
Reading = tuple[RawDocument, list[Finding], KeptPrints | None]


def input_digests(
    content: Path, templates: Path, known: Stamps | None = None, known_at: int = 0
) -> tuple[dict[str, str], Stamps]:
    """A digest of every file a build reads, the generator's own code included, and
    the stamps to give as `known` next time.

    A file whose size, time and inode are as `known` recorded at `known_at`
    (nanoseconds) keeps its recorded digest without being read, unless it was
    changed so close to that moment that a later change could carry the same time.
    """
    digests = {"generator": __version__}
    stamps: Stamps = {}
    known = known or {}
    for label, folder in (("content", content), ("templates", templates),
                          ("sitegen", GENERATOR_FILES)):  # fmt: skip
        for name, info in walk_files(folder):
            key = f"{label}/{name}"
            stamp = known.get(key)
            if (
                stamp is None
                or stamp[:3] != (info.st_size, info.st_mtime_ns, info.st_ino)
                or info.st_mtime_ns >= known_at - RACY_NS
            ):
                data = (folder / name).read_bytes()
                stamp = (info.st_size, info.st_mtime_ns, info.st_ino, digest_of(data))
            stamps[key] = stamp
            digests[key] = stamp[3]
    return dict(sorted(digests.items())), stamps


class CacheDamageError(ValueError):
    """The cache does not hold what it recorded: it is set aside, the site rebuilt."""


def pages_print(pages: list[tuple[str, str]]) -> str:
    lines = sorted(f"{url} {digest}" for url, digest in pages)
    return digest_of("\n".join(lines).encode("utf-8"))


class PageStore:
    """Reads recorded pages' compressed bytes on a read-only connection of its own,
    opened on first use, so that pages taken from the cache stay readable after
    the build that took them has closed it. A page is read only with the digest it
    was recorded with: a later build may have recorded other bytes since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def __call__(self, url: str, digest: str) -> bytes:
        if self.connection is None:
            self.connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        row = self.connection.execute(
            "SELECT content FROM pages WHERE url = ? AND digest = ?", (url, digest)
        ).fetchone()
        if row is None:
            raise CacheDamageError(f"the build cache no longer holds the page '{url}'")
        packed = bytes(row[0])
        if digest_of(unpack(packed)) != digest:
            raise CacheDamageError(f"the build cache holds other bytes for the page '{url}'")
        return packed


class BuildCache:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.graph_pages: dict[str, frozenset[str]] | None = None  # as `graph()` read them
        self.store = PageStore(path)  # recorded pages' bytes, readable after `close`

    @classmethod
    def open(cls, content: Path) -> tuple[BuildCache | None, list[Finding]]:
        path = cache_path(content)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            cache = cls(sqlite3.connect(path, isolation_level=None), path)
            cache._prepare()
            return cache, []
        except (sqlite3.DatabaseError, OSError, ValueError, KeyError) as exc:
            try:
                problem = set_aside(path, exc)
                cache = cls(sqlite3.connect(path, isolation_level=None), path)
                cache._prepare()
                return cache, [problem]
            except (sqlite3.DatabaseError, OSError) as again:
                message = f"expected a writable cache, found {again}; building without one"
                return None, [warning(display(path), 1, 1, "cache", message)]

    def set_aside(self, exc: BaseException) -> Finding:
        """Move a damaged cache out of the way (the next build starts a new one)."""
        try:
            return set_aside(self.path, exc)
        except OSError as again:
            return warning(display(self.path), 1, 1, "cache",
                           f"expected a usable cache, found {exc} and could not set it aside "
                           f"({again}); the site was built from scratch")  # fmt: skip

    def _prepare(self) -> None:
        db = self.connection
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        stamp = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if stamp and (stamp.get("schema") != str(SCHEMA) or stamp.get("generator") != __version__):
            db.executescript(
                "DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS state;"
                " DROP TABLE IF EXISTS file_findings; DROP TABLE IF EXISTS read_files;"
                " DROP TABLE IF EXISTS templates;"
                " DELETE FROM meta;"
            )
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS pages (
                url TEXT PRIMARY KEY, template TEXT NOT NULL, evidence TEXT,
                content BLOB NOT NULL, digest TEXT NOT NULL,
                findings TEXT NOT NULL, checks TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS read_files (
                path TEXT PRIMARY KEY, display TEXT NOT NULL, digest TEXT NOT NULL,
                code TEXT NOT NULL, reading BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS file_findings (
                kind TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL,
                context TEXT NOT NULL, findings TEXT NOT NULL, PRIMARY KEY (kind, path));
            CREATE TABLE IF NOT EXISTS templates (code TEXT NOT NULL, memos BLOB NOT NULL);
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?), ('generator', ?)",
                   (str(SCHEMA), __version__))  # fmt: skip
        db.execute("SELECT count(*) FROM pages").fetchone()  # fails now if the file is damaged

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All of the block's writes, or none of them."""
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def state(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def last_build(self) -> tuple[dict[str, str], str] | None:
        """The input digests and options key of the last successful build, if any."""
        digests, options = self.state("digests"), self.state("options")
        return (json.loads(digests), options) if digests and options else None

    def graph(self) -> DependencyGraph | None:
        pages, prints = self.state("graph_pages"), self.state("graph_prints")
        if not pages or not prints:
            return None
        graph = DependencyGraph.from_json(pages, prints)
        self.graph_pages = graph.pages
        return graph

    def findings(self) -> list[Finding]:
        text = self.state("findings")
        return load_findings(text) if text else []

    def pages(
        self,
    ) -> tuple[list[RenderedPage], dict[str, list[Finding]], dict[str, list[Finding]]]:
        """The recorded pages, each page's render findings and its output-check findings.

        A page's bytes are read only if wanted (most are not: an unchanged page is
        linked, not written), through a connection of their own that outlives this one.
        """
        rows = self.connection.execute(
            "SELECT url, template, evidence, digest, findings, checks FROM pages ORDER BY rowid"
        ).fetchall()
        self.verify([(row[0], row[3]) for row in rows])
        store = self.store
        pages, findings, checks = [], {}, {}
        for url, template, evidence, digest, found, checked in rows:
            pages.append(RenderedPage(url, template, evidence, digest, partial(store, url, digest)))
            findings[url] = load_findings(found)
            checks[url] = load_findings(checked)
        return pages, findings, checks

    def digests(self) -> list[tuple[str, str]]:
        """Each recorded page's URL and the digest of its bytes, without the bytes."""
        rows = self.connection.execute("SELECT url, digest FROM pages ORDER BY rowid").fetchall()
        return self.verify(rows)

    def verify(self, pages: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """`pages` (URL, digest), if they are exactly the pages the last build recorded
        (their list's print is kept with it); a `CacheDamageError` otherwise."""
        if self.state("pages_print") != pages_print(pages):
            raise CacheDamageError("the recorded pages are not those the last build saved")
        return pages

    def content(self, url: str, digest: str) -> bytes:
        """A recorded page's bytes, which must be those of `digest`."""
        return unpack(self.store(url, digest))

    def stamps(self) -> tuple[Stamps, int]:
        """The input files' stamps recorded with the last build, and when they were taken."""
        text = self.state("stamps")
        if not text:
            return {}, 0
        data = json.loads(text)
        return {key: tuple(value) for key, value in data["files"].items()}, int(data["at"])

    def save(
        self,
        digests: dict[str, str],
        options: str,
        today: str,
        pages: list[RenderedPage],
        page_findings: dict[str, list[Finding]],
        checks: dict[str, list[Finding]],
        check_context: str,
        findings: list[Finding],
        graph: DependencyGraph | None,
        changed: set[str] | None,
        stamps: tuple[Stamps, int] = ({}, 0),
    ) -> None:
        """Record a successful build in one transaction; `changed` limits the rows rewritten."""
        rows = [
            (
                page.url,
                page.template,
                page.evidence,
                page.packed_bytes,
                page.digest,
                dump_findings(page_findings.get(page.url, [])),
                dump_findings(checks.get(page.url, [])),
            )
            for page in pages
            if changed is None or page.url in changed
        ]  # fmt: skip  (read before writing: a recorded page's bytes come from this file)
        with self.transaction() as db:
            urls = [page.url for page in pages]
            if changed is None:
                db.execute("DELETE FROM pages")
            else:
                known = {row[0] for row in db.execute("SELECT url FROM pages")}
                gone = known - set(urls)
                db.executemany("DELETE FROM pages WHERE url = ?", [(url,) for url in gone])
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            state = {
                "digests": json.dumps(digests, sort_keys=True),
                "options": options,
                "today": today,  # the findings and the pages' date inputs hold for this day
                "findings": dump_findings(findings),
                "pages_print": pages_print([(page.url, page.digest) for page in pages]),
                "graph_prints": graph.prints_json() if graph else "",
                "check_context": check_context,
                "stamps": json.dumps({"files": stamps[0], "at": stamps[1]}),
            }
            if graph is None or graph.pages != self.graph_pages:  # what pages read changed
                state["graph_pages"] = graph.pages_json() if graph else ""
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", list(state.items()))

    def stored_findings(self) -> StoredFindings:
        """Per-file findings (lint, quality) by (kind, content path), each with the
        digest of the file and the context (rules, settings, date) they were found under."""
        rows = self.connection.execute(
            "SELECT kind, path, digest, context, findings FROM file_findings"
        )
        return {
            (kind, path): (digest, context, load_findings(found))
            for kind, path, digest, context, found in rows
        }

    def save_stored_findings(
        self,
        current: StoredFindings,
        before: StoredFindings,
        gone: list[tuple[str, str]],
    ) -> None:
        """Record `current`, writing only the rows that differ from `before`, and
        forget the findings of files that are `gone`."""
        with self.transaction() as db:
            db.executemany("DELETE FROM file_findings WHERE kind = ? AND path = ?", gone)
            db.executemany(
                "INSERT OR REPLACE INTO file_findings VALUES (?, ?, ?, ?, ?)",
                [
                    (kind, path, digest, context, dump_findings(found))
                    for (kind, path), (digest, context, found) in current.items()
                    if before.get((kind, path)) != (digest, context, found)
                ],
            )

    def readings(
        self, content: Path, digests: dict[str, str], code: str
    ) -> Iterator[tuple[str, Reading]]:
        """Content files as the loader read them (and their documents' fingerprints),
        for the files whose bytes are still those that were read (same digest), seen
        from the same folder, by the same code.

        Readings are pickled: the cache is local to the project, and one that does not
        unpickle to what the loader makes is skipped, like any other damage.
        """
        rows = self.connection.execute(
            "SELECT path, display, digest, reading FROM read_files WHERE code = ?", (code,)
        )
        root = display(content)
        prefix = "" if root == "." else f"{root}/"
        folder = os.fspath(content)
        for name, shown, digest, reading in rows:
            if digests.get(name) != digest or shown != prefix + name:
                continue  # changed, or seen from another folder (paths in findings differ)
            path = os.path.join(folder, name)  # a string: 10,000 Paths would cost 0.1 s
            try:
                doc, findings, prints = pickle.loads(reading)
            except Exception:  # any damage means: read the file again
                continue
            if isinstance(doc, RawDocument) and isinstance(findings, list):
                yield path, (doc, findings, prints if valid(prints) else None)

    def save_readings(self, fresh: list[Reading], digests: dict[str, str], code: str) -> None:
        """Record the files read or fingerprinted afresh (under the digests taken
        before they were read) and forget files that are gone."""
        with self.transaction() as db:
            known = [row[0] for row in db.execute("SELECT path FROM read_files")]
            db.executemany(
                "DELETE FROM read_files WHERE path = ?",
                [(name,) for name in known if name not in digests],
            )
            db.executemany(
                "INSERT OR REPLACE INTO read_files VALUES (?, ?, ?, ?, ?)",
                [
                    (doc.content_path, doc.display_path, digests[doc.content_path], code,
                     pickle.dumps((doc, findings, prints), protocol=pickle.HIGHEST_PROTOCOL))
                    for doc, findings, prints in fresh
                    if doc.content_path in digests
                ],
            )  # fmt: skip

    def templates(self, code: str) -> TemplateMemos | None:
        """The compiled templates and template facts kept by the same code and Jinja
        (each entry is checked against its template's source when used), if readable."""
        row = self.connection.execute(
            "SELECT memos FROM templates WHERE code = ?", (templates_key(code),)
        ).fetchone()
        try:
            bytecode, facts = pickle.loads(row[0]) if row else (None, None)
        except Exception:  # any damage means: compile and parse again
            return None
        if not isinstance(bytecode, dict) or not isinstance(facts, dict):
            return None
        kept_facts = {
            name: entry
            for name, entry in facts.items()
            if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], TemplateFacts)
        }
        return {k: v for k, v in bytecode.items() if isinstance(v, bytes)}, kept_facts

    def save_templates(self, memos: TemplateMemos, code: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM templates")
            db.execute(
                "INSERT INTO templates VALUES (?, ?)",
                (templates_key(code), pickle.dumps(memos, protocol=pickle.HIGHEST_PROTOCOL)),
            )

    def close(self) -> None:
        self.connection.close()


def set_aside(path: Path, exc: BaseException) -> Finding:
    """Rename the cache file at `path` to `….unreadable`; the warning that says so."""
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        companion.unlink(missing_ok=True)
    path.replace(path.with_suffix(".sqlite.unreadable"))
    return warning(display(path), 1, 1, "cache",
                   f"expected sitegen's build cache, found an unreadable file ({exc}); "
                   "it was set aside and the site is built from scratch")  # fmt: skip


def valid(prints: Any) -> bool:
    """Kept fingerprints have the shape `KeptPrints` (any others are not used)."""
    return (
        isinstance(prints, tuple) and len(prints) == 3 and all(isinstance(p, str) for p in prints)
    )


def templates_key(code: str) -> str:
    """Compiled templates hold for the code that compiled them and Jinja's version."""
    return f"{code} jinja2 {jinja2.__version__}"


def dump_findings(findings: list[Finding]) -> str:
    """Findings as JSON, one object each with the fields by name (inspectable)."""
    if not findings:
        return "[]"
    return json.dumps(
        [
            {
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "field": f.field,
                "message": f.message,
                "severity": f.severity.value,
            }
            for f in findings
        ]
    )  # fmt: skip  (not `asdict`, which copies each value deeply: five times slower)


def load_findings(text: str) -> list[Finding]:
    if text == "[]":  # most files and pages have none: no need to parse
        return []
    return [
        Finding(item["path"], item["line"], item["col"], item["field"], item["message"],
                Severity(item["severity"]))
        for item in json.loads(text)
    ]  # fmt: skip


def clean(content: Path) -> list[Path]:
    """Remove the build cache; returns what was removed."""
    folder = cache_path(content).parent
    removed = [path for path in folder.glob(f"{CACHE_FILE}*") if path.is_file()]
    for path in removed:
        path.unlink()
    return removed
