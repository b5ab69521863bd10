"""Content-quality checks: what DISCERN, the PIF TICK and HONcode ask of health information.

Sources for every claim, honest review dates, real risks, the sections a
condition page needs, disclosure of the publisher's interest, regulatory status
for cell therapies, and plain language.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from .explain import field_path
from .findings import Finding, Severity, error, note, warning
from .load import RawDocument
from .markdown import SOURCE_MARKER_PATTERN, mask_markdown
from .models import Document, Package, SiteConfig, Source, package_review_due

NONE_PHRASES = re.compile(
    r"^\W*(?:none|nil|n/?a|not applicable|nothing|no(?:ne)?\s+(?:known|reported|significant)?\s*"
    r"(?:risks?|side[\s-]*effects?|complications?)(?:\s+(?:known|reported))?|"
    r"(?:there\s+(?:are|were)\s+)?no\s+(?:known\s+)?(?:risks?|side[\s-]*effects?|complications?)"
    r".*|risk[\s-]*free|completely safe|none known|none reported|zero risks?)\W*$",
    re.IGNORECASE,
)
# A risk named but played down: no reader can weigh "rare and mild" or "none in
# 20,000 cases" without how often and how badly, and from whom the count comes.
MINIMISING = re.compile(
    r"\b(?:minimal|negligible|insignificant|trivial|rare and (?:mild|minor)|"
    r"(?:mild|minor) and rare|unheard of|(?:virtually|practically|almost) "
    r"(?:no|none|zero|never|risk[\s-]*free)|no serious|nothing serious|only (?:minor|mild)|"
    r"none in (?:over |more than )?[\d,.\s]*\d|none in (?:\w+ )?(?:hundreds|thousands)|"
    r"not a single|no (?:reported|known) (?:cases?|problems?|complications?|side[\s-]*effects?))\b",
    re.IGNORECASE,
)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^(```|~~~)")
SOURCE_MARKER = re.compile(SOURCE_MARKER_PATTERN)


def _at(doc: RawDocument | None, loc: tuple, fallback: str) -> tuple[str, int, int]:
    if doc is None:
        return fallback, 1, 1
    return (doc.display_path, *doc.positions.of_value(loc))


def check_sources(
    sources: list[Source], raw: RawDocument | None, loc: tuple, path: str
) -> list[Finding]:
    where = _at(raw, loc, path)
    if not sources:
        key = raw.positions.of_key(loc) if raw else (1, 1)
        return [
            error(
                where[0],
                *key,
                field_path(loc) or "sources",
                "expected at least one source (title and url or citation), found none",
            )
        ]
    findings = []
    for index, source in enumerate(sources):
        if not source.url and not source.citation:
            spot = _at(raw, (*loc, index), path)
            findings.append(
                error(
                    *spot,
                    field_path((*loc, index)),
                    f"expected a url or a full citation for '{source.title}', found neither",
                )
            )
    return findings


def review_date_state(reviewed: date | None, due: date | None, today: date) -> str:
    """What the review-date check of these dates reads of `today`: only that neither
    is past while that holds (the same findings every such day), the date itself once
    one is (a finding counts the days)."""
    if (reviewed and reviewed > today) or (due and due < today):
        return today.isoformat()
    return "current"


def packages_date_state(packages: list[Package], config: SiteConfig, today: date) -> str:
    """`review_date_state` of the whole catalogue."""
    past = any(
        review_date_state(p.last_reviewed, package_review_due(p, config), today) != "current"
        for p in packages
    )
    return today.isoformat() if past else "current"


def check_review_dates(
    reviewed: date | None,
    due: date | None,
    raw: RawDocument | None,
    loc: tuple,
    path: str,
    today: date,
) -> list[Finding]:
    """Reviews cannot be dated in the future; a page past its next review is stale."""
    findings = []
    if reviewed and reviewed > today:
        where = (*loc, "last_reviewed")
        findings.append(
            error(
                *_at(raw, where, path),
                field_path(where),
                f"expected a date on or before today ({today}), found {reviewed}",
            )
        )
    if due and due < today:
        days = (today - due).days
        named = raw is not None and (*loc, "next_review") in raw.positions.values
        where = (*loc, "next_review" if named else "last_reviewed")
        findings.append(
            warning(
                *_at(raw, where, path),
                "review",
                f"expected a review by {due}, found it {days} day{'s' if days != 1 else ''} "
                "overdue (the page shows a notice)",
            )
        )
    return findings


def body_headings(body: str) -> list[str]:
    headings, in_fence = [], False
    for line in body.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := HEADING.match(line)):
            headings.append(match.group(2).strip().lower())
    return headings


def check_sections(doc: Document, required: list[str]) -> list[Finding]:
    present = body_headings(doc.body)
    return [
        error(
            doc.display_path,
            doc.body_line,
            1,
            "sections",
            f"expected a '## {heading}' section (required by site.yaml), found none",
        )
        for heading in required
        if heading.lower() not in present
    ]


def check_source_markers(doc: Document) -> list[Finding]:
    """`[3]` in the text must point at one of the page's listed sources."""
    count = len(doc.meta.sources)
    masked = mask_markdown(doc.body)
    findings = []
    for match in SOURCE_MARKER.finditer(masked):
        number = int(match.group(1))
        if 1 <= number <= count:
            continue
        before = masked[: match.start()]
        line = doc.body_line + before.count("\n")
        col = match.start() - before.rfind("\n")
        findings.append(
            error(
                doc.display_path,
                line,
                col,
                "sources",
                f"expected a source number from 1 to {count}, found [{number}]",
            )
        )
    return findings


