"""The whole pipeline in one function: load -> validate -> render -> check -> write.

The command line, the tests and the server all call `build()`; nothing else
strings the stages together. Given the result of an earlier build with the
same options, `build(options, previous)` does only what the changes need: it
re-reads changed files, re-runs the per-document checks for changed documents,
renders and checks only the pages whose inputs changed (see `deps`) and
hard-links the unchanged pages into the new output, which is still swapped in
whole. Its pages and findings are those a fresh build would give.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path

import yaml

from .cache import BuildCache, KeptPrints, Reading, StoredFindings, TemplateMemos, input_digests
from .check import OutputChecks
from .claims import ClaimRule, lint, load_rules
from .deps import (
    TEMPLATE_FACTS,
    UNKNOWN_DATE_USE,
    DependencyGraph,
    Prints,
    SiteInputs,
    fingerprint,
    lines_print,
)
from .findings import Finding, Severity, has_errors, sort_findings
from .load import FileCache, LoadedContent, RawDocument, load_content
from .models import Document, EvidenceLevel, Site
from .parallel import parallel_map
from .quality import check_document, check_packages, packages_date_state, review_date_state
from .render import COMPILED_TEMPLATES, RenderedPage, render, site_files
from .search import SearchIndexError, search_index
from .urls import output_path
from .validate import ValidationMemo, validate
from .write import Output, file_output, write_site


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path = Path("templates")
    strict: bool = False
    write: bool = True
    today: date | None = None  # for review dates; today's date unless a test fixes it
    jobs: int | None = None  # worker processes; None: one per core
    cache: bool = False  # keep a build cache in .cache/ beside content/ (the CLI turns it on)
    # progress(stage, done, total) as each long stage goes on, e.g. ("Rendering pages", 512, 10000)
    progress: Callable[[str, int, int], None] | None = field(
        default=None, compare=False, repr=False
    )
    # serve: a rebuild keeps the search index it has (re-indexing 1,000 pages takes
    # seconds); the next full build brings it up to date.
    keep_search_index: bool = False


@dataclass
class Memo:
    """What one build keeps for the next with the same options, each entry with
    what it was computed from, so that a stale entry is never used."""

    options: BuildOptions
    files: FileCache = field(default_factory=FileCache)
    validation: ValidationMemo = field(default_factory=ValidationMemo)
    inputs: SiteInputs | None = None
    lint: dict[int, tuple[RawDocument, str, list[Finding]]] = field(default_factory=dict)
    quality: dict[str, tuple[RawDocument | None, str, list[Finding]]] = field(default_factory=dict)
    render: dict[str, list[Finding]] = field(default_factory=dict)
    quality_basis: tuple[str, date] | None = None  # the settings' fingerprint and the day
    # How each page used today's date when it was last rendered (`ObservedDate`).
    date_uses: dict[str, frozenset[str]] = field(default_factory=dict)
    checked: dict[str, tuple[RenderedPage, list[Finding]]] = field(default_factory=dict)
    check_context: str = ""
    written: tuple[frozenset[str], str] = (frozenset(), "")  # the files checked against, hashed
    outputs: PageOutputs = field(default_factory=dict)
    # From the build cache: documents' fingerprints by content path (`KeptPrints`).
    prints: dict[str, KeptPrints] = field(default_factory=dict)
    settings: str = ""  # the fingerprint of the settings this build's documents have
    # From the build cache: each content file's digest, and per-file findings
    # ("lint" or "quality", content path) -> (the file's digest, context, findings).
    digests: dict[str, str] = field(default_factory=dict)
    stored: StoredFindings = field(default_factory=dict)
    code: str = ""  # the generator's `code_print`, part of every stored context
    # Content paths this build's load read afresh: what the build cache kept for them
    # by the digests taken before the load may be of other bytes (changed since).
    read_afresh: set[str] = field(default_factory=set)

    def recall(self, kind: str, source: RawDocument | None, context: str) -> list[Finding] | None:
        """The findings the build cache kept for `source`, if its file and `context`
        are still those they were found for."""
        if source is None or source.content_path in self.read_afresh:
            return None
        saved = self.stored.get((kind, source.content_path))
        if saved is None or saved[1] != context + self.code:
            return None
        return saved[2] if saved[0] == self.digests.get(source.content_path) else None

    def per_file(self) -> StoredFindings:
        """This build's per-file findings, as the build cache keeps them."""
        found: StoredFindings = {}
        entries = [("lint", entry) for entry in self.lint.values()]
        entries += [("quality", entry) for entry in self.quality.values()]
        for kind, (source, context, findings) in entries:
            if isinstance(source, RawDocument) and source.content_path in self.digests:
                digest = self.digests[source.content_path]
                found[(kind, source.content_path)] = (digest, context + self.code, findings)
        return found


