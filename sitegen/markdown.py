"""The one Markdown set-up: conversion, link and image checks, and sanitising.

Editors link to other content by its file (`glaucoma.md`, `../pages/about.md`)
or by site path (`/packages/`); both are checked and rewritten into relative
links. Raw HTML is allowed but passes through an allow-list (nh3), and whatever
dangerous markup it held is reported with its line.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import html
import posixpath
import re
import string
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import markdown
import markdown.treeprocessors
import nh3
from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .findings import Finding, error, warning
from .urls import (
    EVIDENCE_PAGE,
    as_page_url,
    directory_of,
    is_file,
    normalise,
    relative,
    unchecked_by,
)

if TYPE_CHECKING:  # the levels come from the site's settings
    from .models import EvidenceLevel, Withheld

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "ul",
    "var",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "div": {"role", "aria-labelledby"},  # an urgent-care card: role="region" only
    "td": {"colspan", "rowspan", "data-label"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "link",
    "meta",
    "base",
    "svg",
    "math",
    "video",
    "audio",
}
MARKDOWN_EXTENSIONS = ["tables", "attr_list", "footnotes", "sane_lists", "abbr", "def_list"]
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
SOURCE_MARKER_PATTERN = r"(?<![\[\^\w])\[(\d{1,3})\](?![(\[])"
ALIGN_CLASS = re.compile(r"text-align:\s*(left|right|center)")


# Limits on what one page's Markdown may ask of Python-Markdown. Some of its work
# grows with the square of the input or faster, and all of it with the number of
# elements made: without them a page of a few kilobytes could stop the build
# (RecursionError) or take minutes and gigabytes (the cases measured are in
# docs/performance.md, "Measurements the code no longer carries").
# Honest pages stay far below each (the sample site and the benchmark's pages);
# each is a finding with its line and what to do. `check_markdown` checks the
# text as loaded, before Python-Markdown sees it; `InlineLimits` checks the elements
# the block stage made and each paragraph's text before the inline stage runs,
# because where a paragraph ends only the block stage knows. bench/hostile_pages.py
# times the costliest pages the limits allow.
MAX_NESTING = 20  # lists and block quotes inside one another (4 spaces of indent: one)
MAX_BLOCKS = 10_000  # blocks (between blank lines) on a page: each costs as many as there are
MAX_BLOCK_BREAKS = 50  # headings, rules and definitions in one block of lines
MAX_FOOTNOTES = 1_000  # '[^' footnote references and definitions on a page
MAX_ABBREVIATIONS = 100  # '*[HTML]: ...' definitions on a page: each is sought everywhere
MAX_TABLE_CELLS = 10_000  # columns times rows, all tables of a page together
MAX_PAGE_MARKS = 20_000  # Markdown marks on a page: each may make an element
MAX_ELEMENTS = 20_000  # paragraphs, list items, headings, table cells, ... on a page
MAX_MARKS = 500  # Markdown marks in one paragraph, list item or table cell
MAX_BRACKETS = 8  # '[' (or '(') open at once in one paragraph
MARK_CHARACTERS = "*_`[<&\\"

# The searches below look for "\n" and what follows (far faster than "^" with
# re.MULTILINE) in the body with a "\n" put before it, so a match's start in that
# text is where its line starts in the body.
# Where a line's nesting might pass MAX_NESTING: a run of indentation and list or
# quote markers at least that long (each level takes at least one character).
DEEP_LINE = re.compile(rf"\n[ \t>*+\-0-9.)]{{{MAX_NESTING + 1},}}")
NESTING_MARKER = re.compile(r"(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))[ \t]?")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# A line that makes Python-Markdown split its block and test the rest again: a
# heading, a rule or setext underline, a link, footnote or abbreviation definition.
BLOCK_BREAK = re.compile(r"\n {0,3}(?:#|\*?\[|[-=*_][-=*_ \t]*(?=\n|$))")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
WHITESPACE_LINE = re.compile(r"(?<=\n)[ \t]+\n")
ABBREVIATION = re.compile(r"\n[*]\[[^\\]*?\][ ]?:")  # as Python-Markdown's, lines and all
# A table's separator row (`|---|:--:|`), also in a quote or list; its header row is
# the line above, its body rows run to the next blank line.
TABLE_SEPARATOR = re.compile(r"\n[ \t>]*[|:\-][ \t|:\-]*(?=\n|$)")
MARKS = str.maketrans("", "", MARK_CHARACTERS)
CLOSED_PAIR = {"[": re.compile(r"\[[^\[\]]*\]"), "(": re.compile(r"\([^()]*\)")}
BRACKET_OR_BLANK = {"[": re.compile(r"[\[\]]|\n[ \t]*\n"), "(": re.compile(r"[()]|\n[ \t]*\n")}


def nesting_of(line: str) -> int:
    """How deep the lists and block quotes that `line` opens or continues go: one
    level for each '>' or list marker at its start, and one for each 4 columns of
    indentation (a tab: 4). A rule (`- - -`) opens none."""
    if RULE.match(line):
        return 0
    level, position = 0, 0
    while True:
        indent = len(line) - len(line[position:].lstrip(" \t"))
        level += len(line[position:indent].expandtabs(4)) // 4
        match = NESTING_MARKER.match(line, indent)
        if match is None:
            return level
        level, position = level + 1, match.end()


def too_deep(text: str) -> tuple[int, int] | None:
    """(where, how deep) of the first line nested deeper than MAX_NESTING."""
    for match in DEEP_LINE.finditer(text):
        end = text.find("\n", match.start() + 1)
        depth = nesting_of(text[match.start() + 1 : end if end >= 0 else len(text)])
        if depth > MAX_NESTING:
            return match.start(), depth
    return None


def crowded_block(text: str) -> int | None:
    """Where the first block of lines (between blank lines) starts that holds more
    than MAX_BLOCK_BREAKS lines that break it (`BLOCK_BREAK`)."""
    if len(BLOCK_BREAK.findall(text)) <= MAX_BLOCK_BREAKS:
        return None
    block_start, count, last = 0, 0, 0
    for match in BLOCK_BREAK.finditer(text):
        blanks = list(BLANK_LINE.finditer(text, last, match.start() + 1))
        if blanks:  # a new block began since the last break
            block_start, count = blanks[-1].end() - 1, 0
        count, last = count + 1, match.end()
        if count > MAX_BLOCK_BREAKS:
            return block_start
    return None


def marks_in(text: str) -> int:
    return len(text) - len(text.translate(MARKS))


def open_brackets(text: str, square: int) -> tuple[int, str, int] | None:
    """(where, which, how many) for the first place where more than MAX_BRACKETS '['
    (or '(') are open at once in one block of lines (paragraphs end at blank lines):
    Python-Markdown looks for the end of each from its start, to the end of the
    paragraph if it is never closed. A closing one with none open is passed over, as
    its scan passes it. `square`: how many '[' `text` holds."""
    for opening, closing in ("[]", "()"):
        count = square if opening == "[" else text.count(opening)
        # A pair with no bracket inside adds one level at most to those around it.
        if count <= MAX_BRACKETS or count - len(CLOSED_PAIR[opening].findall(text)) < MAX_BRACKETS:
            continue
        depth = 0
        for match in BRACKET_OR_BLANK[opening].finditer(text):
            char = match.group()
            if char == opening:
                depth += 1
                if depth > MAX_BRACKETS:
                    return match.start(), opening, depth + text.count(opening, match.end())
            elif char == closing:
                depth = max(depth - 1, 0)
            else:  # a blank line: a new paragraph
                depth = 0
    return None


def inline_problem(text: str) -> tuple[str, str] | None:
    """(field, message) if one paragraph's text passes MAX_MARKS."""
    if len(text) > MAX_MARKS and (marks := marks_in(text)) > MAX_MARKS:
        return "markup", (
            f"expected at most {MAX_MARKS} Markdown marks ({' '.join(MARK_CHARACTERS)}) in one "
            f"paragraph, list item or table cell, found {marks:,}; split it"
        )
    return None