SILENT_ENDING = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$")
VOWEL_GROUP = re.compile(r"[aeiouy]{1,2}")
# `[ \t]*`, not `\s*`, at a line's start: `\s*` runs on over the blank lines below it
# from each of them in turn, and 40,000 blank lines took 24 s.
NOT_PROSE_LINE = re.compile(r"^[ \t]*(?:#{1,6}.*|\|.*\|)\s*$", re.MULTILINE)
LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d+\.)\s+", re.MULTILINE)
MARKUP = re.compile(r"\[\^?\d+\]|[*_>#|\[\]()]")
SENTENCE_BREAK = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
LETTER = re.compile(r"[A-Za-z]")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@functools.lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """English syllables by vowel groups: good enough for a reading grade."""
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = SILENT_ENDING.sub("", word)
    word = word.removeprefix("y")
    return max(1, len(VOWEL_GROUP.findall(word)))


def reading_grade(body: str) -> float | None:
    """Flesch-Kincaid grade of the prose of a Markdown body (None if too short to judge)."""
    text = mask_markdown(body)
    text = NOT_PROSE_LINE.sub("", text)
    text = LIST_MARK.sub(". ", text)
    text = MARKUP.sub(" ", text)
    sentences = [piece for piece in SENTENCE_BREAK.split(text) if LETTER.search(piece)]
    words = WORD.findall(text)
    if len(words) < 100 or not sentences:
        return None
    syllable_count = sum(map(syllables, words))
    return 0.39 * len(words) / len(sentences) + 11.8 * syllable_count / len(words) - 15.59


def check_reading_grade(doc: Document, target: float) -> list[Finding]:
    grade = reading_grade(doc.body)
    if grade is None:
        return []
    if grade > target:
        return [
            warning(
                doc.display_path,
                doc.body_line,
                1,
                "reading-grade",
                f"expected a reading grade of {target:g} or below, found {grade:.1f} "
                "(use shorter sentences and everyday words)",
            )
        ]
    return [
        note(
            doc.display_path,
            doc.body_line,
            1,
            "reading-grade",
            f"grade {grade:.1f} (Flesch-Kincaid), target {target:g} or below",
        )
    ]


def check_package(
    package: Package, index: int, raw: RawDocument | None, path: str
) -> list[Finding]:
    loc = ("packages", index)
    findings = check_sources(package.sources, raw, (*loc, "sources"), path)
    for number, risk in enumerate(package.known_risks):
        where = (*loc, "known_risks", number)
        if NONE_PHRASES.match(risk.strip()):
            findings.append(
                error(
                    *_at(raw, where, path),
                    field_path(where),
                    f"expected a real risk (every procedure has some), found '{risk}'",
                )
            )
        elif played_down := MINIMISING.search(risk):
            findings.append(
                error(
                    *_at(raw, where, path),
                    field_path(where),
                    "expected the risk with how often and how badly it happens (and the "
                    f"source), found it played down: '{played_down.group(0)}'",
                )
            )
    if package.kind == "cell therapy":
        for field, what in (
            (
                "regulatory_status",
                "the regulatory status per jurisdiction ({jurisdiction, status})",
            ),
            (
                "report_side_effects",
                "how to report a side effect to a regulator ({jurisdiction, how})",
            ),
        ):
            if not getattr(package, field):
                spot = raw.positions.of_key((*loc, "id")) if raw else (1, 1)
                findings.append(
                    error(
                        raw.display_path if raw else path,
                        *spot,
                        field_path((*loc, field)),
                        f"expected {what} for a cell-therapy package, found none",
                    )
                )
    return findings


def check_source_dates(
    sources: list[Source], reviewed: date | None, raw: RawDocument | None, loc: tuple, path: str
) -> list[Finding]:
    """A review vouches for its sources as they stood that day: a source last opened
    before the page's review was not checked by it."""
    if reviewed is None:
        return []
    findings = []
    for index, source in enumerate(sources):
        if source.accessed is not None and source.accessed < reviewed:
            where = (*loc, index, "accessed")
            findings.append(
                warning(
                    *_at(raw, where, path),
                    field_path(where),
                    f"expected the source to have been opened on or after the last review "
                    f"({reviewed}), found {source.accessed} (check that '{source.title}' "
                    "still says what the page cites it for, then update the date)",
                )
            )
    return findings