@dataclass
class BuildResult:
    pages: list[RenderedPage] = field(default_factory=list)  # empty when nothing changed
    urls: list[str] = field(default_factory=list)  # every page's URL
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: bool = False
    rendered: list[str] = field(default_factory=list)  # URLs rendered (the rest were reused)
    graph: DependencyGraph | None = None
    memo: Memo | None = field(default=None, repr=False)

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


def stage(options: BuildOptions, name: str) -> Callable[[int, int], None] | None:
    """The `progress(done, total)` of one stage, if the build reports progress."""
    return partial(options.progress, name) if options.progress else None


def strictly(findings: list[Finding]) -> list[Finding]:
    """With --strict, every warning counts as an error."""
    return [
        Finding(f.path, f.line, f.col, f.field, f.message, Severity.ERROR)
        if f.severity is Severity.WARNING
        else f
        for f in findings
    ]


def linted(documents: list[RawDocument], rules: list[ClaimRule], before: Memo | None,
           memo: Memo) -> list[Finding]:  # fmt: skip
    """The claims linter, run again only on documents read afresh (it reads one at a time)."""
    key = fingerprint(rules)
    known = dict(before.lint) if before else {}

    def current(doc: RawDocument) -> bool:
        entry = known.get(id(doc))
        if entry is not None and entry[0] is doc and entry[1] == key:
            return True
        stored = memo.recall("lint", doc, key)
        if stored is not None:
            known[id(doc)] = (doc, key, stored)
        return stored is not None

    fresh = [doc for doc in documents if not current(doc)]
    progress = stage(memo.options, "Checking claims")
    found = parallel_map(lambda doc: lint([doc], rules), fresh, memo.options.jobs, progress)
    for doc, doc_findings in zip(fresh, found, strict=True):
        known[id(doc)] = (doc, key, doc_findings)
    findings: list[Finding] = []
    for doc in documents:
        memo.lint[id(doc)] = known[id(doc)]
        findings += known[id(doc)][2]
    return findings


