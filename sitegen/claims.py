"""The claims linter: finds promotional health claims in everything editors write.

Rules come from a shipped default (`claims_default.yaml`) plus `content/claims.yaml`.
A rule's `pattern` is a phrase or a list of phrases (or regular expressions with
`regex: true`). Phrases match real wording: any case, inflections ("cured",
"curing"), plurals, hyphens and line breaks between words, `a|b` for either word,
`...` for up to four words, and NUMBER for a number in any style ("20,000",
"twenty thousand").

A match is a candidate; the rule's `claim` (efficacy, safety, approval, proof,
numbers, testimonial, pressure) says how the sentence around it is read
(`claims_context`): words in a quotation, reported speech, a title, a question, a
negation's scope or a hedge are not the publisher's claim. A claim is cleared by
a cited source `[n]` only if the source's `type` can support it (a case report
never shows that a treatment is "proven"; citing one for that is itself a
finding); an approval claim also by naming the regulator.

`<!-- claims: allow rule-id: reason -->` (or `# claims: allow …` in YAML) on the
line before allows a finding there; the report still shows it as a note.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from . import claims_context as context
from .explain import field_path, findings_from_errors
from .findings import Finding, Severity
from .fs import display, short_print
from .markdown import mask_markdown
from .models import LanguageCode, Limits, SourceType
from .raw import Loc, RawDocument, parse_yaml, read_text, split_stem

DEFAULT_RULES = Path(__file__).with_name("claims_default.yaml")
SEPARATOR = r"(?:[\s\-\u2010\u2011\u2013\u2014*_]+)"
# Arabic vowel marks (harakat), written in some texts and not in others: a phrase
# written without them matches a word written with them.
MARKS = "\u064b-\u065f\u0670"
PERCENT = "%\u066a"  # and the Arabic percent sign
MARK = re.compile(f"[{MARKS}]")
ARABIC = re.compile("[\u0621-\u064a\u0671-\u06d3]")
TOKEN = re.compile(rf"[{PERCENT}]|(?:[^\W_][{MARKS}]*)+(?:['\u2019](?:[^\W\d_][{MARKS}]*)+)*")
GAP = r"(?:[\s,\-\u2010\u2011\u2013\u2014*_]+[\w'\u2019]+){0,4}?"
SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
NUMBER_WORD = "|".join([*SMALL, *TENS, "a", "an", "several", "many", "tens", "hundreds", "of"])
NUMBER = (
    r"(?:\d{1,3}(?:[,.\u00a0\u202f\u2009\u066c ]\d{3})+(?!\d)"
    r"|\d+(?:[.\u066b]\d+)?(?:\s*(?:k|thousand|million)\b)?"
    rf"|(?:(?:{NUMBER_WORD})[\s\-]+)*(?:hundred|thousand|million)s?"
    rf"|(?:{'|'.join([*TENS, *SMALL[1:]])})(?![\w-]))"
)
NUMBER_BEFORE = re.compile(rf"(?<![\w{PERCENT}])(?:{NUMBER}){SEPARATOR}$", re.IGNORECASE)
NUMBER_BEFORE_PERCENT = re.compile(rf"(?<![\w{PERCENT}])(?:{NUMBER})\s?$", re.IGNORECASE)
NUMBER_HINT = re.compile(rf"\d|hundred|thousand|million|\b(?:{'|'.join([*TENS, *SMALL[1:]])})\b")
SOURCE_MARKER = re.compile(r"(?<![\[\^\w])\[(\d{1,3})\](?![(\[])")
OTHER_CITATION = re.compile(r"\[\^[^\]]+\]|\]\((?:https?:|[^)]*\.md)", re.IGNORECASE)
ALLOW = re.compile(
    r"(?:<!--|#)\s*claims:\s*allow\s+([a-z0-9-]+)\s*:\s*(.*?)\s*(?:-->)?\s*$", re.IGNORECASE
)
NOT_LINTED_FIELDS = {
    "sources",
    "known_risks",  # read by the quality checks (a risk that minimises is a finding there)
    "evidence_levels",  # what each label means ("shown to work in good trials"), not a claim
    "url",
    "id",
    "slug",
    "evidence",
    "conditions",
    "base_url",
    "language",
    "email",
    "phone",
    "currency",
    "last_reviewed",
    "next_review",
}


# The endings a phrase's word may take: (stem, endings, doubled last consonant).
Inflection = tuple[str, tuple[str, ...], bool]


def inflections(word: str, english: bool = True) -> Inflection:
    """One lower-case word of a phrase -> its stem and the endings it may take (none
    but the word as written, in a language other than English)."""
    if not english:
        return word, ("",), False
    if not word.isalpha() or len(word) < 3 or word.endswith("ies"):
        return word, ("",), False
    if word.endswith("es") and len(word) > 4:
        return word, ("",), False
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1], ("y", "ies", "ied", "ying", "ier", "iest"), False
    if word.endswith("e"):
        return word[:-1], ("e", "es", "ed", "ing", "er", "ers", "ely"), False
    if word.endswith("s"):
        return word, ("", "es"), False
    double = word[-1] in "bdgmnprt" and word[-2] in "aeiou"
    return word, ("", "s", "es", "ed", "ing", "er", "ers", "ly"), double


def word_pattern(word: str, first: bool = False, english: bool = True) -> str:
    """One word of a phrase -> a regex for it and its inflections (`a|b`: either).

    The first word of a phrase also checks that no letter comes before it, just
    after its literal stem: a pattern that starts with a literal lets the regex
    engine jump between its occurrences instead of trying every position.
    """
    if word.startswith("NUMBER"):
        number = NUMBER + (rf"\s?[{PERCENT}]" if word == "NUMBER%" else "")
        return rf"(?<![\w{PERCENT}])" + number if first else number
    if "|" in word:
        parts = word.split("|")
        return "(?:" + "|".join(word_pattern(part, first, english) for part in parts) + ")"
    stem, endings, double = inflections(word, english)
    pattern = re.escape(stem)
    if ARABIC.search(stem):  # vowel marks may follow any letter
        pattern = "".join(re.escape(c) + (f"[{MARKS}]*" if ARABIC.match(c) else "") for c in stem)
        if first:
            pattern = rf"(?<![\w{PERCENT}])" + pattern
    elif first and re.match(rf"[\w{PERCENT}]", stem):
        pattern += rf"(?<![\w{PERCENT}]{re.escape(stem)})"
    elif first:
        pattern = rf"(?<![\w{PERCENT}])" + pattern
    if endings == ("",):
        return pattern
    doubled = re.escape(stem[-1]) + "?" if double else ""
    optional = "?" if "" in endings else ""
    return pattern + doubled + "(?:" + "|".join(e for e in endings if e) + ")" + optional


def word_forms(word: str, english: bool = True) -> frozenset[str]:
    """Every form `word_pattern(word)` matches, as the text's words are split."""
    if "|" in word:
        return frozenset().union(*(word_forms(part, english) for part in word.split("|")))
    stem, endings, double = inflections(word, english)
    forms = {stem + ending for ending in endings}
    if double:
        forms |= {stem + stem[-1] + ending for ending in endings if ending}
    return frozenset(form for part in forms for form in TOKEN.findall(part))


