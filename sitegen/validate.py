"""Stage 2: raw documents -> typed models, plus every problem found on the way.

Pydantic checks each file's shape; this module maps its errors back to the
line and column the loader recorded, and then checks what no single file can
know: evidence levels, package -> condition references, slugs and duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .explain import SLUG_HINT, check_model, field_path, suggest, validate_model
from .findings import Finding, error, has_errors, warning
from .markdown import check_markdown
from .models import (
    KEY_FACTS_MOST,
    KIND_FIELDS,
    SLUG_RE,
    WHAT_IS_GIVEN,
    Catalogue,
    ConditionMeta,
    Document,
    Editorial,
    Package,
    PageMeta,
    SiteConfig,
    add_months,
)
from .raw import Loc, RawDocument, split_stem
from .urls import EVIDENCE_PAGE, unchecked_by

RESERVED_SLUGS = frozenset(
    {"conditions", "packages", "static", "images", "search", "pagefind", "404"}
)


def past_the_calendar(
    last_reviewed: date, months: int, doc: RawDocument, loc: Loc
) -> list[Finding]:
    """A finding if the next review, `months` after `last_reviewed`, would fall after
    9999-12-31, the last day a date can hold (a typo like 9999-12-31 would otherwise
    stop the build)."""
    try:
        add_months(last_reviewed, months)
    except (ValueError, OverflowError):
        return [
            error(
                doc.display_path,
                *doc.positions.of_value(loc),
                field_path(loc),
                f"expected a review date from which the next review, {months} months on, "
                f"is still a date (before the year 10000), found {last_reviewed}",
            )
        ]
    return []


def check_slug(doc: RawDocument) -> list[Finding]:
    slug = split_stem(doc.slug)[0]
    if not SLUG_RE.match(slug):
        return [
            error(
                doc.display_path,
                1,
                1,
                "slug",
                f"expected {SLUG_HINT} in the file name, found '{slug}'",
            )
        ]
    if doc.kind == "page" and slug in RESERVED_SLUGS:
        reserved = ", ".join(sorted(RESERVED_SLUGS))
        return [
            error(
                doc.display_path,
                1,
                1,
                "slug",
                f"expected a page name the site does not use itself ({reserved}), "
                f"found '{doc.slug}'",
            )
        ]
    return []


def check_evidence(value: str, levels: list[str], doc: RawDocument, loc: Loc) -> list[Finding]:
    if value in levels:
        return []
    line, col = doc.positions.of_value(loc)
    return [
        error(
            doc.display_path,
            line,
            col,
            field_path(loc),
            f"expected one of the evidence levels defined in site.yaml ({', '.join(levels)})"
            f"{suggest(value, levels)}, found '{value}'",
        )
    ]


@dataclass(frozen=True)
class ReadDocument:
    """A document as far as its front matter is valid: `document` holds the valid
    fields (the others None; None itself when the front matter is not a mapping of
    fields), `invalid` names the fields with errors; `valid` when there are none."""

    document: Document | None
    invalid: frozenset[str]
    findings: list[Finding]

    @property
    def valid(self) -> bool:
        return self.document is not None and not has_errors(self.findings)


def validate_document(
    doc: RawDocument, config: SiteConfig | None
) -> tuple[Document | None, list[Finding]]:
    read = read_document(doc, config)
    return (read.document if read.valid else None), read.findings


def check_editorial_fields(item: Editorial, raw: RawDocument, loc: Loc = ()) -> list[Finding]:
    """The workflow fields, each consistent with the others: an approval names who and
    when, a page expires after it is published, and each alias is given once."""
    findings = []
    if (item.approved_by is None) != (item.approved_on is None):
        present, absent = (
            ("approved_by", "approved_on") if item.approved_by else ("approved_on", "approved_by")
        )
        findings.append(
            error(
                raw.display_path,
                *raw.positions.of_key((*loc, present)),
                field_path((*loc, absent)),
                f"expected {absent} beside {present} (who approved the page, and on what "
                "day), found none",
            )
        )
    if item.publish_on and item.expires_on and item.expires_on <= item.publish_on:
        where = (*loc, "expires_on")
        findings.append(
            error(
                raw.display_path,
                *raw.positions.of_value(where),
                field_path(where),
                f"expected a day after publish_on ({item.publish_on}), found {item.expires_on}",
            )
        )
    seen: set[str] = set()
    for index, alias in enumerate(item.aliases or ()):  # None: the field has errors
        if alias in seen:
            where = (*loc, "aliases", index)
            findings.append(
                error(
                    raw.display_path,
                    *raw.positions.of_value(where),
                    field_path(where),
                    f"expected each old address once, found '{alias}' again",
                )
            )
        seen.add(alias)
    return findings


def read_document(doc: RawDocument, config: SiteConfig | None) -> ReadDocument:
    """Every check of one document's front matter, each run whatever the others found:
    its file name, each field's type, its evidence level and review date."""
    findings = check_slug(doc)
    model = ConditionMeta if doc.kind == "condition" else PageMeta
    checked = check_model(model, doc.data, doc)
    findings += checked.findings
    meta, invalid = checked.value or checked.partial, checked.invalid
    if meta is None:
        return ReadDocument(None, invalid, findings)
    findings += check_editorial_fields(meta, doc)
    if config is not None:
        if doc.kind == "condition" and meta.evidence is not None:
            levels = [level.id for level in config.evidence_levels]
            findings += check_evidence(meta.evidence, levels, doc, ("evidence",))
        if meta.next_review is None and meta.last_reviewed is not None:
            months = config.review_interval_months
            late = past_the_calendar(meta.last_reviewed, months, doc, ("last_reviewed",))
            findings += late
            if not late and "next_review" not in invalid:
                due = add_months(meta.last_reviewed, months)
                meta = meta.model_copy(update={"next_review": due})
    slug, lang = split_stem(doc.slug)
    document = Document.of(
        doc.kind,
        slug,
        meta,
        doc.body,
        doc.body_line,
        doc.display_path,
        doc.content_path,
        lang,
    )
    return ReadDocument(document, invalid, findings)


