"""Stage 3: the validated Site -> every output file, in memory.

One Jinja environment (autoescaping on, undefined names are errors) renders
models, not dicts. Links between pages are relative, so the site works from
any sub-path and from disk; static assets get a content hash in their names.
"""

from __future__ import annotations

import operator
import re
import traceback
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from .assets import HEADERS_FILE, PAGE_POLICY, headers_file
from .feed import feed_context
from .findings import Finding, error
from .load import display, files_under, find_assets
from .markdown import MarkdownConverter, PageContext
from .models import Document, EvidenceLevel, Package, Site
from .parallel import parallel_map
from .structured import theme_globals
from .urls import directory_of, is_html, relative
from .validate import package_review_due
from .write import digest_of, file_digest

STATIC_DIR = "static"
RELATIVE_HREF = re.compile(r'(\b(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)')
ROOT_FILES_DIR = "root"


@dataclass(frozen=True)
class RenderedPage:
    """One output file. `evidence` is the level its disclaimer must state, if any.

    The bytes are kept compressed (10,000 pages are about 160 MB of HTML, 50 MB
    compressed) or, for a page the build cache recorded, read from it only if
    wanted: `packed` is the compressed bytes or how to get them. Two pages are
    equal when their URL, template, evidence level and digest are.
    """

    url: str
    template: str
    evidence: str | None
    digest: str
    packed: bytes | Callable[[], bytes] = field(compare=False, repr=False)

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
    """Compressed fast (level 1: a third of the size at 0.15 ms a page)."""
    return zlib.compress(content, 1)


def unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed)


