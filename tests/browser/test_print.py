"""Printing a condition or package page: black on white, no navigation, disclaimer, dates and URLs kept."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from sitegen.build import read_site

from .conftest import CONTENT, OUTPUT, PRINTED, dump


def sources_of(url: str) -> list[str]:
    site, _ = read_site(CONTENT)
    assert site is not None
    if url.startswith("conditions/"):
        doc = next(d for d in site.conditions if d.url == url)
        return [s.url for s in doc.meta.sources if s.url]
    package = next(p for p in site.packages if p.url == url)
    return [s.url for s in package.sources if s.url]


def squeeze(text: str) -> str:
    """PDF text without white space: a long URL may be broken over lines."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("url", PRINTED)
def test_print_stylesheet_is_black_on_white_without_navigation(visit, url):
    facts = visit(url).facts["print"]
    assert facts["navShown"] is False
    assert facts["disclaimer"]["shown"]
    assert facts["reviewDatesShown"]
    assert facts["pageBackground"] == [255, 255, 255]
    colours = {t["colour"] for t in facts["texts"]}
    odd = [t["element"] for t in facts["texts"] if t["colour"] != "rgb(0, 0, 0)"]
    assert colours == {"rgb(0, 0, 0)"}, dump(odd)


@pytest.mark.parametrize("url", PRINTED)
def test_printed_pdf_keeps_disclaimer_dates_and_source_urls(visit, url):
    pdf = visit(url).pdf
    assert pdf and pdf.startswith(b"%PDF-")
    name = url.strip("/").replace("/", "-")
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / f"print-{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    # NFKC: the PDF keeps ligatures ("ﬀ") that stand for plain letters.
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    flat = " ".join(text.split())
    assert "About this information" in flat
    assert "have not been shown to be safe and effective" in flat
    assert "not medical advice" in flat
    assert "Key facts" in flat and "Evidence for " in flat
    assert "Last reviewed on" in flat
    assert "Skip to main content" not in flat
    urls = sources_of(url)
    assert urls
    squeezed = squeeze(text)
    missing = [u for u in urls if squeeze(u) not in squeezed]
    assert missing == [], missing
