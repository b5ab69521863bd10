"""The claims linter, both ways: misleading wording is caught, neutral wording is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.claims import (
    Candidate,
    CitedSource,
    Text,
    allow_comments,
    lint,
    lint_text,
    load_rules,
    mask_markdown,
    number_value,
    reading,
)
from sitegen.claims_context import Sentences
from sitegen.findings import Severity
from sitegen.load import load_content

RULES, RULE_PROBLEMS = load_rules(Path("/nonexistent"))

MISLEADING = [
    ("Our stem-cell programme can cure optic atrophy.", "absolute-efficacy"),
    ("This therapy cures blindness.", "absolute-efficacy"),
    ("Hundreds of patients have been cured.", "absolute-efficacy"),
    ("We are curing optic nerve damage every day.", "absolute-efficacy"),
    ("The treatment is VERY EFFECTIVE for glaucoma.", "absolute-efficacy"),
    ("The treatment is very\neffective for glaucoma.", "absolute-efficacy"),
    ("It is a very-effective treatment.", "absolute-efficacy"),
    ("Results are guaranteed.", "absolute-efficacy"),
    ("We guarantee results within weeks.", "absolute-efficacy"),
    ("A 100% success rate in our clinic.", "absolute-efficacy"),
    ("A miracle for people with optic atrophy.", "absolute-efficacy"),
    ("Miracles happen here.", "absolute-efficacy"),
    ("A breakthrough in eye medicine.", "absolute-efficacy"),
    ("Stem cells restore vision in weeks.", "absolute-efficacy"),
    ("The injections restored vision for many.", "absolute-efficacy"),
    ("Our cells regenerate the optic nerve.", "absolute-efficacy"),
    ("There are no side effects.", "absolute-safety"),
    ("There were no side-effects at all.", "absolute-safety"),
    ("It has no\nside effects.", "absolute-safety"),
    ("The procedure is completely safe.", "absolute-safety"),
    ("Totally safe for children.", "absolute-safety"),
    ("A risk-free treatment.", "absolute-safety"),
    ("It is risk free.", "absolute-safety"),
    ("We have had no complications.", "absolute-safety"),
    ("Treatment is side-effect free.", "absolute-safety"),
    ("None in over 20,000 cases had a problem.", "unverified-numbers"),
    ("We have treated 20 000 patients.", "unverified-numbers"),
    ("More than twenty thousand patients have come to us.", "unverified-numbers"),
    ("Thousands of patients treated since 2010.", "unverified-numbers"),
    ("Over 5,000 successful procedures.", "unverified-numbers"),
    ("Trusted by 12k patients worldwide.", "unverified-numbers"),
    ("Tens of thousands of people have chosen us.", "unverified-numbers"),
    ("Read our patient testimonials.", "testimonials"),
    ("Our success stories speak for themselves.", "testimonials"),
    ("Patients say they see colours again.", "testimonials"),
    ("See the before and after photos.", "testimonials"),
    ("Limited places available this month.", "pressure"),
    ("Act now to secure your spot.", "pressure"),
    ("Don't wait until it is too late.", "pressure"),
    ("Book now: only 3 places left.", "pressure"),
    ("Hurry, the offer ends soon.", "pressure"),
    ("Our treatment is approved.", "unsourced-approval"),
    ("Clinically proven to improve sight.", "unsupported-proof"),
    ("The method has been proven in practice.", "unsupported-proof"),
    ("It has government approval.", "unsourced-approval"),
]

NEUTRAL = [
    "There is no cure for optic atrophy.",
    "There is no known cure.",
    "Lost nerve fibres cannot be cured with current treatments.",
    "Researchers hope to find a cure.",
    "Stem cells are not a cure.",
    "Side effects are possible.",
    "Every treatment has side effects, and some are serious.",
    "No treatment is completely safe.",
    "No procedure is risk-free.",
    "The treatment is not proven.",
    "These treatments are unproven.",
    "No stem-cell treatment for the optic nerve is approved by the FDA.",
    "The FDA has not approved this use.",
    "Major regulators have not approved these products.",
    "Ask whether the treatment is approved where it is given.",
    "Use only approved treatments.",
    "Avoid treatment outside approved clinical trials.",
    "The review was approved by an ethics committee [2].",
    "One trial enrolled 66 eyes [3].",
    "In 2019 patients were recruited for a small study.",
    "The study followed 20,000 people for ten years [4].",
    "A large registry included over 5,000 patients [5].",
    "Glaucoma affects many people worldwide.",
    "Testimonials are not evidence.",
    "Patient stories cannot show whether a treatment works.",
    "Take your time before you decide.",
    "Lost vision usually cannot be restored.",
    "Treatment aims to protect the sight that remains.",
    "Eye drops lower the pressure in the eye.",
    "Small studies reported changes in some patients.",
    "The treatment may not be effective.",
    "It is not known whether it is effective.",
    "Bleeding behind the eye is a known complication.",
    "Complications are rare but can be severe.",
    "Infections have been reported after cord blood products.",
    "An ophthalmologist can explain the options.",
    "The programme lasts 12 days.",
    "A securely stored record of your visit.",
    "The curator of the museum is an eye doctor.",
    "Accurate measurements matter.",
    "Ask if the clinic is certified by a regulator.",
    "A lumbar puncture can cause a headache in about a third of people.",
]


def findings_for(text: str) -> list[str]:
    return [f.field for f in lint_text(Text(text, "t.md", 1, 1, {}), RULES)]


def test_default_rules_load_without_problems():
    assert RULE_PROBLEMS == []
    assert {r.id for r in RULES} >= {
        "absolute-efficacy",
        "absolute-safety",
        "unverified-numbers",
        "testimonials",
        "pressure",
        "unsourced-approval",
    }


def test_the_tables_are_big_enough():
    assert len(MISLEADING) >= 40 and len(NEUTRAL) >= 40


@pytest.mark.parametrize(("sentence", "rule"), MISLEADING)
def test_misleading_wording_is_caught(sentence: str, rule: str):
    assert rule in findings_for(sentence)


@pytest.mark.parametrize("sentence", NEUTRAL)
def test_neutral_wording_is_not_caught(sentence: str):
    assert findings_for(sentence) == []


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("20,000", 20000),
        ("20 000", 20000),
        ("20.000", 20000),
        ("twenty thousand", 20000),
        ("thousands", 2000),
        ("tens of thousands", 20000),
        ("12k", 12000),
        ("5", 5),
        ("three hundred", 300),
        ("1.5 million", 1_500_000),
    ],
)
def test_numbers_in_any_style(written: str, value: float):
    assert number_value(written) == value


def test_finding_format_and_position():
    found = lint_text(Text("Intro.\nIt is very\neffective.", "c.md", 10, 1, {}), RULES)
    rule = next(r for r in RULES if r.id == "absolute-efficacy")
    assert [str(f) for f in found] == [
        f'c.md:11:7: absolute-efficacy: "very effective": {rule.reason} Suggest: {rule.suggestion}'
    ]


def test_allow_comment_turns_a_finding_into_a_note():
    body = (
        "Intro.\n\n<!-- claims: allow absolute-safety: the brochure's words, examined -->\n"
        "The brochure's next line: it has no side effects.\n"
    )
    allowed = allow_comments(body.splitlines(), 1)
    found = lint_text(Text(mask_markdown(body), "c.md", 1, 1, allowed), RULES, original=body)
    assert [(f.severity, str(f)) for f in found] == [
        (
            Severity.NOTE,
            'c.md:4:34: note: absolute-safety: "no side effects": allowed here: '
            "the brochure's words, examined",
        )
    ]


def test_an_allow_comment_is_specific_to_its_rule():
    body = "<!-- claims: allow pressure: examined -->\nIt has no side effects.\n"
    found = lint_text(
        Text(mask_markdown(body), "c.md", 1, 1, allow_comments(body.splitlines(), 1)), RULES
    )
    assert [f.severity for f in found] == [Severity.ERROR]


def test_code_links_comments_and_reference_lists_are_not_linted():
    body = (
        "Use `miracle` in code.\n\n"
        "See [the FDA page](https://example.org/miracle-cure).\n\n"
        "<!-- a miracle comment -->\n\n"
        "[^1]: Miracle cures? A study of clinic advertising.\n\n"
        "## Sources\n\n"
        "- Stem cell miracle or breakthrough? Journal 2020.\n\n"
        "## Next section\n\nPlain text.\n"
    )
    found = lint_text(Text(mask_markdown(body), "c.md", 1, 1, {}), RULES, original=body)
    assert found == []


def test_content_files_are_linted_in_body_and_yaml(tmp_path: Path):
    root = tmp_path / "content"
    (root / "conditions").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: A miracle site\ndescription: 'Risk-free care'\n", "utf-8"
    )
    (root / "conditions" / "a.md").write_text(
        "---\ntitle: A\nsummary: |\n  Results are\n  guaranteed.\nsources:\n  - title: Miracle cures examined\n---\n"
        "Text.\n\nIt is completely safe.\n",
        "utf-8",
    )
    loaded = load_content(root)
    found = sorted(
        str(f).split(": ")[0] + " " + f.field for f in lint([loaded.site, *loaded.documents], RULES)
    )
    shown = str(root.relative_to(Path.cwd()) if root.is_relative_to(Path.cwd()) else root)
    assert found == sorted(
        [
            f"{shown}/site.yaml:1:10 absolute-efficacy",
            f"{shown}/site.yaml:2:15 absolute-safety",
            f"{shown}/conditions/a.md:5:3 absolute-efficacy",
            f"{shown}/conditions/a.md:11:7 absolute-safety",
        ]
    )


def test_site_rules_add_to_replace_and_disable_defaults(tmp_path: Path):
    (tmp_path / "claims.yaml").write_text(
        "rules:\n"
        "  - id: pressure\n    pattern: [special offer]\n    reason: R.\n    suggestion: S.\n"
        "  - id: stem-cell-tourism\n    pattern: ['medical\\s+tourism']\n    regex: true\n"
        "    severity: warning\n    reason: R.\n    suggestion: S.\n"
        "disable: [testimonials]\n",
        "utf-8",
    )
    rules, problems = load_rules(tmp_path)
    assert problems == []
    by_id = {r.id: r for r in rules}
    assert "testimonials" not in by_id and "stem-cell-tourism" in by_id
    assert by_id["pressure"].pattern == ["special offer"]
    found = lint_text(Text("A special offer on medical  tourism. Act now.", "t", 1, 1, {}), rules)
    assert [(f.field, f.severity) for f in found] == [
        ("pressure", Severity.ERROR),
        ("stem-cell-tourism", Severity.WARNING),
    ]


def test_a_bad_rule_file_is_reported_with_positions(tmp_path: Path):
    (tmp_path / "claims.yaml").write_text(
        "rules:\n  - id: x\n    pattern: ['(unclosed']\n    regex: true\n    reason: R.\n    suggestion: S.\n"
        "  - id: y\n    pattern: [a]\n    severity: fatal\n    reason: R.\n    suggestion: S.\n",
        "utf-8",
    )
    _, problems = load_rules(tmp_path)
    fields = sorted(p.field for p in problems)
    assert fields == ["rules[1].pattern", "rules[2].severity"]


def test_a_phrase_without_words_is_reported_at_its_item(tmp_path: Path):
    """An empty phrase (or one of signs only) matched nothing and stopped the build with
    an internal error; found by tests/test_properties.py."""
    (tmp_path / "claims.yaml").write_text(
        "rules:\n  - id: x\n    pattern: ''\n    reason: R.\n    suggestion: S.\n"
        "  - id: y\n    pattern: [cure, '-']\n    unless: [' ']\n    reason: R.\n"
        "    suggestion: S.\n",
        "utf-8",
    )
    _, problems = load_rules(tmp_path)
    assert [(p.line, p.col, p.field, p.message) for p in problems] == [
        (3, 14, "rules[1].pattern[1]", "expected a phrase of one or more words, found empty text"),
        (7, 21, "rules[2].pattern[2]", "expected a phrase of one or more words, found '-'"),
        (8, 14, "rules[2].unless[1]", "expected a phrase of one or more words, found empty text"),
    ]


def test_yaml_allow_comment(tmp_path: Path):
    root = tmp_path / "content"
    root.mkdir()
    (root / "packages.yaml").write_text(
        "packages:\n  - id: p\n    # claims: allow absolute-safety: the brochure's words, examined\n"
        "    summary: It is completely safe.\n",
        "utf-8",
    )
    loaded = load_content(root)
    found = lint([loaded.catalogue], RULES)
    assert [(f.line, f.severity, f.message) for f in found] == [
        (4, Severity.NOTE, '"completely safe": allowed here: the brochure\'s words, examined')
    ]


SOURCES = (
    CitedSource("systematic review", False),
    CitedSource("case report", False),
    CitedSource(None, False),
    CitedSource("regulator", True),
    CitedSource("cohort study", False),
)


def errors_with(text: str, sources: tuple[CitedSource, ...] = SOURCES) -> list[str]:
    found = lint_text(Text(text, "t.md", 1, 1, {}, sources), RULES)
    return [f"{f.field}: {f.message}" for f in found if f.severity is Severity.ERROR]


def test_a_source_clears_a_claim_only_if_its_kind_can_support_it():
    assert errors_with("It is a proven treatment for optic atrophy [1].") == []
    (weak,) = errors_with("It is a proven treatment for optic atrophy [2].")
    assert weak.startswith(
        'unsupported-proof: "proven": [2] is a case report, which cannot support'
    )
    (untyped,) = errors_with("It is a proven treatment for optic atrophy [3].")
    assert "[3] does not say what kind of source it is (give it a type:)" in untyped
    assert errors_with("It is a proven treatment for optic atrophy [9].")  # not listed
    assert errors_with("Smoking is proven to raise the risk of macular degeneration [5].") == []
    assert errors_with("The injections are proven to restore sight [5].")  # a treatment
    said = {kind: errors_with("It is a proven cure [1].", (CitedSource(kind, False),))[0]
            for kind in ("marketing", "news", "other", "case series")}  # fmt: skip
    assert [text.split(", which")[0].split(": ", 1)[1] for text in said.values()] == [
        '"proven": [1] is marketing material',
        '"proven": [1] is a news report',
        '"proven": [1] is a source of another kind',
        '"proven": [1] is a case series',
    ]


def test_an_approval_is_cleared_by_naming_or_citing_the_regulator():
    assert errors_with("Our treatment is approved.")
    assert errors_with("Our treatment is approved by the MHRA.") == []
    assert errors_with("A device given approval by the MHRA can be prescribed.") == []
    assert errors_with("Our treatment is approved [4].") == []
    assert errors_with("Our treatment is approved [1].")
    assert errors_with("Idebenone is licensed in some countries.") == []


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Be wary of any clinic that says its cells cure blindness.", "reported"),
        ("Some clinics claim that stem cells restore sight.", "reported"),
        ('Ads for the clinic call it "a miracle".', "quoted"),
        ("Cure Parkinson's funds research into new treatments.", "title"),
        ("The book Living Well Without a Cure is in our library.", "title"),
        ("Is there a cure for LHON yet?", "question"),
        ("There is no cure for optic atrophy.", "negated"),
        ("No treatment is completely free of side effects.", "negated"),
        ("Early melanoma can usually be cured with surgery.", "hedged"),
        ("We are joining the search for a cure.", "aspiration"),
        ("You may be certified as having a permanent disability.", "unless"),
        ("If your claim is approved, payments are backdated.", "person"),
        ("About 16,000 people in the UK are diagnosed with melanoma each year.", "without"),
    ],
)
def test_why_words_are_not_the_publishers_claim(sentence: str, why: str):
    lowered = sentence.lower()
    found = Sentences(sentence, lowered)
    readings = [
        reading(Candidate(rule, start, end, found.around(start)), sentence)
        for rule in RULES
        for start, end in rule.matches(sentence, lowered)
    ]
    assert readings and why in readings and None not in readings


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients report dramatic improvement.",
        "Seven in ten of our patients regain useful vision.",
        "Side effects are minimal.",
        "There is no rejection because the cells are immune-privileged.",
        "The cells replace the damaged nerve cells.",
        "Only our umbilical cord cells can repair the optic nerve.",
        "Patients who had lost hope found that our cells restore sight.",
        "Act today to reserve your place.",
        "Side effects are rare and mild.",
        "No downtime, no pain and no risks.",
    ],
)
def test_the_issues_missed_marketing_is_caught(sentence: str):
    assert errors_with(sentence)


def test_a_files_findings_give_each_rules_suggestion_once(tmp_path: Path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.md").write_text(
        "---\ntitle: A\nsummary: S\n---\nIt cures blindness.\n\nIt is completely safe.\n\n"
        "It also cures glaucoma.\n",
        "utf-8",
    )
    found = lint(load_content(tmp_path).documents, RULES)
    assert [(f.line, f.field, "Suggest:" in f.message) for f in found] == [
        (5, "absolute-efficacy", True),
        (7, "absolute-safety", True),
        (9, "absolute-efficacy", False),
    ]
    assert found[2].message == '"cures": see 5:4 for the reason and a suggestion'


def test_a_packages_text_is_cleared_by_the_packages_own_sources(tmp_path: Path):
    (tmp_path / "packages.yaml").write_text(
        "packages:\n"
        "  - id: a\n    summary: Drops are proven to slow glaucoma [1].\n"
        "    sources: [{title: R, url: 'https://example.org', type: systematic review}]\n"
        "  - id: b\n    summary: Cells are proven to restore sight [1].\n"
        "    sources: [{title: C, url: 'https://example.org', type: case report}]\n",
        "utf-8",
    )
    found = lint([load_content(tmp_path).catalogue], RULES)
    assert [(f.line, f.field) for f in found] == [
        (6, "unsupported-proof"),
        (6, "absolute-efficacy"),
    ]
    assert all("[1] is a case report" in f.message for f in found)