class MarkupLimitError(Exception):
    """A page or paragraph past a limit: the paragraph's text and (field, message)."""

    def __init__(self, text: str, problem: tuple[str, str]) -> None:
        super().__init__(problem[1])
        self.text, self.problem = text, problem


class InlineLimits(Treeprocessor):
    """Holds the elements the block stage made to MAX_ELEMENTS, and each piece of text
    the inline stage will parse (a paragraph, list item, heading or table cell) to
    MAX_MARKS, before that stage runs: its time grows with marks times length. Only a
    page whose whole text has more marks is looked at piece by piece."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.wanted = False  # set for each page by `MarkdownConverter.convert`

    def run(self, root: ElementTree.Element) -> None:
        if (count := sum(1 for _ in root.iter())) > MAX_ELEMENTS:
            raise MarkupLimitError("", ("elements", f"expected at most {MAX_ELEMENTS:,} "
                                   "paragraphs, list items, headings, table cells and the like "
                                   f"on a page, found {count:,}; split the page"))  # fmt: skip
        if not self.wanted:
            return
        for element in root.iter():
            for text in (element.text, element.tail):
                if text and not isinstance(text, util.AtomicString):
                    problem = inline_problem(text)
                    if problem is not None:
                        raise MarkupLimitError(text, problem)


def table_cells(text: str) -> tuple[int, int]:
    """(where, how many) of the table at which the page's tables pass MAX_TABLE_CELLS
    cells, counted as columns times rows (Python-Markdown gives each row as many cells
    as the separator row has columns, however few it writes); (-1, total) if none."""
    total = 0
    for match in TABLE_SEPARATOR.finditer(text):
        row = match.group()
        if "|" not in row or "-" not in row:
            continue
        blank = BLANK_LINE.search(text, match.end())
        rows = text.count("\n", match.end(), blank.start() if blank else len(text)) + 2
        total += (row.count("|") + 1) * rows
        if total > MAX_TABLE_CELLS:
            return max(text.rfind("\n", 0, match.start()), 0), total  # its header row
    return -1, total


def blocks_in(body: str) -> int:
    """How many blocks Python-Markdown splits `body` into (at each blank line, a line
    of spaces counting as blank): its block parser takes each from the front of a list
    of the rest, so their cost grows with the square of their number."""
    return WHITESPACE_LINE.sub("\n", body).count("\n\n") + 1


def nth(body: str, needle: str, count: int) -> int:
    """Where the `count`-th `needle` in `body` starts (1 for the first)."""
    index = -1
    for _ in range(count):
        index = body.find(needle, index + 1)
    return index


def footnotes_and_abbreviations(body: str, text: str) -> list[tuple[int, str, str]]:
    """(where, field, message) if the page passes MAX_FOOTNOTES or MAX_ABBREVIATIONS."""
    problems = []
    if (footnotes := body.count("[^")) > MAX_FOOTNOTES:
        problems.append((nth(body, "[^", MAX_FOOTNOTES + 1), "footnotes", "expected at most "
                         f"{MAX_FOOTNOTES:,} footnote references and definitions ('[^') on a "
                         f"page, found {footnotes:,}"))  # fmt: skip
    abbreviations = list(ABBREVIATION.finditer(text)) if "*[" in body else []
    if len(abbreviations) > MAX_ABBREVIATIONS:
        problems.append((abbreviations[MAX_ABBREVIATIONS].start(), "abbreviations",
                         f"expected at most {MAX_ABBREVIATIONS} abbreviation definitions "
                         f"('*[...]: ...') on a page, found {len(abbreviations):,}"))  # fmt: skip
    return problems


def check_markdown(body: str, shown: str, first_line: int) -> list[Finding]:
    """Findings for a page's Markdown body (starting at `first_line` of the file) that
    passes one of the limits that Python-Markdown's block stage needs. It costs a few
    searches of the text: lines are looked at one by one only where one may pass."""
    problems: list[tuple[int, str, str]] = []  # (where in the body, field, message)
    text = "\n" + body
    # Each check is made only where the page could pass its limit, which counts of a
    # few characters tell, far more cheaply than the checks.
    lines, pipes, squares = body.count("\n") + 1, body.count("|"), body.count("[")
    if len(body) > MAX_BLOCKS and (blocks := blocks_in(body)) > MAX_BLOCKS:
        problems.append((0, "blocks", f"expected at most {MAX_BLOCKS:,} blocks (paragraphs, "
                         "headings, lists, ... between blank lines) on a page, found "
                         f"{blocks:,}; split the page"))  # fmt: skip
    if (deep := too_deep(text)) is not None:
        problems.append((deep[0], "nesting", f"expected lists and block quotes nested at most "
                         f"{MAX_NESTING} levels deep, found {deep[1]:,} (each '>', list marker "
                         "or 4 spaces of indent is a level)"))  # fmt: skip
    if lines > MAX_BLOCK_BREAKS and (crowded := crowded_block(text)) is not None:
        problems.append((crowded, "blocks", f"expected at most {MAX_BLOCK_BREAKS} headings, "
                         "rules and definitions ('[x]: ...') in one block of lines, found more; "
                         "put blank lines between them"))  # fmt: skip
    tables = (pipes + 1) * (lines + 1) > MAX_TABLE_CELLS  # at most columns times rows
    where, cells = table_cells(text) if tables else (-1, 0)
    if where >= 0:
        problems.append((where, "tables", f"expected tables of at most {MAX_TABLE_CELLS:,} "
                         f"cells on a page (columns times rows), found {cells:,} from here on; "
                         "split the table or the page"))  # fmt: skip
    if (bracket := open_brackets(text, squares)) is not None:
        where, opening, count = bracket
        closing = "]" if opening == "[" else ")"
        problems.append((where, "brackets", f"expected at most {MAX_BRACKETS} '{opening}' open "
                         f"at once in one paragraph, found {count:,} (is a '{closing}' "
                         "missing?)"))  # fmt: skip
    if len(body) > MAX_PAGE_MARKS and (marks := marks_in(body)) > MAX_PAGE_MARKS:
        problems.append((0, "markup", f"expected at most {MAX_PAGE_MARKS:,} Markdown marks "
                         f"({' '.join(MARK_CHARACTERS)}) on a page, found {marks:,}; split the "
                         "page"))  # fmt: skip
    if squares > MAX_ABBREVIATIONS:  # a footnote and an abbreviation take a '['
        problems += footnotes_and_abbreviations(body, text)
    return [
        error(shown, first_line + body.count("\n", 0, index), 1, field_name, message)
        for index, field_name, message in problems
    ]


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
INDENTED_CODE = re.compile(r"(?:^|\n[ \t]*\n)((?:(?: {4}|\t)[^\n]*(?:\n|$))+)")
REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
HTML_LINK = re.compile(
    r"<(a|img)\b[^>]*?\s(?:href|src)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))",
    re.IGNORECASE,
)
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})", re.MULTILINE)
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
ESCAPED = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def blank_out(text: str, pattern: re.Pattern[str], group: int = 0) -> str:
    """`text` with what `pattern` matches (its `group`) replaced by spaces, lines kept."""
    return pattern.sub(
        lambda match: (
            match[0][: match.start(group) - match.start()]
            + re.sub(r"[^\n]", " ", match[group])
            + match[0][match.end(group) - match.start() :]
        ),
        text,
    )


@dataclass(frozen=True)
class SourceRef:
    """Where a link, image or heading is written in a page's Markdown: `order` says
    where it comes in the text, `at` where to point (a reference link's address is
    written in its definition), both as indexes into the body."""

    tag: str  # "a", "img" or "h"
    value: str  # the address, as the element holds it ("" for a heading)
    order: int
    at: int
    from_html: bool = False


def link_destination(text: str, start: int) -> tuple[str, int] | None:
    """The address of an inline link whose '(' is at `start - 1`, as Python-Markdown
    reads it (angle brackets dropped, backslash escapes undone), and where it starts."""
    index = start
    while index < len(text) and text[index] in " \t\n":
        index += 1
    if text.startswith("<", index):
        end = text.find(">", index)
        return None if end < 0 else (ESCAPED.sub(r"\1", text[index + 1 : end]), index + 1)
    depth, end = 0, index
    while end < len(text) and text[end] not in " \t\n":
        if text[end] == "(":
            depth += 1
        elif text[end] == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return ESCAPED.sub(r"\1", text[index:end]), index


def source_refs(body: str) -> list[SourceRef]:
    """Every link, image and heading written in `body`, in the order written: inline
    and reference links and images, `<a href>` and `<img src>` in raw HTML, ATX and
    setext headings; code spans and indented code left out."""
    text = blank_out(blank_out(body, CODE_SPAN), INDENTED_CODE, 1)
    refs: list[SourceRef] = []
    definitions: dict[str, tuple[str, int]] = {}
    for match in REFERENCE.finditer(text):
        address = match[2][1:-1] if match[2].startswith("<") else match[2]
        definitions.setdefault(match[1].strip().lower(), (address, match.start(2)))
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    opened: list[int] = []
    for match in re.finditer(r"\\.|[\[\]]", text):
        if match[0] == "[":
            opened.append(match.start())
        elif match[0] == "]" and opened:
            start, end = opened.pop(), match.end()
            tag = "img" if start > 0 and text[start - 1] == "!" else "a"
            if text.startswith("(", end):
                found = link_destination(text, end + 1)
                if found is not None:
                    refs.append(SourceRef(tag, found[0], start, found[1]))
                continue
            label = text[start + 1 : end - 1]
            if text.startswith("[", end):
                close = text.find("]", end)
                label = text[end + 1 : close] or label if close >= 0 else label
            if label.strip().lower() in definitions:
                address, at = definitions[label.strip().lower()]
                refs.append(SourceRef(tag, address, start, at))
    for match in HTML_LINK.finditer(text):
        group = next(number for number in (2, 3, 4) if match[number] is not None)
        value = html.unescape(match[group])
        refs.append(SourceRef(match[1].lower(), value, match.start(), match.start(group), True))
    for match in ATX_HEADING.finditer(text):
        refs.append(SourceRef("h", "", match.start(), match.start(1)))
    for match in SETEXT_UNDERLINE.finditer(text):
        above = text.rfind("\n", 0, max(match.start() - 1, 0)) + 1
        if match.start() > 0 and text[above : match.start() - 1].strip():
            refs.append(SourceRef("h", "", above, above))
    return sorted(refs, key=lambda ref: ref.order)


@dataclass
class PageContext:
    """What a conversion needs to know about the page and the site around it."""

    display_path: str
    content_path: str
    page_url: str
    body: str
    body_line: int
    content_urls: dict[str, str]
    known_urls: frozenset[str]
    assets: frozenset[str]
    directory_links: bool = False
    lang_prefix: str = ""  # `es/` on a page in another language than the default
    # Every language's but the default's (`es/`, `ar/`), asked for only by a page with a
    # link by the site's address, so that only such a page depends on the languages.
    lang_prefixes: Callable[[], tuple[str, ...]] = tuple
    # pages that files with errors would give, by the file (`urls.unchecked_by`)
    unchecked: Mapping[str, str] = field(default_factory=dict)
    # pages not published today, by URL (`Site.withheld`): a link to one is reported
    withheld: Mapping[str, Withheld] = field(default_factory=dict)
    # The site's evidence levels by id, asked for only by a page that names one
    # (`!!! evidence <level>`), so that only such a page depends on them.
    evidence_levels: Callable[[], Mapping[str, EvidenceLevel]] | None = None
    # The interface's words in the page's language (`_("What this means")`).
    gettext: Callable[[str], str] | None = None
    findings: list[Finding] = field(default_factory=list)
    # links not checked for that reason: (the file with errors, line, column)
    skipped: list[tuple[str, int, int]] = field(default_factory=list)
    # How many links and images of each address the output (filtered) has had so far.
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    refs: list[SourceRef] | None = None  # `source_refs(body)`, made when first wanted
    # The page's `##` sections, (id, text) in order: its contents list.
    sections: list[tuple[str, str]] = field(default_factory=list)

    def position(self, needle: str) -> tuple[int, int]:
        """Line and column of `needle` in the body: only for what `source_refs` does
        not find (an address set by an attribute list, say)."""
        index = self.body.find(needle) if needle else -1
        return self.at(index) if index >= 0 else (self.body_line, 1)

    def at(self, index: int) -> tuple[int, int]:
        """Line and column of the body's character at `index`."""
        line_start = self.body.rfind("\n", 0, index) + 1
        return self.body_line + self.body.count("\n", 0, index), index - line_start + 1

    def written(self, tag: str, value: str, number: int, html: bool = True) -> SourceRef | None:
        """The `number`-th (from 1) link or image with address `value` as written in the
        body (or heading, for `tag` "h"), counting those in raw HTML unless `html` is
        false: the Python-Markdown elements and the output keep the order written, so
        the n-th element made of an address is the n-th written."""
        if self.refs is None:
            self.refs = source_refs(self.body)
        for ref in self.refs:
            if ref.tag == tag and ref.value == value and (html or not ref.from_html):
                number -= 1
                if number == 0:
                    return ref
        return None

    def written_html(self, text: str, number: int) -> tuple[int, int]:
        """Line and column of the `number`-th (from 1) raw HTML `text` in the body, code
        spans and indented code left out (Python-Markdown stashes raw HTML as written)."""
        masked = blank_out(blank_out(self.body, CODE_SPAN), INDENTED_CODE, 1)
        index = -1
        for _ in range(number):
            index = masked.find(text, index + 1)
            if index < 0:
                return self.position(text[:40])
        return self.at(index)

    def count(self, tag: str, value: str) -> int:
        """Count one more link or image of `value` in the output; which one it is."""
        number = self.seen[tag, value] = self.seen.get((tag, value), 0) + 1
        return number

    def report_ref(self, tag: str, value: str, number: int, field_name: str, message: str,
                   is_error: bool = True, html: bool = True) -> None:  # fmt: skip
        """Report the `number`-th link or image of address `value` (see `written`)."""
        ref = self.written(tag, value, number, html)
        line, col = self.at(ref.at) if ref is not None else self.position(value)
        make = error if is_error else warning
        self.findings.append(make(self.display_path, line, col, field_name, message))

    def line_of(self, text: str) -> int:
        """The line of the body where `text`, a paragraph as Python-Markdown's block
        stage gave it, starts: the first line holding its first line (for a finding
        on a whole paragraph, which the parser gives no position)."""
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        index = self.body.find(first) if first else -1
        return self.body_line + self.body.count("\n", 0, max(index, 0))

    def skip_ref(self, tag: str, value: str, number: int, failed: str) -> None:
        """Note that the `number`-th link of address `value` is not checked because
        `failed`, the file that would give its page, has errors."""
        ref = self.written(tag, value, number)
        self.skipped.append((failed, *(self.at(ref.at) if ref else self.position(value))))

    def report_marker(self, marker: str, number: int, field_name: str, message: str,
                      is_error: bool = True) -> None:  # fmt: skip
        """Report the `number`-th (from 1) block that starts with the line `marker`."""
        index = -1
        for _ in range(number):
            index = self.body.find(marker, index + 1)
            if index < 0:
                break
        line, col = self.at(index) if index >= 0 else (self.body_line, 1)
        make = error if is_error else warning
        self.findings.append(make(self.display_path, line, col, field_name, message))

    def report(self, needle: str, field_name: str, message: str, is_error: bool = True) -> None:
        line, col = self.position(needle)
        make = error if is_error else warning
        self.findings.append(make(self.display_path, line, col, field_name, message))


