"""The claims linter: finds promotional health claims in everything editors write.

Rules come from a shipped default (`claims_default.yaml`) plus `content/claims.yaml`.
A rule's `pattern` is a phrase or a list of phrases (or regular expressions with
`regex: true`). Phrases match real wording: any case, inflections ("cured",
"curing"), plurals, hyphens and line breaks between words, and numbers in any
style where a phrase says NUMBER ("20,000", "20 000", "twenty thousand").
A match is skipped where the clause negates it ("there is no cure") if the rule
says `unless_negated`, and where the sentence cites a source if it says
`unless_cited`. `<!-- claims: allow rule-id: reason -->` (or `# claims: allow …`
in YAML) on the line before allows a finding there; the report still shows it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .findings import Finding, Severity
from .load import Loc, RawDocument, display, parse_yaml, read_text
from .validate import findings_from_errors

DEFAULT_RULES = Path(__file__).with_name("claims_default.yaml")
SEPARATOR = r"(?:[\s\-\u2010\u2011\u2013\u2014*_]+)"
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
    r"(?:\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?!\d)"
    r"|\d+(?:\.\d+)?(?:\s*(?:k|thousand|million)\b)?"
    rf"|(?:(?:{NUMBER_WORD})[\s\-]+)*(?:hundred|thousand|million)s?)"
)
NEGATIONS = re.compile(
    r"\b(?:no|not|never|cannot|can't|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|won't|"
    r"without|nor|neither|none|nothing|unlikely|so-called|"
    r"hope[sd]?|search(?:es|ing)?|seek(?:s|ing)?|outside|against|only|unless|whether|if)\b",
    re.IGNORECASE,
)
NUMBER_BEFORE = re.compile(rf"(?<![\w%])(?:{NUMBER}){SEPARATOR}$", re.IGNORECASE)
AFTER_NEGATIONS = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:is|are|was|were|has|have)?\W*(?:not|cannot|can't|n't|unlikely|unproven)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[,;:.!?()\u2014]|\bbut\b|\band\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
CITATION = re.compile(r"\[\^?\d+\]|\]\((?:https?:|[^)]*\.md)", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n\s*\n")
ALLOW = re.compile(
    r"(?:<!--|#)\s*claims:\s*allow\s+([a-z0-9-]+)\s*:\s*(.*?)\s*(?:-->)?\s*$", re.IGNORECASE
)
NOT_LINTED_FIELDS = {
    "sources",
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
REFERENCE_HEADINGS = re.compile(
    r"^(#{1,6})\s*(?:sources|references|further reading|bibliography)\s*#*\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def word_pattern(word: str) -> tuple[str, str]:
    """One lower-case word of a phrase -> (its literal stem, a regex for its inflections)."""
    if word == "NUMBER":
        return "", NUMBER
    if not word.isalpha() or len(word) < 3 or word.endswith("ies"):
        return word, ""
    if word.endswith("es") and len(word) > 4:
        return word, ""
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1], r"(?:y|ies|ied|ying|ier|iest)"
    if word.endswith("e"):
        return word[:-1], r"(?:e|es|ed|ing|er|ers|ely)"
    if word.endswith("s"):
        return word, r"(?:es)?"
    double = re.escape(word[-1]) + "?" if word[-1] in "bdgmnprt" and word[-2] in "aeiou" else ""
    return word, double + r"(?:s|es|ed|ing|er|ers|ly)?"


def needle(phrase: str) -> str:
    """The longest plain word of a phrase, cut to the stem its inflections share."""
    words = [w for w in re.split(r"[\s\-]+", phrase.lower()) if w.isalpha() and w != "number"]
    if not words:
        return ""
    word = max(words, key=len)
    return word[:-1] if len(word) > 3 and word[-1] in "eys" else word


def phrase_pattern(phrase: str) -> str:
    """A phrase -> a regex for lower-case text, matching whole words only.

    The pattern starts with the first word's literal stem and checks the word
    boundary just after it, so the regex engine can jump between occurrences of
    that literal instead of trying every position.
    """
    words = [w for w in re.split(r"[\s\-]+", phrase.strip().lower()) if w]
    parts = [word_pattern(w) for w in words]
    first_stem, first_rest = parts[0]
    pattern = re.escape(first_stem)
    if first_stem and re.match(r"[\w%]", first_stem):
        pattern += rf"(?<![\w%]{re.escape(first_stem)})"
    pattern += first_rest
    for stem, rest in parts[1:]:
        pattern += SEPARATOR + re.escape(stem) + rest
    if re.search(r"\w$", words[-1]):
        pattern += r"(?!\w)"
    return pattern


def number_value(text: str) -> float:
    """The size of a number written in any style ('20 000', 'twenty thousand', 'thousands')."""
    lowered = text.lower().replace("\u00a0", " ")
    digits = re.fullmatch(
        r"\s*(\d{1,3}(?:[,.\u202f\u2009 ]\d{3})+|\d+(?:\.\d+)?)\s*(k|thousand|million)?\s*", lowered
    )
    if digits:
        number = float(re.sub(r"[,.\u202f\u2009 ](?=\d{3}\b)", "", digits.group(1)))
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


class ClaimRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    pattern: list[str] = Field(min_length=1)
    regex: bool = False
    severity: Literal["error", "warning"] = "error"
    reason: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    unless_negated: bool = True
    unless_cited: bool = False
    min_number: float | None = None

    @field_validator("pattern", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @cached_property
    def compiled(self) -> list[Matcher]:
        if self.regex:
            return [Matcher("", re.compile(p, re.IGNORECASE), on_lowered=False)
                    for p in self.pattern]  # fmt: skip
        return [Matcher.for_phrase(p) for p in self.pattern]

    def matches(self, text: str, lowered: str) -> list[tuple[int, int]]:
        """Spans matched by any pattern, leftmost first, the longest where two overlap."""
        possible = [matcher for matcher in self.compiled if matcher.word in lowered]
        if not possible:  # most rules on most texts: no call per phrase
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


@dataclass(frozen=True)
class Matcher:
    """One pattern, made cheap to look for on a page where it cannot match.

    `word` must occur in the lower-cased text for a match to be possible. A
    phrase starting with NUMBER is found by its words first, then the number is
    looked for just before them, instead of trying a number at every position.
    """

    word: str
    pattern: re.Pattern[str]
    number_first: bool = False
    on_lowered: bool = True  # phrases are lower case and run on the lower-cased text

    @classmethod
    def for_phrase(cls, phrase: str) -> Matcher:
        words = re.split(r"[\s\-]+", phrase.strip())
        if words[0] == "NUMBER" and len(words) > 1:
            return cls(needle(phrase), re.compile(phrase_pattern(" ".join(words[1:]))), True)
        return cls(needle(phrase), re.compile(phrase_pattern(phrase)))

    def spans(self, text: str, lowered: str) -> list[tuple[int, int]]:
        if self.word not in lowered:
            return []
        subject = lowered if self.on_lowered else text
        if not self.number_first:
            return [match.span() for match in self.pattern.finditer(subject)]
        found = []
        for match in self.pattern.finditer(subject):
            window_start = max(0, match.start() - 60)
            number = NUMBER_BEFORE.search(subject, window_start, match.start())
            if number:
                found.append((number.start(), match.end()))
        return found


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ClaimRule] = []
    disable: list[str] = []


@dataclass(frozen=True)
class Text:
    """A piece of editor-written text and where its first character stands."""

    value: str
    path: str
    line: int
    col: int
    allowed: dict[int, dict[str, str]]  # line -> rule id -> reason


def load_rules(content_root: Path) -> tuple[list[ClaimRule], list[Finding]]:
    """The default rules, then the site's own (same id replaces, `disable` removes)."""
    rules: dict[str, ClaimRule] = {}
    findings: list[Finding] = []
    for path in (DEFAULT_RULES, content_root / "claims.yaml"):
        if not path.is_file():
            continue
        shown = display(path)
        text, found = read_text(path, shown)
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
        rules.update((rule.id, rule) for rule in parsed.rules)
        for rule_id in parsed.disable:
            rules.pop(rule_id, None)
    return list(rules.values()), findings


