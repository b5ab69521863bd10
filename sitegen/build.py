"""The whole pipeline: scan -> read and validate -> check content -> render -> check
output -> write. `Session.build()` runs it, top to bottom, every time.

Every stage that can reuse work asks the store (`store.Store`) for its result
under the inputs it would use (the digest of the file, the settings, the
generator's code): a file the build has seen before is not parsed, validated,
linted or checked again, and a page is rendered again only when a key it read
while rendering (`record`) prints differently now. A first build, a no-change
build and a one-page edit are the same code doing more or less work. `build()`
runs one session; `serve` keeps one and calls `rebuild(changed)` after each save.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .assets import check_file
from .check import Disclaimers, PageChecks, PageResult, broken_links, plain, text_of
from .claims import ENGLISH, RuleSets, lint, load_rule_sets, unlisted_languages
from .findings import (
    Finding,
    Severity,
    error,
    findings_data,
    findings_from,
    has_errors,
    note,
    sort_findings,
    warning,
)
from .fragments import Fragments
from .fs import (
    Stamp,
    UnreadableError,
    display,
    display_in,
    display_link,
    is_racy,
    read_stamped,
    short_print,
)
from .load import (
    CATALOGUE_FILE,
    CLAIMS_FILE,
    DOCUMENT_DIRS,
    IMAGES_DIR,
    SITE_FILE,
    files_in,
    find_markdown,
    load_markdown_file,
    load_yaml_file,
)
from .models import (
    ConditionMeta,
    Document,
    Limits,
    Packages,
    PageMeta,
    RenderedPage,
    Site,
    SiteConfig,
)
from .parallel import parallel_map, worker_count
from .publishing import (
    Entry,
    editorial_data,
    hidden,
    publication_findings,
    redirects,
    withheld,
    withheld_navigation,
)
from .quality import check_document, check_packages, packages_date_state
from .raw import RawDocument, split_stem, too_large
from .record import Values
from .render import CompiledTemplates, PageJob, Rendered, Renderer, language_of, page_jobs
from .search import SearchIndexError, search_index
from .store import Entry as StoreEntry
from .store import Store, StoreDamageError, cache_path
from .theme import is_theme_file, theme_of
from .urls import output_path, unchecked_by
from .validate import (
    CatalogueEntry,
    check_navigation,
    missing_evidence_page,
    navigation_url,
    read_catalogue,
    read_document,
    validate_config,
)
from .write import Output, write_site

CODE_FILES = Path(__file__).parent
PAGE_IDS = "page ids"  # the store's step of Pagefind's page ids in each live shard
# The store's state of the input files changed since the last finished build, each
# with whether it was there then: a build needs not compare every file's digest
# with the one it was built from.
UNBUILT = "unbuilt"


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path = Path("templates")
    strict: bool = False
    write: bool = True
    today: date | None = None  # for review dates; today's date unless a test fixes it
    jobs: int | None = None  # worker processes; None: one per core
    cache: bool = False  # keep the store in .cache/ beside content/ (the CLI turns it on)
    # progress(stage, done, total) as each long stage goes on, e.g. ("Reading content", 512, 10000)
    progress: Callable[[str, int, int], None] | None = field(
        default=None, compare=False, repr=False
    )
    # serve: a rebuild keeps the search index it has (indexing pages again takes
    # seconds); the next full build brings it up to date.
    keep_search_index: bool = False
    # serve: drafts, scheduled and expired pages are built too, each marked as such
    # (`build` leaves them out).
    drafts: bool = False
    # serve: the session keeps the output of `{% fragment %}` parts of the pages it
    # rendered, for the next builds to reuse while what they read stays the same.
    keep_fragments: bool = False
    # The findings include notes. Only `check` shows them: a large site has tens of
    # thousands (a reading grade for every page), which `build` and `serve` need not
    # read from the store.
    notes: bool = True


@dataclass
class BuildResult:
    pages: list[RenderedPage] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # every page's URL
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: bool = False  # the output folder holds this build's site
    changed: bool = False  # ... and it was not the site the folder held before
    rendered: list[str] = field(default_factory=list)  # URLs rendered (the rest were reused)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.NOTE]

    @property
    def ok(self) -> bool:
        return not self.errors


def build(options: BuildOptions) -> BuildResult:
    """Build the site once (with `options.cache`, reusing what the last build kept)."""
    session = Session(options, once=True)
    try:
        return session.build()
    finally:
        session.close()


def read_site(content: Path) -> tuple[Site | None, list[Finding]]:
    """The validated site in `content` and the findings of reading it, without
    rendering anything (for tools and tests)."""
    session = Session(BuildOptions(content=content, write=False))
    try:
        inputs = scan(session.options, session.store)
        read = Reader(session.options, session.store, inputs).read()
        return read.site, read.findings
    finally:
        session.close()


@functools.cache
def code_print() -> str:
    """The generator's version and code: when they change, nothing kept is reused."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(CODE_FILES.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml"):
            digest.update(path.relative_to(CODE_FILES).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def context_of(*parts: object) -> str:
    """The context an entry is kept under: what it was made from (digests and prints).
    The generator's code and the folders are not part of it: a store kept for other
    code or folders is emptied when a session opens it (`Session.run`)."""
    return " ".join(map(str, parts))


# Scanning ---------------------------------------------------------------------


class DocumentFile(NamedTuple):
    """A document's file as its name tells it (`content/conditions/glaucoma.es.md`)."""

    name: str  # among the inputs: `content/conditions/glaucoma.es.md`
    folder: str  # `conditions`
    slug: str  # `glaucoma`
    lang: str | None  # `es`; None for a page in the site's own language


@dataclass
class Listing:
    """The files a build reads, as listing the folders found them: by name
    ("content/site.yaml", "templates/base.html"), with their paths (strings: 10,000
    `Path`s cost more than their stats); and the findings of listing them (links not
    followed, translations set aside)."""

    names: dict[str, str]
    findings: list[Finding]

    @functools.cached_property
    def documents(self) -> dict[str, DocumentFile]:
        """Each document file by its content path (`conditions/glaucoma.es.md`), with
        what its name tells, worked out once for the build's many passes over them."""
        found = {}
        for name in self.names:
            if is_document(name):
                _, folder, file_name = name.split("/")
                found[name[8:]] = DocumentFile(name, folder, *split_stem(file_name[:-3]))
        return found

    @functools.cached_property
    def by_path(self) -> dict[str, str]:
        return {os.path.abspath(path): name for name, path in self.names.items()}

    def named(self, changed: Iterable[Path]) -> frozenset[str] | None:
        """The names of the `changed` paths when each is a listed file that is still a
        file (so no file came or went since the listing); else None."""
        paths = list(changed)
        names = [self.by_path.get(os.path.abspath(path)) for path in paths]
        if None in names or not all(map(os.path.isfile, paths)):
            return None
        return frozenset(names)  # type: ignore[arg-type]


@dataclass
class Inputs:
    """Every file a build reads, by its name, with its stamp; the bytes of those read
    to stamp them, to parse without reading again."""

    listing: Listing
    stamps: dict[str, Stamp]
    data: dict[str, bytes]
    findings: list[Finding]  # of listing the files, and of files that could not be read

    def digest(self, name: str) -> str | None:
        stamp = self.stamps.get(name)
        return stamp.digest if stamp else None

    @functools.cached_property
    def documents(self) -> dict[str, DocumentFile]:
        """The listing's documents that could be read."""
        listed = self.listing.documents
        if len(self.stamps) == len(self.listing.names):
            return listed
        return {path: file for path, file in listed.items() if file.name in self.stamps}


def list_inputs(options: BuildOptions) -> Listing:
    """The files a build reads: the site's settings, catalogue and claims rules, its
    documents and images, and every file under templates/."""
    names: dict[str, str] = {}
    content, templates = os.fspath(options.content), os.fspath(options.templates)
    for name in (SITE_FILE, CATALOGUE_FILE, CLAIMS_FILE):
        if os.path.lexists(f"{content}/{name}"):  # a link is judged when it is read
            names[f"content/{name}"] = f"{content}/{name}"
    findings: list[Finding] = []
    for folder in DOCUMENT_DIRS:
        paths, found = find_markdown(options.content / folder)
        findings += found
        names.update((f"content/{folder}/{os.path.basename(p)}", p) for p in paths)
    for label, root, under in (("content", content, IMAGES_DIR), ("templates", templates, "")):
        top = Path(f"{root}/{under}" if under else root)
        files, found = files_in(top, Path(root))
        findings += found
        prefix = f"{label}/{under}/" if under else f"{label}/"
        names.update((prefix + path.relative_to(top).as_posix(), os.fspath(path)) for path in files)
    return Listing(names, findings)


def scan(options: BuildOptions, store: Store, since: Inputs | None = None,
         changed: frozenset[str] = frozenset()) -> Inputs:  # fmt: skip
    """Stamp every input file, reading only those not known by their stamp (the
    store keeps each file's stamp as the `stamp` step's entry), and noting those whose
    bytes changed, came or went (`UNBUILT`, until a build finishes). A file that
    cannot be read (a link out of its folder, a named pipe) is a finding and no input.

    `since`: the scan of the session's last finished build, when the file-system
    events since then name only files it listed, still there (`changed`): the
    folders are not listed again, and only those files, and any that could not
    be read then, are stamped again."""
    started = time.time_ns()
    recorded = store.entries("stamp")
    stamped_at = store.state("stamped_at") or 0
    unbuilt = store.state(UNBUILT) or {}
    changed_since_built = dict(unbuilt)
    listing = since.listing if since is not None else list_inputs(options)
    inputs = Inputs(listing, {}, {}, list(listing.findings))
    findings = inputs.findings
    kept = since.stamps if since is not None else {}
    boundaries = {"content": options.content, "templates": options.templates}
    for name, path in listing.names.items():
        if name in kept and name not in changed:
            inputs.stamps[name] = kept[name]
            continue
        known = recorded.get(name)
        stamp = Stamp(*known.value) if known else None
        try:
            if stamp is None or not stamp.matches(os.stat(path)) or is_racy(stamp, stamped_at):
                boundary = boundaries[name.partition("/")[0]]
                before = stamp
                inputs.data[name], stamp = read_stamped(path, boundary)
                store.put("stamp", name, "", list(stamp))
                if before is None or before.digest != stamp.digest:
                    changed_since_built.setdefault(name, before is not None)
        except UnreadableError as exc:
            findings.append(error(display_link(Path(path)), 1, 1, exc.field, exc.message))
            continue
        except OSError as exc:
            if os.path.lexists(path):  # not merely gone since it was listed
                message = f"expected a file that can be read, found: {exc.strerror}"
                findings.append(error(display_link(Path(path)), 1, 1, "file", message))
            continue
        inputs.stamps[name] = stamp
    for gone in recorded.keys() - inputs.stamps.keys():
        store.drop("stamp", gone)
        changed_since_built.setdefault(gone, True)
    if changed_since_built != unbuilt:
        store.set_state(UNBUILT, changed_since_built)
    store.set_state("stamped_at", started)
    return inputs


# Reading and validating -------------------------------------------------------


@dataclass
class Content:
    """The content as this build read it: the validated site (None if the settings are
    unusable), the files parsed this time, and the findings of reading them."""

    site: Site | None
    config_print: str
    reader: Reader  # parses a file (once a build) when a check needs it as written
    findings: list[Finding]
    catalogue: Packages
    failed: frozenset[str] = frozenset()  # the files that failed to be read or validated
    editorial: list[Entry] = field(default_factory=list)  # pages with workflow fields


class Reader:
    """Reads and validates content files, each through the store."""

    def __init__(
        self, options: BuildOptions, store: Store, inputs: Inputs,
        made: dict[str, tuple[str, Any]] | None = None,
    ) -> None:  # fmt: skip
        """`made`: what an earlier build of the same session made of entries that
        still hold (documents with the parts they read, the catalogue's packages),
        by what it was made of, so a rebuild need not make them again."""
        self.options, self.store, self.inputs = options, store, inputs
        self.made = made if made is not None else {}
        self.source = StoredDocuments(store, os.fspath(options.content), inputs.stamps)
        self.raw: dict[str, RawDocument] = {}
        self.validated_now: dict[str, Document] = {}
        self.limits = Limits()  # site.yaml's, once it is read
        self.findings: list[Finding] = []
        # Addresses of pages that files with errors would give (a package's page, or
        # `packages/*`), by the file: links to them are not checked until it is fixed.
        self.unchecked: dict[str, str] = {}
        self.catalogue_reviewed: list[date] = []  # every package's valid review date
        self.invalid: list[str] = []  # the documents whose front matter has errors
        self.editorial: list[Entry] = []

    def parse(self, content_path: str, kind: str) -> RawDocument:
        """The file as parsed (once a build), from the bytes its stamp was taken of
        (let go of once parsed: the parse holds their text)."""
        if content_path not in self.raw:
            name = f"content/{content_path}"
            data = self.inputs.data.pop(name, None)
            path = self.options.content / content_path
            page = content_path.endswith(".md")
            limit, setting = self.limit(page, content_path)
            size = self.inputs.stamps[name].size
            if size > limit:  # not read, let alone parsed
                raw = RawDocument(path, display_in(self.options.content, content_path),
                                  content_path, kind, path.stem, readable=False)  # fmt: skip
                raw.read_findings = [  # type: ignore[attr-defined]
                    error(raw.display_path, 1, 1, "size", too_large(size, limit, setting))
                ]
                self.raw[content_path] = raw
                return raw
            if data is None:
                data, stamp = read_stamped(path, self.options.content)
                if stamp.digest != self.inputs.digest(name):
                    raise ChangedWhileBuildingError(display(path))
            reader = load_markdown_file if page else load_yaml_file
            self.raw[content_path], found = reader(path, self.options.content, kind, data)
            self.raw[content_path].read_findings = found  # type: ignore[attr-defined]
        return self.raw[content_path]

    def limit(self, page: bool, content_path: str) -> tuple[int, str | None]:
        """The largest size of a file to parse, in bytes, and the setting that says so
        (site.yaml itself is held to the default)."""
        limits = self.limits if content_path != SITE_FILE else Limits()
        if page:
            return limits.max_page_kb * 1024, "max_page_kb"
        return limits.max_file_kb * 1024, "max_file_kb" if content_path != SITE_FILE else None

    def step(self, step: str, content_path: str, context: str, make: Callable[[], Any],
             keeps_data: bool = False) -> Any:  # fmt: skip
        """`make()`'s value for this file, from the store when made under `context`
        (with `keeps_data`, `make()` gives the value and the bytes kept with it)."""
        value = self.store.reusable(step, content_path, context)
        if value is ...:
            value, data = make() if keeps_data else (make(), None)
            self.store.put(step, content_path, context, value, data)
        return value

    def read(self) -> Content:
        config, config_print, findings = self.config()
        self.limits = config.limits if config is not None else Limits()
        documents = self.documents(config, config_print)
        slugs = sorted(
            file.slug
            for file in self.inputs.documents.values()
            if file.folder == "conditions" and file.lang is None
        )
        packages = self.catalogue(config, config_print, slugs)
        findings += self.findings
        failed = frozenset(finding.path for finding in findings if finding.is_error)
        if config is None:
            return Content(None, config_print, self, findings, packages, failed, self.editorial)
        urls = self.site_urls(packages)
        content_urls = self.document_urls
        findings += self.site_checks(urls)
        documents, translations, found = self.sort_translations(config, documents)
        findings += found
        assets = {
            name.removeprefix("content/"): self.options.content / name.removeprefix("content/")
            for name in self.inputs.stamps
            if name.startswith(f"content/{IMAGES_DIR}/")
        }
        findings += self.images(assets)
        site = Site(config, display_in(self.options.content, SITE_FILE), documents, packages,
                    assets, urls, content_urls, translations, self.unchecked)  # fmt: skip
        return Content(site, config_print, self, findings, packages, failed, self.editorial)

    def sort_translations(
        self, config: SiteConfig, documents: list[Document]
    ) -> tuple[list[Document], list[Document], list[Finding]]:
        """The default language's documents and the translations, apart; the findings
        on translations that cannot be published (a language not listed, no page they
        translate) and those older than their page (its `last_reviewed` is later)."""
        sources = {doc.content_path: doc for doc in documents if doc.lang is None}
        if len(sources) == len(documents):
            return documents, [], []
        others = [lang.code for lang in config.all_languages[1:]]
        entries = self.store.entries("document")
        kept: list[Document] = []
        findings: list[Finding] = []
        for doc in documents:
            if doc.lang is None or (
                doc.source_path not in sources
                and f"content/{doc.source_path}" in self.inputs.stamps
            ):  # a page in the default language, or a translation of an invalid one
                continue
            if doc.lang not in others:
                findings.append(error(
                    doc.display_path, 1, 1, "translation",
                    f"expected a translation into a language listed in site.yaml's `languages` "
                    f"other than the default ({', '.join(others) or 'none listed'}), found "
                    f"'{doc.lang}'; it is not published"))  # fmt: skip
            elif doc.source_path not in sources:
                findings.append(error(
                    doc.display_path, 1, 1, "translation",
                    f"expected the page it translates, content/{doc.source_path}, found none; "
                    "it is not published"))  # fmt: skip
            else:
                kept.append(doc)
                source = entries[doc.source_path].value["reviewed"]
                own = entries[doc.content_path].value["reviewed"]
                line, col = entries[doc.content_path].value.get("reviewed_at") or (1, 1)
                if source and (own is None or own < source):
                    findings.append(
                        warning(
                            doc.display_path,
                            line,
                            col,
                            "translation",
                            f"expected a translation reviewed on or after its page "
                            f"(content/{doc.source_path}, last reviewed {source}), found "
                            f"{own or 'no review date'}; the page says it may be out of date",
                        )
                    )
        return list(sources.values()), kept, findings

    def images(self, assets: dict[str, Path]) -> list[Finding]:
        """The check of each file in content/images/ (its type, an SVG's safety)."""
        findings: list[Finding] = []
        for name, path in sorted(assets.items()):
            shown = display_in(self.options.content, name)
            context = context_of(self.inputs.digest(f"content/{name}"))
            found = self.step("image", name, context,
                              lambda p=path, s=shown: findings_data(check_file(p, s)))  # fmt: skip
            findings += findings_from(found)
        return findings

    def config(self) -> tuple[SiteConfig | None, str, list[Finding]]:
        name = f"content/{SITE_FILE}"
        digest = self.inputs.digest(name)
        if digest is None:
            shown = display(self.options.content / SITE_FILE)
            problem = (
                "expected the site settings file (title, base_url, disclaimer, ...), found none"
            )
            return None, "", [error_at(shown, "site.yaml", problem)]

        def make() -> dict[str, Any]:
            raw = self.parse(SITE_FILE, "site")
            found = list(raw.read_findings)  # type: ignore[attr-defined]
            config = None
            if raw.readable:
                config, more = validate_config(raw)
                found += more
            data = None if config is None else config.model_dump(mode="json")
            return {"config": data, "findings": findings_data(found)}

        value = self.step("config", SITE_FILE, context_of(digest), make)
        config = SiteConfig.model_validate(value["config"]) if value["config"] else None
        config_print = short_print(str(value["config"]))
        return config, config_print, findings_from(value["findings"])

    def documents(self, config: SiteConfig | None, config_print: str) -> list[Document]:
        """Every valid document, validated again only where the store holds no
        validation of the same bytes under the same settings. While no document
        changed, the store's summary of them all stands (their findings, which are
        invalid), and no document's own entry is even read."""
        stamps = self.inputs.stamps
        wanted = {
            path: f"{stamps[file.name].digest} {config_print}"
            for path, file in self.inputs.documents.items()
        }
        self.documents_print = whole = whole_print(wanted)
        summary = self.store.reusable("document:all", "", whole)
        if summary is ...:
            summary = self.validate_documents(config, wanted)
            self.store.put("document:all", "", whole, summary)
        self.findings += findings_from(summary["findings"])
        self.invalid = summary["invalid"]
        invalid = set(self.invalid)
        self.editorial += [
            Entry.of(f"doc:{path}", self.document_urls[path], self.shown_root + path, "", data)
            for path, data in summary["editorial"].items()
            if path not in invalid
        ]
        documents: list[Document] = []
        for path, context in wanted.items():
            if path in invalid:
                continue
            known = self.made.get(path)
            if known is None or known[0] != context:
                kind = DOCUMENT_DIRS[path.partition("/")[0]]
                known = self.made[path] = (context, self.document(path, kind))
            documents.append(known[1])
        for gone in [path for path in self.made if path not in wanted and path != CATALOGUE_FILE]:
            del self.made[gone]
        return documents

    def validate_documents(
        self, config: SiteConfig | None, wanted: dict[str, str]
    ) -> dict[str, Any]:
        """Validate each document the store holds no validation of under its context
        (one pass of comparisons: 10,000 unchanged documents must not cost a call
        each); the summary of them all: their findings, and which are invalid."""
        entries = self.store.entries("document")
        fresh = [path for path, context in wanted.items()
                 if (entry := entries.get(path)) is None or entry.context != context]  # fmt: skip
        progress = self.stage_progress("Reading content")
        for done, path in enumerate(fresh, 1):
            kind = DOCUMENT_DIRS[path.partition("/")[0]]
            value, data = self.validated(path, kind, config)
            self.store.put("document", path, wanted[path], value, data)
            if progress and (done % 250 == 0 or done == len(fresh)):
                progress(done, len(fresh))
        findings: list[list[Any]] = []
        invalid: list[str] = []
        editorial: dict[str, Any] = {}
        for path in wanted:
            value = entries[path].value
            findings += value["findings"]
            if not value["valid"]:
                invalid.append(path)
            elif value["editorial"]:
                editorial[path] = value["editorial"]
        return {"findings": findings, "invalid": invalid, "editorial": editorial}

    def stage_progress(self, name: str) -> Callable[[int, int], None] | None:
        return partial(self.options.progress, name) if self.options.progress else None

    def validated(self, content_path: str, kind: str,
                  config: SiteConfig | None) -> tuple[dict[str, Any], bytes | None]:  # fmt: skip
        raw = self.parse(content_path, kind)
        found = list(raw.read_findings)  # type: ignore[attr-defined]
        read = read_document(raw, config) if raw.readable else None
        if read is not None:
            found += read.findings
        doc = read.document if read is not None else None  # as far as it is valid
        valid = doc is not None and not has_errors(found)
        value = {
            "valid": valid,
            "title": doc.meta.title if valid else "",  # type: ignore[union-attr]
            "reviewed": iso(doc.meta.last_reviewed) if doc else None,
            # where it was written: a translation older than its page is reported there
            "reviewed_at": list(raw.positions.of_value(("last_reviewed",)))
            if doc and doc.meta.last_reviewed
            else None,
            "due": iso(doc.meta.next_review) if doc else None,
            "body_line": raw.body_line,
            "findings": findings_data(found),
            "editorial": editorial_data(doc.meta, raw) if doc else None,
        }
        if not valid:
            return value, None
        self.validated_now[content_path] = doc  # type: ignore[assignment]
        # Only the fields the file set: read back, the model tells the same ones as set
        # (`model_fields_set`, which a template may list) as one validated from the file.
        return value, doc.meta.model_dump_json(exclude_unset=True).encode("utf-8")  # type: ignore[union-attr]

    def document(self, content_path: str, kind: str) -> Document:
        """A document whose title, front matter and body are read only when asked for
        (one validated by this build is at hand)."""
        known = self.validated_now.get(content_path)
        if known is not None:
            return known
        file = self.inputs.documents[content_path]
        shown = self.shown_root + content_path
        return Document(kind, file.slug, shown, content_path, None, self.source, lang=file.lang)  # type: ignore[arg-type]

    @functools.cached_property
    def shown_root(self) -> str:
        """What a content file's shown path starts with (`display_in` without a call each)."""
        return display_in(self.options.content, "x")[:-1]

    def catalogue(self, config: SiteConfig | None, config_print: str,
                  slugs: list[str]) -> Packages:  # fmt: skip
        digest = self.inputs.digest(f"content/{CATALOGUE_FILE}")
        if digest is None:
            return Packages.of([])

        made: Packages | None = None

        def make() -> tuple[dict[str, Any], bytes]:
            nonlocal made
            raw = self.parse(CATALOGUE_FILE, "catalogue")
            found = list(raw.read_findings)  # type: ignore[attr-defined]
            entries = []
            if raw.readable:
                entries, more = read_catalogue(raw, config, slugs)
                found += more
            made = Packages.of([entry.package for entry in entries if entry.valid])  # type: ignore[misc]
            index, data = made.to_json()
            value = {
                "findings": findings_data(found),
                "unchecked": unchecked_packages(entries, has_errors(found)),
                "reviewed": sorted({iso(entry.package.last_reviewed) for entry in entries
                                    if entry.package and entry.package.last_reviewed}),
                "editorial": catalogue_editorial(made, raw),
                "index": index,
            }  # fmt: skip
            return value, data

        context = context_of(digest, config_print, short_print(" ".join(slugs)))
        value = self.step("catalogue", CATALOGUE_FILE, context, make, keeps_data=True)
        self.findings += findings_from(value["findings"])
        shown = display_in(self.options.content, CATALOGUE_FILE)
        self.unchecked.update((url, shown) for url in value["unchecked"])
        self.catalogue_reviewed = [date.fromisoformat(day) for day in value["reviewed"]]
        self.editorial += [
            Entry.of(f"pkg:{package_id}", f"packages/{package_id}/", shown,
                     f"packages[{index + 1}].", data, tuple(data["where"]))
            for package_id, (index, data) in value["editorial"].items()
        ]  # fmt: skip
        if made is None:
            known = self.made.get(CATALOGUE_FILE)
            if known is not None and known[0] == context:
                return known[1]
            kept = self.store.data("catalogue", CATALOGUE_FILE) or b""
            made = Packages.from_json(value["index"], kept)
        self.made[CATALOGUE_FILE] = (context, made)
        return made

    @functools.cached_property
    def document_urls(self) -> dict[str, str]:
        """Every document file's page URL by its content path, valid or not (a link to a
        page that fails validation is not a second, misleading error)."""
        urls = {}
        for path, file in self.inputs.documents.items():
            url = f"conditions/{file.slug}/" if file.folder == "conditions" else f"{file.slug}/"
            urls[path] = f"{file.lang}/{url}" if file.lang else url
        return urls

    def site_urls(self, packages: Packages) -> frozenset[str]:
        fixed = {"", "conditions/", "packages/"}
        return frozenset(
            fixed
            | set(self.document_urls.values())
            | {f"packages/{package_id}/" for package_id in packages.ids}
        )

    def site_checks(self, urls: frozenset[str]) -> list[Finding]:
        """The checks across files: the navigation's links, the evidence page."""
        digest = self.inputs.digest(f"content/{SITE_FILE}")

        def make() -> list[Any]:
            raw = self.parse(SITE_FILE, "site")
            config, _ = validate_config(raw)
            found = check_navigation(config, raw, urls, self.unchecked) if config else []
            if "content/pages/how-we-rate-evidence.md" not in self.inputs.stamps:
                found += missing_evidence_page(raw)
            return findings_data(found)

        evidence_page = "content/pages/how-we-rate-evidence.md" in self.inputs.stamps
        unchecked = short_print("\n".join(sorted(self.unchecked)))
        context = context_of(digest, short_print("\n".join(sorted(urls))), evidence_page,
                             unchecked)  # fmt: skip
        return findings_from(self.step("site-checks", SITE_FILE, context, make))


def unchecked_languages(site: Site, rules: RuleSets) -> list[Finding]:
    """A note, once for each language with translated text and no claims rules: its
    pages, site.yaml's and packages.yaml's words in it are not checked for misleading
    claims (reported, not silently passed), whichever of them it has."""
    found: list[Finding] = []
    for language in site.languages[1:]:
        code = language.code
        if rules.has_rules(code):
            continue
        pages = sum(doc.lang == code for doc in site.translations)
        packages = sum(code in outline.languages for outline in site.packages.outlines)
        parts = [f"its {pages} translated page(s)"] if pages else []
        if code in site.config.translations:
            parts.append("its words in site.yaml")
        if packages:
            parts.append(f"its words for {packages} package(s) in packages.yaml")
        if not parts:
            continue
        what = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        found.append(note(
            site.config_path, 1, 1, "claims",
            f"expected claims rules for '{code}' (in claims.yaml, under `languages: "
            f"{{{code}: {{rules: …}}}}`), found none: {what} are not checked for misleading "
            "claims; have them reviewed by someone who reads them"))  # fmt: skip
    return found


def unchecked_packages(entries: list[CatalogueEntry], errors: bool) -> list[str]:
    """The addresses of the packages packages.yaml names but does not give, because
    their entries have errors: each one's page, or every package page (`packages/*`)
    when the file or an entry cannot say which packages it holds."""
    if errors and not entries:
        return ["packages/*"]
    unchecked = set()
    for entry in entries:
        if not entry.valid:
            known = entry.package is not None and entry.package.id is not None
            unchecked.add(f"packages/{entry.package.id}/" if known else "packages/*")  # type: ignore[union-attr]
    return sorted(unchecked)


def catalogue_editorial(packages: Packages, raw: RawDocument) -> dict[str, Any]:
    """The workflow fields of each package that has any, by its id: its index in the
    file and where its id was written (for findings), its publication and aliases."""
    entries = raw.data.get("packages") if isinstance(raw.data, dict) else None
    indexes: dict[str, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):  # any YAML at all
            indexes.setdefault(entry["id"], index)
    found: dict[str, Any] = {}
    for package in packages:
        index = indexes.get(package.id, 0)
        loc = ("packages", index)
        data = editorial_data(package, raw, loc)
        if data is not None:
            found[package.id] = [index, {**data, "where": raw.positions.of_value((*loc, "id"))}]
    return found


DOCUMENT_PREFIXES = tuple(f"content/{folder}/" for folder in DOCUMENT_DIRS)


def is_document(name: str) -> bool:
    """`content/conditions/x.md` or `content/pages/x.md`."""
    return name.startswith(DOCUMENT_PREFIXES) and name.count("/") == 2


@dataclass
class StoredDocuments:
    """Where the front matter and body of documents this build did not validate are
    read from when a page asks for them: the store, and the file itself, which must
    still hold the bytes its stamp was taken of."""

    store: Store
    content: str  # the content folder
    digests: dict[str, Stamp]  # the build's stamps of input files

    def title(self, doc: Document) -> str:
        return self.store.entry("document", doc.content_path).value["title"]  # type: ignore[union-attr]

    def parts(self, doc: Document) -> tuple[Any, str, int]:
        model = ConditionMeta if doc.kind == "condition" else PageMeta
        meta = model.model_validate_json(self.store.data("document", doc.content_path) or b"")
        body_line = self.store.entry("document", doc.content_path).value["body_line"]  # type: ignore[union-attr]
        path = f"{self.content}/{doc.content_path}"
        data, stamp = read_stamped(path, self.content)
        if stamp.digest != self.digests[f"content/{doc.content_path}"].digest:
            raise ChangedWhileBuildingError(display(Path(path)))
        return meta, split_body(data, body_line), body_line


class ChangedWhileBuildingError(Exception):
    """A file changed after the build stamped it: build again."""


def whole_print(contexts: dict[str, str]) -> str:
    """The print of a step's contexts for all its files: its summary stands while
    this is the same (every file's own entry would be reused)."""
    return short_print("\n".join(f"{key}\t{context}" for key, context in contexts.items()))


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def split_body(data: bytes, body_line: int) -> str:
    """The Markdown body of a document file whose body starts on line `body_line`."""
    text = data.decode("utf-8-sig")
    return "".join(text.splitlines(keepends=True)[body_line - 1 :])


def error_at(path: str, field_name: str, message: str) -> Finding:
    return Finding(path, 1, 1, field_name, message)


# The session ------------------------------------------------------------------


class Session:
    """One site built again and again: `build()` once, `rebuild(changed)` after edits.

    The store is the session's only memory: in `.cache/` with `options.cache`
    (so the next process reuses it too), in a temporary file otherwise.
    """

    def __init__(self, options: BuildOptions, once: bool = False) -> None:
        """`once`: the session builds once (the command line's `build`); with no cache,
        it then keeps nothing for a next build."""
        self.options = options
        self.once = once
        self.problems: list[Finding] = []
        self.store = self.open_store()
        self.written = False  # whether this session has written the site
        self.made: dict[str, tuple[str, Any]] = {}  # what builds made of entries (`Reader`)
        self.compiled = CompiledTemplates({})  # Jinja's code of the templates
        self.rules: tuple[str, RuleSets, list[Finding]] | None = None  # (`rule_sets`)
        self.fragments: dict[str, Any] = {}  # parts of pages, in memory (`Fragments`)
        self.kept_at: int | None = None  # the store's commit of the last build that kept pages
        self.warmed: set[str] = set()  # the pages `warm()` rendered only to keep their parts
        self.scanned: Inputs | None = None  # the scan of the last build that finished
        self.found: dict[str, dict[str, tuple[StoreEntry, list[Finding]]]] = {}

    def open_store(self) -> Store:
        if not self.options.cache:
            return Store.temporary_store(keeps=not self.once)
        path = cache_path(self.options.content)
        try:
            return Store.open(path)
        except StoreDamageError as exc:
            self.problems.append(set_aside(path, exc))
            return Store.open(path)
        except OSError as exc:
            message = (
                f"expected a writable cache, found {exc.strerror or exc}; building without one"
            )
            self.problems.append(warning(display(path), 1, 1, "cache", message))
            return Store.temporary_store()

    def close(self) -> None:
        self.store.close()

    def rebuild(self, changed: Iterable[Path]) -> BuildResult:
        """Build again after a save (`changed`: the paths the file-system events named
        since the last build). When each is a file the last finished build read, and
        is still there, no file came or went: only they are stamped again. Otherwise
        (a file came, went or was renamed, a folder changed) every file is, as in
        `build()`."""
        return self.build(changed=changed)

    def warm(self) -> BuildResult:
        """Build, also rendering the pages that show parts (`{% fragment %}`) of which
        the session keeps none, so that the first edit of a title finds them: a
        session started from the store renders nothing. `serve` calls it once it
        watches for changes. The pages come out as they were; `warmed` says which
        were rendered only for this."""
        return self.build(warm=True)

    def build(self, warm: bool = False, changed: Iterable[Path] | None = None) -> BuildResult:
        waiting = None
        if self.options.progress is not None:
            waiting = partial(self.options.progress, "Waiting for another build to finish", 0, 1)
        with self.store.held(waiting):
            return self.build_held(warm, changed)

    def build_held(self, warm: bool = False, changed: Iterable[Path] | None = None
                   ) -> BuildResult:  # fmt: skip
        since, self.scanned = self.scanned, None
        names = since.listing.named(changed) if since is not None and changed is not None else None
        try:
            result = self.run(warm, since if names is not None else None, names or frozenset())
            self.scanned = self.inputs
            return result
        except (
            StoreDamageError
        ) as exc:  # whatever the damage, it costs a rebuild, never a wrong site
            self.store.close()
            self.problems.append(set_aside(self.store.path, exc))
            self.made.clear()
            self.fragments.clear()  # checked for commits of the store set aside
            self.kept_at = None
            self.store = Store.open(self.store.path) if self.options.cache else self.open_store()
            result = self.run(warm)
            self.scanned = self.inputs
            return result
        except ChangedWhileBuildingError as exc:
            message = (
                "expected the file to stay as it was while the site was built, found it "
                "changed; build again"
            )
            self.store.discard()
            self.made.clear()
            return BuildResult(findings=[error_at(str(exc), "file", message)])

    def run(self, warm: bool = False, since: Inputs | None = None,
            changed: frozenset[str] = frozenset()) -> BuildResult:  # fmt: skip
        options, store = self.options, self.store
        result = BuildResult()
        clock = Clock(result.timings)
        today = options.today or date.today()
        base = context_of(code_print(), display(options.content), display(options.templates))
        if store.state("base") != base:
            store.clear()  # nothing kept for other code or folders is reused
            store.set_state("base", base)
        inputs = self.inputs = scan(options, store, since, changed)
        content = Reader(options, store, inputs, self.made).read()
        findings = [*self.problems, *inputs.findings, *content.findings]
        failed = content.failed | {finding.path for finding in inputs.findings if finding.is_error}
        self.problems = []
        clock.lap("load")
        default = content.site.config.language if content.site is not None else ENGLISH
        rules, found = self.rule_sets(default)
        findings += found + self.lint(content, rules)
        if content.site is not None:
            findings += self.quality(content, today)
            findings += unchecked_languages(content.site, rules)
            findings += unlisted_languages(rules, [lang.code for lang in content.site.languages])
        content.reader.raw.clear()  # parsed again if asked for: the positions weigh most
        inputs.data.clear()  # the files' bytes, read again (stamp checked) if asked for
        clock.lap("validate")
        site = content.site
        if site is None:
            result.findings = finish_findings(findings, options.strict, failed, options.notes)
            store.commit()
            return result
        site, found = published(site, content.editorial, today, options.drafts)
        findings += found + self.navigation_to_withheld(site, content)
        theme = theme_of(options.templates, inputs.stamps)
        values = Values(site, options.templates, theme.names, today,
                        lambda name: inputs.digest(f"templates/{name}"))  # fmt: skip
        fragments = None
        if options.keep_fragments:
            templates = [f"{name} {stamp.digest}" for name, stamp in inputs.stamps.items()
                         if name.startswith("templates/")]  # fmt: skip
            templates_print = short_print("\n".join(sorted(templates)))
            fragments = Fragments(self.fragments, templates_print, values.print_of,
                                  store.commits + 1)  # fmt: skip
        self.compiled.stored = partial(
            store.code, CompiledTemplates.STEP, context=CompiledTemplates.CONTEXT
        )
        renderer = Renderer(site, options.templates, theme, today, self.compiled, fragments)
        jobs = page_jobs(site)
        built = store.state("built_day")  # the day of the last finished build
        stale, new_prints = self.stale_pages(jobs, built, inputs, today, values,
                                             workflow_print(site))  # fmt: skip
        if fragments is not None and self.kept_at == store.commits:
            fragments.changed = frozenset(new_prints)
        self.warmed = set()
        if fragments is not None and warm:
            self.warmed = self.parts_not_kept(jobs) - stale
            stale |= self.warmed
        fresh_jobs = [job for job in jobs if job.url in stale]
        disclaimers = {lang: Disclaimers(plain(short), text_of(full)) for lang, (short, full)
                       in renderer.disclaimers_by_language().items()}  # fmt: skip
        levels = {lang: {level.id: level for level in
                         site.config_in(lang or site.config.language).evidence_levels}
                  for lang in disclaimers}  # fmt: skip
        checks = PageChecks(disclaimers, levels, partial(language_of, site=site),
                            options.templates)  # fmt: skip
        setting = short_print(checks.held_to())
        rendered, checked = self.render(renderer, fresh_jobs, checks, setting)
        if fragments is not None:
            fragments.forget({job.url for job in jobs})
        pages, page_findings = self.pages(jobs, rendered)
        result.rendered = [job.url for job in fresh_jobs]
        findings += page_findings
        unpublished, skipped = self.unpublished_bodies(content, renderer)
        findings += unpublished
        skipped += [link for made in rendered.values() for link in made.skipped]
        findings += links_not_checked(skipped, site)
        clock.lap("render")
        files = {**theme.files, **site.assets}
        findings += self.output_checks(pages, files, checks, setting, checked,
                                       not has_errors(findings))  # fmt: skip
        clock.lap("check")
        result.pages = pages
        result.urls = [page.url for page in pages]
        result.findings = finish_findings(findings, options.strict, failed, options.notes)
        if has_errors(result.findings):
            store.commit()  # what files gave stays true; nothing of the pages is kept
            return result
        if store.keeps:  # a store that keeps nothing needs no record of reads
            self.keep(jobs, rendered, built, values, new_prints, today)
            self.keep_compiled(inputs, renderer, rendered)
            store.set_state("workflow", workflow_print(site))
        if options.write:
            try:  # committed while Pagefind runs, if it does; else (or again: a no-op) here
                result.timings["search"], result.changed = self.write(
                    pages, files, site, store.commit
                )
                result.written = True
            except SearchIndexError as exc:  # the previous site stays; the editor is told why
                at_out = replace(exc.finding, path=display(options.out))  # not the new folder's
                result.findings = sort_findings([*result.findings, at_out])
            finally:
                store.commit()
            clock.lap("write")
        else:
            store.commit()
        self.kept_at = store.commits
        return result

    def rule_sets(self, default: str) -> tuple[RuleSets, list[Finding]]:
        """The claims rules, read again only when claims.yaml or the site's language
        changed: a session (`serve`) keeps them with the expressions compiled so far."""
        context = f"{self.inputs.digest(f'content/{CLAIMS_FILE}')} {default}"
        if self.rules is None or self.rules[0] != context:
            self.rules = (context, *load_rule_sets(self.options.content, default))
        return self.rules[1], list(self.rules[2])

    @staticmethod
    def navigation_to_withheld(site: Site, content: Content) -> list[Finding]:
        """The navigation's links to pages not published today, at their lines in
        site.yaml (read again for them only when there are any)."""
        links = [(navigation_url(item.url), item.url) for item in site.config.navigation]
        if not any(url in site.withheld for url, _ in links if url is not None):
            return []
        raw = content.reader.parse(SITE_FILE, "site")
        return withheld_navigation(links, site.withheld, raw.display_path, raw.positions.of_value)

    # Checking content -----------------------------------------------------------

    def lint(self, content: Content, rules: RuleSets) -> list[Finding]:
        """The claims linter on every content file it reads, again only for files it has
        not linted under the same rules: a page under its language's (a translation's
        under its own), site.yaml and packages.yaml under every language's."""
        limits = content.reader.limits  # a file too large is not read, so not linted
        sizes = f"{limits.max_page_kb} {limits.max_file_kb}"
        stamps = self.inputs.stamps
        wanted = {
            path: (kind, f"{stamps[name].digest} {rules.print} {sizes}")
            for path, kind in ((SITE_FILE, "site"), (CATALOGUE_FILE, "catalogue"))
            if (name := f"content/{path}") in stamps
        }
        for path, file in self.inputs.documents.items():
            language_print = rules.for_language(file.lang).print
            context = f"{stamps[file.name].digest} {language_print} {sizes}"
            wanted[path] = (DOCUMENT_DIRS[file.folder], context)
        whole = whole_print({key: context for key, (_, context) in wanted.items()})
        whole += " notes" if self.options.notes else ""  # what the summary holds
        summary = self.store.reusable("lint:all", "", whole)
        if summary is not ...:
            return findings_from(summary)
        findings = self.per_file("lint", content, wanted, lambda raw: lint([raw], rules),
                                 "Checking claims", self.options.notes)  # fmt: skip
        self.store.put("lint:all", "", whole, findings_data(findings))
        return findings

    def quality(self, content: Content, today: date) -> list[Finding]:
        """The quality checks of each valid document and of the catalogue. The date
        counts only once a review date is past (the warning counts the days)."""
        site = content.site
        assert site is not None
        config = site.config
        day = today.isoformat()
        stamps = self.inputs.stamps
        catalogue = stamps.get(f"content/{CATALOGUE_FILE}")
        # The same documents, settings, catalogue and day: every check stands as it was.
        whole = short_print(f"{content.reader.documents_print} {content.config_print} {day} "
                            f"{catalogue.digest if catalogue else ''}")  # fmt: skip
        if self.store.reusable("quality:all", "", whole) is not ...:
            return self.file_findings("quality", self.options.notes)
        documents = self.store.entries("document")

        def state(value: dict[str, Any]) -> str:  # review_date_state, on ISO dates
            reviewed, due = value["reviewed"], value["due"]
            return day if (reviewed and reviewed > day) or (due and due < day) else "current"

        def original_reviewed(path: str) -> date | None:
            """For a translation: the review date of the page it translates."""
            file = self.inputs.documents[path]
            original = documents.get(f"{file.folder}/{file.slug}.md") if file.lang else None
            reviewed = original.value["reviewed"] if original else None
            return date.fromisoformat(reviewed) if reviewed else None

        wanted = {  # every document, valid or not: each is checked as far as it is valid
            path: (
                DOCUMENT_DIRS[file.folder],
                f"{stamps[file.name].digest} {content.config_print} "
                f"{state(documents[path].value)} {original_reviewed(path)}",
            )
            for path, file in self.inputs.documents.items()
        }
        if catalogue is not None:
            dates = packages_date_state(content.reader.catalogue_reviewed, config, today)
            made_in = self.store.entry("catalogue", CATALOGUE_FILE)  # which packages are valid
            context = f"{made_in.context if made_in else ''} {dates}"
            wanted[CATALOGUE_FILE] = ("catalogue", context)

        def check(raw: RawDocument) -> list[Finding]:
            if not raw.readable:
                return []
            if raw.kind == "catalogue":
                entries, _ = read_catalogue(raw, config, [])
                known = [(entry.index, entry.package, entry.invalid) for entry in entries
                         if entry.package is not None]  # fmt: skip
                return check_packages(known, raw, config, today)
            doc = site.document_at(raw.content_path)
            if doc is not None:
                in_language = site.config_in(doc.lang) if doc.lang else config
                original = original_reviewed(raw.content_path)
                return check_document(doc, raw, in_language, today, original_reviewed=original)
            read = read_document(raw, config)  # not valid: checked as far as it is
            if read.document is None:
                return []
            lang = read.document.lang
            listed = lang is not None and site.config.language_named(lang) is not None
            in_language = site.config_in(lang) if listed else config  # type: ignore[arg-type]
            original = original_reviewed(raw.content_path)
            return check_document(read.document, raw, in_language, today, read.invalid, original)

        findings = self.per_file("quality", content, wanted, check, "Checking quality",
                                 self.options.notes)  # fmt: skip
        self.store.put("quality:all", "", whole, None)  # the findings are the files' own
        return findings

    def per_file(
        self,
        step: str,
        content: Content,
        wanted: dict[str, tuple[str, str]],
        check: Callable[[RawDocument], list[Finding]],
        progress_name: str,
        notes_too: bool,
    ) -> list[Finding]:
        """`check` on each file in `wanted` (content path -> its kind and the context of
        its findings) whose findings the store does not hold under that context; the
        findings of every one (notes only if `notes_too`: they are kept in a step of
        their own, read only then). The step's entries are then those of `wanted` only."""
        store, notes_step = self.store, f"{step} notes"
        entries = store.entries(step)
        for gone in entries.keys() - wanted.keys():
            store.drop(step, gone)
            store.drop(notes_step, gone)
        fresh = [(key, context, content.reader.parse(key, kind))
                 for key, (kind, context) in wanted.items()
                 if (entry := entries.get(key)) is None or entry.context != context]  # fmt: skip
        found = parallel_map(lambda item: check(item[2]), fresh, self.options.jobs,
                             self.stage(progress_name))  # fmt: skip
        for (key, context, _), made in zip(fresh, found, strict=True):
            notes = [finding for finding in made if finding.severity is Severity.NOTE]
            shown = [finding for finding in made if finding.severity is not Severity.NOTE]
            store.put(step, key, context, findings_data(shown))
            store.put(notes_step, key, context, findings_data(notes))
        return self.file_findings(step, notes_too)

    def file_findings(self, step: str, notes_too: bool) -> list[Finding]:
        notes = self.stored_findings(f"{step} notes") if notes_too else []
        return self.stored_findings(step) + notes

    def stored_findings(self, step: str) -> list[Finding]:
        """The findings the store holds for every file of `step` (`per_file` keeps only
        the files it was last given; the build sorts them). A large site's notes weigh
        megabytes: kept once, with each file, they are not written again whole after
        every edit. The session holds each entry's findings as made from it while the
        entry stands, so a rebuild makes them only for the files checked again."""
        before = self.found.get(step, {})
        now = {}
        for key, entry in self.store.entries(step).items():
            if not entry.value:  # most files: nothing found
                continue
            known = before.get(key)
            now[key] = (known if known is not None and known[0] is entry
                        else (entry, findings_from(entry.value)))  # fmt: skip
        self.found[step] = now
        return [finding for _, findings in now.values() for finding in findings]

    # Rendering ------------------------------------------------------------------

    def stale_pages(
        self, jobs: list[PageJob], built: Any, inputs: Inputs, today: date, values: Values,
        workflow: str,
    ) -> tuple[set[str], dict[str, str]]:  # fmt: skip
        """The pages to render again: new ones, and those that read a key whose print
        changed since the last finished build; with the changed keys' prints now."""
        store = self.store
        if not built:
            return {job.url for job in jobs}, {}
        changed: dict[str, bool] = store.state(UNBUILT) or {}  # (see `scan`)
        now = inputs.stamps
        prefixes, exact = set(), set()
        for name, was_there in changed.items():
            folder, _, rest = name.partition("/")
            if folder == "templates":
                if is_theme_file(rest):
                    prefixes.add("theme")
                exact.add(f"template:{rest}")  # a theme file can be included as a template too
            elif rest == SITE_FILE:
                prefixes |= {"config:", "config.", "given:", "doc:", "list:", "tr:"}
            elif rest == CATALOGUE_FILE:
                prefixes |= {"pkg:", "offered:", "list:packages", "page:", "urls", "unchecked"}
            elif rest.startswith(f"{IMAGES_DIR}/"):
                prefixes |= {"image:", "urls"}
            elif rest.partition("/")[0] in DOCUMENT_DIRS:
                prefixes |= {f"doc:{rest}#", "list:"}
                if name not in now or not was_there:  # a document came or went
                    prefixes |= {"slug:", "url:", "page:", "urls", "offered:", "tr:"}
        if built != today.isoformat():
            prefixes.add("today")
        if store.state("workflow") != workflow:  # a page left or joined the site, or an alias
            prefixes |= {"list:", "offered:", "slug:", "page:", "urls", "published:", "withheld:"}
        candidates = store.prints(exact) if exact else {}
        for prefix in prefixes:
            candidates.update(store.prints_from(prefix))
        new_prints = {}
        for key, old in candidates.items():
            print_now = values.print_of(key)
            if print_now != old:
                new_prints[key] = print_now
        stale = store.readers(new_prints) if new_prints else set()
        kept = store.entries("page")
        stale |= {job.url for job in jobs if job.url not in kept}
        return stale, new_prints

    def parts_not_kept(self, jobs: list[PageJob]) -> set[str]:
        """The pages that showed parts when last rendered, of which the session keeps none."""
        kept = self.store.entries("page")
        return {
            job.url
            for job in jobs
            if job.url not in self.fragments
            and (entry := kept.get(job.url)) is not None
            and entry.value.get("parts")
        }

    def render(self, renderer: Renderer, jobs: list[PageJob], checks: PageChecks,
               setting: str) -> tuple[dict[str, Rendered], dict[str, PageResult]]:  # fmt: skip
        """Each page rendered, and the output checks of each HTML page whose output the
        store holds none for under `setting`: checked where it was rendered, so that no
        worker process is started later for the checks alone, from a process then
        holding every page."""
        if not jobs:  # nothing to render: the checks' entries need not be read
            return {}, {}
        entries = self.store.entries("check")  # read here: workers share no connection

        def render_and_check(job: PageJob) -> tuple[Rendered, PageResult | None]:
            made = renderer.render(job)
            page = made.page
            if page is None or not page.is_html or checked_before(entries, page, setting):
                return made, None
            return made, checks(page)

        done = parallel_map(render_and_check, jobs, self.options.jobs,
                            self.stage("Rendering and checking pages"))  # fmt: skip
        urls = [job.url for job in jobs]
        rendered = {url: made for url, (made, _) in zip(urls, done, strict=True)}
        return rendered, {url: found for url, (_, found) in zip(urls, done, strict=True) if found}

    def pages(self, jobs: list[PageJob], rendered: dict[str, Rendered]
              ) -> tuple[list[RenderedPage], list[Finding]]:  # fmt: skip
        """Every page of the site: rendered now, or as the store kept it."""
        store = self.store
        kept = store.entries("page")
        pages: list[RenderedPage] = []
        findings: list[Finding] = []
        for job in jobs:
            made = rendered.get(job.url)
            if made is not None:
                findings += made.findings
                if made.page is not None:
                    pages.append(made.page)
                continue
            value = kept[job.url].value
            if value["findings"]:
                findings += findings_from(value["findings"])
            packed = partial(kept_page, store, job.url, value["digest"])
            pages.append(RenderedPage(job.url, value["template"], value["evidence"],
                                      value["digest"], packed))  # fmt: skip
        return pages, findings

    def output_checks(self, pages: list[RenderedPage], files: dict[str, Path],
                      checks: PageChecks, setting: str, checked: dict[str, PageResult],
                      check_links: bool) -> list[Finding]:  # fmt: skip
        """The checks of every HTML page's output under `setting` (`checks.held_to()`'s
        print), again only for pages that changed (`checked`: those made while
        rendering); links are checked again for every page when a file came or went."""
        store, templates = self.store, self.options.templates
        written = frozenset([output_path(page.url) for page in pages] + list(files))
        written_print = short_print("\n".join(sorted(written)))
        html = [page for page in pages if page.is_html]
        # The same pages, files and settings: every page's findings stand as they were.
        whole = short_print(f"{setting} {written_print} {check_links} "
                            + " ".join(page.digest for page in html))  # fmt: skip
        summary = store.reusable("check:all", "", whole)
        if summary is not ...:
            return findings_from(summary)
        entries = store.entries("check")
        fresh = [(page, check_context(page, setting)) for page in html
                 if not checked_before(entries, page, setting)]  # fmt: skip
        unchecked = [page for page, _ in fresh if page.url not in checked]
        made = parallel_map(checks, unchecked, self.options.jobs, self.stage("Checking pages"))
        results = {**checked, **dict(zip([page.url for page in unchecked], made, strict=True))}
        links: dict[str, list[tuple[str, str]]] = {}
        for page, context in fresh:
            found, links[page.url] = results[page.url]
            store.put("check", page.url, context, {"findings": findings_data(found)},
                      json_bytes(links[page.url]))  # fmt: skip
        findings: list[Finding] = []
        for page in html:
            context, value = entries[page.url]
            if value["findings"]:
                findings += findings_from(value["findings"])
            if not check_links:
                continue
            if value.get("written") != written_print:  # a file came or went: check again
                if page.url not in links:
                    links[page.url] = json.loads(store.data("check", page.url) or b"[]")
                broken = broken_links(page, links[page.url], written, templates)
                value = {**value, "written": written_print, "broken": findings_data(broken)}
                store.put("check", page.url, context, value, json_bytes(links[page.url]))
            if value["broken"]:
                findings += findings_from(value["broken"])
        store.put("check:all", "", whole, findings_data(findings))
        return findings

    def unpublished_bodies(self, content: Content, renderer: Renderer
                           ) -> tuple[list[Finding], list[tuple[str, str, int, int]]]:  # fmt: skip
        """The Markdown of each document left out of the site because its front matter
        has errors, converted only for what the conversion checks (links, images,
        headings, raw HTML), so that a page's problems are all reported at once; and
        the links not checked because a file with errors would give their page."""
        findings: list[Finding] = []
        skipped: list[tuple[str, str, int, int]] = []
        for path in content.reader.invalid:
            raw = content.reader.parse(path, DOCUMENT_DIRS[path.partition("/")[0]])
            if not raw.readable or not raw.body_within_limits:
                continue
            url = f"conditions/{raw.slug}/" if raw.kind == "condition" else f"{raw.slug}/"
            renderer.skipped = []
            findings += renderer.markdown(raw.body, url, raw)[1]
            skipped += renderer.skipped
        return findings, skipped

    # Keeping and writing ------------------------------------------------------------

    def keep(self, jobs: list[PageJob], rendered: dict[str, Rendered], built: Any,
             values: Values, new_prints: dict[str, str], today: date) -> None:  # fmt: skip
        """Keep what a finished build rendered and read, for the next build to compare."""
        store = self.store
        if not built:
            store.clear_reads()
        current = {job.url for job in jobs}
        kept = store.entries("page")
        for url in kept.keys() - current:
            store.drop("page", url)
            store.drop("check", url)
            store.record(url, None)
        read: set[str] = set()
        for url, made in rendered.items():
            page = made.page
            assert page is not None  # a page that failed is an error: nothing is kept
            reads = short_print("\n".join(sorted(made.reads)))
            unchanged = (
                built
                and (entry := kept.get(url)) is not None
                and (entry.value.get("reads") == reads)
            )
            value = {"template": page.template, "evidence": page.evidence, "digest": page.digest,
                     "findings": findings_data(made.findings), "reads": reads,
                     "parts": made.parts}  # fmt: skip
            store.put("page", url, "", value, page.packed_bytes)
            if not unchanged:  # the same reads as last time: their record and prints stand
                store.record(url, made.reads)
                read |= made.reads
        known = store.prints(read - new_prints.keys()) if built else {}
        prints = dict(new_prints)
        prints.update((key, values.print_of(key)) for key in read
                      if key not in known and key not in prints)  # fmt: skip
        store.set_prints(prints)
        if store.state(UNBUILT):
            store.set_state(UNBUILT, {})
        store.set_state("built_day", today.isoformat())

    def keep_compiled(self, inputs: Inputs, renderer: Renderer, rendered: dict[str, Rendered]
                      ) -> None:  # fmt: skip
        """Keep the code of the templates compiled by this build, sealed
        (`Store.put_code`), so that a build in a new process need not compile them
        again; drop that of templates gone. Pages rendered in forked workers compiled
        theirs there: those templates are compiled once more here, once for the whole
        build, so that the first edit after a build from scratch does not compile them."""
        store, compiled = self.store, self.compiled
        if worker_count(len(rendered), self.options.jobs) > 1:
            used = {key.removeprefix("template:") for made in rendered.values()
                    for key in made.reads if key.startswith("template:")}  # fmt: skip
            renderer.compile(sorted(name for name in used - compiled.codes.keys()
                                    if f"templates/{name}" in inputs.stamps))  # fmt: skip
        for name in compiled.made:
            store.put_code(compiled.STEP, name, compiled.CONTEXT, compiled.codes[name])
        compiled.made.clear()
        for name in list(store.entries(compiled.STEP)):
            if f"templates/{name}" not in inputs.stamps:
                store.drop(compiled.STEP, name)

    def write(self, pages: list[RenderedPage], files: dict[str, Path], site: Site,
              meanwhile: Callable[[], Any] | None = None) -> tuple[float, bool]:  # fmt: skip
        """Write the site (`meanwhile()` is run while Pagefind indexes, if it does: the
        build's commit need not wait for it); the seconds the search index took, and
        whether the output folder changed."""
        outputs = {name: file_output(path) for name, path in files.items()}
        for page in pages:
            outputs[output_path(page.url)] = Output(page.digest, partial(getattr, page, "content"))
        serving = self.options.keep_search_index and self.written
        index = search_index(outputs, self.options.out, site.config.directory_links, serving,
                             self.options.jobs, self.stage("Indexing search shards"))  # fmt: skip
        index.meanwhile = meanwhile
        kept = {int(number): (entry.context, entry.value)
                for number, entry in self.store.entries(PAGE_IDS).items()}  # fmt: skip
        index.ids = dict(kept)
        changed = write_site(outputs, self.options.out, serving, index)
        for number, found in index.ids.items():
            if found is not kept.get(number):  # read from the shard by this build
                self.store.put(PAGE_IDS, str(number), *found)
        self.written = True
        return index.seconds, changed

    def stage(self, name: str) -> Callable[[int, int], None] | None:
        """The `progress(done, total)` of one stage, if the build reports progress."""
        return partial(self.options.progress, name) if self.options.progress else None


def published(site: Site, entries: list[Entry], today: date, drafts: bool
              ) -> tuple[Site, list[Finding]]:  # fmt: skip
    """The site as published today: without the pages that are not (unless `drafts`),
    with the state of each page that is not and the redirects of aliases; the findings
    of both (pages not published, aliases that collide)."""
    left_out = hidden(entries, today, drafts)
    findings = publication_findings(entries, today, drafts)
    entries, found = translation_aliases(entries)
    findings += found
    translated = {f"doc:{doc.content_path}" for doc in site.translations}
    aliases, found = redirects(entries, site.known_urls, left_out)
    findings += found
    if left_out:
        urls = {entry.url for entry in entries
                if entry.key in left_out and entry.key not in translated}  # fmt: skip
        site = Site(site.config, site.config_path,
                    [doc for doc in site.documents if f"doc:{doc.content_path}" not in left_out],
                    site.packages.without({key[4:] for key in left_out if key.startswith("pkg:")}),
                    site.assets, site.known_urls - urls, site.content_urls,
                    [doc for doc in site.translations
                     if f"doc:{doc.content_path}" not in left_out
                     and f"doc:{doc.source_path}" not in left_out],
                    site.unchecked)  # fmt: skip
    site.states = {
        entry.key: state
        for entry in entries
        if entry.key not in left_out and (state := entry.publication.state(today)) != "published"
    }
    site.redirects = aliases
    site.withheld = withheld(entries, today, drafts)
    return site, findings


def translation_aliases(entries: list[Entry]) -> tuple[list[Entry], list[Finding]]:
    """The entries without the aliases written in translations, and an error for each:
    a page's old addresses are given once, in its own file, and redirect in every
    language (`/old/` to the page, `/es/old/` to its Spanish version)."""
    kept: list[Entry] = []
    findings: list[Finding] = []
    for entry in entries:
        lang = split_stem(entry.key.rpartition("/")[2].removesuffix(".md"))[1]
        if not entry.key.startswith("doc:") or lang is None or not entry.aliases:
            kept.append(entry)
            continue
        source = split_stem(entry.key[4:].removesuffix(".md"))[0] + ".md"
        for number, (alias, line, col) in enumerate(entry.aliases, 1):
            message = (
                f"expected old addresses in the page's own file (content/{source}), where "
                f"they redirect in every language, found '{alias}' in its translation"
            )
            findings.append(error(entry.path, line, col, f"aliases[{number}]", message))
        kept.append(replace(entry, aliases=()))
    return kept, findings


def workflow_print(site: Site) -> str:
    """The print of which pages the site has and their states, and its redirects: when
    it changes, listings and links may have changed."""
    return short_print("\n".join([
        *(doc.content_path for doc in site.documents), *site.packages.ids,
        *(f"{key} {state}" for key, state in sorted(site.states.items())),
        *(f"{url} {key}" for url, key in sorted(site.redirects.items())),
        *(f"{url} {' '.join(map(str, page))}" for url, page in sorted(site.withheld.items())),
    ]))  # fmt: skip


def check_context(page: RenderedPage, setting: str) -> str:
    """What a page's stored output checks were made under: its bytes, and the setting."""
    return f"{page.digest} {setting}"


def checked_before(entries: dict[str, StoreEntry], page: RenderedPage, setting: str) -> bool:
    entry = entries.get(page.url)
    return entry is not None and entry.context == check_context(page, setting)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def kept_page(store: Store, url: str, digest: str) -> bytes:
    """A kept page's compressed bytes, which must be those of `digest`."""
    packed = store.data("page", url)
    if packed is None:
        raise StoreDamageError(f"the store no longer holds the page '{url}'")
    return packed


def file_output(path: Path) -> Output:
    from .fs import file_digest

    return Output(file_digest(path), path.read_bytes)


def finish_findings(
    findings: list[Finding], strict: bool, failed: frozenset[str], notes: bool
) -> list[Finding]:
    """Sorted, without notes unless `notes`; with --strict, every warning counts as an
    error. The findings of files that failed to be read or validated (`failed`) come
    first, then what was not checked because of them, then the rest: the mistake that
    matters is at the top."""
    if not notes:
        findings = [finding for finding in findings if finding.severity is not Severity.NOTE]
    if strict:
        findings = [
            Finding(f.path, f.line, f.col, f.field, f.message, Severity.ERROR)
            if f.severity is Severity.WARNING
            else f
            for f in findings
        ]
    ordered = sort_findings(findings)
    if not failed:
        return ordered

    def group(finding: Finding) -> int:
        if finding.field == NOT_CHECKED:
            return 1
        return 0 if finding.path in failed else 2

    return sorted(ordered, key=group)


NOT_CHECKED = "unchecked links"  # the field of `links_not_checked`'s findings


def links_not_checked(skipped: list[tuple[str, str, int, int]], site: Site) -> list[Finding]:
    """One note for each file with errors whose pages links name: how many links
    were not checked because of it, from how many files (`skipped`: each such link as
    (the file with errors, the link's file, line, column); the navigation counts too)."""
    links: dict[str, set[tuple[str, int, int]]] = {}
    for failed, path, line, col in skipped:
        links.setdefault(failed, set()).add((path, line, col))
    for index, item in enumerate(site.config.navigation):
        key = navigation_url(item.url)
        failed = unchecked_by(key, site.unchecked) if key is not None else None
        if failed is not None:
            links.setdefault(failed, set()).add((site.config_path, -index, 0))
    findings = []
    for failed, found in sorted(links.items()):
        files = len({path for path, _, _ in found})
        were, they = ("was", "it is") if len(found) == 1 else ("were", "they are")
        message = (
            f"{plural(len(found), 'link')} to its packages, in {plural(files, 'file')}, "
            f"{were} not checked because this file has errors; {they} checked once it is fixed"
        )
        findings.append(note(failed, 1, 1, NOT_CHECKED, message))
    return findings


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def set_aside(path: Path, exc: BaseException) -> Finding:
    """Move a damaged store out of the way; the warning that says so."""
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if path.exists():
        path.replace(path.with_suffix(".sqlite.unreadable"))
    return warning(display(path), 1, 1, "cache",
                   f"expected sitegen's build cache, found an unreadable file ({exc}); "
                   "it was set aside and the site is built from scratch")  # fmt: skip


class Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.last
        self.last = now
