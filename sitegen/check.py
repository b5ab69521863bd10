"""Stage 4: checks on the rendered output, before anything is written.

These hold whatever the templates do: every HTML page carries the disclaimer in
its two parts (the key facts near the top, `class="disclaimer disclaimer-short"`,
and the full statement at the end, `class="disclaimer disclaimer-full"`), each a
visible landmark with a name and the site's words, the first linking to the
second (and, on condition and package pages, the page's evidence level); every
page has a Content-Security-Policy limited to its own origin, nothing is loaded
from another origin, and every relative link points at a file the build writes.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .findings import Finding, error
from .fs import display
from .models import EvidenceLevel, RenderedPage
from .urls import directory_of, output_path

SHORT, FULL = "disclaimer-short", "disclaimer-full"  # the classes that mark the two parts
DISCLAIMER_MARK = "disclaimer-"  # in a tag's attributes: maybe one of them
LANDMARK_TAGS = {"section", "aside"}  # landmarks when they have a name
LANDMARK_ROLES = {"region", "complementary"}
RESOURCE_ATTRIBUTES = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("track", "src"),
    ("input", "src"),
    ("form", "action"),
}
LOADED_LINK_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "manifest",
    "prefetch",
    "apple-touch-icon",
    "mask-icon",
    "shortcut",
}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
ATTRIBUTE_TAGS = {tag for tag, _ in RESOURCE_ATTRIBUTES} | {"a", "link", "meta"}
SPACE = re.compile(r"\s+")
QUOTED = r"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""
TOKEN = re.compile(  # one leading "<" for all three kinds: twice as fast as three
    rf"<(?:(?P<comment>!--.*?--|![^>]*)>"
    rf"|(?P<raw>script|style)\b(?P<raw_attrs>{QUOTED})>.*?</(?P=raw)\s*>"
    rf"|(?P<end>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>{QUOTED})>)",
    re.DOTALL | re.IGNORECASE,
)
# What the scanner passes over outside the disclaimer and hidden elements: text,
# comments, end tags and start tags `handle_token` would only count, each matched
# to the same end as `TOKEN` matches it; it stops at anything else.
NOTICED = r"id=|disclaimer-|hidden"  # in a start tag: its attributes are read
UNNOTICED = rf"(?:(?!{NOTICED})[^>\"'])*"
UNNOTICED_ATTRIBUTES = (
    rf"""{UNNOTICED}(?:(?:"(?:(?!{NOTICED})[^"])*"|'(?:(?!{NOTICED})[^'])*'){UNNOTICED})*"""
)
READ_TAGS = "|".join(sorted(ATTRIBUTE_TAGS | {"details", "script", "style"}))
PASSED_OVER = re.compile(
    rf"""(?:[^<]+
    |<(?:!--.*?--|![^>]*)>
    |</[a-zA-Z][a-zA-Z0-9-]*{QUOTED}>
    |<(?!(?i:{READ_TAGS})\b)[a-zA-Z][a-zA-Z0-9-]*{UNNOTICED_ATTRIBUTES}>
    |<(?![!/a-zA-Z])
    )*""",
    re.DOTALL | re.VERBOSE,
)
# A link with nothing else to read: `handle_starttag` would only note its address.
PLAIN_LINK = re.compile(r'<a href="([^"&<>]*)">')
# A link whose path is itself: no scheme, host, query, fragment, escape or space
# (`urlsplit` would give it back unchanged; a listing page has thousands).
PLAIN_PATH = re.compile(r"(?!//)[^:?#%\\\x00-\x20]*")
ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def plain(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def text_of(html: str) -> str:
    parser = PageScanner(keep_text=True)
    parser.feed(html)
    parser.close()
    return plain("".join(parser.all_text))


class Disclaimers(NamedTuple):
    """The site's disclaimer text in its two parts, as a page's text shows them."""

    short: str  # `disclaimer_short` in site.yaml
    full: str  # `disclaimer` in site.yaml, as its HTML reads


@dataclass
class Block:
    """One part of the disclaimer as a page holds it."""

    tag: str
    attributes: dict[str, str]
    order: int  # which of the page's disclaimer blocks it is, from 0
    hidden: bool  # marked hidden, or inside something hidden
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class PageScanner:
    """Collects what the checks need from one page in a single pass.

    A tokenizer of regular expressions rather than `html.parser`, whose generality
    these checks do not need: the pages are our own output, and every one is scanned.
    """

    def __init__(self, keep_text: bool = False) -> None:
        self.keep_text = keep_text  # all of the page's text, not only the disclaimer's
        self.all_text: list[str] = []
        self.blocks: dict[str, list[Block]] = {SHORT: [], FULL: []}
        self.block: Block | None = None  # the disclaimer block being read
        self.depth = 0
        self.block_depth: int | None = None
        self.hidden_depth: int | None = None  # the depth of the hidden element we are in
        self.csp: list[str] = []
        self.resources: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []

    def feed(self, html: str) -> None:
        """Scan `html`. Outside the disclaimer and hidden elements only the tags whose
        attributes the checks read matter, so runs of other tags and text are passed
        over in one step (`PASSED_OVER`); listing pages have tens of thousands."""
        position, size = 0, len(html)
        while True:
            if self.block is None and self.hidden_depth is None and not self.keep_text:
                position = PASSED_OVER.match(html, position).end()
                link = PLAIN_LINK.match(html, position)
                if link is not None:
                    self.links.append(link[1])
                    position = link.end()
                    continue
                token = TOKEN.match(html, position)
                if token is None:
                    if position >= size:
                        return
                    position += 1  # a "<" that starts no tag: text, not read here
                    continue
            else:
                token = TOKEN.search(html, position)
                if token is None:
                    break
                if token.start() > position:
                    self.handle_data(html[position : token.start()])
            position = token.end()
            self.handle_token(token)
        if position < size:
            self.handle_data(html[position:])

    def handle_token(self, token: re.Match[str]) -> None:
        """Only counts depth for the common tag with nothing the checks read."""
        comment, raw_tag, raw_attrs, closing, tag, raw = token.group(
            "comment", "raw", "raw_attrs", "end", "tag", "attrs"
        )
        if comment:
            return
        if raw_tag:
            self.handle_starttag(raw_tag.lower(), attributes(raw_attrs))
            self.handle_endtag(raw_tag.lower())
            return
        tag = tag.lower()
        if closing:
            self.handle_endtag(tag)
            return
        if (
            tag in ATTRIBUTE_TAGS
            or "id=" in raw
            or DISCLAIMER_MARK in raw
            or "hidden" in raw
            or tag == "details"
        ):
            self.handle_starttag(tag, attributes(raw))
        elif tag not in VOID_TAGS:
            self.depth += 1
        if tag not in VOID_TAGS and raw.rstrip().endswith("/"):
            self.handle_endtag(tag)

    def close(self) -> None:
        """Nothing is buffered; kept so the scanner reads like a parser."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag not in VOID_TAGS:
            self.depth += 1
            hides = (
                "hidden" in values
                or values.get("aria-hidden") == "true"
                or (tag == "details" and "open" not in values)
            )
            if hides and self.hidden_depth is None:
                self.hidden_depth = self.depth
        if values.get("id"):
            self.ids.append(values["id"])
        if self.block is None and tag not in VOID_TAGS:
            classes = values.get("class", "").split()
            kind = SHORT if SHORT in classes else FULL if FULL in classes else None
            if kind is not None:
                order = len(self.blocks[SHORT]) + len(self.blocks[FULL])
                self.block = Block(tag, values, order, self.hidden_depth is not None)
                self.blocks[kind].append(self.block)
                self.block_depth = self.depth
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp.append(values.get("content", ""))
        for name, value in values.items():
            if (tag, name) in RESOURCE_ATTRIBUTES:
                candidates = value.split(",") if name == "srcset" else [value]
                self.resources += [c.split()[0] for c in candidates if c.split()]
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & LOADED_LINK_RELS:
                self.resources.append(values.get("href", ""))
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
            if self.block is not None:
                self.block.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self.block is not None and self.depth == self.block_depth:
            self.block = self.block_depth = None
        if self.hidden_depth is not None and self.depth == self.hidden_depth:
            self.hidden_depth = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not data or (self.block is None and not self.keep_text):
            return
        text = unescape(data) if "&" in data else data
        self.all_text.append(text)
        if self.block is not None:
            self.block.text.append(text)


def attributes(text: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for match in ATTRIBUTE.finditer(text):
        value = match.group(2)
        if value is not None:
            value = unescape(value[1:-1] if value[:1] in "\"'" else value)
        found.append((match.group(1).lower(), value))
    return found


def is_other_origin(url: str) -> bool:
    value = url.strip().lower()
    if value.startswith("data:"):
        return False
    return value.startswith("//") or bool(urlsplit(value).scheme)


# A page's findings on its own, and the links it makes within the site.
PageResult = tuple[list[Finding], list[tuple[str, str]]]


def check_page(
    page: RenderedPage,
    disclaimers: Disclaimers,
    levels: dict[str, EvidenceLevel],
    templates_dir: Path,
) -> PageResult:
    """The findings of one page on its own, and the links it makes within the site
    (`("request", url)` for what it loads, `("link", url)` for where it leads), which
    `broken_links` checks against the files the build writes."""

    def problem(field: str, message: str) -> Finding:
        return page_problem(page, templates_dir, field, message)

    scanner = PageScanner()
    scanner.feed(page.content.decode("utf-8"))
    scanner.close()
    findings = [
        problem("disclaimer", message)
        for message in disclaimer_problems(scanner, disclaimers, levels, page.evidence)
    ]
    repeated = sorted(i for i, count in Counter(scanner.ids).items() if count > 1)
    if repeated:
        findings.append(
            problem(
                "id",
                f"expected each id once per page, found {', '.join(repeated)} more than once "
                "(rename a heading in the content, or the id in the template)",
            )
        )
    if not any(policy_is_own_origin(policy) for policy in scanner.csp):
        findings.append(
            problem(
                "content-security-policy",
                "expected a Content-Security-Policy meta tag allowing only the page's own "
                f"origin, found {scanner.csp[0]!r}"
                if scanner.csp
                else "expected a Content-Security-Policy meta tag, found none",
            )
        )
    links: list[tuple[str, str]] = []
    for url in scanner.resources:
        if is_other_origin(url):
            findings.append(
                problem("request", f"expected resources from this site only, found '{url[:80]}'")
            )
        elif page.url != "404.html":
            links.append(("request", url))
    if page.url != "404.html":
        links += [
            ("link", url)
            for url in scanner.links
            if PLAIN_PATH.fullmatch(url)
            or (not urlsplit(url).scheme and not url.startswith(("#", "//")))
        ]
    return findings, links


class PageChecks:
    """`check_page` for any page, held to the disclaimer and evidence levels of the
    page's language (`language_of` its URL: None for the default language)."""

    def __init__(
        self,
        disclaimers: dict[str | None, Disclaimers],
        levels: dict[str | None, dict[str, EvidenceLevel]],
        language_of: Callable[[str], str | None],
        templates_dir: Path,
    ) -> None:
        self.disclaimers, self.levels = disclaimers, levels
        self.language_of, self.templates_dir = language_of, templates_dir

    def held_to(self) -> str:
        """What the checks hold pages to: a page checked against the same stands."""
        return "\n".join(
            f"{lang} {self.disclaimers[lang].short}\n{self.disclaimers[lang].full}\n"
            f"{[level.model_dump_json() for level in levels.values()]}"
            for lang, levels in self.levels.items()
        )

    def __call__(self, page: RenderedPage) -> PageResult:
        lang = self.language_of(page.url)
        return check_page(page, self.disclaimers[lang], self.levels[lang], self.templates_dir)


PARTS = {  # what each part is called in a finding, and the partial that makes it
    SHORT: ("the key facts", "partials/disclaimer_short.html"),
    FULL: ("the full disclaimer", "partials/disclaimer.html"),
}


def disclaimer_problems(
    scanner: PageScanner,
    disclaimers: Disclaimers,
    levels: dict[str, EvidenceLevel],
    evidence: str | None,
) -> list[str]:
    """What is wrong with a page's disclaimer, in both its parts, as it was scanned."""
    problems: list[str] = []
    level = levels.get(evidence) if evidence else None
    ids = set(scanner.ids)
    for kind, words in ((SHORT, disclaimers.short), (FULL, disclaimers.full)):
        name, partial = PARTS[kind]
        blocks = scanner.blocks[kind]
        if not blocks:
            problems.append(
                f'expected {name} (class="disclaimer {kind}") on every page (extend '
                f"base.html or include {partial}), found none"
            )
            continue
        if len(blocks) > 1:
            problems.append(f"expected {name} once on a page, found {len(blocks)} blocks")
        block = blocks[0]
        text = plain("".join(block.text))
        attributes = block.attributes
        if words not in text:
            setting = "disclaimer_short" if kind == SHORT else "disclaimer"
            problems.append(
                f"expected the site's words ({setting} in site.yaml) in {name}, found other text"
            )
        if block.hidden:
            problems.append(f"expected {name} visible, found it hidden")
        role = attributes.get("role", "")
        labels = attributes.get("aria-labelledby", "").split()
        named = bool(attributes.get("aria-label", "").strip() or (labels and ids >= set(labels)))
        landmark = role in LANDMARK_ROLES or (not role and block.tag in LANDMARK_TAGS)
        if not (named and landmark):
            found = f"<{block.tag}{f' role={role}' if role else ''}>" + (
                "" if named else " with no name (no aria-label, or aria-labelledby naming no id)"
            )
            problems.append(
                f"expected {name} to be a landmark with a name (a <section> with "
                f"aria-labelledby naming its heading), found {found}"
            )
        if level is not None and plain(level.label) not in text:
            problems.append(
                f"expected the page's evidence level '{level.label}' in {name}, found it missing"
            )
        if kind == FULL and level is not None and plain(level.explanation) not in text:
            problems.append(
                f"expected the explanation of the evidence level '{level.label}' in {name}, "
                "found it missing"
            )
    short, full = scanner.blocks[SHORT][:1], scanner.blocks[FULL][:1]
    if short and full:
        if short[0].order > full[0].order:
            problems.append("expected the key facts before the full disclaimer, found them after")
        target = full[0].attributes.get("id")
        if not target or f"#{target}" not in short[0].links:
            problems.append(
                "expected the key facts to link to the full disclaimer (an id on it, and "
                '<a href="#that-id"> in the key facts), found no such link'
            )
    return problems


def page_problem(page: RenderedPage, templates_dir: Path, field: str, message: str) -> Finding:
    where = display(templates_dir / page.template)  # resolved only for a finding
    return error(where, 1, 1, field, f"{message} (in {output_path(page.url)})")


def broken_links(
    page: RenderedPage, links: list[tuple[str, str]], written: frozenset[str], templates_dir: Path
) -> list[Finding]:
    """A finding for each of a page's `links` (from `check_page`) to no file in `written`."""
    return [
        page_problem(page, templates_dir, "link",
                     f"expected a file the build writes, found '{url}'" if kind == "request"
                     else f"expected a link to a page the build writes, found '{url}'")
        for kind, url in links
        if not resolves(page.url, url, written)
    ]  # fmt: skip


def policy_is_own_origin(policy: str) -> bool:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.split()}
    sources = [source for values in directives.values() for source in values]
    return (
        directives.get("default-src") in (["'self'"], ["'none'"])
        and "'unsafe-inline'" not in sources
        and "'unsafe-eval'" not in sources
        and not any("//" in source or source in ("*", "http:", "https:") for source in sources)
    )


def resolves(page_url: str, link: str, written: frozenset[str]) -> bool:
    path = link if PLAIN_PATH.fullmatch(link) else unquote(urlsplit(link).path)
    if not path:
        return True
    target = posixpath.normpath(posixpath.join("/" + directory_of(page_url), path)).lstrip("/")
    if target in ("", "."):
        return "index.html" in written
    return target in written or f"{target}/index.html" in written


def check_pages(
    pages: list[RenderedPage],
    files: list[str],
    short: str,
    disclaimer_html: str,
    levels: dict[str, EvidenceLevel],
    templates_dir: Path,
) -> list[Finding]:
    """Every check of every HTML page among `pages`, the site's other `files` counted
    as written (the build itself checks page by page, reusing what it can). `short` is
    the key facts' text, `disclaimer_html` the full statement's HTML."""
    written = frozenset([output_path(page.url) for page in pages] + files)
    disclaimers = Disclaimers(plain(short), text_of(disclaimer_html))
    findings: list[Finding] = []
    for page in pages:
        if page.is_html:
            found, links = check_page(page, disclaimers, levels, templates_dir)
            findings += found + broken_links(page, links, written, templates_dir)
    return findings