def phrase_words(phrase: str) -> list[str]:
    """A phrase's words, lower case, without vowel marks (a word matches with or without)."""
    return [w if w.startswith("NUMBER") else MARK.sub("", w.lower())
            for w in re.split(r"[\s\-]+", phrase.strip()) if w]  # fmt: skip


def has_words(phrase: str) -> str:
    if not phrase_words(phrase):
        raise ValueError("a phrase of one or more words")
    return phrase


Phrase = Annotated[str, AfterValidator(has_words)]


def triggers(phrase: str, english: bool = True) -> tuple[frozenset[str], ...]:
    """For each word of the phrase, the forms the text must hold one of for the
    phrase to match. A text's words are found once (`text_words`), so a phrase
    costs a few set look-ups on a text where it cannot match."""
    words = phrase_words(phrase)
    found = [word_forms(w, english) for w in words if not w.startswith("NUMBER") and w != "..."]
    if "NUMBER%" in words:
        found.append(frozenset(PERCENT))
    return tuple(sorted(found, key=len))


def phrase_pattern(phrase: str, english: bool = True) -> str:
    """A phrase -> a regex for lower-case text, matching whole words only.

    `...` stands for up to four words ("restore ... sight" matches "restored my
    husband's sight").
    """
    words = phrase_words(phrase)
    pattern = word_pattern(words[0], True, english)
    gap = ""
    for word in words[1:]:
        if word == "...":
            gap = GAP
            continue
        pattern += gap + SEPARATOR + word_pattern(word, False, english)
        gap = ""
    if re.search(r"[\w|]$", words[-1]):
        pattern += rf"(?![\w{MARKS}])"
    return pattern


def number_value(text: str) -> float:
    """The size of a number written in any style ('20 000', 'twenty thousand', 'thousands')."""
    lowered = text.lower().replace("\u00a0", " ").replace("\u066b", ".")
    digits = re.fullmatch(
        r"\s*(\d{1,3}(?:[,.\u202f\u2009\u066c ]\d{3})+|\d+(?:\.\d+)?)\s*(k|thousand|million)?\s*",
        lowered,
    )
    if digits:
        number = float(re.sub(r"[,.\u202f\u2009\u066c ](?=\d{3}\b)", "", digits.group(1)))
        return number * {"k": 1_000, "thousand": 1_000, "million": 1_000_000}.get(
            digits.group(2) or "", 1
        )
    total, current = 0.0, 0.0
    for word in re.findall(r"[a-z]+", lowered):
        if word in SMALL:
            current += SMALL.index(word)
        elif word in TENS:
            current += 20 + 10 * TENS.index(word)
        elif word in ("a", "an"):
            current += 1
        elif word in ("several", "many", "tens", "hundreds"):
            current += {"several": 3, "many": 5, "tens": 20, "hundreds": 200}[word]
        elif word.rstrip("s") in SCALES:
            scale = SCALES[word.rstrip("s")]
            current = max(current, 2 if word.endswith("s") else 1) * scale
            if scale >= 1_000:
                total, current = total + current, 0.0
    return total + current


