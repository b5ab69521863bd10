"""Typed models of the content: what validate produces and templates read."""

from __future__ import annotations

import calendar
import re
import zlib
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Protocol, overload
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, field_validator

from .fs import digest_of
from .urls import is_html

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
    # A few words for the key facts at the top of a page ("still being tested"): the
    # explanation is shown in full at the end of the page.
    summary: Text | None = None


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


LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$"
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]


class Language(Model):
    """A language the site is published in: its code (as in `lang`), its name in
    itself (as the language switcher shows it) and its writing direction."""

    code: LanguageCode
    name: Text
    direction: Literal["ltr", "rtl"] = "ltr"


class EvidenceText(Model):
    label: Text
    explanation: Text
    summary: Text | None = None  # required where the default language's level has one


class LanguageText(Model):
    """What `site.yaml` says in one more language (`translations: {es: …}`). The
    disclaimer and every evidence level's words are required (validate reports
    each one missing); the rest falls back to the default language's."""

    title: Text | None = None
    description: Text | None = None
    publisher: Text | None = None
    disclaimer: Text | None = None
    disclaimer_short: Text | None = None
    evidence_levels: dict[str, EvidenceText] = {}
    navigation: list[NavItem] | None = None
    disclosure: Disclosure | None = None
    contact: Contact | None = None
    required_sections: list[Text] | None = None

    @field_validator("disclaimer_short")
    @classmethod
    def _disclaimer_short(cls, value: str | None) -> str | None:
        return None if value is None else key_facts(value)


KEY_FACTS_MOST = 200  # characters: about six short lines on a 320 px phone


def key_facts(value: str) -> str:
    """`disclaimer_short`: one paragraph of plain text (its length is checked apart: a
    longer one is a warning, not a reason to stop the build)."""
    return " ".join(value.split())


