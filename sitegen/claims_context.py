"""Who is speaking, and is it a claim? The clause analysis behind the claims linter.

A rule's phrase finds a candidate (cheap: most sentences never get here); these
functions then read the sentence around it the way an editor would. The same
words are not the publisher's claim when they stand in a quotation, in reported
speech or a warning ("clinics say…", "be wary of…"), in a title or a proper name
("Cure Parkinson's"), in a question, under a negation whose scope covers them, in
a hedged statement ("can sometimes", "in some people"), or in a sentence about
research as an activity ("research into potential cures").

This is hand-written on purpose. TextBlob's bundled tagger tags the very verbs that
matter as nouns ("its cells cure/NN blindness"); spaCy tags them right, but its
official pipelines are not on PyPI, it is slow to load in every worker process and
to run on every sentence, and it would bring numpy and thinc (docs/performance.md,
"Language tooling considered"). The cues these functions read (reporting verbs and
their subjects, quotation marks, capitals, negators, hedges) are closed lists
that a tagger does not add to.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Sentence ends: . ! ? (and closing quotes or brackets) before a space; blank
# lines; the start of a list item, heading, table row or quotation; the end of
# a heading line.
SENTENCE_END = re.compile(
    r"[.!?\u061f\u06d4]+[\"'\u201d\u2019\u00bb)\]*_]*(?=\s)(?!\s+[a-z])|\n\s*\n"
    r"|\n(?=[ \t]*(?:[-*+>|#]|\d+[.)])\s)"
    r"|^#{1,6}[^\n]*$",
    re.MULTILINE,
)
ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|dr|mr|mrs|ms|st|no|approx|fig)\.$", re.IGNORECASE)
LONGEST_ABBREVIATION = len("approx.")  # searched for just before each full stop (`\b` sees past)
CLAUSE_BREAK = re.compile(
    r"[,;:\u2014\u2013]|\s-\s|\b(?:but|while|whereas|although|though|because|since|however|"
    r"yet|so|which|unlike)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
FIRST_PERSON = re.compile(r"\b(?:we|our|ours|us)\b")

NEGATOR = re.compile(
    r"\b(?:no|not|never|cannot|can't|won't|(?:is|are|was|were|has|have|had|does|do|did|should|"
    r"would|could|need)n't|without|nor|neither|none|nothing|nobody|no one|unproven|untested|"
    r"unlikely|lacks?|lacking|little evidence|fail(?:s|ed)? to|yet to|too early|rather than|"
    r"instead of|false|myth|untrue|misleading|against|stop believing)\b"
)
NOT_NEGATOR = re.compile(
    r"\b(?:no other|not only|not just|no longer|nothing short of|no doubt|no matter|"
    r"without a doubt|without any doubt|none other|no more than|never before|never again)\b"
)
# Words that carry a negation's scope forward onto a negative cue ("No treatment IS
# free of side effects"), where two negatives side by side are only a list ("no
# pain and no risks").
SCOPE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|can|could|will|would|may|might|must|should|"
    r"does|do|did|means?|offers?|promises?|guarantees?|such)\b"
)
AFTER_NEGATION = re.compile(
    r"^\W*(?:[\w'-]+\W+){0,2}?(?:(?:is|are|was|were|has|have|had|does|do|did|will|would|can|could)\s+)?"
    r"(?:not|never|cannot|(?:is|are|was|were|has|have|does|do|did|wo|ca)n't|unproven|"
    r"unlikely|yet to|years away|a myth)\b"
)
MODAL_HEDGE = re.compile(
    r"\b(?:may|might|could|possibly|it is possible|potential(?:ly)?|perhaps|one day|"
    r"in (?:the )?future|whether|if|hop(?:e|es|ed|ing) (?:to|that)|aims?|aimed|try|tries|trying|"
    r"being (?:tested|studied|investigated)|testing|studying|investigating|"
    r"early (?:results|research|studies|signs)|"
    r"not yet known|in theory|appears?|seems?|suggests?|a little|slightly|partly|partial(?:ly)?|"
    r"modest(?:ly)?)\b"
)
# After the cue only these limit it: a modal there belongs to a clause of its own
# ("curing patients who were told nothing more could be done").
AFTER_HEDGE = re.compile(
    r"\b(?:if|whether|unless|in (?:some|a few) \w+|for some|sometimes|usually|often|occasionally|"
    r"a little|slightly|partly|partial(?:ly)?|modest(?:ly)?|one day|in (?:the )?future)\b"
)
FREQUENCY_HEDGE = re.compile(
    r"\b(?:usually|often|sometimes|occasionally|rarely|can help|may help)\b"
)
QUANTITY = re.compile(
    r"\b(?:some|many|most|a few|several)\b[^,;]*\b(?:can|could|may|might)\b|\b(?:in|for) (?:some|"
    r"a few) (?:people|patients|cases|children|adults)\b|\b(?:a small number|a minority|"
    r"a few|few|some people|some patients|a handful|one in \w+)\b"
)
# The course of a condition, not what a treatment does ("some get sight back on
# their own").
NATURAL_COURSE = re.compile(
    r"\b(?:on (?:its|their|your|his|her) own|without (?:any )?treatment|by itself|by themselves|"
    r"spontaneous(?:ly)?|naturally)\b"
)
# Research done on something other than people ("repairs nerve damage in mice").
NOT_IN_PEOPLE = re.compile(
    r"\bin (?:mice|rats|animals|the laboratory|the lab|a dish|animal studies|laboratory studies|"
    r"cell cultures)\b"
)
# What must happen, not what has ("it still has to be approved").
OBLIGATION = re.compile(
    r"\b(?:(?:has|have|had|needs?|needed) to be|must be|should be|would (?:need to )?be|"
    r"will (?:need to )?be|yet to be|before (?:it|they) (?:is|are|can be))\W+(?:\w+\W+)?$"
)
# "Safe to fly", "safe enough to study further": safe for a purpose, not absolutely.
FOR_A_PURPOSE = re.compile(r"^\s+(?:enough\b|to\s+\w+)")
INTENSIFIER = re.compile(r"\b(?:completely|totally|perfectly|absolutely|entirely|100%)")
WH_START = re.compile(r"^[\W\d]*(?:which|whether)\b")
ASPIRATION = re.compile(
    r"\b(?:search(?:es|ing)? for|hunt(?:ing)? for|quest for|race to find|to find|finding|"
    r"look(?:s|ing)? for|towards?|fund(?:s|ed|ing)?|raise money for|money for|"
    r"research(?:ers)? (?:into|on|for|towards|to|that)|studies into|hopes? (?:of|for)|hoping for|"
    r"dreams? of|working on|work on|develop(?:s|ing)?|potential|possible|future|eventual|"
    r"prospect of|chance of|closer to|step towards|lead to|leads to)\W+(?:\w+\W+){0,2}$"
)
WARNING_FRAME = re.compile(
    r"\b(?:be wary|wary of|beware|be careful|careful of|be cautious|cautious about|be suspicious|"
    r"suspicious of|be sceptical|be skeptical|sceptical of|watch out|look out for|avoid|"
    r"steer clear|don't believe|do not believe|don't trust|do not trust|question|ask (?:whether|"
    r"if|how|what|which|why|for|about|them|the clinic|to see)|check (?:whether|if)|red flags?|"
    r"warning signs?|too good to be true|so[- ]called|what they call|words like|claims? "
    r"(?:of|that|about|to)|promises? (?:of|that)|talk of|offers? of|advertis\w*|marketed|"
    r"sold as|described as|billed as|branded as|labelled as|presented as|hype|according to|"
    r"hear(?:s|d|ing)? about|read(?:s|ing)? about|stories about|news of|reports of|"
    r"check that|see (?:if|whether)|find out|make sure|"
    r"(?:was|were|been|being|am|are|is|get|got) (?:told|promised|assured|sold))\b"
)
REPORTED = re.compile(
    r"\b(?:clinics?|clinic's|providers?|compan(?:y|ies)|company's|websites?|sites?|ads|adverts?|"
    r"advertisements?|brochures?|leaflets?|sellers?|agenc(?:y|ies)|businesses|they|them|someone|"
    r"some people|others|critics|regulators?|reporters|headlines|news|stories|media|products?|"
    r"founders?|salespeople|staff|social media|online|influencers?|posts?|videos?)\b"
    r"[^.;:!?]{0,60}?\b(?:say|says|said|saying|claim|claims|claimed|claiming|promise|promises|"
    r"promised|promising|advertise[sd]?|advertising|market|markets|marketed|tell|tells|told|"
    r"telling|suggest|suggests|suggested|boast|boasts|boasted|insist|insists|insisted|assure|"
    r"assures|assured|describe|describes|described|call|calls|called|quote|quotes|quoted|offer|"
    r"offers|offered|show|shows|showed|sell|sells|sold|state|states|stated|write|writes|wrote|"
    r"report|reports|reported|use|uses|used|mention|mentions|list|lists|feature|features)\b"
)
# A named body or a pronoun reporting what it concluded ("NICE said that …", "It
# found that …"): someone else's judgement, attributed, not the publisher's claim.
CONCLUDED = re.compile(
    r"\b(?:it|he|she|nice|the (?:fda|ema|mhra|who|nhs|guidance|guideline|review|authors?|"
    r"committee|agency|authority|trial|study))\b[^.;:!?]{0,40}?\b(?:said|says|stated|states|"
    r"concluded|concludes|judged|judges|found|finds|reported|reports)\s+that\b"
)
# A testimonial attributed to someone else ("their success stories").
ATTRIBUTED = re.compile(r"\b(?:their|its|the clinic's|clinics'|the company's)\W+(?:\w+\W+){0,1}$")
ADVICE = re.compile(
    r"^[\W\d]*(?:only )?(?:use|avoid|choose|look for|check|ask|make sure|find|seek|insist on|"
    r"go to|prefer|consider)\b"
)
PERSON = re.compile(
    r"\b(?:you|your|i|my|he|she|his|her|people|person|patients?|child|children|claimant|"
    r"applicant|application|claim|benefit|badge|grant|loan)\b"
)
CREDENTIAL = re.compile(
    r"^\W*(?:[\w-]+\W+)?(?:adviser|advisor|counsellor|counselor|therapist|practitioner|"
    r"optometrist|optician|surgeon|doctor|nurse|interpreter|trainer|instructor|professional|"
    r"specialist|member|staff|guide|mentor|volunteer|person|people)s?\b"
)
TREATMENT = re.compile(
    r"\b(?:treatments?|therapy|therapies|procedures?|cells?|injections?|products?|devices?|"
    r"drugs?|medicines?|clinics?|centres?|centers?|methods?|protocols?|programmes?|programs?|"
    r"techniques?|packages?|laborator(?:y|ies)|labs?|surgery|operations?|drops)\b"
)
RISK = re.compile(r"\b(?:risks?|causes?|caused|linked|associated|more likely|less likely)\b")
REGULATOR = re.compile(
    r"\b(?:FDA|EMA|MHRA|TGA|PMDA|NMPA|CDSCO|ANVISA|Swissmedic|HPRA|BfArM|ANSM|AEMPS|COFEPRIS|"
    r"MFDS|HSA|Medsafe|SAHPRA|NICE|CQC|HCPC|GMC|GOC|NMC|GPhC|HFEA|HTA|PSA|Health Canada|"
    r"CE[- ]mark(?:ed|ing)?|Food and Drug Administration|European Medicines Agency|"
    r"Medicines and Healthcare products Regulatory Agency|Therapeutic Goods Administration|"
    r"Care Quality Commission|Health and Care Professions Council|General Medical Council|"
    r"General Optical Council|Nursing and Midwifery Council|Professional Standards Authority|"
    r"Human Tissue Authority|National Institute for Health and Care Excellence|"
    r"[Rr]egulators?|[Rr]egulatory (?:agency|authority|body)|[Mm]edicines agency|"
    r"(?:research )?[Ee]thics committee|[Ee]thics approval|[Nn]otified body)\b"
)
JURISDICTION = re.compile(
    r"\bin (?:the )?(?:UK|US|USA|EU|European Union|Europe|United States|United Kingdom|England|"
    r"Scotland|Wales|Northern Ireland|Ireland|Canada|Australia|New Zealand|Japan|China|India|"
    r"Germany|France|Spain|Italy|Switzerland|some countries|several countries|many countries|"
    r"\d+ countries)\b"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text: where it starts in the text, as written and lower-cased."""

    start: int
    text: str
    lowered: str