Claim = Literal[
    "efficacy", "safety", "approval", "proof", "numbers", "testimonial", "pressure", "other"
]
STRONG = ("systematic review", "randomised trial", "guideline", "regulator")
# Which kinds of cited source clear a claim of each kind (a rule's `cleared_by`
# overrides this). A cohort study also clears a "proven" about a risk or a cause
# ("smoking is proven to raise the risk"): it can show a risk, not that a
# treatment works.
CLEARED_BY: dict[str, tuple[str, ...]] = {
    "efficacy": STRONG,
    "proof": STRONG,
    "safety": (*STRONG, "cohort study"),
    "approval": ("regulator",),
    "numbers": (*STRONG, "cohort study", "case series", "professional body",
                "patient information", "narrative review", "trial registration"),
    "testimonial": (),
    "pressure": (),
    "other": (),
}  # fmt: skip
# How the sentence around a match is read for each kind of claim: the readings
# that show it is not the publisher's claim.
READINGS: dict[str, frozenset[str]] = {
    "efficacy": frozenset({"quoted", "reported", "title", "question", "hedged", "aspiration"}),
    "proof": frozenset({"quoted", "reported", "title", "question", "hedged", "advice", "fragment"}),
    "safety": frozenset({"quoted", "reported", "title", "question", "hedged", "qualified"}),
    "approval": frozenset(
        {"quoted", "reported", "title", "question", "advice", "person", "fragment", "obligation"}
    ),
    "numbers": frozenset({"quoted", "reported", "title", "question", "fragment"}),
    "testimonial": frozenset({"reported", "attributed", "title", "question"}),
    "pressure": frozenset({"quoted", "reported", "title", "question"}),
    "other": frozenset({"quoted", "reported", "title", "question"}),
}


class ClaimRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    pattern: list[Phrase] = Field(min_length=1)
    regex: bool = False
    claim: Claim = "other"
    severity: Literal["error", "warning"] = "error"
    reason: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    unless_negated: bool = True
    unless_cited: bool = False  # any cited source clears it (kept from the first rule format)
    cleared_by: list[SourceType] | None = None
    with_: list[Phrase] = Field(default=[], alias="with")
    unless: list[Phrase] = []
    min_number: float | None = None
    _english: bool = PrivateAttr(default=True)  # English inflections ("cure": "cured")

    @field_validator("pattern", "with_", "unless", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @cached_property
    def compiled(self) -> list[Matcher]:
        if self.regex:
            matchers = [Matcher((), p, re.IGNORECASE, on_lowered=False) for p in self.pattern]
            for matcher in matchers:
                matcher.pattern  # noqa: B018 (an editor's expression: compiled now, to report)
            return matchers
        return [Matcher.for_phrase(p, self._english) for p in self.pattern]

    @cached_property
    def index(self) -> tuple[list[Matcher], dict[str, list[Matcher]]]:
        """The matchers that are always tried, and the others by the forms of their
        rarest word: a text's words then pick the few worth trying."""
        always: list[Matcher] = []
        by_word: dict[str, list[Matcher]] = {}
        for matcher in self.compiled:
            if not matcher.triggers:
                always.append(matcher)
            for form in matcher.triggers[0] if matcher.triggers else ():
                by_word.setdefault(form, []).append(matcher)
        return always, by_word

    @cached_property
    def also_needed(self) -> re.Pattern[str] | None:
        return _any_phrase(self.with_, self._english)

    @cached_property
    def excluded(self) -> re.Pattern[str] | None:
        return _any_phrase(self.unless, self._english)

    @cached_property
    def clearing_kinds(self) -> frozenset[str] | None:
        """The source kinds that clear it; None: any cited source does."""
        if self.cleared_by is not None:
            return frozenset(self.cleared_by)
        if self.unless_cited and self.claim == "other":
            return None
        return frozenset(CLEARED_BY[self.claim])

    def matches(
        self, text: str, lowered: str, words: frozenset[str] | None = None
    ) -> list[tuple[int, int]]:
        """Spans matched by any pattern, leftmost first, the longest where two overlap.
        `words`: the text's words (`text_words`), if already found."""
        words = text_words(lowered) if words is None else words
        always, by_word = self.index
        possible = [*always]
        for word in words & by_word.keys():
            possible += by_word[word]
        possible = [m for m in dict.fromkeys(possible) if m.possible(words)]
        if not possible:  # most rules on most texts: a few set look-ups, no regex
            return []
        found = sorted(
            (span for matcher in possible for span in matcher.spans(text, lowered)),
            key=lambda span: (span[0], -span[1]),
        )
        kept: list[tuple[int, int]] = []
        for span in found:
            if not kept or span[0] >= kept[-1][1]:
                kept.append(span)
        return kept


def text_words(lowered: str) -> frozenset[str]:
    words = TOKEN.findall(lowered)
    if MARK.search(lowered):
        words = [MARK.sub("", word) for word in words]
    return frozenset(words)


def _any_phrase(phrases: list[str], english: bool = True) -> re.Pattern[str] | None:
    if not phrases:
        return None
    return re.compile("|".join(phrase_pattern(phrase, english) for phrase in phrases))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap
class Matcher:
    """One pattern, made cheap to look for on a text where it cannot match.

    The text must hold one of each of the `triggers` word sets for a match to be
    possible (none: always tried). A phrase starting with NUMBER is found by its
    words first, then the number is looked for just before them, instead of
    trying a number at every position. The expression is compiled when first
    tried: an edit lints one document, whose words make a few of the rules'
    hundreds of phrases possible (compiling them all costs more than the lint).
    """

    triggers: tuple[frozenset[str], ...]
    expression: str
    flags: int = 0
    number_first: bool = False
    on_lowered: bool = True  # phrases are lower case and run on the lower-cased text

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.expression, self.flags)

    @classmethod
    def for_phrase(cls, phrase: str, english: bool = True) -> Matcher:
        words = phrase_words(phrase)
        if words[0] == "NUMBER" and len(words) > 1:
            rest = phrase_pattern(" ".join(words[1:]), english)
            return cls(triggers(phrase, english), rest, number_first=True)
        if words[0] == "NUMBER%":
            rest = f"[{PERCENT}]" + "".join(
                SEPARATOR + word_pattern(word, False, english) for word in words[1:]
            )
            return cls(triggers(phrase, english), rest, number_first=True)
        return cls(triggers(phrase, english), phrase_pattern(phrase, english))

    def possible(self, words: frozenset[str]) -> bool:
        return all(not forms.isdisjoint(words) for forms in self.triggers)

    def spans(self, text: str, lowered: str) -> list[tuple[int, int]]:
        subject = lowered if self.on_lowered else text
        if not self.number_first:
            return [match.span() for match in self.pattern.finditer(subject)]
        found = []
        for match in self.pattern.finditer(subject):
            window_start = max(0, match.start() - 60)
            if not NUMBER_HINT.search(subject, window_start, match.start()):
                continue
            before = NUMBER_BEFORE_PERCENT if subject[match.start()] in PERCENT else NUMBER_BEFORE
            number = before.search(subject, window_start, match.start())
            if number:
                found.append((number.start(), match.end()))
        return found


