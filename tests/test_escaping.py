"""What content can put into the output and how it is escaped there: `base_url`, and the
control characters that YAML escapes can carry into the feed, the sitemap and JSON-LD."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hostile_content import change_every_text

from conftest import TEMPLATES, build_site
from sitegen.build import read_site
from sitegen.feed import xml_text
from sitegen.models import site_address
from sitegen.render import Renderer
from sitegen.structured import json_ld
from sitegen.theme import theme_of

# base_url ------------------------------------------------------------------------

GOOD_ADDRESSES = {
    "https://example.org": "https://example.org/",
    "https://example.org/info": "https://example.org/info/",
    "http://localhost:8000/": "http://localhost:8000/",
    "https://[2001:db8::1]:8443/a/": "https://[2001:db8::1]:8443/a/",
    "https://example.org/a%20b/(c)/": "https://example.org/a%20b/(c)/",
}
BAD_ADDRESSES = {
    'https://example.org/x" onmouseover="alert(1)': "no spaces, quotes",
    "https://example.org/x'y/": "no spaces, quotes",
    "https://example.org/<script>/": "no spaces, quotes",
    "https://example.org/a b/": "no spaces, quotes",
    "https://example.org/a\\b/": "backslashes",
    "https://example.org/\x01/": "control",
    "https://example.org/\u202e/": "non-ASCII",
    "https://exämple.org/": "punycode",
    "https://user:secret@example.org/": "no user name or password",
    "https://example.org/?utm=1": "no query",
    "https://example.org/#top": "fragment",
    "javascript://example.org/%0aalert(1)": "absolute http:// or https://",
    "data:text/html,hello": "absolute http:// or https://",
    "ftp://example.org/": "absolute http:// or https://",
    "//example.org/": "absolute http:// or https://",
    "https://example.org:http/": "port is a number",
    "https://-bad-.org/": "host name",
    "https://example.org/%zz/": "% signs start escapes",
}


@pytest.mark.parametrize(("value", "normalised"), list(GOOD_ADDRESSES.items()))
def test_a_plain_site_address_is_accepted_with_a_final_slash(value: str, normalised: str):
    assert site_address(value) == normalised


@pytest.mark.parametrize(("value", "reason"), list(BAD_ADDRESSES.items()))
def test_a_site_address_that_could_break_out_is_refused(value: str, reason: str):
    with pytest.raises(ValueError, match=re.escape(reason)):
        site_address(value)


def set_site(content: Path, **fields: str) -> None:
    """Each top-level field of site.yaml set to a text, written as a YAML double-quoted
    scalar with escapes (a JSON string is one), on the line it had."""
    path = content / "site.yaml"
    lines = path.read_text("utf-8").splitlines()
    for name, value in fields.items():
        line = f"{name}: {json.dumps(value)}"
        at = [i for i, old in enumerate(lines) if old.startswith(f"{name}:")]
        if at:
            lines[at[0]] = line
        else:
            lines.append(line)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_a_base_url_with_a_quote_is_a_finding_at_its_line(content: Path, tmp_path: Path):
    """The 404 page wrote the disclaimer's links as `href="/x" onmouseover="alert(1)/…"`."""
    set_site(content, base_url='https://example.test/x" onmouseover="alert(1)')
    result = build_site(content, tmp_path / "site")
    assert not result.written
    [finding] = [f for f in result.errors if f.field == "base_url"]
    assert finding.path.endswith("site.yaml")
    assert finding.line == 2
    assert "expected an http:// or https:// address with no spaces, quotes" in finding.message


def test_the_disclaimer_links_escape_the_base_path_even_if_unchecked(content: Path):
    """Defence in depth: `disclaimer_for` escapes the path it splices into `href`."""
    site, _ = read_site(content)
    assert site is not None
    site.config = site.config.model_copy(update={"base_url": 'https://e.test/x"y&z/'})
    renderer = Renderer(site, TEMPLATES, theme_of(TEMPLATES), date(2026, 6, 1))
    html = str(renderer.disclaimer_for("404.html", root_links=True)[0])
    assert 'href="/x&#34;y&amp;z/how-we-rate-evidence/' in html
    assert 'x"y' not in html


def test_every_use_of_base_url_stays_inside_its_attribute_or_element(content: Path, tmp_path):
    """A base URL with every character the check allows that HTML or XML treats specially."""
    base = "https://example.test/a&b=(c);d,e+f!$*@:~/"
    set_site(content, base_url=base)
    out = tmp_path / "site"
    result = build_site(content, out)
    assert result.ok, "\n".join(map(str, result.findings))
    robots = (out / "robots.txt").read_text("utf-8")
    assert f"Sitemap: {base}sitemap.xml\n" in robots
    for name in ("sitemap.xml", "feed.xml"):
        text = ET.parse(out / name).getroot().itertext()
        assert any(base in chunk for chunk in text), name
    feed = ET.parse(out / "feed.xml").getroot()
    links = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert f"{base}feed.xml" in links
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "meta"]):
            for value in tag.attrs.values():
                if isinstance(value, str) and "https://example.test" in value:
                    assert value.startswith((base, "/a&b")), (page, value)
        for block in soup.find_all("script", type="application/ld+json"):
            assert base in json.dumps(json.loads(block.string))
    not_found = BeautifulSoup((out / "404.html").read_text("utf-8"), "html.parser")
    hrefs = [a["href"] for a in not_found.select(".disclaimer-full a")]
    assert "/a&b=(c);d,e+f!$*@:~/how-we-rate-evidence/index.html" in hrefs


