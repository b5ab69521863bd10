"""What content can put into the output and how it is escaped there: `base_url`, and the
control characters that YAML escapes can carry into the feed, the sitemap and JSON-LD."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import TEMPLATES, build_site
from sitegen.load import load_content
from sitegen.models import site_address
from sitegen.render import Renderer
from sitegen.validate import validate

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
    site, _ = validate(load_content(content))
    assert site is not None
    config = site.config.model_copy(update={"base_url": 'https://e.test/x"y&z/'})
    renderer = Renderer(dataclasses.replace(site, config=config), TEMPLATES)
    html = str(renderer.disclaimer_for("404.html", root_links=True))
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
    hrefs = [a["href"] for a in not_found.select("[data-disclaimer] a")]
    assert "/a&b=(c);d,e+f!$*@:~/how-we-rate-evidence/index.html" in hrefs
