"""Content-quality checks: what DISCERN, the PIF TICK and HONcode ask of health information.

Sources for every claim, honest review dates, real risks, the sections a
condition page needs, disclosure of the publisher's interest, regulatory status
for cell therapies, and plain language.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .explain import field_path
from .findings import Finding, Severity, error, note, warning
from .markdown import SOURCE_MARKER_PATTERN, blank_match, mask_markdown
from .models import Document, Package, SiteConfig, Source, add_months
from .raw import RawDocument

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
HEADING_LINE = re.compile(r"^[ \t]*#{1,6}(?:[ \t].*)?$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~)")
SOURCE_MARKER = re.compile(SOURCE_MARKER_PATTERN)
# A letter of any script, and a word of them: `\w` without digits or `_`, with the marks
# written above or below letters (accents, Arabic short vowels), which `\w` leaves out.
ANY_LETTER = re.compile(r"[^\W\d_]")
MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
ANY_WORD = re.compile(rf"[^\W\d_][\w{MARKS}'\u2019-]*")


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


def packages_date_state(reviewed: list[date], config: SiteConfig, today: date) -> str:
    """`review_date_state` of the whole catalogue, from its packages' review dates."""
    months = config.review_interval_months
    past = any(
        review_date_state(day, months_later(day, months), today) != "current" for day in reviewed
    )
    return today.isoformat() if past else "current"


def months_later(day: date, months: int) -> date | None:
    """`add_months`, or None past the calendar's end (a finding of validation's)."""
    try:
        return add_months(day, months)
    except (ValueError, OverflowError):
        return None


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
    return [heading.text for heading in headings_of(body)]


@dataclass(frozen=True)
class Heading:
    text: str  # lower case
    level: int
    index: int  # its line in the body, from 0


def headings_of(body: str) -> list[Heading]:
    """The body's `#` headings, outside code."""
    headings, in_fence = [], False
    for index, line in enumerate(body.splitlines()):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := HEADING.match(line)):
            headings.append(Heading(match.group(2).strip().lower(), len(match.group(1)), index))
    return headings


def has_text(lines: list[str]) -> bool:
    """Whether masked lines (`mask_markdown`) hold a word of prose, a list or a table,
    in any script."""
    return any(ANY_LETTER.search(MARKUP.sub(" ", line)) for line in lines)


def check_sections(doc: Document, required: list[str]) -> list[Finding]:
    """Each section site.yaml requires is in the page, with text under its heading
    (down to the next heading of its level or above; its own sub-sections count)."""
    headings = headings_of(doc.body)
    masked = mask_markdown(doc.body).splitlines()
    by_text = {}
    for number, heading in enumerate(headings):
        if heading.text not in by_text:
            end = next((later.index for later in headings[number + 1 :]
                        if later.level <= heading.level), len(masked))  # fmt: skip
            own = {later.index for later in headings[number + 1 :]}
            lines = [masked[i] for i in range(heading.index + 1, end) if i not in own]
            by_text[heading.text] = (heading, has_text(lines))
    findings = []
    for wanted in required:
        found = by_text.get(wanted.lower())
        if found is None:
            findings.append(
                error(doc.display_path, doc.body_line, 1, "sections",
                      f"expected a '## {wanted}' section (required by site.yaml), found none")
            )  # fmt: skip
        elif not found[1]:
            findings.append(
                error(doc.display_path, doc.body_line + found[0].index, 1, "sections",
                      f"expected text in the '## {wanted}' section (required by site.yaml), "
                      "found only its heading")
            )  # fmt: skip
    return findings


def prose_words(body: str) -> int:
    """How many words of text a body holds, in any script: not its headings, code,
    comments, link addresses, or its Sources section."""
    text = HEADING_LINE.sub("", mask_markdown(body))
    return len(ANY_WORD.findall(MARKUP.sub(" ", text)))


def check_length(doc: Document, least: int) -> list[Finding]:
    """A page says something: at least `min_words` words of text (site.yaml)."""
    words = prose_words(doc.body)
    if words >= least:
        return []
    found = "none" if not words else f"{words}"
    return [
        error(doc.display_path, doc.body_line, 1, "text",
              f"expected at least {least} word{'s' if least != 1 else ''} of text under the "
              f"headings (min_words in site.yaml), found {found}")
    ]  # fmt: skip


