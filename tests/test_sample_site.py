"""The sample site in content/, built and read back as parsed HTML."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from sitegen.build import read_site


@pytest.fixture
def site(sample_site: Path) -> Path:
    return sample_site  # built once for the session (conftest.py)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


# What every page's disclaimer says, in each language of the sample site.
NOT_ADVICE = {"en": "not medical advice", "es": "no consejo médico", "ar": "ليس نصيحة طبية"}
INVESTIGATIONAL = {"en": "investigational", "es": "en investigación", "ar": "قيد البحث"}


def language_of(site: Path, page: Path) -> str:
    first = page.relative_to(site).parts[0]
    return first if first in ("es", "ar") else "en"


def url_of(site: Path, page: Path) -> str:
    relative = page.relative_to(site).as_posix()
    return relative.removesuffix("index.html")


def test_every_expected_page_is_written(site: Path):
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    for expected in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "conditions/index.html",
        "conditions/optic-nerve-damage/index.html",
        "conditions/glaucoma/index.html",
        "packages/index.html",
        "packages/optic-nerve-stem-cell-12-day/index.html",
        "about/index.html",
        "how-we-rate-evidence/index.html",
        "international-patients/index.html",
        "contact/index.html",
    ):
        assert expected in written
    assert len(list((site / "conditions").glob("*/index.html"))) >= 3


def test_every_page_carries_the_disclaimer_in_two_parts(site: Path):
    for page in pages(site):
        html = soup(page)
        lang = language_of(site, page)
        short = html.select_one("section.disclaimer.disclaimer-short")
        full = html.select_one("section.disclaimer.disclaimer-full")
        assert short is not None and full is not None, page
        assert NOT_ADVICE[lang] in short.get_text(" ", strip=True), page
        assert short.find("a", href="#disclaimer") is not None, page
        assert full["id"] == "disclaimer", page
        text = full.get_text(" ", strip=True)
        assert NOT_ADVICE[lang] in text, page
        assert INVESTIGATIONAL[lang] in text.lower(), page


def test_condition_and_package_pages_state_their_evidence_level_and_what_it_rates(site: Path):
    for page in [*site.glob("conditions/*/index.html"), *site.glob("packages/*/index.html")]:
        for part in ("disclaimer-short", "disclaimer-full"):
            rated = soup(page).select_one(f".{part} .evidence-for")
            assert rated is not None, (page, part)
            assert rated.get_text(" ", strip=True).startswith("Evidence for "), (page, part)
    package = soup(site / "packages/optic-nerve-stem-cell-12-day/index.html")
    assert package.select_one(".disclaimer-short .evidence-for").get_text(" ", strip=True) == (
        "Evidence for this package: Unproven, sold outside a registered trial"
    )
    condition = soup(site / "conditions/optic-nerve-damage/index.html")
    assert condition.select_one(".disclaimer-short .evidence-for").get_text(" ", strip=True) == (
        "Evidence for stem-cell treatments: Investigational"
    )
    # Where the page discusses each treatment, its own level, saying what it rates.
    notes = [note.get_text(" ", strip=True) for note in condition.select(".prose .evidence-note")]
    assert any(note.startswith("Evidence for treating the cause") and "Established" in note
               for note in notes), notes  # fmt: skip
    assert any("stem-cell treatments for optic nerve damage : Investigational" in note
               for note in notes), notes  # fmt: skip


def test_each_page_has_its_head_metadata(site: Path):
    for page in pages(site):
        html = soup(page)
        url = url_of(site, page)
        assert html.html["lang"] == language_of(site, page)
        assert html.title and html.title.get_text(strip=True)
        assert html.find("meta", attrs={"name": "description"})["content"].strip()
        assert html.find("meta", property="og:title")["content"].strip()
        assert html.find("meta", property="og:description")["content"].strip()
        csp = html.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        assert len(html.find_all("h1")) == 1, page
        fallback = html.select_one("main h1[lang]")  # not translated: the original is canonical
        canonical = url.partition("/")[2] if fallback else url
        if url != "404.html":
            assert html.find("link", rel="canonical")["href"] == f"https://example.org/{canonical}"


def test_navigation_marks_the_current_page(site: Path):
    nav = soup(site / "packages/index.html").find("nav")
    current = nav.find_all("a", attrs={"aria-current": "page"})
    assert [a.get_text(strip=True) for a in current] == ["Treatment packages"]
    nav = soup(site / "conditions/glaucoma/index.html").find("nav")
    assert nav.find("a", attrs={"aria-current": "true"}).get_text(strip=True) == "Conditions"
    assert nav.find("a", attrs={"aria-current": "page"}) is None


def test_condition_page_content(site: Path):
    html = soup(site / "conditions/optic-nerve-damage/index.html")
    main = html.find("main")
    assert "Optic atrophy" in main.select_one(".aka").get_text()
    headings = [h.get_text(strip=True) for h in main.find_all("h2")]
    for heading in (
        "Symptoms",
        "Causes",
        "Diagnosis",
        "Treatment options",
        "What the evidence says",
        "Sources",
    ):
        assert heading in headings
    sources = main.select(".sources ol > li")
    assert len(sources) >= 5
    assert all(li.get("id", "").startswith("source-") for li in sources)
    review = main.select_one(".review-dates").get_text(" ", strip=True)
    assert review.startswith("Last reviewed on") and "Next review due" in review
    listed = [a.get_text(strip=True) for a in main.select("#packages-title ~ ul a")]
    assert any("12-day" in name for name in listed)
    image = main.find("img")
    assert image["alt"].strip() and image["src"].startswith("../../images/")


def test_catalogue_comparison_table(site: Path):
    """Both packages side by side on what a patient weighs: kind, evidence, length, price,
    risks and regulatory status."""
    table = soup(site / "packages/index.html").find("table")
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == [
        "Package",
        "Kind",
        "Offered for",
        "Evidence",
        "How long",
        "Price",
        "Known risks",
        "Regulatory status",
    ]
    rows = {
        row.th.get_text(strip=True): [c.get_text(" ", strip=True) for c in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }
    cells = rows["12-day stem-cell programme for optic nerve damage"]
    assert cells[0] == "Cell therapy"
    assert cells[2] == "Evidence: Unproven, sold outside a registered trial"
    assert cells[3] == "12 days"
    assert cells[4] == "Not published"
    assert "Injection behind the eye (retrobulbar injection)" in cells[5]
    assert "United States: Not approved by the US Food and Drug Administration" in cells[6]
    laser = rows["Selective laser trabeculoplasty (SLT) for glaucoma"]
    assert laser[0] == "Surgery or procedure"
    assert laser[1] == "Glaucoma"
    assert laser[2] == "Evidence: Established"
    assert laser[3] == "1 day"
    assert "Soon after the treatment" in laser[5] and "Rare problems" in laser[5]
    assert laser[6].startswith("England: Since January 2022, NICE guidance says")


def test_package_page_shows_known_risks_first(site: Path):
    main = soup(site / "packages/optic-nerve-stem-cell-12-day/index.html").find("main")
    sections = [h.get_text(strip=True) for h in main.find_all("h2")]
    assert sections.index("Known risks") < sections.index("What the package contains")
    assert len(main.select(".risks li")) >= 3
    text = main.get_text(" ", strip=True)
    for item in ("Accommodation", "interpreting", "Traditional Chinese medicine"):
        assert item.lower() in text.lower()


def test_marketing_claims_appear_only_where_they_are_examined(site: Path):
    claims = ("very effective", "20,000", "no side effects")
    for page in pages(site):
        for paragraph in soup(page).find_all(["p", "li", "td"]):
            text = paragraph.get_text(" ", strip=True).lower()
            if any(claim in text for claim in claims):
                assert "advertising" in text or "claim" in text, (page, text)


def test_every_relative_link_and_asset_resolves(site: Path):
    for page in pages(site):
        if page.name == "404.html":
            continue
        html = soup(page)
        base = posixpath.dirname(page.relative_to(site).as_posix())
        refs = [a["href"] for a in html.find_all("a", href=True)]
        refs += [
            link["href"]
            for link in html.find_all("link", href=True)
            if "canonical" not in link["rel"]
        ]
        refs += [img["src"] for img in html.find_all("img")]
        for ref in refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("#"):
                continue
            assert not ref.startswith("/"), f"{page}: {ref} is not relative"
            target = posixpath.normpath(posixpath.join(base, parts.path))
            assert (site / target).is_file(), f"{page}: {ref} -> {target}"
            if parts.fragment and target.endswith(".html"):
                ids = {tag["id"] for tag in soup(site / target).find_all(id=True)}
                assert parts.fragment in ids, f"{page}: {ref}"


def test_assets_have_content_hashes(site: Path):
    names = sorted(p.name for p in (site / "static").iterdir())
    assert any(
        n.startswith("site.") and n.endswith(".css") and len(n.split(".")) == 3 for n in names
    )
    stylesheet = soup(site / "index.html").find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("static/site.") and (site / stylesheet).is_file()


def test_nothing_is_requested_from_another_origin(site: Path):
    for page in pages(site):
        html = soup(page)
        for tag, attribute in (
            ("script", "src"),
            ("img", "src"),
            ("link", "href"),
            ("iframe", "src"),
            ("source", "src"),
        ):
            for element in html.find_all(tag):
                value = element.get(attribute, "")
                if tag == "link" and (
                    "canonical" in element.get("rel", []) or element.get("hreflang")
                ):  # addresses of the page itself, which nothing loads
                    continue
                assert not urlsplit(value).scheme and not value.startswith("//"), (page, value)
        for script in html.find_all("script"):  # no inline code: files of the site, or data
            assert script.get("src") or script.get("type") == "application/ld+json", (page, script)


def test_sitemap_and_robots(site: Path):
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {
        u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in tree.findall("s:url", ns)
    }
    assert "https://example.org/" in locations
    assert "https://example.org/conditions/glaucoma/" in locations
    assert "https://example.org/404.html" not in locations
    assert all(loc.startswith("https://example.org/") for loc in locations)
    assert locations["https://example.org/conditions/glaucoma/"].text.startswith("2026-")
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://example.org/sitemap.xml" in robots


def test_404_uses_links_from_the_site_root(site: Path):
    html = soup(site / "404.html")
    assert html.find("link", rel="stylesheet")["href"].startswith("/static/site.")
    assert {a["href"] for a in html.select("main a")} >= {"/", "/conditions/", "/packages/"}
    assert html.select_one(".disclaimer-short") is not None
    assert html.select_one(".disclaimer-full") is not None


def test_every_evidence_level_is_explained_on_the_evidence_page(site: Path):
    html = soup(site / "how-we-rate-evidence/index.html")
    levels = {dt["id"] for dt in html.select("dl.levels dt")}
    assert levels == {
        "level-established",
        "level-emerging",
        "level-investigational",
        "level-unproven-outside-trial",
        "level-not-supported",
    }


def test_package_page_states_its_review_dates(site: Path):
    main = soup(site / "packages/optic-nerve-stem-cell-12-day/index.html").find("main")
    review = main.select_one(".review-dates").get_text(" ", strip=True)
    assert review.startswith("Last reviewed on") and "Next review due" in review


def test_the_package_page_says_what_its_seller_the_publisher_has_not_published(site: Path):
    main = soup(site / "packages/optic-nerve-stem-cell-12-day/index.html").find("main")
    text = main.get_text(" ", strip=True)
    assert "The publisher of this site sells this package and has not published its price." in (
        text.replace(" .", ".")
    )
    missing = [li.get_text(strip=True) for li in main.select(".not-published li")]
    assert missing == [
        "its price",
        "a day-by-day schedule",
        "which eye or eyes are treated",
        "who gives the treatment",
        "the country where it is given",
        "the clinic that gives it",
        "the regulator that oversees the clinic",
        "the specification of the cell product",
        "how the cell product is tested",
        "the follow-up after treatment",
    ]
    # what the seed does say is kept
    assert "12 days" in text and "Accommodation for the patient" in text


def test_the_publishers_own_marketing_claims_are_quoted_and_withdrawn(site: Path):
    main = soup(site / "conditions/optic-nerve-damage/index.html").find("main")
    quoted = [
        p.get_text(" ", strip=True)
        for p in main.find_all("p")
        if "None in over 20,000 cases worldwide" in p.get_text()
    ]
    assert len(quoted) == 1 and "Our advertising" in quoted[0]
    heading = main.find("h3", string="Claims from our own advertising, now withdrawn")
    assert heading is not None
    assert "we have withdrawn them" in heading.find_next("p").get_text()


def test_every_health_page_says_whether_a_clinician_has_reviewed_it(site: Path):
    for page in [*site.glob("conditions/*/index.html"), site / "how-we-rate-evidence/index.html"]:
        review = soup(page).select_one(".review-dates").get_text(" ", strip=True)
        assert "No clinician has reviewed this page." in review, page


def test_every_condition_page_names_where_to_find_support(site: Path):
    for page in site.glob("conditions/*/index.html"):
        main = soup(page).find("main")
        support = main.find("h2", string="Support")
        assert support is not None, page
        text = support.find_next("ul").get_text(" ", strip=True)
        assert "RNIB" in text and "sight impaired" in text, page


def test_the_medicine_is_current(site: Path):
    lhon = soup(site / "conditions/leber-hereditary-optic-neuropathy/index.html").find("main")
    assert "Since 8 September 2015, a medicine called idebenone" in lhon.get_text(" ", strip=True)
    glaucoma = soup(site / "conditions/glaucoma/index.html").find("main").get_text(" ")
    assert "selective laser trabeculoplasty (SLT)" in glaucoma and "Since January 2022" in glaucoma
    damage = soup(site / "conditions/optic-nerve-damage/index.html").find("main")
    assert damage.find("h3", string="Giant cell arteritis: a same-day emergency") is not None


def test_every_source_of_the_sample_says_what_kind_it_is():
    site, _ = read_site(ROOT / "content")
    documents = [*site.conditions, *site.pages]
    sources = [s for d in documents for s in d.meta.sources]
    sources += [s for p in site.packages for s in p.sources]
    assert sources and all(source.type for source in sources)


def test_the_facts_the_first_review_could_not_source_are_now_given(site: Path):
    def main_text(page: str) -> str:
        return soup(site / page).find("main").get_text(" ", strip=True)

    pages = {
        "glaucoma": main_text("conditions/glaucoma/index.html"),
        "damage": main_text("conditions/optic-nerve-damage/index.html"),
        "lhon": main_text("conditions/leber-hereditary-optic-neuropathy/index.html"),
    }
    for name, text in pages.items():
        assert "not checked" not in text and "not yet checked" not in text, name
    assert "DVLA" in pages["glaucoma"] and "free NHS sight test" in pages["glaucoma"]
    assert "African or Caribbean" in pages["glaucoma"]
    assert "over the age of 50" in pages["damage"] and "ethambutol" in pages["damage"]
    assert "m.14484T>C" in pages["lhon"] and "20 April 2023" in pages["lhon"]


def test_reader_aids_a_to_z_breadcrumbs_contents_urgent_cards_and_feedback(site: Path):
    conditions = soup(site / "conditions/index.html")
    letters = conditions.select_one('nav.a-to-z[aria-label="Conditions A to Z"]')
    assert [a.get_text() for a in letters.select("a")] == ["C", "G", "L", "O"]
    # Each name a condition is also known by is listed under its own letter.
    see_also = [p.get_text(" ", strip=True) for p in conditions.select(".see-also")]
    assert "Chronic open-angle glaucoma : see Glaucoma" in see_also
    page = soup(site / "conditions/optic-nerve-damage/index.html")
    crumbs = [a.get_text() for a in page.select('nav.breadcrumbs[aria-label="Breadcrumb"] a')]
    assert crumbs == ["Home", "Conditions"]
    contents = [a["href"] for a in page.select('nav.contents[aria-label="Contents"] a')]
    assert contents[:3] == ["#how-the-optic-nerve-works", "#symptoms", "#causes"]
    assert all(page.find(id=href[1:]) for href in contents)
    urgent = page.select(".prose .callout-urgent[role=region]")
    assert len(urgent) == 2
    for card in urgent:
        assert page.find(id=card["aria-labelledby"]).get_text().startswith("Urgent advice: ")
    answers = page.select(".feedback a")
    assert [a.get_text(" ", strip=True) for a in answers] == [
        "Yes , this page was helpful",
        "No , this page was not helpful",
    ]
    assert answers[0]["href"].startswith("mailto:info@example.org?subject=")
    assert (
        "body=Page%3A%20https%3A//example.org/conditions/optic-nerve-damage/" in answers[0]["href"]
    )


def test_the_sample_has_three_spanish_pages_translated_and_says_they_need_review(site: Path):
    """Spanish serves About, International patients and Glaucoma in Spanish (drafts,
    each marked as needing a medical translator's review); every other Spanish page
    falls back to English, said so."""
    about = soup(site / "es/about/index.html")
    assert about.html["lang"] == "es"
    assert about.h1.get_text(strip=True) == "Sobre esta información" and not about.h1.get("lang")
    links = {a["href"] for a in about.select_one(".prose").find_all("a")}
    assert "../packages/optic-nerve-stem-cell-12-day/index.html" in links  # stays in /es/
    translated = ["about", "international-patients", "conditions/glaucoma"]
    for url in translated:
        html = soup(site / f"es/{url}/index.html")
        assert html.select_one(".translation-note") is None, url
        prose = html.select_one(".prose").get_text(" ", strip=True)
        assert "Traducción pendiente de revisión" in prose and "traductor médico" in prose, url
    documents = [*site.glob("es/conditions/*/index.html"), *site.glob("es/*/index.html")]
    documents = [page for page in documents if page.parent.name not in ("conditions", "packages",
                 "search") and "packages" not in page.parts]  # fmt: skip
    falling_back = [page for page in documents if soup(page).select_one(".translation-note")]
    assert sorted(set(map(str, documents)) - set(map(str, falling_back))) == sorted(
        str(site / f"es/{url}/index.html") for url in translated
    )


def translated_urls() -> list[str]:
    """Where the sample's translations are published: `conditions/glaucoma.ar.md` at
    `ar/conditions/glaucoma/`, `pages/about.es.md` at `es/about/`."""
    urls = []
    for path in (ROOT / "content").rglob("*.*.md"):
        slug, lang = path.name.split(".")[:2]
        folder = "conditions/" if path.parent.name == "conditions" else ""
        urls.append(f"{lang}/{folder}{slug}")
    return urls


def test_the_sample_has_two_arabic_pages_that_say_they_need_review(site: Path):
    """Glaucoma and the international patients' page in Arabic: right to left, every
    word the page shows of its own in Arabic, the English's sections and source markers,
    a note that a medical translator has not reviewed them, and links kept in /ar/."""
    assert sorted(url for url in translated_urls() if url.startswith("ar/")) == [
        "ar/conditions/glaucoma", "ar/international-patients"
    ]  # fmt: skip
    for url, english in (("ar/conditions/glaucoma", "conditions/glaucoma"),
                         ("ar/international-patients", "international-patients")):  # fmt: skip
        page, original = soup(site / url / "index.html"), soup(site / english / "index.html")
        assert (page.html["lang"], page.html["dir"]) == ("ar", "rtl")
        assert page.select_one(".translation-note") is None and not page.h1.get("lang")
        prose = page.select_one(".prose")
        assert not prose.get("lang")
        note = prose.find("blockquote").get_text(" ", strip=True)
        assert "ترجمة بانتظار المراجعة" in note and "مترجم طبي" in note
        assert len(prose.find_all("h2")) == len(original.select_one(".prose").find_all("h2"))
        markers = [ref.a["href"] for ref in prose.select(".source-ref")]
        english_markers = [ref.a["href"] for ref in original.select(".prose .source-ref")]
        assert markers == english_markers and markers
        assert len(page.select(".sources li")) == len(original.select(".sources li"))
        for link in prose.find_all("a", href=True):
            href = link["href"]
            assert href.startswith(("#", "http")) or "/ar/" in posixpath.normpath(
                posixpath.join(f"/{url}/", href)
            ), href
        assert "ليست مراجعة سريرية" in page.select_one(".review-dates").get_text()
    glaucoma = soup(site / "ar/conditions/glaucoma/index.html")
    assert glaucoma.h1.get_text(strip=True) == "الزرق (الجلوكوما)"
    assert "الزرق المزمن مفتوح الزاوية" in glaucoma.select_one(".aka").get_text()
    assert "الليزر وقطرات العين والجراحة" in glaucoma.select_one(".evidence-level").get_text()


def test_an_arabic_page_s_interface_words_and_references_read_right_to_left(site: Path):
    """What the templates add to a translated condition is in its language: the name a
    screen reader gives a source marker, what a package card's evidence rates; and each
    English reference in its sources is isolated, so it reads left to right and ends with
    its full stop on a right-to-left page."""
    glaucoma = soup(site / "ar/conditions/glaucoma/index.html")
    names = {
        hidden.get_text(strip=True) for hidden in glaucoma.select(".source-ref .visually-hidden")
    }
    assert names == {"المصدر"}
    card = glaucoma.select_one("#packages-title").find_parent("section")
    assert "الأدلة على هذه الباقة" in card.get_text() and "this package" not in card.get_text()
    for item in glaucoma.select(".sources li"):
        assert item.bdi is not None and item.bdi.get_text().endswith("."), item
    english = soup(site / "conditions/glaucoma/index.html")
    assert {
        hidden.get_text(strip=True) for hidden in english.select(".source-ref .visually-hidden")
    } == {"source"}
    levels = soup(site / "ar/how-we-rate-evidence/index.html").select_one(".levels").get_text()
    assert "باختصار:" in levels and "In short" not in levels


def test_every_in_page_link_names_an_id_on_its_page(site: Path) -> None:
    """Contents lists and `#` links land on their heading in every language; an Arabic
    page's sections have ids of their own Arabic words, each once."""
    checked = 0
    for path in pages(site):
        page = soup(path)
        ids = [element["id"] for element in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), path
        for link in page.find_all("a", href=True):
            if link["href"].startswith("#") and link["href"] != "#":
                assert link["href"][1:] in ids, (path, link["href"])
                checked += 1
    assert checked > 100
    arabic = soup(site / "ar/conditions/glaucoma/index.html")
    sections = [heading["id"] for heading in arabic.select(".prose h2")]
    assert sections[:2] == ["الأعراض", "الأسباب"] and "خيارات-العلاج" in sections
    contents = [link["href"] for link in arabic.select(".contents a")]
    assert contents == [f"#{section}" for section in sections]
    english = soup(site / "conditions/glaucoma/index.html")
    assert [heading["id"] for heading in english.select(".prose h2")][:2] == [
        "symptoms",
        "causes",
    ]