class Words(BaseModel):
    """The words a language's sentences are read by (see `claims_context.Cues`)."""

    model_config = ConfigDict(extra="forbid")

    negation: list[str] = []
    hedge: list[str] = []
    reporting: list[str] = []
    clause: list[str] = []
    we: list[str] = []


class LanguageSection(BaseModel):
    """One language's rules (`languages: {es: {...}}`): for its translations only."""

    model_config = ConfigDict(extra="forbid")

    rules: list[ClaimRule] = []
    disable: list[str] = []
    words: Words = Words()


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ClaimRule] = []
    disable: list[str] = []
    languages: dict[LanguageCode, LanguageSection] = {}


ENGLISH = "en"  # the language of the shipped rules' `rules:`


def is_english(code: str) -> bool:
    return code.split("-")[0].lower() == ENGLISH


@dataclass(frozen=True, eq=False)
class LanguageRules:
    """The rules for the text of one language and the words its sentences are read by
    (None: English, read by `claims_context`'s own analysis)."""

    code: str
    rules: list[ClaimRule]
    words: dict[str, list[str]]

    @cached_property
    def cues(self) -> context.Cues | None:
        return None if is_english(self.code) else context.Cues.of(self.words)

    @cached_property
    def print(self) -> str:
        """Everything the findings on a text in this language depend on."""
        rules = "\n".join(rule.model_dump_json() for rule in self.rules)
        english = self.cues is None
        return short_print(f"{self.code} {english}\n{rules}\n{json.dumps(self.words)}")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class RuleSets:
    """The rules of each language the rule files name, and which is the site's default
    (the language of pages that are not translations)."""

    default: str
    sections: dict[str, tuple[dict[str, ClaimRule], dict[str, list[str]]]]
    # The languages the site's claims.yaml gives rules or words for, each with where
    # its code is written, and the file as shown (for `unlisted_languages`).
    named: dict[str, tuple[int, int]] = field(default_factory=dict)
    named_in: str = ""

    @functools.cache  # noqa: B019 (a few languages, held as long as the rules are)
    def for_language(self, code: str | None) -> LanguageRules:
        """A language's rules: those for its code and for its main language ("es"
        for "es-MX"; the more precise replaces the same id)."""
        code = code or self.default
        rules: dict[str, ClaimRule] = {}
        words: dict[str, list[str]] = {}
        for given in dict.fromkeys((code.split("-")[0], code)):
            found_rules, found_words = self.sections.get(given, ({}, {}))
            rules.update(found_rules)
            for name, listed in found_words.items():
                words[name] = [*words.get(name, []), *listed]
        return LanguageRules(code, list(rules.values()), words)

    @property
    def print(self) -> str:
        """Everything the findings on a text in any language depend on."""
        codes = sorted({self.default, *self.sections})
        return short_print(" ".join(self.for_language(code).print for code in codes))

    def has_rules(self, code: str) -> bool:
        return bool(self.for_language(code).rules)