def validate_rule_file(doc: RawDocument) -> tuple[RuleFile, list[Finding]]:
    """Each rule on its own, so one bad rule does not hide the problems of the others."""
    data = doc.data if isinstance(doc.data, dict) else {}
    entries = data.get("rules") if isinstance(data.get("rules"), list) else []
    try:
        parsed = RuleFile.model_validate({**data, "rules": []})
    except ValidationError as exc:
        return RuleFile(), findings_from_errors(exc, doc, RuleFile)
    findings: list[Finding] = []
    for index, entry in enumerate(entries):
        loc: Loc = ("rules", index)
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
                    f"rules[{index + 1}].pattern",
                    f"expected a valid regular expression, found an error: {exc}",
                )
            )
            continue
        parsed.rules.append(rule)
    return parsed, findings


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


NOT_NEWLINE = re.compile(r"[^\n]")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
HTML_TAG = re.compile(r"<[^>\n]+>")
LINK_ADDRESS = re.compile(r"\]\([^)\n]*\)")
DEFINITION = re.compile(r"^\s*\[\^?[^\]]+\]:.*(?:\n[ \t]+.*)*", re.MULTILINE)
BARE_URL = re.compile(r"https?://\S+")


def _blank(match: re.Match[str]) -> str:
    return NOT_NEWLINE.sub(" ", match.group(0))