def resolve(ref: str, ctx: PageContext) -> tuple[str | None, str]:
    """A reference as written -> (site URL, fragment and query), or None if nothing matches."""
    parts = urlsplit(ref)
    suffix = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else ""
    )
    from_content, from_site = link_paths(parts.path, ctx)
    if from_content in ctx.content_urls:
        return ctx.content_urls[from_content], suffix
    for candidate in (from_content, from_site):
        if candidate in ctx.assets:
            return candidate, suffix
    for candidate in (from_site, from_content):
        if candidate is not None and as_page_url(candidate) in ctx.known_urls:
            return as_page_url(candidate), suffix
    return None, suffix


def link_paths(written: str, ctx: PageContext) -> tuple[str | None, str | None]:
    """The path a link's address names from the page's file, and from its URL (as a
    path of the default language's: a page's version in another language is at the
    same path under its code, so `../beta/` on /es/conditions/alpha/ and `/es/about/`
    name conditions/beta and about, in Spanish as the link's page is)."""
    path = unquote(written)
    from_site = site_path(written, ctx)
    if path.startswith("/"):
        from_content = from_site
    else:
        from_content = normalise(posixpath.join(posixpath.dirname(ctx.content_path), path))
    prefix = language_of_link(from_site, ctx)
    if prefix:
        from_site = from_site[len(prefix) :]  # type: ignore[index]
    return from_content, from_site


