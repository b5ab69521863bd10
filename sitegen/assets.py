"""Files copied into the site as they are (`content/images/`): only kinds that cannot run.

A file published on the site's origin and opened at its own address is a document
of that origin: an HTML page, a script or an SVG drawing with a script in it could
read and change every page of the site, and no page's Content-Security-Policy
applies to it. So `content/images/` may hold only raster images (PNG, JPEG, GIF,
WebP, AVIF), SVG drawings and PDF documents, each recognised by its first bytes
as well as its name; anything else is refused with a finding.

SVG is XML that can hold scripts, event handlers, links that run code, pages
(`<foreignObject>`) and references to other sites. An SVG is parsed (expat, with
no document type allowed, so no entity can expand or read a file) and refused,
with each problem named at its line, if it holds any of those. Nothing is
rewritten: a drawing published is byte for byte the file the editor made, and an
editor can see what was wrong and export it again without it.

The build still copies a refused file's name into the site's list of files (a
page that shows it then gets no second, misleading "no such file" finding): the
refusal is an error, and a build with errors writes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from .findings import Finding, error, warning

IMAGES_FIELD = "images"
SVG_FIELD = "svg"
MOST_PROBLEMS = 10  # an SVG's problems reported at once; more are hidden behind these


def is_avif(head: bytes) -> bool:
    """An ISO media file (`ftyp` box) whose brands include AVIF's."""
    if head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(size, len(head)), 4)]
    return b"avif" in brands or b"avis" in brands


def is_svg(head: bytes) -> bool:
    """Text that starts with markup (the parse that follows decides the rest)."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


@dataclass(frozen=True)
class Kind:
    """One kind of file allowed in content/images/."""

    name: str  # with its article: "a PNG image"
    suffixes: tuple[str, ...]
    matches: Callable[[bytes], bool]  # given the file's first bytes


SVG_KIND = Kind("an SVG drawing", (".svg",), is_svg)
KINDS = (
    Kind("a PNG image", (".png",), lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    Kind("a JPEG image", (".jpg", ".jpeg"), lambda head: head.startswith(b"\xff\xd8\xff")),
    Kind("a GIF image", (".gif",), lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    Kind("a WebP image", (".webp",), lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    Kind("an AVIF image", (".avif",), is_avif),
    SVG_KIND,
    Kind("a PDF document", (".pdf",), lambda head: head.startswith(b"%PDF-")),
)
BY_SUFFIX = {suffix: kind for kind in KINDS for suffix in kind.suffixes}
ALLOWED = (
    "a PNG, JPEG, GIF, WebP or AVIF image, an SVG drawing or a PDF document "
    f"({' '.join(BY_SUFFIX)})"
)
HEAD_BYTES = 64


def shown(text: str, limit: int = 60) -> str:
    """`text` quoted for a finding: one line, unprintable characters as escapes."""
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return "'" + "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text) + "'"


def check_file(path: Path, shown_path: str) -> list[Finding]:
    """The findings of one file of content/images/: its kind, and an SVG's content."""
    suffix = path.suffix.lower()
    kind = BY_SUFFIX.get(suffix)
    if kind is None:
        found = f"a '{suffix}' file" if suffix else "a file with no extension"
        return [error(shown_path, 1, 1, IMAGES_FIELD, f"expected {ALLOWED}, found {found}")]
    try:
        with open(path, "rb") as file:
            data = file.read() if kind is SVG_KIND else file.read(HEAD_BYTES)
    except OSError as exc:
        return [error(shown_path, 1, 1, IMAGES_FIELD, f"expected a readable file, found {exc}")]
    head = data[:HEAD_BYTES]
    if not kind.matches(head):
        actual = next((k for k in KINDS if k is not SVG_KIND and k.matches(head)), None)
        if not data:
            found = "an empty file"
        elif actual:
            found = f"bytes that begin like {actual.name} (give it a {actual.suffixes[0]} name)"
        elif is_svg(head):
            found = f"text that begins with markup: {shown(head.decode('utf-8', 'replace'), 30)}"
        else:
            found = f"bytes of none of the allowed kinds ({ALLOWED})"
        message = f"expected {kind.name}, as its name says, found {found}"
        return [error(shown_path, 1, 1, IMAGES_FIELD, message)]
    if kind is not SVG_KIND:
        return []
    return check_svg(data, shown_path) or small_labels(data, shown_path)