def needs_clinical_review(doc: Document) -> bool:
    """Health information: a condition, or a page that cites sources."""
    return doc.kind == "condition" or bool(doc.meta.sources)


def check_clinical_review(
    doc: Document, raw: RawDocument | None, config: SiteConfig
) -> list[Finding]:
    """`require_clinical_review: true` in site.yaml: no health page is published
    until a clinician has reviewed it."""
    if not config.require_clinical_review or doc.meta.clinical_review is not None:
        return []
    if not needs_clinical_review(doc):
        return []
    return [
        error(
            *_at(raw, (), doc.display_path),
            "clinical_review",
            "expected a clinical review ({by, role, date}), as site.yaml requires "
            "(require_clinical_review: true), found none",
        )
    ]


def check_approval(
    item: Any, raw: RawDocument | None, loc: tuple, path: str, config: SiteConfig
) -> list[Finding]:
    """`require_approval: true` in site.yaml: every page names the person who keeps it
    up to date (`owner`) and the clinician who signed it off (`approved_by`, on
    `approved_on`), as the PIF TICK and the NHS content standard ask."""
    if not config.require_approval:
        return []
    where = _at(raw, loc, path)
    return [
        error(*where, field_path((*loc, name)),
              f"expected {words}, as site.yaml requires (require_approval: true), found none")
        for name, words in (("owner", "the person who keeps this page up to date"),
                            ("approved_by", "who approved this page for publication"))
        if getattr(item, name) is None
    ]  # fmt: skip


GAP_SEVERITY = {"note": Severity.NOTE, "warning": Severity.WARNING, "error": Severity.ERROR}


def check_publisher_package(
    package: Package, index: int, raw: RawDocument | None, path: str, config: SiteConfig
) -> list[Finding]:
    """A package the site's own publisher sells states what the publisher knows;
    each missing fact is reported (a note unless site.yaml raises it)."""
    severity = GAP_SEVERITY[config.publisher_package_gaps]
    loc = ("packages", index)
    where = _at(raw, (*loc, "sold_by_publisher"), path)
    return [
        Finding(
            *where,
            field_path((*loc, name)),
            f"expected the site's publisher, who sells this package (sold_by_publisher), "
            f"to state {words}, found nothing (the page says it has not been published)",
            severity,
        )
        for name, words in package.publisher_gaps
    ]


def check_document(
    doc: Document, raw: RawDocument | None, config: SiteConfig, today: date
) -> list[Finding]:
    """The checks of one condition or page (`raw`: its file as read, for positions)."""
    findings: list[Finding] = []
    if doc.kind == "condition":
        findings += check_sources(doc.meta.sources, raw, ("sources",), doc.display_path)
        findings += check_sections(doc, config.required_sections)
        findings += check_reading_grade(doc, config.reading_grade_target)
    findings += check_review_dates(
        doc.meta.last_reviewed, doc.meta.next_review, raw, (), doc.display_path, today
    )
    findings += check_source_dates(
        doc.meta.sources, doc.meta.last_reviewed, raw, ("sources",), doc.display_path
    )
    findings += check_clinical_review(doc, raw, config)
    findings += check_approval(doc.meta, raw, (), doc.display_path, config)
    return findings + check_source_markers(doc)


def check_packages(
    packages: list[Package], catalogue: RawDocument | None, config: SiteConfig, today: date
) -> list[Finding]:
    findings: list[Finding] = []
    path = catalogue.display_path if catalogue else "content/packages.yaml"
    for index, package in enumerate(packages):
        position = _package_index(catalogue, package.id, index)
        findings += check_package(package, position, catalogue, path)
        findings += check_publisher_package(package, position, catalogue, path, config)
        findings += check_approval(package, catalogue, ("packages", position), path, config)
        findings += check_source_dates(
            package.sources,
            package.last_reviewed,
            catalogue,
            ("packages", position, "sources"),
            path,
        )
        due = package_review_due(package, config)
        findings += check_review_dates(
            package.last_reviewed, due, catalogue, ("packages", position), path, today
        )
    return findings


def _package_index(catalogue: RawDocument | None, package_id: str, default: int) -> int:
    """Where a package stands in packages.yaml (invalid entries are skipped in the Site)."""
    entries = (
        (catalogue.data or {}).get("packages")
        if catalogue and isinstance(catalogue.data, dict)
        else None
    )
    for index, entry in enumerate(entries or []):
        if isinstance(entry, dict) and entry.get("id") == package_id:
            return index
    return default
