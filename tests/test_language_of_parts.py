"""WCAG 3.1.2, the language of parts: on a page in another language, every word still in
the default language (a page not translated, a catalogue field or setting its translation
does not give, a reference kept as the original gives it) is marked `lang="en"`, and the
page's own words are not. Each page is parsed and each piece of text read with the
language a screen reader would speak it in (its nearest `lang`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml
from test_i18n import ARABIC, SPANISH, add_spanish_package, options, page, set_languages  # noqa: F401
from test_incremental import rebuild

from sitegen.build import BuildOptions, Session, build

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Spoken(HTMLParser):
    """Each piece of text of a page's body with the language it is in (its nearest
    `lang`) and its direction where an element sets one."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, str | None]] = []  # tag, lang, dir
        self.pieces: list[tuple[str, str, str | None]] = []  # text, lang, dir

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        given = dict(attrs)
        lang = given.get("lang") or (self.stack[-1][1] if self.stack else None)
        direction = given.get("dir") or (self.stack[-1][2] if self.stack else None)
        self.stack.append((tag, lang, direction))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        tags = [tag for tag, _, _ in self.stack]
        if text and "body" in tags and "script" not in tags and "style" not in tags:
            _, lang, direction = self.stack[-1]
            self.pieces.append((text, lang or "", direction))


def spoken(html: str) -> list[tuple[str, str, str | None]]:
    parser = Spoken()
    parser.feed(html)
    return parser.pieces


def language_of(html: str, text: str) -> set[str]:
    """The languages the pieces of text that are exactly `text` are in."""
    found = {lang for piece, lang, _ in spoken(html) if piece == text}
    assert found, f"{text!r} is not on the page"
    return found


def test_a_packages_words_not_translated_are_marked_english(options: BuildOptions) -> None:  # noqa: F811
    assert build(options).ok
    html = page(options, "es/packages/test-package/")
    for english in ("Test package", "A package used by the tests.", "Headache", "Test cells",
                    "Intravenous", "Times not stated.", "Rest", "Accommodation", "Testland:",
                    "Tell the test regulator.", "Package source", "Beta condition",
                    "English"):  # fmt: skip
        assert language_of(html, english) == {"en"}, english
    for spanish in ("Riesgos conocidos", "Antes de decidir", "Terapia celular", "Precio"):
        assert language_of(html, spanish) == {"es"}, spanish
    catalogue = page(options, "es/packages/")
    assert language_of(catalogue, "Test package") == {"en"}
    assert language_of(catalogue, "Headache") == {"en"}
    assert language_of(catalogue, "Beta condition") == {"en"}


def test_a_packages_translated_words_are_not_marked(options: BuildOptions) -> None:  # noqa: F811
    add_spanish_package(options.content)
    assert build(options).ok
    html = page(options, "es/packages/test-package/")
    for spanish in ("Paquete de prueba", "Dolor de cabeza", "Infección"):
        assert language_of(html, spanish) == {"es"}, spanish
    assert language_of(html, "A package used by the tests.") == {"en"}  # no Spanish summary
    assert language_of(html, "Test cells") == {"en"}  # not a field a translation gives
    assert language_of(page(options, "es/"), "Paquete de prueba") == {"es"}


def test_a_translations_sources_kept_in_english_are_marked(options: BuildOptions) -> None:  # noqa: F811
    assert build(options).ok
    html = page(options, "es/conditions/alpha/")
    assert language_of(html, "A review of alpha") == {"en"}
    for spanish in ("Afección alfa", "Alfa es una afección de prueba.", "Fuentes"):
        assert language_of(html, spanish) == {"es"}, spanish
    assert "Revisora de prueba" in html and 'lang="en">Revisora' not in html
    # A source the translator gives in Spanish is Spanish.
    translation = options.content / "conditions/alpha.es.md"
    translation.write_text(
        translation.read_text().replace("A review of alpha", "Una revisión de alfa")
    )
    assert build(options).ok
    assert language_of(page(options, "es/conditions/alpha/"), "Una revisión de alfa") == {"es"}


def test_a_page_not_translated_is_english_where_its_words_are(options: BuildOptions) -> None:  # noqa: F811
    assert build(options).ok
    html = page(options, "es/conditions/beta/")
    for english in ("Beta condition", "Beta is another test condition.", "Beta report",
                    "Test J 2020;1:1-2"):  # fmt: skip
        assert language_of(html, english) == {"en"}, english
    assert any(
        lang == "en" and "Test reviewer" in piece for piece, lang, _ in spoken(html)
    )  # the review's name, in a Spanish sentence
    assert language_of(html, "Datos clave") == {"es"}
    # In Arabic the English words also run left to right.
    arabic = page(options, "ar/conditions/beta/")
    assert {(lang, d) for piece, lang, d in spoken(arabic) if piece == "Beta report"} == {
        ("en", "ltr")
    }


