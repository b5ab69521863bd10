"""`check --links`: every external link and source URL in the content, fetched to see
that it is still there, still where it was, and still what was cited.

Never part of a build, which stays offline: only `check --links` calls this. Each
address is found in the files as written (so a finding names the file and line that
cite it), fetched at most once a run, with at most `per_host` requests to one host at
a time and `jobs` in all, and its result kept with its date in `.cache/links.json`
beside content/: within `max_age_days` the kept result is reported again and nothing
is fetched. What is found:

- **gone**: the server answers 404 or 410 (an error: readers meet a dead source);
- **moved**: it answers with a permanent redirect (301, 308) to another address (a
  warning naming the new one, to cite instead);
- **unreachable**: no answer, or a server error (a warning: it may be passing);
- **changed**: the page's bytes differ from those of its last check (a note with the
  date of that check: read it again to see that it still says what is cited).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import __version__
from .findings import Finding, error, note, warning
from .fs import UnreadableError, read_stamped

URL = re.compile(r"https?://[^\s<>\"'`)\]}|]+")
TRAILING = ".,;:!?*_"  # punctuation after an address in prose, never part of it
PERMANENT = frozenset({301, 308})
TEMPORARY = frozenset({302, 303, 307})
MAX_REDIRECTS = 5
MAX_BYTES = 4 << 20  # enough of a page to know it changed
USER_AGENT = f"sitegen/{__version__} link check (one request per address, a few per host)"
CACHE_FILE = "links.json"


@dataclass(frozen=True)
class Citation:
    path: str  # as editors see it
    line: int
    col: int


def find_links(files: Iterable[tuple[str, str | Path]], skip: tuple[str, ...] = ()
               ) -> dict[str, list[Citation]]:  # fmt: skip
    """Every http(s) address written in the files (shown path, path), with where each
    is cited, in the order first found; addresses starting with one of `skip` (the
    site's own base URL) are left out."""
    found: dict[str, list[Citation]] = {}
    for shown, path in files:
        try:
            data, _ = read_stamped(path, Path(path).parent)
        except (UnreadableError, OSError):
            continue  # the build reports a file it cannot read
        text = data.decode("utf-8-sig", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in URL.finditer(line):
                url = match.group(0).rstrip(TRAILING)
                if skip and url.startswith(skip):
                    continue
                found.setdefault(url, []).append(Citation(shown, number, match.start() + 1))
    return found


@dataclass(frozen=True)
class Result:
    """What fetching an address found: its final status (0: no answer), the address a
    permanent redirect leads to, a digest of the page's bytes, and the day."""

    status: int
    checked: str  # ISO date
    moved_to: str | None = None
    digest: str | None = None
    problem: str | None = None  # why there was no answer

    def data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `fetch`, one hop at a time, to tell moved from moved
    for now."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def fetch(url: str, timeout: float, today: date) -> Result:
    """GET `url`, following temporary redirects and noting the first permanent one."""
    moved_to = None
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT})
        try:
            with OPENER.open(request, timeout=timeout) as response:
                body = response.read(MAX_BYTES)
                digest = hashlib.blake2b(body, digest_size=16).hexdigest()
                return Result(response.status, today.isoformat(), moved_to, digest)
        except urllib.error.HTTPError as exc:
            status, headers = exc.code, exc.headers or Message()
            exc.close()
            location = headers.get("Location")
            if status in PERMANENT | TEMPORARY and location:
                target = urljoin(current, location)
                if status in PERMANENT and moved_to is None:
                    moved_to = target
                current = target
                continue
            return Result(status, today.isoformat(), moved_to)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Result(0, today.isoformat(), moved_to, problem=str(reason))
    return Result(0, today.isoformat(), moved_to, problem="too many redirects")


class HostLimits:
    """At most `per_host` requests to one host at a time."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.lock = threading.Lock()
        self.hosts: dict[str, threading.Semaphore] = {}

    def of(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self.lock:
            return self.hosts.setdefault(host, threading.Semaphore(self.per_host))


def check_links(
    links: dict[str, list[Citation]],
    cache_file: Path,
    today: date,
    max_age_days: int = 7,
    jobs: int = 8,
    per_host: int = 2,
    timeout: float = 15.0,
    fetcher: Callable[[str, float, date], Result] = fetch,
) -> list[Finding]:
    """Fetch each address not checked within `max_age_days` (the rest as kept), keep
    every result with its date, and report each problem at every place it is cited."""
    kept = read_cache(cache_file)
    oldest = (today - timedelta(days=max_age_days)).isoformat()
    fresh = [url for url in links if kept.get(url, {}).get("checked", "") < oldest]
    limits = HostLimits(per_host)

    def polite(url: str) -> Result:
        with limits.of(url):
            return fetcher(url, timeout, today)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        fetched = dict(zip(fresh, pool.map(polite, fresh), strict=True))
    findings: list[Finding] = []
    results: dict[str, dict[str, Any]] = {}
    for url, places in links.items():
        before = kept.get(url)
        result = fetched.get(url)
        if result is None:  # checked recently: report what was found then
            kept_result = dict(before or {})
            changed = kept_result.pop("changed", None)
            result = Result(**kept_result)
        else:
            changed = changed_since(before, result)
        results[url] = {**result.data(), **({"changed": changed} if changed else {})}
        for place in places:
            finding = finding_of(url, result, changed, place)
            if finding is not None:
                findings.append(finding)
    write_cache(cache_file, {**kept, **results})
    return findings


def changed_since(before: dict[str, Any] | None, result: Result) -> str | None:
    """The day of the last check, if the page's bytes differ from those seen then."""
    if not before or not before.get("digest") or result.digest is None:
        return None
    return before["checked"] if result.digest != before["digest"] else None


def finding_of(url: str, result: Result, changed: str | None, place: Citation
               ) -> Finding | None:  # fmt: skip
    at = (place.path, place.line, place.col, "link")
    checked = f"(checked {result.checked})"
    if result.status in (404, 410):
        return error(*at, f"expected a page at {url}, found it gone (HTTP {result.status}) "
                     f"{checked}: cite another source, or an archived copy")  # fmt: skip
    if result.status == 0 or result.status >= 500:
        why = result.problem or f"HTTP {result.status}"
        return warning(*at, f"expected {url} to answer, found no page ({why}) {checked}")
    if result.status >= 400:
        return warning(*at, f"expected a page at {url}, found HTTP {result.status} {checked}")
    if result.moved_to:
        return warning(*at, f"expected {url} to stay where it was, found it moved for good to "
                       f"{result.moved_to} {checked}: cite the new address")  # fmt: skip
    if changed:
        return note(*at, f"expected {url} as it was when checked on {changed}, found it "
                    f"changed {checked}: read it again to see that it still says what is "
                    "cited")  # fmt: skip
    return None


def read_cache(path: Path) -> dict[str, dict[str, Any]]:
    """The kept results by address; nothing if the file is missing or not ours."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("links"), dict):
        return {}
    return {url: value for url, value in data["links"].items()
            if isinstance(value, dict) and isinstance(value.get("checked"), str)
            and isinstance(value.get("status"), int)}  # fmt: skip


def write_cache(path: Path, results: dict[str, dict[str, Any]]) -> None:
    """Kept beside the build's cache; written whole and then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    spare = path.with_suffix(".json.tmp")
    spare.write_text(json.dumps({"links": results}, indent=1, sort_keys=True), "utf-8")
    os.replace(spare, path)