Stamp = tuple[int, int, int, int]
_checked: dict[str, tuple[Stamp, list[Finding]]] = {}


def check_assets(assets: dict[str, Path], shown: Callable[[str], str]) -> list[Finding]:
    """The findings of every file of content/images/ (`assets`: path in content/ -> file;
    `shown(path in content/)`: the path a finding names). A file checked before is not
    read again while its size, times and inode are the same (`serve` rebuilds often)."""
    findings: list[Finding] = []
    for name, path in sorted(assets.items()):
        key = os.fspath(path)
        try:
            info = os.stat(key)
            stamp = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
        except OSError:
            stamp = (0, 0, -1, 0)
        known = _checked.get(key)
        if known is None or known[0] != stamp or stamp[2] < 0:
            known = _checked[key] = (stamp, check_file(path, shown(name)))
        findings += known[1]
    return findings


# SVG ----------------------------------------------------------------------------------

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
ACTIVE_NAMESPACES = {  # elements a browser gives meaning (and links, scripts) inside an SVG
    "http://www.w3.org/1999/xhtml": "HTML",
    "http://www.w3.org/1998/Math/MathML": "MathML",
}
DRAWING_ELEMENTS = frozenset(
    """a animate animateMotion animateTransform circle clipPath defs desc ellipse feBlend
    feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence filter g image line linearGradient
    marker mask metadata mpath path pattern polygon polyline radialGradient rect set stop
    style svg switch symbol text textPath title tspan use view""".split()  # noqa: SIM905
)
ANIMATIONS = frozenset({"animate", "animateMotion", "animateTransform", "set"})
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|avif)(;base64)?,", re.IGNORECASE)
LINK_SCHEMES = ("http:", "https:", "mailto:")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
URL_CUTS = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL
CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\n|(.))", re.DOTALL)
CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)]*))", re.IGNORECASE)
CSS_DANGERS = re.compile(
    r"@import|(?<![\w-])(?:-webkit-)?image-set\s*\(|(?<![\w-])(?:-webkit-)?cross-fade\s*\("
    r"|(?<![\w-])image\s*\(|(?<![\w-])(?:-moz-)?element\s*\(|(?<![\w-])src\s*\("
    r"|expression\s*\(|-moz-binding|(?<![\w-])behavior\s*:|javascript:|vbscript:",
    re.IGNORECASE,
)
TAG_ATTRIBUTE = re.compile(rb"""\s([^\s=/>"']+)\s*=\s*("[^"]*"|'[^']*')""")


def css_unescaped(css: str) -> str:
    """CSS as a browser reads it: comments gone, escapes (`\\75 rl(`) decoded."""

    def decode(match: re.Match[str]) -> str:
        code, char = match.groups()
        if code:
            value = int(code, 16)
            return chr(value) if 0 < value < 0x110000 and not 0xD800 <= value < 0xE000 else "?"
        return char or ""

    return CSS_ESCAPE.sub(decode, CSS_COMMENT.sub(" ", css))


def css_problem(css: str) -> str | None:
    """What in a style sheet or `style` attribute could load from elsewhere or run
    code: `url()` to anything but `#id`, `@import`, `image-set()`, `expression()`, ...
    None if nothing."""
    text = css_unescaped(css)
    for match in CSS_URL.finditer(text):
        target = next(part for part in match.groups() if part is not None).strip()
        if not target.startswith("#"):
            return f"url({shown(target, 40)[1:-1]})"
    danger = CSS_DANGERS.search(text)
    return danger.group() if danger else None


