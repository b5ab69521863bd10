"""The conditions' A to Z in each language's alphabet: Spanish files Ñ as its own letter
after N and accented letters with their letters; Arabic files names in its alphabet's
order, without the article ال; names left in English follow under their Latin letters."""

from __future__ import annotations

from types import SimpleNamespace

from test_i18n import edit, options, page  # noqa: F401  (options: a fixture)

from sitegen.build import BuildOptions, build
from sitegen.render import LATIN_LETTERS, a_to_z, index_letters

SPANISH = "A B C D E F G H I J K L M N Ñ O P Q R S T U V W X Y Z"
ARABIC = "اأإآء ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن هة وؤ يىئ"


def condition(title: str, *also_known_as: str) -> SimpleNamespace:
    return SimpleNamespace(meta=SimpleNamespace(title=title, also_known_as=list(also_known_as)))


def filed(groups: list) -> list[tuple[str, list[str]]]:
    return [(letter, [name for name, _, _ in entries]) for letter, entries in groups]


def test_english_names_are_filed_a_to_z_as_before() -> None:
    names = [condition("Optic nerve damage", "Optic atrophy"), condition("Glaucoma"),
             condition("3rd nerve palsy"), condition("Leber hereditary optic neuropathy",
                                                     "LHON")]  # fmt: skip
    assert filed(a_to_z(names)) == [
        ("G", ["Glaucoma"]),
        ("L", ["Leber hereditary optic neuropathy", "LHON"]),
        ("O", ["Optic atrophy", "Optic nerve damage"]),
        ("#", ["3rd nerve palsy"]),
    ]
    assert index_letters(LATIN_LETTERS) == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_spanish_files_n_tilde_after_n_and_accents_with_their_letters() -> None:
    names = [condition("Ojo seco"), condition("Ñandú ocular"), condition("Nube"),
             condition("Úlcera corneal"), condition("Azul"), condition("Árbol"),
             condition("Glaucoma", "Glaucoma crónico")]  # fmt: skip
    assert filed(a_to_z(names, SPANISH)) == [
        ("A", ["Árbol", "Azul"]),
        ("G", ["Glaucoma", "Glaucoma crónico"]),
        ("N", ["Nube"]),
        ("Ñ", ["Ñandú ocular"]),
        ("O", ["Ojo seco"]),
        ("U", ["Úlcera corneal"]),
    ]
    letters = index_letters(SPANISH)
    assert letters[13:15] == ["N", "Ñ"] and len(letters) == 27


def test_arabic_files_in_its_alphabet_without_the_article_then_english_names() -> None:
    names = [condition("الزرق (الجلوكوما)", "الزرق المزمن"), condition("باب"),
             condition("أمل"), condition("Optic nerve damage"), condition("يد"),
             condition("الأعصاب")]  # fmt: skip
    groups = filed(a_to_z(names, ARABIC, ("ال",)))
    assert groups == [
        ("ا", ["الأعصاب", "أمل"]),  # أعصاب and أمل: hamza on alif is filed under alif
        ("ب", ["باب"]),
        ("ز", ["الزرق (الجلوكوما)", "الزرق المزمن"]),
        ("ي", ["يد"]),
        ("O", ["Optic nerve damage"]),
    ]
    assert index_letters(ARABIC)[:3] == ["ا", "ب", "ت"] and len(index_letters(ARABIC)) == 28


def test_the_listing_s_a_to_z_speaks_the_page_s_language(options: BuildOptions) -> None:  # noqa: F811
    edit(options.content / "conditions/alpha.es.md", "title: Afección alfa", "title: Ñu ocular")
    assert build(options).ok
    spanish = page(options, "es/conditions/")
    assert 'aria-label="Afecciones de la A a la Z"' in spanish
    assert (
        '<a href="#letter-ñ">Ñ</a>' in spanish
        and '<h2 id="letter-ñ" class="letter">Ñ</h2>' in spanish
    )
    assert "Conditions A to Z" not in spanish
    english = page(options, "conditions/")
    assert 'aria-label="Conditions A to Z"' in english and "Ñ" not in english
    arabic = page(options, "ar/conditions/")
    assert 'aria-label="الحالات المرضية من الألف إلى الياء"' in arabic
    assert "<span>ب</span>" in arabic  # every letter of the alphabet is shown
    assert '<a href="#letter-b">B</a>' in arabic  # beta, in English, under its Latin letter
