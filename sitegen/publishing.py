"""The editorial workflow of a health publisher: what is published on a given day, who
owns and approved each page, and the old addresses that redirect to it.

- **Publication.** A page (condition, page or package) with `draft: true`, or with a
  `publish_on` date still to come, or an `expires_on` date reached, is not published:
  `build` leaves it out (a draft or scheduled page with a note, an expired one with a
  warning, since readers lost a page), `serve` shows it with a notice saying so.
- **Ownership and sign-off.** `owner`, and `approved_by` with `approved_on`, are shown
  on the page; site.yaml's `require_approval: true` makes them required.
- **Aliases.** Each old address of a page becomes a small redirect page; an address
  that another page, another alias or the site itself uses is an error.

Everything here is a pure function of validated content and the date; validation
(`validate.check_editorial_fields`) has checked each item's fields against each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .explain import field_path
from .findings import Finding, error, note, warning
from .models import Editorial, PublicationState, Withheld, publication_state
from .urls import output_path

if TYPE_CHECKING:  # a file as read and a place in it
    from .raw import Loc, RawDocument

PUBLICATION_FIELDS = ("draft", "publish_on", "expires_on")
# Paths the site's own files and folders hold: an alias there would replace them.
RESERVED_PREFIXES = ("static/", "images/", "pagefind/")


def alias_url(alias: str) -> str:
    """`/old-name/` -> `old-name/`, `/leaflet.html` -> `leaflet.html`: the page's URL."""
    return alias.lstrip("/")


# Where a workflow field was written, kept with a document's validation so that the
# findings of a later day need not read the file again: field -> [line, column].
Lines = dict[str, list[int]]


