"""A cached build, a `serve` rebuild and a clean build of the same site are the same.

Issue 15's proof: a Hypothesis state machine changes a small site one edit at a
time (documents, the catalogue, images, templates and partials, parts of pages
kept with `{% fragment %}`, reads of any one field, the settings, the claims rules,
drafts and scheduled or expired pages, today's date) and after every change
builds it three ways:

- as the command line does: `build(options)` with the store in .cache/, in a
  fresh process each time (`Process`: no module-level memo carried over);
- as `serve` does: one process, one `Session`, each rebuild told which files
  changed (`ServeSession`), with the same store as the command line or, as with
  `serve --no-cache`, one of its own, and drafts, scheduled and expired pages
  shown, marked;
- from scratch: no cache, no earlier build, a new process and a new folder (and
  again with drafts shown, for `serve`, while some page is not published).

`check_same` asserts that the cached build gives the clean build's findings and
`serve` the clean build's with drafts, and, when the content has no errors, the
same pages byte for byte. Every few steps, and at the
end, all three write the site and every file they wrote is compared, the search
index included (written into folders on one file system: Pagefind's output
follows its listing order). `serve` keeps the search index it started with, by
design (README: "Search results may lag while serving"), so its `pagefind/` is
left out of that comparison.

`make test` runs a few short sequences from a fixed seed (well under a minute);
`make fuzz-incremental` runs many long random ones (SITEGEN_FUZZ_EXAMPLES,
SITEGEN_FUZZ_STEPS).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import FIXTURES, TEMPLATES, readable
from sitegen import build as build_module
from sitegen.build import BuildOptions, BuildResult, Session
from sitegen.models import ConditionMeta, Package, PageMeta, SiteConfig
from sitegen.record import RecordedDocument
from sitegen.urls import output_path

FUZZING = bool(os.environ.get("SITEGEN_FUZZ_EXAMPLES") or os.environ.get("SITEGEN_FUZZ_STEPS"))
EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES") or 8)
STEPS = int(os.environ.get("SITEGEN_FUZZ_STEPS") or 20)
WRITE_EVERY = 5  # steps between comparisons of the written sites (Pagefind: ~0.3 s a build)
FIRST_DAY = date(2026, 12, 4)
EDITION = "# edition "  # a comment that makes a YAML file's bytes new

CONDITIONS = ["alpha", "beta", "gamma", "delta"]
PAGES = ["about", "how-we-rate-evidence", "contact", "travel-advice"]
FOLDERS = {"condition": "conditions", "page": "pages"}
SLUGS = {"condition": CONDITIONS, "page": PAGES}
PACKAGES = ["test-package", "second-package", "third-package"]
IMAGES = ["dot.svg", "eye.svg", "chart.svg"]
PARTIALS = ["partials/extra.html", "partials/more.html"]
TITLES = ["Alpha condition", "Beta condition", "Gamma", "A renamed title", "Ünïcode & <title>"]
CALM_WORDS = ["steady", "gentle", "bright", "calm"]
WORDS = [*CALM_WORDS, "cure", "miracle"]  # the default claims rules flag these two
WORKFLOW_FIELDS = ["draft", "publish_on", "expires_on"]
DATES = [date(2025, 6, 1), date(2026, 1, 15), date(2026, 11, 30), date(2027, 3, 1),
         date(2028, 8, 8)]  # fmt: skip
SLOTTED_TEMPLATES = {  # template -> the line after which a rule's snippet goes
    "condition.html": "{% block content %}\n",
    "page.html": "{% block content %}\n",
    "base.html": "</main>\n",
}


ONE_FIELD = {  # how a template reads one field of each kind of model; {f}: the field
    "condition": "{% for c in site.conditions %}<i>{{ c[{f}] }}</i>{% endfor %}",
    "condition meta": "{% for c in site.conditions %}<i>{{ c.meta[{f}] }}</i>{% endfor %}",
    "page meta": "{% for d in site.pages %}<i>{{ d.meta[{f}] }}</i>{% endfor %}",
    "package": "{% for p in site.packages %}<i>{{ p[{f}] }}</i>{% endfor %}",
    "settings": "<i>{{ config[{f}] }}</i>",
}
FIELDS = {  # what a template can read on each
    "condition": sorted(RecordedDocument.OFFERED),
    "condition meta": readable(ConditionMeta),
    "page meta": readable(PageMeta),
    "package": readable(Package),
    "settings": readable(SiteConfig),
}
SNIPPETS = {  # Jinja a rule puts in a template or partial; {n}: a number new each time
    "text": "<p>Edition {n}.</p>",
    "settings": "<p>{{ config.title }}: {{ config.description }} ({n})</p>",
    "include extra": '{% include "partials/extra.html" %}',
    "include more": '{% include "partials/more.html" %}',
    "include if present": '{% include "partials/extra.html" ignore missing %}',
    "review due": "{% if review_due and review_due < today %}<p>Overdue ({n}).</p>{% endif %}",
    "the year": "<p>Printed in {{ today.year }}.</p>",
    "condition title": '<p>See also {{ condition_title("beta") }} ({n}).</p>',
    "every condition": "<ul>{% for c in site.conditions %}<li>{{ c.meta.title }}</li>{% endfor %}</ul>",
    "every package": "<ul>{% for p in site.packages %}<li>{{ p.name }}</li>{% endfor %}</ul>",
    "every document": "<ul>{% for d in site.conditions + site.pages %}<li>{{ d.title }}, "
    "{{ d.url }}, {{ d.lang }}: {{ d.body | length }} ({n})</li>{% endfor %}</ul>",
    "printed whole": "{% for c in site.conditions %}<p>{{ c.meta }}</p>{% endfor %}"
    "<p>{{ config }} ({n})</p>",
    "kept parts": "{% for c in site.conditions %}{% fragment %}<p>{{ c.title }}, see "
    '{{ condition_title("beta") }}: <a href="{{ url(c.url) }}">{{ today.year }}</a> ({n})</p>'
    "{% endfragment %}{% endfor %}",
    "counted parts": "{% for c in site.conditions %}{% fragment %}<p>{{ loop.index }}. "
    "{{ c.meta.summary }} ({n})</p>{% endfragment %}{% endfor %}",
    "every address": "<p>{% for u in site.known_urls %}{{ u }} {% endfor %}{% for a in "
    "site.assets %}{{ a }} {% endfor %}({n})</p>",
    "random picks": "{% for c in site.conditions %}{% fragment %}<p>{{ c.title }}: "
    "{{ range(100) | random }}</p>{% endfragment %}{% endfor %}<p>{{ site.conditions | "
    "map(attribute='title') | random }}. {{ lipsum(1, False, 5, 9) }} ({n})</p>",
    "formatted": "{% for c in site.conditions %}<p>{{ '{0.title}: {0.meta.summary}'.format(c) }} "
    "[{{ c.meta.model_fields_set | join(' ') }}]</p>{% endfor %}<p>{{ '{t}'.format_map("
    "{'t': config.title}) }} ({n})</p>",
}


def snippet(name: str, number: int) -> str:
    return SNIPPETS[name].replace("{n}", str(number))


# Three ways to build ---------------------------------------------------------------


def process_memos() -> list[dict]:
    """The memos sitegen keeps in module globals from build to build (the manifests
    as last saved)."""
    from sitegen import write

    return [write.SAVED]


class Process:
    """One process's module-level memos, so that each way of building runs as in a
    process of its own: the command line in a new one every time, `serve` in one
    that lives on."""

    def __init__(self) -> None:
        self.kept = [{} for _ in process_memos()]

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        from sitegen import fs

        memos = process_memos()
        for memo, mine in zip(memos, self.kept, strict=True):
            memo.clear()
            memo.update(mine)
        fs._digest_at.cache_clear()  # file digests by stamp (a racy stamp is read again)
        try:
            yield
        finally:
            self.kept = [dict(memo) for memo in memos]


class ServeSession:
    """`serve`'s builds, as it asks for them: one process and one `Session`, built
    once, warmed once (`Session.warm`, here with the first changes), then rebuilt with
    the paths the file-system events named; today's date read from the clock (serve's
    options carry none)."""

    def __init__(self, options: BuildOptions) -> None:
        self.process = Process()
        with self.process.running():
            self.session = Session(options)
        self.started = self.warmed = False

    def rebuild(self, changed: set[Path], today: date) -> BuildResult:
        with self.process.running(), clock_at(today):
            if not self.started:
                self.started = True
                return self.session.build()
            if not self.warmed:
                self.warmed = True
                return self.session.warm()
            return self.session.rebuild(changed)

    def close(self) -> None:
        self.session.close()


@contextlib.contextmanager
def clock_at(day: date) -> Iterator[None]:
    """`date.today()` as the build reads it, set to `day`."""

    class Clock(date):
        @classmethod
        def today(cls) -> date:
            return day

    with mock.patch.object(build_module, "date", Clock):
        yield


def build_once(options: BuildOptions) -> tuple[BuildResult, dict[str, bytes]]:
    """`build(options)`, and its pages' bytes (a page kept from the store is read from
    it, so before the session closes)."""
    session = Session(options)
    try:
        result = session.build()
        return result, {page.url: page.content for page in result.pages}
    finally:
        session.close()


@dataclass
class Outcome:
    """What one build gave: its findings, its pages (when it has no errors) and the
    files it wrote (on a written step, when it has no errors)."""

    findings: list[str]
    pages: dict[str, bytes] | None
    files: dict[str, bytes] | None = None

    @property
    def ok(self) -> bool:
        return self.pages is not None


def outcome(result: BuildResult, pages: dict[str, bytes], out: Path, write: bool) -> Outcome:
    findings = sorted(str(finding) for finding in result.findings)
    if not result.ok:
        assert not result.written, "a build with errors wrote the site"
        return Outcome(findings, None)
    files = None
    if write:
        assert result.written, f"the build wrote nothing: {findings}"
        files = files_in(out)
    return Outcome(findings, pages, files)


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


NOTE = re.compile(r":\d+:\d+: note: ")


def without_notes(findings: list[str]) -> list[str]:
    """The findings `build` and `serve` give, which show no notes (`check` does)."""
    return [finding for finding in findings if NOTE.search(finding) is None]


def without_search_index(files: dict[str, bytes] | None) -> dict[str, bytes] | None:
    if files is None:
        return None
    return {name: data for name, data in files.items() if not name.startswith("pagefind/")}


class SiteUnderTest:
    """A copy of tests/fixtures/minimal and templates/ in a temporary folder, the
    changes made to it since the last build, and the three ways to build it."""

    def __init__(self, root: Path, serve_cache: bool = True) -> None:
        self.root = root
        self.content = self.root / "content"
        self.templates = self.root / "templates"
        shutil.copytree(FIXTURES / "minimal", self.content)
        shutil.copytree(TEMPLATES, self.templates)
        self.today = FIRST_DAY
        self.changed: set[Path] = set()
        self.builds = 0
        # `serve` keeps its store in .cache/ beside content/ by default, the one the
        # command line's builds use too; `serve --no-cache` keeps one of its own.
        serving = self.options(
            "serve",
            keep_search_index=True,
            keep_fragments=True,
            today=None,
            cache=serve_cache,
            drafts=True,
            notes=False,
        )
        self.serve = ServeSession(serving)

    def options(self, name: str, **given: Any) -> BuildOptions:
        chosen = {"content": self.content, "out": self.root / name / "site",
                  "templates": self.templates, "today": self.today, **given}  # fmt: skip
        return BuildOptions(**chosen)

    # Changes: every one goes through these, so that serve hears of it ------------

    def write(self, relative: str, text: str | bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
        self.changed.add(path)

    def delete(self, relative: str) -> None:
        path = self.root / relative
        path.unlink()
        self.changed.add(path)

    def rename(self, relative: str, new: str) -> None:
        (self.root / relative).rename(self.root / new)
        self.changed |= {self.root / relative, self.root / new}

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text("utf-8")

    def fill_slot(self, template: str, text: str) -> None:
        """Put `text` in the template's slot (`SLOTTED_TEMPLATES`), in place of what the
        slot held."""
        source = self.read(f"templates/{template}")
        start, end = "{# slot #}", "{# /slot #}"
        if start in source:
            before, rest = source.split(start, 1)
            source = before + start + text + end + rest.split(end, 1)[1]
        else:
            anchor = SLOTTED_TEMPLATES[template]
            source = source.replace(anchor, f"{anchor}{start}{text}{end}\n", 1)
        self.write(f"templates/{template}", source)

    def set_field(self, kind: str, name: str, field: str, value: Any) -> None:
        """Set a front matter field of a document (`kind` condition or page) or a field
        of a package (`kind` package, `name` its id); None takes the field away."""
        if kind == "package":
            catalogue = yaml.safe_load(self.read("content/packages.yaml"))
            fields = next(p for p in catalogue["packages"] if p["id"] == name)
        else:
            fields, body = split_document(self.read(document_path(kind, name)))
        if value is None:
            fields.pop(field, None)
        else:
            fields[field] = value
        if kind == "package":
            self.write("content/packages.yaml", dump(catalogue))
        else:
            self.write(document_path(kind, name), join_document(fields, body))

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    # The three builds -------------------------------------------------------------

    def build_cached(self, write: bool) -> Outcome:
        """As `python build.py` (write, without notes) or `python build.py check` (not,
        with them): a new process with the persistent build cache."""
        options = self.options("cli", cache=True, write=write, notes=not write)
        with Process().running():
            result, pages = build_once(options)
        return outcome(result, pages, options.out, write)

    def build_served(self) -> Outcome:
        """As `serve` after the changes made since its last rebuild (it always writes)."""
        result = self.serve.rebuild(set(self.changed), self.today)
        self.changed.clear()
        pages = {page.url: page.content for page in result.pages}
        return outcome(result, pages, self.serve.session.options.out, True)

    def build_clean(self, write: bool, drafts: bool = False) -> Outcome:
        """From scratch: no cache, no earlier build, a new process, a new folder (with
        `drafts`, as `serve` builds: drafts, scheduled and expired pages shown)."""
        folder = self.root / f"clean-{self.builds}{'-drafts' if drafts else ''}"
        options = replace(self.options("clean", write=write, drafts=drafts), out=folder / "site")
        with Process().running():
            result, pages = build_once(options)
        try:
            return outcome(result, pages, options.out, write)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def check_same(self, write: bool) -> tuple[Outcome, bool]:
        """The invariant: the cached build equals the clean one, and the served build a
        clean one with drafts shown, as `serve` shows them. The clean build, and whether
        some page was not published."""
        self.builds += 1
        clean = self.build_clean(write)
        cached = self.build_cached(write)  # between a save and serve's rebuild, as a check may
        served = self.build_served()
        # Shown as the command line shows it while nothing is a draft, scheduled or expired.
        drafts = self.build_clean(write, drafts=True) if self.has_workflow() else clean
        expected = clean.findings if not write else without_notes(clean.findings)
        assert cached.findings == expected, "cached build: other findings"
        assert served.findings == without_notes(drafts.findings), "serve rebuild: other findings"
        assert cached.pages == clean.pages, differing("cached build", cached.pages, clean.pages)
        assert served.pages == drafts.pages, differing("serve rebuild", served.pages, drafts.pages)
        if write:
            assert cached.files == clean.files, differing("cached build", cached.files, clean.files)
            mine, theirs = without_search_index(served.files), without_search_index(drafts.files)
            assert mine == theirs, differing("serve rebuild", mine, theirs)
        return clean, drafts is not clean

    def has_workflow(self) -> bool:
        """Whether a document or package says it is a draft, or gives a day to be
        published or to expire."""
        marks = ("draft:", "publish_on:", "expires_on:")
        files = [self.content / "packages.yaml", *self.content.glob("*/*.md")]
        return any(mark in path.read_text() for path in files if path.is_file() for mark in marks)

    def remove(self) -> None:
        self.serve.close()
        shutil.rmtree(self.root, ignore_errors=True)


def differing(who: str, mine: dict[str, bytes] | None, clean: dict[str, bytes] | None) -> str:
    """Which files differ from the clean build's, for the failure message."""
    if mine is None or clean is None:
        return f"{who}: {'no' if mine is None else 'some'} pages where the clean build has " + (
            "none" if clean is None else "some"
        )
    names = sorted(name for name in mine.keys() | clean.keys() if mine.get(name) != clean.get(name))
    return f"{who}: {len(names)} files differ from the clean build's: {names[:8]}"


