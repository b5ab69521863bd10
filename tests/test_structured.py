"""Structured data (schema.org JSON-LD) and the sharing tags (Open Graph, Twitter cards)."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from conftest import TEMPLATES
from sitegen.build import BuildOptions, build
from sitegen.structured import json_ld

# Every schema.org type the site uses, with the properties it gives that type. Each
# property is one schema.org defines for the type (or a type it inherits from):
# WebPage: lastReviewed, reviewedBy; CreativeWork: about, citation, inLanguage,
# isPartOf, mentions, publisher; MedicalProcedure: howPerformed, followup; Thing:
# name, alternateName, description, url. Anything else fails the tests below.
ALLOWED: dict[str, set[str]] = {
    "MedicalWebPage": {
        "url", "name", "description", "inLanguage", "isPartOf", "publisher", "about",
        "mentions", "lastReviewed", "reviewedBy", "citation",
    },
    "MedicalCondition": {"name", "alternateName", "url"},
    "MedicalTherapy": {"name", "description", "howPerformed", "followup"},
    "CreativeWork": {"name", "url", "publisher", "description"},
    "Organization": {"name", "url"},
    "WebSite": {"name", "url"},
}  # fmt: skip
# Words no property name may contain: structured data never states how well a
# treatment works, how often it succeeds, or how people rated it.
FORBIDDEN = re.compile(r"outcome|success|rating|review(?!ed)|prognosis|efficac|offer|result", re.I)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def blocks(path: Path) -> list[dict[str, Any]]:
    """The page's JSON-LD blocks, parsed (valid JSON, or the test fails)."""
    return [
        json.loads(script.string)
        for script in soup(path).find_all("script", type="application/ld+json")
    ]


def objects(value: Any) -> list[dict[str, Any]]:
    """Every JSON object in `value`, nested ones included."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += objects(item)
    elif isinstance(value, list):
        for item in value:
            found += objects(item)
    return found


def assert_schema_org_only(data: dict[str, Any]) -> None:
    assert data["@context"] == "https://schema.org"
    for obj in objects(data):
        kind = obj.get("@type")
        assert kind in ALLOWED, f"type {kind!r} is not in the allow-list"
        keys = set(obj) - {"@type", "@context"}
        assert keys <= ALLOWED[kind], f"{kind}: {sorted(keys - ALLOWED[kind])} not allowed"
        assert "@context" not in obj or obj is data
        for key in keys:
            assert not FORBIDDEN.search(key) or key in ("lastReviewed", "reviewedBy"), key


def test_condition_pages_are_medical_web_pages_about_their_condition(sample_site: Path):
    page = sample_site / "conditions/optic-nerve-damage/index.html"
    [data] = blocks(page)
    assert_schema_org_only(data)
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == "https://example.org/conditions/optic-nerve-damage/"
    assert data["name"] == "Optic nerve damage"
    assert data["inLanguage"] == "en"
    assert data["about"] == {
        "@type": "MedicalCondition",
        "name": "Optic nerve damage",
        "alternateName": ["Optic atrophy", "Optic neuropathy"],
    }
    assert data["lastReviewed"] == "2026-12-04"
    assert data["reviewedBy"]["name"].startswith("Sitegen sample editorial team")
    listed = soup(page).select(".sources ol > li")
    assert len(data["citation"]) == len(listed) >= 5
    first = data["citation"][0]
    assert first["@type"] == "CreativeWork"
    assert first["name"] == "Optic Atrophy" and first["url"] == "https://eyewiki.org/Optic_Atrophy"
    assert data["publisher"]["name"] == "Example Clinic patient information service"


def test_every_condition_and_package_page_has_one_block_and_no_other_page_has_any(
    sample_site: Path,
):
    """In each language, a condition or package page in that language's own words (an
    English one, or a translation: ar/conditions/glaucoma/); not one shown in English
    under another language (a copy: its original has the data)."""
    for page in sorted(sample_site.rglob("*.html")):
        relative = page.relative_to(sample_site).as_posix()
        found = blocks(page)
        described = re.fullmatch(r"(?:[a-z]{2}/)?(conditions|packages)/[^/]+/index\.html", relative)
        if described and soup(page).select_one(".translation-note") is None:
            assert len(found) == 1, relative
            assert_schema_org_only(found[0])
        else:
            assert found == [], relative


def test_package_pages_describe_only_what_the_package_contains(sample_site: Path):
    [data] = blocks(sample_site / "packages/optic-nerve-stem-cell-12-day/index.html")
    assert_schema_org_only(data)
    therapy = data["about"]
    assert therapy["@type"] == "MedicalTherapy"
    assert therapy["name"] == "12-day stem-cell programme for optic nerve damage"
    assert "UCMSC" in therapy["howPerformed"] and "12 days" in therapy["howPerformed"]
    assert [c["name"] for c in data["mentions"]] == ["Optic nerve damage"]
    text = json.dumps(data).lower()
    for claim in ("aggregaterating", "success", "outcome", "% ", "rating", "offers", "price"):
        assert claim not in text, claim


def test_the_block_cannot_be_closed_by_content(content: Path, tmp_path: Path):
    alpha = content / "conditions/alpha.md"
    hostile = "Alpha </script><script>alert(1)</script> <!-- & more"
    alpha.write_text(
        alpha.read_text().replace(
            "also_known_as: [First condition, A-itis]", f"also_known_as: ['{hostile}']"
        )
    )
    result = build(BuildOptions(content, tmp_path / "site", TEMPLATES))
    assert result.ok, "\n".join(map(str, result.findings))
    html = (tmp_path / "site/conditions/alpha/index.html").read_text("utf-8")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert data["about"]["alternateName"] == [hostile]
    assert html.count("<script") == html.count("</script>") == 1


def test_json_ld_escapes_markup_characters():
    block = str(json_ld({"name": "a</script>&<!--b"}))
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and "&" not in inner
    assert json.loads(inner) == {"name": "a</script>&<!--b"}


# Open Graph and Twitter cards ------------------------------------------------------


def test_every_page_has_open_graph_and_twitter_card_tags(sample_site: Path):
    for page in sorted(sample_site.rglob("*.html")):
        head = soup(page).head
        prop = {m["property"]: m["content"] for m in head.find_all("meta", property=True)}
        name = {m["name"]: m["content"] for m in head.find_all("meta", attrs={"name": True})}
        for key in ("og:type", "og:site_name", "og:title", "og:description", "og:image"):
            assert prop.get(key, "").strip(), (page, key)
        image = prop["og:image"]
        assert re.fullmatch(r"https://example\.org/static/og-image\.[0-9a-f]{10}\.png", image)
        assert (sample_site / image.removeprefix("https://example.org/")).is_file()
        assert prop["og:image:width"] == "1200" and prop["og:image:height"] == "630"
        titles = {"es": "Información sobre el nervio óptico", "ar": "معلومات عن العصب البصري"}
        title = titles.get(page.relative_to(sample_site).parts[0], "Optic Nerve Information")
        assert prop["og:image:alt"] == title
        assert name["twitter:card"] == "summary_large_image"
        assert name["twitter:image"] == image
        assert name["twitter:title"] == prop["og:title"]
        assert name["twitter:description"] == prop["og:description"]


def test_the_default_image_is_a_1200_by_630_png():
    data = (TEMPLATES / "static/og-image.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", data[16:24]) == (1200, 630)
    assert len(data) < 100_000