class Sentences:
    """The sentences of one text, found once and only if some phrase matched in it."""

    def __init__(self, text: str, lowered: str) -> None:
        self.text, self.lowered = text, lowered
        ends = [0]
        for match in SENTENCE_END.finditer(text):
            end = match.end()
            start = max(0, end - LONGEST_ABBREVIATION)
            if match.group().startswith(".") and ABBREVIATION.search(text, start, end):
                continue
            ends.append(end if match.group().strip() else match.start() + 1)
        self.starts = sorted(set(ends))

    def around(self, offset: int) -> Sentence:
        index = bisect_right(self.starts, offset) - 1
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return Sentence(start, self.text[start:end], self.lowered[start:end])


def clause_start(lowered: str, start: int) -> int:
    """Where the clause holding `start` begins (after the last comma, 'but', …)."""
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(lowered, 0, start)]
    return breaks[-1] if breaks else 0


def clause_end(lowered: str, end: int) -> int:
    found = CLAUSE_BREAK.search(lowered, end)
    return found.start() if found else len(lowered)


def is_quoted(sentence: Sentence, start: int, whole: str, at: int) -> bool:
    """Inside quotation marks, or on a Markdown quotation line (`> …`)."""
    before = sentence.text[:start]
    if before.count('"') % 2 == 1 or open_quotation(before):
        return True
    opening = max(before.rfind("\u2018"), before.rfind(" '"), before.rfind("('"))
    if opening >= 0 and not re.search(r"[\u2019'](?![a-z])", before[opening + 2 :]):
        return True
    line_start = whole.rfind("\n", 0, at) + 1
    return whole[line_start:at].lstrip().startswith(">")