EMAIL_ADDRESS = re.compile(r"[^@\s<>\"'?&#]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def email_address(value: str | None) -> str | None:
    if value is not None and not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError("an email address like feedback@example.org")
    return value


class Limits(Model):
    """The largest content files the build reads, so that a hostile or mistaken file
    costs seconds, not minutes. A Markdown page costs more to convert than YAML to
    read, byte for byte."""

    max_page_kb: int = Field(default=512, ge=1, le=1024 * 1024)  # each Markdown page
    max_file_kb: int = Field(default=2048, ge=1, le=1024 * 1024)  # packages.yaml, claims.yaml


class SiteConfig(Model):
    title: Text
    base_url: Text
    language: LanguageCode  # the default language, published at the site's root
    languages: list[Language] = []  # every language, the default among them; none: one
    description: Text
    publisher: Text | None = None
    review_interval_months: int = Field(default=12, ge=1, le=60)
    navigation: list[NavItem] = []
    contact: Contact | None = None
    disclosure: Disclosure
    disclaimer: Text
    # The key facts shown near the top of every page (plain text); `disclaimer` is the
    # full statement, at the end of every page.
    disclaimer_short: Text
    # "Was this page helpful?": shown only when set; each answer opens an email to this
    # address that carries the page's address (no server of ours, nothing stored).
    feedback_email: Text | None = None
    evidence_levels: list[EvidenceLevel] = Field(min_length=1)
    required_sections: list[Text] = []
    reading_grade_target: float = Field(default=9, ge=1, le=20)
    # SMOG's reading age, in years: the NHS's ceiling for medical information (its aim
    # is 9 to 11; see the README).
    reading_age_target: int = Field(default=14, ge=6, le=25)
    min_words: int = Field(default=50, ge=0, le=10_000)  # of text on each page
    directory_links: bool = False
    # The newest reviews feed.xml holds (a feed reader fetches the whole feed each time).
    feed_entries: int = Field(default=100, ge=1, le=1_000_000)
    limits: Limits = Limits()
    # Publishing rules a site may tighten: a clinician's review of every page of
    # health information, and how a gap in what the publisher says about a package
    # it sells is reported.
    require_clinical_review: bool = False
    publisher_package_gaps: Literal["note", "warning", "error"] = "note"
    # Every page names its owner and the clinician who approved it (owner, approved_by).
    require_approval: bool = False
    translations: dict[str, LanguageText] = {}

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return site_address(value)

    @property
    def all_languages(self) -> list[Language]:
        """Every language the site is published in, the default first."""
        listed = {language.code: language for language in self.languages}
        default = listed.pop(self.language, None)
        default = default or Language(code=self.language, name=self.language)
        return [default, *listed.values()]

    def language_named(self, code: str) -> Language | None:
        return next((lang for lang in self.all_languages if lang.code == code), None)

    def in_language(self, code: str) -> SiteConfig:
        """These settings as a page in `code` shows them: its words where `translations`
        gives them, the default language's elsewhere."""
        text = self.translations.get(code)
        if code == self.language or text is None:
            return self if code == self.language else self.model_copy(update={"language": code})
        levels = [
            level.model_copy(update=text.evidence_levels[level.id].model_dump(exclude_none=True))
            if level.id in text.evidence_levels
            else level
            for level in self.evidence_levels
        ]
        update = {
            name: value
            for name in ("title", "description", "publisher", "disclaimer", "disclaimer_short",
                         "navigation", "disclosure", "contact", "required_sections")
            if (value := getattr(text, name)) is not None
        }  # fmt: skip
        return self.model_copy(
            update={**update, "language": code, "evidence_levels": levels, "translations": {}}
        )

    @field_validator("disclaimer_short")
    @classmethod
    def _disclaimer_short(cls, value: str) -> str:
        return key_facts(value)

    @field_validator("feedback_email")
    @classmethod
    def _feedback_email(cls, value: str | None) -> str | None:
        return email_address(value)


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


# Where an old address of a page may point from: a path of this site, written as it
# is printed (`/old-name/`, `/leaflets/glaucoma.html`), with no query or fragment.
ALIAS_PATTERN = r"^/(?:[a-z0-9][a-z0-9._-]*/)*(?:[a-z0-9][a-z0-9._-]*\.html)?$"
Alias = Annotated[str, StringConstraints(pattern=ALIAS_PATTERN)]


class Editorial(Model):
    """The publishing workflow's fields, shared by conditions, pages and packages.

    `draft` and the two dates decide whether the page is published on a given day
    (`publication_state`); `owner` keeps the page up to date and `approved_by`
    signed it off for publication on `approved_on` (site.yaml's `require_approval`
    makes them required); `aliases` are old addresses that redirect to the page.
    Subclasses list these after their own fields (see `ConditionMeta`).
    """

    draft: bool = False
    publish_on: date | None = None
    expires_on: date | None = None
    owner: Text | None = None
    approved_by: Text | None = None
    approved_on: date | None = None
    aliases: list[Alias] = []


class ConditionFields(Model):
    title: Text
    summary: Text
    also_known_as: list[Text] = []
    evidence: Text
    evidence_for: Text | None = None  # what the level rates: "stem-cell treatments"
    last_reviewed: date
    next_review: date | None = None
    reviewed_by: Text
    clinical_review: ClinicalReview | None = None
    sources: list[Source] = []


class ConditionMeta(Editorial, ConditionFields):
    """A condition's front matter: its own fields, then the workflow's (pydantic lists
    the fields of the last base class first)."""


class PageFields(Model):
    title: Text
    summary: Text
    last_reviewed: date | None = None
    next_review: date | None = None
    reviewed_by: Text | None = None
    clinical_review: ClinicalReview | None = None
    sources: list[Source] = []


class PageMeta(Editorial, PageFields):
    """A page's front matter: its own fields, then the workflow's."""


PublicationState = Literal["published", "draft", "scheduled", "expired"]


def publication_state(item: Editorial, today: date) -> PublicationState:
    """Whether a page is published `today`: a draft never is, a scheduled page is from
    its `publish_on` day, and an expired one is not from its `expires_on` day."""
    if item.draft:
        return "draft"
    if item.publish_on is not None and today < item.publish_on:
        return "scheduled"
    if item.expires_on is not None and today >= item.expires_on:
        return "expired"
    return "published"


class Withheld(NamedTuple):
    """A page not published today, as a link to it is told of it: its state ("draft",
    "scheduled", "expired"), the day that state names (publish_on, expires_on; "" for
    a draft), and whether this build leaves it out (`build`; `serve` shows it)."""

    state: str
    day: str
    left_out: bool

    def link_message(self, found: str, from_navigation: bool = False) -> str:
        """What a link to this page is told: what the page is, when it is published, and
        the two ways out (a link from a page `build` publishes, while `build` leaves its
        target out, would ship broken)."""
        if self.state == "draft":
            what = "a draft"
            until = "until it is published"
            fix = "publish it by removing draft: true, or remove the link"
        elif self.state == "scheduled":
            what = f"a page scheduled for {self.day}"
            until = "until that day"
            fix = (
                "add the link on that day"
                if from_navigation
                else f"remove the link until then, or give this page publish_on: {self.day} too"
            )
        else:
            what = f"a page that expired on {self.day}"
            until = "since that day"
            fix = "remove the link, or review that page and move its expires_on"
        expected = f"expected a link to a published page, found '{found}', {what}"
        if self.left_out:
            return f"{expected}, which the build leaves out {until} ({fix})"
        return (
            f"{expected}: shown while serving, but the build leaves it out {until} "
            f"and stops at this link ({fix})"
        )


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


class Medicine(Model):
    """A medicine of a medicine course: its name, what form it comes in, and the dose."""

    name: Text
    form: Text | None = None
    dose: Text


class Procedure(Model):
    """An operation or procedure: what is done, the anaesthetic, how long it takes and
    whether the patient stays in."""

    name: Text
    anaesthetic: Text | None = None
    how_long: Text | None = None
    stay: Text | None = None


class Session(Model):
    """One kind of rehabilitation session: what happens, how many, how long, where."""

    what: Text
    how_many: int | None = Field(default=None, ge=1)
    length: Text | None = None
    where: Text | None = None


class Investigation(Model):
    """A test of a diagnostic package: why it is done, how to prepare, and the results."""

    name: Text
    why: Text | None = None
    preparation: Text | None = None
    results: Text | None = None


PackageKind = Literal[
    "cell therapy", "medicine course", "surgery or procedure", "rehabilitation", "diagnostic",
    "other",
]  # fmt: skip
PACKAGE_KINDS: tuple[str, ...] = PackageKind.__args__  # type: ignore[attr-defined]

# The fields that only one kind of package has, and the one among them that says what
# is given (required for that kind: a medicine course names its medicines).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "cell therapy": ("cells", "product_specification", "product_testing"),
    "medicine course": ("medicines",),
    "surgery or procedure": ("procedures",),
    "rehabilitation": ("sessions",),
    "diagnostic": ("tests",),
    "other": (),
}
WHAT_IS_GIVEN: dict[str, tuple[str, str]] = {
    "cell therapy": ("cells", "the cells given ({type, units})"),
    "medicine course": ("medicines", "the medicines given ({name, dose})"),
    "surgery or procedure": ("procedures", "the procedures done ({name})"),
    "rehabilitation": ("sessions", "the sessions given ({what})"),
    "diagnostic": ("tests", "the tests done ({name})"),
}


