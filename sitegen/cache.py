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

import hashlib
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .deps import DependencyGraph
from .findings import Finding, Severity, warning
from .load import display, files_under
from .render import RenderedPage

SCHEMA = 2
CACHE_DIR = ".cache"
CACHE_FILE = "sitegen.sqlite"
GENERATOR_FILES = Path(__file__).parent


def cache_path(content: Path) -> Path:
    return content.absolute().parent / CACHE_DIR / CACHE_FILE


def input_digests(content: Path, templates: Path) -> dict[str, str]:
    """A digest of every file a build reads, the generator's own code included."""
    digests = {"generator": __version__}
    for label, folder in (
        ("content", content),
        ("templates", templates),
        ("sitegen", GENERATOR_FILES),
    ):
        for path in files_under(folder):
            if path.suffix == ".pyc" or "__pycache__" in path.parts:
                continue
            key = f"{label}/{path.relative_to(folder).as_posix()}"
            digests[key] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return digests


class BuildCache:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, content: Path) -> tuple[BuildCache | None, list[Finding]]:
        path = cache_path(content)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            cache = cls(sqlite3.connect(path, isolation_level=None), path)
            cache._prepare()
            return cache, []
        except (sqlite3.DatabaseError, OSError, ValueError, KeyError) as exc:
            problem = warning(display(path), 1, 1, "cache",
                              f"expected sitegen's build cache, found an unreadable file ({exc}); "
                              "it was set aside and the site is built from scratch")  # fmt: skip
            try:
                path.replace(path.with_suffix(".sqlite.unreadable"))
                cache = cls(sqlite3.connect(path, isolation_level=None), path)
                cache._prepare()
                return cache, [problem]
            except (sqlite3.DatabaseError, OSError) as again:
                message = f"expected a writable cache, found {again}; building without one"
                return None, [warning(display(path), 1, 1, "cache", message)]

    def _prepare(self) -> None:
        db = self.connection
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        stamp = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if stamp and (stamp.get("schema") != str(SCHEMA) or stamp.get("generator") != __version__):
            db.executescript(
                "DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS state; DELETE FROM meta;"
            )
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS pages (
                url TEXT PRIMARY KEY, template TEXT NOT NULL, evidence TEXT,
                content BLOB NOT NULL, findings TEXT NOT NULL, checks TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?), ('generator', ?)",
                   (str(SCHEMA), __version__))  # fmt: skip
        db.execute("SELECT count(*) FROM pages").fetchone()  # fails now if the file is damaged

    def state(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def last_build(self) -> tuple[dict[str, str], str] | None:
        """The input digests and options key of the last successful build, if any."""
        digests, options = self.state("digests"), self.state("options")
        return (json.loads(digests), options) if digests and options else None

    def graph(self) -> DependencyGraph | None:
        text = self.state("graph")
        return DependencyGraph.from_json(text) if text else None

    def findings(self) -> list[Finding]:
        text = self.state("findings")
        return [finding_from_dict(item) for item in json.loads(text)] if text else []

    def pages(
        self,
    ) -> tuple[list[RenderedPage], dict[str, list[Finding]], dict[str, list[Finding]]]:
        """The recorded pages, each page's render findings and its output-check findings."""
        rows = self.connection.execute(
            "SELECT url, template, evidence, content, findings, checks FROM pages ORDER BY rowid"
        )
        pages, findings, checks = [], {}, {}
        for url, template, evidence, content, found, checked in rows:
            pages.append(RenderedPage(url, bytes(content), template, evidence))
            findings[url] = [finding_from_dict(item) for item in json.loads(found)]
            checks[url] = [finding_from_dict(item) for item in json.loads(checked)]
        return pages, findings, checks

    def save(
        self,
        digests: dict[str, str],
        options: str,
        pages: list[RenderedPage],
        page_findings: dict[str, list[Finding]],
        checks: dict[str, list[Finding]],
        check_context: str,
        findings: list[Finding],
        graph: DependencyGraph | None,
        changed: set[str] | None,
    ) -> None:
        """Record a successful build in one transaction; `changed` limits the rows rewritten."""
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            urls = [page.url for page in pages]
            if changed is None:
                db.execute("DELETE FROM pages")
            else:
                known = {row[0] for row in db.execute("SELECT url FROM pages")}
                gone = known - set(urls)
                db.executemany("DELETE FROM pages WHERE url = ?", [(url,) for url in gone])
            db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (page.url, page.template, page.evidence, page.content,
                     json.dumps([asdict(f) for f in page_findings.get(page.url, [])]),
                     json.dumps([asdict(f) for f in checks.get(page.url, [])]))
                    for page in pages
                    if changed is None or page.url in changed
                ],
            )  # fmt: skip
            state = {
                "digests": json.dumps(digests, sort_keys=True),
                "options": options,
                "findings": json.dumps([asdict(f) for f in findings]),
                "graph": graph.to_json() if graph else "",
                "check_context": check_context,
            }
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", list(state.items()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.connection.close()


def finding_from_dict(item: dict) -> Finding:
    return Finding(item["path"], item["line"], item["col"], item["field"], item["message"],
                   Severity(item["severity"]))  # fmt: skip


def clean(content: Path) -> list[Path]:
    """Remove the build cache; returns what was removed."""
    folder = cache_path(content).parent
    removed = [path for path in folder.glob(f"{CACHE_FILE}*") if path.is_file()]
    for path in removed:
        path.unlink()
    return removed
