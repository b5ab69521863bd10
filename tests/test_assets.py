"""Files in content/images/: only inert kinds are published, and SVGs hold no active content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from host_headers import header_rules_of, headers_for

from conftest import ROOT, build_site, run_cli
from sitegen.assets import check_file, check_svg, css_problem, small_labels

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10"
AVIF = b"\x00\x00\x00\x20ftypavif\x00\x00\x00\x00avifmif1miafMA1B"
AVIF_COMPATIBLE = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
XLINK_NS = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
DOT = f'<svg {SVG_NS} viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'.encode()
ALLOWED_KINDS = (
    "a PNG, JPEG, GIF, WebP or AVIF image, an SVG drawing or a PDF document "
    "(.png .jpg .jpeg .gif .webp .avif .svg .pdf)"
)


def findings_of(tmp_path: Path, name: str, data: bytes) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    return [str(finding) for finding in check_file(path, f"content/images/{name}")]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", PNG),
        ("photo.jpg", JPEG),
        ("PHOTO.JPEG", JPEG),
        ("anim.gif", GIF),
        ("photo.webp", WEBP),
        ("photo.avif", AVIF),
        ("other-brand.avif", AVIF_COMPATIBLE),
        ("leaflet.pdf", PDF),
        ("dot.svg", DOT),
        ("bom.svg", b"\xef\xbb\xbf\n  " + DOT),
    ],
)
def test_the_allowed_kinds_pass(tmp_path: Path, name: str, data: bytes):
    assert findings_of(tmp_path, name, data) == []


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("page.html", "a '.html' file"),
        ("page.htm", "a '.htm' file"),
        ("page.xhtml", "a '.xhtml' file"),
        ("app.js", "a '.js' file"),
        ("app.mjs", "a '.mjs' file"),
        ("theme.css", "a '.css' file"),
        ("data.xml", "a '.xml' file"),
        ("drawing.svgz", "a '.svgz' file"),
        ("movie.swf", "a '.swf' file"),
        ("README", "a file with no extension"),
        ("_headers", "a file with no extension"),
    ],
)
def test_other_kinds_are_refused_by_name(tmp_path: Path, name: str, found: str):
    assert findings_of(tmp_path, name, b"<script>alert(1)</script>") == [
        f"content/images/{name}:1:1: images: expected {ALLOWED_KINDS}, found {found}"
    ]


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("photo.png", b"<html><script>alert(1)</script></html>", "text that begins with markup: '<html><script>alert(1)</scr...'"),
        ("photo.png", JPEG, "bytes that begin like a JPEG image (give it a .jpg name)"),
        ("photo.jpg", PNG, "bytes that begin like a PNG image (give it a .png name)"),
        ("leaflet.pdf", b"<!doctype html><p>not a PDF", "text that begins with markup: '<!doctype html><p>not a PDF'"),
        ("photo.gif", b"", "an empty file"),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", f"bytes of none of the allowed kinds ({ALLOWED_KINDS})"),
        ("photo.avif", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", f"bytes of none of the allowed kinds ({ALLOWED_KINDS})"),
        ("drawing.svg", PNG, "bytes that begin like a PNG image (give it a .png name)"),
        ("drawing.svg", b"alert(1)//<svg>", f"bytes of none of the allowed kinds ({ALLOWED_KINDS})"),
    ],
)  # fmt: skip
def test_a_file_whose_bytes_are_not_what_its_name_says_is_refused(
    tmp_path: Path, name: str, data: bytes, found: str
):
    kind = {"png": "a PNG image", "jpg": "a JPEG image", "gif": "a GIF image", "pdf": "a PDF document",
            "webp": "a WebP image", "avif": "an AVIF image", "svg": "an SVG drawing"}[name.rsplit(".")[1]]  # fmt: skip
    assert findings_of(tmp_path, name, data) == [
        f"content/images/{name}:1:1: images: expected {kind}, as its name says, found {found}"
    ]


def test_the_sample_drawing_passes_unchanged():
    drawing = ROOT / "content/images/visual-pathway.svg"
    assert check_svg(drawing.read_bytes(), "content/images/visual-pathway.svg") == []


def drawing(root: str, body: str) -> bytes:
    return f"<svg {SVG_NS} {root}>\n{body}\n</svg>".encode()


@pytest.mark.parametrize(
    ("root", "body", "found"),
    [
        # 900 units shown 284 px wide: 16 units become 5 px (the sample diagram before).
        ('viewBox="0 0 900 420" width="900"', '<text font-size="16">Cornea</text>', 5.0),
        # The size inherited from a group's style, in px.
        ('viewBox="0 0 600 100"', '<g style="font-size: 18px"><text>A</text></g>', 8.5),
        # No viewBox: user units are px, scaled down from the width to the column.
        ('width="568"', '<text font-size="20">A</text>', 10.0),
        # The default 16 px, in a drawing twice as wide as the column.
        ('viewBox="0 0 568 100"', "<text>A</text>", 8.0),
    ],
)
def test_labels_too_small_on_a_phone_are_a_warning_at_their_line(root, body, found):
    (finding,) = small_labels(drawing(root, body), "images/d.svg")
    assert finding.severity.value == "warning" and finding.line == 2
    assert str(finding) == (
        "images/d.svg:2:"
        + str(finding.col)
        + ": warning: svg: expected text at least 12 px tall on a "
        "320 px phone (a drawing is shown at most 284 px wide there), found text of "
        f"{found:.1f} px; make the labels larger or draw a narrower version"
    )


@pytest.mark.parametrize(
    ("root", "body"),
    [
        ('viewBox="0 0 340 640" width="340"', '<text font-size="20">Eye</text>'),
        ('viewBox="0 0 100 50"', '<text font-size="5">Small units, drawn large</text>'),
        ('width="200"', '<text font-size="12">Shown at its own width</text>'),
        ('viewBox="0 0 300 100"', '<g font-size="10"><text font-size="200%">Relative</text></g>'),
    ],
)
def test_labels_readable_on_a_phone_pass(root, body):
    assert small_labels(drawing(root, body), "images/d.svg") == []


def test_the_sample_drawing_s_labels_are_at_least_16_px_on_a_phone():
    data = (ROOT / "content/images/visual-pathway.svg").read_bytes()
    assert small_labels(data, "d.svg") == []
    sizes = [float(size) for size in re.findall(rb'font-size="([0-9.]+)"', data)]
    assert min(sizes) * 284 / 340 >= 16


EDITOR_EXPORT = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with an editor -->
<svg {SVG_NS} {XLINK_NS}
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
   width="210mm" height="297mm" viewBox="0 0 210 297" inkscape:version="1.3">
  <sodipodi:namedview id="view" pagecolor="#ffffff" inkscape:zoom="0.5"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>
    <cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></cc:Work></rdf:RDF></metadata>
  <defs>
    <linearGradient id="g"><stop offset="0" style="stop-color:#ff0000;stop-opacity:1"/></linearGradient>
    <filter id="blur"><feGaussianBlur stdDeviation="2"/></filter>
    <symbol id="dot"><circle r="2"/></symbol>
    <style type="text/css"><![CDATA[ .a {{ fill: url(#g); }} /* a comment */ .b {{ fill: url( '#g' ) }} ]]></style>
  </defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer">
    <rect class="a" width="10" height="10" style="fill:url(#g);filter:url(#blur)" clip-path="url(#g)"/>
    <use href="#dot" x="5"/><use xlink:href="#dot" x="9"/>
    <image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>
    <a href="https://example.org/more" target="_blank"><text x="1" y="9">More</text></a>
    <a xlink:href="../conditions/glaucoma/"><text>Glaucoma</text></a>
    <a href="mailto:info@example.org"><text>Write</text></a>
    <animate attributeName="opacity" from="0" to="1" dur="2s"/>
    <text><tspan>Caf&#233; &amp; more</tspan></text>
  </g>
</svg>
"""