def quality(site: Site, loaded: LoadedContent, today: date, before: Memo | None,
            memo: Memo) -> list[Finding]:  # fmt: skip
    """The quality checks, run again only for changed documents and catalogue.

    Each check looks at one condition, page or package at a time, so the changed
    documents are checked alone, spread over the workers (counting syllables for
    the reading grade is the costly part), and the catalogue in this process. A new
    day checks again only the documents whose review dates are past (or ahead).
    """
    settings = memo.settings  # the fingerprint of `site.config`
    raw = {doc.display_path: doc for doc in loaded.documents}
    old = before.quality if before else {}
    memo.quality_basis = (settings, today)
    # The same file read for the same settings and day: its entry stands as it is.
    same_basis = before is not None and before.quality_basis == memo.quality_basis

    def context_of(doc: Document) -> str:  # the date counts only once a review date is past
        meta = doc.meta
        return f"{settings} {review_date_state(meta.last_reviewed, meta.next_review, today)}"

    def known(key: str, source: RawDocument | None, context: Callable[[], str]) -> bool:
        entry = old.get(key)
        if entry is not None and entry[0] is source and (same_basis or entry[1] == context()):
            memo.quality[key] = entry
            return True
        wanted = context()
        stored = memo.recall("quality", source, wanted)
        if stored is not None:
            memo.quality[key] = (source, wanted, stored)
        return stored is not None

    fresh = [
        doc
        for doc in site.conditions + site.pages
        if not known(doc.display_path, raw.get(doc.display_path), partial(context_of, doc))
    ]
    found = parallel_map(
        lambda doc: check_document(doc, raw.get(doc.display_path), site, today),
        fresh,
        memo.options.jobs,
        stage(memo.options, "Checking quality"),
    )
    for doc, mine in zip(fresh, found, strict=True):
        key = doc.display_path
        memo.quality[key] = (raw.get(key), context_of(doc), mine)

    def catalogue_context() -> str:
        return f"{settings} {packages_date_state(site, today)}"

    if not known("packages.yaml", loaded.catalogue, catalogue_context):
        found_here = check_packages(site, loaded, today)
        memo.quality["packages.yaml"] = (loaded.catalogue, catalogue_context(), found_here)
    return [f for _, _, findings in memo.quality.values() for f in findings]


def checked(
    pages: list[RenderedPage],
    files: list[str],
    disclaimer_html: str,
    levels: dict[str, EvidenceLevel],
    templates: Path,
    check_links: bool,
    before: Memo | None,
    memo: Memo,
) -> list[Finding]:
    """The output checks, page by page, run again only on pages that changed
    (all of them if the set of files or the disclaimer changed)."""
    checks = OutputChecks.of(pages, files, disclaimer_html, levels, templates, check_links)
    if before and before.written[0] == checks.written:  # the usual case: no file came or went
        memo.written = before.written
    else:
        memo.written = (checks.written, lines_print(sorted(checks.written)))
    written = memo.written[1]
    memo.check_context = fingerprint(
        [written, checks.disclaimer, levels, str(templates), check_links]
    )
    old = before.checked if before and before.check_context == memo.check_context else {}
    html = [page for page in pages if page.is_html]

    def checked_before(page: RenderedPage) -> bool:
        entry = old.get(page.url)
        return entry is not None and (entry[0] is page or entry[0] == page)

    fresh = [page for page in html if not checked_before(page)]
    found = parallel_map(checks, fresh, memo.options.jobs, stage(memo.options, "Checking pages"))
    known = {**old, **{page.url: (page, f) for page, f in zip(fresh, found, strict=True)}}
    findings: list[Finding] = []
    for page in html:
        memo.checked[page.url] = known[page.url]
        findings += known[page.url][1]
    return findings