@functools.lru_cache(maxsize=8)  # the quality checks mask each body twice in a row
def mask_markdown(body: str) -> str:
    """The body with everything that is not prose blanked out, positions unchanged.

    Blanked: code, HTML comments and tags, link and image addresses, footnote and
    reference definitions, and sections headed Sources / References.
    """
    text = FENCED_CODE.sub(_blank, body)
    text = INLINE_CODE.sub(_blank, text)
    text = HTML_COMMENT.sub(_blank, text)
    text = HTML_TAG.sub(_blank, text)
    text = LINK_ADDRESS.sub(lambda m: "]" + _blank(m)[1:], text)
    text = DEFINITION.sub(_blank, text)
    text = BARE_URL.sub(_blank, text)
    for heading in reversed(list(REFERENCE_HEADINGS.finditer(text))):
        level = len(heading.group(1))
        following = re.compile(rf"^#{{1,{level}}}\s", re.MULTILINE)
        end_match = following.search(text, heading.end())
        end = end_match.start() if end_match else len(text)
        text = text[: heading.start()] + _blank_text(text[heading.start() : end]) + text[end:]
    return text


def _blank_text(text: str) -> str:
    return NOT_NEWLINE.sub(" ", text)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    return (before[-1] if before else 0), (after.end() if after else len(text))


def is_negated(text: str, start: int, end: int) -> bool:
    sentence_start, _ = sentence_around(text, start, end)
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, sentence_start, start)]
    clause = text[breaks[-1] if breaks else sentence_start : start]
    return bool(NEGATIONS.search(clause)) or bool(AFTER_NEGATIONS.match(text[end : end + 40]))


def lint_text(piece: Text, rules: list[ClaimRule], original: str | None = None) -> list[Finding]:
    """Every rule's matches in one piece of text. `original` is the unmasked text, for citations."""
    source = original if original is not None else piece.value
    findings = []
    lowered = piece.value.lower()
    if len(lowered) != len(piece.value):  # rare letters whose lower case is longer
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in piece.value)
    for rule in rules:
        for start, end in rule.matches(piece.value, lowered):
            text = piece.value[start:end]
            if rule.unless_negated and is_negated(piece.value, start, end):
                continue
            if rule.unless_cited:
                s_start, s_end = sentence_around(piece.value, start, end)
                if CITATION.search(source[s_start:s_end]):
                    continue
            if rule.min_number is not None:
                numbers = [
                    n
                    for n in re.findall(NUMBER, text, re.IGNORECASE)
                    if not re.fullmatch(r"\s*(?:19|20)\d\d\s*", n)  # a year, not a count
                ]
                if not numbers or max(number_value(n) for n in numbers) < rule.min_number:
                    continue
            before = piece.value[:start]
            line = piece.line + before.count("\n")
            col = start - before.rfind("\n") if "\n" in before else piece.col + start
            matched = re.sub(r"\s+", " ", text).strip(" *_")
            allowed = piece.allowed.get(line, {}).get(rule.id)
            if allowed is not None:
                findings.append(
                    Finding(
                        piece.path,
                        line,
                        col,
                        rule.id,
                        f'"{matched}": allowed here: {allowed}',
                        Severity.NOTE,
                    )
                )
                continue
            severity = Severity.ERROR if rule.severity == "error" else Severity.WARNING
            message = f'"{matched}": {rule.reason} Suggest: {rule.suggestion}'
            findings.append(Finding(piece.path, line, col, rule.id, message, severity))
    return findings


def yaml_texts(doc: RawDocument) -> list[Text]:
    """Every human-readable string of a YAML document, as written, with its position.

    The text is taken from the source (quotes, line breaks and indentation included),
    so a finding inside a folded or wrapped string still points at the right line.
    """
    allowed = allow_comments(doc.yaml_text.splitlines(), doc.yaml_line)
    texts = []
    for loc, (start, end) in doc.positions.spans.items():
        if any(str(part) in NOT_LINTED_FIELDS for part in loc):
            continue
        line, col = doc.positions.values[loc]
        texts.append(Text(doc.yaml_text[start:end], doc.display_path, line, col, allowed))
    return texts


def lint(documents: list[RawDocument], rules: list[ClaimRule]) -> list[Finding]:
    """Lint Markdown bodies and every readable YAML string of the loaded content."""
    findings: list[Finding] = []
    for doc in documents:
        if not doc.readable:
            continue
        for piece in yaml_texts(doc):
            findings += lint_text(piece, rules)
        if doc.body:
            allowed = allow_comments(doc.body.splitlines(), doc.body_line)
            masked = mask_markdown(doc.body)
            piece = Text(masked, doc.display_path, doc.body_line, 1, allowed)
            findings += lint_text(piece, rules, original=doc.body)
    return findings