def check_source_markers(doc: Document, count: int | None) -> list[Finding]:
    """`[3]` in the text must point at one of the page's `count` listed sources (None:
    the list is not known, as its field has errors)."""
    if count is None:
        return []
    masked = mask_markdown(doc.body)
    findings = []
    for match in SOURCE_MARKER.finditer(masked):
        number = int(match.group(1))
        if 1 <= number <= count:
            continue
        before = masked[: match.start()]
        line = doc.body_line + before.count("\n")
        col = match.start() - before.rfind("\n")
        if count == 0:
            expected = (
                f"[{number}] to cite a source listed under 'sources:' in the front matter, "
                "found no sources listed (list it there, or remove the marker)"
            )
        elif count == 1:
            expected = f"[1], the only source listed, found [{number}]"
        else:
            expected = f"a source number from 1 to {count}, found [{number}]"
        findings.append(error(doc.display_path, line, col, "sources", f"expected {expected}"))
    return findings


def listed_count(doc: Document, raw: RawDocument | None, invalid: frozenset[str]) -> int | None:
    """How many sources a document lists: as validated, or as written when the list has
    errors (so that markers are checked all the same); None when it is not a list."""
    if "sources" not in invalid and doc.meta.sources is not None:
        return len(doc.meta.sources)
    written = raw.data.get("sources") if raw is not None and isinstance(raw.data, dict) else None
    return len(written) if isinstance(written, list) else None


SILENT_ENDING = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$")
VOWEL_GROUP = re.compile(r"[aeiouy]{1,2}")
# `[ \t]*`, not `\s*`, at a line's start: `\s*` runs on over the blank lines below it
# from each of them in turn, in time that grows with the square of a run of them.
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


def flesch_kincaid(sentences: list[Sentence]) -> float | None:
    """The Flesch-Kincaid grade of a body's prose sentences (`sentences_of`); None if
    too short to judge."""
    words = [word for sentence in sentences for word in sentence.words]
    if len(words) < 100 or not sentences:
        return None
    syllable_count = sum(map(syllables, words))
    return 0.39 * len(words) / len(sentences) + 11.8 * syllable_count / len(words) - 15.59


def check_reading_grade(doc: Document, target: float, sentences: list[Sentence]
                        ) -> list[Finding]:  # fmt: skip
    grade = flesch_kincaid(sentences)
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


# A silent e inside a word, before an ending (safely, careful, something): the vowel
# groups would count it as a syllable, making two-syllable words look long to SMOG.
SILENT_INNER_E = re.compile(
    r"(?<=[aeiouy][^aeiouy])e(?=(?:ly|ful|ness|ment|less|thing|times|where|body|one)$)"
)
SMOG_LEAST_SENTENCES = 10  # McLaughlin sampled 30; fewer than 10 says little


@dataclass(frozen=True)
class Sentence:
    start: int  # where its first letter is in the body
    words: tuple[str, ...]

    @functools.cached_property  # SMOG counts them for the page, then for its section
    def long_words(self) -> list[str]:
        """Its words of three or more syllables (SMOG's polysyllables)."""
        return [word for word in self.words if is_polysyllable(word)]


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand words, page after page
def is_polysyllable(word: str) -> bool:
    return syllables(SILENT_INNER_E.sub("", word.lower())) >= 3


def sentences_of(body: str) -> list[Sentence]:
    """The prose sentences of a Markdown body, each where it starts (as the reading
    grade and the reading age read them: list items and paragraphs end sentences;
    headings and tables are not prose), with positions kept so that a finding can
    point at one."""
    text = NOT_PROSE_LINE.sub(blank_match, mask_markdown(body))
    text = LIST_MARK.sub(lambda match: "." + blank_match(match)[1:], text)
    text = MARKUP.sub(blank_match, text)
    found, start = [], 0
    for end, after in [(m.start(), m.end()) for m in SENTENCE_BREAK.finditer(text)] + [
        (len(text), len(text))
    ]:
        piece = text[start:end]
        if letter := LETTER.search(piece):
            found.append(Sentence(start + letter.start(), tuple(WORD.findall(piece))))
        start = after
    return found


def smog_grade(sentences: list[Sentence]) -> float:
    """McLaughlin's SMOG grade (1969): 1.0430 * sqrt(polysyllables * 30 / sentences)
    + 3.1291; the reading age is the grade + 5."""
    long_words = sum(len(sentence.long_words) for sentence in sentences)
    return 1.0430 * math.sqrt(long_words * 30 / len(sentences)) + 3.1291


