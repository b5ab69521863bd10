"""Stage 2: raw documents -> typed models, plus every problem found on the way.

Pydantic checks each file's shape; this module maps its errors back to the
line and column the loader recorded, and then checks what no single file can
know: evidence levels, package -> condition references, slugs and duplicates.
"""

from __future__ import annotations

import calendar
import difflib
import re
import types
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from .findings import Finding, describe, error
from .load import Loc, RawDocument
from .markdown import check_markdown
from .models import (
    SLUG_RE,
    Catalogue,
    ConditionMeta,
    Document,
    Package,
    PageMeta,
    SiteConfig,
)

RESERVED_SLUGS = frozenset(
    {"conditions", "packages", "static", "images", "search", "pagefind", "404"}
)
EVIDENCE_PAGE = "how-we-rate-evidence"

SLUG_HINT = "lower-case letters, digits and single hyphens (like 'optic-nerve-damage')"
PATTERN_HINTS = {
    "id": SLUG_HINT,
    "conditions": SLUG_HINT,
    "language": "a language code like 'en' or 'pt-BR'",
    "currency": "a three-letter currency code like 'EUR' or 'USD'",
}


def field_path(loc: Loc) -> str:
    """`('sources', 0, 'url')` -> `sources[1].url`: items are counted from 1, as editors do."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found:
                return found
    return None


def known_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names allowed in the mapping at `loc` inside `model`."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        current = _model_of(info.annotation) if info else None
    return list(current.model_fields) if current else []


def suggest(found: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(found, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def expectation(err: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    """Plain words for what the field should hold."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        choices = known_fields(model, loc[:-1])
        return f"one of the known fields: {', '.join(choices)}{suggest(str(loc[-1]), choices)}"
    if kind in ("string_type", "string_too_short"):
        return "text"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(name, f"text matching {ctx.get('pattern')}")
    if kind.startswith("int_"):
        return "a whole number"
    if kind.startswith(("decimal_", "float_")):
        return "a number"
    if kind == "greater_than_equal":
        return f"a number of at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"a number of at most {ctx['le']}"
    if kind.startswith("date"):
        return "a date written as YYYY-MM-DD (like 2026-01-31)"
    if kind.startswith("bool"):
        return "true or false"
    if kind == "list_type":
        return "a list (one '- ' item per line)"
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return f"at least {count} item{'s' if count != 1 else ''}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "a mapping of fields (name: value)"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(str(err.get("input")), choices)
        return f"one of: {ctx.get('expected', '')}{hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][:1].lower() + err["msg"][1:]


def found_text(err: dict[str, Any], loc: Loc) -> str:
    kind = err["type"]
    if kind == "missing":
        return "nothing"
    if kind == "extra_forbidden":
        return f"an unknown field '{loc[-1]}'"
    if kind == "too_short":
        return "an empty list"
    return describe(err.get("input"))


def findings_from_errors(
    exc: ValidationError, doc: RawDocument, model: type[BaseModel], prefix: Loc = ()
) -> list[Finding]:
    errors = [
        (prefix + tuple(p for p in err["loc"] if isinstance(p, (str, int))), err)
        for err in exc.errors(include_url=False)
    ]
    missing = {loc for loc, err in errors if err["type"] == "missing"}
    misspelt: dict[Loc, str] = {}
    for loc, err in errors:
        if err["type"] == "extra_forbidden":
            siblings = [str(m[-1]) for m in missing if m[:-1] == loc[:-1]]
            close = difflib.get_close_matches(str(loc[-1]), siblings, n=1, cutoff=0.6)
            if close:
                misspelt[loc] = close[0]
    folded = {(*loc[:-1], name) for loc, name in misspelt.items()}
    findings = []
    for loc, err in errors:
        if loc in folded and err["type"] == "missing":
            continue
        if err["type"] == "extra_forbidden":
            line, col = doc.positions.of_key(loc)
        elif err["type"] == "missing":
            line, col = doc.positions.of_value(loc[:-1])
        else:
            line, col = doc.positions.of_value(loc)
        inner = loc[len(prefix) :]
        if loc in misspelt:
            message = f"expected the field '{misspelt[loc]}', found an unknown field '{loc[-1]}'"
        else:
            message = f"expected {expectation(err, model, inner)}, found {found_text(err, inner)}"
        findings.append(error(doc.display_path, line, col, field_path(loc), message))
    return findings


def validate_model(
    model: type[BaseModel], data: Any, doc: RawDocument, prefix: Loc = ()
) -> tuple[Any, list[Finding]]:
    if data is None:
        line, col = doc.positions.of_value(prefix)
        expected = ", ".join(list(model.model_fields)[:4])
        return None, [
            error(
                doc.display_path,
                line,
                col,
                field_path(prefix),
                f"expected fields such as {expected}, found nothing",
            )
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, findings_from_errors(exc, doc, model, prefix)


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


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


def package_review_due(package: Package, config: SiteConfig) -> date:
    """When a package is due to be reviewed again: its last review plus the site's
    review interval (packages name no date of their own)."""
    return add_months(package.last_reviewed, config.review_interval_months)


def check_slug(doc: RawDocument) -> list[Finding]:
    if not SLUG_RE.match(doc.slug):
        return [
            error(
                doc.display_path,
                1,
                1,
                "slug",
                f"expected {SLUG_HINT} in the file name, found '{doc.slug}'",
            )
        ]
    if doc.kind == "page" and doc.slug in RESERVED_SLUGS:
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
    document = Document.of(
        doc.kind,
        doc.slug,
        meta,
        doc.body,
        doc.body_line,
        doc.display_path,
        doc.content_path,
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


def validate_config(site_doc: RawDocument) -> tuple[SiteConfig | None, list[Finding]]:
    config, findings = validate_model(SiteConfig, site_doc.data, site_doc)
    if config is not None:
        line = site_doc.positions.of_value(("disclaimer",))[0]  # the disclaimer is Markdown
        too_much = check_markdown(config.disclaimer, site_doc.display_path, line)
        if too_much:  # never converted: no page is rendered
            return None, findings + too_much
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