# Quotation marks that open one, and the marks that may close it: “…”, «…» (and
# »…«), „…“ and „…”.
CLOSING = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u00bb": "\u00ab", "\u201e": "\u201c\u201d"}


def open_quotation(before: str) -> bool:
    """Whether a quotation opened with typographic marks is still open at the end."""
    expected: list[str] = []  # the closing marks of the quotations open, innermost last
    for char in before:
        if expected and char in expected[-1]:
            expected.pop()
        elif char in CLOSING:
            expected.append(CLOSING[char])
    return bool(expected)


def is_title(sentence: Sentence, start: int, end: int) -> bool:
    """Part of a title or name: capitalised words in a sentence that is not all
    capitals ("Cure Parkinson's funds research", "the book Living Well Without a
    Cure"), or inside emphasis written in title case (*No Miracle Cure*)."""
    text = sentence.text
    emphasis = re.search(
        r"(?<![*_\w])([*_])(?!\s)([^*_\n]+?)\1(?![*_\w])", text[max(0, start - 80) :]
    )
    if emphasis:
        offset = max(0, start - 80)
        inner_start, inner_end = offset + emphasis.start(2), offset + emphasis.end(2)
        if inner_start <= start and end <= inner_end and _title_case(text[inner_start:inner_end]):
            return True
    words = list(WORD.finditer(text))
    if len(words) >= 3 and _title_case(text):
        return False  # a headline in title case: read it as prose
    cue = [w for w in words if start <= w.start() < end]
    if not cue or not _capitalised(cue[0].group()):
        return False
    first = words.index(cue[0])
    if first > 0 and not re.search(r"[:>#*|\-]\s*$", text[: cue[0].start()]):
        return True  # a capital inside a sentence: a name or a title
    following = words[first + len(cue) : first + len(cue) + 1]
    return bool(following) and _capitalised(following[0].group()) and following[0].group() != "I"