def url_of(value: str) -> str:
    """An attribute's URL as a browser reads it: tabs and newlines dropped, ends trimmed."""
    return URL_CUTS.sub("", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                         "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                         "\x1a\x1b\x1c\x1d\x1e\x1f ")  # fmt: skip


def link_problem(element: str, in_svg: bool, value: str) -> str | None:
    """What is wrong with `href` on `element`, or None. A link (`<a>`) may go to a web
    page; an image may be embedded as data; anything else may only point inside the
    drawing (`#id`)."""
    url = url_of(value)
    if url.startswith("#"):
        return None
    if element == "a" or not in_svg:
        scheme = SCHEME.match(url)
        if url.startswith("//") or scheme is None or url.lower().startswith(LINK_SCHEMES):
            return None
        return "a link to a web page (http:, https:, mailto: or a path of this site)"
    if element in ("image", "feImage"):
        if EMBEDDED_IMAGE.match(url):
            return None
        return (
            "an image embedded in the drawing (data:image/png;base64,...) or a reference "
            "inside it (#id)"
        )
    return "a reference inside the drawing (#id)"


class SvgProblems:
    """The problems of one SVG drawing, found while expat parses it."""

    def __init__(self, data: bytes, shown_path: str) -> None:
        self.data = data
        self.shown_path = shown_path
        self.findings: list[Finding] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.ProcessingInstructionHandler = self.instruction
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.ExternalEntityRefHandler = self.external_entity
        self.elements = 0
        self.style: list[str] | None = None  # the text of the <style> being read
        self.style_at: tuple[int, int] | None = None  # where that text starts

    def position(self, offset: int | None = None) -> tuple[int, int]:
        """Line and column of byte `offset` (default: where the parser is), from 1."""
        if offset is None:
            return self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        column = len(self.data[line_start:offset].decode("utf-8", "replace")) + 1
        return self.data.count(b"\n", 0, offset) + 1, column

    def report(self, expected: str, found: str, at: tuple[int, int] | None = None) -> None:
        if len(self.findings) < MOST_PROBLEMS:
            line, col = at or self.position()
            message = f"expected {expected}, found {found}"
            self.findings.append(error(self.shown_path, line, col, SVG_FIELD, message))

    def check(self) -> list[Finding]:
        try:
            self.parser.Parse(self.data, True)
        except UnsafeDocumentError:
            pass
        except expat.ExpatError as exc:
            problem = expat.ErrorString(exc.code)
            self.report(
                "well-formed XML", f"a syntax error: {problem}", (exc.lineno, exc.offset + 1)
            )
        return self.findings

    # expat's handlers ---------------------------------------------------------------

    def doctype(self, name: str, *_: object) -> None:
        start = self.data.rfind(b"<!DOCTYPE", 0, self.parser.CurrentByteIndex + 1)
        self.report(
            "no <!DOCTYPE> (a document type can declare entities that expand without bound "
            "or read other files; delete it)",
            f"<!DOCTYPE {name}>",
            self.position(start) if start >= 0 else None,
        )
        raise UnsafeDocumentError

    def instruction(self, target: str, _: str) -> None:
        self.report(
            "no processing instructions (<?xml-stylesheet?> loads a style sheet)",
            f"<?{target}?>",
        )

    def external_entity(self, *_: object) -> int:
        self.report("no external entities", "a reference to one")
        raise UnsafeDocumentError

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, element = name.rpartition(" ")
        tag_at = self.parser.CurrentByteIndex
        self.elements += 1
        if self.elements == 1 and (namespace, element) != (SVG, "svg"):
            self.report(f'the root element <svg xmlns="{SVG}">', self.described(namespace, element))
        if namespace in ACTIVE_NAMESPACES:
            kind = ACTIVE_NAMESPACES[namespace]
            self.report("SVG drawing elements only", f"the {kind} element <{element}>")
        elif namespace == SVG and element == "script":
            self.report("no scripts in an SVG", "<script>")
        elif namespace == SVG and element == "foreignObject":
            self.report("SVG drawing elements only", "<foreignObject>, which can hold a web page")
        elif namespace == SVG and element not in DRAWING_ELEMENTS:
            self.report("SVG drawing elements only", f"<{element}>")
        for key, value in attributes.items():
            self.check_attribute(namespace == SVG, element, key, value, tag_at)
        if namespace == SVG and element == "style":
            self.style = []
            self.style_at = None

    def end(self, name: str) -> None:
        if self.style is not None and name == f"{SVG} style":
            problem = css_problem("".join(self.style))
            if problem:
                self.report(
                    "a style sheet that loads nothing (url(#id) only)",
                    f"{problem} in <style>",
                    self.style_at,
                )
            self.style = None

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style_at = self.style_at or self.position()
            self.style.append(data)

    # ------------------------------------------------------------------------------

    @staticmethod
    def described(namespace: str, element: str) -> str:
        return f"<{element}>" + (
            f' in the namespace "{namespace}"' if namespace else " with no namespace"
        )

    def attribute_at(self, tag_at: int, local: str) -> tuple[int, int]:
        """Where the attribute named `local` (any prefix) is written in the tag at `tag_at`."""
        end = self.data.find(b">", tag_at)
        tag = self.data[tag_at : end if end >= 0 else len(self.data)]
        for match in TAG_ATTRIBUTE.finditer(tag):
            if match.group(1).split(b":")[-1].decode("utf-8", "replace") == local:
                return self.position(tag_at + match.start(1))
        return self.position(tag_at)

    def check_attribute(
        self, in_svg: bool, element: str, key: str, value: str, tag_at: int
    ) -> None:
        namespace, _, local = key.rpartition(" ")
        written = f"{'xlink:' if namespace == XLINK else 'xml:' if namespace == XML else ''}{local}"

        def report(expected: str, found: str) -> None:
            self.report(expected, f"{found} on <{element}>", self.attribute_at(tag_at, local))

        if local.lower().startswith("on"):
            report("no event handlers", f"{written}=")
        elif (local in ("href", "src") and not namespace) or (namespace, local) == (XLINK, "href"):
            problem = link_problem(element, in_svg, value)
            if problem:
                report(problem, f"{written}={shown(value)}")
        elif namespace == XML and local == "base":
            report("no xml:base (it changes where links go)", "xml:base=")
        elif in_svg and element in ANIMATIONS and local == "attributeName":
            target = value.strip().lower().rpartition(":")[2]
            if target in ("href", "src") or target.startswith("on") or target == "style":
                report(
                    "an animation that does not change links, styles or event handlers",
                    f"attributeName={shown(value)}",
                )
        if local == "style" or "url(" in value.lower() or "\\" in value:
            problem = css_problem(value)
            if problem and not local.lower().startswith("on"):
                report("a style that loads nothing (url(#id) only)", f"{problem} in {written}=")


class UnsafeDocumentError(Exception):
    """Raised from an expat handler to stop reading a drawing that must not be read on."""


def check_svg(data: bytes, shown_path: str) -> list[Finding]:
    """The problems of an SVG drawing's content, each at its line (none if it is inert)."""
    return SvgProblems(data, shown_path).check()


# Labels a phone can read ------------------------------------------------------------

# A drawing in a page is at most as wide as the page's column: 284 CSS px on a 320 px
# phone (the screen less the page's margins of 1rem, 18 px there). Its text is scaled
# with it, and text under 12 px is hard to read for most people over 50.
NARROWEST_COLUMN = 284
SMALLEST_LABEL = 12
NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px|em|%)?\s*$")
STYLE_FONT_SIZE = re.compile(r"font-size\s*:\s*([^;]+)")