def N_(message: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Words a template shows in the page's language (`_(gaps[name])`), marked here so
    `make i18n-extract` finds them."""
    return message


# What a buyer needs to know of a package that the site's own publisher sells, in
# the order the page lists what is missing: (field, what the page says is missing).
# Fields only a cell therapy has are asked of cell therapies.
PUBLISHER_FACTS: tuple[tuple[str, str], ...] = (
    ("price", N_("its price")),
    ("schedule", N_("a day-by-day schedule")),
    ("eyes_treated", N_("which eye or eyes are treated")),
    ("treated_by", N_("who gives the treatment")),
    ("country", N_("the country where it is given")),
    ("clinic", N_("the clinic that gives it")),
    ("regulator", N_("the regulator that oversees the clinic")),
    ("product_specification", N_("the specification of the cell product")),
    ("product_testing", N_("how the cell product is tested")),
    ("follow_up", N_("the follow-up after treatment")),
)
CELL_PRODUCT_FACTS = frozenset({"product_specification", "product_testing"})


class PackageText(Model):
    """A package's human-readable fields in one more language (`translations: {es: …}`
    in packages.yaml); a field not given is shown in the default language."""

    name: Text | None = None
    summary: Text | None = None
    adjuvant_therapies: list[Text] | None = None
    duration: Text | None = None
    includes: list[Text] | None = None
    provider: Text | None = None
    treated_by: Text | None = None
    eyes_treated: Text | None = None
    benefits: Text | None = None
    known_risks: list[Text] | None = None
    alternatives: list[Text] | None = None
    price_excludes: list[Text] | None = None
    follow_up: Text | None = None


class PackageFields(Model):
    id: Slug
    name: Text
    kind: PackageKind
    summary: Text | None = None
    conditions: list[Slug] = Field(min_length=1)
    evidence: Text
    # What is given and how: the kind's own list, then how and when for every kind.
    cells: list[CellDose] = []
    product_specification: Text | None = None
    product_testing: Text | None = None
    medicines: list[Medicine] = []
    procedures: list[Procedure] = []
    sessions: list[Session] = []
    tests: list[Investigation] = []
    administration: list[Administration] = []
    adjuvant_therapies: list[Text] = []
    schedule: list[ScheduleDay] = []
    duration_days: int | None = Field(default=None, ge=1)
    duration: Text | None = None  # when it has no fixed number of days
    includes: list[Text] = []
    # Where, and who provides and gives it.
    country: Text | None = None
    clinic: Text | None = None
    provider: Text | None = None
    treated_by: Text | None = None
    eyes_treated: Text | None = None
    # The regulator and the licence that cover it.
    regulator: Text | None = None
    licence: Text | None = None
    regulatory_status: list[RegulatoryStatus] = []
    trial_registration: TrialRegistration | None = None
    # What to weigh: benefits, risks, other options, cost, follow-up.
    benefits: Text | None = None
    known_risks: list[Text] = Field(min_length=1)
    alternatives: list[Text] = []
    price: Price | None = None
    price_excludes: list[Text] = []
    follow_up: Text | None = None
    report_side_effects: list[SideEffectReporting] = []
    sources: list[Source] = []
    last_reviewed: date
    sold_by_publisher: bool = False  # the site's own publisher sells it
    translations: dict[str, PackageText] = {}


class Package(Editorial, PackageFields):
    """One entry of the catalogue: its own fields, then the workflow's."""

    @property
    def url(self) -> str:
        return f"packages/{self.id}/"

    def in_language(self, code: str) -> Package:
        """The package as a page in `code` shows it (its own words where given)."""
        text = self.translations.get(code)
        if text is None:
            return self
        update = {name: value for name, value in text if value is not None}
        return self.model_copy(update={**update, "translations": {}})

    @property
    def publisher_gaps(self) -> list[tuple[str, str]]:
        """What a package sold by the site's own publisher leaves out, as
        (field, plain words); nothing for a package someone else sells."""
        if not self.sold_by_publisher:
            return []
        cell_therapy = self.kind == "cell therapy"
        return [
            (name, words)
            for name, words in PUBLISHER_FACTS
            if (cell_therapy or name not in CELL_PRODUCT_FACTS) and not getattr(self, name)
        ]


