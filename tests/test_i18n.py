"""Sites in more than one language: routing, fallbacks, alternates, the switcher, the
disclaimer in every language, stale translations, and incremental builds that equal
clean ones after editing a translation, its source or the languages."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from test_incremental import rebuild, rendered_again

from conftest import ROOT
from sitegen.build import BuildOptions, BuildResult, Session, build

TODAY = date(2026, 6, 1)

SPANISH = {
    "title": "Sitio de prueba",
    "disclaimer": "Este es un **aviso de prueba**. Vea [cómo valoramos la evidencia]"
    "(/how-we-rate-evidence/).",
    "disclaimer_short": "Datos clave de prueba. Esto es información, no consejo médico.",
    "evidence_levels": {
        "established": {"label": "Establecida", "explanation": "Funciona en buenos ensayos."},
        "investigational": {"label": "En investigación", "explanation": "No se sabe si es segura."},
    },
    "navigation": [{"title": "Inicio", "url": "/"}, {"title": "Afecciones", "url": "/conditions/"}],
}
ARABIC = {
    "disclaimer": "هذا **إخلاء مسؤولية تجريبي**.",
    "disclaimer_short": "حقائق أساسية تجريبية. هذه معلومات وليست نصيحة طبية.",
    "evidence_levels": {
        "established": {"label": "مثبتة", "explanation": "ثبتت فائدتها في تجارب جيدة."},
        "investigational": {"label": "قيد البحث", "explanation": "لم تثبت سلامتها."},
    },
}
ALPHA_ES = """---
title: Afección alfa
summary: Alfa es una afección de prueba.
evidence: established
last_reviewed: 2026-02-01
reviewed_by: Revisora de prueba
sources:
  - title: A review of alpha
    url: https://example.org/alpha-review
---
## Síntomas