# Content as files --------------------------------------------------------------------


class NoAliases(yaml.SafeDumper):
    """Writes a value used twice (a date, a list) out twice, as an editor would."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=NoAliases, sort_keys=False, allow_unicode=True)


def split_document(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def join_document(meta: dict, body: str) -> str:
    front = dump(meta)
    return f"---\n{front}---\n{body}"


def document_path(kind: str, slug: str) -> str:
    return f"content/{FOLDERS[kind]}/{slug}.md"


def new_document(kind: str, slug: str) -> str:
    meta: dict[str, Any] = {"title": slug.replace("-", " ").capitalize(),
                            "summary": f"{slug} in one sentence."}  # fmt: skip
    if kind == "condition":
        meta |= {"evidence": "established", "last_reviewed": date(2026, 5, 1),
                 "reviewed_by": "Test reviewer",
                 "sources": [{"title": f"About {slug}", "url": f"https://example.org/{slug}"}]}  # fmt: skip
    cited = " [1]" if kind == "condition" else ""  # a page lists no sources
    return join_document(meta, f"## Overview\n\n{slug.capitalize()} is described here{cited}.\n")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle cx="4" cy="4" r="{r}" fill="{colour}"/></svg>\n'


# The state machine -----------------------------------------------------------------------


class IncrementalBuilds(RuleBasedStateMachine):
    """Random changes to a small site; after each, `check_same`."""

    def __init__(self) -> None:
        super().__init__()
        self.site: SiteUnderTest = None  # type: ignore[assignment]  # made by `start`
        self.steps = 0
        self.edition = 0  # makes each template or partial edit new text
        self.checked = True  # False while a check runs or has failed

    @initialize(serve_cache=st.booleans(), data=st.data())
    def start(self, serve_cache: bool, data: st.DataObject) -> None:
        """The site, whether `serve` shares the command line's store (`--no-cache`), and
        whether a page starts as a draft, scheduled or expired (rules change that later)."""
        root = Path(tempfile.mkdtemp(prefix="sitegen-differential-"))
        self.site = SiteUnderTest(root, serve_cache)
        if data.draw(st.booleans(), label="a page not published"):
            self.edit_workflow(data, data.draw(st.sampled_from(WORKFLOW_FIELDS), label="field"))

    def existing(self, kind: str) -> list[str]:
        return [slug for slug in SLUGS[kind] if self.site.exists(document_path(kind, slug))]

    def creatable(self, kind: str) -> list[str]:
        return [slug for slug in SLUGS[kind] if slug not in self.existing(kind)]

    def next_edition(self) -> int:
        self.edition += 1
        return self.edition

    # Documents: conditions and pages ----------------------------------------------

    @rule(data=st.data(), kind=st.sampled_from(["condition", "page"]))
    def edit_body(self, data: st.DataObject, kind: str) -> None:
        slugs = self.existing(kind)
        if not slugs:
            return
        slug = data.draw(st.sampled_from(slugs), label="document")
        meta, _ = split_document(self.site.read(document_path(kind, slug)))
        parts = data.draw(st.lists(self.body_part(kind), min_size=1, max_size=3), label="body")
        self.site.write(document_path(kind, slug), join_document(meta, "\n\n".join(parts) + "\n"))

    def body_part(self, kind: str) -> st.SearchStrategy[str]:
        """A paragraph: text, a link to a document, a package or an image of the site,
        a link to a document that is not there, a claim the linter flags, raw HTML it
        removes, a source marker."""
        here = FOLDERS[kind]

        def link(target: tuple[str, str]) -> str:
            other, slug = target
            path = f"{slug}.md" if FOLDERS[other] == here else f"../{FOLDERS[other]}/{slug}.md"
            return f"Read about [{slug}]({path})."

        documents = [(other, slug) for other in FOLDERS for slug in self.existing(other)]
        images = [name for name in IMAGES if self.site.exists(f"content/images/{name}")]
        packages = [package["id"] for package in self.packages()]
        return st.one_of(
            st.sampled_from(WORDS).map(lambda word: f"A {word} paragraph."),
            st.sampled_from(WORDS).map(lambda word: f"## A {word} section"),
            st.sampled_from(documents or [("page", "gone")]).map(link),
            st.sampled_from(packages or ["gone"]).map(lambda p: f"See [it](/packages/{p}/)."),
            st.sampled_from(images or ["gone.svg"]).map(
                lambda name: f"![A picture](../images/{name})"
            ),
            st.just("Read about [a page that is not there](gone.md)."),
            st.just("This is said to be a miracle cure."),
            st.just("Source marker [1]."),
            st.just('Raw <span onclick="x()">HTML</span>.'),
        )

    @rule(data=st.data(), kind=st.sampled_from(["condition", "page"]))
    def edit_front_matter(self, data: st.DataObject, kind: str) -> None:
        slugs = self.existing(kind)
        if not slugs:
            return
        slug = data.draw(st.sampled_from(slugs), label="document")
        meta, body = split_document(self.site.read(document_path(kind, slug)))
        fields = ["title", "summary", "last_reviewed", "next_review"]
        name = data.draw(st.sampled_from([*fields, "evidence"] if kind == "condition" else fields))
        if name == "title":
            meta["title"] = data.draw(st.sampled_from(TITLES), label="title")
        elif name == "summary":
            meta["summary"] = (
                data.draw(st.sampled_from(CALM_WORDS), label="word") + " in a sentence."
            )
        elif name == "evidence":  # "establish" is not a level: an error until changed
            meta["evidence"] = data.draw(st.sampled_from(["established", "investigational",
                                                          "establish"]), label="level")  # fmt: skip
        else:
            optional = [None] if name == "next_review" else []
            day = data.draw(st.sampled_from([*optional, *DATES]), label="date")
            if day is None:
                meta.pop(name, None)
            else:
                meta[name] = day
        self.site.write(document_path(kind, slug), join_document(meta, body))

    @rule(data=st.data(), kind=st.sampled_from(["condition", "page"]))
    def add_document(self, data: st.DataObject, kind: str) -> None:
        missing = self.creatable(kind)
        if missing:
            slug = data.draw(st.sampled_from(missing), label="new document")
            self.site.write(document_path(kind, slug), new_document(kind, slug))

    @rule(data=st.data(), kind=st.sampled_from(["condition", "page"]))
    def delete_document(self, data: st.DataObject, kind: str) -> None:
        slugs = self.existing(kind)
        if slugs:
            self.site.delete(document_path(kind, data.draw(st.sampled_from(slugs))))

    @rule(data=st.data(), kind=st.sampled_from(["condition", "page"]))
    def rename_document(self, data: st.DataObject, kind: str) -> None:
        slugs, missing = self.existing(kind), self.creatable(kind)
        if slugs and missing:
            old = data.draw(st.sampled_from(slugs), label="old name")
            new = data.draw(st.sampled_from(missing), label="new name")
            self.site.rename(document_path(kind, old), document_path(kind, new))

    # The catalogue ---------------------------------------------------------------------

    def packages(self) -> list[dict]:
        if not self.site.exists("content/packages.yaml"):
            return []
        return (yaml.safe_load(self.site.read("content/packages.yaml")) or {})["packages"]

    def save_packages(self, packages: list[dict]) -> None:
        text = dump({"packages": packages})
        self.site.write("content/packages.yaml", text)

    def listed_conditions(self) -> st.SearchStrategy[list[str]]:
        """Conditions a package lists: those there are (or one that is not)."""
        slugs = self.existing("condition") or ["gone"]
        return st.lists(st.sampled_from(slugs), min_size=1, max_size=2, unique=True)

    @rule(data=st.data(), field=st.sampled_from(WORKFLOW_FIELDS))
    def edit_workflow(self, data: st.DataObject, field: str) -> None:
        """Make a document or package a draft, or schedule it, or let it expire (or undo
        that): the command line leaves it out until its day, `serve` shows it marked."""
        targets = [*((kind, slug) for kind in SLUGS for slug in self.existing(kind)),
                   *(("package", p["id"]) for p in self.packages())]  # fmt: skip
        if not targets:
            return
        kind, name = data.draw(st.sampled_from(targets), label="page")
        choices: list[Any] = [True, False] if field == "draft" else DATES
        value = data.draw(st.sampled_from([None, *choices]), label=field)
        self.site.set_field(kind, name, field, value)

    @rule(data=st.data())
    def add_package(self, data: st.DataObject) -> None:
        packages = self.packages()
        known = {package["id"] for package in packages}
        missing = [name for name in PACKAGES if name not in known]
        if not missing:
            return
        template = yaml.safe_load((FIXTURES / "minimal" / "packages.yaml").read_text())
        package = template["packages"][0] | {"id": data.draw(st.sampled_from(missing))}
        package["name"] = package["id"].replace("-", " ").capitalize()
        package["conditions"] = data.draw(self.listed_conditions(), label="conditions")
        self.save_packages([*packages, package])

    @rule(data=st.data())
    def edit_package(self, data: st.DataObject) -> None:
        packages = self.packages()
        if not packages:
            return
        chosen = data.draw(st.sampled_from([p["id"] for p in packages]), label="package")
        package = next(p for p in packages if p["id"] == chosen)
        name = data.draw(st.sampled_from(["name", "summary", "duration_days", "conditions",
                                          "last_reviewed", "evidence"]), label="field")  # fmt: skip
        values = {
            "name": st.sampled_from(TITLES),
            "summary": st.sampled_from([*CALM_WORDS, "miracle"]).map(lambda w: f"A {w} package."),
            "duration_days": st.sampled_from([10, 12, "ten"]),  # "ten": an error until fixed
            "conditions": self.listed_conditions(),
            "last_reviewed": st.sampled_from(DATES),
            "evidence": st.sampled_from(["established", "investigational"]),
        }
        package[name] = data.draw(values[name], label=name)
        self.save_packages(packages)

    @rule(data=st.data())
    def remove_package(self, data: st.DataObject) -> None:
        packages = self.packages()
        if packages:
            gone = data.draw(st.sampled_from([p["id"] for p in packages]), label="package")
            self.save_packages([package for package in packages if package["id"] != gone])

    # Images ----------------------------------------------------------------------------

    @rule(name=st.sampled_from(IMAGES), colour=st.sampled_from(["red", "blue", "#0a0"]),
          radius=st.integers(1, 4))  # fmt: skip
    def add_or_replace_image(self, name: str, colour: str, radius: int) -> None:
        self.site.write(f"content/images/{name}", SVG.format(r=radius, colour=colour))

    @rule(name=st.sampled_from(IMAGES))
    def remove_image(self, name: str) -> None:
        if self.site.exists(f"content/images/{name}"):
            self.site.delete(f"content/images/{name}")

    # Templates and partials --------------------------------------------------------------

    @rule(data=st.data(), template=st.sampled_from(sorted(SLOTTED_TEMPLATES)))
    def edit_template(self, data: st.DataObject, template: str) -> None:
        """Put a snippet (or nothing) in the template's slot, below its anchor line."""
        chosen = data.draw(st.sampled_from(["", *SNIPPETS]), label="snippet")
        self.site.fill_slot(template, snippet(chosen, self.next_edition()) if chosen else "")

    @rule(data=st.data(), template=st.sampled_from(sorted(SLOTTED_TEMPLATES)),
          kind=st.sampled_from(sorted(ONE_FIELD)))  # fmt: skip
    def read_one_field(self, data: st.DataObject, template: str, kind: str) -> None:
        """Put in the template's slot a read of one field of every model of a kind: any
        field a template can reach, each on its own, so that none is followed only
        because the page read another."""
        field = data.draw(st.sampled_from(FIELDS[kind]), label="field")
        self.site.fill_slot(template, ONE_FIELD[kind].replace("{f}", repr(field)))

    @rule(data=st.data(), partial=st.sampled_from(PARTIALS))
    def write_partial(self, data: st.DataObject, partial: str) -> None:
        """Add or edit an included partial (one including itself fails to render)."""
        chosen = data.draw(st.sampled_from(list(SNIPPETS)), label="snippet")
        self.site.write(f"templates/{partial}", snippet(chosen, self.next_edition()))

    @rule(partial=st.sampled_from(PARTIALS))
    def remove_partial(self, partial: str) -> None:
        if self.site.exists(f"templates/{partial}"):
            self.site.delete(f"templates/{partial}")

    @rule(colour=st.sampled_from(["#0041a3", "#003080", "#102a5c"]))
    def edit_stylesheet(self, colour: str) -> None:
        """A theme file: its hashed name, in every page, changes with its bytes."""
        css = (TEMPLATES / "static" / "site.css").read_text("utf-8")
        self.site.write("templates/static/site.css", css.replace("#0041a3", colour, 1))

    # Settings and claims rules -------------------------------------------------------------

    @rule(data=st.data())
    def edit_settings(self, data: st.DataObject) -> None:
        settings_ = yaml.safe_load(self.site.read("content/site.yaml"))
        name = data.draw(st.sampled_from(["title", "navigation", "disclaimer", "directory_links",
                                          "review_interval_months", "feed_entries", "label"]),
                         label="field")  # fmt: skip
        if name == "title":
            settings_["title"] = data.draw(st.sampled_from(["Test Site", "Another Site"]))
        elif name == "navigation":
            navigation = [{"title": "Home", "url": "/"}]
            extra = [{"title": "Conditions", "url": "/conditions/"},
                     {"title": "Packages", "url": "/packages/"},
                     {"title": "About", "url": "/about/"},
                     {"title": "Contact", "url": "/contact/"}]  # fmt: skip
            settings_["navigation"] = navigation + data.draw(
                st.lists(st.sampled_from(extra), max_size=3, unique_by=lambda e: e["url"]),
                label="navigation",
            )
        elif name == "disclaimer":
            extra = data.draw(
                st.sampled_from(["", " Ask your doctor.", " Read [about us](/about/)."])
            )
            settings_["disclaimer"] = (
                "This is a **test disclaimer**. Investigational treatments have not been shown\n"
                "to be safe and effective. See [how we rate evidence](/how-we-rate-evidence/)."
                f"{extra}\n"
            )
        elif name == "directory_links":  # links end in "/" instead of "index.html"
            settings_["directory_links"] = data.draw(st.booleans(), label="directory links")
        elif name == "feed_entries":  # the feed then lists only the newest reviews
            entries = data.draw(st.sampled_from([None, 1, 2, 3]), label="feed entries")
            if entries is None:
                settings_.pop("feed_entries", None)
            else:
                settings_["feed_entries"] = entries
        elif name == "review_interval_months":
            months = data.draw(st.sampled_from([None, 1, 6, 12, 36, "twelve"]), label="months")
            if months is None:
                settings_.pop("review_interval_months", None)
            else:
                settings_["review_interval_months"] = months
        else:
            level = data.draw(st.sampled_from(settings_["evidence_levels"]), label="level")
            level["label"] = data.draw(st.sampled_from(["Established", "Proven", "Unproven"]))
        self.site.write("content/site.yaml", dump(settings_))

    @rule(data=st.data())
    def write_claims_rules(self, data: st.DataObject) -> None:
        """Add or edit the site's own claims rules, or turn a default one off."""
        rules = [
            {"id": f"site-rule-{n}", "pattern": word, "severity": severity,
             "reason": "It overstates.", "suggestion": "Say what was measured."}
            for n, (word, severity) in enumerate(data.draw(st.lists(
                st.tuples(st.sampled_from(WORDS), st.sampled_from(["warning", "error"])),
                max_size=2), label="rules"))
        ]  # fmt: skip
        claims: dict[str, Any] = {"rules": rules}
        if data.draw(st.booleans(), label="disable absolute-efficacy"):
            claims["disable"] = ["absolute-efficacy"]
        self.site.write("content/claims.yaml", dump(claims))

    @rule()
    def remove_claims_rules(self) -> None:
        if self.site.exists("content/claims.yaml"):
            self.site.delete("content/claims.yaml")

    # Time ------------------------------------------------------------------------------------

    @rule(days=st.sampled_from([1, 2, 30, 45, 200, 365, 800]))
    def move_today_forward(self, days: int) -> None:
        self.site.today += timedelta(days=days)

    # The invariant ---------------------------------------------------------------------------

    @invariant()
    def builds_agree(self) -> None:
        self.checked = False
        clean, unpublished = self.site.check_same(write=self.steps % WRITE_EVERY == 0)
        event("content without errors" if clean.ok else "content with errors")
        event("drafts, scheduled or expired pages" if unpublished else "all published")
        self.steps += 1
        self.checked = True

    def teardown(self) -> None:
        if self.site is None:
            return
        try:
            if self.checked and self.steps % WRITE_EVERY != 1:  # the last check did not write
                self.site.check_same(write=True)
        finally:
            self.site.remove()