def build(options: BuildOptions, previous: BuildResult | None = None) -> BuildResult:
    """Build the site; with `previous` (same options), redo only what changed since.

    With `options.cache` and no `previous`, the last build recorded in the
    persistent cache plays the part of `previous` (see `cached_build`).
    """
    if options.cache and previous is None:
        return cached_build(options)
    before = (
        previous.memo if previous and previous.memo and previous.memo.options == options else None
    )
    memo = Memo(options, before.files if before else FileCache())
    if before:
        memo.digests, memo.stored, memo.code = before.digests, before.stored, before.code
        memo.validation, memo.prints = before.validation, before.prints
    result = BuildResult(memo=memo)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[stage] = now - clock
        clock = now

    memo.files.fresh = []  # what this build reads afresh, for the build cache
    loaded = load_content(options.content, memo.files, stage(options, "Reading content"))
    memo.read_afresh = {doc.content_path for doc, _ in memo.files.fresh}
    findings = list(loaded.findings)
    lap("load")
    site, found = validate(loaded, memo.validation)
    findings += found
    today = options.today or date.today()
    if site is not None:
        memo.settings = fingerprint(site.config)
        findings += quality(site, loaded, today, before, memo)
    rules, found = load_rules(options.content)
    readable = [loaded.site, loaded.catalogue, *loaded.documents]
    findings += found + linted([doc for doc in readable if doc is not None], rules, before, memo)
    for doc in readable:
        if doc is not None:
            doc.forget_positions()
    lap("validate")
    if site is not None:
        previous_inputs = before.inputs if before else None
        known = (
            None
            if previous_inputs
            else kept_prints(site, memo.prints, memo.settings, memo.read_afresh)
        )
        inputs = SiteInputs(site, options.templates, today, previous_inputs, known)
        memo.inputs = inputs
        reuse: dict[str, RenderedPage] = {}
        before_templates: dict[str, str] = {}
        uses_before = before.date_uses if before else {}
        if before and previous and previous.graph:
            old = {page.url: page for page in previous.pages}
            before_templates = {url: page.template for url, page in old.items()}
            result.graph = inputs.graph(before_templates, uses_before)
            stale = previous.graph.stale(result.graph)
            reuse = {url: page for url, page in old.items() if url not in stale}
        rendering = stage(options, "Rendering pages")
        rendered = render(site, options.templates, today, reuse, options.jobs, rendering)
        memo.render = {url: before.render.get(url, []) for url in reuse} if before else {}
        memo.render.update(rendered.page_findings)
        findings += rendered.findings + [f for url in reuse for f in memo.render[url]]
        result.rendered = list(rendered.page_findings)
        templates = {page.url: page.template for page in rendered.pages}
        if templates == before_templates:  # the usual case: copied, then the few updated
            memo.date_uses = dict(uses_before)
        else:
            memo.date_uses = {url: uses_before.get(url, UNKNOWN_DATE_USE) for url in templates}
        memo.date_uses.update(
            (url, uses) for url, uses in rendered.today_uses.items() if url in templates
        )
        if (
            result.graph is None
            or templates != before_templates  # pages came or went
            or memo.date_uses != uses_before  # a page rendered again uses the date otherwise
        ):
            result.graph = inputs.graph(templates, memo.date_uses)
        lap("render")
        findings += checked(
            rendered.pages,
            list(rendered.files),
            rendered.disclaimer_html,
            site.evidence,
            options.templates,
            not has_errors(findings),
            before,
            memo,
        )
        lap("check")
        result.pages = rendered.pages
        result.urls = [page.url for page in rendered.pages]
    if options.strict:
        findings = strictly(findings)
    result.findings = sort_findings(findings)
    if site is not None and not has_errors(result.findings) and options.write:
        memo.outputs = page_outputs(result.pages, before.outputs if before else {})
        outputs = outputs_of(rendered.files, (entry[1:] for entry in memo.outputs.values()))
        keep_index = options.keep_search_index and before is not None
        try:
            index = search_index(
                outputs, options.out, site.config.directory_links, keep_index, options.jobs,
                stage(options, "Indexing search shards"),
            )  # fmt: skip
            # A rebuild (serve) does not wait for leftover folders to be deleted.
            write_site(outputs, options.out, before is not None, index)
        except SearchIndexError as exc:  # the previous site stays; the editor is told why
            result.findings = sort_findings([*result.findings, exc.finding])
            return result
        result.written = True
        lap("write")
        result.timings["search"] = index.seconds  # part of "write"
    return result


def options_key(options: BuildOptions, code: str) -> str:
    """What, besides the content, the templates and the date, decides a build's output
    and findings: the options and the generator's own code (`code_print`). The date is
    left to the dependency graph, which renders again only the pages it changes."""
    return json.dumps(
        [str(options.out.absolute()), str(options.templates.absolute()), options.strict, code]
    )


def code_print(digests: dict[str, str]) -> str:
    """The generator's version and code: when they change, nothing recorded is reused."""
    return fingerprint(
        sorted((k, v) for k, v in digests.items() if k == "generator" or k.startswith("sitegen/"))
    )