def reading_age(grade: float) -> int:
    """SMOG's grade as a reading age in whole years, as its table gives it (the formula's
    error is about 1.5 grades: a tenth of a year is not a finding)."""
    return math.floor(grade + 5 + 0.5)


def check_reading_age(doc: Document, target: int, sentences: list[Sentence]
                      ) -> list[Finding]:  # fmt: skip
    """The reading age of a condition by SMOG (the PIF TICK's and the NHS's measure): a
    note within `reading_age_target`; above it, a warning for each `##` section above it,
    at its longest sentence (the page is judged as a whole, as SMOG is meant for 30
    sentences or more; its sections say where to work)."""
    if len(sentences) < SMOG_LEAST_SENTENCES:
        return []
    grade = smog_grade(sentences)
    if reading_age(grade) <= target:
        return [
            note(doc.display_path, doc.body_line, 1, "reading-age",
                 f"reading age {reading_age(grade)} (SMOG grade {grade:.1f}), target {target} "
                 "or below")
        ]  # fmt: skip
    findings = []
    for title, members in sections_of(doc.body, sentences):
        section_grade = smog_grade(members)
        if reading_age(section_grade) <= target:
            continue
        longest = max(members, key=lambda sentence: len(sentence.words))
        line, col = body_position(doc, longest.start)
        long_words = list(dict.fromkeys(longest.long_words))
        named = f" ({', '.join(long_words[:5])}{', …' if len(long_words) > 5 else ''})"
        findings.append(
            warning(doc.display_path, line, col, "reading-age",
                    f"expected a reading age of {target} or below (SMOG, reading_age_target in "
                    f"site.yaml), found {reading_age(section_grade)} (SMOG grade "
                    f"{section_grade:.1f}) in {title}, and {reading_age(grade)} on the page; "
                    f"its longest sentence starts here: {len(longest.words)} words, "
                    f"{len(longest.long_words)} of three or more syllables"
                    f"{named if long_words else ''} (split long sentences, and use a "
                    "shorter word where one says the same)")
        )  # fmt: skip
    return findings


def sections_of(body: str, sentences: list[Sentence]) -> list[tuple[str, list[Sentence]]]:
    """The sentences under each `##` heading (its `###` sub-sections included), with the
    section's name; those before the first heading as "the text before the first
    heading"."""
    starts = [0]
    for index, char in enumerate(body):
        if char == "\n":
            starts.append(index + 1)
    headings = [heading for heading in headings_of(body) if heading.level <= 2]
    lines = body.splitlines()
    bounds = [(starts[h.index], f"the section '{lines[h.index].strip()}'") for h in headings]
    if not bounds or bounds[0][0] > 0:
        bounds.insert(0, (0, "the text before the first heading"))
    grouped = []
    for number, (begin, title) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else len(body) + 1
        members = [sentence for sentence in sentences if begin <= sentence.start < end]
        if members:
            grouped.append((title, members))
    return grouped


def body_position(doc: Document, index: int) -> tuple[int, int]:
    """The file's line and column of the body's character at `index`."""
    line_start = doc.body.rfind("\n", 0, index) + 1
    return doc.body_line + doc.body.count("\n", 0, index), index - line_start + 1


def check_package(
    package: Package,
    index: int,
    raw: RawDocument | None,
    path: str,
    invalid: frozenset[str] = frozenset(),
) -> list[Finding]:
    loc = ("packages", index)
    findings = []
    if package.sources is not None and "sources" not in invalid:
        findings += check_sources(package.sources, raw, (*loc, "sources"), path)
    for number, risk in enumerate(package.known_risks or []):
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
            if field not in invalid and not getattr(package, field):
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
    item: Any, raw: RawDocument | None, loc: tuple, path: str, config: SiteConfig,
    invalid: frozenset[str] = frozenset(),
) -> list[Finding]:  # fmt: skip
    """`require_approval: true` in site.yaml: every page names the person who keeps it
    up to date (`owner`) and the clinician who signed it off (`approved_by`, on
    `approved_on`), as the PIF TICK and the NHS content standard ask (a field with
    errors is reported as such, not as missing)."""
    if not config.require_approval:
        return []
    where = _at(raw, loc, path)
    return [
        error(*where, field_path((*loc, name)),
              f"expected {words}, as site.yaml requires (require_approval: true), found none")
        for name, words in (("owner", "the person who keeps this page up to date"),
                            ("approved_by", "who approved this page for publication"))
        if getattr(item, name) is None and name not in invalid
    ]  # fmt: skip