def load_rule_sets(content_root: Path, default: str = ENGLISH) -> tuple[RuleSets, list[Finding]]:
    """The shipped rules, then the site's: `rules:` of the shipped file are English,
    a site's `rules:` are for its default language, `languages: {code: …}` for that
    language (the same id replaces, `disable` removes)."""
    sections: dict[str, tuple[dict[str, ClaimRule], dict[str, list[str]]]] = {}
    findings: list[Finding] = []
    named: dict[str, tuple[int, int]] = {}
    site_rules = display(content_root / "claims.yaml")
    for path, top in ((DEFAULT_RULES, ENGLISH), (content_root / "claims.yaml", default)):
        if not os.path.lexists(path):
            continue
        shown = display(path)  # the site's rules: no larger than site.yaml may be
        text, found = read_text(path, shown, limit=Limits().max_file_kb * 1024)
        findings += found
        if text is None:
            continue
        data, positions, found = parse_yaml(text, shown)
        findings += found
        if found or data is None:
            continue
        doc = RawDocument(path, shown, path.name, "claims", path.stem, data, positions)
        parsed, found = validate_rule_file(doc)
        findings += found
        if path != DEFAULT_RULES:
            named = {code: positions.of_key(("languages", code)) for code in parsed.languages}
        given = [(top, LanguageSection(rules=parsed.rules, disable=parsed.disable))]
        for code, section in [*given, *parsed.languages.items()]:
            rules, words = sections.setdefault(code, ({}, {}))
            for rule in section.rules:
                rule._english = is_english(code)
                rules[rule.id] = rule
            for rule_id in section.disable:
                rules.pop(rule_id, None)
            for name, listed in section.words.model_dump().items():
                words[name] = [*words.get(name, []), *listed]
    return RuleSets(default, sections, named, site_rules), findings


def unlisted_languages(rules: RuleSets, listed: list[str]) -> list[Finding]:
    """A warning at each language the site's claims.yaml gives rules for that site.yaml
    does not list (a typo, or a language since removed): its rules check nothing. A
    main language's rules ("es") serve its regional codes ("es-MX")."""
    used = {*listed, *(code.split("-")[0] for code in listed)}  # as `for_language` reads
    findings = []
    for code, (line, col) in rules.named.items():
        if code in used:
            continue
        findings.append(Finding(
            rules.named_in, line, col, f"languages.{code}",
            f"expected a language listed in site.yaml's `languages` ({', '.join(listed)})"
            f"{language_hint(code, listed)}, found '{code}'; its rules check nothing",
            Severity.WARNING))  # fmt: skip
    return findings


# Codes often written for a language by mistake (a country's code, or ISO 639-2's
# three letters) and the language code meant.
MISTAKEN_CODES = {
    "sp": "es", "spa": "es", "ara": "ar", "eng": "en", "gr": "el", "jp": "ja", "cz": "cs",
    "dk": "da", "se": "sv", "cn": "zh", "kr": "ko", "ua": "uk", "il": "he", "ir": "fa",
    "br": "pt", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "por": "pt",
}  # fmt: skip


def language_hint(code: str, listed: list[str]) -> str:
    """` (did you mean 'es'?)` for a code close to a listed one: another case, a
    region the site does not list ("ar-EG" for "ar"), a code often mistaken for it
    ("sp", "spa"), a typo ("ar-eg")."""
    by_lower = {known.lower(): known for known in listed}
    wanted = code.lower()
    main = wanted.split("-")[0]
    close = (by_lower.get(wanted) or by_lower.get(main)
             or by_lower.get(MISTAKEN_CODES.get(main, "")))  # fmt: skip
    if close is None:
        near = difflib.get_close_matches(wanted, by_lower, n=1, cutoff=0.75)
        close = by_lower[near[0]] if near else None
    return f" (did you mean '{close}'?)" if close else ""


def load_rules(content_root: Path) -> tuple[list[ClaimRule], list[Finding]]:
    """The rules for English text, the shipped ones and the site's."""
    sets, findings = load_rule_sets(content_root)
    return sets.for_language(ENGLISH).rules, findings


