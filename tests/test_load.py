from pathlib import Path

import yaml

from sitegen.load import load_content
from sitegen.raw import parse_yaml, split_front_matter, split_stem


def test_yaml_positions_of_values_and_keys():
    data, positions, findings = parse_yaml("title: A\nsources:\n  - url: x\n", "f.md", first_line=2)
    assert data == {"title": "A", "sources": [{"url": "x"}]}
    assert findings == []
    assert positions.of_value(("title",)) == (2, 8)
    assert positions.of_key(("sources",)) == (3, 1)
    assert positions.of_value(("sources", 0, "url")) == (4, 10)
    assert positions.of_value(("sources", 0, "missing")) == (4, 5)


def test_yaml_values_are_those_of_yaml_1_2_core():
    """Strings skip PyYAML's constructor; every kind of scalar must still come out as
    YAML 1.2's core schema reads it (quoted, block, tagged, merged, numbers), and a
    value that is not exactly a number, true/false or null is the text written."""
    text = (
        "plain: text here\nquoted: \"a \\u00e9 b\"\nsingle: 'it''s'\nblock: |\n  two\n  lines\n"
        "folded: >\n  one\n  line\nnumber: 12\nfloat: 1.5e3\nyes_word: yes\nbool: true\n"
        "empty:\nnull_word: null\ndate: 2026-11-26\ntagged: !!str 2026-11-26\n"
        "number_text: '12'\nbase: &base {a: 1, b: x}\nmerged: {<<: *base, c: [1, two, 3.0]}\n"
        "nested:\n  - {k: v}\n  - - deep\n"
    )
    data, _, findings = parse_yaml(text, "f.yaml")
    assert findings == []
    assert data == {
        "plain": "text here",
        "quoted": "a \u00e9 b",
        "single": "it's",
        "block": "two\nlines\n",
        "folded": "one line\n",
        "number": 12,
        "float": 1500.0,
        "yes_word": "yes",
        "bool": True,
        "empty": None,
        "null_word": None,
        "date": "2026-11-26",
        "tagged": "2026-11-26",
        "number_text": "12",
        "base": {"a": 1, "b": "x"},
        "merged": {"a": 1, "b": "x", "c": [1, "two", 3.0]},
        "nested": [{"k": "v"}, ["deep"]],
    }
    assert data == yaml.safe_load(text) | {"float": 1500.0, "yes_word": "yes", "date": "2026-11-26"}


def test_yaml_syntax_error_has_line_and_column():
    data, _, findings = parse_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    assert data is None
    assert [str(f) for f in findings] == [
        "f.yaml:1:4: yaml: expected a ']' closing the list that starts here (and ', ' between "
        "its items), found none"
    ]


def test_yaml_duplicate_key_is_reported():
    _, _, findings = parse_yaml("title: A\ntitle: B\n", "f.yaml")
    assert [str(f) for f in findings] == [
        "f.yaml:2:1: title: expected each field once, found 'title' a second time"
    ]


def test_yaml_never_builds_python_objects():
    _, _, findings = parse_yaml("a: !!python/object:os.system {}\n", "f.yaml")
    assert len(findings) == 1 and findings[0].field == "yaml"


def test_front_matter_split_reports_body_line():
    front, body, line, findings = split_front_matter("---\ntitle: A\n---\nHello\n", "f.md")
    assert (front, body, line, findings) == ("title: A\n", "Hello\n", 4, [])


def test_missing_and_unclosed_front_matter():
    *_, findings = split_front_matter("title: A\n", "f.md")
    assert str(findings[0]) == (
        "f.md:1:1: front matter: expected a first line '---' opening the front matter, "
        "found 'title: A'"
    )
    *_, findings = split_front_matter("---\ntitle: A\n", "f.md")
    assert "closing the front matter" in str(findings[0])


def test_translations_are_found_beside_their_pages(content: Path):
    (content / "conditions" / "alpha.fr.md").write_text("---\ntitle: A\n---\n", "utf-8")
    loaded = load_content(content)
    assert "conditions/alpha.fr.md" in [d.content_path for d in loaded.documents]
    assert loaded.findings == []
    assert split_stem("alpha.fr") == ("alpha", "fr")
    assert split_stem("alpha.pt-br") == ("alpha", "pt-br")
    assert split_stem("alpha") == ("alpha", None)


def test_images_are_found_as_assets(content: Path):
    loaded = load_content(content)
    assert list(loaded.assets) == ["images/dot.svg"]