def test_what_drawing_programs_export_passes():
    assert check_svg(EDITOR_EXPORT.encode(), "x.svg") == []


def svg(inner: str, *attributes: str) -> bytes:
    return f"<svg {SVG_NS} {XLINK_NS} {' '.join(attributes)}>\n{inner}\n</svg>".encode()


# Each hostile drawing: its body, then the finding's line:col and its text after "svg: ".
HOSTILE = {
    "script element": (
        svg("  <script>alert(1)</script>"), "2:3", "expected no scripts in an SVG, found <script>"),
    "script with a source": (
        svg('<script href="https://evil.test/x.js"/>'), "2:1", "expected no scripts in an SVG, found <script>"),
    "onload on the root": (
        svg("", 'onload="alert(1)"'), "1:84", "expected no event handlers, found onload= on <svg>"),
    "mixed-case handler": (
        svg('<rect\n   ONclick="alert(1)"/>'), "3:4", "expected no event handlers, found ONclick= on <rect>"),
    "handler on an animation": (
        svg('<animate onbegin="alert(1)" attributeName="x" dur="1s"/>'), "2:10", "expected no event handlers, found onbegin= on <animate>"),
    "javascript link": (
        svg('<a href="javascript:alert(1)"><text>x</text></a>'), "2:4", "expected a link to a web page (http:, https:, mailto: or a path of this site), found href='javascript:alert(1)' on <a>"),
    "xlink javascript link": (
        svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'), "2:4", "found xlink:href='javascript:alert(1)' on <a>"),
    "entity-encoded javascript": (
        svg('<a href="&#106;ava&#x09;script&#58;alert(1)"><text>x</text></a>'), "2:4", "found href='java\\x09script:alert(1)' on <a>"),
    "javascript after spaces and newline": (
        svg('<a href=" \nJaVaScRiPt:alert(1)"><text>x</text></a>'), "2:4", "on <a>"),
    "data link": (
        svg('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>'), "2:4", "found href='data:text/html,<script>alert(1)</script>' on <a>"),
    "vbscript link": (
        svg('<a href="vbscript:msgbox(1)"><text>x</text></a>'), "2:4", "found href='vbscript:msgbox(1)' on <a>"),
    "use of another file": (
        svg('<use href="https://evil.test/sprites.svg#icon"/>'), "2:6", "expected a reference inside the drawing (#id), found href='https://evil.test/sprites.svg#icon' on <use>"),
    "use of a data document": (
        svg('<use xlink:href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#x"/>'), "2:6", "expected a reference inside the drawing (#id), found xlink:href="),
    "image from another site": (
        svg('<image href="https://evil.test/track.png"/>'), "2:8", "expected an image embedded in the drawing (data:image/png;base64,...) or a reference inside it (#id), found href='https://evil.test/track.png' on <image>"),
    "image as an SVG data URI": (
        svg('<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>'), "2:8", "on <image>"),
    "feImage from another site": (
        svg('<filter id="f"><feImage href="//evil.test/x.png"/></filter>'), "2:25", "found href='//evil.test/x.png' on <feImage>"),
    "foreignObject": (
        svg('<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.test/"/></foreignObject>'), "2:1", "expected SVG drawing elements only, found <foreignObject>, which can hold a web page"),
    "HTML element": (
        svg('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/>'), "2:1", "expected SVG drawing elements only, found the HTML element <iframe>"),
    "HTML script": (
        svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'), "2:1", "expected SVG drawing elements only, found the HTML element <script>"),
    "MathML with a link": (
        svg('<math xmlns="http://www.w3.org/1998/Math/MathML" href="javascript:alert(1)"/>'), "2:1", "expected SVG drawing elements only, found the MathML element <math>"),
    "unknown SVG element": (
        svg('<font-face-uri href="https://evil.test/font.svg"/>'), "2:1", "expected SVG drawing elements only, found <font-face-uri>"),
    "animation that sets a link": (
        svg('<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'), "2:9", "expected an animation that does not change links, styles or event handlers, found attributeName='href' on <set>"),
    "animation that sets an xlink:href": (
        svg('<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>'), "2:13", "found attributeName='xlink:href' on <animate>"),
    "style sheet import": (
        svg("<style>@import url(https://evil.test/x.css);</style>"), "2:8", "expected a style sheet that loads nothing (url(#id) only), found url(https://evil.test/x.css) in <style>"),
    "style sheet import of a string": (
        svg("<style>@import 'https://evil.test/x.css';</style>"), "2:8", "found @import in <style>"),
    "escaped url in a style sheet": (
        svg("<style>rect { fill: \\75 rl(https://evil.test/x) }</style>"), "2:8", "found url(https://evil.test/x) in <style>"),
    "url after a comment": (
        svg("<style>/* } */ rect { fill: url(https://evil.test/x) }</style>"), "2:8", "in <style>"),
    "image-set in a style sheet": (
        svg("<style>rect { fill: image-set('https://evil.test/x.png' 1x) }</style>"), "2:8", "found image-set( in <style>"),
    "style attribute url": (
        svg('<rect style="fill: url(\'https://evil.test/x.png\')"/>'), "2:7", "expected a style that loads nothing (url(#id) only), found url(https://evil.test/x.png) in style= on <rect>"),
    "presentation attribute url": (
        svg('<rect fill="url(https://evil.test/p.svg#g)"/>'), "2:7", "found url(https://evil.test/p.svg#g) in fill= on <rect>"),
    "filter from another file": (
        svg('<g filter="url(other.svg#f)"/>'), "2:4", "found url(other.svg#f) in filter= on <g>"),
    "expression in a style": (
        svg('<rect style="width: expression(alert(1))"/>'), "2:7", "found expression( in style= on <rect>"),
    "javascript in a style": (
        svg('<rect style="behavior: url(#x); background: javascript:alert(1)"/>'), "2:7", "in style= on <rect>"),
    "xml:base": (
        svg('<a xml:base="javascript:alert(1)//" href="x"><text>x</text></a>'), "2:4", "expected no xml:base (it changes where links go), found xml:base= on <a>"),
    "style sheet processing instruction": (
        b'<?xml-stylesheet href="https://evil.test/x.css" type="text/css"?>\n' + svg(""), "1:1", "expected no processing instructions (<?xml-stylesheet?> loads a style sheet), found <?xml-stylesheet?>"),
    "document type": (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + svg(""), "1:1", "expected no <!DOCTYPE> (a document type can declare entities that expand without bound or read other files; delete it), found <!DOCTYPE svg>"),
    "billion laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n' + svg("<text>&lol2;</text>"), "2:1", "found <!DOCTYPE lolz>"),
    "external entity": (
        b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + svg("<text>&xxe;</text>"), "1:1", "found <!DOCTYPE svg>"),
    "undefined entity": (
        svg("<text>&nbsp;</text>"), "2:7", "expected well-formed XML, found a syntax error: undefined entity"),
    "not well-formed": (
        svg("<g><rect></g>"), "2:12", "expected well-formed XML, found a syntax error: mismatched tag"),
    "root without the SVG namespace": (
        b'<svg onload="alert(1)"/>', "1:1", 'expected the root element <svg xmlns="http://www.w3.org/2000/svg">, found <svg> with no namespace'),
    "HTML as the root": (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', "1:1", 'found <html> in the namespace "http://www.w3.org/1999/xhtml"'),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_drawing_is_refused_at_its_line(case: str):
    data, position, message = HOSTILE[case]
    findings = [str(f) for f in check_svg(data, "content/images/x.svg")]
    assert any(
        line.startswith(f"content/images/x.svg:{position}: svg: ") and message in line
        for line in findings
    ), findings


def test_every_problem_is_listed_up_to_ten():
    many = "\n".join(f'<rect onclick="alert({n})"/>' for n in range(30))
    findings = check_svg(svg(many), "x.svg")
    assert len(findings) == 10
    assert [f.line for f in findings] == list(range(2, 12))


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        ("fill: url(#a)", None),
        ("fill: URL( \"#a\" )", None),
        ("fill: red; stroke: rgb(1, 2, 3)", None),
        ("background: url(data:image/png;base64,AAAA)", "url(data:image/png;base64,AAAA)"),
        ("background: u\\rl(x.png)", "url(x.png)"),
        ("background: \\000075rl(x.png)", "url(x.png)"),
        ("@IMPORT 'x.css'", "@IMPORT"),
        ("@im\\port 'x.css'", "@import"),
        ("-moz-binding: url(#x)", "-moz-binding"),
        ("content: src('x.png')", "src("),
        ("background: -webkit-image-set('x.png' 1x)", "-webkit-image-set("),
        ("background: cross-fade(a, b)", "cross-fade("),
        ("background: element(#x)", "element("),
    ],
)  # fmt: skip
def test_css_that_could_load_from_elsewhere_is_named(css: str, problem: str | None):
    assert css_problem(css) == problem


def test_a_build_with_a_refused_file_writes_nothing(content: Path, tmp_path: Path):
    (content / "images" / "page.html").write_text("<script>alert(1)</script>", "utf-8")
    (content / "images" / "evil.svg").write_bytes(svg("<script>alert(1)</script>"))
    out = tmp_path / "site"
    result = build_site(content, out)
    assert not result.written and not out.exists()
    lines = [str(f) for f in result.errors]
    assert any(line.endswith("images/page.html:1:1: images: expected " f"{ALLOWED_KINDS}, found a '.html' file") for line in lines), lines  # fmt: skip
    assert any(line.endswith("images/evil.svg:2:1: svg: expected no scripts in an SVG, found <script>") for line in lines), lines  # fmt: skip


def test_the_command_line_reports_a_refused_file_and_exits_1(content: Path, tmp_path: Path):
    (content / "images" / "tracker.js").write_text("alert(1)", "utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1, result.stderr
    assert "images/tracker.js:1:1: images: expected a PNG, JPEG, GIF, WebP or AVIF image" in (
        result.stdout + result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_page_may_show_a_drawing_it_refers_to_and_the_drawing_is_copied(content, tmp_path):
    out = tmp_path / "site"
    result = build_site(content, out)
    assert result.ok
    assert (out / "images/dot.svg").read_bytes() == (content / "images/dot.svg").read_bytes()


def test_a_file_checked_before_is_checked_again_when_it_changes(content: Path, tmp_path):
    drawing = content / "images" / "dot.svg"
    assert build_site(content, tmp_path / "one").ok
    drawing.write_bytes(svg('<circle r="1" onclick="alert(1)"/>'))
    result = build_site(content, tmp_path / "two")
    assert [f.message for f in result.errors] == [
        "expected no event handlers, found onclick= on <circle>"
    ]


# _headers --------------------------------------------------------------------------


def test_headers_give_every_response_the_pages_policy_and_images_their_own(
    content: Path, tmp_path: Path
):
    out = tmp_path / "site"
    result = build_site(content, out)
    assert result.ok, "\n".join(map(str, result.findings))
    rules = header_rules_of((out / "_headers").read_text("utf-8"))
    assert [pattern for pattern, _ in rules] == ["/sub/*", "/sub/images/*", "/sub/images/*.svg"]
    site, images, drawings = (headers for _, headers in rules)
    meta = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        [policy] = meta.findall(page.read_text("utf-8"))
        assert site["Content-Security-Policy"] == f"{policy}; frame-ancestors 'none'", page
    assert site["X-Content-Type-Options"] == "nosniff"
    assert site["Referrer-Policy"] == "no-referrer"
    assert site["X-Frame-Options"] == "DENY"
    for policy in (images["Content-Security-Policy"], drawings["Content-Security-Policy"]):
        directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))
        assert directives["default-src"] == "'none'"
        assert "script-src" not in directives and "'unsafe-inline'" not in directives["img-src"]
        assert directives["frame-ancestors"] == "'none'"
    assert "sandbox" in drawings["Content-Security-Policy"]
    assert "sandbox" not in images["Content-Security-Policy"]  # PDFs show blank under it


def test_headers_follow_the_path_of_base_url(sample_site: Path):
    rules = header_rules_of((sample_site / "_headers").read_text("utf-8"))
    assert [pattern for pattern, _ in rules] == ["/*", "/images/*", "/images/*.svg"]


def test_headers_is_no_page_and_is_listed_nowhere(sample_site: Path):
    """The disclaimer and output checks are for HTML pages; `_headers` is not one."""
    sitemap = (sample_site / "sitemap.xml").read_text("utf-8")
    assert "_headers" not in sitemap
    assert not (sample_site / "_headers").read_text("utf-8").lstrip().startswith("<")
    for page in sample_site.rglob("*.html"):
        assert "_headers" not in page.read_text("utf-8"), page


def test_each_kind_of_file_gets_its_policy_where_rules_override(sample_site: Path):
    """As Netlify applies them: the last matching rule's policy wins."""
    rules = header_rules_of((sample_site / "_headers").read_text("utf-8"))
    page = headers_for(rules, "/conditions/glaucoma/")["Content-Security-Policy"]
    pdf = headers_for(rules, "/images/leaflet.pdf")["Content-Security-Policy"]
    drawing = headers_for(rules, "/images/visual-pathway.svg")
    assert page.startswith("default-src 'self'")
    assert pdf.startswith("default-src 'none'") and "sandbox" not in pdf
    assert drawing["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in drawing["Content-Security-Policy"]
    assert drawing["X-Content-Type-Options"] == "nosniff"
