"""The Atom feed (`feed.xml`): what was reviewed, newest first.

Patients, clinicians and regulators can follow the site in a feed reader: each
condition, page and package with a `last_reviewed` date is one entry, dated by
that review, and the feed holds the newest (`feed_entries` in site.yaml, 100 by
default). Every address is absolute (from `base_url`), and nothing depends on
when the build ran, so the same content always gives the same feed.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Document, Package, Site

FEED_URL = "feed.xml"
# A feed must say when it was updated; an empty site has no review date to give.
NO_DATE = date(1970, 1, 1)
# What XML 1.0 forbids even as a character reference (C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE, U+FFFF), and the C1 controls it discourages.
# A YAML escape (`title: "\x01"`) can put any of them in a title: one would make the
# whole feed not well-formed, and readers drop such a feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML document may not hold."""
    return NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedEntry:
    """One entry; its texts are made safe for XML when it is made (`xml_text`)."""

    url: str  # absolute
    title: str
    reviewed: date
    summary: str
    kind: str  # "condition", "page" or "package"
    reviewed_by: str | None = None

    def __post_init__(self) -> None:
        for name in ("title", "summary", "reviewed_by"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, xml_text(value))

    @property
    def updated(self) -> str:
        return atom_time(self.reviewed)


def atom_time(day: date) -> str:
    """An RFC 3339 time, as Atom asks, for the start of a review day (UTC)."""
    return f"{day.isoformat()}T00:00:00Z"


def package_summary(name: str, summary: str | None) -> str:
    return summary or f"What the {name} includes and its known risks."


# A feed entry not made yet: its review date, its address, and how to make it (reading
# its title and summary, which the feed then depends on, only if it is among the newest).
Candidate = tuple[date, str, Callable[[], FeedEntry]]


def document_candidates(site: Site, lang: str | None = None) -> list[Candidate]:
    """The conditions and pages with a review date (only those written in `lang`, if
    given)."""
    base = site.config.base_url
    found: list[Candidate] = []
    for doc in site.conditions + site.pages:
        if lang is not None and doc.lang != lang:
            continue
        reviewed = doc.meta.last_reviewed
        if reviewed is not None:
            found.append((reviewed, doc.url, partial(document_entry, base, doc, reviewed)))
    return found


def document_entry(base: str, doc: Document, reviewed: date) -> FeedEntry:
    meta = doc.meta
    return FeedEntry(base + doc.url, meta.title, reviewed, meta.summary, doc.kind,
                     meta.reviewed_by)  # fmt: skip


def package_entry(url: str, package: Package, summary: str | None = None) -> FeedEntry:
    summary = summary or package_summary(package.name, package.summary)
    return FeedEntry(url, package.name, package.last_reviewed, summary, "package")


def feed_entries(site: Site, lang: str | None = None) -> list[FeedEntry]:
    """The newest reviews (`feed_entries` in site.yaml) of conditions, pages and
    packages: newest first, then by title (in another language than the default,
    those written in it)."""
    if lang:
        return newest(language_candidates(site, lang), site.config.feed_entries)
    base = site.config.base_url
    candidates = document_candidates(site)
    candidates += [(package.last_reviewed, package.url,
                    partial(package_entry, base + package.url, package))
                   for package in site.packages]  # fmt: skip
    return newest(candidates, site.config.feed_entries)


def language_candidates(site: Site, lang: str) -> list[Candidate]:
    """The entries of the feed of a language other than the default: its translated
    pages and the packages the catalogue gives its words for (`site` is a view in it)."""
    base = site.config.base_url
    candidates = document_candidates(site, lang)
    for package in site.packages:
        if lang in site.translated(package):  # type: ignore[attr-defined]
            url, summary = f"{base}{lang}/{package.url}", package.summary or package.name
            candidates.append(
                (package.last_reviewed, package.url, partial(package_entry, url, package, summary))
            )
    return candidates


def newest(candidates: list[Candidate], count: int) -> list[FeedEntry]:
    """The `count` newest entries, newest first, then by title and address. They are
    chosen by review date, reviews of the same day by address, before any is made: a
    page not chosen is not read further, so a change to its title leaves the feed as
    it was (a feed reader fetches the whole feed each time it looks: a large site's
    every page would make it megabytes; and a site may review many pages on one day)."""
    chosen = heapq.nsmallest(count, candidates, key=lambda c: (-c[0].toordinal(), c[1]))
    entries = [make() for _, _, make in chosen]
    entries.sort(key=lambda e: (-e.reviewed.toordinal(), e.title.casefold(), e.url))
    return entries


def feed_context(site: Site, lang: str | None = None) -> dict[str, Any]:
    """What templates/feed.xml needs: the feed's own data and its entries (`lang`: the
    language of the feed, None for the default's; `site`: a view in that language)."""
    config = site.config
    entries = feed_entries(site, lang)
    newest = max((entry.reviewed for entry in entries), default=NO_DATE)
    home = f"{config.base_url}{lang}/" if lang else config.base_url
    return {
        "feed_id": home + FEED_URL,
        "feed_url": home + FEED_URL,
        "home_url": home,
        "feed_title": xml_text(config.title),
        "feed_subtitle": xml_text(config.description),
        "feed_author": xml_text(config.publisher or config.title),
        "feed_updated": atom_time(newest),
        "entries": entries,
    }