@dataclass
class RenderResult:
    pages: list[RenderedPage]
    files: dict[str, Path]
    disclaimer_html: str
    findings: list[Finding] = field(default_factory=list)
    # The findings of each page rendered this time (pages taken from `reuse` have none here).
    page_findings: dict[str, list[Finding]] = field(default_factory=dict)
    # How each page rendered this time used today's date (`ObservedDate`): none, the
    # comparisons it made, or `WHOLLY`.
    today_uses: dict[str, frozenset[str]] = field(default_factory=dict)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, so a rebuild does not compile them again.

    Jinja checks each entry against the template's source (and the Python version
    it was compiled by), so an edited template is compiled afresh. The build cache
    keeps the `entries` for the next process (compiling takes 0.1 s a build).
    """

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.entries:
            bucket.bytecode_from_string(self.entries[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = MemoryBytecodeCache()


WHOLLY = "site:today"  # a page used the date other than by comparing it with a date
COMPARED = "today:"  # a page compared the date with a date: "today:gt:2027-01-15"
COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne")


def compared_key(operation: str, other: date) -> str:
    return f"{COMPARED}{operation}:{other.isoformat()}"


def comparison_holds(key: str, today: date) -> bool | None:
    """Whether the comparison named by `key` holds on `today` (None: not such a key)."""
    _, operation, other = key.split(":", 2) if key.count(":") == 2 else ("", "", "")
    if operation not in COMPARISONS:
        return None
    try:
        return bool(getattr(operator, operation)(plain_date(today), date.fromisoformat(other)))
    except ValueError:
        return None


class ObservedDate(date):
    """Today's date as the templates see it, noting how each page uses it.

    A page that only compares it with dates (`review_due < today`) is made
    from the answers alone: on a later day it is rendered again only if one of
    them changed. Each comparison is noted as a key (`compared_key`); any other
    use (printing it, `.year`, arithmetic) notes `WHOLLY`, and the page is
    rendered again every day. A plain date on the left of a comparison still
    asks this one first (Python tries a subclass's reflected method first).
    """

    uses: set[str]

    def __new__(cls, day: date) -> ObservedDate:
        observed = super().__new__(cls, day.year, day.month, day.day)
        object.__setattr__(observed, "uses", set())
        return observed

    def __getattribute__(self, name: str) -> Any:
        if name not in OWN_NAMES:  # `.year`, `.strftime`, ...: a use of the whole date
            object.__getattribute__(self, "uses").add(WHOLLY)
        return object.__getattribute__(self, name)

    def _compare(self, operation: str, other: object) -> Any:
        if type(other) in (date, ObservedDate):
            key = compared_key(operation, plain_date(other))  # type: ignore[arg-type]
            object.__getattribute__(self, "uses").add(key)
        else:
            object.__getattribute__(self, "uses").add(WHOLLY)
        return getattr(operator, operation)(plain_date(self), other)  # as a plain date would

    def __lt__(self, other: object) -> Any:
        return self._compare("lt", other)

    def __le__(self, other: object) -> Any:
        return self._compare("le", other)

    def __gt__(self, other: object) -> Any:
        return self._compare("gt", other)

    def __ge__(self, other: object) -> Any:
        return self._compare("ge", other)

    def __eq__(self, other: object) -> Any:
        return self._compare("eq", other)

    def __ne__(self, other: object) -> Any:
        return self._compare("ne", other)

    def _wholly(self) -> date:
        object.__getattribute__(self, "uses").add(WHOLLY)
        return plain_date(self)

    def __hash__(self) -> int:
        return hash(self._wholly())

    def __str__(self) -> str:
        return str(self._wholly())

    def __repr__(self) -> str:
        return repr(self._wholly())

    def __format__(self, spec: str) -> str:
        return format(self._wholly(), spec)

    def __add__(self, other: Any) -> Any:
        return self._wholly() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self._wholly() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self._wholly()

    def __reduce__(self) -> Any:
        return (date.fromordinal, (date.toordinal(self._wholly()),))


OWN_NAMES = frozenset({"uses", "_compare", "_wholly"})


def plain_date(day: date) -> date:
    """`day` as a plain date, read without asking an `ObservedDate` anything."""
    return date.fromordinal(date.toordinal(day))


def long_date(value: date | None) -> str:
    """`2026-11-20` -> `20 November 2026`: unambiguous for readers everywhere."""
    return f"{value.day} {value:%B %Y}" if value else ""


def hashed_assets(templates_dir: Path) -> tuple[dict[str, str], dict[str, Path]]:
    """Theme files under templates/static/ -> names with a content hash, and their sources."""
    names: dict[str, str] = {}
    files: dict[str, Path] = {}
    folder = templates_dir / STATIC_DIR
    for path in files_under(folder):
        name = path.relative_to(folder).as_posix()
        digest = file_digest(path)[:10]
        stem, dot, suffix = name.rpartition(".")
        url = f"{STATIC_DIR}/{stem}.{digest}.{suffix}" if dot else f"{STATIC_DIR}/{name}.{digest}"
        names[name] = url
        files[url] = path
    return names, files


def root_files(templates_dir: Path) -> dict[str, Path]:
    """Files under templates/root/ keep their names at the site root (favicon.ico, ...)."""
    folder = templates_dir / ROOT_FILES_DIR
    return {path.relative_to(folder).as_posix(): path for path in files_under(folder)}


def template_position(exc: BaseException, templates_dir: Path) -> tuple[str, int]:
    """The template file and line an exception was raised from, as Jinja reports it."""
    root = str(templates_dir.resolve())
    found = (display(templates_dir), 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(root):
            found = (display(Path(frame.filename)), frame.lineno or 1)
    return found


class Renderer:
    def __init__(self, site: Site, templates_dir: Path) -> None:
        self.site = site
        self.templates_dir = templates_dir
        self.asset_names, self.asset_files = hashed_assets(templates_dir)
        self.converter = MarkdownConverter()
        self.findings: list[Finding] = []
        self.disclaimers: dict[str, Markup] = {}
        self.titles: dict[str, str] | None = None
        self.base_path = urlsplit(site.config.base_url).path
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=COMPILED_TEMPLATES,
        )
        self.env.globals.update(
            site=site,
            config=site.config,
            url=self._url,
            asset=self._asset,
            absolute=self._absolute,
            evidence_level=self.evidence_level,
            condition_title=self.condition_title,
            content_security_policy=Markup(PAGE_POLICY),
        )
        self.env.filters["long_date"] = long_date
        self.env.globals.update(theme_globals(site, self.asset_names))

    # Helpers the templates call -------------------------------------------------

    @jinja2.pass_context
    def _url(self, context: Any, target: str) -> str:
        """A link from the page being rendered to a site URL (`""`, `"packages/"`, ...)."""
        target = target.lstrip("/")
        if context.get("root_links"):
            return self.base_path + target
        return relative(context["page_url"], target, self.site.config.directory_links)

    @jinja2.pass_context
    def _asset(self, context: Any, name: str) -> str:
        if name not in self.asset_names:
            raise jinja2.TemplateRuntimeError(
                f"no file templates/{STATIC_DIR}/{name} for asset('{name}')"
            )
        return self._url(context, self.asset_names[name])

    def _absolute(self, target: str) -> str:
        return self.site.config.base_url + target.lstrip("/")

    def condition_title(self, slug: str) -> str:
        """A condition's title by its slug (the slug itself if there is no such condition).

        Templates that name a few conditions use this instead of reading `site`,
        so the dependency graph can count them as reading only those conditions.
        """
        if self.titles is None:
            self.titles = self.site.condition_titles()
        return self.titles.get(slug, slug)

    def evidence_level(self, level_id: str) -> EvidenceLevel:
        return self.site.evidence[level_id]

    # Rendering ------------------------------------------------------------------

    def markdown(self, text: str, page_url: str, source: Document | None) -> Markup:
        """Markdown of a document, or of the site-wide disclaimer when `source` is None."""
        ctx = PageContext(
            display_path=source.display_path if source else self.site.config_path,
            content_path=source.content_path if source else "site.yaml",
            page_url=page_url,
            body=text,
            body_line=source.body_line if source else 1,
            content_urls=self.site.content_urls,
            known_urls=self.site.known_urls,
            assets=frozenset(self.site.assets),
            directory_links=self.site.config.directory_links,
        )
        html, found = self.converter.convert(text, ctx)
        self.findings += found
        return Markup(html)

    def disclaimer_for(self, url: str, root_links: bool) -> Markup:
        """The site disclaimer's HTML for a page, converted once per folder depth.

        Converted for the home page, its relative links are then prefixed with
        `../` once per level (or the site's base path, on pages shown at any
        address such as 404.html).
        """
        prefix = self.base_path if root_links else "../" * directory_of(url).count("/")
        if prefix not in self.disclaimers:
            html = self.markdown(self.site.config.disclaimer, "", None)
            escaped = str(escape(prefix))  # base_url is checked, but this is HTML: escape anyway
            self.disclaimers[prefix] = Markup(
                RELATIVE_HREF.sub(lambda match: match.group(1) + escaped, str(html))
            )
        return self.disclaimers[prefix]

    def page(
        self, url: str, template: str, evidence: str | None = None, **context: Any
    ) -> RenderedPage | None:
        context.setdefault("root_links", False)
        context.setdefault("review_due", None)
        context["page_url"] = url
        context["page_evidence"] = self.site.evidence.get(evidence) if evidence else None
        context["disclaimer_html"] = self.disclaimer_for(url, context["root_links"])
        try:
            html = self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            path = display(Path(exc.filename)) if exc.filename else template
            self.findings.append(
                error(path, exc.lineno, 1, "template", f"expected valid Jinja, found {exc.message}")
            )
            return None
        except jinja2.TemplateNotFound as exc:
            self.findings.append(
                error(
                    display(self.templates_dir / template),
                    1,
                    1,
                    "template",
                    f"expected a template file, found none named '{exc.name}'",
                )
            )
            return None
        except Exception as exc:  # a template bug: report it where it happened
            path, line = template_position(exc, self.templates_dir)
            kind = type(exc).__name__
            self.findings.append(
                error(
                    path,
                    line,
                    1,
                    "template",
                    f"expected the template to render, found {kind}: {exc}",
                )
            )
            return None
        return RenderedPage.of(url, html.encode("utf-8"), template, evidence)


def render(
    site: Site,
    templates_dir: Path,
    today: date | None = None,
    reuse: Mapping[str, RenderedPage] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Render every page of the site; template and content problems become findings.

    Pages in `reuse` (by URL) are taken as they are instead of rendered again: a
    rebuild passes the pages whose inputs did not change (see `deps`).
    """
    renderer = Renderer(site, templates_dir)
    observed = renderer.env.globals["today"] = ObservedDate(today or date.today())
    reuse = reuse or {}
    listed = page_list(site)

    def render_job(
        job: tuple[str, str, dict[str, Any]],
    ) -> tuple[RenderedPage | None, list[Finding], frozenset[str]]:
        url, template, context = job
        first = len(renderer.findings)
        observed.uses.clear()
        if "doc" in context:
            context = {
                **context,
                "body": renderer.markdown(context["doc"].body, url, context["doc"]),
            }
        rendered = renderer.page(url, template, **context)
        found = renderer.findings[first:]
        del renderer.findings[first:]
        return rendered, found, frozenset(observed.uses)

    fresh = [(url, template, page_context(site, url, source))
             for url, template, source in listed if url not in reuse]  # fmt: skip
    done = parallel_map(render_job, fresh, workers, progress)
    results = dict(zip([job[0] for job in fresh], done, strict=True))
    page_findings = {url: found for url, (_, found, _) in results.items()}
    today_uses = {url: uses for url, (_, _, uses) in results.items()}
    for found in page_findings.values():
        renderer.findings += found
    pages = [reuse[url] if url in reuse else results[url][0] for url, _, _ in listed]
    attempted = [url for url, _, _ in listed]

    def page(url: str, template: str, context: Callable[[], dict[str, Any]]) -> RenderedPage | None:
        """A page whose context, made from the whole site, is made only if it is rendered."""
        if url in reuse:
            return reuse[url]
        rendered, found, today_uses[url] = render_job((url, template, context()))
        page_findings[url] = found
        renderer.findings += found
        return rendered

    rendered = [p for p in pages if p is not None]
    # Every page, rendered or not: the sitemap must not depend on which pages failed.
    sitemap_urls = [url for url in attempted if url != "404.html"]
    extra = page("sitemap.xml", "sitemap.xml",
                 lambda: {"entries": sitemap_entries(site, sitemap_urls)})  # fmt: skip
    if extra:
        rendered.append(extra)
    feed = page("feed.xml", "feed.xml", lambda: feed_context(site))
    if feed:
        rendered.append(feed)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n"
    rendered.append(RenderedPage.of("robots.txt", robots.encode(), "robots.txt"))
    headers = headers_file(renderer.base_path)
    rendered.append(RenderedPage.of(HEADERS_FILE, headers.encode(), HEADERS_FILE))
    today_uses["robots.txt"] = today_uses[HEADERS_FILE] = frozenset()
    files = {**root_files(templates_dir), **renderer.asset_files, **site.assets}
    disclaimer_html = renderer.markdown(site.config.disclaimer, "", None)
    return RenderResult(
        rendered, files, disclaimer_html, renderer.findings, page_findings, today_uses
    )


def site_files(content: Path, templates_dir: Path) -> dict[str, Path]:
    """The files a build copies as they are: root files, hashed theme files, content images."""
    return {**root_files(templates_dir), **hashed_assets(templates_dir)[1], **find_assets(content)}


PageSource = Document | Package | None


def page_list(site: Site) -> list[tuple[str, str, PageSource]]:
    """Every HTML page of the site in output order: (URL, template, what it shows).
    Its template context is made only for a page that is rendered (`page_context`)."""
    pages: list[tuple[str, str, PageSource]] = [
        ("", "home.html", None),
        ("conditions/", "conditions.html", None),
    ]
    pages += [(doc.url, "condition.html", doc) for doc in site.conditions]
    pages.append(("packages/", "packages.html", None))
    pages += [(package.url, "package.html", package) for package in site.packages]
    pages += [(doc.url, "page.html", doc) for doc in site.pages]
    pages += [("search/", "search.html", None), ("404.html", "404.html", None)]
    return pages


def page_context(site: Site, url: str, source: PageSource) -> dict[str, Any]:
    """The template context of the page at `url`, which shows `source`."""
    config = site.config
    if isinstance(source, Package):
        return {"evidence": source.evidence, "package": source, "title": source.name,
                "review_due": package_review_due(source, config),
                "description": source.summary
                or f"What the {source.name} includes and its known risks."}  # fmt: skip
    if isinstance(source, Document) and source.kind == "condition":
        return {"evidence": source.meta.evidence, "doc": source, "title": source.meta.title,
                "description": source.meta.summary, "packages": site.packages_for(source.slug),
                "review_due": source.meta.next_review}  # fmt: skip
    if isinstance(source, Document):
        return {"doc": source, "review_due": source.meta.next_review,
                "title": source.meta.title, "description": source.meta.summary}  # fmt: skip
    listing = f"Treatment packages on {config.title}, with the evidence for each."
    return {
        "": {"title": config.title, "description": config.description},
        "conditions/": {"title": "Conditions",
                        "description": f"Conditions described on {config.title}."},
        "packages/": {"title": "Treatment packages", "description": listing},
        "search/": {"title": "Search", "description": f"Search {config.title}, or see every "
                    "condition and treatment package it describes."},
        "404.html": {"root_links": True, "title": "Page not found",
                     "description": "The page you asked for does not exist."},
    }[url]  # fmt: skip


def sitemap_entries(site: Site, urls: list[str]) -> list[tuple[str, date | None]]:
    """Each page's absolute URL and the date it was last reviewed (lists: their newest item)."""
    reviewed: dict[str, date | None] = {
        d.url: d.meta.last_reviewed for d in site.conditions + site.pages
    }
    reviewed.update({p.url: p.last_reviewed for p in site.packages})
    newest = lambda dates: max((d for d in dates if d), default=None)  # noqa: E731
    reviewed["conditions/"] = newest(d.meta.last_reviewed for d in site.conditions)
    reviewed["packages/"] = newest(p.last_reviewed for p in site.packages)
    reviewed[""] = newest(reviewed.values())
    return [(site.config.base_url + url, reviewed.get(url)) for url in urls]