def length(value: str | None, inherited: float = 16.0) -> float | None:
    """A font size or width in user units, px, em or % (of `inherited`); None for
    anything else (absent, a keyword, another unit)."""
    found = NUMBER.match(value or "")
    if not found:
        return None
    number, unit = float(found.group(1)), found.group(2)
    if unit == "em":
        return number * inherited
    return number * inherited / 100 if unit == "%" else number


def small_labels(data: bytes, shown_path: str) -> list[Finding]:
    """A warning for a drawing whose smallest text would be shown under 12 px on a
    320 px phone, at the line of that text. Sizes are followed in user units, px, em
    and % (inherited from the elements around them; a style sheet's are not); a
    drawing is taken to be shown at its `width` or the column's, whichever is less,
    scaled from its viewBox."""
    parser = expat.ParserCreate(namespace_separator=" ")
    sizes: list[float] = [16.0]  # the browser's default font size
    scale: list[float] = []
    smallest: list[tuple[float, int, int]] = []  # (size on the phone, line, column)

    def start(name: str, attributes: dict[str, str]) -> None:
        element = name.rpartition(" ")[2]
        if not scale:  # the root <svg>
            box = (attributes.get("viewBox") or "").replace(",", " ").split()
            width = length(attributes.get("width"), NARROWEST_COLUMN)
            shown = min(width or NARROWEST_COLUMN, NARROWEST_COLUMN)
            drawn = float(box[2]) if len(box) == 4 and length(box[2]) else width or shown
            scale.append(shown / drawn if drawn > 0 else 1.0)
        styled = STYLE_FONT_SIZE.search(attributes.get("style", ""))
        size = length(styled.group(1) if styled else attributes.get("font-size"), sizes[-1])
        sizes.append(size if size is not None else sizes[-1])
        if element in ("text", "tspan", "textPath"):
            on_phone = sizes[-1] * scale[0]
            if not smallest or on_phone < smallest[0][0]:
                smallest[:] = [(on_phone, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)]

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: sizes.pop()
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return []  # check_svg reports it
    if not smallest or smallest[0][0] >= SMALLEST_LABEL:
        return []
    size, line, column = smallest[0]
    return [
        warning(
            shown_path, line, column, SVG_FIELD,
            f"expected text at least {SMALLEST_LABEL} px tall on a 320 px phone (a drawing is "
            f"shown at most {NARROWEST_COLUMN} px wide there), found text of {size:.1f} px; "
            "make the labels larger or draw a narrower version",
        )
    ]  # fmt: skip