@dataclass(frozen=True)
class CatalogueEntry:
    """One entry of packages.yaml as far as it is valid (`package` holds its valid
    fields, the others None; None when the entry is not a mapping of fields)."""

    index: int
    package: Package | None
    invalid: frozenset[str]
    valid: bool


def validate_catalogue(
    doc: RawDocument, config: SiteConfig | None, condition_slugs: list[str]
) -> tuple[list[Package], list[Finding]]:
    entries, findings = read_catalogue(doc, config, condition_slugs)
    return [entry.package for entry in entries if entry.valid], findings  # type: ignore[misc]


def read_catalogue(
    doc: RawDocument, config: SiteConfig | None, condition_slugs: list[str]
) -> tuple[list[CatalogueEntry], list[Finding]]:
    """Each package checked on its own, so one bad entry does not hide the others, and
    every check of an entry run whatever the others found (its fields' types, a unique
    id, its evidence level, its conditions, its review date)."""
    data = doc.data
    if data is None:
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("packages", []), list):
        _, findings = validate_model(Catalogue, data, doc)
        return [], findings
    findings: list[Finding] = []
    extra = {key: value for key, value in data.items() if key != "packages"}
    if extra:
        _, findings = validate_model(Catalogue, extra, doc)
    entries: list[CatalogueEntry] = []
    first_use: dict[str, int] = {}  # package id -> index of its first entry
    levels = [level.id for level in config.evidence_levels] if config else []
    for index, entry in enumerate(data.get("packages") or []):
        loc: Loc = ("packages", index)
        checked = check_model(Package, entry, doc, loc)
        problems = list(checked.findings)
        package = checked.value or checked.partial
        if package is None:
            entries.append(CatalogueEntry(index, None, checked.invalid, False))
            findings += problems
            continue
        if package.id is not None and package.id in first_use:
            line, col = doc.positions.of_value((*loc, "id"))
            first_line = doc.positions.of_value(("packages", first_use[package.id], "id"))[0]
            problems.append(
                error(
                    doc.display_path,
                    line,
                    col,
                    field_path((*loc, "id")),
                    f"expected a unique package id, found '{package.id}' again "
                    f"(first used on line {first_line})",
                )
            )
        elif package.id is not None:
            first_use[package.id] = index
        if "kind" not in checked.invalid:
            problems += check_package_kind(package, doc, loc, checked.invalid)
        problems += check_editorial_fields(package, doc, loc)
        if config is not None:
            if package.evidence is not None:
                problems += check_evidence(package.evidence, levels, doc, (*loc, "evidence"))
            if package.last_reviewed is not None:
                months = config.review_interval_months
                where = (*loc, "last_reviewed")
                problems += past_the_calendar(package.last_reviewed, months, doc, where)
        others = [lang.code for lang in config.all_languages[1:]] if config else []
        for code in package.translations or {}:
            if code not in others:
                where = (*loc, "translations", code)
                line, col = doc.positions.of_key(where)
                problems.append(
                    error(doc.display_path, line, col, field_path(where),
                          "expected the code of a language listed in site.yaml other than "
                          f"the default ({', '.join(others) or 'none'}), found '{code}'")
                )  # fmt: skip
        for number, slug in enumerate(package.conditions or []):
            if slug not in condition_slugs:
                where = (*loc, "conditions", number)
                line, col = doc.positions.of_value(where)
                problems.append(
                    error(
                        doc.display_path,
                        line,
                        col,
                        field_path(where),
                        "expected the name of a condition file in content/conditions/ "
                        f"({', '.join(condition_slugs) or 'there are none'})"
                        f"{suggest(slug, condition_slugs)}, found '{slug}'",
                    )
                )
        findings += problems
        entries.append(CatalogueEntry(index, package, checked.invalid, not problems))
    return entries, findings