def site_path(written: str, ctx: PageContext) -> str | None:
    """The site path a link's address names, read against the page's own address."""
    path = unquote(written)
    if path.startswith("/"):
        return normalise(path.lstrip("/"))
    return normalise(posixpath.join(ctx.page_url, path))


def language_of_link(from_site: str | None, ctx: PageContext) -> str:
    """The language prefix (`es/`) a link's site path starts with, if any: the page's
    own language's, or another's (`/ar/about/` on a Spanish page, `/es/about/` on an
    English one)."""
    if from_site is None:
        return ""
    path = f"{from_site}/"
    if ctx.lang_prefix and path.startswith(ctx.lang_prefix):
        return ctx.lang_prefix
    return next((prefix for prefix in ctx.lang_prefixes() if path.startswith(prefix)), "")


def unchecked_file(ref: str, ctx: PageContext) -> str | None:
    """The file with errors that would give the page a link names, if one would."""
    for candidate in link_paths(urlsplit(ref).path, ctx)[::-1]:
        failed = unchecked_by(as_page_url(candidate), ctx.unchecked) if candidate else None
        if failed is not None:
            return failed
    return None


def link_hint(path: str, ctx: PageContext) -> str:
    """` (did you mean 'glaucoma.md'?)` for a near miss, written as the editor would."""
    folder = posixpath.dirname(ctx.content_path)
    wanted = normalise(path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path))
    if wanted is None:
        return ""
    by_name = {posixpath.basename(c): c for c in [*ctx.content_urls, *ctx.assets]}
    close = difflib.get_close_matches(posixpath.basename(wanted), by_name, n=1, cutoff=0.75)
    close = [by_name[name] for name in close]
    if not close and not path.startswith("/") and not path.endswith(".md"):
        return site_link_hint(path, ctx)
    if not close:
        pages = ["/" + url for url in sorted(ctx.known_urls)]
        close = difflib.get_close_matches(path, pages, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""
    return f" (did you mean '{posixpath.relpath(close[0], folder or '.')}'?)"


def site_link_hint(path: str, ctx: PageContext) -> str:
    """` (did you mean '../beta/'?)` for a near miss written as a page's address
    relative to the page's own (`../betx/`), suggested in the same form."""
    wanted = link_paths(path, ctx)[1]
    if not wanted:
        return ""
    folder, _, name = as_page_url(wanted).rstrip("/").rpartition("/")
    own = ctx.page_url.removeprefix(ctx.lang_prefix)
    by_name: dict[str, str] = {}  # the same folder's pages first
    for url in sorted(ctx.known_urls, key=lambda url: (not url.startswith(folder), url)):
        if url and not is_file(url) and url != own:
            by_name.setdefault(url.rstrip("/").rpartition("/")[2], url)
    close = difflib.get_close_matches(name, by_name, n=1, cutoff=0.75)
    if not close:
        return ""
    here = directory_of(ctx.page_url) or "."
    suggested = posixpath.relpath(ctx.lang_prefix + by_name[close[0]], here)
    return f" (did you mean '{suggested}/'?)"


def rewrite_link(ref: str, ctx: PageContext) -> str | None:
    number = ctx.count("a", ref)
    parts = urlsplit(ref)
    scheme = parts.scheme.lower()
    if ref.startswith(("#", "//")) or scheme in LINK_SCHEMES:
        return ref
    if scheme:
        return None  # an unsafe scheme, reported by the tree check
    target, suffix = resolve(ref, ctx)
    if (page := withheld_page(ref, target, ctx)) is not None:
        if ctx.withheld.get(ctx.page_url) is None:  # a page not published: checked when it is
            ctx.report_ref("a", ref, number, "link", page.link_message(ref), page.left_out)
        if target is None:
            return ref
        return relative(ctx.page_url, target, ctx.directory_links) + suffix
    if target is None and (failed := unchecked_file(ref, ctx)) is not None:
        ctx.skip_ref("a", ref, number, failed)
        return ref
    if target is None:
        ctx.report_ref(
            "a",
            ref,
            number,
            "link",
            f"expected a link to a page or file of this site{link_hint(parts.path, ctx)}, "
            f"found '{ref}'",
        )
        return ref
    # The page in the language the link names, else in that of the page linking to it.
    prefix = language_of_link(site_path(parts.path, ctx), ctx) or ctx.lang_prefix
    if prefix and not is_file(target) and not target.startswith(prefix):
        target = prefix + target
    return relative(ctx.page_url, target, ctx.directory_links) + suffix


def withheld_page(ref: str, target: str | None, ctx: PageContext) -> Withheld | None:
    """The page not published today that a link names, if it names one: the page it
    resolves to, or (when `build` has left the page out, so it resolves to none) the
    page its address names. A page is left out in every language, by its own address:
    a translation's link to its version in the page's language (`/es/conditions/beta/`,
    or relative to the translation's address) names it too."""
    if target is not None:
        return ctx.withheld.get(target) if target == "" or target.endswith("/") else None
    for candidate in link_paths(urlsplit(ref).path, ctx):
        url = as_page_url(candidate) if candidate is not None else None
        if url is not None and (page := ctx.withheld.get(url.removeprefix(ctx.lang_prefix))):
            return page
    return None


def rewrite_image(ref: str, ctx: PageContext) -> str | None:
    number = ctx.count("img", ref)
    parts = urlsplit(ref)
    if parts.scheme or ref.startswith("//"):
        ctx.report_ref(
            "img",
            ref,
            number,
            "image",
            "expected an image stored in content/images/ (pages load nothing from other "
            f"sites), found '{ref[:60]}'",
        )
        return None
    target, _ = resolve(ref, ctx)
    if target is None or target not in ctx.assets:
        path = parts.path
        wanted = normalise(
            path.lstrip("/")
            if path.startswith("/")
            else posixpath.join(posixpath.dirname(ctx.content_path), path)
        )
        ctx.report_ref(
            "img",
            ref,
            number,
            "image",
            f"expected an image file in content/images/, found no file at 'content/{wanted}'",
        )
        return ref
    return relative(ctx.page_url, target, ctx.directory_links)


def shown_text(element: ElementTree.Element) -> str:
    """An element's text as the screen shows it: without words kept for screen readers."""
    text = element.text or ""
    for child in element:
        if "visually-hidden" not in (child.get("class") or "").split():
            text += shown_text(child)
        text += child.tail or ""
    return text


ASCII_SIGNS = re.compile(f"[{re.escape(''.join(set(string.punctuation) - set('-_')))}]")


@functools.lru_cache(maxsize=1 << 14)  # pages share most of their headings
def slugify(text: str) -> str:
    """A heading's anchor: "What it is" -> what-it-is. Latin letters lose their accents
    ("Síntomas" -> sintomas) as Python-Markdown's toc takes them off, so every id that
    was made before stays the same; the letters, digits and marks of every other script
    are kept (NFKC), so an Arabic heading gets its own words ("الأعراض"), not `section`.
    Signs and punctuation of any script are left out, spaces become hyphens."""
    kept: list[str] = []
    with_marks = False  # whether the last character was one of another script's, kept
    for char in unicodedata.normalize("NFKC", text):
        plain = unicodedata.normalize("NFKD", char)
        kind = unicodedata.category(char)[0]
        if kind == "M":  # a mark: an accent of a Latin letter goes, another script's stays
            kept.append(char if with_marks else "")
            continue
        with_marks = not plain[0].isascii() and kind in "LN"
        if plain[0].isascii():
            kept.append("".join(part for part in plain if part.isascii()))
        elif with_marks:
            kept.append(char)
    words = ASCII_SIGNS.sub("", "".join(kept)).strip().lower()
    return re.sub(r"[-\s]+", "-", words)


def unique_id(wanted: str, used: set[str | None], last: dict[str, int] | None = None) -> str:
    """`wanted`, or `wanted_1`, `wanted_2`, ... if taken; `last` (kept across one page's
    calls) remembers the number each name got to, so 8,000 headings named alike take
    8,000 steps, not 32 million."""
    wanted = wanted or "section"
    candidate, number = wanted, (last or {}).get(wanted, 0)
    if number:
        candidate = f"{wanted}_{number}"
    while candidate in used:
        number += 1
        candidate = f"{wanted}_{number}"
    used.add(candidate)
    if last is not None:
        last[wanted] = number
    return candidate


class PageTreeprocessor(Treeprocessor):
    """Checks the tree of one page: headings, image alt text, table alignment."""

    def __init__(self, md: markdown.Markdown, owner: PageExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: ElementTree.Element) -> None:
        ctx = self.owner.context
        previous_level = 1
        used = {element.get("id") for element in root.iter() if element.get("id")}
        numbers: dict[str, int] = {}
        made: dict[tuple[str, str], int] = {}  # links and images by address, and headings
        for element in root.iter():
            tag = element.tag
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                heading = made["h", ""] = made.get(("h", ""), 0) + 1
                level = int(tag[1])
                text = "".join(element.itertext()).strip()
                if not element.get("id"):
                    element.set("id", unique_id(slugify(text), used, numbers))
                if level == 1 and ctx is not None:
                    ctx.report_ref(
                        "h",
                        "",
                        heading,
                        "heading",
                        f"expected '##' section headings (the page title is the only "
                        f"level-1 heading), found '# {text}'; it was shown as '## {text}'",
                        is_error=False,
                    )
                    element.tag, level = "h2", 2
                elif level > previous_level + 1 and ctx is not None:
                    ctx.report_ref(
                        "h",
                        "",
                        heading,
                        "heading",
                        f"expected a level-{previous_level + 1} heading next, found level "
                        f"{level} ('{text}'); skipped levels confuse screen-reader users",
                        is_error=False,
                    )
                previous_level = level
                if level == 2 and ctx is not None:
                    ctx.sections.append(
                        (element.get("id", ""), " ".join(shown_text(element).split()))
                    )
            elif tag == "img" and ctx is not None:
                src = element.get("src", "")
                number = made["img", src] = made.get(("img", src), 0) + 1
                if not (element.get("alt") or "").strip():
                    ctx.report_ref(
                        "img",
                        src,
                        number,
                        "image",
                        f"expected alt text describing the image, found none for '{src}'",
                        html=False,
                    )
            elif tag == "a" and ctx is not None:
                href = element.get("href", "")
                number = made["a", href] = made.get(("a", href), 0) + 1
                scheme = urlsplit(href).scheme.lower()
                if scheme and scheme not in LINK_SCHEMES:
                    ctx.report_ref(
                        "a",
                        href,
                        number,
                        "link",
                        f"expected a web, mailto: or tel: address, found '{href[:40]}'; "
                        "the link was removed",
                        is_error=False,
                        html=False,
                    )
            elif tag == "table":
                # Each cell names its column, so the theme can stack a table on a narrow screen.
                headers = [shown_text(th).strip() for th in element.iterfind("thead/tr/th")]
                for row in element.iterfind("tbody/tr"):
                    for cell, header in zip(row, headers, strict=False):
                        if header and cell.tag == "td":
                            cell.set("data-label", header)
            elif tag in ("td", "th") and "style" in element.attrib:
                match = ALIGN_CLASS.search(element.attrib.pop("style"))
                if match:
                    element.set("class", f"align-{match.group(1)}")


class SourceMarkerProcessor(InlineProcessor):
    """`[3]` in the text -> a link to the page's third listed source, named "source 3"
    to a screen reader in the page's language."""

    def __init__(self, pattern: str, md: markdown.Markdown, owner: PageExtension) -> None:
        super().__init__(pattern, md)
        self.owner = owner

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[ElementTree.Element, int, int]:  # noqa: N802
        number = m.group(1)
        element = ElementTree.Element("span", {"class": "source-ref"})
        element.text = "["
        link = ElementTree.SubElement(element, "a", {"href": f"#source-{number}"})
        hidden = ElementTree.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = interface_words(self.owner.context)(SOURCE_NAME) + " "
        hidden.tail = number
        link.tail = "]"
        return element, m.start(0), m.end(0)


# Blocks an editor marks with `!!!` (Python-Markdown's admonition syntax):
#
#     !!! urgent "Get help the same day if you have:"
#         - a new, severe headache
#
#     !!! evidence investigational "stem-cell treatments for glaucoma"
#
# An urgent-care card, with its own accessible name; and the evidence level of one
# treatment, where the page discusses it. The `!!!` line must start a block (a
# blank line before it); what follows, indented by 4 spaces, is the card's content.
CALLOUT_KINDS = ("urgent", "evidence")


def N_(message: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """An interface string looked up later, marked here so `make i18n-extract` finds it."""
    return message


URGENT_NAME = N_("Urgent advice:")  # read before the card's title by screen readers
URGENT_TITLE = N_("Get medical help urgently")  # for a card written with no title
SOURCE_NAME = N_("source")  # read before a source marker's number by screen readers


def interface_words(ctx: PageContext | None) -> Callable[[str], str]:
    """The interface's words in the page's language (the words as given without a page)."""
    return ctx.gettext if ctx is not None and ctx.gettext is not None else str


class CalloutProcessor(AdmonitionProcessor):
    """Python-Markdown's admonition block, but only where a `!!!` line starts a block:
    its own pattern is sought anywhere in every block, and each block that holds one
    is split there and parsed again, which a block of many `!!!` lines makes cost the
    square of its length. Here a block that does not start with `!!!` is passed over
    after looking at its first characters."""

    RE = re.compile(r'^!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *(?:\n|$)')

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        if block.startswith("!!!"):
            return self.RE.match(block) is not None
        return self.parse_content(parent, block)[0] is not None

    def get_class_and_title(self, match: re.Match[str]) -> tuple[str, str | None]:
        """The kind and the title as written (none when none is written)."""
        return super().get_class_and_title(match)[0], match.group(2) or None


class CalloutTreeprocessor(Treeprocessor):
    """Turns the blocks `CalloutProcessor` made into the theme's markup: an urgent-care
    card (a region named by its title) or a treatment's evidence level. Any other kind
    is kept as a plain box, with a warning."""

    def __init__(self, md: markdown.Markdown, owner: PageExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: ElementTree.Element) -> None:
        blocks = [
            element for element in root.iter("div")
            if (element.get("class") or "").startswith(AdmonitionProcessor.CLASSNAME + " ")
        ]  # fmt: skip
        if not blocks:
            return
        used = {element.get("id") for element in root.iter() if element.get("id")}
        ctx = self.owner.context
        written: dict[str, int] = {}
        for block in blocks:
            kind, *words = block.get("class", "").split()[1:]
            marker = " ".join(["!!!", kind, *words])
            written[marker] = written.get(marker, 0) + 1
            title = block[0] if len(block) and block[0].get("class") == "admonition-title" else None
            if kind == "urgent":
                self.urgent(block, title, used, interface_words(ctx))
            elif kind == "evidence":
                self.evidence(block, title, words, ctx, marker, written[marker])
            else:
                block.set("class", "callout")
                if title is not None:
                    title.set("class", "callout-title")
                if ctx is not None:
                    ctx.report_marker(marker, written[marker], "callout", (
                        f"expected '!!! urgent' or '!!! evidence <level>', found '!!! {kind}'; "
                        "it was shown as a plain box"), is_error=False)  # fmt: skip

    @staticmethod
    def urgent(
        block: ElementTree.Element,
        title: ElementTree.Element | None,
        used: set[str | None],
        _: Callable[[str], str],
    ) -> None:
        block.set("class", "callout callout-urgent")
        block.set("role", "region")  # a <section> would want a heading of some level
        if title is None:
            title = ElementTree.Element("p")
            title.text = _(URGENT_TITLE)
            block.insert(0, title)
        name = unique_id("urgent-advice", used)
        block.set("aria-labelledby", name)
        title.set("class", "callout-title")
        title.set("id", name)
        hidden = ElementTree.Element("span", {"class": "visually-hidden"})
        hidden.text, hidden.tail, title.text = _(URGENT_NAME) + " ", title.text, None
        title.insert(0, hidden)

    @staticmethod
    def evidence(block: ElementTree.Element, title: ElementTree.Element | None,
                 words: list[str], ctx: PageContext | None, marker: str,
                 number: int) -> None:  # fmt: skip
        levels = ctx.evidence_levels() if ctx is not None and ctx.evidence_levels else {}
        level_id = words[0] if len(words) == 1 else ""
        level = levels.get(level_id)
        if title is not None:
            block.remove(title)
        block.set("class", "evidence-note")
        if level is None:
            if ctx is not None:
                found = f"'{' '.join(words)}'" if words else "no level"
                message = (
                    "expected '!!! evidence' and one of the evidence levels defined in "
                    f"site.yaml ({', '.join(levels)}){suggestion(level_id, list(levels))}, "
                    f"found {found}"
                )
                ctx.report_marker(marker, number, "evidence", message)
            return
        line = ElementTree.Element("p")
        what = ElementTree.SubElement(line, "span", {"class": "evidence-for"})
        _ = interface_words(ctx)
        what.text = _("Evidence for") + " "
        # The title's text and inline markup, as the inline stage made them.
        if title is not None and (title.text or len(title)):
            target = ElementTree.SubElement(what, "span")
            target.text = title.text
            target.extend(list(title))
        else:
            target = ElementTree.SubElement(what, "span")
            target.text = _("this treatment")
        target.tail = ": "
        badge = ElementTree.SubElement(what, "span", {"class": f"badge badge-{level.id}"})
        badge.text = level.label
        badge.tail = f" ({level.summary}). " if level.summary else ". "
        meaning = f"/{EVIDENCE_PAGE}/#level-{level.id}"
        link = ElementTree.SubElement(line, "a", {"href": meaning})
        link.text = _("What this means")
        block.insert(0, line)


def suggestion(found: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(found, choices, n=1, cutoff=0.6) if found else []
    return f" (did you mean '{close[0]}'?)" if close else ""


class PageExtension(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.context: PageContext | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.parser.blockprocessors.register(CalloutProcessor(md.parser), "sitegen-callout", 105)
        md.treeprocessors.register(CalloutTreeprocessor(md, self), "sitegen-callout", 2)
        md.treeprocessors.register(PageTreeprocessor(md, self), "sitegen-page", 1)
        md.inlinePatterns.register(
            SourceMarkerProcessor(SOURCE_MARKER_PATTERN, md, self), "sitegen-source-marker", 175
        )


class RawHtmlScanner(HTMLParser):
    """Finds what the sanitiser will remove from an editor's raw HTML, with its position."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, int, str, str, bool]] = []

    def note(self, field_name: str, message: str, is_error: bool = False) -> None:
        line, col = self.getpos()
        self.problems.append((line, col, field_name, message, is_error))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.note("html", f"expected safe HTML, found <{tag}>; it was removed")
        for name, raw in attrs:
            value = (raw or "").strip().lower()
            if name.startswith("on"):
                self.note(
                    "html",
                    f"expected safe HTML, found the event handler '{name}' on <{tag}>; "
                    "it was removed",
                )
            elif name == "style":
                self.note(
                    "html",
                    f"expected no inline style (the theme styles pages), found a style on "
                    f"<{tag}>; it was removed",
                )
            elif name in ("href", "src") and value.startswith(UNSAFE_SCHEMES):
                self.note(
                    "html",
                    f"expected a safe address, found '{value[:30]}' in <{tag} {name}>; "
                    "it was removed",
                )
        src = dict(attrs).get("src") or ""
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.note(
                "image", f"expected alt text describing the image, found none for '{src}'", True
            )


# What a piece of text must contain for an inline pattern to match in it (any one
# of them), by the pattern's regular expression: each of these needs a literal.
INLINE_NEEDS: dict[str, frozenset[str]] = {
    inlinepatterns.BACKTICK_RE: frozenset("`"),
    inlinepatterns.ESCAPE_RE: frozenset("\\"),
    r"\[\^([^\]]*)\]": frozenset("["),  # footnote references
    SOURCE_MARKER_PATTERN: frozenset("["),
    inlinepatterns.LINK_RE: frozenset("["),  # also REFERENCE_RE and short references
    inlinepatterns.IMAGE_LINK_RE: frozenset("["),  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: frozenset("<"),
    inlinepatterns.AUTOMAIL_RE: frozenset("<"),
    inlinepatterns.LINE_BREAK_RE: frozenset({"  \n"}),
    inlinepatterns.HTML_RE: frozenset("<"),
    inlinepatterns.ENTITY_RE: frozenset("&"),
    r"\*|_": frozenset("*_"),  # strong and emphasis (DelimiterProcessor)
}
INLINE_TOKENS = re.compile(r"[`\\\[<&*_]|  \n")  # every literal INLINE_NEEDS names


class GatedInlineProcessor(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline stage, which tries each of its 16 inline patterns on
    every piece of text, minus the tries that cannot match: a pattern is skipped
    on text lacking what it needs (`INLINE_NEEDS`), exactly as if it had not
    matched there. Most text has no `[`, `<`, `*` or the like, so most tries are
    skipped, and they were a large part of rendering a page.

    It replaces the private method that does the tries; the output is the same as
    the stock stage's (tested on every kind of inline markup). What a text holds
    is looked at once: a match only puts a placeholder in place of the text it
    matched, so a pattern that could not match before cannot match after.

    Because it replaces a private (name-mangled) method, it is used only with the
    Python-Markdown it was written against (`GATED_FOR`); with any other the stock
    stage runs, and `inline_stage()` says so once.
    """

    def run(
        self, tree: ElementTree.Element, ancestors: list[str] | None = None
    ) -> ElementTree.Element:
        self.patterns = list(self.inlinePatterns)
        self.needs = [INLINE_NEEDS.get(getattr(p, "pattern", None) or "") for p in self.patterns]
        self.plans: dict[frozenset[str], list[int]] = {}
        return super().run(tree, ancestors)

    def plan(self, present: frozenset[str]) -> list[int]:
        """The patterns worth trying on a text holding the tokens `present`, in order."""
        if present not in self.plans:
            self.plans[present] = [
                index
                for index, needs in enumerate(self.needs)
                if needs is None or not needs.isdisjoint(present)
            ]
        return self.plans[present]

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 - Markdown's names
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        tried = [i for i in self.plan(frozenset(INLINE_TOKENS.findall(data))) if i >= patternIndex]
        position, start = 0, 0
        while position < len(tried):
            index = tried[position]
            data, matched, start = apply(self.patterns[index], data, index, start)
            if not matched:
                position += 1
        return data


class QuickTableProcessor(TableProcessor):
    """Python-Markdown's table processor, which tells at once that a block whose first
    line has no `|` is not a table (its own test would find the same after splitting
    the whole block into lines, and a long block is tested once for each of its lines)."""

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        end = block.find("\n")
        return "|" in block[: end if end >= 0 else len(block)] and super().test(parent, block)


GATED_FOR = "3.11.3"  # the Python-Markdown whose inline stage GatedInlineProcessor replaces


@functools.cache
def inline_stage(version: str) -> type[markdown.treeprocessors.InlineProcessor] | None:
    """The inline stage to use with Python-Markdown `version`: ours for the version it
    was written against, None (Python-Markdown's own) for any other, with a warning."""
    if version == GATED_FOR:
        return GatedInlineProcessor
    warnings.warn(
        f"sitegen: Python-Markdown {version} is installed, not the {GATED_FOR} that "
        "sitegen's faster inline stage was written for; its own stage is used (the same "
        "pages, rendered about a quarter slower). `make setup` installs the pinned version.",
        RuntimeWarning,
        stacklevel=2,
    )
    return None


class MarkdownConverter:
    """One Markdown instance, reused page after page (`reset()` between them)."""

    def __init__(self) -> None:
        self.extension = PageExtension()
        self.md = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, self.extension],
            output_format="html",
        )
        gated = inline_stage(markdown.__version__)
        if gated is not None:
            self.md.treeprocessors.register(gated(self.md), "inline", 20)
        self.limits = InlineLimits(self.md)
        self.md.treeprocessors.register(self.limits, "sitegen-limits", 21)  # just before inline
        table = self.md.parser.blockprocessors["table"]
        self.md.parser.blockprocessors.register(
            QuickTableProcessor(self.md.parser, table.config),
            "table",
            75,  # as the extension
        )

    def convert(self, text: str, ctx: PageContext) -> tuple[str, list[Finding]]:
        self.extension.context = ctx
        self.limits.wanted = marks_in(text) > MAX_MARKS  # a paragraph has at most the text's
        try:
            self.md.reset()
            html = self.md.convert(text)
            self._scan_raw_html(ctx)
        except MarkupLimitError as exc:
            line = ctx.line_of(exc.text)
            return "", [*ctx.findings, error(ctx.display_path, line, 1, *exc.problem)]
        finally:
            self.extension.context = None
        clean = nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=LINK_SCHEMES,
            link_rel=None,
            strip_comments=True,
            attribute_filter=lambda tag, name, value: self._filter(tag, name, value, ctx),
        )
        return clean, ctx.findings

    @staticmethod
    def _filter(tag: str, name: str, value: str, ctx: PageContext) -> str | None:
        if tag == "a" and name == "href":
            return rewrite_link(value, ctx)
        if tag == "img" and name == "src":
            return rewrite_image(value, ctx)
        if tag == "div" and name == "role":
            return value if value == "region" else None
        return value

    def _scan_raw_html(self, ctx: PageContext) -> None:
        seen: dict[str, int] = {}
        for block in self.md.htmlStash.rawHtmlBlocks:
            if not isinstance(block, str) or "<" not in block:
                continue
            scanner = RawHtmlScanner()
            scanner.feed(block)
            scanner.close()
            if not scanner.problems:
                continue
            written = block.strip()
            seen[written] = seen.get(written, 0) + 1  # the same HTML written again
            start_line, start_col = ctx.written_html(written, seen[written])
            for line, col, field_name, message, is_error in scanner.problems:
                found_col = col + 1 if line > 1 else start_col + col
                make = error if is_error else warning
                ctx.findings.append(
                    make(
                        ctx.display_path,
                        start_line + line - 1,
                        found_col,
                        field_name,
                        message,
                    )
                )


# Prose only, for the claims linter and the reading grade ----------------------------

REFERENCE_HEADINGS = re.compile(
    r"^(#{1,6})\s*(?:sources|references|further reading|bibliography)\s*#*\s*$",
    re.IGNORECASE | re.MULTILINE,
)

NOT_NEWLINE = re.compile(r"[^\n]")
FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]+`")
HTML_TAG = re.compile(r"<[^<>\n]+>")  # no `<` inside: each `<` is looked past once
LINK_ADDRESS = re.compile(r"\]\([^()\n]*\)")
DEFINITION = re.compile(r"^[ \t]*\[\^?[^\]\n]+\]:.*(?:\n[ \t]+.*)*", re.MULTILINE)
BARE_URL = re.compile(r"https?://\S+")


def blank_match(match: re.Match[str]) -> str:
    return NOT_NEWLINE.sub(" ", match.group(0))


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of `spans` (in order, not overlapping) blanked, in one pass."""
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], _blank_text(text[start:end])]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def fenced_code(text: str) -> list[tuple[int, int]]:
    """The spans of fenced code blocks (one left open runs to the end)."""
    spans: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for fence in FENCE.finditer(text):
        if opened is None:
            opened = fence
        elif fence.group(1) == opened.group(1):
            end = text.find("\n", fence.end())
            spans.append((opened.start(), len(text) if end < 0 else end))
            opened = None
    if opened is not None:
        spans.append((opened.start(), len(text)))
    return spans


def html_comments(text: str) -> list[tuple[int, int]]:
    """The spans of HTML comments (an unclosed one runs to the end, as in HTML)."""
    spans: list[tuple[int, int]] = []
    start = text.find("<!--")
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            spans.append((start, len(text)))
            break
        spans.append((start, end + 3))
        start = text.find("<!--", end + 3)
    return spans


def reference_sections(text: str) -> list[tuple[int, int]]:
    """The spans of sections headed Sources, References and the like, each up to the
    next heading of its level or higher."""
    spans: list[tuple[int, int]] = []
    headings = [(m.start(), len(m.group(1))) for m in re.finditer(r"^(#{1,6})\s", text, re.M)]
    starts = [at for at, _ in headings]
    for heading in REFERENCE_HEADINGS.finditer(text):
        if spans and heading.start() < spans[-1][1]:
            continue  # inside a section already blanked: each heading is looked at once
        level, end = len(heading.group(1)), len(text)
        for at, depth in headings[bisect.bisect_right(starts, heading.start()) :]:
            if depth <= level:
                end = at
                break
        spans.append((heading.start(), end))
    return spans


@functools.lru_cache(maxsize=8)  # the quality checks mask each body twice in a row
def mask_markdown(body: str) -> str:
    """The body with everything that is not prose blanked out, positions unchanged.

    Blanked: code, HTML comments and tags, link and image addresses, footnote and
    reference definitions, and sections headed Sources / References. Every step is
    linear in the text, so hostile text (20,000 unclosed `<!--`) costs no more than
    prose of its length.
    """
    text = blanked(body, fenced_code(body))
    text = INLINE_CODE.sub(blank_match, text)
    text = blanked(text, html_comments(text))
    text = HTML_TAG.sub(blank_match, text)
    text = LINK_ADDRESS.sub(lambda m: "]" + blank_match(m)[1:], text)
    text = DEFINITION.sub(blank_match, text)
    text = BARE_URL.sub(blank_match, text)
    return blanked(text, reference_sections(text))


def _blank_text(text: str) -> str:
    return NOT_NEWLINE.sub(" ", text)
