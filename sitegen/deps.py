"""The dependency graph: which inputs each output page is made from.

A page's inputs are named by plain strings:

- `content:site.yaml`: the validated site settings (every page reads them)
- `content:conditions/glaucoma.md`: a whole Markdown file, front matter and body
- `content:conditions/glaucoma.md#front-matter`: only its front matter, which is
  what listings (home, indexes, the catalogue, the sitemap) show of it
- `content:packages.yaml#<id>`: one package of the catalogue
- `template:condition.html`: a template; a page names its own template and, as
  further inputs, everything that one extends or includes, recursively
- `site:links`: the pages and files that links may point at (every page: the
  disclaimer and Markdown bodies link to them)
- `site:assets`: the hashed names of the theme files (every page links to them)
- `site:today`: the date, for a page that uses it other than by comparing it
  with a date (it prints it, say): such a page is rendered again every day
- `today:gt:2027-01-15`: the answer to one comparison of the date with a date
  that rendering the page made (`review_due < today`: is the review overdue?).
  These come from the page's last rendering (`render.ObservedDate`): a page is
  rendered again on a later day only when an answer changed. A page not
  rendered before reads `site:today`.

Each input has a fingerprint, a short hash of its value. A page is rendered
again when its set of inputs changed or the fingerprint of any of them did;
every other page is reused. The graph is plain data (`pages_json`, `prints_json`,
`from_json`),
so a persistent cache can store it and compare a later build against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from pydantic import BaseModel

from .models import Document, Package, Site
from .render import COMPARED, WHOLLY, comparison_holds, hashed_assets

SITE = "content:site.yaml"
LINKS = "site:links"
ASSETS = "site:assets"
TODAY = WHOLLY
UNKNOWN_DATE_USE = frozenset({TODAY})  # a page not rendered before: it may use the date
EVERYTHING = "*"  # a page the graph does not know depends on every input
FRONT_MATTER = "#front-matter"
SITE_WIDE = frozenset({SITE, LINKS, ASSETS})  # what every HTML page reads
NOT_HTML = frozenset({"sitemap.xml", "robots.txt", "feed.xml"})  # these read only the settings


def _model_text(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def fingerprint(value: Any) -> str:
    """A short, stable hash of data: models, lists, dicts, text, numbers, dates."""
    text = json.dumps(value, sort_keys=True, default=_model_text, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lines_print(lines: Iterable[str]) -> str:
    """A short hash of many short lines, cheaper than `fingerprint` for large lists."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def content_key(content_path: str) -> str:
    return f"content:{content_path}"


def front_matter_key(doc: Document) -> str:
    return content_key(doc.content_path) + FRONT_MATTER


def package_key(package: Package, catalogue: str = "packages.yaml") -> str:
    return content_key(f"{catalogue}#{package.id}")


def template_key(name: str) -> str:
    return f"template:{name}"


def is_date_use(key: str) -> bool:
    return key == TODAY or key.startswith(COMPARED)


def date_print(key: str, today: date) -> str:
    """The fingerprint of a date input on `today`: the date itself for `TODAY`, the
    comparison's answer for a comparison."""
    holds = None if key == TODAY else comparison_holds(key, today)
    return today.isoformat() if holds is None else str(holds)


@dataclass
class DependencyGraph:
    """Page URL -> the names of its inputs, and input name -> fingerprint."""

    pages: dict[str, frozenset[str]] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    def date_uses(self) -> dict[str, frozenset[str]]:
        """How each page used today's date when it was last rendered (its date inputs)."""
        return {
            url: frozenset(key for key in inputs if is_date_use(key))
            for url, inputs in self.pages.items()
        }

    def dependents(self, key: str) -> set[str]:
        """The pages that read the input `key`."""
        return {url for url, inputs in self.pages.items() if key in inputs}

    def changed_inputs(self, newer: DependencyGraph) -> set[str]:
        """Inputs whose fingerprint differs in `newer` (new and removed inputs included)."""
        old, new = self.fingerprints, newer.fingerprints
        changed = {key for key, value in new.items() if old.get(key) != value}
        return changed | (old.keys() - new.keys())

    def stale(self, newer: DependencyGraph) -> set[str]:
        """The pages of `newer` that must be rendered again: new pages, pages whose
        inputs are not the same set as before, and pages with a changed input. (The
        same sets are often the same objects, which spares comparing listings' inputs,
        each as many as there are documents.)"""
        changed = self.changed_inputs(newer)
        return {
            url
            for url, inputs in newer.pages.items()
            if not changed.isdisjoint(inputs)
            or (self.pages.get(url) is not inputs and self.pages.get(url) != inputs)
        }

    def pages_json(self) -> str:
        """The pages' inputs as JSON: kept apart from `prints_json`, since an edit
        changes fingerprints but seldom what pages read (10 MB at 10,000 pages)."""
        return json.dumps({url: sorted(inputs) for url, inputs in self.pages.items()},
                          sort_keys=True)  # fmt: skip

    def prints_json(self) -> str:
        return json.dumps(self.fingerprints, sort_keys=True)

    @classmethod
    def from_json(cls, pages: str, prints: str) -> DependencyGraph:
        return cls(
            {url: frozenset(inputs) for url, inputs in json.loads(pages).items()},
            dict(json.loads(prints)),
        )


