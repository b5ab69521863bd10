"""Stage 2: raw documents -> typed models, plus every problem found on the way.

Pydantic checks each file's shape; this module maps its errors back to the
line and column the loader recorded, and then checks what no single file can
know: evidence levels, package -> condition references, slugs and duplicates.
"""

from __future__ import annotations

from datetime import date

from .explain import SLUG_HINT, field_path, suggest, validate_model
from .findings import Finding, error
from .load import Loc, RawDocument, split_stem
from .markdown import check_markdown
from .models import (
    SLUG_RE,
    Catalogue,
    ConditionMeta,
    Document,
    Package,
    PageMeta,
    SiteConfig,
    add_months,
)

RESERVED_SLUGS = frozenset(
    {"conditions", "packages", "static", "images", "search", "pagefind", "404"}
)
EVIDENCE_PAGE = "how-we-rate-evidence"


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


def validate_document(
    doc: RawDocument, config: SiteConfig | None
) -> tuple[Document | None, list[Finding]]:
    findings = check_slug(doc)
    model = ConditionMeta if doc.kind == "condition" else PageMeta
    meta, found = validate_model(model, doc.data, doc)
    findings += found
    if meta is None or findings:
        return None, findings
    if config is not None:
        if doc.kind == "condition":
            levels = [level.id for level in config.evidence_levels]
            findings += check_evidence(meta.evidence, levels, doc, ("evidence",))
            if findings:
                return None, findings
        if meta.next_review is None and meta.last_reviewed is not None:
            months = config.review_interval_months
            findings += past_the_calendar(meta.last_reviewed, months, doc, ("last_reviewed",))
            if findings:
                return None, findings
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
    return document, findings


def validate_catalogue(
    doc: RawDocument, config: SiteConfig | None, condition_slugs: list[str]
) -> tuple[list[Package], list[Finding]]:
    """Each package is validated on its own, so one bad entry does not hide the others."""
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
    packages: list[Package] = []
    first_use: dict[str, int] = {}  # package id -> index of its first entry
    levels = [level.id for level in config.evidence_levels] if config else []
    for index, entry in enumerate(data.get("packages") or []):
        loc: Loc = ("packages", index)
        package, found = validate_model(Package, entry, doc, loc)
        findings += found
        if package is None:
            continue
        if package.id in first_use:
            line, col = doc.positions.of_value((*loc, "id"))
            first_line = doc.positions.of_value(("packages", first_use[package.id], "id"))[0]
            findings.append(
                error(
                    doc.display_path,
                    line,
                    col,
                    field_path((*loc, "id")),
                    f"expected a unique package id, found '{package.id}' again "
                    f"(first used on line {first_line})",
                )
            )
            continue
        first_use[package.id] = index
        problems = []
        if config is not None:
            problems += check_evidence(package.evidence, levels, doc, (*loc, "evidence"))
            months = config.review_interval_months
            where = (*loc, "last_reviewed")
            problems += past_the_calendar(package.last_reviewed, months, doc, where)
        others = [lang.code for lang in config.all_languages[1:]] if config else []
        for code in package.translations:
            if code not in others:
                where = (*loc, "translations", code)
                line, col = doc.positions.of_key(where)
                problems.append(
                    error(doc.display_path, line, col, field_path(where),
                          "expected the code of a language listed in site.yaml other than "
                          f"the default ({', '.join(others) or 'none'}), found '{code}'")
                )  # fmt: skip
        for number, slug in enumerate(package.conditions):
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
        if not problems:
            packages.append(package)
    return packages, findings


def site_urls(
    conditions: list[Document], pages: list[Document], packages: list[Package]
) -> frozenset[str]:
    fixed = {"", "conditions/", "packages/"}
    return frozenset(fixed | {d.url for d in conditions + pages} | {p.url for p in packages})


def check_navigation(config: SiteConfig, doc: RawDocument, urls: frozenset[str]) -> list[Finding]:
    findings = []
    for index, item in enumerate(config.navigation):
        target = item.url
        if target.startswith(("http://", "https://")):
            continue
        key = target.strip("/")
        key = f"{key}/" if key else ""
        if key not in urls:
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
    disclaimer (each form the default language has) and every evidence level's label
    and explanation. Without them the disclaimer invariant would not hold in it."""
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
        if config.disclaimer_short and (text is None or text.disclaimer_short is None):
            missing.append("disclaimer_short")
        missing += [f"evidence_levels.{level_id}" for level_id in level_ids
                    if text is None or level_id not in text.evidence_levels]  # fmt: skip
        if missing:
            problem(where, f"expected the site's words in '{code}' for every page's "
                    f"disclaimer: {', '.join(missing)} (under translations: {code}:), "
                    "found them missing", key=True)  # fmt: skip
        if text is not None:
            for name in ("disclaimer", "disclaimer_short"):
                words = getattr(text, name)
                if words:
                    line = doc.positions.of_value(("translations", code, name))[0]
                    findings += check_markdown(words, doc.display_path, line)
    return findings


def validate_config(site_doc: RawDocument) -> tuple[SiteConfig | None, list[Finding]]:
    config, findings = validate_model(SiteConfig, site_doc.data, site_doc)
    if config is not None:
        line = site_doc.positions.of_value(("disclaimer",))[0]  # the disclaimer is Markdown
        too_much = check_markdown(config.disclaimer, site_doc.display_path, line)
        languages = check_languages(config, site_doc)
        if too_much or languages:  # no page is rendered without them
            return None, findings + too_much + languages
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