def _capitalised(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word[1:])


def _title_case(text: str) -> bool:
    words = [w.group() for w in WORD.finditer(text) if len(w.group()) > 3]
    return bool(words) and sum(_capitalised(w) for w in words) >= 0.7 * len(words)


def is_question(sentence: Sentence) -> bool:
    """A question, or a question to ask written without its mark ("Which studies
    show that it works.")."""
    if sentence.text.rstrip(" \t\n\"'\u201d\u2019\u00bb)*_").endswith(("?", "\u061f")):
        return True
    return bool(WH_START.match(sentence.lowered))


def is_reported(lowered: str, start: int) -> bool:
    """Someone else's words: a seller, an advert or 'they' says, claims or promises
    it, or the sentence warns about it ("be wary of", "so-called")."""
    before = lowered[:start]
    if WARNING_FRAME.search(before) or CONCLUDED.search(before):
        return True
    for match in REPORTED.finditer(before):
        if not FIRST_PERSON.search(lowered, max(0, match.start() - 12), match.end()):
            return True  # "clinics in our network report" is the publisher speaking
    return False


def is_attributed(lowered: str, start: int) -> bool:
    return bool(ATTRIBUTED.search(lowered[max(0, start - 40) : start]))


def negators(text: str) -> list[re.Match[str]]:
    kept = [(m.start(), m.end()) for m in NOT_NEGATOR.finditer(text)]
    return [m for m in NEGATOR.finditer(text) if not any(s <= m.start() < e for s, e in kept)]


