"""The store: every piece of work a later build may reuse, and what each page read.

One SQLite database (`.cache/sitegen.sqlite` beside `content/`; a temporary
file with `--no-cache`) holds two things:

- **Entries**: a step's result for one thing, `(step, key) -> (context, value,
  data)`. The context is the digest of everything the result was made from
  (the bytes parsed, the settings, the generator's code); a result is reused
  only under the same context. Values are JSON; data (page bytes, a
  document's validated front matter) is bytes read only when wanted.
- **The record of reads**: which keys each page read while it rendered
  (`reads`), and the print of each key's value when it was last read
  (`prints`). A page is rendered again when a key it read changed. A read is
  a pair of numbers, each key and page URL being numbered once (`names`): a
  large site's cold build records about a hundred reads a page.

It holds data (no pickle), and it checks what it gives back: every row
carries a checksum of its contents and the tables' row counts are kept with
them, so a damaged or foreign file raises `StoreDamageError` (the build sets
the file aside and starts afresh) instead of making a wrong site. The one
kind of code it keeps, Jinja's compiled templates, is sealed with a key only
this user can read (`sealing_key`, outside the project): a store copied from
another machine or user, or altered, runs nothing; its code is compiled again.
A build's writes are kept in memory and committed in one transaction once its
new site folder is complete (while Pagefind indexes it, or before the swap): a
build killed before then leaves the store as the last finished build left it,
and one killed after leaves what the next build writes the site from.

The database is opened once per process; a worker process forked from the
build opens its own read-only connection. Processes may share a store (`serve`
and a `python build.py check` beside it): a build holds the store's lock while
it runs, and starts by forgetting what it read of the store before if another
process has committed to it since.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import tempfile
import weakref
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

SCHEMA = 13  # 13: reads as numbered names
CACHE_DIR = ".cache"
CACHE_FILE = "sitegen.sqlite"
TABLES = ("steps", "data", "prints", "reads", "names")
BUCKETS = 64  # rows a step's entries are kept in
BULK_READS = 50_000  # reads inserted at once past which their index is rebuilt, not updated
PAGE_BITS = (1 << 32) - 1  # a read's page number, below its key's (`write_reads`)
CHUNK = 500  # keys per query (SQLite's limit on bound parameters is higher)
KEY_FILE = "sitegen/code.key"  # in the user's cache folder (`sealing_key`)
KEY_BYTES = 32


class StoreDamageError(Exception):
    """The store does not hold what it recorded: it cannot be trusted."""


class Entry(NamedTuple):
    """A step's result for one key, and the context it was made in."""

    context: str
    value: Any


def cache_path(content: Path) -> Path:
    return content.absolute().parent / CACHE_DIR / CACHE_FILE


@functools.lru_cache(maxsize=1 << 17)  # a commit sorts every entry of a step it changed
def bucket_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % BUCKETS


def row_check(*parts: str) -> str:
    """A checksum of a row's fields (CRC-32: it is there to find damage, not forgery)."""
    return format(zlib.crc32("\0".join(parts).encode("utf-8")), "08x")


def data_check(data: bytes | None) -> str:
    return "" if data is None else format(zlib.crc32(data), "08x")


