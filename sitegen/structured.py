"""Structured data and sharing metadata: schema.org JSON-LD, the social-card image.

Condition pages describe themselves as a schema.org `MedicalWebPage` about a
`MedicalCondition` (its name and the names it is also known as), with the
review date, the reviewer and the sources as citations. Package pages
describe only what the package contains: the therapy's name, how it is given
and what comes with it. No structured data states an outcome, a success rate
or a rating: search engines show such fields as if they were facts.

The JSON-LD is built here as data and serialised with `json.dumps`; `<`, `>`
and `&` are written as JSON escapes, so no text from the content can close the
`<script>` data block it sits in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from markupsafe import Markup

if TYPE_CHECKING:
    from .models import ConditionMeta, Document, Package, Site, Source

OG_IMAGE = "og-image.png"  # in templates/static/: the default picture for shared links
OG_IMAGE_SIZE = (1200, 630)
SCHEMA = "https://schema.org"


# Written as JSON escapes besides what `json.dumps` escapes (C0 controls, quotes and
# backslashes): `<`, `>` and `&`, so no text can end the data block or open a comment;
# DEL and the C1 controls, lone surrogates and U+FFFE/U+FFFF, which an HTML page may
# not hold (a surrogate could not even be written as UTF-8); and U+2028/U+2029, which
# end a line in older JavaScript parsers that read JSON-LD as script.
ESCAPED_IN_JSON = re.compile("[<>&\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def json_ld(data: Mapping[str, Any]) -> Markup:
    """A `<script type="application/ld+json">` data block holding `data`."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    text = ESCAPED_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return Markup(f'<script type="application/ld+json">\n{text}\n</script>')


def organisation(name: str, url: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        data["url"] = url
    return data


def citation(source: Source) -> dict[str, Any]:
    """One listed source as a schema.org `CreativeWork`."""
    data: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.publisher:
        data["publisher"] = organisation(source.publisher)
    if source.citation:
        data["description"] = source.citation
    return data


def counted(count: int | None, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}" if count else ""


def how_given(package: Package) -> str:
    """What the package contains, in plain sentences: the cells, medicines, procedures,
    sessions or tests its kind gives, how they are given, the other therapies, its
    length and what else is included."""
    parts: list[str] = []
    if package.cells:
        cells = "; ".join(
            f"{cell.type}, {counted(cell.units, 'unit', 'units')}" for cell in package.cells
        )
        parts.append(f"Cells: {cells}.")
    medicines = [f"{m.name}{f', {m.form}' if m.form else ''}: {m.dose}" for m in package.medicines]
    kind_lists = (
        ("Medicines", medicines),
        ("Procedures", [item.name for item in package.procedures]),
        ("Sessions", [item.what for item in package.sessions]),
        ("Tests", [item.name for item in package.tests]),
    )
    for label, items in kind_lists:
        if items:
            parts.append(f"{label}: {'; '.join(items)}.")
    if package.administration:
        routes = "; ".join(
            item.route + (f", {counted(item.times, 'time', 'times')}" if item.times else "")
            for item in package.administration
        )
        parts.append(f"Given by: {routes}.")
    if package.adjuvant_therapies:
        parts.append(f"Other therapies: {'; '.join(package.adjuvant_therapies)}.")
    length = counted(package.duration_days, "day", "days") or package.duration
    if length:
        parts.append(f"Length: {length}.")
    if package.includes:
        parts.append(f"Also included: {'; '.join(package.includes)}.")
    return " ".join(parts)


class StructuredData:
    """The JSON-LD of each kind of page of one site."""

    def __init__(self, site: Site) -> None:
        """`site`: a language's view of it (`record.SiteView`), made once per build and
        read from on each page, so that the settings a page shows are noted on it."""
        self.site = site
        lang = getattr(site, "lang", None)
        self.prefix = f"{lang}/" if lang else ""  # its pages' addresses: `es/packages/x/`

    def _fragment_identity(self) -> Any:
        """What tells it from another in a kept part (`fragments`): what it reads of
        the site is recorded apart."""
        return (StructuredData, self.prefix)

    def address(self, url: str) -> str:
        """A page's address in this view's language (a translation's URL has it already)."""
        return url if url.startswith(self.prefix) else self.prefix + url

    def page(self, url: str, title: str, description: str | None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "MedicalWebPage",
            "url": self.site.config.base_url + self.address(url),
            "name": title,
        }
        if description:
            data["description"] = description
        config = self.site.config
        data["inLanguage"] = config.language
        data["isPartOf"] = {"@type": "WebSite", "name": config.title, "url": config.base_url}
        data["publisher"] = organisation(config.publisher or config.title, config.base_url)
        return data

    def condition(self, doc: Document) -> dict[str, Any]:
        meta = cast("ConditionMeta", doc.meta)  # called for conditions only
        condition: dict[str, Any] = {"@type": "MedicalCondition", "name": meta.title}
        if meta.also_known_as:
            condition["alternateName"] = list(meta.also_known_as)
        data = self.page(doc.url, meta.title, meta.summary)
        data["about"] = condition
        data["lastReviewed"] = meta.last_reviewed.isoformat()
        data["reviewedBy"] = organisation(meta.reviewed_by)
        if meta.sources:
            data["citation"] = [citation(source) for source in meta.sources]
        return data

    def package(self, package: Package) -> dict[str, Any]:
        therapy: dict[str, Any] = {"@type": "MedicalTherapy", "name": package.name}
        if package.summary:
            therapy["description"] = package.summary
        therapy["howPerformed"] = how_given(package)
        if package.follow_up:
            therapy["followup"] = package.follow_up
        data = self.page(package.url, package.name, package.summary)
        data["about"] = therapy
        offered = [self.site.condition_by_slug(slug) for slug in package.conditions]
        data["mentions"] = [
            {
                "@type": "MedicalCondition",
                "name": doc.meta.title,
                "url": self.site.config.base_url + self.address(doc.url),
            }
            for doc in offered
            if doc is not None
        ]
        data["lastReviewed"] = package.last_reviewed.isoformat()
        if package.sources:
            data["citation"] = [citation(source) for source in package.sources]
        return data

    def for_page(self, doc: Document | None, package: Package | None) -> dict[str, Any] | None:
        if package is not None:
            return self.package(package)
        if doc is not None and doc.kind == "condition":
            return self.condition(doc)
        return None


def theme_globals(site: Site, asset_names: Mapping[str, str]) -> dict[str, Callable[..., Any]]:
    """Functions the templates call: `structured_data(doc, package)` (the JSON-LD block of
    a condition or package page, empty elsewhere) and `absolute_asset(name)` (a theme
    file's absolute address, for og:image)."""
    builder = StructuredData(site)

    def structured_data(doc: Document | None = None, package: Package | None = None) -> Markup:
        data = builder.for_page(doc, package)
        return json_ld(data) if data else Markup("")

    def absolute_asset(name: str) -> str:
        return site.config.base_url + asset_names[name]

    return {
        "structured_data": structured_data,
        "absolute_asset": absolute_asset,
        "has_asset": lambda name: name in asset_names,
    }