class Catalogue(Model):
    packages: list[Package] = []


PACKAGE = TypeAdapter(Package)


class Outline(NamedTuple):
    """What a build knows of a package without validating it."""

    id: str
    conditions: list[str]  # the conditions it is offered for
    languages: list[str]  # the languages the catalogue gives its words in


class Packages(Sequence[Package]):
    """The catalogue's valid packages, in its order. Each is validated from the JSON the
    store kept of it when a page first needs it: a build that renders one condition
    page reads the few packages offered for it, not the whole catalogue. Each one's
    outline (its id, conditions and languages) is known without validating any."""

    def __init__(self, outlines: list[Outline], load: Callable[[int], Package]) -> None:
        self.outlines = outlines
        self.ids = [outline.id for outline in outlines]
        self._load = load
        self._loaded: dict[int, Package] = {}
        self._index = {package_id: index for index, package_id in enumerate(self.ids)}

    @classmethod
    def of(cls, packages: Sequence[Package]) -> Packages:
        """Packages already validated."""
        made = list(packages)
        outlines = [Outline(p.id, list(p.conditions), list(p.translations)) for p in made]
        return cls(outlines, made.__getitem__)

    @classmethod
    def from_json(cls, index: list[list[Any]], data: bytes) -> Packages:
        """The packages `to_json` kept: `index` holds each one's outline and the bounds
        of its JSON in `data`."""

        def load(position: int) -> Package:
            start, end = index[position][-2:]
            return PACKAGE.validate_json(data[start:end])

        return cls([Outline(*entry[:-2]) for entry in index], load)

    def to_json(self) -> tuple[list[list[Any]], bytes]:
        """Every package as JSON, one after another, with the index `from_json` reads."""
        index, parts, offset = [], [], 0
        for position, outline in enumerate(self.outlines):
            part = PACKAGE.dump_json(self[position], exclude_unset=True)  # as `Reader.validated`
            index.append([*outline, offset, offset + len(part)])
            parts.append(part)
            offset += len(part)
        return index, b"".join(parts)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, position: int) -> Package: ...
    @overload
    def __getitem__(self, position: slice) -> list[Package]: ...
    def __getitem__(self, position: int | slice) -> Package | list[Package]:
        if isinstance(position, slice):
            return [self[i] for i in range(len(self))[position]]
        if position < 0:
            position += len(self.ids)
        package = self._loaded.get(position)
        if package is None:
            if not 0 <= position < len(self.ids):
                raise IndexError(position)
            package = self._loaded[position] = self._load(position)
        return package

    def by_id(self, package_id: str) -> Package | None:
        position = self._index.get(package_id)
        return None if position is None else self[position]

    def without(self, left_out: set[str]) -> Packages:
        """These packages but those whose ids are in `left_out`."""
        kept = [i for i, package_id in enumerate(self.ids) if package_id not in left_out]
        return Packages([self.outlines[i] for i in kept], lambda position: self[kept[position]])