# Control characters ---------------------------------------------------------------

# Every C0 control but tab, newline and carriage return, DEL, some C1 controls and the
# two noncharacters XML forbids; YAML escapes can carry each of them into any text.
CONTROLS = "".join(chr(c) for c in range(32) if c not in (9, 10, 13)) + "\x7f\x85\x9f\ufffe\uffff"
NOT_IN_XML = set(CONTROLS) | {"\ud800"}


def with_controls(path: str, text: str) -> str:
    return f"{text} {CONTROLS}</script><!-- & end"


@pytest.fixture
def controlled_site(content: Path, tmp_path: Path) -> Path:
    """The minimal site with control characters in every text a reader sees."""
    change_every_text(content, with_controls)
    out = tmp_path / "site"
    result = build_site(content, out)
    assert result.ok, "\n".join(map(str, result.findings))
    return out


def test_the_feed_stays_well_formed_with_control_characters_in_every_text(controlled_site):
    """`title: "\\x01"` used to make feed.xml not well-formed XML."""
    feed = ET.parse(controlled_site / "feed.xml").getroot()  # raises if not well-formed
    texts = [text for text in feed.itertext() if text.strip()]
    assert not NOT_IN_XML & set("".join(texts))
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{atom}title").startswith("Test Site ")
    assert feed.findtext(f"{atom}subtitle").startswith("A small site used by the tests. ")
    assert feed.findtext(f"{atom}author/{atom}name").startswith("The test suite ")
    entries = {e.findtext(f"{atom}title").split(" ")[0]: e for e in feed.iter(f"{atom}entry")}
    assert {"Alpha", "Beta", "Test", "How"} <= set(entries)
    alpha = entries["Alpha"]
    assert alpha.findtext(f"{atom}title") == "Alpha condition </script><!-- & end"
    assert alpha.findtext(f"{atom}summary") == "Alpha is a test condition. </script><!-- & end"
    assert alpha.findtext(f"{atom}contributor/{atom}name") == "Test reviewer </script><!-- & end"


def test_the_sitemap_stays_well_formed(controlled_site):
    sitemap = ET.parse(controlled_site / "sitemap.xml").getroot()
    locations = [
        loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert "https://example.test/sub/conditions/alpha/" in locations
    assert not NOT_IN_XML & set("".join(locations))


def test_json_ld_keeps_every_text_escaped_and_parses(controlled_site):
    blocks = 0
    for page in controlled_site.rglob("*.html"):
        html = page.read_text("utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for block in soup.find_all("script", type="application/ld+json"):
            blocks += 1
            raw = block.string
            assert "</script" not in raw.lower() and "<!--" not in raw
            assert not set(raw) & (NOT_IN_XML | {"\u2028", "\u2029"}), page
            data = json.loads(raw)
            assert data["name"].endswith(f" {CONTROLS}</script><!-- & end")
            assert data["publisher"]["name"] == f"The test suite {CONTROLS}</script><!-- & end"
        assert html.count("</script>") == html.count("<script"), page
    assert blocks == 3  # two conditions and one package


def test_every_text_that_reaches_json_ld_is_escaped(controlled_site):
    """Names, alternate names, reviewers, source titles, publishers and citations, and
    each package text that `howPerformed` and `followup` are made of."""
    alpha = controlled_site / "conditions/alpha/index.html"
    [block] = BeautifulSoup(alpha.read_text("utf-8"), "html.parser").select(
        'script[type="application/ld+json"]'
    )
    data = json.loads(block.string)
    tail = f" {CONTROLS}</script><!-- & end"
    assert data["about"]["alternateName"] == ["First condition" + tail, "A-itis" + tail]
    assert data["reviewedBy"]["name"] == "Test reviewer" + tail
    assert data["citation"][0]["name"] == "A review of alpha" + tail
    assert data["citation"][0]["publisher"]["name"] == "Journal of Tests" + tail
    assert data["isPartOf"]["name"] == "Test Site" + tail
    package = controlled_site / "packages/test-package/index.html"
    [block] = BeautifulSoup(package.read_text("utf-8"), "html.parser").select(
        'script[type="application/ld+json"]'
    )
    therapy = json.loads(block.string)["about"]
    assert therapy["name"] == "Test package" + tail
    for text in ("Test cells", "Intravenous", "Rest", "Accommodation"):
        assert text + tail in therapy["howPerformed"]


def test_lone_surrogates_are_escaped_or_dropped():
    """libyaml refuses `"\\ud800"`, the pure-Python loader does not: neither output may
    hold one (it could not even be written as UTF-8)."""
    block = str(json_ld({"name": "a\ud800b\udfff"}))
    block.encode("utf-8")
    assert json.loads(block.split("\n", 1)[1].rsplit("\n", 1)[0]) == {"name": "a\ud800b\udfff"}
    assert xml_text("a\ud800b\x01c\ufffe") == "abc"