def outputs_of(files: dict[str, Path], pages: Iterable[tuple[str, Output]]) -> dict[str, Output]:
    """Every file of the site by its output path, from the copied `files` and the
    `pages` (output path, how to get the bytes); a page wins over a file of its name."""
    outputs = {name: file_output(path) for name, path in files.items()}
    outputs.update(pages)
    return outputs


PageOutputs = dict[str, tuple[RenderedPage, str, Output]]  # URL -> (page, output path, output)


def page_outputs(pages: list[RenderedPage], before: PageOutputs) -> PageOutputs:
    """Each page's output; a page that is the same object as last time keeps its own."""
    made: PageOutputs = {}
    for page in pages:
        known = before.get(page.url)
        if known is None or known[0] is not page:
            known = (
                page,
                output_path(page.url),
                Output(page.digest, partial(getattr, page, "content")),
            )
        made[page.url] = known
    return made


def cached_build(options: BuildOptions) -> BuildResult:
    """A build that starts from what the build cache recorded last time.

    Nothing changed (same input digests, generator and options): the recorded
    pages and findings are the result; a complete site/ is still swapped in,
    hard-linking every file that is already there. Otherwise the recorded pages
    and dependency graph let `build` render only the stale pages.
    """
    started = time.perf_counter()
    plain = replace(options, cache=False)
    cache, problems = BuildCache.open(options.content)
    if cache is None:
        result = build(plain)
        result.findings = sort_findings(result.findings + problems)
        return result
    try:
        return build_with(cache, options, plain, problems, started)
    except CACHE_DAMAGE as exc:  # whatever the damage, it costs a rebuild, never a wrong site
        cache.close()
        problem = cache.set_aside(exc)
        result = build(plain)
        result.findings = sort_findings([*result.findings, *problems, problem])
        return result
    finally:
        cache.close()


# What reading a damaged or foreign cache can raise (a bad row, JSON or shape).
CACHE_DAMAGE = (sqlite3.Error, ValueError, KeyError, TypeError, IndexError, AttributeError)


def build_with(
    cache: BuildCache,
    options: BuildOptions,
    plain: BuildOptions,
    problems: list[Finding],
    started: float,
) -> BuildResult:
    """`cached_build` once the cache is open."""
    today = options.today or date.today()
    stamps_at = time.time_ns()
    digests, stamps = input_digests(options.content, options.templates, *cache.stamps())
    code = code_print(digests)
    key, day = options_key(options, code), today.isoformat()
    last = cache.last_build()
    if last is not None and last == (digests, key) and cache.state("today") == day:
        return unchanged_build(plain, cache, problems, started)
    kept_templates = cache.templates(code)
    recall_templates(kept_templates)
    # What the cache knows seeds the memo: per-file findings always (they say
    # which context they hold for), pages and the graph for the same options.
    memo = Memo(plain, stored=cache.stored_findings(), code=code)
    memo.digests = {
        name.removeprefix("content/"): digest
        for name, digest in digests.items()
        if name.startswith("content/")
    }
    for path, (doc, found, prints) in cache.readings(options.content, memo.digests, code):
        memo.files.seed(path, doc, found)
        if prints is not None:
            memo.prints[doc.content_path] = prints
    previous = BuildResult(memo=memo)
    graph = cache.graph() if last is not None and last[1] == key else None
    if graph is not None:
        pages, memo.render, checks = cache.pages()
        memo.check_context = cache.state("check_context") or ""
        memo.checked = {p.url: (p, checks.get(p.url, [])) for p in pages if p.is_html}
        memo.date_uses = graph.date_uses()
        previous = BuildResult(pages=pages, graph=graph, memo=memo)
    result = build(plain, previous)
    if result.ok and (result.written or not options.write):
        memo = result.memo
        same_checks = memo is not None and memo.check_context == cache.state("check_context")
        changed = set(result.rendered) if previous is not None and same_checks else None
        page_findings = memo.render if memo else {}
        checks = {url: found for url, (_, found) in memo.checked.items()} if memo else {}
        context = memo.check_context if memo else ""
        cache.save(digests, key, day, result.pages, page_findings, checks, context,
                   result.findings, result.graph, changed, (stamps, stamps_at))  # fmt: skip
    if result.memo is not None:  # valid whatever the build's outcome: keyed by file digest
        gone = [key for key in result.memo.stored if key[1] not in result.memo.digests]
        cache.save_stored_findings(result.memo.per_file(), result.memo.stored, gone)
        cache.save_readings(fresh_readings(result.memo), result.memo.digests, code)
    templates_now = template_memos()
    if templates_now != kept_templates:
        cache.save_templates(templates_now, code)
    result.findings = sort_findings(result.findings + problems)
    return result