IncrementalBuilds.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=not FUZZING,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
test_cached_served_and_clean_builds_agree = IncrementalBuilds.TestCase


# What the state machine found, as named tests ------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteUnderTest]:
    site = SiteUnderTest(tmp_path)  # serve shares the command line's store, as by default
    yield site
    site.serve.session.close()


@pytest.mark.parametrize("way", ["cached", "served"])
def test_a_package_review_warning_goes_when_a_condition_it_lists_goes(
    site: SiteUnderTest, way: str
):
    """Two packages are past their review date (a warning each); one lists beta.
    Delete beta: that package is no longer valid, and a clean build has no review
    warning for it. The cached build and `serve` keep it: they reuse the catalogue's
    quality findings while packages.yaml and the catalogue's date state are the same,
    though which packages are valid depends on which conditions exist."""
    site.today = date(2027, 12, 4)  # the reviews were due on 2027-03-01
    catalogue = yaml.safe_load(site.read("content/packages.yaml"))
    second = catalogue["packages"][0] | {"id": "second-package", "conditions": ["alpha"]}
    site.write("content/packages.yaml", dump({"packages": [*catalogue["packages"], second]}))
    build_again = site.build_served if way == "served" else partial(site.build_cached, False)
    overdue = [f for f in build_again().findings if "packages.yaml" in f and "review by" in f]
    assert len(overdue) == 2
    site.delete(document_path("condition", "beta"))  # the first package lists beta
    clean = site.build_clean(write=False).findings
    assert build_again().findings == (without_notes(clean) if way == "served" else clean)