def site_urls(
    conditions: list[Document], pages: list[Document], packages: list[Package]
) -> frozenset[str]:
    fixed = {"", "conditions/", "packages/"}
    return frozenset(fixed | {d.url for d in conditions + pages} | {p.url for p in packages})


def check_navigation(
    config: SiteConfig,
    doc: RawDocument,
    urls: frozenset[str],
    unchecked: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Each navigation link names a page of the site (one a file with errors would
    give is not checked: see `urls.unchecked_by`)."""
    findings = []
    for index, item in enumerate(config.navigation):
        key = navigation_url(item.url)
        if key is None or unchecked_by(key, unchecked or {}):
            continue
        if key not in urls:
            target = item.url
            hint = suggest("/" + key, ["/" + url for url in sorted(urls)])
            loc = ("navigation", index, "url")
            line, col = doc.positions.of_value(loc)
            findings.append(
                error(
                    doc.display_path,
                    line,
                    col,
                    field_path(loc),
                    f"expected a page of this site such as /conditions/{hint}, found '{target}'",
                )
            )
    return findings


def navigation_url(target: str) -> str | None:
    """The site URL a navigation link names (None for another site's address)."""
    if target.startswith(("http://", "https://")):
        return None
    key = target.strip("/")
    return f"{key}/" if key else ""


def missing_evidence_page(site_doc: RawDocument) -> list[Finding]:
    return [
        error(
            site_doc.display_path,
            *site_doc.positions.of_key(("evidence_levels",)),
            "evidence_levels",
            f"expected a page content/pages/{EVIDENCE_PAGE}.md that explains the evidence "
            "levels (badges link to it), found none",
        )
    ]


def check_languages(config: SiteConfig, doc: RawDocument) -> list[Finding]:
    """Every listed language has its own words for what every page must say: the
    disclaimer (the key facts and the full statement) and every evidence level's label,
    explanation and summary. Without them the disclaimer invariant would not hold in it."""
    findings: list[Finding] = []

    def problem(loc: Loc, message: str, key: bool = False) -> None:
        line, col = doc.positions.of_key(loc) if key else doc.positions.of_value(loc)
        findings.append(error(doc.display_path, line, col, field_path(loc), message))

    codes = [language.code for language in config.languages]
    if codes and config.language not in codes:
        problem(("languages",), f"expected the default language '{config.language}' "
                f"among the languages, found {', '.join(codes)}", key=True)  # fmt: skip
    for index, code in enumerate(codes):
        if code in codes[:index]:
            where: Loc = ("languages", index, "code")
            problem(where, f"expected each language once, found '{code}' again")
    level_ids = [level.id for level in config.evidence_levels]
    for code, text in config.translations.items():
        if code not in codes or code == config.language:
            others = [c for c in codes if c != config.language]
            problem(("translations", code), "expected the code of a language listed in "
                    f"`languages` other than the default ({', '.join(others) or 'none'}), "
                    f"found '{code}'", key=True)  # fmt: skip
            continue
        for level_id in text.evidence_levels:
            if level_id not in level_ids:
                problem(
                    ("translations", code, "evidence_levels", level_id),
                    f"expected one of the evidence levels ({', '.join(level_ids)})"
                    f"{suggest(level_id, level_ids)}, found '{level_id}'",
                    key=True,
                )
    for index, code in enumerate(codes):
        if code == config.language or code in codes[:index]:
            continue
        text = config.translations.get(code)
        where = ("translations", code) if text else ("languages", index, "code")
        missing = []
        if text is None or text.disclaimer is None:
            missing.append("disclaimer")
        if text is None or text.disclaimer_short is None:
            missing.append("disclaimer_short")
        for level in config.evidence_levels:
            words = text.evidence_levels.get(level.id) if text else None
            if words is None:
                missing.append(f"evidence_levels.{level.id}")
            elif level.summary and not words.summary:
                missing.append(f"evidence_levels.{level.id}.summary")
        if missing:
            problem(where, f"expected the site's words in '{code}' for every page's "
                    f"disclaimer: {', '.join(missing)} (under translations: {code}:), "
                    "found them missing", key=True)  # fmt: skip
        if text is not None:
            if text.disclaimer:
                line = doc.positions.of_value(("translations", code, "disclaimer"))[0]
                findings += check_markdown(text.disclaimer, doc.display_path, line)
            if text.disclaimer_short:
                where = ("translations", code, "disclaimer_short")
                findings += long_key_facts(text.disclaimer_short, where, doc)
    return findings


def long_key_facts(key_facts: str, where: Loc, site_doc: RawDocument) -> list[Finding]:
    """The key facts are read only if they are short: about six lines on a phone."""
    length = len(key_facts)
    if length <= KEY_FACTS_MOST:
        return []
    return [
        warning(
            site_doc.display_path,
            *site_doc.positions.of_value(where),
            field_path(where),
            f"expected at most {KEY_FACTS_MOST} characters (about six short lines on a phone; "
            f"the full statement goes in 'disclaimer'), found {length}",
        )
    ]


def validate_config(site_doc: RawDocument) -> tuple[SiteConfig | None, list[Finding]]:
    config, findings = validate_model(SiteConfig, site_doc.data, site_doc)
    if config is not None:
        line = site_doc.positions.of_value(("disclaimer",))[0]  # the disclaimer is Markdown
        too_much = check_markdown(config.disclaimer, site_doc.display_path, line)
        languages = check_languages(config, site_doc)
        if too_much or has_errors(languages):  # no page is rendered without them
            return None, findings + too_much + languages
        findings += languages
        findings += long_key_facts(config.disclaimer_short, ("disclaimer_short",), site_doc)
        ids = [level.id for level in config.evidence_levels]
        for index, level_id in enumerate(ids):
            if level_id in ids[:index]:
                loc = ("evidence_levels", index, "id")
                findings.append(
                    error(
                        site_doc.display_path,
                        *site_doc.positions.of_value(loc),
                        field_path(loc),
                        f"expected a unique evidence level id, found '{level_id}' again",
                    )
                )
    return config, findings


def check_package_kind(
    package: Package, doc: RawDocument, loc: Loc, invalid: frozenset[str] = frozenset()
) -> list[Finding]:
    """A package holds the fields of its own kind only, says what is given (a medicine
    course its medicines, ...) and how long it lasts (`invalid`: fields with errors,
    already reported)."""
    findings = []
    for kind, names in KIND_FIELDS.items():
        if kind == package.kind:
            continue
        for name in names:
            if name in package.model_fields_set and getattr(package, name):
                where = (*loc, name)
                owner = next(k for k, fields in KIND_FIELDS.items() if name in fields)
                findings.append(
                    error(
                        doc.display_path,
                        *doc.positions.of_key(where),
                        field_path(where),
                        f"expected the fields of a {package.kind} package, found '{name}', "
                        f"which only a {owner} package has (is the kind right?)",
                    )
                )
    given = WHAT_IS_GIVEN.get(package.kind)
    if given and given[0] not in invalid and not getattr(package, given[0]):
        where = (*loc, given[0])
        findings.append(
            error(
                doc.display_path,
                *doc.positions.of_key((*loc, "kind")),
                field_path(where),
                f"expected {given[1]} of a {package.kind} package, found none",
            )
        )
    if invalid.isdisjoint({"duration_days", "duration"}) and (
        package.duration_days is None and package.duration is None
    ):
        findings.append(
            error(
                doc.display_path,
                *doc.positions.of_key((*loc, "id")),
                field_path((*loc, "duration_days")),
                "expected how long the package lasts: duration_days (a whole number of "
                "days) or, when it has no fixed length, duration (in words), found neither",
            )
        )
    return findings
