"""Typed models of the content: what validate produces and templates read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceLevel(Model):
    id: Slug
    label: Text
    explanation: Text


class NavItem(Model):
    title: Text
    url: Text


class Contact(Model):
    email: Text | None = None
    phone: Text | None = None
    address: Text | None = None
    hours: Text | None = None


def _absolute_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an absolute http:// or https:// address")
    return value


# What a site address may hold: RFC 3986's characters, less the single quote. Quotes,
# spaces, `<`, `>`, backslashes and control characters would end an attribute or a
# line wherever the address is written (pages, robots.txt, the feed, the sitemap).
ADDRESS_CHARACTERS = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]*")
HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def site_address(value: str) -> str:
    """`base_url` checked as the address the site is published at, ending in `/`.

    It is written into every page, `robots.txt`, the sitemap and the feed, so it
    must be a plain http(s) address: a host, no user name or password, no query or
    fragment, and none of the characters that could end an attribute or a line.
    """
    if not ADDRESS_CHARACTERS.fullmatch(value):
        raise ValueError(
            "an http:// or https:// address with no spaces, quotes, <, >, backslashes, "
            "control or non-ASCII characters (write those percent-encoded, the host in "
            "punycode)"
        )
    parts = urlsplit(_absolute_http_url(value))
    if parts.username is not None or parts.password is not None:
        raise ValueError("an http:// or https:// address with no user name or password")
    if "?" in value or "#" in value:
        raise ValueError("the site's address with no query (?) or fragment (#)")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ValueError("an http:// or https:// address whose port is a number") from None
    host = parts.hostname or ""
    if not (HOST_NAME.match(host) or (parts.netloc.startswith("[") and ":" in host)):
        raise ValueError("an http:// or https:// address with a host name like example.org")
    if PERCENT_ESCAPE.search(value) or "[" in parts.path or "]" in parts.path:
        raise ValueError("an address whose % signs start escapes like %20, with no [ ] in its path")
    return value.rstrip("/") + "/"


class Disclosure(Model):
    financial_interest: Text
    advertising_policy: Text


class SiteConfig(Model):
    title: Text
    base_url: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    description: Text
    publisher: Text | None = None
    review_interval_months: int = Field(default=12, ge=1, le=60)
    navigation: list[NavItem] = []
    contact: Contact | None = None
    disclosure: Disclosure
    disclaimer: Text
    evidence_levels: list[EvidenceLevel] = Field(min_length=1)
    required_sections: list[Text] = []
    reading_grade_target: float = Field(default=9, ge=1, le=20)
    directory_links: bool = False
    # Publishing rules a site may tighten: a clinician's review of every page of
    # health information, and how a gap in what the publisher says about a package
    # it sells is reported.
    require_clinical_review: bool = False
    publisher_package_gaps: Literal["note", "warning", "error"] = "note"

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return site_address(value)


# What kind of publication a source is: what it can support depends on it (a case
# report cannot show that a treatment works; a regulator can say what it approved).
SourceType = Literal[
    "systematic review",
    "randomised trial",
    "cohort study",
    "guideline",
    "regulator",
    "professional body",
    "patient information",
    "narrative review",
    "trial registration",
    "case series",
    "case report",
    "conference abstract",
    "news",
    "marketing",
    "other",
]


class Source(Model):
    title: Text
    url: Text | None = None
    publisher: Text | None = None
    year: int | None = Field(default=None, ge=1800, le=2100)
    citation: Text | None = None
    type: SourceType | None = None
    accessed: date | None = None  # when an editor last opened it

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _absolute_http_url(value)


class ClinicalReview(Model):
    """Who checked a page's medicine, in what capacity, and when: apart from
    `reviewed_by`, which may be an editorial team."""

    by: Text
    role: Text
    date: date


class ConditionMeta(Model):
    title: Text
    summary: Text
    also_known_as: list[Text] = []
    evidence: Text
    last_reviewed: date
    next_review: date | None = None
    reviewed_by: Text
    clinical_review: ClinicalReview | None = None
    sources: list[Source] = []


class PageMeta(Model):
    title: Text
    summary: Text
    last_reviewed: date | None = None
    next_review: date | None = None
    reviewed_by: Text | None = None
    clinical_review: ClinicalReview | None = None
    sources: list[Source] = []


class CellDose(Model):
    type: Text
    units: int = Field(ge=1)


class Administration(Model):
    route: Text
    times: int | None = Field(default=None, ge=1)
    note: Text | None = None


class Price(Model):
    amount: Decimal = Field(ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class RegulatoryStatus(Model):
    jurisdiction: Text
    status: Text


class SideEffectReporting(Model):
    jurisdiction: Text
    how: Text
    url: Text | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _absolute_http_url(value)


class TrialRegistration(Model):
    registry: Text
    identifier: Text


class ScheduleDay(Model):
    day: int = Field(ge=1)
    what: Text


# What a buyer needs to know of a package that the site's own publisher sells, in
# the order the page lists what is missing: (field, what the page says is missing).
# Fields only a cell therapy has are asked of packages with `cells`.
PUBLISHER_FACTS: tuple[tuple[str, str], ...] = (
    ("price", "its price"),
    ("schedule", "a day-by-day schedule"),
    ("eyes_treated", "which eye or eyes are treated"),
    ("treated_by", "who gives the treatment"),
    ("country", "the country where it is given"),
    ("clinic", "the clinic that gives it"),
    ("regulator", "the regulator that oversees the clinic"),
    ("product_specification", "the specification of the cell product"),
    ("product_testing", "how the cell product is tested"),
    ("follow_up", "the follow-up after treatment"),
)
CELL_PRODUCT_FACTS = frozenset({"product_specification", "product_testing"})


class Package(Model):
    id: Slug
    name: Text
    summary: Text | None = None
    conditions: list[Slug] = Field(min_length=1)
    evidence: Text
    cells: list[CellDose] = []
    administration: list[Administration] = []
    adjuvant_therapies: list[Text] = []
    duration_days: int = Field(ge=1)
    includes: list[Text] = []
    known_risks: list[Text] = Field(min_length=1)
    price: Price | None = None
    price_excludes: list[Text] = []
    follow_up: Text | None = None
    trial_registration: TrialRegistration | None = None
    regulatory_status: list[RegulatoryStatus] = []
    report_side_effects: list[SideEffectReporting] = []
    sources: list[Source] = []
    last_reviewed: date
    sold_by_publisher: bool = False  # the site's own publisher sells it
    schedule: list[ScheduleDay] = []
    eyes_treated: Text | None = None
    treated_by: Text | None = None
    country: Text | None = None
    clinic: Text | None = None
    regulator: Text | None = None
    product_specification: Text | None = None
    product_testing: Text | None = None

    @property
    def url(self) -> str:
        return f"packages/{self.id}/"

    @property
    def publisher_gaps(self) -> list[tuple[str, str]]:
        """What a package sold by the site's own publisher leaves out, as
        (field, plain words); nothing for a package someone else sells."""
        if not self.sold_by_publisher:
            return []
        return [
            (name, words)
            for name, words in PUBLISHER_FACTS
            if (self.cells or name not in CELL_PRODUCT_FACTS) and not getattr(self, name)
        ]


class Catalogue(Model):
    packages: list[Package] = []


@dataclass(frozen=True)
class Document:
    """A Markdown page (condition or other page) with its validated front matter."""

    kind: Literal["condition", "page"]
    slug: str
    meta: ConditionMeta | PageMeta
    body: str
    body_line: int
    display_path: str
    content_path: str

    @property
    def url(self) -> str:
        return f"conditions/{self.slug}/" if self.kind == "condition" else f"{self.slug}/"


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, validated and cross-checked."""

    config: SiteConfig
    config_path: str
    conditions: list[Document]
    pages: list[Document]
    packages: list[Package]
    assets: dict[str, Path] = field(default_factory=dict)
    known_urls: frozenset[str] = frozenset()
    content_urls: dict[str, str] = field(default_factory=dict)

    @property
    def evidence(self) -> dict[str, EvidenceLevel]:
        return {level.id: level for level in self.config.evidence_levels}

    def packages_for(self, condition_slug: str) -> list[Package]:
        return self._packages_by_condition.get(condition_slug, [])

    @cached_property
    def _packages_by_condition(self) -> dict[str, list[Package]]:
        found: dict[str, list[Package]] = {}
        for package in self.packages:
            for slug in dict.fromkeys(package.conditions):
                found.setdefault(slug, []).append(package)
        return found

    def condition_titles(self) -> dict[str, str]:
        return self._condition_titles

    @cached_property
    def _condition_titles(self) -> dict[str, str]:
        return {c.slug: c.meta.title for c in self.conditions}