def validate_rule_file(doc: RawDocument) -> tuple[RuleFile, list[Finding]]:
    """Each rule on its own, so one bad rule does not hide the problems of the others."""
    data = doc.data if isinstance(doc.data, dict) else {}
    languages = data.get("languages") if isinstance(data.get("languages"), dict) else {}
    without_rules = {
        **data,
        "rules": [],
        "languages": {code: {**section, "rules": []} if isinstance(section, dict) else section
                      for code, section in languages.items()},
    }  # fmt: skip
    try:
        parsed, findings = RuleFile.model_validate(without_rules), []
    except ValidationError as exc:  # the rules are still checked, for their findings
        parsed, findings = RuleFile(), findings_from_errors(exc, doc, RuleFile)
    valid = not findings
    rules, found = validate_rules(doc, data.get("rules"), ("rules",))
    findings += found
    for code, section in languages.items():
        given = section.get("rules") if isinstance(section, dict) else None
        in_language, found = validate_rules(doc, given, ("languages", code, "rules"))
        findings += found
        if code in parsed.languages:
            parsed.languages[code].rules = in_language
    if valid:
        parsed.rules = rules
    return parsed, findings


def validate_rules(
    doc: RawDocument, entries: Any, at: Loc
) -> tuple[list[ClaimRule], list[Finding]]:
    rules: list[ClaimRule] = []
    findings: list[Finding] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        loc: Loc = (*at, index)
        try:
            rule = ClaimRule.model_validate(entry)
            if rule.regex:  # compiled now, so a bad expression is reported here
                rule.compiled  # noqa: B018
        except ValidationError as exc:
            findings += findings_from_errors(exc, doc, ClaimRule, loc)
            continue
        except re.error as exc:
            line, col = doc.positions.of_value((*loc, "pattern"))
            findings.append(
                Finding(
                    doc.display_path,
                    line,
                    col,
                    field_path((*loc, "pattern")),
                    f"expected a valid regular expression, found an error: {exc}",
                )
            )
            continue
        rules.append(rule)
    return rules, findings


@dataclass(frozen=True)
class CitedSource:
    """What the linter needs of a listed source: its kind and whether it is a regulator's."""

    kind: str | None
    regulator: bool

    @classmethod
    def of(cls, entry: Any) -> CitedSource:
        if not isinstance(entry, dict):
            return cls(None, False)
        kind = entry.get("type") if isinstance(entry.get("type"), str) else None
        named = " ".join(str(entry.get(key) or "") for key in ("title", "publisher", "citation"))
        return cls(kind, kind == "regulator" or context.names_regulator(named))


@dataclass(frozen=True)
class Text:
    """A piece of editor-written text and where its first character stands."""

    value: str
    path: str
    line: int
    col: int
    allowed: dict[int, dict[str, str]]  # line -> rule id -> reason
    sources: tuple[CitedSource, ...] = ()  # what [1], [2], … cite
    lang: str | None = None  # the language it is written in; None: the site's default


def allow_comments(lines: list[str], first_line: int) -> dict[int, dict[str, str]]:
    """Allow comments apply to the line after them and the rest of its paragraph."""
    allowed: dict[int, dict[str, str]] = {}
    for index, line in enumerate(lines):
        match = ALLOW.search(line)
        if not match:
            continue
        for following in range(index + 1, len(lines)):
            if not lines[following].strip():
                break
            allowed.setdefault(first_line + following, {})[match.group(1)] = match.group(2)
    return allowed


@dataclass
class Candidate:
    """One match of a rule, and the sentence it stands in."""

    rule: ClaimRule
    start: int  # in the text
    end: int
    sentence: context.Sentence

    @property
    def lowered(self) -> str:
        return self.sentence.lowered

    @property
    def at(self) -> int:  # the match's start in its sentence
        return self.start - self.sentence.start


def reading(candidate: Candidate, whole: str, cues: context.Cues | None = None) -> str | None:
    """Why the words matched are not the publisher's claim, or None if they are.

    `cues`: a language's own words, for a language other than English. There, its
    quotation marks, questions, titles and the words its claims rules give for
    negation, hedges and reporting are read; the English analysis of advice,
    aspirations or credentials is not applied."""
    rule, sentence, at = candidate.rule, candidate.sentence, candidate.at
    lowered, end = sentence.lowered, at + candidate.end - candidate.start
    if rule.also_needed and not rule.also_needed.search(lowered):
        return "without"
    if rule.excluded and rule.excluded.search(lowered):
        return "unless"
    checks = [
        ("fragment", lambda: context.is_fragment(sentence)),
        ("question", lambda: context.is_question(sentence)),
        ("quoted", lambda: context.is_quoted(sentence, at, whole, candidate.start)),
        ("title", lambda: context.is_title(sentence, at, end)),
    ]
    if cues is None:
        checks += [
            ("reported", lambda: context.is_reported(lowered, at)),
            ("attributed", lambda: context.is_attributed(lowered, at)),
            ("advice", lambda: context.is_advice(lowered)),
            ("person", lambda: context.is_about_a_person(lowered, at, end)),
            ("aspiration", lambda: context.is_aspiration(lowered, at)),
            ("obligation", lambda: context.is_obligation(lowered, at)),
            ("hedged", lambda: context.is_hedged(lowered, at, end)),
            ("qualified", lambda: context.is_qualified(lowered, at, end)),
        ]
    else:
        checks += [
            ("reported", lambda: cues.is_reported(lowered, at)),
            ("hedged", lambda: cues.is_hedged(lowered, at, end)),
        ]
    readings = READINGS[rule.claim]
    for name, check in checks:
        if name in readings and check():
            return name
    if not rule.unless_negated:
        return None
    if cues is not None:
        negated = cues.is_negated(lowered, at, end)
        negated_after = rule.claim == "proof" and cues.negated_after(lowered, end)
    else:
        negative_cue = bool(context.negators(lowered[at:end]))
        negated = context.is_negated(lowered, at, end, negative_cue)
        negated_after = rule.claim == "proof" and bool(
            context.negators(lowered[end : context.clause_end(lowered, end)])
        )
    # negated_after: "studies show that it does not help", "los estudios muestran que no ayuda"
    return "negated" if negated or negated_after else None