def sealing_key() -> bytes | None:
    """This user's key for the code a store keeps: random bytes in the user's own
    cache folder (`$XDG_CACHE_HOME`, else `~/.cache`), made on first use. None where
    it cannot be made or read, or is not this user's alone (another's file, or one
    others may read or write): then no code is kept in a store or taken from one."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(cache) / KEY_FILE
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            make_key(path)
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as file:
            info = os.fstat(file.fileno())
            key = file.read(KEY_BYTES + 1)
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or len(key) != KEY_BYTES:
        return None
    return key


def make_key(path: Path) -> None:
    """A new key at `path`, whole or not at all: written beside it, then linked to its
    name (a build making one at the same moment keeps the first)."""
    scratch = path.with_name(f"{path.name}.{secrets.token_hex(6)}")
    with open(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(secrets.token_bytes(KEY_BYTES))
    try:
        with contextlib.suppress(FileExistsError):
            os.link(scratch, path)
    finally:
        scratch.unlink()


class Store:
    def __init__(self, path: Path, temporary: bool = False, keeps: bool = True) -> None:
        self.path = path
        self.temporary = temporary
        self.keeps = keeps  # False: nothing is committed (`temporary_store`)
        self._pid = os.getpid()
        self._db = self._connect(writable=True)
        self.memo: dict[str, dict[str, Entry]] = {}  # step -> key -> entry, pending ones too
        # step -> key -> entry (None: dropped): put to steps not read (see `put`)
        self.unread: dict[str, dict[str, Entry | None]] = {}
        self.changed: set[tuple[str, int]] = set()  # (step, bucket) to write
        self.pending_data: dict[tuple[str, str], bytes | None] = {}
        self.pending_prints: dict[str, str] = {}
        self.pending_reads: dict[str, frozenset[str] | None] = {}  # url -> keys (None: gone)
        self.numbers: dict[str, int] = {}  # key or URL -> its number in `names`, as committed
        self.commits = 0  # commits seen: this object's, and one for others' since a build
        self.forget_reads = False
        self.cleared = False  # everything kept is to be forgotten at the commit
        self.verified: set[str] = set()  # tables whose row counts were checked
        self.counts: dict[str, str] = {}
        self._prepare()
        self._version = self._data_version()
        # A temporary store's files go when it is closed, or else when it is collected or
        # the process ends (a `serve` stopped, a session never closed); never in a
        # worker forked from this process, which shares the object but not its files.
        self._remove = (
            weakref.finalize(self, remove_store, path, os.getpid()) if temporary else None
        )

    # Opening --------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        """The store at `path`, made if missing; `StoreDamageError` if it is not ours
        or not whole, `OSError` if it cannot be made."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls(path)
        except sqlite3.DatabaseError as exc:
            raise StoreDamageError(str(exc)) from exc

    @classmethod
    def temporary_store(cls, keeps: bool = True) -> Store:
        """A store that lasts as long as this object (`--no-cache`). `keeps`: False for
        one that serves a single build, which then commits nothing: what a next build
        would reuse is not worth working out, as none will."""
        handle, name = tempfile.mkstemp(prefix="sitegen-", suffix=".sqlite")
        os.close(handle)
        os.unlink(name)
        return cls(Path(name), temporary=True, keeps=keeps)

    def _connect(self, writable: bool) -> sqlite3.Connection:
        if writable:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        else:
            db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                 isolation_level=None, check_same_thread=False)  # fmt: skip
        db.execute("PRAGMA cache_size = -16384")  # 16 MB
        return db

    def _prepare(self) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta and meta.get("schema") != str(SCHEMA):
            db.executescript(
                "DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS steps;"
                " DROP TABLE IF EXISTS data; DROP TABLE IF EXISTS prints;"
                " DROP TABLE IF EXISTS reads; DROP TABLE IF EXISTS names; DELETE FROM meta;"
            )
            meta = {}
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS steps (
                step TEXT NOT NULL, bucket INTEGER NOT NULL, entries TEXT NOT NULL,
                checksum TEXT NOT NULL, PRIMARY KEY (step, bucket));
            CREATE TABLE IF NOT EXISTS data (
                step TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,
                checksum TEXT NOT NULL, PRIMARY KEY (step, key));
            CREATE TABLE IF NOT EXISTS prints (
                key TEXT PRIMARY KEY, print TEXT NOT NULL, checksum TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS reads (
                key INTEGER NOT NULL, url INTEGER NOT NULL, PRIMARY KEY (key, url)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS reads_by_url ON reads (url);
            """
        )
        if not meta:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("schema", str(SCHEMA)), *((f"count:{table}", "0") for table in TABLES)],
            )
            self.verified = set(TABLES)
            return
        self.counts = meta
        self.verify("steps", "data")  # the record of reads is verified when first read

    def _data_version(self) -> int:
        """SQLite's count of commits by other connections (`PRAGMA data_version`)."""
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def held(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the store for one build, so that no other process commits to it between
        what this build reads and what it commits (`waiting` is told if another holds
        it); what this process read of it before is forgotten if another committed."""
        if self.temporary:
            yield
            return
        with open(self.path.with_suffix(".lock"), "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self.refresh()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def refresh(self) -> None:
        """Forget the entries read and the row counts known if another process has
        committed to the store since they were read."""
        version = self._data_version()
        if version == self._version:
            return
        self._version = version
        self.commits += 1
        self.memo.clear()
        self.numbers.clear()
        self.counts = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        self.verified.clear()
        self.verify("steps", "data")

    def verify(self, *tables: str) -> None:
        """Check that `tables` hold as many rows as the last commit left in them (once
        each, and the record of reads only when it is read: counting a large site's
        reads is work a build that changes nothing can skip)."""
        for table in tables:
            if table in self.verified:
                continue
            counted = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if str(counted) != self.counts.get(f"count:{table}"):
                raise StoreDamageError(f"the table {table} has lost or gained rows")
            self.verified.add(table)

    def connection(self) -> sqlite3.Connection:
        """This process's connection: a forked worker opens a read-only one of its own."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._db = self._connect(writable=False)
        return self._db

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._remove is not None:
            self._remove()

    # Entries --------------------------------------------------------------------

    def entry(self, step: str, key: str) -> Entry | None:
        return self.entries(step).get(key)

    def reusable(self, step: str, key: str, context: str) -> Any:
        """The value of `step` for `key` if it was made under `context`; else `...`."""
        entry = self.entries(step).get(key)
        return entry.value if entry is not None and entry.context == context else ...

    def entries(self, step: str) -> dict[str, Entry]:
        """Every entry of `step` (their values; data is read only when asked for).

        A step's entries are kept in `BUCKETS` rows by a hash of their key: a build
        asks for all of them (a few rows read far faster than thousands), and a
        change rewrites only the rows of the entries it changed.
        """
        found = self.memo.get(step)
        if found is None and self.cleared:
            found = self.memo[step] = {}
        if found is None:
            rows = self.connection().execute(
                "SELECT bucket, entries, checksum FROM steps WHERE step = ?", (step,)
            )
            found = self.memo[step] = self.read_rows(step, rows)
        return found

    def read_rows(self, step: str, rows: Iterable[tuple[int, str, str]]) -> dict[str, Entry]:
        """The entries in `rows` of `step`, checked, with what this build put to the
        step before reading it laid over them (`unread`, then forgotten)."""
        found = {}
        for bucket, text, check in rows:
            if row_check(step, str(bucket), text) != check:
                raise StoreDamageError(f"the entries of {step} are not as they were written")
            found.update((key, Entry._make(pair)) for key, pair in json.loads(text).items())
        for key, entry in self.unread.pop(step, {}).items():
            if entry is None:
                found.pop(key, None)
            else:
                found[key] = entry
        return found

    def data(self, step: str, key: str) -> bytes | None:
        """The bytes kept with an entry, checked against their checksum."""
        if (step, key) in self.pending_data:
            return self.pending_data[(step, key)]
        row = (
            self.connection()
            .execute("SELECT data, checksum FROM data WHERE step = ? AND key = ?", (step, key))
            .fetchone()
        )
        if row is None:
            return None
        data = bytes(row[0])
        if data_check(data) != row[1]:
            raise StoreDamageError(f"the data of {step} {key} is not as it was written")
        return data

    def put(self, step: str, key: str, context: str, value: Any, data: bytes | None = None) -> None:
        """Keep `value` (and `data`) for `key` under `context`. A step this build has
        not read is not read for it: the commit reads only the rows it changes (a
        step's entries can weigh megabytes, and some are written far more than read)."""
        self.change(step, key, Entry(context, value))
        self.pending_data[(step, key)] = data

    def change(self, step: str, key: str, entry: Entry | None) -> None:
        entries = self.memo.get(step)
        if entries is None and self.cleared:
            entries = self.entries(step)
        if entries is None:
            self.unread.setdefault(step, {})[key] = entry
        elif entry is None:
            entries.pop(key, None)
        else:
            entries[key] = entry
        self.changed.add((step, bucket_of(key)))

    def put_code(self, step: str, key: str, context: str, code: bytes) -> None:
        """Keep `code` that a later build will run, sealed with this user's key (not kept
        if there is none)."""
        if self.code_key is not None:
            self.put(step, key, context, self.seal(step, key, context, code), code)

    def code(self, step: str, key: str, context: str) -> bytes | None:
        """The code `put_code` kept for `key` under `context`, if it carries this user's
        seal: never code from a store written elsewhere, by someone else, or altered."""
        entry = self.entry(step, key)
        if entry is None or entry.context != context or self.code_key is None:
            return None
        code = self.data(step, key)
        if code is None or not isinstance(entry.value, str):
            return None
        return (
            code if hmac.compare_digest(entry.value, self.seal(step, key, context, code)) else None
        )

    @functools.cached_property
    def code_key(self) -> bytes | None:
        return sealing_key()

    def seal(self, step: str, key: str, context: str, code: bytes) -> str:
        assert self.code_key is not None
        named = "\0".join((step, key, context, "")).encode("utf-8")
        return hmac.new(self.code_key, named + code, hashlib.sha256).hexdigest()

    def drop(self, step: str, key: str) -> None:
        self.change(step, key, None)
        self.pending_data[(step, key)] = None

    # The record of reads --------------------------------------------------------

    def prints(self, keys: Iterable[str]) -> dict[str, str]:
        """The recorded print of each of `keys` that has one."""
        self.verify("prints")
        found = {key: self.pending_prints[key] for key in keys if key in self.pending_prints}
        wanted = [key for key in keys if key not in found]
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            rows = self.connection().execute(
                f"SELECT key, print, checksum FROM prints WHERE key IN ({marks})", chunk
            )
            found.update(self._print_rows(rows))
        return found

    def prints_from(self, prefix: str) -> dict[str, str]:
        """The recorded print of every key that starts with `prefix`."""
        self.verify("prints")
        rows = self.connection().execute(
            "SELECT key, print, checksum FROM prints WHERE key >= ? AND key < ?",
            (prefix, prefix + "\U0010ffff"),
        )
        found = self._print_rows(rows)
        found.update((k, v) for k, v in self.pending_prints.items() if k.startswith(prefix))
        return found

    @staticmethod
    def _print_rows(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
        found = {}
        for key, print_, check in rows:
            if row_check(key, print_) != check:
                raise StoreDamageError(f"the print of {key} is not as it was written")
            found[key] = print_
        return found

    def readers(self, keys: Iterable[str]) -> set[str]:
        """The pages that read any of `keys` when they were last rendered."""
        self.verify("reads", "names")
        keys = list(keys)
        found: set[str] = set()
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self.connection().execute(
                "SELECT DISTINCT page.name FROM names AS key"
                " JOIN reads ON reads.key = key.id JOIN names AS page ON page.id = reads.url"
                f" WHERE key.name IN ({marks})",
                chunk,
            )
            found.update(url for (url,) in rows)
        wanted = set(keys)
        for url, read in self.pending_reads.items():
            if read is not None and not wanted.isdisjoint(read):
                found.add(url)
        return found

    def record(self, url: str, keys: frozenset[str] | None) -> None:
        """What the page at `url` read when it was rendered (None: the page is gone)."""
        self.pending_reads[url] = keys

    def clear(self) -> None:
        """Forget everything kept (for other code, or other folders)."""
        self.memo = {step: {} for step in self.memo}
        self.numbers.clear()
        self.clear_pending()
        self.cleared = True
        self.forget_reads = True

    def clear_reads(self) -> None:
        """Forget every page's reads and every print (a build that renders every page)."""
        self.forget_reads = True

    def set_prints(self, prints: dict[str, str]) -> None:
        self.pending_prints.update(prints)

    # State ----------------------------------------------------------------------

    def state(self, name: str) -> Any:
        entry = self.entry("state", name)
        return None if entry is None else entry.value

    def set_state(self, name: str, value: Any) -> None:
        self.put("state", name, "", value)

    # Committing -----------------------------------------------------------------

    def commit(self) -> None:
        """Write everything this build put, in one transaction (none if it put nothing)."""
        if not self.keeps:
            return  # what was put stays readable in memory for the rest of the build
        pending = self.pending_data or self.pending_prints or self.pending_reads
        if not (pending or self.changed or self.cleared or self.forget_reads):
            return
        db = self.connection()
        if (self.pending_reads or self.pending_prints) and not self.forget_reads:
            self.verify("reads", "prints", "names")  # never count a damaged table as whole again
        numbered: dict[str, int] = {}
        with transaction(db):
            if self.cleared:
                db.execute("DELETE FROM steps")
                db.execute("DELETE FROM data")
                self.changed = {(step, bucket) for step in self.memo for bucket in range(BUCKETS)}
            changed_in: dict[str, set[int]] = {}
            for step, bucket in self.changed:
                changed_in.setdefault(step, set()).add(bucket)
            for step, changed_buckets in changed_in.items():
                buckets = self.buckets(db, step, changed_buckets)
                for bucket_number, members in buckets.items():
                    text = json.dumps(members, separators=(",", ":"), ensure_ascii=False)
                    check = row_check(step, str(bucket_number), text)
                    db.execute("INSERT OR REPLACE INTO steps VALUES (?, ?, ?, ?)",
                               (step, bucket_number, text, check))  # fmt: skip
            for (step, key), data in self.pending_data.items():
                if data is None:
                    db.execute("DELETE FROM data WHERE step = ? AND key = ?", (step, key))
                else:
                    db.execute("INSERT OR REPLACE INTO data VALUES (?, ?, ?, ?)",
                               (step, key, data, data_check(data)))  # fmt: skip
            if self.forget_reads:
                for table in ("reads", "prints", "names"):
                    db.execute(f"DELETE FROM {table}")
                self.numbers.clear()
            db.executemany(
                "INSERT OR REPLACE INTO prints VALUES (?, ?, ?)",
                [(key, value, row_check(key, value)) for key, value in self.pending_prints.items()],
            )
            pruned = bool(self.pending_reads) and self.write_reads(db, numbered)
            written = {"steps"} if self.changed or self.cleared else set()
            if self.pending_data or self.cleared:
                written.add("data")
            if self.pending_reads or self.pending_prints or self.forget_reads:
                written |= {"reads", "prints", "names"}
            for table in written:
                counted = str(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"count:{table}", counted))
                self.counts[f"count:{table}"] = counted
        if pruned:
            self.numbers.clear()  # some names went with their pages
        else:
            self.numbers.update(numbered)
        self.changed.clear()
        self.clear_pending()
        self.commits += 1

    def buckets(self, db: sqlite3.Connection, step: str, numbers: set[int]
                ) -> dict[int, dict[str, list[Any]]]:  # fmt: skip
        """The entries of `step` in each of the rows `numbers`, as they are to be written:
        from those read, or, for a step only put to, from the rows as they are with
        this build's changes laid over them."""
        entries = self.memo.get(step)
        if entries is None:
            marks = ",".join("?" * len(numbers))
            rows = db.execute(
                "SELECT bucket, entries, checksum FROM steps"
                f" WHERE step = ? AND bucket IN ({marks})",
                (step, *numbers),
            )
            entries = self.read_rows(step, rows)
        buckets: dict[int, dict[str, list[Any]]] = {number: {} for number in numbers}
        for key, entry in entries.items():
            if (members := buckets.get(bucket_of(key))) is not None:
                members[key] = [entry.context, entry.value]
        return buckets

    def write_reads(self, db: sqlite3.Connection, numbered: dict[str, int]) -> bool:
        """Replace the recorded reads of each page in `pending_reads`, numbering the
        keys and URLs not numbered yet (in `numbered`, kept once committed); whether
        names went (with pages that went, if only they read them)."""
        pages = self.pending_reads
        numbers = self.number(db, {*pages, *(key for keys in pages.values() for key in keys or ())},
                              numbered)  # fmt: skip
        if not self.forget_reads:
            db.executemany("DELETE FROM reads WHERE url = ?", [(numbers[url],) for url in pages])
        # Each read as one number, key then page: numbers sort in about half the
        # time of as many pairs, and a large site records many.
        reads = sorted(
            numbers[key] << 32 | numbers[url] for url, keys in pages.items() for key in keys or ()
        )
        bulk = len(reads) > BULK_READS  # the index by page is made again at once, in order
        if bulk:
            db.execute("DROP INDEX IF EXISTS reads_by_url")
        db.executemany(  # in key order: far faster
            "INSERT INTO reads VALUES (?, ?)", ((read >> 32, read & PAGE_BITS) for read in reads)
        )
        if bulk:
            db.execute("CREATE INDEX reads_by_url ON reads (url)")
        if all(keys is not None for keys in pages.values()):
            return False
        db.execute(
            "DELETE FROM names WHERE id NOT IN (SELECT key FROM reads)"
            " AND id NOT IN (SELECT url FROM reads)"
        )
        db.execute("DELETE FROM prints WHERE key NOT IN (SELECT name FROM names)")
        return True

    def number(self, db: sqlite3.Connection, names: set[str], numbered: dict[str, int]
               ) -> dict[str, int]:  # fmt: skip
        """The number of each of `names` in the table of names, new ones added."""
        found = {name: self.numbers[name] for name in names if name in self.numbers}
        wanted = [name for name in names if name not in found]
        if wanted and not self.forget_reads:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT name, id FROM names WHERE name IN ({marks})", chunk)
                found.update(rows)
            wanted = [name for name in wanted if name not in found]
        new: dict[str, int] = {}
        if wanted:
            (last,) = db.execute("SELECT coalesce(max(id), 0) FROM names").fetchone()
            new = {name: number for number, name in enumerate(sorted(wanted), last + 1)}
            db.executemany("INSERT INTO names VALUES (?, ?)", [(n, k) for k, n in new.items()])
        numbered.update(found)
        numbered.update(new)
        return {**found, **new}

    def discard(self) -> None:
        """Forget what this build put and has not committed (it saw files change)."""
        for step, _ in self.changed:
            self.memo.pop(step, None)
        self.changed.clear()
        self.clear_pending()

    def clear_pending(self) -> None:
        self.unread.clear()
        self.pending_data.clear()
        self.pending_prints.clear()
        self.pending_reads.clear()
        self.forget_reads = False
        self.cleared = False


def remove_store(path: Path, owner: int) -> None:
    """Remove a temporary store's files, in the process that made it."""
    if os.getpid() != owner:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def clean(content: Path) -> list[Path]:
    """Remove the store kept beside `content/`; what was removed."""
    folder = cache_path(content).parent
    removed = [path for path in folder.glob(f"{CACHE_FILE}*") if path.is_file()]
    for path in removed:
        path.unlink()
    return removed