def test_listings_and_settings_not_translated_are_marked(options: BuildOptions) -> None:  # noqa: F811
    assert build(options).ok
    home = page(options, "es/")
    assert language_of(home, "Beta condition") == {"en"}  # not translated
    assert language_of(home, "Afección alfa") == {"es"}
    assert language_of(home, "A small site used by the tests.") == {"en"}  # no description
    assert language_of(home, "Sitio de prueba") == {"es"}  # the title is given
    assert language_of(home, "Inicio") == {"es"}  # so is the navigation
    arabic = page(options, "ar/")  # Arabic gives no title and no navigation
    assert language_of(arabic, "Test Site") == {"en"}
    assert {lang for piece, lang, _ in spoken(arabic) if piece.startswith("Home")} == {"en"}
    listing = page(options, "es/conditions/")
    assert language_of(listing, "Beta condition") == {"en"}
    assert language_of(listing, "Afección alfa") == {"es"}


def test_pages_in_the_default_language_mark_nothing(options: BuildOptions) -> None:  # noqa: F811
    assert build(options).ok
    for url in ("", "conditions/alpha/", "conditions/beta/", "packages/test-package/",
                "packages/"):  # fmt: skip
        html = page(options, url)
        assert len(re.findall(r'\slang="en"', html)) == 1, url  # <html> alone


def sample_english_words(content: Path) -> set[str]:
    """Words of the sample catalogue no language translates: each must be marked
    wherever a Spanish or Arabic page shows it."""
    catalogue = yaml.safe_load((content / "packages.yaml").read_text("utf-8"))
    words: set[str] = set()
    for package in catalogue["packages"]:
        assert not package.get("translations"), "the sample has no package translations"
        words |= {package["name"], *package["known_risks"]}
        words |= {item["jurisdiction"] + ":" for item in package.get("regulatory_status", [])}
    return words


def test_the_samples_english_words_are_marked_on_every_translated_page(sample_site: Path) -> None:
    content = Path(__file__).resolve().parents[1] / "content"
    english = sample_english_words(content)
    checked = 0
    for path in sorted(sample_site.glob("[ea][sr]/**/index.html")):
        for text, lang, _ in spoken(path.read_text("utf-8")):
            if text in english:
                assert lang == "en", (path, text)
                checked += 1
    assert checked > 50
    glaucoma = (sample_site / "es/conditions/glaucoma/index.html").read_text("utf-8")
    assert language_of(glaucoma, "Sight loss support") == {"en"}  # a source kept in English
    assert "<h1>Glaucoma</h1>" in glaucoma  # the Spanish title, the same word as the English


def test_the_samples_interface_words_are_in_each_pages_language(sample_site: Path) -> None:
    """The A to Z's name and its cross-references, and the kind search results show."""
    spanish = (sample_site / "es/conditions/index.html").read_text("utf-8")
    assert 'aria-label="Afecciones de la A a la Z"' in spanish
    assert "véase" in spanish and ": see " not in spanish
    arabic = (sample_site / "ar/conditions/index.html").read_text("utf-8")
    assert "انظر" in arabic and ": see " not in arabic
    assert "Conditions A to Z" not in spanish + arabic
    glaucoma = (sample_site / "es/conditions/glaucoma/index.html").read_text("utf-8")
    assert 'data-pagefind-meta="kind:Afección"' in glaucoma
    pages = (sample_site / "ar/international-patients/index.html").read_text("utf-8")
    assert 'data-pagefind-meta="kind:صفحة"' in pages


def test_giving_a_setting_in_a_language_unmarks_it_incrementally(options: BuildOptions) -> None:  # noqa: F811
    """Whether a translation gives a setting is what the mark follows, even when its words
    are the default's ("The test suite" is a name): the pages that show it are rendered
    again, and the cached build equals a clean one (`rebuild`)."""
    session = Session(options)
    assert session.build().ok
    footer = page(options, "es/").split('<footer class="site-footer">')[1]
    assert '<span lang="en">The test suite</span>' in footer
    set_languages(options.content, {"es": {**SPANISH, "publisher": "The test suite"},
                                    "ar": ARABIC})  # fmt: skip
    again = rebuild(session)
    assert "es/" in again.rendered and not any(url.startswith("ar/") for url in again.rendered)
    footer = page(options, "es/").split('<footer class="site-footer">')[1]
    assert "The test suite" in footer and '<span lang="en">The test suite' not in footer