def is_negated(lowered: str, start: int, end: int, negative_cue: bool) -> bool:
    """A negation whose scope covers the cue: earlier in its clause ("there is no
    cure", "not proven"), or just after it ("a cure is not available"). A cue that
    is itself a negative ("no side effects") is negated only by a negation that
    reaches it through a verb ("no treatment is free of side effects") or stands
    right before it ("not without risk")."""
    clause = lowered[clause_start(lowered, start) : start]
    for match in negators(clause):
        if not negative_cue:
            return True
        between = clause[match.end() :]
        if len(WORD.findall(between)) <= 1 or SCOPE_VERB.search(between):
            return True
    return bool(AFTER_NEGATION.match(lowered[end : clause_end(lowered, end)]))


def is_hedged(lowered: str, start: int, end: int) -> bool:
    """A modal or limiting word in the cue's clause ("may", "whether", "usually",
    "most … can", "in some people"). How often and how many do not hedge the
    publisher's own results: "most of our patients see results" is a claim."""
    before = lowered[clause_start(lowered, start) : start]
    after = lowered[end : clause_end(lowered, end)]
    clause = before + lowered[start:end] + after
    if MODAL_HEDGE.search(before) or AFTER_HEDGE.search(after):
        return True
    if NATURAL_COURSE.search(clause) or NOT_IN_PEOPLE.search(clause):
        return True
    limited = FREQUENCY_HEDGE.search(clause) or QUANTITY.search(clause)
    return bool(limited) and not FIRST_PERSON.search(lowered)


def is_qualified(lowered: str, start: int, end: int) -> bool:
    """Safe for a purpose ("safe to fly", "safe enough to study further"), unless
    intensified ("completely safe to use")."""
    return bool(FOR_A_PURPOSE.match(lowered[end:])) and not INTENSIFIER.search(lowered[start:end])


def is_obligation(lowered: str, start: int) -> bool:
    return bool(OBLIGATION.search(lowered[max(0, start - 40) : start]))


def is_aspiration(lowered: str, start: int) -> bool:
    """The cue is what research looks for, not what a treatment does ("the search
    for a cure", "research into potential cures", "hopes of a breakthrough")."""
    return bool(ASPIRATION.search(lowered[max(0, start - 60) : start]))


def is_advice(lowered: str) -> bool:
    """Advice to the reader ("Use only approved treatments"), not a claim about one."""
    return bool(ADVICE.match(lowered)) and not FIRST_PERSON.search(lowered)


def is_about_a_person(lowered: str, start: int, end: int) -> bool:
    """A person's status, credentials or application ("you may be certified as…",
    "an accredited money adviser", "if your claim is approved"), not a treatment's
    approval."""
    if CREDENTIAL.match(lowered[end:]):
        return True
    clause = lowered[clause_start(lowered, start) : start]
    return bool(PERSON.search(clause)) and not TREATMENT.search(clause)


