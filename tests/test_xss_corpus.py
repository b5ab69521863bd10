"""The XSS corpus in every field that reaches a page, read back from the built files.

What the browser sees is tested in tests/browser/test_xss.py; here the built
HTML, feed, sitemap and JSON-LD are parsed: every vector is text or is gone,
nothing can run or load from elsewhere, and what the build refuses is a finding.
"""

from __future__ import annotations

import json
import re
import shutil
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from hostile_content import NOT_TEXT, edit_yaml
from pydantic import BaseModel
from xss_corpus import (
    COUNT,
    NOT_EVALUATED,
    REFUSED_ADDRESSES,
    REFUSED_FILES,
    REFUSED_MARKDOWN,
    TEXTS,
    URLS,
    Vector,
    make_hostile_site,
    refused_field,
)

from conftest import FIXTURES, build_site
from sitegen.assets import check_file
from sitegen.feed import xml_text
from sitegen.models import ConditionMeta, Package, PageMeta, SiteConfig

OUR_SCRIPTS = {"search.js", "pagefind-ui.js"}  # the theme's own files, nothing else
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "xlink:href"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:")
ACTIVE_TAGS = {"iframe", "frame", "object", "embed", "base", "applet", "portal", "svg", "math"}


def test_the_corpus_has_at_least_sixty_vectors():
    assert COUNT >= 60
    texts = [vector.text for vector in TEXTS + URLS + REFUSED_MARKDOWN + REFUSED_ADDRESSES]
    assert len(set(texts)) == len(texts)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    content = make_hostile_site(folder)
    out = folder / "site"
    result = build_site(content, out)
    assert result.ok, "\n".join(str(f) for f in result.errors)
    assert result.warnings, "the sanitiser reported nothing it removed"
    return out


def url_as_browsers_read(value: str) -> str:
    return "".join(c for c in value if c not in "\t\n\r").strip("\x00 \x0c").lower()


def test_no_page_holds_anything_that_could_run_or_load(hostile_site: Path):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) == 27  # 14 in English (4 packages of the other kinds), 13 in French (one 404)
    for page in pages:
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for tag in soup.find_all(True):
            where = f"{page.relative_to(hostile_site)}: <{tag.name}>"
            assert tag.name not in ACTIVE_TAGS, where
            assert not [a for a in tag.attrs if a.lower().startswith("on")], where
            assert "style" not in tag.attrs, where
            followed = tag.name == "a" or (
                tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"])
            )
            for name in URL_ATTRIBUTES & set(tag.attrs):
                value = url_as_browsers_read(str(tag.attrs[name]))
                assert not value.startswith(ACTIVE_SCHEMES), f"{where} {name}={value}"
                if not followed:  # loaded: only this site's own files
                    assert "//" not in value and ":" not in value.split("/")[0], where
            if tag.name == "meta":
                assert tag.get("http-equiv", "").lower() in ("", "content-security-policy"), where
            if tag.name == "script":
                if tag.get("type") == "application/ld+json":
                    json.loads(tag.string)
                else:
                    assert Path(tag["src"]).name.split(".")[0] + ".js" in OUR_SCRIPTS, where
            if tag.name == "form":
                assert "site-search" in tag.get("class", []), where  # the theme's search box


def test_every_text_vector_is_shown_as_text_where_a_field_is_shown(hostile_site: Path):
    """Escaped, not dropped: each field's vectors are in the page's text as written."""
    alpha = BeautifulSoup(
        (hostile_site / "conditions/alpha/index.html").read_text("utf-8"), "html.parser"
    )
    title = alpha.find("h1").get_text()
    summary = alpha.find("meta", attrs={"name": "description"})["content"]
    for vector in TEXTS:
        assert vector.text.strip() in title, vector
        assert vector.text.strip() in summary, vector


def test_no_template_in_content_was_evaluated(hostile_site: Path):
    for path in hostile_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".json", ""):
            text = path.read_text("utf-8", errors="replace")
            for printed in NOT_EVALUATED:
                assert printed not in text.replace("&lt;class ", ""), (path, printed)


def test_the_feed_sitemap_and_structured_data_hold_the_corpus_as_text(hostile_site: Path):
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    feed_text = " ".join(feed.itertext())
    assert all(xml_text(vector.text).strip() in feed_text for vector in TEXTS)
    ET.parse(hostile_site / "sitemap.xml")
    alpha = (hostile_site / "conditions/alpha/index.html").read_text("utf-8")
    [block] = BeautifulSoup(alpha, "html.parser").select('script[type="application/ld+json"]')
    data = json.loads(block.string)
    assert all(vector.text in data["name"] for vector in TEXTS)
    assert "</" not in block.string and "<!--" not in block.string


def refused_cases() -> list[tuple[str, Vector, str]]:
    """(where, vector, field of the error) for each vector the build refuses somewhere."""
    cases = [("body", v, refused_field(v)) for v in TEXTS if refused_field(v)]
    cases += [("body", v, refused_field(v)) for v in REFUSED_MARKDOWN]
    for vector in REFUSED_ADDRESSES:
        cases += [
            ("source url", vector, "sources[2].url"),
            ("menu url", vector, "navigation[5].url"),
            ("side-effect url", vector, "packages[1].report_side_effects[2].url"),
        ]
    return cases