DocumentParts = tuple["ConditionMeta | PageMeta", str, int]  # meta, body, body's first line


class DocumentSource(Protocol):
    """Where a document's parts are read from when first asked for."""

    def parts(self, doc: Document) -> DocumentParts: ...

    def title(self, doc: Document) -> str: ...


class Document:
    """A Markdown page (condition or other page) with its validated front matter.

    Its kind, slug, paths and title are known at once; its front matter and body
    are read from `source` only when something asks for them: a build reads
    again only the documents its changed pages need.
    """

    __slots__ = (
        "_parts", "_title", "content_path", "display_path", "kind", "lang", "slug", "source",
    )  # fmt: skip

    def __init__(
        self,
        kind: Literal["condition", "page"],
        slug: str,
        display_path: str,
        content_path: str,
        title: str | None,
        source: DocumentSource | None = None,
        parts: DocumentParts | None = None,
        lang: str | None = None,
    ) -> None:
        """`lang`: the language of a translation (`glaucoma.es.md`); None for a page
        in the site's default language."""
        self.kind, self.slug, self._title = kind, slug, title
        self.display_path, self.content_path = display_path, content_path
        self.source, self._parts, self.lang = source, parts, lang

    @classmethod
    def of(
        cls, kind: Literal["condition", "page"], slug: str, meta: ConditionMeta | PageMeta,
        body: str, body_line: int, display_path: str, content_path: str,
        lang: str | None = None,
    ) -> Document:  # fmt: skip
        """A document whose parts are at hand."""
        return cls(kind, slug, display_path, content_path, meta.title,
                   parts=(meta, body, body_line), lang=lang)  # fmt: skip

    @property
    def title(self) -> str:
        """Known at once for a document validated now, else read when first asked for."""
        if self._title is None:
            assert self.source is not None
            self._title = self.source.title(self)
        return self._title

    @property
    def parts(self) -> DocumentParts:
        if self._parts is None:
            assert self.source is not None
            self._parts = self.source.parts(self)
        return self._parts

    @property
    def meta(self) -> ConditionMeta | PageMeta:
        return self.parts[0]

    @property
    def body(self) -> str:
        return self.parts[1]

    @property
    def body_line(self) -> int:
        return self.parts[2]

    @property
    def url(self) -> str:
        url = f"conditions/{self.slug}/" if self.kind == "condition" else f"{self.slug}/"
        return f"{self.lang}/{url}" if self.lang else url

    @property
    def source_path(self) -> str:
        """The content path of the page this one translates (its own, if it is none)."""
        folder = "conditions" if self.kind == "condition" else "pages"
        return f"{folder}/{self.slug}.md"

    def __repr__(self) -> str:
        return f"Document({self.kind!r}, {self.content_path!r})"