# Templates --------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateFacts:
    """What parsing one template tells: the templates it extends, includes or
    imports (None for a name computed at render time, which could be any), and
    whether it reads the `site` global (every listing) rather than its page's data."""

    references: frozenset[str | None]
    reads_site: bool


# Template name -> (a digest of the source parsed, its facts): a memo for the process,
# which the build cache also keeps for the next one (parsing takes 0.2 s a build).
TEMPLATE_FACTS: dict[str, tuple[str, TemplateFacts]] = {}
_PARSER = jinja2.Environment()


def template_facts(source: str, name: str) -> TemplateFacts:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    known = TEMPLATE_FACTS.get(name)
    if known is None or known[0] != digest:
        try:
            tree = _PARSER.parse(source, name)
            references = frozenset(meta.find_referenced_templates(tree))
            facts = TemplateFacts(references, "site" in meta.find_undeclared_variables(tree))
        except jinja2.TemplateSyntaxError:  # the render reports it; the file is still an input
            facts = TemplateFacts(frozenset(), False)
        known = TEMPLATE_FACTS[name] = (digest, facts)
    return known[1]


class Templates:
    """The template files of one build: their fingerprints and extends/include chains."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sources: dict[str, bytes | None] = {}
        self._facts: dict[str, TemplateFacts | None] = {}
        self._reads: dict[str, tuple[frozenset[str], bool]] = {}

    def source(self, name: str) -> bytes | None:
        if name not in self.sources:
            path = self.folder / name
            self.sources[name] = path.read_bytes() if path.is_file() else None
        return self.sources[name]

    def facts(self, name: str) -> TemplateFacts | None:
        if name not in self._facts:
            source = self.source(name)
            text = None if source is None else source.decode("utf-8", "replace")
            self._facts[name] = None if text is None else template_facts(text, name)
        return self._facts[name]

    def reads(self, name: str) -> tuple[frozenset[str], bool]:
        """The inputs a page rendered from `name` gets from its templates, and whether
        one of them reads the `site` global."""
        if name not in self._reads:
            chain = self.chain(name)
            if chain is None:
                chain = self.every_template()
            names = {n for n in chain if self.source(n) is not None}
            reads_site = any(self.facts(n).reads_site for n in names)  # type: ignore[union-attr]
            self._reads[name] = (frozenset(template_key(n) for n in names), reads_site)
        return self._reads[name]

    def chain(self, name: str) -> set[str] | None:
        """`name` and every template it reaches; None if one is chosen at render time."""
        found: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            facts = self.facts(current)
            for ref in facts.references if facts else ():
                if ref is None:
                    return None
                todo.append(ref)
        return found

    def every_template(self) -> set[str]:
        skip = {"static", "root"}
        return {
            path.relative_to(self.folder).as_posix()
            for path in self.folder.rglob("*")
            if path.is_file() and path.relative_to(self.folder).parts[0] not in skip
        }

    def fingerprint(self, name: str) -> str:
        source = self.source(name)
        return hashlib.sha256(source).hexdigest()[:16] if source is not None else "missing"


# The site's inputs ------------------------------------------------------------

Prints = dict[int, tuple[object, str, str]]  # id -> (the object, its fingerprints)


def document_prints(doc: Document) -> tuple[str, str]:
    """The fingerprints of a document's front matter and of the whole document
    (hashed directly rather than through `fingerprint`'s JSON: 10,000 documents
    took 0.3 s that way, 0.18 s this way)."""
    meta = hashlib.sha256(doc.meta.model_dump_json().encode("utf-8")).hexdigest()[:16]
    whole = f"{meta}\n{doc.body_line}\n{doc.display_path}\n{doc.body}"
    return meta, hashlib.sha256(whole.encode("utf-8")).hexdigest()[:16]


class SiteInputs:
    """What each page of one validated site reads, and the fingerprint of every input."""

    def __init__(
        self, site: Site, templates_dir: Path, today: date, previous: SiteInputs | None = None,
        known_prints: Prints | None = None,
    ) -> None:  # fmt: skip
        """`previous`: the SiteInputs of an earlier build, whose fingerprints are reused
        for the same objects and whose reads are reused for the same structure;
        without one, `known_prints` are fingerprints known for the same objects."""
        self.templates = Templates(templates_dir)
        self.object_prints: Prints = {}
        self.made_prints: list[Document] = []  # documents fingerprinted afresh
        prints: dict[str, str] = {}
        asset_names, _ = hashed_assets(templates_dir)
        prints[SITE] = fingerprint([site.config, site.config_path])
        prints[ASSETS] = fingerprint(asset_names)
        prints[TODAY] = today.isoformat()
        self.today = today
        sources = sorted(f"{path} {url}" for path, url in site.content_urls.items())
        prints[LINKS] = lines_print(
            [*sorted(site.known_urls), "", *sources, "", *sorted(site.assets)]
        )
        known = previous.object_prints if previous else known_prints or {}

        def of(thing: Document | Package) -> tuple[str, str]:
            entry = known.get(id(thing))
            if entry is None or entry[0] is not thing:
                if isinstance(thing, Document):
                    entry = (thing, *document_prints(thing))
                    self.made_prints.append(thing)
                else:
                    entry = (thing, fingerprint(thing), "")
            self.object_prints[id(thing)] = entry
            return entry[1], entry[2]

        for doc in site.conditions + site.pages:
            prints[front_matter_key(doc)], prints[content_key(doc.content_path)] = of(doc)
        for package in site.packages:
            prints[package_key(package)] = of(package)[0]
        self.structure = (
            tuple((doc.kind, doc.slug, doc.content_path) for doc in site.conditions + site.pages),
            tuple((package.id, tuple(package.conditions)) for package in site.packages),
        )
        # The graph's page entries, by what they were made from (see `graph`).
        self.made: tuple[object, dict[str, frozenset[str]]] | None = None
        if previous is not None and previous.structure == self.structure:
            self.reads, self.every_listing = previous.reads, previous.every_listing
            self.made = previous.made
        else:
            self.reads, self.every_listing = self.site_reads(site)
        prints[EVERYTHING] = lines_print(f"{key} {value}" for key, value in sorted(prints.items()))
        self.content = prints

    @staticmethod
    def site_reads(site: Site) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        """Each page's inputs (its template's aside), and what every listing reads."""
        by_slug = {doc.slug: doc for doc in site.conditions}

        def listed(docs: Iterable[Document]) -> set[str]:
            return {front_matter_key(doc) for doc in docs}

        def catalogue(packages: Iterable[Package]) -> set[str]:
            return {package_key(package) for package in packages}

        def offered_for(packages: Iterable[Package]) -> set[str]:
            return listed(by_slug[s] for p in packages for s in p.conditions if s in by_slug)

        reads: dict[str, set[str]] = {
            "": listed(site.conditions) | catalogue(site.packages),
            "conditions/": listed(site.conditions),
            "packages/": catalogue(site.packages) | offered_for(site.packages),
            "404.html": set(),
            "sitemap.xml": listed(site.conditions + site.pages) | catalogue(site.packages),
            "robots.txt": set(),
            "search/": listed(site.conditions) | catalogue(site.packages),
            "feed.xml": listed(site.conditions + site.pages) | catalogue(site.packages),
        }
        for doc in site.conditions:
            packages = site.packages_for(doc.slug)
            reads[doc.url] = {content_key(doc.content_path)} | catalogue(packages)
        for doc in site.pages:
            reads[doc.url] = {content_key(doc.content_path)}
        for package in site.packages:
            reads[package.url] = catalogue([package]) | offered_for([package])
        every_listing = frozenset(listed(site.conditions + site.pages) | catalogue(site.packages))
        return {
            url: frozenset(keys | ({SITE} if url in NOT_HTML else SITE_WIDE))
            for url, keys in reads.items()
        }, every_listing

    def inputs(self, url: str, template: str) -> frozenset[str]:
        """Everything the page at `url`, rendered from `template`, reads.

        A page the graph does not know reads everything; a template that uses the
        `site` global (site.conditions, ...) reads every listing.
        """
        reads = self.reads.get(url, frozenset({EVERYTHING}))
        templates, reads_site = self.templates.reads(template)
        return reads | templates | (self.every_listing if reads_site else frozenset())

    def graph(
        self, templates: Mapping[str, str], date_uses: Mapping[str, frozenset[str]]
    ) -> DependencyGraph:
        """The graph of the pages in `templates` (URL -> the template it is rendered from),
        where each page also reads the date inputs in `date_uses` (`UNKNOWN_DATE_USE`
        for a page not in it).

        Its page entries are those of the last graph while the site's structure,
        the pages' templates, what those templates read and the date uses are the same.
        """
        chains = {name: self.templates.reads(name) for name in set(templates.values())}
        made_from = (dict(templates), chains, dict(date_uses))
        if self.made is not None and self.made[0] == made_from:
            pages = self.made[1]
        else:
            pages = {}
            for url, template in templates.items():
                reads, uses = self.inputs(url, template), date_uses.get(url, UNKNOWN_DATE_USE)
                pages[url] = reads | uses if uses else reads
            self.made = (made_from, pages)
        prints = dict(self.content)
        for uses in set(date_uses.values()):
            prints.update((key, date_print(key, self.today)) for key in uses)
        for name in {template for template in templates.values()}:
            for key in self.templates.reads(name)[0]:
                prints[key] = self.templates.fingerprint(key.removeprefix("template:"))
        return DependencyGraph(pages, prints)