Alfa tiene síntomas [1] y una palabra rara: zarzaparrilla. Compare con [beta](beta.md).
"""


LANGUAGES = [
    {"code": "en", "name": "English"},
    {"code": "es", "name": "Español"},
    {"code": "ar", "name": "العربية", "direction": "rtl"},
]


def set_languages(content: Path, translations: dict, languages: list = LANGUAGES) -> None:
    """The minimal site's settings with these languages and words for them (appended
    as written, so the rest of site.yaml keeps its lines)."""
    site = content / "site.yaml"
    original = site.read_text().split("\nlanguages:")[0].rstrip("\n") + "\n"
    added = {"languages": languages, "translations": translations}
    site.write_text(original + yaml.safe_dump(added, allow_unicode=True, sort_keys=False))


def make_multilingual(content: Path) -> None:
    """The minimal site in English (default), Spanish and Arabic, with alpha in Spanish."""
    set_languages(content, {"es": SPANISH, "ar": ARABIC})
    (content / "conditions/alpha.es.md").write_text(ALPHA_ES)


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    make_multilingual(content)
    return BuildOptions(content, tmp_path / "site", templates, today=TODAY)


def page(options: BuildOptions, url: str) -> str:
    return (options.out / (url + "index.html" if url.endswith("/") or not url else url)).read_text()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# Routing and what each page says ------------------------------------------------


def test_each_language_has_every_page_under_its_code(options: BuildOptions) -> None:
    result = build(options)
    assert result.ok, result.errors
    urls = set(result.urls)
    for prefix in ("", "es/", "ar/"):
        assert {prefix, f"{prefix}conditions/alpha/", f"{prefix}packages/test-package/",
                f"{prefix}about/", f"{prefix}search/"} <= urls  # fmt: skip
    assert {"es/feed.xml", "ar/feed.xml", "feed.xml", "sitemap.xml", "404.html"} <= urls
    assert "es/404.html" not in urls and "es/sitemap.xml" not in urls
    assert '<html lang="es">' in page(options, "es/")
    assert '<html lang="ar" dir="rtl">' in page(options, "ar/")
    assert '<html lang="en">' in page(options, "")


def test_a_translation_is_shown_with_its_own_words_and_links_stay_in_its_language(
    options: BuildOptions,
) -> None:
    assert build(options).ok
    html = page(options, "es/conditions/alpha/")
    assert "Afección alfa" in html and "zarzaparrilla" in html
    assert 'href="../beta/index.html"' in html  # beta.md -> es/conditions/beta/
    assert "aviso de prueba" in html and "Establecida" in html
    assert ">Inicio</a>" in html  # the Spanish navigation
    assert "translation-note" not in html
    assert "Afección alfa" in page(options, "es/conditions/")  # the Spanish listing
    assert "Alpha condition" not in page(options, "es/conditions/")


def test_a_page_not_translated_falls_back_marked_with_its_language(
    options: BuildOptions,
) -> None:
    assert build(options).ok
    html = page(options, "ar/conditions/beta/")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<div class="prose" lang="en" dir="ltr">' in html
    assert re.search(r'<h1 lang="en" dir="ltr">Beta condition</h1>', html)
    assert 'class="translation-note"' in html
    assert "إخلاء مسؤولية تجريبي" in html  # the disclaimer stays in the reader's language
    assert '<link rel="canonical" href="https://example.test/sub/conditions/beta/">' in html
    assert 'hreflang="' not in html.split("</head>")[0]
    es = page(options, "es/conditions/beta/")
    assert '<div class="prose" lang="en">' in es  # same direction: no dir needed


def alternates(html: str) -> dict[str, str]:
    head = html.split("</head>")[0]
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))


def test_hreflang_alternates_are_reciprocal_with_x_default(options: BuildOptions) -> None:
    result = build(options)
    base = "https://example.test/sub/"
    html_pages = [url for url in result.urls if url.endswith("/") or url == ""]
    by_address = {base + url: alternates(page(options, url)) for url in html_pages}
    assert by_address[base + "conditions/alpha/"] == {
        "en": base + "conditions/alpha/",
        "es": base + "es/conditions/alpha/",
        "x-default": base + "conditions/alpha/",
    }
    assert set(by_address[base + "packages/"]) == {"en", "es", "ar", "x-default"}
    checked = 0
    for address, found in by_address.items():
        for code, other in found.items():
            if code != "x-default":
                assert by_address[other] == found, (address, other)  # each names all, itself too
                checked += 1
    assert checked > 20


def test_the_switcher_goes_to_the_same_page_or_says_it_goes_home(options: BuildOptions) -> None:
    assert build(options).ok
    html = page(options, "conditions/alpha/")
    switcher = html.split("language-switcher-header")[1].split("</nav>")[0]
    assert 'href="../../es/conditions/alpha/index.html" hreflang="es"' in switcher
    assert re.search(r'href="../../ar/index.html" hreflang="ar"[^>]*>العربية</a> '
                     r'<span class="switcher-home">', switcher)  # fmt: skip
    packages = page(options, "ar/packages/")
    assert 'href="../../packages/index.html" hreflang="en"' in packages
    assert 'href="../../es/packages/index.html" hreflang="es"' in packages


def test_the_sitemap_lists_every_language_version_with_its_alternates(
    options: BuildOptions,
) -> None:
    assert build(options).ok
    sitemap = page(options, "sitemap.xml")
    assert "<loc>https://example.test/sub/es/conditions/alpha/</loc>" in sitemap
    assert "<loc>https://example.test/sub/ar/conditions/alpha/</loc>" not in sitemap  # a fallback
    assert ('<xhtml:link rel="alternate" hreflang="ar" href="https://example.test/sub/ar/"/>'
            in sitemap)  # fmt: skip
    feed = page(options, "es/feed.xml")
    assert 'xml:lang="es"' in feed and "Afección alfa" in feed and "Beta condition" not in feed


# The disclaimer in every language ------------------------------------------------


def test_a_language_without_its_disclaimer_or_evidence_words_stops_the_build(
    options: BuildOptions,
) -> None:
    site = options.content / "site.yaml"
    edit(site, "label: قيد البحث", "label_x: قيد البحث")
    result = build(options)
    assert result.errors
    assert all(
        f.field.startswith("translations.ar.evidence_levels.investigational.")
        for f in result.errors
    )
    set_languages(options.content, {"es": SPANISH, "ar": {"title": "عنوان"}})
    result = build(options)
    (finding,) = result.errors
    line = site.read_text().splitlines().index("  ar:") + 1
    assert (finding.line, finding.col, finding.field) == (line, 3, "translations.ar")
    assert "disclaimer" in finding.message and "evidence_levels.established" in finding.message
    set_languages(options.content, {"es": SPANISH})
    (finding,) = build(options).errors
    assert finding.field == "languages[3].code" and "disclaimer" in finding.message


def test_words_for_a_language_not_listed_are_an_error(options: BuildOptions) -> None:
    set_languages(options.content, {"es": SPANISH, "ar": ARABIC, "fr": SPANISH})
    (finding,) = build(options).errors
    assert finding.field == "translations.fr" and "es, ar" in finding.message


def test_every_page_is_checked_against_its_own_languages_disclaimer(
    options: BuildOptions,
) -> None:
    partial = options.templates / "partials/disclaimer.html"
    edit(partial, "{{ disclaimer_html }}",
         "{% if language.code == 'es' %}Otro texto.{% else %}{{ disclaimer_html }}{% endif %}")  # fmt: skip
    result = build(options)
    assert result.errors
    assert {f.field for f in result.errors} == {"disclaimer"}
    assert all("(in es/" in f.message for f in result.errors)


def test_every_page_is_checked_against_its_own_languages_key_facts(
    options: BuildOptions,
) -> None:
    result = build(options)
    assert "Datos clave de prueba." in page(options, "es/conditions/alpha/")
    assert "Test key facts." in page(options, "conditions/alpha/")
    assert "حقائق أساسية تجريبية." in page(options, "ar/about/")
    partial = options.templates / "partials/disclaimer_short.html"
    edit(partial, "<p>{{ config.disclaimer_short }}</p>",
         "<p>{% if language.code == 'ar' %}Test key facts. This is information, not medical "
         "advice.{% else %}{{ config.disclaimer_short }}{% endif %}</p>")  # fmt: skip
    result = build(options)
    assert result.errors
    assert {f.field for f in result.errors} == {"disclaimer"}
    assert all("(in ar/" in f.message and "key facts" in f.message for f in result.errors)


def test_a_language_needs_its_key_facts_and_evidence_summaries(options: BuildOptions) -> None:
    site = options.content / "site.yaml"
    edit(site, "    explanation: Shown to work in good trials.\n",
         "    explanation: Shown to work in good trials.\n    summary: shown to work\n")  # fmt: skip
    spanish = {**SPANISH, "disclaimer_short": None}
    set_languages(options.content, {"es": spanish, "ar": ARABIC})
    found = {f.message for f in build(options).errors}
    assert any("'es'" in m and "disclaimer_short" in m and "established.summary" in m
               for m in found), found  # fmt: skip
    assert any("'ar'" in m and "established.summary" in m for m in found), found


def test_a_long_translation_of_the_key_facts_is_a_warning_at_its_line(
    options: BuildOptions,
) -> None:
    set_languages(options.content, {"es": {**SPANISH, "disclaimer_short": "Datos. " * 40},
                                    "ar": ARABIC})  # fmt: skip
    result = build(options)
    assert result.ok
    (long,) = [f for f in result.warnings if f.field == "translations.es.disclaimer_short"]
    line = (options.content / "site.yaml").read_text().splitlines().index("  es:") + 1
    assert long.line > line and "at most 200 characters" in long.message


def test_an_alias_redirects_within_each_language(options: BuildOptions) -> None:
    edit(options.content / "conditions/alpha.md", "---\n", "---\naliases: [/old-alpha/]\n")
    result = build(options)
    assert result.ok, result.errors
    assert {"old-alpha/", "es/old-alpha/", "ar/old-alpha/"} <= set(result.urls)
    spanish = page(options, "es/old-alpha/")
    assert 'content="0; url=../conditions/alpha/index.html"' in spanish
    assert "Esta página se ha trasladado" in spanish and ">Afección alfa</a>" in spanish
    arabic = page(options, "ar/old-alpha/")  # alpha is not in Arabic: its English title, marked
    assert 'href="../conditions/alpha/index.html" lang="en" dir="ltr">Alpha condition' in arabic
    assert 'hreflang="' not in arabic.split("</head>")[0]  # a redirect names no alternates
    assert 'url=../conditions/alpha/index.html"' in page(options, "old-alpha/")


def test_an_alias_in_a_translation_is_an_error_at_its_line(options: BuildOptions) -> None:
    edit(options.content / "conditions/alpha.es.md", "---\n", "---\naliases: [/viejo-alfa/]\n")
    (found,) = build(options).errors
    assert found.path.endswith("conditions/alpha.es.md")
    assert (found.line, found.col, found.field) == (2, 11, "aliases[1]")
    assert "content/conditions/alpha.md" in found.message


def test_a_draft_translation_is_left_out_and_its_page_falls_back(options: BuildOptions) -> None:
    edit(options.content / "conditions/alpha.es.md", "---\n", "---\ndraft: true\n")
    result = build(options)
    assert result.ok
    assert any(f.path.endswith("alpha.es.md") and f.field == "draft" for f in result.findings)
    html = page(options, "es/conditions/alpha/")
    assert "Afección alfa" not in html and "Alpha condition" in html
    assert 'class="translation-note"' in html
    # The other translations are still published.
    beta = options.content / "conditions/beta.es.md"
    beta.write_text(ALPHA_ES.replace("Afección alfa", "Afección beta"))
    build(options)
    assert "Afección beta" in page(options, "es/conditions/beta/")
    assert "Afección alfa" not in page(options, "es/conditions/alpha/")


def test_a_draft_page_is_left_out_in_every_language(options: BuildOptions) -> None:
    edit(options.content / "conditions/alpha.md", "---\n", "---\ndraft: true\n")
    result = build(options)
    assert result.ok, result.errors
    assert not [url for url in result.urls if "alpha" in url]
    assert "Afección alfa" not in page(options, "es/conditions/")
    served = build(replace(options, drafts=True))  # serve shows it, marked, in each language
    assert "Afección alfa" in page(options, "es/conditions/alpha/")
    assert "Borrador: no publicado." in page(options, "es/conditions/alpha/")
    assert served.ok


def test_a_translation_with_no_page_to_translate_is_an_error(options: BuildOptions) -> None:
    (options.content / "conditions/gamma.es.md").write_text(ALPHA_ES)
    (finding,) = build(options).errors
    assert finding.path.endswith("conditions/gamma.es.md") and finding.field == "translation"


# Stale translations --------------------------------------------------------------


def test_a_translation_older_than_its_page_is_noted_and_reported(options: BuildOptions) -> None:
    assert "translation-stale" not in (build(options), page(options, "es/conditions/alpha/"))[1]
    edit(options.content / "conditions/alpha.md", "last_reviewed: 2026-01-15",
         "last_reviewed: 2026-03-01")  # fmt: skip
    result = build(options)
    (stale,) = [f for f in result.warnings if f.field == "translation"]
    assert stale.path.endswith("alpha.es.md") and "2026-03-01" in stale.message
    assert (stale.line, stale.col) == (5, 16)  # the translation's own last_reviewed
    html = page(options, "es/conditions/alpha/")
    assert 'class="translation-note translation-stale"' in html
    assert "1 de marzo de 2026" in html  # the date in Spanish (Babel)


ARABIC_SENTENCE = "لألفا أعراض كثيرة يلاحظها المصابون بها أولًا، ثم تزداد مع الوقت (NICE) [1].\n\n"
ALPHA_AR = f"""---
title: الحالة ألفا
summary: ألفا حالة تجريبية.
evidence: established
last_reviewed: 2026-03-01
reviewed_by: مراجع تجريبي
sources:
  - title: A review of alpha
    url: https://example.org/alpha-review
    accessed: 2026-01-15