@dataclass(frozen=True)
class Publication:
    """A page's publication fields and where they were written (for findings)."""

    draft: bool = False
    publish_on: date | None = None
    expires_on: date | None = None
    lines: tuple[tuple[str, int, int], ...] = ()

    @classmethod
    def of(cls, item: Editorial, raw: RawDocument | None = None, loc: Loc = ()) -> Publication:
        lines: tuple[tuple[str, int, int], ...] = ()
        if raw is not None:
            lines = tuple(
                (name, *raw.positions.of_value((*loc, name)))
                for name in PUBLICATION_FIELDS
                if (*loc, name) in raw.positions.values
            )
        return cls(item.draft, item.publish_on, item.expires_on, lines)

    def state(self, today: date) -> PublicationState:
        return publication_state(self, today)  # type: ignore[arg-type]

    def at(self, name: str, fallback: tuple[int, int]) -> tuple[int, int]:
        for field_name, line, col in self.lines:
            if field_name == name:
                return line, col
        return fallback

    def data(self) -> dict[str, Any]:
        """As JSON data, for the store."""
        return {
            "draft": self.draft,
            "publish_on": self.publish_on.isoformat() if self.publish_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "lines": [list(entry) for entry in self.lines],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Publication:
        if not data:
            return cls()
        day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
        lines = tuple((name, line, col) for name, line, col in data.get("lines", []))
        return cls(data["draft"], day(data["publish_on"]), day(data["expires_on"]), lines)

    @property
    def always_published(self) -> bool:
        """No field that could keep the page out of the site on any day."""
        return not self.draft and self.publish_on is None and self.expires_on is None


def publication_finding(
    publication: Publication, today: date, path: str, where: tuple[int, int], field_prefix: str,
    serving: bool,
) -> Finding | None:  # fmt: skip
    """What the editor is told about a page that is not published today: a note for a
    draft or a scheduled page, a warning for an expired one (its readers lost it)."""
    state = publication.state(today)
    if state == "published":
        return None
    shown = "shown only while serving" if serving else "left out of the site"
    if state == "draft":
        line, col = publication.at("draft", where)
        return note(path, line, col, field_prefix + "draft", f"a draft: {shown}")
    if state == "scheduled":
        line, col = publication.at("publish_on", where)
        return note(path, line, col, field_prefix + "publish_on",
                    f"scheduled for {publication.publish_on}: {shown} until then")  # fmt: skip
    line, col = publication.at("expires_on", where)
    return warning(path, line, col, field_prefix + "expires_on",
                   f"expected a page still current, found it expired on {publication.expires_on}"
                   f" ({shown}; review it and move expires_on, or delete it)")  # fmt: skip


def editorial_data(
    item: Editorial, raw: RawDocument | None, loc: Loc = ()
) -> dict[str, Any] | None:
    """What a build keeps of a page's workflow fields beside its validation, so later
    builds need not read the file: its publication (when a field could keep it out of
    the site on some day) and its aliases with where each was written; None when it
    has neither (most pages)."""
    publication = Publication.of(item, raw, loc)
    aliases = [
        [alias, *(raw.positions.of_value((*loc, "aliases", index)) if raw else (1, 1))]
        for index, alias in enumerate(item.aliases)
    ]
    if publication.always_published and not aliases:
        return None
    return {
        "publication": None if publication.always_published else publication.data(),
        "aliases": aliases,
    }


@dataclass(frozen=True)
class Entry:
    """A page's workflow as the build keeps it: which page (`doc:<content path>` or
    `pkg:<id>`), its URL, the file and field its findings point to, its publication
    and its aliases (each with its line and column)."""

    key: str
    url: str
    path: str
    field_prefix: str
    publication: Publication
    aliases: tuple[tuple[str, int, int], ...]
    where: tuple[int, int] = (1, 1)

    @classmethod
    def of(cls, key: str, url: str, path: str, field_prefix: str, data: dict[str, Any],
           where: tuple[int, int] = (1, 1)) -> Entry:  # fmt: skip
        aliases = tuple((alias, line, col) for alias, line, col in data.get("aliases", []))
        return cls(key, url, path, field_prefix, Publication.from_data(data.get("publication")),
                   aliases, where)  # fmt: skip


def hidden(entries: list[Entry], today: date, drafts: bool) -> frozenset[str]:
    """The keys of the pages left out of the site today: those not published, unless
    `drafts` (serve), which shows every page and marks those not published."""
    if drafts:
        return frozenset()
    return frozenset(e.key for e in entries if e.publication.state(today) != "published")


def withheld(entries: list[Entry], today: date, drafts: bool) -> dict[str, Withheld]:
    """Each page not published today, by its URL: left out of the site unless `drafts`
    (serve), which shows it."""
    pages = {}
    for entry in entries:
        state = entry.publication.state(today)
        if state != "published":
            day = entry.publication.publish_on if state == "scheduled" else None
            day = entry.publication.expires_on if state == "expired" else day
            pages[entry.url] = Withheld(state, day.isoformat() if day else "", not drafts)
    return pages


def withheld_navigation(
    links: list[tuple[str | None, str]], pages: dict[str, Withheld], path: str,
    position: Callable[[Loc], tuple[int, int]],
) -> list[Finding]:  # fmt: skip
    """Each navigation link of site.yaml (the site URL it names, or None for another
    site's, and the address as written) to a page not published today, once at its line
    (`position(loc)`) rather than on every page that shows the menu: an error when the
    build leaves the page out, a warning while serving (which shows it)."""
    findings = []
    for index, (url, written) in enumerate(links):
        page = pages.get(url) if url is not None else None
        if page is not None:
            loc = ("navigation", index, "url")
            make = error if page.left_out else warning
            findings.append(make(path, *position(loc), field_path(loc),
                                 page.link_message(written, True)))  # fmt: skip
    return findings


def publication_findings(entries: list[Entry], today: date, drafts: bool) -> list[Finding]:
    """A note for each draft or scheduled page, a warning for each expired one."""
    findings = []
    for entry in entries:
        found = publication_finding(entry.publication, today, entry.path, entry.where,
                                    entry.field_prefix, drafts)  # fmt: skip
        if found is not None:
            findings.append(found)
    return findings


# The addresses an alias may never take: the site's own pages and files.
SITE_FILES = frozenset(
    {"sitemap.xml", "feed.xml", "robots.txt", "_headers", "404.html", "search/index.html"}
)


def redirects(entries: list[Entry], page_urls: frozenset[str], hidden_keys: frozenset[str]
              ) -> tuple[dict[str, str], list[Finding]]:  # fmt: skip
    """Each alias's URL and the key of the page it redirects to; an error for an alias
    that would take the address of a page, a site file or another alias (compared by
    the file written: `/a/index.html` is `/a/`)."""
    taken = {output_path(url): "a page of the site" for url in page_urls}
    taken.update((name, "a file the site writes") for name in SITE_FILES)
    made: dict[str, str] = {}
    findings = []
    for entry in entries:
        for number, (alias, line, col) in enumerate(entry.aliases, 1):
            url = alias_url(alias)
            written = output_path(url)
            if written in taken or written.startswith(RESERVED_PREFIXES):
                holder = taken.get(written, "a folder of the site's own files")
                message = (
                    f"expected an old address no page uses, found '{alias}', which is "
                    f"{holder} (a redirect there would replace it)"
                )
                findings.append(
                    error(entry.path, line, col, f"{entry.field_prefix}aliases[{number}]", message)
                )
                continue
            taken[written] = f"already an alias of {entry.url or 'the home page'}"
            if entry.key not in hidden_keys:
                made[url] = entry.key
    return made, findings