def names_regulator(text: str) -> bool:
    return bool(REGULATOR.search(text))


def names_jurisdiction(text: str) -> bool:
    return bool(JURISDICTION.search(text))


def is_fragment(sentence: Sentence) -> bool:
    """A label of one or two words ("**Approval.**"), which claims nothing."""
    return len(WORD.findall(sentence.text)) <= 2


def is_about_a_risk(lowered: str) -> bool:
    """A claim about a risk or a cause, which a cohort study can support."""
    return bool(RISK.search(lowered)) and not FIRST_PERSON.search(lowered)


# Reading a sentence in a language other than English ------------------------------


def any_word(words: list[str]) -> re.Pattern[str] | None:
    """Any of `words` (lower case; a space stands for any space) as whole words."""
    if not words:
        return None
    choices = sorted({re.escape(w.lower()).replace(r"\ ", r"\s+") for w in words}, key=len)
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(choices))})(?![\w\u064b-\u065f\u0670])")


@dataclass(frozen=True)
class Cues:
    """The words a language's sentences are read by, given in its claims rules:
    what negates, what hedges, what reports someone else's words, what starts a
    new clause, and what marks the publisher speaking ("we", "our")."""

    negation: re.Pattern[str] | None = None
    hedge: re.Pattern[str] | None = None
    reporting: re.Pattern[str] | None = None
    clause: re.Pattern[str] | None = None
    we: re.Pattern[str] | None = None

    @classmethod
    def of(cls, words: dict[str, list[str]]) -> Cues:
        return cls(**{name: any_word(words.get(name, [])) for name in cls.__dataclass_fields__})

    def clause_around(self, lowered: str, start: int, end: int) -> tuple[int, int]:
        """The clause holding lowered[start:end]: between punctuation or clause words."""
        breaks = [m.span() for m in PUNCTUATION_BREAK.finditer(lowered)]
        if self.clause:
            breaks += [m.span() for m in self.clause.finditer(lowered)]
        before = [e for s, e in breaks if e <= start]
        after = [s for s, e in breaks if s >= end]
        return (max(before) if before else 0, min(after) if after else len(lowered))

    def is_reported(self, lowered: str, start: int) -> bool:
        """A reporting or warning word before the cue ("desconfíe de una clínica que
        dice…"), not one the publisher speaks (a `we` word within three words before
        it or two after: "nuestros pacientes dicen", "dicen nuestros pacientes")."""
        if self.reporting is None:
            return False
        for match in self.reporting.finditer(lowered, 0, start):
            before = lowered[: match.start()].split()[-3:]
            after = lowered[match.end() : start].split()[:2]
            if not (self.we and self.we.search(" ".join([*before, match.group(), *after]))):
                return True
        return False

    def is_hedged(self, lowered: str, start: int, end: int) -> bool:
        clause_start, clause_end = self.clause_around(lowered, start, end)
        clause = lowered[clause_start:start] + " " + lowered[end:clause_end]
        return bool(self.hedge and self.hedge.search(clause))

    def is_negated(self, lowered: str, start: int, end: int) -> bool:
        """A negation earlier in the cue's clause ("no cura", "ningún tratamiento es
        completamente seguro"). A cue that holds a negation itself ("sin efectos
        secundarios") is never negated by another: in many languages two negations
        say one thing ("no tiene ningún efecto secundario")."""
        if self.negation is None or self.negation.search(lowered, start, end):
            return False
        clause_start, _ = self.clause_around(lowered, start, end)
        return bool(self.negation.search(lowered, clause_start, start))

    def negated_after(self, lowered: str, end: int) -> bool:
        """A negation later in the clause ("los estudios muestran que no ayuda")."""
        if self.negation is None:
            return False
        _, clause_end = self.clause_around(lowered, end, end)
        return bool(self.negation.search(lowered, end, clause_end))


PUNCTUATION_BREAK = re.compile(r"[,;:\u060c\u061b\u2014\u2013]|\s-\s")