# What a host must send ------------------------------------------------------------------

# The pages' own policy, written in each page's meta tag (templates/base.html): this
# site's files only, no inline script or style, no plug-ins, no <base>.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)
# For a file of content/images/ opened at its own address (an SVG drawing is then a
# document of the site): nothing runs and nothing loads but its own embedded images
# and inline styles. `sandbox` is kept to SVG: Safari has been reported to show some
# PDFs blank under it (Chromium 156 shows them: it drops a PDF's policy for its viewer).
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
DRAWING_POLICY = f"{FILE_POLICY}; sandbox"
NO_FRAMING = "frame-ancestors 'none'"  # a header can say it, a meta tag cannot
HEADERS_FILE = "_headers"
SITE_HEADERS = (
    ("Content-Security-Policy", f"{PAGE_POLICY}; {NO_FRAMING}"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)


def header_rules(base_path: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each path pattern of the site (under `base_path`, like `/` or `/info/`) with the
    headers a response for it must carry, broadest first: a later rule's value of a
    header replaces an earlier one's where a host lets rules override (Netlify), and
    is enforced as well where a host joins them (Cloudflare Pages), which is stricter."""
    return [
        (f"{base_path}*", list(SITE_HEADERS)),
        (f"{base_path}images/*", [("Content-Security-Policy", f"{FILE_POLICY}; {NO_FRAMING}")]),
        (
            f"{base_path}images/*.svg",
            [("Content-Security-Policy", f"{DRAWING_POLICY}; {NO_FRAMING}")],
        ),
    ]


def headers_file(base_path: str) -> str:
    """The `_headers` file (the format of Netlify and Cloudflare Pages) for a site
    published under `base_path`."""
    lines = [
        "# Response headers for hosts that read this file (Netlify, Cloudflare Pages).",
        "# Other hosts must send the same: see sitegen's README, 'Publishing the site'.",
    ]
    for pattern, headers in header_rules(base_path):
        lines += ["", pattern, *(f"  {name}: {value}" for name, value in headers)]
    return "\n".join(lines) + "\n"