def count_is_large(rule: ClaimRule, matched: str) -> bool:
    if rule.min_number is None:
        return True
    numbers = [
        n
        for n in re.findall(NUMBER, matched, re.IGNORECASE)
        if not re.fullmatch(r"\s*(?:19|20)\d\d\s*", n)  # a year, not a count
    ]
    return bool(numbers) and max(number_value(n) for n in numbers) >= rule.min_number


def citations(original: str, candidate: Candidate,
              sources: tuple[CitedSource, ...]) -> list[tuple[str, CitedSource]]:  # fmt: skip
    """The sources the sentence cites: `[n]` as listed, a footnote or link as a source
    of unknown kind."""
    start = candidate.sentence.start
    text = original[start : start + len(candidate.sentence.text)]
    found = []
    for marker in SOURCE_MARKER.finditer(text):
        number = int(marker.group(1))
        listed = sources[number - 1] if 1 <= number <= len(sources) else CitedSource(None, False)
        found.append((f"[{number}]", listed))
    found += [(m.group(0)[:12], CitedSource(None, False)) for m in OTHER_CITATION.finditer(text)]
    return found


def clearance(candidate: Candidate, cited: list[tuple[str, CitedSource]]) -> str | None:
    """None if the claim stands cleared; else why not ("" when nothing is cited)."""
    rule = candidate.rule
    if rule.claim == "approval" and (
        context.names_regulator(candidate.sentence.text)
        or context.names_jurisdiction(candidate.sentence.text)
        or any(source.regulator for _, source in cited)
    ):
        return None
    kinds = rule.clearing_kinds
    if kinds is None:
        return None if cited else ""
    if rule.claim == "proof" and context.is_about_a_risk(candidate.lowered):
        kinds = kinds | {"cohort study"}
    if any(source.kind in kinds for _, source in cited):
        return None
    if not cited or not kinds:
        return ""
    weak = "; ".join(
        f"{marker} is {_a(source.kind)}"
        if source.kind
        else f"{marker} does not say what kind of source it is (give it a type:)"
        for marker, source in cited
    )
    wanted = ", ".join(sorted(kinds))
    return f"{weak}, which cannot support this claim (it takes one of: {wanted})"


# Source types that take no article as they are ("[3] is marketing material").
KIND_AS_SAID = {"marketing": "marketing material", "news": "a news report",
                "other": "a source of another kind"}  # fmt: skip


def _a(kind: str) -> str:
    return KIND_AS_SAID.get(kind) or f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


@dataclass(frozen=True)
class Hit:
    """A claim found: where, the words, and why no source clears it ("" if none is cited)."""

    rule: ClaimRule
    line: int
    col: int
    matched: str
    why_not: str
    allowed: str | None  # the allow comment's reason, if one allows it here


def claims_in(
    piece: Text, rules: list[ClaimRule], original: str | None = None,
    cues: context.Cues | None = None,
) -> list[Hit]:  # fmt: skip
    """Every rule's claims in one piece of text. `original` is the unmasked text, for
    citations; `cues`: the words its language is read by, if it is not English."""
    source = original if original is not None else piece.value
    hits = []
    lowered = piece.value.lower()
    if len(lowered) != len(piece.value):  # rare letters whose lower case is longer
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in piece.value)
    sentences: context.Sentences | None = None
    words = text_words(lowered)
    for rule in rules:
        for start, end in rule.matches(piece.value, lowered, words):
            if not count_is_large(rule, piece.value[start:end]):
                continue
            if sentences is None:
                sentences = context.Sentences(piece.value, lowered)
            candidate = Candidate(rule, start, end, sentences.around(start))
            if reading(candidate, piece.value, cues) is not None:
                continue
            why_not = clearance(candidate, citations(source, candidate, piece.sources))
            if why_not is None:
                continue
            before = piece.value[:start]
            line = piece.line + before.count("\n")
            col = start - before.rfind("\n") if "\n" in before else piece.col + start
            matched = re.sub(r"\s+", " ", piece.value[start:end]).strip(" *_")
            allowed = piece.allowed.get(line, {}).get(rule.id)
            hits.append(Hit(rule, line, col, matched, why_not, allowed))
    return hits