def test_serve_finds_a_document_created_again_where_one_was_deleted(site: SiteUnderTest):
    """Delete pages/about.md, rebuild, create it again, rebuild: the serve of the
    old core left about out of the site (and reported links to it as broken): the
    file events named a file it had read before, so it kept its listing of the folder."""
    about = document_path("page", "about")
    text = site.read(about)
    assert site.build_served().ok
    site.delete(about)
    assert not site.build_served().ok  # the navigation and alpha link to it
    site.write(about, text)
    served = site.build_served()
    assert served.findings == without_notes(site.build_clean(write=False).findings)
    assert served.ok


def test_serve_writes_the_pages_it_built_after_a_check_on_its_store(site: SiteUnderTest):
    """serve keeps its store in .cache/, where `python build.py check` (or a build)
    keeps its own. A check run after a save and before serve's rebuild stores the
    new pages; serve's rebuild then renders nothing and returns the new pages, but
    writes the old ones: their digests come from the store's rows as serve read them
    before, their bytes from the rows the check wrote."""
    site.build_served()
    catalogue = yaml.safe_load(site.read("content/packages.yaml"))
    catalogue["packages"][0]["name"] = "Renamed package"
    site.write("content/packages.yaml", dump(catalogue))
    assert site.build_cached(write=False).ok  # `python build.py check`
    served = site.build_served()
    out = site.serve.session.options.out
    assert served.pages is not None
    assert {url: (out / output_path(url)).read_bytes() for url in served.pages} == served.pages


