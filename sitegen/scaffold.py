"""`python build.py new condition|page|package "Title"`: start a content file.

A new condition or page gets the right file name (the slug of its title),
every front-matter field (today's date as `last_reviewed`, the `next_review`
that follows from site.yaml, empty `sources`) and, for a condition, the
section headings site.yaml requires. Fields only the editor can fill are left
empty, so the build lists them until they are written. An existing file is
never overwritten. A package is a commented YAML block, printed to paste into
packages.yaml or appended to it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .fs import display
from .load import CATALOGUE_FILE, SITE_FILE, load_yaml_file
from .models import (
    PACKAGE_KINDS,
    SLUG_RE,
    ConditionMeta,
    Package,
    PageMeta,
    SiteConfig,
    add_months,
)
from .raw import parse_yaml
from .validate import RESERVED_SLUGS

DEFAULT_SECTIONS = [
    "Symptoms",
    "Causes",
    "Diagnosis",
    "Treatment options",
    "What the evidence says",
]
FOLDERS = {"condition": "conditions", "page": "pages"}
SOURCE_HINT = "- {title: ..., publisher: ..., year: ..., url: ...}"


class ScaffoldError(Exception):
    """Why a file was not made, in words for the editor."""


def slugify(title: str) -> str:
    """`"Optic neuritis"` -> `optic-neuritis`; accents are dropped, other signs become hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def scalar(value: str) -> str:
    """`value` as a YAML scalar on one line that reads back as exactly `value`: quoted
    only when YAML needs it, and in double quotes with escapes (`\\n`) when it holds a
    line break, which any other style would spread over lines."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ScaffoldError(f"{value!r} holds bytes that are not UTF-8 text; type it in UTF-8")
    text = yaml.safe_dump(value, allow_unicode=True, width=math.inf).removesuffix("\n...\n")
    if len(text.splitlines()) > 1:
        text = yaml.safe_dump(value, allow_unicode=True, width=math.inf, default_style='"')
    text = text.rstrip("\n")
    if parse_yaml(f"value: {text}", "title")[0] != {"value": value}:
        raise ScaffoldError(f"cannot write {value!r} so that it reads back the same")
    return text


@dataclass(frozen=True)
class SiteFacts:
    """What a new file takes from site.yaml (defaults where it cannot be read)."""

    sections: list[str]
    review_interval_months: int
    evidence_levels: list[str]


def site_config(content: Path) -> SiteConfig | None:
    """The site's settings, or None when site.yaml is missing or cannot be read (the
    build says why; a scaffold then uses the defaults)."""
    path = content / SITE_FILE
    if not path.is_file():
        return None
    doc, _ = load_yaml_file(path, content, "site")
    if not (doc.readable and isinstance(doc.data, dict)):
        return None
    try:
        return SiteConfig.model_validate(doc.data)
    except ValueError:
        return None


def site_facts(content: Path) -> SiteFacts:
    config: Any = site_config(content)
    if config is None:
        return SiteFacts(list(DEFAULT_SECTIONS), 12, [])
    sections = list(getattr(config, "required_sections", None) or DEFAULT_SECTIONS)
    levels = [level.id for level in config.evidence_levels]
    return SiteFacts(sections, config.review_interval_months, levels)


def lines_for(model: type[BaseModel], known: dict[str, str]) -> list[str]:
    """`known` field lines in model order, and a line for any other field of the model
    (empty when required, commented out when optional), so none is forgotten."""
    lines = []
    for name, info in model.model_fields.items():
        if name in known:
            lines.append(known[name])
        elif info.is_required():
            lines.append(f"{name}:")
        else:
            lines.append(f"# {name}:")
    return lines


def evidence_hint(facts: SiteFacts) -> str:
    choices = ", ".join(facts.evidence_levels) or "an evidence level id from site.yaml"
    return f"evidence:                 # one of: {choices}"


def condition_text(title: str, today: date, facts: SiteFacts) -> str:
    due = add_months(today, facts.review_interval_months)
    known = {
        "title": f"title: {scalar(title)}",
        "summary": "summary:                  # one plain sentence, shown in listings",
        "also_known_as": "also_known_as: []",
        "evidence": evidence_hint(facts),
        "last_reviewed": f"last_reviewed: {today.isoformat()}",
        "next_review": f"next_review: {due.isoformat()}",
        "reviewed_by": "reviewed_by:              # who checked this page",
        "sources": f"sources: []               # {SOURCE_HINT}",
    }
    sections = "\n".join(f"## {heading}\n" for heading in facts.sections)
    return "---\n" + "\n".join(lines_for(ConditionMeta, known)) + "\n---\n" + sections


def page_text(title: str, today: date, facts: SiteFacts) -> str:
    due = add_months(today, facts.review_interval_months)
    known = {
        "title": f"title: {scalar(title)}",
        "summary": "summary:                  # one plain sentence, shown in search results",
        "last_reviewed": f"last_reviewed: {today.isoformat()}",
        "next_review": f"next_review: {due.isoformat()}",
        "reviewed_by": "reviewed_by:              # who checked this page",
        "sources": f"sources: []               # {SOURCE_HINT}",
    }
    return "---\n" + "\n".join(lines_for(PageMeta, known)) + "\n---\n"


def package_block(name: str, package_id: str, today: date, facts: SiteFacts) -> str:
    """One entry of packages.yaml, indented to go under `packages:`."""
    known = {
        "id": f"id: {package_id}",
        "name": f"name: {scalar(name)}",
        "kind": f"kind:                     # one of: {', '.join(PACKAGE_KINDS)}",
        "summary": "summary:                  # one neutral sentence",
        "conditions": "conditions: []            # condition file names, e.g. [optic-nerve-damage]",
        "evidence": evidence_hint(facts),
        "cells": "cells: []                 # - {type: ..., units: 2}",
        "administration": "administration: []        # - {route: ..., times: 2}",
        "adjuvant_therapies": "adjuvant_therapies: []",
        "duration_days": "duration_days:            # whole days (or duration: in words)",
        "includes": "includes: []",
        "known_risks": "known_risks: []           # every known risk, in plain words; never empty",
        "price": "# price: {amount: 1000, currency: USD}",
        "regulatory_status": "regulatory_status: []     # - {jurisdiction: ..., status: ...}",
        "report_side_effects": "report_side_effects: []   # - {jurisdiction: .., how: .., url: ..}",
        "sources": f"sources: []               # {SOURCE_HINT}",
        "last_reviewed": f"last_reviewed: {today.isoformat()}",
    }
    lines = lines_for(Package, known)
    return "".join(("  - " if i == 0 else "    ") + line + "\n" for i, line in enumerate(lines))


def checked_slug(title: str, slug: str | None, kind: str) -> str:
    slug = slug or slugify(title)
    if not slug:
        raise ScaffoldError(f"cannot make a file name from {title!r}; give one with --slug")
    if not SLUG_RE.match(slug):
        raise ScaffoldError(
            f"expected lower-case letters, digits and single hyphens for --slug, found {slug!r}"
        )
    if kind == "page" and slug in RESERVED_SLUGS:
        raise ScaffoldError(f"the site uses /{slug}/ itself; choose another name with --slug")
    return slug


def new_document(
    kind: str, title: str, content: Path, today: date | None = None, slug: str | None = None
) -> Path:
    """Create content/<conditions|pages>/<slug>.md; the path. Never overwrites."""
    slug = checked_slug(title, slug, kind)
    facts = site_facts(content)
    today = today or date.today()
    text = (condition_text if kind == "condition" else page_text)(title, today, facts)
    path = content / FOLDERS[kind] / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_new(path, text)


def write_new(path: Path, text: str) -> Path:
    """Write a new file, never over one that exists (an editor's page is never replaced)."""
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{display(path)} already exists; it was left as it was") from None
    return path


def site_languages(content: Path) -> tuple[str, list[str]]:
    """The default language of the site and the others it lists (none when site.yaml
    cannot be read)."""
    config = site_config(content)
    if config is None:
        return "", []
    return config.language, [lang.code for lang in config.all_languages[1:]]


def translation_text(source: str, lang: str, source_name: str, today: date) -> str:
    """The source page's file as the start of its translation: the same front matter
    and body to translate in place, today as its review date, and a note saying what
    to translate and what to keep."""
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ScaffoldError(f"{source_name} has no front matter (---) to start a translation from")
    note = [
        f"# The '{lang}' translation of {source_name}. Translate the title, summary, the other",
        "# words and the body; keep the evidence level, the sources and their links as they are.",
        "# Have it reviewed by a medical translator, then set last_reviewed to the review's date.",
    ]
    out = [lines[0], *note]
    in_front = True
    for line in lines[1:]:
        if in_front and line.strip() == "---":
            in_front = False
        elif in_front and re.match(r"last_reviewed\s*:", line):
            line = f"last_reviewed: {today.isoformat()}"
        out.append(line)
    return "\n".join(out)


def new_translation(
    kind: str, title: str, lang: str, content: Path, today: date | None = None,
    slug: str | None = None,
) -> Path:  # fmt: skip
    """Create content/<conditions|pages>/<slug>.<lang>.md beside the page it translates,
    named by its file name (`--slug`) or its title; the path. Never overwrites."""
    default, others = site_languages(content)
    if lang not in others:
        listed = ", ".join(others) or "none"
        raise ScaffoldError(
            f"expected --lang to be a language site.yaml lists other than the default"
            f"{f' ({default})' if default else ''}: {listed}; found {lang!r}"
        )
    slug = checked_slug(title, slug, kind)
    folder = content / FOLDERS[kind]
    source = folder / f"{slug}.md"
    if not source.is_file():
        raise ScaffoldError(
            f"expected {display(source)}, the page to translate, found none; name the page "
            "by its file name with --slug"
        )
    text = translation_text(source.read_text("utf-8"), lang, f"{FOLDERS[kind]}/{slug}.md",
                            today or date.today())  # fmt: skip
    path = folder / f"{slug}.{lang}.md"
    return write_new(path, text)


def new_package(
    name: str, content: Path, today: date | None = None, slug: str | None = None
) -> tuple[str, str]:
    """The id and the commented YAML block of a new package."""
    package_id = checked_slug(name, slug, "package")
    return package_id, package_block(name, package_id, today or date.today(), site_facts(content))


def package_ids(data: Any) -> list[Any]:
    """The ids of the entries of packages.yaml's data, as written."""
    entries = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [entry.get("id") for entry in entries if isinstance(entry, dict)]


def existing_package(package_id: str, content: Path) -> bool:
    """Whether packages.yaml already has an entry with this id (as far as it can be read)."""
    path = content / CATALOGUE_FILE
    if not path.is_file():
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return package_id in package_ids(parse_yaml(text, display(path))[0])


def append_package(block: str, package_id: str, content: Path) -> Path:
    """Add `block` to packages.yaml, refusing an id already there or a file it would break."""
    path = content / CATALOGUE_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else "packages:\n"
    data, _, problems = parse_yaml(text, display(path))  # bounded: no alias bomb
    if problems:
        raise ScaffoldError(f"{display(path)} is not valid YAML now; fix it first ({problems[0]})")
    ids = package_ids(data)
    if package_id in ids:
        raise ScaffoldError(
            f"{display(path)} already has a package '{package_id}'; it was left as it was"
        )
    joined = text + ("" if text.endswith("\n") else "\n") + block
    after, _, problems = parse_yaml(joined, display(path))
    added = after.get("packages") if isinstance(after, dict) else None
    if not isinstance(added, list) or [e.get("id") for e in added if isinstance(e, dict)] != [
        *ids,
        package_id,
    ]:
        raise ScaffoldError(
            f"the block would not join the list in {display(path)} as written; paste it in by hand"
        )
    path.write_text(joined, encoding="utf-8")
    return path