@pytest.mark.parametrize(
    ("where", "vector", "field"), refused_cases(), ids=lambda x: getattr(x, "text", x)
)
def test_what_the_build_refuses_is_a_finding_and_nothing_is_written(
    tmp_path: Path, where: str, vector: Vector, field: str
):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    if where == "body":
        page = content / "pages" / "about.md"
        page.write_text(page.read_text("utf-8") + f"\n\n{vector.text}\n", "utf-8")
    elif where == "source url":
        edit_yaml(content / "conditions/alpha.md", lambda meta: {
            **meta, "sources": [*meta["sources"], {"title": "x", "url": vector.text}]})  # fmt: skip
    elif where == "menu url":
        edit_yaml(content / "site.yaml", lambda site: {
            **site, "navigation": [*site["navigation"], {"title": "x", "url": vector.text}]})  # fmt: skip
    else:
        edit_yaml(content / "packages.yaml", lambda catalogue: {"packages": [{
            **catalogue["packages"][0], "report_side_effects": [
                *catalogue["packages"][0]["report_side_effects"],
                {"jurisdiction": "x", "how": "y", "url": vector.text}]}]})  # fmt: skip
    result = build_site(content, tmp_path / "site")
    assert not result.written
    assert field in [f.field for f in result.errors], [str(f) for f in result.errors]


def test_the_markdown_vectors_are_read_as_markdown(hostile_site: Path):
    """The corpus reaches Markdown's own constructs (so the browser test meets them):
    abbreviations, footnotes, code, autolinks, link titles and reference links."""
    about = BeautifulSoup((hostile_site / "about/index.html").read_text("utf-8"), "html.parser")
    body = about.find("div", class_="prose")
    assert body.find("abbr")["title"].startswith("<script>__xss(")
    assert body.find("li", id=lambda i: i and i.startswith("fn:"))
    assert "<script>__xss(" in body.find("pre").get_text()
    titles = [a.get("title", "") for a in body.find_all("a")]
    assert any("onmouseover=" in title and "__xss(" in title for title in titles)
    hrefs = [a.get("href", "") for a in body.find_all("a")]
    assert any(href.startswith("https://evil.test/") for href in hrefs)
    assert not [h for h in hrefs if url_as_browsers_read(h).startswith(ACTIVE_SCHEMES)]


@pytest.mark.parametrize("name", list(REFUSED_FILES))
def test_the_files_the_browser_test_serves_anyway_are_refused_by_the_build(
    tmp_path: Path, name: str
):
    path = tmp_path / name
    path.write_bytes(REFUSED_FILES[name])
    findings = check_file(path, f"content/images/{name}")
    assert findings and all(f.field in ("images", "svg") for f in findings)


def text_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every free-text field of `model` and the models inside it, as dotted paths."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        inner = [
            arg
            for arg in (info.annotation, *typing.get_args(info.annotation))
            for arg in (arg, *typing.get_args(arg))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        described = repr(info.annotation) + repr(info.metadata)
        if inner:
            found |= text_fields(inner[0], f"{prefix}{name}.")
        elif (
            "str" in described
            and not re.search(r"pattern='|Literal", described)
            and name not in NOT_TEXT  # ids, addresses, section names: tested apart
        ):
            found.add(prefix + name)
    return found


def hostile_paths(data: object, prefix: str = "") -> set[str]:
    """The dotted paths (list items left out) of every text holding the first vector."""
    if isinstance(data, dict):
        return set().union(*(hostile_paths(v, f"{prefix}{k}.") for k, v in data.items()))
    if isinstance(data, list):
        return set().union(set(), *(hostile_paths(item, prefix) for item in data))
    return {prefix.rstrip(".")} if isinstance(data, str) and TEXTS[0].text in data else set()


def test_every_text_field_of_every_model_holds_the_corpus(tmp_path: Path):
    content = make_hostile_site(tmp_path)

    def read(path: Path) -> typing.Any:
        text = path.read_text("utf-8")
        return yaml.safe_load(text.split("---\n")[1] if path.suffix == ".md" else text)

    found = {
        SiteConfig: hostile_paths(read(content / "site.yaml")),
        Package: hostile_paths(read(content / "packages.yaml")["packages"]),
        ConditionMeta: set().union(*(hostile_paths(read(p)) for p in content.glob("conditions/*.md"))),
        PageMeta: set().union(*(hostile_paths(read(p)) for p in content.glob("pages/*.md"))),
    }  # fmt: skip
    # a mapping by language or evidence level: its keys name no field
    keyed = re.compile(
        r"(?<=translations\.)[a-z]{2}\.|(?<=translations\.evidence_levels\.)[a-z-]+\."
    )
    found = {model: {keyed.sub("", keyed.sub("", path)) for path in paths}
             for model, paths in found.items()}  # fmt: skip
    for model, paths in found.items():
        missing = text_fields(model) - paths
        assert missing == set(), f"{model.__name__}: {sorted(missing)}"
    assert "disclaimer" in text_fields(SiteConfig) and "cells.type" in text_fields(Package)