def lint_text(
    piece: Text, rules: list[ClaimRule] | LanguageRules, original: str | None = None
) -> list[Finding]:
    """The findings of one piece of text, each with its rule's reason and suggestion."""
    if isinstance(rules, LanguageRules):
        hits = claims_in(piece, rules.rules, original, rules.cues)
    else:
        hits = claims_in(piece, rules, original)
    return report(hits, piece.path, once_per_rule=False)


def report(hits: list[Hit], path: str, once_per_rule: bool = True) -> list[Finding]:
    """Findings for one file's claims. With `once_per_rule`, a rule's reason and
    suggestion are given at its first finding, and later ones point back to it, so
    that a first run on a big site stays readable."""
    first: dict[str, str] = {}
    findings = []
    for hit in sorted(hits, key=lambda h: (h.line, h.col)):
        rule, quoted = hit.rule, f'"{hit.matched}"'
        if hit.allowed is not None:
            message, severity = f"{quoted}: allowed here: {hit.allowed}", Severity.NOTE
        else:
            severity = Severity.ERROR if rule.severity == "error" else Severity.WARNING
            why = f"{hit.why_not}. " if hit.why_not else ""
            if once_per_rule and rule.id in first:
                message = f"{quoted}: {why}see {first[rule.id]} for the reason and a suggestion"
            else:
                first.setdefault(rule.id, f"{hit.line}:{hit.col}")
                message = f"{quoted}: {why}{rule.reason} Suggest: {rule.suggestion}"
        findings.append(Finding(path, hit.line, hit.col, rule.id, message, severity))
    return findings


def yaml_texts(doc: RawDocument) -> list[Text]:
    """Every human-readable string of a YAML document, as written, with its position,
    the sources its `[n]` markers cite (the document's, or its package's) and its
    language (the document's, or the one a `translations: {code: …}` gives it in).

    The text is taken from the source (quotes, line breaks and indentation included),
    so a finding inside a folded or wrapped string still points at the right line.
    """
    allowed = allow_comments(doc.yaml_text.splitlines(), doc.yaml_line)
    data = doc.data if isinstance(doc.data, dict) else {}
    own = listed_sources(data)
    packages = data.get("packages") if isinstance(data.get("packages"), list) else []
    package_sources = functools.cache(lambda index: listed_sources(packages[index]))
    lang = document_language(doc)
    texts = []
    for loc, (start, end) in doc.positions.spans.items():
        if any(str(part) in NOT_LINTED_FIELDS for part in loc):
            continue
        sources = own
        if loc[:1] == ("packages",) and len(loc) > 1 and isinstance(loc[1], int):
            sources = package_sources(loc[1]) if loc[1] < len(packages) else ()
        line, col = doc.positions.values[loc]
        text = doc.yaml_text[start:end]
        in_language = translated_into(loc) or lang
        texts.append(Text(text, doc.display_path, line, col, allowed, sources, in_language))
    return texts


def document_language(doc: RawDocument) -> str | None:
    """A translation's language (`about.es.md`: es); None for any other file."""
    name = doc.content_path.rpartition("/")[2]
    return split_stem(name.removesuffix(".md"))[1] if name.endswith(".md") else None


def translated_into(loc: Loc) -> str | None:
    """The language of a string under `translations: {code: …}` (site.yaml's, or a
    package's in packages.yaml), else None."""
    for index, part in enumerate(loc[:-1]):
        if part == "translations" and isinstance(loc[index + 1], str):
            return loc[index + 1]  # type: ignore[return-value]
    return None


def listed_sources(data: Any) -> tuple[CitedSource, ...]:
    entries = data.get("sources") if isinstance(data, dict) else None
    return tuple(map(CitedSource.of, entries)) if isinstance(entries, list) else ()


def lint(documents: list[RawDocument], rules: list[ClaimRule] | RuleSets) -> list[Finding]:
    """Lint Markdown bodies and every readable YAML string of the loaded content, each
    with its language's rules (a list of rules: the default language's; English)."""
    if not isinstance(rules, RuleSets):
        rules = RuleSets(ENGLISH, {ENGLISH: ({rule.id: rule for rule in rules}, {})})
    findings: list[Finding] = []
    for doc in documents:
        if not doc.readable:
            continue
        hits = []
        for piece in yaml_texts(doc):
            language = rules.for_language(piece.lang)
            hits += claims_in(piece, language.rules, None, language.cues)
        if doc.body and doc.body_within_limits:
            allowed = allow_comments(doc.body.splitlines(), doc.body_line)
            masked = mask_markdown(doc.body)
            sources = listed_sources(doc.data)
            lang = document_language(doc)
            piece = Text(masked, doc.display_path, doc.body_line, 1, allowed, sources, lang)
            language = rules.for_language(lang)
            hits += claims_in(piece, language.rules, doc.body, language.cues)
        findings += report(hits, doc.display_path)
    return findings