def test_pages_through_draft_scheduled_published_and_expired_build_the_same_every_way(
    site: SiteUnderTest,
):
    """The state machine meets drafts, scheduled and expired pages only as its seed
    allows; this walks a condition, a page and a package through each state, with
    templates that list the conditions and packages, and the date moved across each
    boundary. After every step the cached build equals the clean one, and `serve`
    (which shows such pages, marked) the clean one with drafts shown."""
    for template in ("condition.html", "base.html"):
        site.fill_slot(template, SNIPPETS["every condition"] + SNIPPETS["every package"])
    site.write(document_path("condition", "gamma"), new_document("condition", "gamma"))
    site.write(document_path("page", "contact"), new_document("page", "contact"))
    assert site.check_same(write=True)[0].ok

    def day(number: int) -> date:
        return date(2026, 12, number)

    steps: list[tuple[int, tuple[str, str, str, Any] | None]] = [  # today, what changes
        (4, ("condition", "gamma", "draft", True)),
        (4, ("page", "contact", "publish_on", day(7))),
        (4, ("package", "test-package", "expires_on", day(9))),
        (5, ("condition", "gamma", "draft", None)),
        (5, ("condition", "gamma", "publish_on", day(6))),  # scheduled for tomorrow
        (6, ("condition", "alpha", "expires_on", day(8))),  # gamma is published
        (7, None),  # contact is published
        (8, None),  # alpha expires
        (9, ("package", "test-package", "expires_on", day(9))),  # saved as it was; expires
        (9, ("package", "test-package", "draft", True)),
        (9, ("package", "test-package", "expires_on", None)),
        (9, ("package", "test-package", "draft", None)),
        (9, ("condition", "alpha", "expires_on", None)),
    ]
    seen: list[str] = []
    for number, (today, change) in enumerate(steps, 1):
        if change is not None:
            site.set_field(*change)
        site.today = day(today)
        clean, unpublished = site.check_same(write=number % 3 == 0 or number == len(steps))
        assert clean.ok and unpublished, clean.findings  # pages compared, not all published
        seen += [finding.partition(f"{site.content}/")[2] for finding in clean.findings]
    for state in [
        "conditions/gamma.md:10:8: note: draft: a draft",
        "conditions/gamma.md:10:13: note: publish_on: scheduled for 2026-12-06",
        "pages/contact.md:4:13: note: publish_on: scheduled for 2026-12-07",
        "conditions/alpha.md:16:13: warning: expires_on: expected a page still current, "
        "found it expired on 2026-12-08",
        "warning: packages[1].expires_on: expected a page still current, found it expired",
        "note: packages[1].draft: a draft",
    ]:
        assert any(state in finding for finding in seen), (state, seen)


def test_a_template_listing_the_fields_a_file_sets_builds_the_same_every_way(
    site: SiteUnderTest,
):
    """A template may list which fields a document's front matter or a package sets
    (`model_fields_set`). The store kept each model with every field, defaults too,
    so a document or package read back from it (not validated again: its file did not
    change) seemed to set them all, and pages that listed them differed from a clean
    build's once a template edit rendered them again."""
    assert site.check_same(write=True)[0].ok
    fields = "[{{ p.model_fields_set | sort | join(' ') }}]"
    site.fill_slot(
        "base.html",
        SNIPPETS["formatted"] + "{% for p in site.packages %}<p>" + fields + "</p>{% endfor %}",
    )
    clean = site.check_same(write=True)[0]
    assert clean.pages is not None
    assert b"[also_known_as evidence last_reviewed" in clean.pages[""]  # not every field
