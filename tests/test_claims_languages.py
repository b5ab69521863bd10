"""Claims rules per language: a translation is checked with its own language's rules,
the default language's pages with theirs, and neither with the other's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from test_claims_corpus import sentences
from test_i18n import ARABIC, LANGUAGES, SPANISH, make_multilingual, rebuild, set_languages

from sitegen import models
from sitegen.build import BuildOptions, Session, build
from sitegen.claims import Text, lint_text, load_rule_sets
from sitegen.findings import Finding, Severity

SAMPLE = Path(__file__).parents[1] / "content"
TODAY_ES = "content/pages/about.es.md"
SAMPLE_RULES, SAMPLE_PROBLEMS = load_rule_sets(SAMPLE)

MARKETING = {
    "es": [
        ("Nuestras células curan la ceguera.", "absolute-efficacy"),
        ("Con nuestro programa recuperará la vista en pocas semanas.", "absolute-efficacy"),
        ("Nuestras células madre regeneran el nervio óptico.", "nerve-regrowth"),
        ("El tratamiento no tiene efectos secundarios.", "absolute-safety"),
        ("Sin efectos secundarios y sin dolor.", "absolute-safety"),
        ("Es un procedimiento completamente seguro.", "absolute-safety"),
        ("El 90 % de nuestros pacientes mejora su visión.", "outcome-rates"),
        ("Lea los testimonios de nuestros pacientes.", "testimonials"),
        ("Plazas limitadas: reserve hoy su tratamiento.", "pressure"),
        ("Dicen nuestros pacientes que nuestras células curan la ceguera.", "absolute-efficacy"),
        ("Nuestra clínica ofrece una cura para la atrofia óptica.", "absolute-efficacy"),
    ],
    "ar": [
        ("خلايانا تشفي العمى.", "absolute-efficacy"),
        ("خلايانا تَشفي العمى.", "absolute-efficacy"),  # with a vowel mark
        ("ستستعيد بصرك خلال أسابيع.", "absolute-efficacy"),
        ("خلايانا تجدد العصب البصري.", "nerve-regrowth"),
        ("علاجنا آمن تماماً.", "absolute-safety"),
        ("لا توجد أي آثار جانبية لهذا العلاج.", "absolute-safety"),
        ("٩٠٪ من مرضانا تحسن نظرهم.", "outcome-rates"),
        ("اقرأ شهادات مرضانا.", "testimonials"),
        ("أماكن محدودة، احجز الآن.", "pressure"),
        ("يقول مرضانا إن خلايانا تشفي العمى.", "absolute-efficacy"),
    ],
}
HONEST = {
    "es": [
        "Desconfíe de una clínica que dice que sus células curan la ceguera.",
        "Pregunte a un médico si puede volar sin riesgo, y cuándo.",  # the sample's own line
        "No hay cura para el glaucoma.",
        "El daño del glaucoma no se puede curar, pero el tratamiento puede frenar la pérdida de visión.",
        "Ningún tratamiento es completamente seguro.",
        "Ningún tratamiento está libre de riesgos.",
        "Las fibras nerviosas perdidas no vuelven a crecer.",
        "Ningún ensayo controlado ha demostrado que estas células devuelvan la vista.",
        "Algunas clínicas prometen «una cura milagrosa» sin efectos secundarios.",
        "¿Curan las células madre la ceguera?",
        "Tómese su tiempo: no reserve hoy solo porque una clínica le presiona.",
        "Según la publicidad de algunas clínicas, sus células regeneran el nervio óptico.",
        "La investigación para regenerar el nervio óptico está en una fase inicial.",
        "No sabemos si el tratamiento es seguro.",
        "Alrededor de 2 de cada 100 personas tienen una infección.",
        "Si una clínica le dice que no hay riesgos, pida las fuentes.",
        "Tenga cuidado con las clínicas que anuncian plazas limitadas.",
    ],
    "ar": [
        "احذر من أي عيادة تقول إن خلاياها تشفي العمى.",
        "لا يوجد شفاء للجلوكوما.",
        "لا يوجد علاج آمن تماماً.",
        "لا يوجد علاج بدون آثار جانبية.",
        "الألياف العصبية المفقودة لا تنمو من جديد.",
        "هل تشفي الخلايا الجذعية العمى؟",
        "تقول بعض العيادات إن العلاج «آمن تماماً».",
        "لم تُظهر أي تجربة مضبوطة أن هذه الخلايا تعيد البصر.",
        "قد يساعد العلاج على إبطاء فقدان البصر.",
        "لا نعرف ما إذا كان العلاج آمناً.",
    ],
}


HONEST_CORPUS = [(lang, register, text) for lang in ("es", "ar")
                 for register, text in sentences(f"{lang}-honest.txt")]  # fmt: skip
MARKETING_CORPUS = [(lang, register, *line.split(" | ")) for lang in ("es", "ar")
                    for register, line in sentences(f"{lang}-marketing.txt")]  # fmt: skip


def errors(text: str, lang: str | None) -> list[str]:
    found = lint_text(Text(text, "t.md", 1, 1, {}, (), lang), SAMPLE_RULES.for_language(lang))
    return [f.field for f in found if f.severity is Severity.ERROR]


def test_the_sample_rules_load() -> None:
    assert SAMPLE_PROBLEMS == []
    assert SAMPLE_RULES.has_rules("es") and SAMPLE_RULES.has_rules("ar")


@pytest.mark.parametrize(("lang", "text", "rule"),
                         [(lang, text, rule) for lang, cases in MARKETING.items()
                          for text, rule in cases])  # fmt: skip
def test_marketing_in_another_language_is_an_error(lang: str, text: str, rule: str) -> None:
    assert rule in errors(text, lang)


@pytest.mark.parametrize(("lang", "text"),
                         [(lang, text) for lang, texts in HONEST.items() for text in texts])  # fmt: skip
def test_honest_text_in_another_language_passes(lang: str, text: str) -> None:
    assert errors(text, lang) == []


def test_the_corpora_cover_many_publishers() -> None:
    for lang in ("es", "ar"):
        honest = {register for code, register, _ in HONEST_CORPUS if code == lang}
        assert {"hospital leaflet", "government health portal", "patient charity",
                "news"} <= honest  # fmt: skip
        marketing = {rule for code, _, rule, _ in MARKETING_CORPUS if code == lang}
        assert {"absolute-safety", "absolute-efficacy", "testimonials", "pressure"} <= marketing
    assert len(HONEST_CORPUS) >= 60 and len(MARKETING_CORPUS) >= 30


@pytest.mark.parametrize(("lang", "register", "text"), HONEST_CORPUS)
def test_honest_health_text_gets_no_error(lang: str, register: str, text: str) -> None:
    assert errors(text, lang) == [], register


@pytest.mark.parametrize(("lang", "register", "rule", "text"), MARKETING_CORPUS)
def test_marketing_is_reported_by_its_rule(lang: str, register: str, rule: str, text: str) -> None:
    assert rule in errors(text, lang), register


def test_symptoms_are_not_side_effects_in_arabic() -> None:
    """ "No symptoms in the early stages" is true of glaucoma; "no side effects" (said
    with آثار or أعراض جانبية) is the claim."""
    assert errors("لا توجد أعراض في المراحل المبكرة.", "ar") == []
    assert errors("تبدأ الجلوكوما دون أعراض.", "ar") == []
    assert errors("لا توجد أعراض جانبية.", "ar") == ["absolute-safety"]
    assert errors("لا توجد آثار جانبية.", "ar") == ["absolute-safety"]


def test_a_languages_rules_stay_in_that_language() -> None:
    assert errors("Este tratamiento cura la ceguera.", None) == []  # English "cure" is not "cura"
    assert errors("Our cells restore sight.", "es") == []  # Spanish rules on English words
    assert errors("Our cells cure blindness.", None) == ["absolute-efficacy"]
    assert errors("Plazas limitadas.", "ar") == []


def test_the_sample_spanish_page_is_checked_and_passes() -> None:
    options = BuildOptions(SAMPLE, Path("/nonexistent-out"), write=False)
    result = build(options)
    assert not [f for f in result.findings if f.path == TODAY_ES and f.is_error]
    assert not [f for f in result.findings if f.field == "claims" and "'es'" in f.message]


def write_rules(content: Path, rules: dict) -> None:
    (content / "claims.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), "utf-8")


CURE_ES = {"id": "cura", "claim": "efficacy", "pattern": ["cura|curan"],
           "reason": "Una promesa de curación.", "suggestion": "Diga qué se midió."}  # fmt: skip


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    make_multilingual(content)
    return BuildOptions(content, tmp_path / "site", templates)


def test_a_translation_is_checked_with_its_languages_rules_at_its_line(
    options: BuildOptions,
) -> None:
    page = options.content / "conditions/alpha.es.md"
    lines = page.read_text().splitlines()
    page.write_text("\n".join([*lines, "", "Nuestras células curan la alfa.", ""]))

    def claims_on_page() -> list[Finding]:
        # the reading-age note on a page not in English is not the linter's
        findings = build(options).findings
        return [f for f in findings if f.path.endswith("alpha.es.md") and f.field != "reading-age"]

    assert not claims_on_page()
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}}})
    (finding,) = claims_on_page()
    assert (finding.line, finding.col, finding.field) == (len(lines) + 2, 18, "cura")
    assert finding.is_error and "Una promesa de curación." in finding.message


def test_the_unchecked_note_is_only_for_languages_without_rules(options: BuildOptions) -> None:
    (options.content / "conditions/alpha.ar.md").write_text(
        (options.content / "conditions/alpha.es.md").read_text()
    )
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}}})
    notes = [f.message for f in build(options).findings if f.field == "claims"]
    assert len(notes) == 1 and "'ar'" in notes[0] and "1 translated page(s)" in notes[0]


def test_a_translated_package_field_is_linted_with_its_languages_rules(
    options: BuildOptions,
) -> None:
    catalogue = options.content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text())
    data["packages"][0]["translations"] = {"es": {"summary": "Nuestras células curan la alfa."}}
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}},
                                  "rules": [{**CURE_ES, "id": "english-cura"}]})  # fmt: skip
    found = [f for f in build(options).findings if f.path.endswith("packages.yaml")
             and f.field in ("cura", "english-cura")]  # fmt: skip
    assert [f.field for f in found] == ["cura"]
    assert "Nuestras células" in catalogue.read_text().splitlines()[found[0].line - 1]


def test_bad_rules_for_a_language_are_errors_at_their_lines(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text(
        "languages:\n"
        "  es:\n"
        "    rules:\n"
        "      - id: x\n        pattern: ['(abierto']\n        regex: true\n"
        "        reason: R.\n        suggestion: S.\n"
        "      - id: y\n        pattern: [cura]\n        severity: fatal\n"
        "        reason: R.\n        suggestion: S.\n"
        "    words: {negacion: [no]}\n"
        "  Not a code: {}\n",
        "utf-8",
    )
    _, problems = load_rule_sets(tmp_path)
    found = sorted((p.line, p.col, p.field) for p in problems)
    assert all(p.path.endswith("claims.yaml") and p.is_error for p in problems)
    assert (5, 18, "languages.es.rules[1].pattern") in found
    assert (11, 19, "languages.es.rules[2].severity") in found
    assert any(field.startswith("languages.es.words") for _, _, field in found)
    assert any("Not a code" in field for _, _, field in found)


def test_editing_the_spanish_rules_relints_the_spanish_page_only(options: BuildOptions) -> None:
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}}})
    session = Session(options)
    assert session.build().ok
    before = {key: entry.context for key, entry in session.store.entries("lint").items()}
    page = options.content / "conditions/alpha.es.md"
    page.write_text(page.read_text() + "\nNuestras células curan la alfa.\n")
    write_rules(options.content, {"languages": {"es": {"rules": [{**CURE_ES, "id": "cura-2"}]}}})
    result = rebuild(session)
    after = {key: entry.context for key, entry in session.store.entries("lint").items()}
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed == {"conditions/alpha.es.md", "site.yaml", "packages.yaml"}
    on_page = [f.field for f in result.findings if f.path.endswith("alpha.es.md")]
    assert [field for field in on_page if field != "reading-age"] == ["cura-2"]


def test_rules_for_a_language_site_yaml_does_not_list_are_a_warning_at_their_code(
    options: BuildOptions,
) -> None:
    (options.content / "claims.yaml").write_text(
        "languages:\n"
        "  sp:\n"
        "    rules: []\n"
        "  es: {words: {negation: [jamás]}}\n"
        "  ar-EG: {words: {negation: [لا]}}\n"
        "  ES: {}\n"
        "  fr: {}\n",
        "utf-8",
    )
    found = [f for f in build(options).findings if f.path.endswith("claims.yaml")]
    listed = "expected a language listed in site.yaml's `languages` (en, es, ar)"
    assert [str(f).removeprefix(f"{f.path}:") for f in found] == [
        f"2:3: warning: languages.sp: {listed} (did you mean 'es'?), found 'sp'; its rules "
        "check nothing",
        f"5:3: warning: languages.ar-EG: {listed} (did you mean 'ar'?), found 'ar-EG'; its "
        "rules check nothing",
        f"6:3: warning: languages.ES: {listed} (did you mean 'es'?), found 'ES'; its rules "
        "check nothing",
        f"7:3: warning: languages.fr: {listed}, found 'fr'; its rules check nothing",
    ]


def test_a_regional_code_is_served_by_its_main_languages_rules(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    languages = [LANGUAGES[0], {**LANGUAGES[1], "code": "es-MX"}]
    set_languages(content, {"es-MX": SPANISH}, languages)
    write_rules(content, {"languages": {"es": {"rules": [CURE_ES]}}})
    result = build(BuildOptions(content, tmp_path / "site", templates))
    assert not [f for f in result.findings if f.path.endswith("claims.yaml")]
    assert not [f for f in result.findings if f.field == "claims"]


def test_a_language_translated_only_in_the_settings_and_catalogue_is_noted_unchecked(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arabic has no pages here, only site.yaml's words (which every listed language
    must have) and a package's: it is reported as unchecked all the same."""
    catalogue = options.content / "packages.yaml"
    data = yaml.safe_load(catalogue.read_text())
    data["packages"][0]["translations"] = {"ar": {"summary": "ملخص الباقة."}}
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}}})
    session = Session(options)
    notes = [f for f in rebuild(session).findings if f.field == "claims"]
    assert [(f.path.endswith("site.yaml"), f.line, f.col, f.severity) for f in notes] == [
        (True, 1, 1, Severity.NOTE)
    ]
    assert notes[0].message == (
        "expected claims rules for 'ar' (in claims.yaml, under `languages: {ar: {rules: …}}`), "
        "found none: its words in site.yaml and its words for 1 package(s) in packages.yaml "
        "are not checked for misleading claims; have them reviewed by someone who reads them"
    )
    cached = replace(options, cache=True, write=False)
    assert build(cached).ok
    monkeypatch.setattr(models, "PACKAGE", None)  # the catalogue is read back from the store:
    again = build(cached).findings  # its languages are known without validating a package
    assert [f.message for f in again if f.field == "claims"] == [notes[0].message]
    monkeypatch.undo()
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]},
                                                "ar": {"rules": [{**CURE_ES, "id": "ar"}]}}})  # fmt: skip
    assert not [f for f in rebuild(session).findings if f.field == "claims"]


def test_a_language_removed_from_site_yaml_makes_its_rules_a_warning_in_a_cached_build(
    options: BuildOptions,
) -> None:
    write_rules(options.content, {"languages": {"es": {"rules": [CURE_ES]}}})
    (options.content / "conditions/alpha.es.md").unlink()
    session = Session(options)
    assert not [f for f in rebuild(session).findings if f.path.endswith("claims.yaml")]
    set_languages(options.content, {"ar": ARABIC}, [LANGUAGES[0], LANGUAGES[2]])
    (found,) = [f for f in rebuild(session).findings if f.path.endswith("claims.yaml")]
    assert (found.line, found.col, found.field) == (2, 3, "languages.es")
    assert "(en, ar), found 'es'" in found.message