def kept_prints(site: Site, kept: dict[str, KeptPrints], settings: str, read: set[str]) -> Prints:
    """The fingerprints the build cache kept of documents read from the same bytes,
    for those validated under the same settings (a document depends on no more).
    A file `read` afresh by this build's load changed after the cache vouched for
    it: its kept fingerprints are not its document's."""
    known: Prints = {}
    for doc in site.conditions + site.pages:
        entry = kept.get(doc.content_path)
        if entry is not None and entry[0] == settings and doc.content_path not in read:
            known[id(doc)] = (doc, entry[1], entry[2])
    return known


def fresh_readings(memo: Memo) -> list[Reading]:
    """The files this build read afresh or whose documents it fingerprinted afresh,
    as the build cache keeps them (the fingerprints with the reading)."""
    fresh = {doc.content_path for doc in memo.inputs.made_prints} if memo.inputs else set()
    fresh.update(doc.content_path for doc, _ in memo.files.fresh)
    made = memo.inputs.object_prints.values() if memo.inputs else []
    prints = {doc.content_path: (memo.settings, meta, whole)
              for doc, meta, whole in made
              if isinstance(doc, Document) and doc.content_path in fresh}  # fmt: skip
    return [
        (doc, found, prints.get(doc.content_path))
        for doc, found in memo.files.readings()
        if doc.content_path in fresh
    ]


def template_memos() -> TemplateMemos:
    """What this process compiled and learnt of templates, as the build cache keeps it."""
    return dict(COMPILED_TEMPLATES.entries), dict(TEMPLATE_FACTS)


def recall_templates(kept: TemplateMemos | None) -> None:
    """Add what the build cache kept of templates to this process's memos (an entry
    found stale against its template's source is simply made again)."""
    if kept is not None:
        for mine, theirs in zip((COMPILED_TEMPLATES.entries, TEMPLATE_FACTS), kept, strict=True):
            for key, value in theirs.items():
                mine.setdefault(key, value)  # type: ignore[arg-type]


def unchanged_build(
    options: BuildOptions, cache: BuildCache, problems: list[Finding], started: float
) -> BuildResult:
    """The recorded build again: its findings, and its pages swapped in as a new site/
    (their bytes are read from the cache only where the folder lacks them)."""
    digests = cache.digests()
    result = BuildResult(findings=sort_findings(cache.findings() + problems))
    result.urls = [url for url, _ in digests]
    result.timings["cache"] = time.perf_counter() - started
    if options.write:
        outputs = outputs_of(
            site_files(options.content, options.templates),
            (
                (output_path(url), Output(digest, partial(cache.content, url, digest)))
                for url, digest in digests
            ),
        )
        settings = yaml.safe_load((options.content / "site.yaml").read_text("utf-8")) or {}
        try:
            links = bool(settings.get("directory_links"))
            indexing = stage(options, "Indexing search shards")
            index = search_index(outputs, options.out, links, False, options.jobs, indexing)
            write_site(outputs, options.out, finish=index)
        except SearchIndexError as exc:
            result.findings = sort_findings([*result.findings, exc.finding])
            return result
        result.written = True
        result.timings["write"] = time.perf_counter() - started - result.timings["cache"]
    return result