GAP_SEVERITY = {"note": Severity.NOTE, "warning": Severity.WARNING, "error": Severity.ERROR}


def check_publisher_package(
    package: Package,
    index: int,
    raw: RawDocument | None,
    path: str,
    config: SiteConfig,
    invalid: frozenset[str] = frozenset(),
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
        if name not in invalid
    ]


def is_english(code: str) -> bool:
    return code.split("-")[0].lower() == "en"


def check_plain_language(doc: Document, config: SiteConfig) -> list[Finding]:
    """Flesch-Kincaid and SMOG, on a page in English: both formulas count English
    syllables against English readers' grades, so on another language they measure
    nothing (SMOG has no statistical validity there; Spanish words, for one, have
    more syllables for the same reading age). A page in another language gets a note
    that it is not measured."""
    if is_english(config.language):
        sentences = sentences_of(doc.body)
        grade = check_reading_grade(doc, config.reading_grade_target, sentences)
        return grade + check_reading_age(doc, config.reading_age_target, sentences)
    return [
        note(doc.display_path, doc.body_line, 1, "reading-age",
             f"not measured: the reading grade (Flesch-Kincaid) and reading age (SMOG) are "
             f"formulas for English, and this page is in '{config.language}'; have someone "
             "who reads it check that it is plain")
    ]  # fmt: skip


def check_document(
    doc: Document,
    raw: RawDocument | None,
    config: SiteConfig,
    today: date,
    invalid: frozenset[str] = frozenset(),
    original_reviewed: date | None = None,
) -> list[Finding]:
    """The checks of one condition or page (`raw`: its file as read, for positions;
    `config`: the settings in its language). A document whose front matter has errors
    is checked all the same, as far as it is valid: `invalid` names the fields with
    errors (None in `doc.meta`), whose checks wait until they are fixed.
    `original_reviewed`: for a translation, the `last_reviewed` of the page it
    translates. That review checked the sources; the translation's own review date
    is the day its words were checked, so its sources' dates are held to the page's."""
    findings: list[Finding] = []
    meta = doc.meta
    sources = meta.sources if "sources" not in invalid else None
    if raw is None or raw.body_within_limits:
        findings += check_length(doc, config.min_words)
        if doc.kind == "condition":
            findings += check_sections(doc, config.required_sections)
            findings += check_plain_language(doc, config)
        findings += check_source_markers(doc, listed_count(doc, raw, invalid))
    if doc.kind == "condition" and sources is not None:
        findings += check_sources(sources, raw, ("sources",), doc.display_path)
    findings += check_review_dates(
        meta.last_reviewed, meta.next_review, raw, (), doc.display_path, today
    )
    sources_reviewed = meta.last_reviewed if doc.lang is None else original_reviewed
    if sources is not None:
        findings += check_source_dates(
            sources, sources_reviewed, raw, ("sources",), doc.display_path
        )
    if "clinical_review" not in invalid:
        findings += check_clinical_review(doc, raw, config)
    return findings + check_approval(meta, raw, (), doc.display_path, config, invalid)


def check_packages(
    entries: list[tuple[int, Package, frozenset[str]]],
    catalogue: RawDocument | None,
    config: SiteConfig,
    today: date,
) -> list[Finding]:
    """The checks of each entry of packages.yaml: (its index, the package as far as it
    is valid, the names of its fields with errors, whose checks wait until they are
    fixed)."""
    findings: list[Finding] = []
    path = catalogue.display_path if catalogue else "content/packages.yaml"
    for position, package, invalid in entries:
        findings += check_package(package, position, catalogue, path, invalid)
        findings += check_publisher_package(package, position, catalogue, path, config, invalid)
        findings += check_approval(package, catalogue, ("packages", position), path, config,
                                   invalid)  # fmt: skip
        if package.sources is not None and "sources" not in invalid:
            findings += check_source_dates(
                package.sources,
                package.last_reviewed,
                catalogue,
                ("packages", position, "sources"),
                path,
            )
        if package.last_reviewed is not None:
            due = months_later(package.last_reviewed, config.review_interval_months)
            findings += check_review_dates(
                package.last_reviewed, due, catalogue, ("packages", position), path, today
            )
    return findings