class Site:
    """Everything the renderer needs, validated and cross-checked.

    `documents` are in file order; `conditions` are sorted by title, as listings
    show them.
    """

    def __init__(
        self,
        config: SiteConfig,
        config_path: str,
        documents: list[Document],
        packages: Sequence[Package],
        assets: dict[str, Path] | None = None,
        known_urls: frozenset[str] = frozenset(),
        content_urls: dict[str, str] | None = None,
        translations: list[Document] | None = None,
        unchecked: dict[str, str] | None = None,
    ) -> None:
        """`documents`: the default language's; `translations`: the others'."""
        self.config = config
        self.config_path = config_path
        self.documents = documents
        self.translations = translations or []
        self.packages = packages if isinstance(packages, Packages) else Packages.of(packages)
        self.assets = assets or {}
        self.known_urls = known_urls
        self.content_urls = content_urls or {}
        # pages that files with errors would give, by the file (`urls.unchecked_by`)
        self.unchecked = unchecked or {}
        # The editorial workflow (publishing.py), set by the build: the state of each
        # page that is not published today ("draft", "scheduled", "expired") by its key
        # (`doc:<content path>`, `pkg:<id>`), and each alias's URL with the key of the
        # page it redirects to.
        self.states: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        # Each page not published today by its URL, for the links to it (left out by
        # `build`, shown by `serve`).
        self.withheld: dict[str, Withheld] = {}

    @cached_property
    def conditions(self) -> list[Document]:
        listed = [doc for doc in self.documents if doc.kind == "condition"]
        return sorted(listed, key=lambda doc: doc.title.lower())

    @cached_property
    def pages(self) -> list[Document]:
        return [doc for doc in self.documents if doc.kind == "page"]

    @property
    def evidence(self) -> dict[str, EvidenceLevel]:
        return {level.id: level for level in self.config.evidence_levels}

    def packages_for(self, condition_slug: str) -> list[Package]:
        return [self.packages.by_id(i) for i in self.package_ids_for(condition_slug)]  # type: ignore[misc]

    def package_ids_for(self, condition_slug: str) -> list[str]:
        return self._package_ids_by_condition.get(condition_slug, [])

    @cached_property
    def _package_ids_by_condition(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for outline in self.packages.outlines:
            for slug in dict.fromkeys(outline.conditions):
                found.setdefault(slug, []).append(outline.id)
        return found

    @cached_property
    def _by_path(self) -> dict[str, Document]:
        return {doc.content_path: doc for doc in self.documents + self.translations}

    @cached_property
    def _translated(self) -> dict[tuple[str, str], Document]:
        return {(doc.source_path, doc.lang): doc for doc in self.translations if doc.lang}

    def translation(self, source_path: str, lang: str) -> Document | None:
        """The translation into `lang` of the document at `source_path`, if there is one."""
        return self._translated.get((source_path, lang))

    @cached_property
    def languages(self) -> list[Language]:
        return self.config.all_languages

    @cached_property
    def _configs(self) -> dict[str, SiteConfig]:
        return {lang.code: self.config.in_language(lang.code) for lang in self.languages}

    def config_in(self, lang: str) -> SiteConfig:
        return self._configs.get(lang) or self.config.in_language(lang)

    def document_at(self, content_path: str) -> Document | None:
        return self._by_path.get(content_path)

    def condition_by_slug(self, slug: str) -> Document | None:
        return self._by_path.get(f"conditions/{slug}.md")

    def package_by_id(self, package_id: str) -> Package | None:
        return self.packages.by_id(package_id)

    def condition_titles(self) -> dict[str, str]:
        return {doc.slug: doc.title for doc in self.conditions}

    def item(self, key: str) -> Document | Package | None:
        """The page a workflow key names (`doc:<content path>`, `pkg:<id>`)."""
        kind, _, name = key.partition(":")
        return self.document_at(name) if kind == "doc" else self.package_by_id(name)


class RenderedPage:
    """One output file. `evidence` is the level its disclaimer must state, if any.

    The bytes are kept compressed (a large site's HTML would fill memory; compressed
    it is about a third) or, for a page the store kept, read from it only if wanted:
    `packed` is the compressed bytes or how to get them. Two pages are equal when
    their URL, template, evidence level and digest are.
    """

    __slots__ = ("digest", "evidence", "packed", "template", "url")

    def __init__(self, url: str, template: str, evidence: str | None, digest: str,
                 packed: bytes | Callable[[], bytes]) -> None:  # fmt: skip
        self.url, self.template, self.evidence = url, template, evidence
        self.digest, self.packed = digest, packed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RenderedPage) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def _identity(self) -> tuple[str, str, str | None, str]:
        return (self.url, self.template, self.evidence, self.digest)

    def __repr__(self) -> str:
        return f"RenderedPage({self.url!r}, {self.template!r}, {self.digest!r})"

    @classmethod
    def of(
        cls, url: str, content: bytes, template: str, evidence: str | None = None
    ) -> RenderedPage:
        return cls(url, template, evidence, digest_of(content), pack(content))

    @property
    def packed_bytes(self) -> bytes:
        return self.packed if isinstance(self.packed, bytes) else self.packed()

    @property
    def content(self) -> bytes:
        return unpack(self.packed_bytes)

    @property
    def is_html(self) -> bool:
        return is_html(self.url)


def pack(content: bytes) -> bytes:
    """Compressed fast (level 1: about a third of the size, for little time)."""
    return zlib.compress(content, 1)


def unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed)


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def package_review_due(package: Package, config: SiteConfig) -> date:
    """When a package is due to be reviewed again: its last review plus the site's
    review interval (packages name no date of their own)."""
    return add_months(package.last_reviewed, config.review_interval_months)