---
## الأعراض

{ARABIC_SENTENCE * 12}"""


def test_a_translation_in_another_script_is_checked_in_its_own_words(
    options: BuildOptions,
) -> None:
    """Its words are counted and its required sections found in Arabic letters (in Latin
    letters only, it had 12 words and a section with 'only its heading'); the English
    reading formulas are not applied to it; and its review, later than its sources'
    dates, dates the translation, not them (its page's review dates them)."""
    set_languages(
        options.content, {"es": SPANISH, "ar": {**ARABIC, "required_sections": ["الأعراض"]}}
    )
    edit(options.content / "site.yaml", "min_words: 1", "min_words: 144")  # 12 x 12 words
    (options.content / "conditions/alpha.ar.md").write_text(ALPHA_AR)
    result = build(options)
    (found,) = [f for f in result.findings if f.path.endswith("alpha.ar.md")]
    assert (found.field, found.severity.value) == ("reading-age", "note")
    assert found.message.startswith("not measured")
    edit(options.content / "site.yaml", "min_words: 144", "min_words: 145")
    (short,) = [f for f in build(options).errors if f.path.endswith("alpha.ar.md")]
    assert short.field == "text" and short.message.endswith("found 144")


# Incremental builds ----------------------------------------------------------------


def test_editing_a_translation_renders_the_pages_that_read_it_and_only_those(
    options: BuildOptions,
) -> None:
    session = Session(options)
    assert session.build().ok
    edit(options.content / "conditions/alpha.es.md", "palabra rara", "palabra muy rara")
    assert rebuild(session).rendered == ["es/conditions/alpha/"]
    edit(options.content / "conditions/alpha.es.md", "title: Afección alfa", "title: Afección A")
    # Not es/packages/: its table names only the conditions its packages are offered for.
    assert set(rebuild(session).rendered) == {
        "es/conditions/alpha/", "es/", "es/conditions/", "es/search/", "es/feed.xml",
    }  # fmt: skip


def test_adding_a_translation_updates_its_siblings_alternates(options: BuildOptions) -> None:
    session = Session(options)
    assert session.build().ok
    beta = (options.content / "conditions/beta.md").read_text()
    (options.content / "conditions/beta.ar.md").write_text(
        beta.replace("title: Beta condition", "title: حالة بيتا")
    )
    rendered = set(rebuild(session).rendered)
    assert {"conditions/beta/", "es/conditions/beta/", "ar/conditions/beta/", "sitemap.xml",
            "ar/", "ar/conditions/", "ar/feed.xml"} <= rendered  # fmt: skip
    assert "conditions/alpha/" not in rendered and "es/conditions/alpha/" not in rendered
    assert "ar" in alternates(page(options, "conditions/beta/"))
    (options.content / "conditions/beta.ar.md").unlink()
    rebuild(session)
    assert "ar" not in alternates(page(options, "conditions/beta/"))


def test_editing_the_source_review_date_marks_its_translation_stale(
    options: BuildOptions,
) -> None:
    session = Session(options)
    assert session.build().ok
    edit(options.content / "conditions/alpha.md", "last_reviewed: 2026-01-15",
         "last_reviewed: 2026-03-01")  # fmt: skip
    rendered = rebuild(session).rendered
    assert "es/conditions/alpha/" in rendered
    assert "translation-stale" in page(options, "es/conditions/alpha/")


def test_editing_one_languages_words_renders_only_that_languages_pages(
    options: BuildOptions,
) -> None:
    session = Session(options)
    assert session.build().ok
    edit(options.content / "site.yaml", "هذا", "هذا هو")
    rendered = set(rebuild(session).rendered)
    assert rendered and all(url.startswith("ar/") for url in rendered)


# Interface strings (gettext catalogues compiled by Babel) ---------------------------


def compile_catalogue(templates: Path, lang: str, change: dict[str, str]) -> None:
    """Compile the language's catalogue again with some strings changed, as
    `make i18n-compile` would after an edit of its .po file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = templates / "locale" / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=lang)
    for message_id, text in change.items():
        catalogue[message_id].string = text
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)


def test_interface_strings_are_shown_in_the_pages_language(options: BuildOptions) -> None:
    result = build(options)
    assert [f for f in result.warnings if f.field == "interface"] == []
    assert 'aria-label="Idiomas"' in page(options, "es/")
    assert 'aria-label="اللغات"' in page(options, "ar/")
    assert 'aria-label="Languages"' in page(options, "")
    assert "<title>Afecciones | Sitio de prueba</title>" in page(options, "es/conditions/")


def test_a_missing_interface_string_is_a_warning_that_names_it(options: BuildOptions) -> None:
    edit(options.templates / "partials/languages.html", "_('Languages')", "_('Other languages')")
    result = build(options)
    missing = sorted((f.path.rsplit("templates/", 1)[1], f.message) for f in result.warnings
                     if f.field == "interface")  # fmt: skip
    assert [path for path, _ in missing] == [
        "locale/ar/LC_MESSAGES/messages.po", "locale/es/LC_MESSAGES/messages.po"
    ]  # fmt: skip
    assert all("'Other languages'" in message for _, message in missing)
    assert 'aria-label="Other languages"' in page(options, "es/")  # the default's words


def test_editing_a_catalogue_renders_that_languages_pages_only(options: BuildOptions) -> None:
    session = Session(options)
    first = session.build()
    assert first.ok
    compile_catalogue(options.templates, "es", {"Languages": "Lenguas"})
    rendered = set(rebuild(session).rendered)
    spanish_pages = {url for url in first.urls if url.startswith("es/") and not
                     url.endswith(".xml")}  # fmt: skip
    assert rendered == spanish_pages
    assert 'aria-label="Lenguas"' in page(options, "es/conditions/alpha/")


def test_a_language_the_claims_rules_do_not_cover_is_reported_once(
    options: BuildOptions,
) -> None:
    (options.content / "pages/about.es.md").write_text(
        (options.content / "pages/about.md").read_text()
    )
    unchecked = [f for f in build(options).findings if f.field == "claims" and "'es'" in f.message]
    (finding,) = unchecked
    assert finding.severity.value == "note" and "2 translated page(s)" in finding.message


# What the previous steps left: package pages' words, JSON-LD addresses, new --lang -------


def add_spanish_package(content: Path) -> None:
    catalogue = content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text())
    data["packages"][0]["translations"] = {
        "es": {"name": "Paquete de prueba", "known_risks": ["Dolor de cabeza", "Infección"]}
    }
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def json_ld(html: str) -> dict:
    import json

    return json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>")[0])


def test_package_pages_and_the_catalogue_speak_the_pages_language(options: BuildOptions) -> None:
    add_spanish_package(options.content)
    result = build(options)
    assert result.ok, result.errors
    html = page(options, "es/packages/test-package/")
    for words in ("Riesgos conocidos", "Antes de decidir", "Qué contiene el paquete",
                  "¿Forma parte de un ensayo clínico registrado?", "Terapia celular",
                  "10 días", "2 unidades", "Día a día", "Precio"):  # fmt: skip
        assert words in html, words
    for words in ("Known risks", "Before you decide", "What the package contains", "Not stated"):
        assert words not in html, words
    catalogue = page(options, "es/packages/")
    assert "Comparación de los paquetes de tratamiento" in catalogue
    assert 'data-label="Riesgos conocidos"' in catalogue
    arabic = page(options, "ar/packages/test-package/")  # not translated: the interface in Arabic
    assert "المخاطر المعروفة" in arabic and "قبل أن تقرر" in arabic
    assert "Known risks" not in arabic and "10 أيام" in arabic
    assert not [f for f in result.warnings if f.field == "interface"]  # every string is there


def test_structured_data_gives_each_languages_own_addresses(options: BuildOptions) -> None:
    add_spanish_package(options.content)
    assert build(options).ok
    base = "https://example.test/sub/"
    package = json_ld(page(options, "es/packages/test-package/"))
    assert package["url"] == base + "es/packages/test-package/"
    assert package["inLanguage"] == "es" and package["name"] == "Paquete de prueba"
    assert [m["url"] for m in package["mentions"]] == [base + "es/conditions/beta/"]
    assert json_ld(page(options, "es/conditions/alpha/"))["url"] == base + "es/conditions/alpha/"
    assert (
        json_ld(page(options, "packages/test-package/"))["url"] == base + "packages/test-package/"
    )
    assert "application/ld+json" not in page(options, "ar/packages/test-package/")  # a fallback


def test_new_lang_starts_a_translation_beside_its_page(options: BuildOptions) -> None:
    from conftest import run_cli

    content = str(options.content)
    made = run_cli("new", "condition", "Beta", "--lang", "es", "--content", content)
    assert made.returncode == 0, made.stderr
    path = options.content / "conditions/beta.es.md"
    assert made.stdout.strip().endswith("conditions/beta.es.md")
    source = (options.content / "conditions/beta.md").read_text()
    text = path.read_text()
    assert "# The 'es' translation of conditions/beta.md." in text
    body = source.split("\n---\n", 1)[1]
    assert text.endswith(body)  # the body to translate in place
    assert f"last_reviewed: {date.today().isoformat()}" in text
    result = build(replace(options, today=date.today()))
    assert result.ok, result.errors  # a valid translation from the start, shown under /es/
    assert "translation-note" not in page(options, "es/conditions/beta/")
    again = run_cli("new", "condition", "Beta", "--lang", "es", "--content", content)
    assert again.returncode == 2 and "already exists" in again.stderr
    unknown = run_cli("new", "page", "About", "--lang", "fr", "--content", content)
    assert unknown.returncode == 2 and "es, ar" in unknown.stderr and "'fr'" in unknown.stderr
    missing = run_cli("new", "page", "Gamma", "--lang", "es", "--content", content)
    assert missing.returncode == 2 and "pages/gamma.md" in missing.stderr
    package = run_cli("new", "package", "X", "--lang", "es", "--content", content)
    assert package.returncode == 2 and "translations:" in package.stderr


# What the sample translations found ------------------------------------------------


def link_findings(result: BuildResult, file_name: str) -> dict[str, str]:
    """The link findings on one file, by the address each names."""
    found = [f for f in result.errors if f.path.endswith(file_name) and f.field == "link"]
    return {re.search(r"found '([^']*)'", f.message).group(1): f.message for f in found}  # type: ignore[union-attr]


def test_a_translations_link_to_a_draft_is_reported_as_its_pages_link_is(
    options: BuildOptions,
) -> None:
    """However a translation names a page left out (as its page would, or by the
    address of its version in the translation's language), the finding says the page
    is a draft, as it does on the page in the default language."""
    edit(options.content / "conditions/beta.md", "---\n", "---\ndraft: true\n")
    written = ["beta.md", "/conditions/beta/", "/es/conditions/beta/", "../beta/"]
    edit(options.content / "conditions/alpha.es.md", "Compare con [beta](beta.md).",
         " ".join(f"[beta {n}]({address})" for n, address in enumerate(written)))  # fmt: skip
    edit(options.content / "conditions/alpha.md", "Compare with [beta](beta.md#causes)",
         "[beta](beta.md) [beta](/conditions/beta/)")  # fmt: skip
    result = build(options)
    spanish = link_findings(result, "alpha.es.md")
    english = link_findings(result, "alpha.md")
    assert set(spanish) == set(written) and set(english) == {"beta.md", "/conditions/beta/"}
    for address, message in spanish.items():
        assert "a draft, which the build leaves out" in message, message
        assert message.replace(address, "beta.md") == english["beta.md"]


def test_a_translations_sources_are_held_to_its_pages_review_date(
    options: BuildOptions,
) -> None:
    """A translation reviewed after its page vouches for its words, not for its
    sources: those were checked by the page's review, so their dates are held to it."""
    translation = options.content / "conditions/alpha.es.md"
    edit(translation, "url: https://example.org/alpha-review",
         "url: https://example.org/alpha-review\n    accessed: 2026-01-15")  # fmt: skip
    session = Session(options)
    assert not [f for f in rebuild(session).warnings if f.field.startswith("sources")]
    edit(
        options.content / "conditions/alpha.md",
        "last_reviewed: 2026-01-15",
        "last_reviewed: 2026-01-20",
    )  # the page reviewed again: its sources were not
    (late,) = [f for f in rebuild(session).warnings if f.field.startswith("sources")]
    assert late.path.endswith("alpha.es.md") and late.field == "sources[1].accessed"
    assert "(2026-01-20), found 2026-01-15" in late.message


def test_the_english_reading_formulas_measure_english_pages_only(options: BuildOptions) -> None:
    """Flesch-Kincaid and SMOG count English syllables: a Spanish page gets a note that
    it is not measured rather than a grade that means nothing."""
    long_words = "Las personas con enfermedades oculares necesitan revisiones periódicas. " * 40
    english = "People with eye disease need regular, considerate examinations. " * 40
    edit(
        options.content / "conditions/alpha.es.md",
        "## Síntomas\n",
        f"## Síntomas\n\n{long_words}\n",
    )
    edit(options.content / "conditions/alpha.md", "## Symptoms\n", f"## Symptoms\n\n{english}\n")
    result = build(options)
    reading = [f for f in result.findings if f.field in ("reading-grade", "reading-age")]
    spanish = [f for f in reading if f.path.endswith("alpha.es.md")]
    (note,) = spanish
    assert (
        note.severity.value == "note" and "not measured" in note.message and "'es'" in note.message
    )
    measured = {f.field for f in reading if f.path.endswith("alpha.md")}
    assert measured == {"reading-grade", "reading-age"}


def test_the_listings_words_are_in_the_pages_language(options: BuildOptions) -> None:
    edit(options.content / "conditions/alpha.es.md", "evidence: established",
         "also_known_as: [Primera afección]\nevidence: established")  # fmt: skip
    assert build(options).ok
    listing = page(options, "es/conditions/")
    assert "Otros nombres: Primera afección" in listing and "Also known as" not in listing
    assert "Also known as: First condition" in page(options, "conditions/")
    home = page(options, "es/")
    assert "Evidencia sobre este paquete" in home and "this package" not in home


def test_the_message_template_lists_every_interface_string_the_code_and_templates_use(
    tmp_path: Path,
) -> None:
    """`make i18n-extract` reads every template (a tag Babel's reader does not know, as
    `{% fragment %}` was, made it skip the whole file without a word) and finds
    exactly the strings of the committed messages.pot."""
    extracted = tmp_path / "messages.pot"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "--no-location", "--sort-output", "--add-comments=Translators:", "-o", str(extracted),
         "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr

    def messages(path: Path) -> list[str]:
        return [line for line in path.read_text("utf-8").splitlines()
                if line.startswith(("msgid", "msgid_plural", "#."))]  # fmt: skip

    assert messages(extracted) == messages(ROOT / "templates/locale/messages.pot")


def test_a_template_reading_a_translation_through_the_site_follows_it(
    options: BuildOptions, templates: Path
) -> None:
    """`site.translation(doc, code)` hands out the translation as the page reads
    it, so a page showing its title follows the translation's edits."""
    edit(templates / "page.html", "{% block content %}",
         "{% block content %}{% set es = site.translation(site.conditions[0], 'es') %}"
         "<p>In Spanish: {{ es.meta.title if es else 'none' }}</p>")  # fmt: skip
    session = Session(options)
    assert session.build().ok
    edit(options.content / "conditions/alpha.es.md", "title: Afección alfa", "title: Otra alfa")
    rendered_again(session, "about/", "In Spanish: Otra alfa")
