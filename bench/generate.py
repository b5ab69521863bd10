"""Generate a synthetic health-information site for the speed benchmarks.

    python bench/generate.py --pages N --out DIR [--format sitegen|pelican|mkdocs|hugo]
                             [--weight light|real] [--seed S]

N conditions and a catalogue of N/10 treatment packages, written in the layout
of one tool. The text is the same for every tool and depends only on N,
`--seed` and `--weight`: no network, no clock.

- light (the default): conditions of about 750 words (the five required `##`
  sections, a list, a table, links to other conditions, three sources cited by
  number, two footnotes); packages with four short risks and one source.
- real: pages and settings as the sample's in content/. Conditions of about
  1,600 words: every required section (Support too, which this site requires as
  the sample's does) with `###` subsections, six lists, a four-column table,
  links to five other conditions, to a package and to the evidence page, 10 to
  14 sources (title, publisher, year, url, type; some with a citation, two in
  three opened on the review day) each cited by number, three footnotes, two
  other names and varied review dates. One condition in five
  (`GRADE_WARNING_EVERY`) is written in long sentences of long words, so its
  reading grade is above the target of 7: a warning, which `--strict` would turn
  into an error, so the benchmarks build without it (as they do light pages).
  Packages carry six to nine long known risks, three routes, a day-by-day
  schedule, 10 to 14 sources, three regulatory statuses, three ways to report
  side effects and, for one in three, a trial registration; one in five
  (`SOLD_EVERY`) is sold by the site's made-up publisher, whose unpublished
  facts the build notes and the page lists.

For the other tools each package becomes a Markdown page holding the same text.
Links between pages use each tool's own way of linking to a source file (sitegen
links a package by its site path, `/packages/<id>/`, as packages have no file).
With `real` weight the sources, which sitegen's and Hugo's templates list from
the front matter, are also written as a numbered list at the end of the body for
Pelican and MkDocs, whose plain themes show no front-matter fields.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("sitegen", "pelican", "mkdocs", "hugo")
WEIGHTS = ("light", "real")
REVIEWED = "2026-01-15"
NEXT_REVIEW = "2031-01-15"
LEVELS = ("established", "emerging", "investigational", "not-supported")
LEVEL_TEXT = {
    "established": (
        "Established",
        "Good studies, such as randomised controlled trials, show that the treatment "
        "helps. Guidelines make it part of standard care.",
    ),
    "emerging": (
        "Emerging",
        "Early results from well-designed studies look hopeful. There is not yet enough "
        "evidence for the treatment to be part of standard care.",
    ),
    "investigational": (
        "Investigational",
        "The treatment is still being tested. Evidence comes mainly from small studies "
        "without a comparison group, so its benefits and risks are not known.",
    ),
    "not-supported": (
        "Not supported",
        "Good studies show that the treatment does not help, or that its harms are "
        "greater than its benefits.",
    ),
}
REQUIRED_SECTIONS = [
    "Symptoms",
    "Causes",
    "Diagnosis",
    "Treatment options",
    "What the evidence says",
]
EVIDENCE_PAGE = "how-we-rate-evidence"

ADJECTIVES = [
    "Dry",
    "Cloudy",
    "Swollen",
    "Weak",
    "Thin",
    "Red",
    "Patchy",
    "Slow",
    "Late",
    "Early",
    "Mild",
    "Pale",
]
PARTS = [
    ("retina", "the retina, the thin layer at the back of the eye"),
    ("optic nerve", "the optic nerve, which carries signals from the eye to the brain"),
    ("lens", "the lens, the clear part that helps the eye focus"),
    ("cornea", "the cornea, the clear window at the front of the eye"),
    ("macula", "the macula, the part of the retina used for fine detail"),
    ("eyelid", "the eyelid and the skin around the eye"),
    ("tear gland", "the tear glands, which keep the eye wet"),
    ("eye muscle", "the muscles that move the eye"),
]
KINDS = ["disease", "disorder", "syndrome", "damage", "weakness", "swelling"]

SIGNS = [
    "blurred sight",
    "dry or gritty eyes",
    "pain in or behind the eye",
    "red eyes",
    "rings of light around lamps",
    "trouble reading small print",
    "trouble seeing at night",
    "gaps in what you see",
    "colours that look faded",
    "a dark spot in the middle of what you see",
    "tired eyes at the end of the day",
    "headaches after reading",
    "flashes of light",
    "small dark shapes that float across your sight",
    "eyes that water a lot",
    "double vision",
]
CAUSES = [
    "a change in a gene that runs in the family",
    "an infection",
    "high blood pressure",
    "diabetes",
    "an injury to the eye or the head",
    "getting older",
    "smoking",
    "some medicines taken for a long time",
    "swelling of the nerve",
    "poor blood flow to the eye",
    "a problem with the immune system",
    "too much pressure inside the eye",
]
TESTS = [
    ("Eye chart test", "How well you see at a distance", "About 5 minutes"),
    ("Field test", "Gaps at the edges of your sight", "About 10 minutes"),
    ("OCT scan", "The layers at the back of the eye", "About 10 minutes"),
    ("Pressure test", "The pressure inside the eye", "A few minutes"),
    ("Blood test", "Signs of infection or other illness", "A few minutes"),
    ("MRI scan", "The nerve and the brain", "About 30 minutes"),
    ("Colour test", "How well you tell colours apart", "About 5 minutes"),
    ("Drops to widen the pupil", "A clear view of the retina", "About 30 minutes"),
]
TREATMENTS = [
    "eye drops that you put in each day",
    "glasses or contact lenses",
    "laser treatment in the clinic",
    "an operation on the eye",
    "tablets for a short time",
    "low vision aids, such as a magnifier or large print",
    "support from a sight loss team",
    "steroid medicine to bring down swelling",
    "treating the health problem that caused the damage",
    "stopping smoking and staying active",
    "regular check-ups to see if things change",
]
PEOPLE = ["your eye doctor", "an eye specialist", "your GP", "a nurse at the eye clinic"]

INTRO = [
    "{title} is a condition that affects {part_long}.",
    "It can make it harder to see clearly.",
    "Some people have mild signs. Others find that daily tasks get harder.",
    "This page explains what it is, how it is found and what may help.",
    "It is written for patients and their families.",
    "Ask {person} if you have questions about your own eyes.",
]
SYMPTOM_LEAD = [
    "The signs of {short} can be different for each person.",
    "They often start slowly, so they are easy to miss.",
    "Some people notice them only when one eye is covered.",
    "Common signs include:",
]
SYMPTOM_TAIL = [
    "Signs may get worse over months or years. They may also stay the same for a long time.",
    "Tell {person} if a sign is new or gets worse.",
    "Get help the same day if you have sudden pain or lose sight in one eye.",
    "Keep a note of when each sign started. This helps at your next visit.",
    "Children may not say that something is wrong, so watch for changes in how they read or play.",
]
CAUSE_SENTENCES = [
    "In many people the cause is {cause}.",
    "It can also follow {cause2}.",
    "Sometimes no cause is found.",
    "It is not caught from other people.",
    "The risk is higher if a close relative has had it.",
    "It is more common in people over 60, but it can start at any age.",
    "Damage to {part} can build up over time before you notice it.",
    "Health problems such as {cause3} can make it more likely.",
    "Doctors are still learning why some people get it and others do not.",
    "Looking after your general health may lower the risk of some causes.",
    "It is not your fault if you have this condition.",
]
DIAGNOSIS_LEAD = [
    "{person_cap} will ask about your signs and your health.",
    "They will then look at your eyes and may do some tests.",
    "Most tests do not hurt. Some take a little time.",
    "The table shows tests that are often used.",
]
DIAGNOSIS_TAIL = [
    "You may need more than one visit before the cause is clear.",
    "Tests may be done again later to see if things change.",
    "Bring your glasses and a list of your medicines to each visit.",
    "Drops to widen the pupil can blur your sight for a few hours, so do not drive home.",
    "Ask for the results in writing if that helps you.",
]
TREATMENT_LEAD = [
    "Treatment depends on the cause and on how much sight has been lost.",
    "It aims to protect the sight you still have and to help you live well.",
    "Options may include:",
]
TREATMENT_TAIL = [
    "Sight that has been lost often cannot be brought back.",
    "Every treatment can have side effects. Ask what they are before you start.",
    "Some clinics sell treatments that have not been tested in good trials.",
    "Take your time, and talk to an eye specialist who does not sell the treatment.",
    "Ask how often the treatment helps and how often it causes harm.",
    "Ask what it costs and what the price leaves out.",
    "You can ask for a second opinion at any time.",
]
EVIDENCE_SENTENCES = [
    "The evidence for treatments of {short} is rated {label_lower} on this site.",
    "A large review looked at the studies so far [1].",
    "Guidance from eye doctors sets out the usual care [2].",
    "A newer study looked at how people do over five years [3].",
    "Most studies were small, and some had no comparison group.",
    "Small studies without a comparison group cannot show if a treatment works.",
    "More research is needed before firm advice can be given.",
    "Read how we rate evidence to learn what each label means.",
    "The results may not apply to everyone with this condition.",
]
FOOTNOTES = [
    "Based on the reviews listed below. Your own doctor can tell you more.",
    "This is a summary. Some studies used different tests and words.",
    "The numbers in small studies can change a lot when a larger study is done.",
]
SOURCE_PUBLISHERS = [
    "Journal of Eye Research",
    "National eye health guideline group",
    "Eye Health Review",
    "Clinical Vision Studies",
]
RISKS = [
    "Infection",
    "Bleeding",
    "Headache",
    "Fever",
    "Pain where the needle goes in",
    "Headache after lumbar puncture",
    "Loss of sight in rare cases",
    "Swelling inside the eye",
]


def title_of(n: int) -> str:
    adjective = ADJECTIVES[n % len(ADJECTIVES)]
    part = PARTS[(n // len(ADJECTIVES)) % len(PARTS)][0]
    kind = KINDS[(n // (len(ADJECTIVES) * len(PARTS))) % len(KINDS)]
    return f"{adjective} {part} {kind} {n + 1}"


def slug_of(n: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title_of(n).lower()).strip("-")


def package_id(k: int) -> str:
    return f"eye-programme-{k + 1}"


@dataclass
class Doc:
    """One Markdown document in sitegen's form: front matter and body."""

    section: str  # "conditions" or "pages" (packages: "packages")
    slug: str
    meta: dict
    body: str
    date: str = REVIEWED
    extra: dict = field(default_factory=dict)


@dataclass
class Synthetic:
    site: dict
    conditions: list[Doc]
    pages: list[Doc]
    packages: list[dict]
    weight: str = "light"


class Writer:
    """Picks sentences without repeats inside a section, deterministically."""

    def __init__(self, rng: random.Random, slots: dict[str, str]) -> None:
        self.rng = rng
        self.slots = slots

    def fill(self, template: str) -> str:
        return template.format(**self.slots)

    def some(self, templates: list[str], count: int) -> list[str]:
        return [self.fill(t) for t in self.rng.sample(templates, min(count, len(templates)))]


def condition(n: int, total: int, rng: random.Random) -> Doc:
    title = title_of(n)
    part_short, part_long = PARTS[(n // len(ADJECTIVES)) % len(PARTS)]
    level = LEVELS[n % len(LEVELS)]
    label = LEVEL_TEXT[level][0]
    causes = rng.sample(CAUSES, 3)
    person = rng.choice(PEOPLE)
    slots = {
        "title": title,
        "short": title.lower(),
        "part": f"the {part_short}",
        "part_long": part_long,
        "person": person,
        "person_cap": person[0].upper() + person[1:],
        "cause": causes[0],
        "cause2": causes[1],
        "cause3": causes[2],
        "label_lower": label.lower(),
    }
    w = Writer(rng, slots)
    others = [m for m in rng.sample(range(total), min(total, 4)) if m != n][:3]
    if not others and total > 1:
        others = [(n + 1) % total]
    link = [f"[{title_of(m)}]({slug_of(m)}.md)" for m in others]

    out: list[str] = []
    out.append(" ".join([w.fill(INTRO[0]), *w.some(INTRO[1:], 5)]))
    if link:
        out.append(
            f"It is sometimes confused with {link[0]}. The two have some signs in common, "
            "but the causes and care are not the same."
        )
    out.append("## Symptoms")
    out.append(" ".join(w.fill(t) for t in SYMPTOM_LEAD))
    out.append("\n".join(f"- {s[0].upper()}{s[1:]}" for s in rng.sample(SIGNS, 6)))
    out.append(" ".join(w.some(SYMPTOM_TAIL, 4)))
    out.append("## Causes")
    causes_text = w.some(CAUSE_SENTENCES, 11)
    out.append(" ".join(causes_text[:6]))
    out.append(" ".join(causes_text[6:]))
    out.append("## Diagnosis")
    out.append(" ".join(w.fill(t) for t in DIAGNOSIS_LEAD))
    rows = rng.sample(TESTS, 4)
    table = ["| Test | What it shows | How long it takes |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("\n".join(table))
    out.append(" ".join(w.some(DIAGNOSIS_TAIL, 4)))
    out.append("## Treatment options")
    out.append(" ".join(w.fill(t) for t in TREATMENT_LEAD))
    chosen = rng.sample(TREATMENTS, 5)
    out.append("\n".join(f"{i}. {t[0].upper()}{t[1:]}" for i, t in enumerate(chosen, 1)))
    out.append(" ".join(w.some(TREATMENT_TAIL, 5)) + " [^1]")
    if len(link) > 1:
        out.append(
            f"People with {link[1]} are sometimes offered the same care. "
            "Ask if it fits your own case."
        )
    out.append("## What the evidence says")
    out.append(" ".join(w.some(EVIDENCE_SENTENCES[:4], 4)) + " [^2]")
    tail = " ".join(w.some(EVIDENCE_SENTENCES[4:], 4))
    out.append(f"{tail} See [how we rate evidence](../pages/{EVIDENCE_PAGE}.md).")
    if len(link) > 2:
        out.append(f"You may also want to read about {link[2]}.")
    notes = rng.sample(FOOTNOTES, 2)
    out.append(f"[^1]: {notes[0]}\n[^2]: {notes[1]}")
    body = "\n\n".join(out) + "\n"

    sources = [
        {
            "title": f"A review of {title.lower()}",
            "publisher": SOURCE_PUBLISHERS[n % len(SOURCE_PUBLISHERS)],
            "year": 2015 + n % 10,
            "url": f"https://example.org/reviews/{slug_of(n)}",
        },
        {
            "title": f"Guidance on {part_short} care",
            "publisher": "National eye health guideline group",
            "year": 2022,
            "url": f"https://example.org/guidance/{part_short.replace(' ', '-')}",
        },
        {
            "title": f"Five-year outcomes in {title.lower()}",
            "publisher": "Clinical Vision Studies",
            "year": 2024,
            "citation": f"Clinical Vision Studies 2024;{n % 40 + 1}:{n % 90 + 10}-{n % 90 + 19}",
        },
    ]
    meta = {
        "title": title,
        "summary": f"What {title.lower()} is, its signs and causes, how it is found, "
        "and what care may help.",
        "also_known_as": [f"{title_of(n).rsplit(' ', 1)[0]} type {n % 3 + 1}"],
        "evidence": level,
        "last_reviewed": REVIEWED,
        "next_review": NEXT_REVIEW,
        "reviewed_by": "Benchmark editorial team (synthetic text)",
        "sources": sources,
    }
    return Doc("conditions", slug_of(n), meta, body)


def evidence_page() -> Doc:
    parts = [
        "Each condition and treatment package on this site has an evidence label. "
        "The label tells you how strong the evidence is. It is not advice about what "
        "you should do.",
        "## The labels",
    ]
    for level in LEVELS:
        label, text = LEVEL_TEXT[level]
        parts.append(f"### {label}\n\n{text}")
    parts.append("## Why stories are not evidence")
    parts.append(
        "A story from one patient cannot show if a treatment works. People may get "
        "better for other reasons. Only a fair test with a comparison group can show "
        "how often a treatment helps and how often it harms."
    )
    meta = {
        "title": "How we rate evidence",
        "summary": "What our evidence labels mean.",
        "last_reviewed": REVIEWED,
        "next_review": NEXT_REVIEW,
        "reviewed_by": "Benchmark editorial team (synthetic text)",
    }
    return Doc("pages", EVIDENCE_PAGE, meta, "\n\n".join(parts) + "\n")


def package(k: int, total: int, rng: random.Random) -> dict:
    first = (k * 10) % total
    second = (first + 1 + rng.randrange(max(total - 1, 1))) % total
    slugs = [slug_of(first)] if second == first else [slug_of(first), slug_of(second)]
    days = 8 + k % 10
    return {
        "id": package_id(k),
        "name": f"Eye programme {k + 1}: {days}-day cell treatment for {title_of(first).lower()}",
        "kind": "cell therapy",
        "summary": f"A {days}-day programme of cell injections and rehabilitation. "
        "It is investigational.",
        "conditions": slugs,
        "evidence": "investigational",
        "cells": [{"type": "Mesenchymal cells from cord tissue", "units": 1 + k % 3}],
        "administration": [
            {"route": "Intravenous injection", "times": 1 + k % 3},
            {"route": "Lumbar puncture", "note": "Named by the provider; how often is not stated."},
        ],
        "adjuvant_therapies": ["Rehabilitation therapy", "Eye exercises"],
        "duration_days": days,
        "includes": ["Accommodation for the patient and one family member", "Meals"],
        "known_risks": rng.sample(RISKS, 4),
        "price": {"amount": 9000 + 500 * (k % 20), "currency": "USD"},
        "price_excludes": ["Flights", "Follow-up care at home"],
        "follow_up": "Phone calls after one, three and six months.",
        "regulatory_status": [
            {
                "jurisdiction": "United States",
                "status": "The FDA has not authorised this treatment for eye disease.",
            },
            {
                "jurisdiction": "European Union",
                "status": "No marketing authorisation for this use.",
            },
        ],
        "report_side_effects": [
            {
                "jurisdiction": "United States",
                "how": "Report it to FDA MedWatch.",
                "url": "https://www.fda.gov/safety/medwatch",
            },
            {
                "jurisdiction": "United Kingdom",
                "how": "Report it through the Yellow Card scheme.",
                "url": "https://yellowcard.mhra.gov.uk/",
            },
        ],
        "sources": [
            {
                "title": "Stem cell treatments: what to know",
                "publisher": "US Food and Drug Administration",
                "url": "https://www.fda.gov/consumers/consumer-updates/",
            }
        ],
        "last_reviewed": REVIEWED,
    }


# Pages as heavy as the sample's (--weight real) ---------------------------------

REVIEW_DATES = ("2025-06-02", "2025-09-15", "2025-11-20", "2026-01-15")
GRADE_WARNING_EVERY = 5  # one condition in five is written in long sentences
SOLD_EVERY = 5  # one package in five is sold by the site's own (made-up) publisher
UNPUBLISHED = [  # what the publisher of those has not published, as sitegen words it
    "the country where it is given",
    "the clinic that gives it",
    "the regulator that oversees the clinic",
    "the specification of the cell product",
    "how the cell product is tested",
]
SIGN_DETAILS = [
    "It may come and go at first.",
    "It is often worse in dim light.",
    "It may affect one eye or both.",
    "Many people notice it first when they read.",
    "Covering one eye at a time makes it easier to notice.",
    "It is often mild at first and easy to miss.",
    "It may be worse at the end of the day.",
    "Children may not mention it, so watch how they read and play.",
    "It can make driving at night harder.",
    "Some people notice it only when they change glasses.",
]
URGENT = [
    "**Get help the same day if you have sudden pain in an eye, a red eye with blurred "
    "sight, or sudden loss of sight.**",
    "This needs care on the same day, not at your next routine visit.",
    "Go to an eye casualty unit or call your local emergency number if you cannot reach {person}.",
    "Tell them which eye is affected and when the change started.",
    "Bring your glasses and a list of your medicines with you.",
]
PROGRESSION = [
    "For most people the signs change slowly, over months or years {src}.",
    "In some people they stay the same for a long time.",
    "A few people lose sight faster, often when the cause is not treated {src}.",
    "Regular check-ups show whether things are changing.",
    "Your eye team may compare scans from each visit to see small changes early {src}.",
    "Tell {person} about any new sign between visits.",
]
TEST_DETAILS = [
    "It does not hurt.",
    "Numbing drops are used first.",
    "You may need someone to take you home.",
    "It is often done at the first visit.",
    "It may be repeated at each check-up.",
]
QUESTIONS = [
    "What is causing the change in my sight?",
    "Which tests do I need, and what will they show?",
    "How often should my eyes be checked?",
    "What can I do at home to look after my eyes?",
    "Is it safe for me to drive?",
    "Who can I call if my sight gets worse between visits?",
    "Are there studies I could join, and who runs them?",
]
TREATMENT_DETAILS = [
    "It is often the first thing that is tried {src}.",
    "It is usually offered for a few months at a time, and then checked {src}.",
    "It can help some people keep the sight they still have {src}.",
    "It may need to be repeated if the signs come back {src}.",
    "Your eye team will check how well it works at each visit {src}.",
    "It helps with daily tasks, but it does not change the cause {src}.",
    "Side effects are usually mild, but ask what to look out for {src}.",
]
WITHOUT_TREATMENT = [
    "Without treatment, the signs often get worse over time {src}.",
    "How fast this happens is different for each person.",
    "Some causes get better on their own, but many do not {src}.",
    "Sight that has been lost often cannot be brought back, so it helps to start care early.",
    "Ask {person} what is likely to happen in your case if you choose not to be treated.",
]
SUPPORT = [
    (
        "Eye health charities",
        "They give information and support, and list other groups that can help {src}.",
    ),
    (
        "Sight-loss services",
        "Local services teach new ways to do daily tasks and to move "
        "around safely. Ask your eye clinic how to reach them {src}.",
    ),
    (
        "Registering your sight loss",
        "If your sight loss is severe, an eye specialist can "
        "certify it. You can then choose to be registered, which may give you extra help {src}.",
    ),
    (
        "Your family",
        "Tell close relatives about your condition. They can ask how often to "
        "have their own eyes tested {src}.",
    ),
    (
        "Work and school",
        "Employers and schools can make changes, such as larger screens or "
        "more time, to help you keep working or learning {src}.",
    ),
    (
        "Talking to others",
        "Groups of people with the same condition meet in person and "
        "online. Many people find it helps to share what works for them.",
    ),
]
LIVING = [
    "If your sight has changed, support is available {src}.",
    "Low vision aids, such as magnifiers, large print and good lighting, can help you use "
    "the sight you still have.",
    "Phones and computers can read text aloud.",
    "Rehabilitation services teach new ways to do daily tasks and to move around safely {src}.",
    "Ask {person} how to get this help where you live.",
    "Many people find it helps to talk to others with the same condition.",
]
CLINIC = [
    "These treatments are **investigational**.",
    "This means they are still being tested, and it is not known whether they are safe or "
    "whether they help {src}.",
    "A listing on a trial register does not mean that a regulator has looked at the "
    "treatment {src}.",
    "Ask who runs the study, who pays for it and how the results will be published.",
    "Keep using the care your eye specialist gave you unless they tell you otherwise.",
]
EVIDENCE_LEAD = [
    "Standard care for {short} is described in national guidance {src}.",
    "A large review brought together the studies so far {src}.",
    "Most of the studies were small, and some had no comparison group {src}.",
    "Small studies without a comparison group cannot show if a treatment works.",
    "People in a study may get better for other reasons, such as the natural course of "
    "the condition {src}.",
]
STUDY_KINDS = [
    (
        "A review of {k} studies",
        "It found that the evidence was weak and mostly came from small studies",
    ),
    (
        "A trial with a comparison group",
        "People were given the treatment or a dummy "
        "treatment by chance, and the two groups did about equally well",
    ),
    (
        "A study without a comparison group",
        "Some people reported changes, but without a "
        "comparison group it cannot show what caused them",
    ),
    ("A report on one patient", "A single case cannot show how often a treatment helps or harms"),
    ("A five-year follow-up", "It described how people did over time with standard care"),
    ("A meeting abstract", "It has not been published in full, so its methods cannot be checked"),
]
EVIDENCE_TAIL = [
    "More research is needed before firm advice can be given.",
    "The results may not apply to everyone with this condition.",
    "Studies that report only the people who did well can make a treatment look better "
    "than it is {src}.",
    "A good trial says in advance what it will measure, and publishes its results even "
    "when they are disappointing {src}.",
]
LONG_SENTENCES = [  # for the pages written above the reading grade
    "Investigators who evaluated the published literature concluded that methodological "
    "limitations, including inadequate randomisation, incomplete outcome reporting and "
    "considerable heterogeneity between populations, substantially restrict the "
    "confidence with which any therapeutic recommendation can presently be formulated {src}.",
    "Consequently, ophthalmologists generally recommend continuing established "
    "management, monitoring visual function periodically with standardised "
    "instruments, and considering experimental interventions exclusively within "
    "properly registered and independently supervised clinical investigations {src}.",
    "Although individual practitioners occasionally describe encouraging observations "
    "following unconventional interventions, such anecdotal descriptions inevitably "
    "lack the comparative information necessary for distinguishing genuine therapeutic "
    "consequences from spontaneous fluctuation and measurement variability {src}.",
    "Patients considering participation in commercially organised programmes should "
    "deliberately investigate the regulatory circumstances, the qualifications of the "
    "supervising physicians, the complete financial obligations and the availability of "
    "subsequent medical supervision after returning home {src}.",
    "Characteristic manifestations frequently develop imperceptibly, and individuals "
    "consequently attribute deteriorating visual performance to tiredness, inadequate "
    "illumination or unsuitable spectacles until considerable functional impairment "
    "has accumulated {src}.",
    "Epidemiological investigations have identified numerous contributing circumstances, "
    "including hereditary predisposition, cardiovascular irregularities, metabolic "
    "disorders and particular medications, although their relative importance differs "
    "considerably between populations {src}.",
    "Comprehensive evaluation ordinarily combines a detailed medical history, "
    "examination with specialised optical instruments and, whenever necessary, "
    "complementary imaging investigations that document anatomical abnormalities "
    "and facilitate comparison over subsequent appointments {src}.",
    "Therapeutic decisions necessarily reflect the underlying mechanism, the severity of "
    "existing visual deterioration, coexisting medical conditions and the individual "
    "priorities of each patient, which explains why recommendations occasionally differ "
    "between specialists {src}.",
    "Rehabilitation specialists emphasise that practical adaptations, environmental "
    "modifications and appropriate magnification technology frequently improve everyday "
    "independence considerably, even when the underlying deterioration itself remains "
    "essentially unchanged {src}.",
    "Regulatory authorities repeatedly caution that unauthorised cellular interventions "
    "administered outside registered investigations have occasionally produced serious "
    "complications, including infections, haemorrhage and irreversible deterioration of "
    "vision {src}.",
]
FOOTNOTES_REAL = [
    "Based on the reviews listed below. Your own doctor can tell you more.",
    "This is a summary. Some studies used different tests and words.",
    "The numbers in small studies can change a lot when a larger study is done.",
    "Where the sources disagree, this page gives the view of the national guidance.",
    "Figures are rounded, and they describe groups of people, not any one person.",
]
SOURCE_KINDS = [  # (type, title, publisher)
    ("systematic review", "{Title}: a systematic review of treatments", "Journal of Eye Research"),
    ("guideline", "{Part} conditions: diagnosis and management", "National eye guideline group"),
    ("randomised trial", "A randomised trial of {treatment} in {short}", "Clinical Vision Studies"),
    ("cohort study", "Five-year outcomes in {short}", "Eye Health Review"),
    ("patient information", "{Title}: information for patients", "Eye health charity"),
    ("regulator", "Cell treatments not authorised: what to know", "Medicines regulator"),
    ("professional body", "Statement on cell treatments for eye disease", "College of eye doctors"),
    ("narrative review", "{Title}: current perspectives", "Ophthalmology Today"),
    ("case series", "Cells in {short}: a series of {k} patients", "Regenerative Eye Reports"),
    ("case report", "{Title} after an injection of cells", "Case Reports in Eye Care"),
    ("conference abstract", "Outcomes of {treatment} in {short}", "Eye research meeting"),
    ("trial registration", "Registry record of a study of cells in {short}", "Trial register"),
    ("news", "Clinics selling cell treatments for eye disease", "Health news service"),
    ("other", "How to judge health information", "Consumer health library"),
]
RISKS_REAL = [
    "Injection behind the eye: this can cause bleeding behind the eye, a hole in the "
    "eyeball made by the needle, or injury to the optic nerve. These problems are rare, "
    "but they can be severe.",
    "Lumbar puncture (a needle put into the lower back): this can cause back pain and "
    "headache. About a third of people get a headache afterwards. Bleeding and infection "
    "are rare.",
    "Cells given into a vein: fever for a short time has been linked to this in clinical "
    "trials. Blood clots in the lungs have been reported after cells were given into a "
    "vein.",
    "Contaminated cell products: products contaminated with bacteria can cause serious infections.",
    "Loss of sight: people have lost much of their sight after a clinic injected cells "
    "into their eyes.",
    "Other serious harms: regulators have received reports of blindness, tumours and "
    "infections after cell products that were not authorised.",
    "Unknown long-term effects: no long-term results from controlled studies of this "
    "programme have been published, so its long-term effects are not known.",
    "Cost and travel: you pay for the programme, travel and time away from home. "
    "Problems may start after you return home, far from the team that treated you.",
    "Future trials: having this treatment might affect whether you can join a clinical "
    "trial later. Ask about this before you decide.",
    "Unwanted immune reactions: the body may react against cells that came from another person.",
]
ROUTES = [
    ("Local injection behind the eye (retrobulbar)", None),
    ("Intravenous injection (into a vein)", None),
    (
        "Lumbar puncture (into the fluid around the spinal cord)",
        "Named by the provider as a possible route; how often is not stated.",
    ),
    ("Injection into the eye (intravitreal)", None),
]
INCLUDES = [
    "Physiotherapy and occupational therapy, Monday to Friday",
    "Accommodation for the patient and one family member",
    "General medical services (doctor's visits, examinations, laboratory tests)",
    "International patient services (interpreting, airport transfers, help with visas)",
    "Meals",
    "Eye exercises with a therapist",
]
ADJUVANTS = ["Rehabilitation therapy", "Eye exercises", "Acupuncture", "Vitamin supplements"]


def sentence_case(text: str) -> str:
    return text[0].upper() + text[1:]


class Citer:
    """Numbers for source markers: every source once, in order, then any of them."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.count = count
        self.cited = 0

    def __call__(self) -> str:
        if self.cited < self.count:
            self.cited += 1
            return f"[{self.cited}]"
        return f"[{self.rng.randint(1, self.count)}]"


class RealWriter(Writer):
    """A Writer whose `{src}` marks become numbered source markers. On a page written
    in long sentences its paragraphs join their sentences in threes, and `dense` gives
    long sentences of long words (elsewhere nothing)."""

    def __init__(self, rng: random.Random, slots: dict[str, str], cite: Citer, long: bool):
        super().__init__(rng, slots)
        self.cite = cite
        self.long = long
        self.dense_left = rng.sample(LONG_SENTENCES, len(LONG_SENTENCES)) if long else []

    def dense(self, count: int = 2) -> list[str]:
        taken, self.dense_left = self.dense_left[:count], self.dense_left[count:]
        return [self.fill(t) for t in taken]

    def fill(self, template: str) -> str:
        while "{src}" in template:
            template = template.replace("{src}", self.cite(), 1)
        return template.format(**self.slots)

    def cited(self, template: str) -> str:
        """The sentence with a source marker before its closing mark."""
        sentence = self.fill(template)
        return f"{sentence[:-1]} {self.cite()}{sentence[-1]}"

    def paragraph(self, sentences: list[str]) -> str:
        if not self.long:
            return " ".join(sentences)
        joined = []
        for start in range(0, len(sentences), 3):
            group = [s.rstrip(".") for s in sentences[start : start + 3]]
            rest = [s[0].lower() + s[1:] if s[1:2].islower() else s for s in group[1:]]
            joined.append(", and ".join([group[0], *rest]) + ".")
        return " ".join(joined)


def real_sources(stem: str, reviewed: str, rng: random.Random, slots: dict[str, str]) -> list[dict]:
    """Ten to fourteen sources of the kinds a real page cites (`stem`: for their URLs),
    two in three opened by the editor on the day of the page's review."""
    count = 10 + rng.randrange(5)
    kinds = rng.sample(SOURCE_KINDS, count)
    sources = []
    for i, (kind, title, publisher) in enumerate(kinds, 1):
        year = 2005 + rng.randrange(21)
        source = {
            "title": title.format(**slots, k=5 + rng.randrange(40)),
            "publisher": publisher,
            "year": year,
            "url": f"https://example.org/{kind.replace(' ', '-')}/{stem}-{i}",
            "type": kind,
        }
        if i % 2:
            source["citation"] = (
                f"{publisher} {year};{rng.randrange(1, 60)}:{rng.randrange(10, 900)}. "
                f"doi:10.5555/bench.{stem}.{i}"
            )
        if i % 3:
            source["accessed"] = reviewed
        sources.append(source)
    return sources


def real_condition(n: int, total: int, packages: int, rng: random.Random) -> Doc:
    """A condition shaped like the sample's: ~1,300 words under the five required
    sections and their subsections, lists, a table, links to other conditions and to
    a package, 10 to 14 sources cited by number, three footnotes; one page in
    GRADE_WARNING_EVERY is written in long sentences, above the reading grade."""
    title = title_of(n)
    part_short, part_long = PARTS[(n // len(ADJECTIVES)) % len(PARTS)]
    level = LEVELS[n % len(LEVELS)]
    label = LEVEL_TEXT[level][0]
    causes = rng.sample(CAUSES, 3)
    person = rng.choice(PEOPLE)
    treatments = rng.sample(TREATMENTS, 5)
    aka = [f"{title.rsplit(' ', 1)[0]} type {n % 3 + 1}", f"{part_short} {KINDS[n % 6]} {n + 1}"]
    slots = {
        "title": title,
        "Title": title,
        "short": title.lower(),
        "part": f"the {part_short}",
        "Part": sentence_case(part_short),
        "part_long": part_long,
        "person": person,
        "person_cap": sentence_case(person),
        "cause": causes[0],
        "cause2": causes[1],
        "cause3": causes[2],
        "label_lower": label.lower(),
        "aka": aka[0].lower(),
        "treatment": treatments[0].split(" that ")[0],
    }
    reviewed = REVIEW_DATES[n % len(REVIEW_DATES)]
    sources = real_sources(slug_of(n), reviewed, rng, slots)
    long = n % GRADE_WARNING_EVERY == GRADE_WARNING_EVERY - 1
    w = RealWriter(rng, slots, Citer(rng, len(sources)), long)
    others = [m for m in rng.sample(range(total), min(total, 6)) if m != n][:5]
    while len(others) < 5 and total > 1:
        others.append(others[-1] if others else (n + 1) % total)
    link = [f"[{title_of(m).lower()}]({slug_of(m)}.md)" for m in others]
    pkg = (n // 10) % packages
    pkg_link = f"[eye programme {pkg + 1}](../packages/{package_id(pkg)}.md)"

    out: list[str] = []

    def dense() -> None:
        if long:
            out.append(" ".join(w.dense()))

    out.append(w.paragraph([w.cited(INTRO[0]), *w.some(INTRO[1:], 4)]))
    if link:
        out.append(
            w.paragraph(
                [
                    f"It is sometimes confused with {link[0]} {w.cite()}.",
                    "The two have some signs in common, but the causes and the care are "
                    "not the same.",
                    f"Doctors sometimes call it {slots['aka']}.",
                ]
            )
        )
    out.append("## Symptoms")
    out.append(w.paragraph([*map(w.fill, SYMPTOM_LEAD[:3]), w.cited(SYMPTOM_LEAD[3])]))
    signs = rng.sample(SIGNS, 6)
    out.append("\n".join(f"- **{sentence_case(s)}.** {rng.choice(SIGN_DETAILS)}" for s in signs))
    out.append(w.paragraph(w.some(SYMPTOM_TAIL, 3)) + " [^1]")
    dense()
    out.append("### When to get help straight away")
    out.append(w.paragraph([w.fill(URGENT[0]), *w.some(URGENT[1:], 2)]))
    out.append("## Causes")
    cause_text = w.some(CAUSE_SENTENCES, 8)
    out.append(w.paragraph([*cause_text[:4], f"Known causes are listed in reviews {w.cite()}."]))
    out.append(f"Things that make it more likely include {w.cite()}:")
    out.append("\n".join(f"- {sentence_case(c)}" for c in rng.sample(CAUSES, 5)))
    out.append(w.paragraph(cause_text[4:]))
    dense()
    out.append("### How it changes over time")
    out.append(w.paragraph(w.some(PROGRESSION, 4)))
    out.append("## Diagnosis")
    out.append(w.paragraph([*map(w.fill, DIAGNOSIS_LEAD[:3]), w.cited(DIAGNOSIS_LEAD[3])]))
    table = ["| Test | What it shows | How long it takes | What to expect |"]
    table.append("|---|---|---|---|")
    for name, shows, takes in rng.sample(TESTS, 5):
        table.append(f"| {name} | {shows} | {takes} | {rng.choice(TEST_DETAILS)} |")
    out.append("\n".join(table))
    out.append(w.paragraph(w.some(DIAGNOSIS_TAIL, 3)))
    dense()
    out.append("### Questions to ask at your visit")
    out.append("\n".join(f"- {q}" for q in rng.sample(QUESTIONS, 4)))
    out.append("## Treatment options")
    out.append(w.paragraph([w.fill(t) for t in TREATMENT_LEAD]))
    details = rng.sample(TREATMENT_DETAILS, 5)
    out.append(
        "\n".join(
            f"{i}. **{sentence_case(t)}.** {w.fill(d)}"
            for i, (t, d) in enumerate(zip(treatments, details, strict=True), 1)
        )
    )
    out.append(w.paragraph(w.some(TREATMENT_TAIL, 4)))
    dense()
    if len(link) > 1:
        out.append(
            f"People with {link[1]} are sometimes offered the same care {w.cite()}. "
            "Ask if it fits your own case."
        )
    out.append("### Without treatment")
    out.append(w.paragraph(w.some(WITHOUT_TREATMENT, 3)))
    out.append("### Daily life")
    out.append(w.paragraph(w.some(LIVING, 4)))
    if len(link) > 2:
        other = others[2]
        out.append(
            f"See also [help with low vision on the page about {title_of(other).lower()}]"
            f"({slug_of(other)}.md)."
        )
    out.append("### Treatments sold by clinics")
    out.append(
        w.paragraph(
            [
                f"Some clinics sell cell treatments for {slots['short']} {w.cite()}.",
                f"One example is {pkg_link}, described on this site.",
                *(w.fill(t) for t in CLINIC),
            ]
        )
    )
    out.append("## What the evidence says")
    out.append(
        w.paragraph(
            [
                f"Treatments of {slots['short']} are rated **{label}** on this site.",
                *w.some(EVIDENCE_LEAD, 4),
            ]
        )
        + " [^2]"
    )
    out.append("### The studies so far")
    studies = []
    for lead, finding in rng.sample(STUDY_KINDS, 3):
        year = 2008 + rng.randrange(18)
        head = lead.format(k=4 + rng.randrange(30))
        studies.append(f"- **{head} ({year}).** {finding} {w.cite()}.")
    out.append("\n".join(studies))
    dense()
    tail = w.paragraph(w.some(EVIDENCE_TAIL, 3))
    out.append(f"{tail} See [how we rate evidence](../pages/{EVIDENCE_PAGE}.md). [^3]")
    if len(link) > 3:
        out.append(f"You may also want to read about {link[3]} and {link[4]}.")
    out.append("## Support")
    out.append("\n".join(f"- **{lead}.** {w.fill(text)}" for lead, text in rng.sample(SUPPORT, 4)))
    notes = rng.sample(FOOTNOTES_REAL, 3)
    out.append("\n".join(f"[^{i}]: {note}" for i, note in enumerate(notes, 1)))
    body = "\n\n".join(out) + "\n"

    meta = {
        "title": title,
        "summary": f"What {title.lower()} is, its signs and causes, how it is found, "
        "what care may help, and what the studies of each treatment show.",
        "also_known_as": aka,
        "evidence": level,
        "last_reviewed": reviewed,
        "next_review": NEXT_REVIEW,
        "reviewed_by": "Benchmark editorial team (synthetic text, not a clinician review)",
        "sources": sources,
    }
    return Doc("conditions", slug_of(n), meta, body)


def schedule(days: int, routes: list[str]) -> list[dict]:
    """A day-by-day plan: tests, a cell treatment by each route, therapy, discharge."""
    plan = [{"day": 1, "what": "Arrival, examinations and blood tests"}]
    for step, route in enumerate(routes):
        plan.append({"day": 2 + 2 * step, "what": f"Cell treatment: {route.lower()}"})
        plan.append({"day": 3 + 2 * step, "what": "Rehabilitation therapy and a check-up"})
    plan.append({"day": days, "what": "Final examination and discharge"})
    return plan


def real_package(k: int, total: int, rng: random.Random) -> dict:
    """A package shaped like the sample's: long known risks, ten to fourteen sources,
    three routes, a schedule, regulatory status and side-effect reporting for three
    places; one in SOLD_EVERY is sold by the site's publisher, who leaves the facts in
    UNPUBLISHED out (each a note in the build, a line on the page)."""
    pkg = package(k, total, rng)
    slots = {
        "Title": title_of(k * 10 % total),
        "short": title_of(k * 10 % total).lower(),
        "Part": "Eye",
        "treatment": "cell injections",
    }
    routes = rng.sample(ROUTES, 3)
    pkg |= {
        "cells": [
            {"type": "Umbilical cord blood cells", "units": 1 + k % 3},
            {"type": "Mesenchymal cells from cord tissue", "units": 1 + (k + 1) % 3},
        ],
        "administration": [
            {"route": route, "note": note} if note else {"route": route, "times": 1 + k % 3}
            for route, note in routes
        ],
        "adjuvant_therapies": rng.sample(ADJUVANTS, 3),
        "includes": rng.sample(INCLUDES, 5),
        "known_risks": rng.sample(RISKS_REAL, 6 + k % 4),
        "price_excludes": ["Flights", "Visas", "Follow-up care at home"],
        "schedule": schedule(pkg["duration_days"], [route for route, _ in routes]),
        "eyes_treated": "Both eyes" if k % 2 else "The eye with the worse sight",
        "treated_by": "An eye specialist and a nurse from the clinic's own team",
    }
    if k % SOLD_EVERY == 0:
        pkg["sold_by_publisher"] = True
    if k % 3 == 0:
        pkg["trial_registration"] = {
            "registry": "ClinicalTrials.gov",
            "identifier": f"NCT0{3000000 + k:07d}",
        }
    pkg["regulatory_status"] = [
        *pkg["regulatory_status"],
        {
            "jurisdiction": "Country where the programme is given",
            "status": "Not stated by the provider. Ask which regulator oversees the clinic.",
        },
    ]
    pkg["report_side_effects"] = [
        *pkg["report_side_effects"],
        {
            "jurisdiction": "Anywhere",
            "how": "Tell the clinic and your own eye specialist, and keep copies of your records.",
        },
    ]
    pkg["sources"] = real_sources(package_id(k), REVIEWED, rng, slots)
    pkg["last_reviewed"] = pkg.pop("last_reviewed")
    return pkg


def site_config(weight: str = "light") -> dict:
    """The bench site's settings; with `real` weight as the sample's: a Support section
    is required, the reading grade target is 7, and the publisher sells some packages."""
    config = {
        "title": "Synthetic Eye Health Information",
        "base_url": "https://example.org/",
        "language": "en",
        "description": "A synthetic site of plain-language eye health pages, made for speed tests.",
        "publisher": "The sitegen benchmark",
        "review_interval_months": 60,
        "navigation": [
            {"title": "Home", "url": "/"},
            {"title": "Conditions", "url": "/conditions/"},
            {"title": "Treatment packages", "url": "/packages/"},
            {"title": "How we rate evidence", "url": f"/{EVIDENCE_PAGE}/"},
        ],
        "contact": {"email": "info@example.org"},
        "disclosure": {
            "financial_interest": "This synthetic site sells nothing. Its text is made up.",
            "advertising_policy": "This site carries no advertising.",
        },
        "disclaimer": (
            "Each page shows how strong the evidence is for the treatments it talks about. "
            "Investigational treatments have not been shown to be safe and effective in "
            "controlled trials. This site gives information, not medical advice: please "
            "talk about your options with a qualified eye specialist.\n"
        ),
        "disclaimer_short": (
            "Investigational treatments are not approved by regulators. "
            "This is information, not medical advice."
        ),
        "evidence_levels": [
            {"id": level, "label": LEVEL_TEXT[level][0], "explanation": LEVEL_TEXT[level][1]}
            for level in LEVELS
        ],
        "required_sections": REQUIRED_SECTIONS,
    }
    if weight == "real":
        config["required_sections"] = [*REQUIRED_SECTIONS, "Support"]
        config["reading_grade_target"] = 7
        config["disclosure"] = {
            "financial_interest": "The made-up publisher of this synthetic site sells one "
            "treatment package in five; each of those says so on its page. Its text is "
            "made up.",
            "advertising_policy": "This site carries no advertising.",
        }
    return config


def make(pages: int, seed: int = 1, weight: str = "light") -> Synthetic:
    """The whole synthetic site in memory; the same for the same (pages, seed, weight)."""
    if pages < 1:
        raise ValueError("--pages must be at least 1")
    if weight not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; expected one of {', '.join(WEIGHTS)}")
    count = max(1, pages // 10)
    if weight == "real":
        conditions = [
            real_condition(n, pages, count, random.Random(f"{seed}:c:{n}")) for n in range(pages)
        ]
        packages = [real_package(k, pages, random.Random(f"{seed}:p:{k}")) for k in range(count)]
    else:
        conditions = [condition(n, pages, random.Random(f"{seed}:c:{n}")) for n in range(pages)]
        packages = [package(k, pages, random.Random(f"{seed}:p:{k}")) for k in range(count)]
    return Synthetic(site_config(weight), conditions, [evidence_page()], packages, weight)


def package_doc(pkg: dict, weight: str = "light") -> Doc:
    """A package as a Markdown page, for the tools without a catalogue (with `real`
    weight, also its trial registration, follow-up and sources, as sitegen shows them)."""
    lines = [pkg["summary"], "", "## What it includes", ""]
    lines += [f"- Cells: {c['type']}, {c['units']} units" for c in pkg["cells"]]
    for a in pkg["administration"]:
        how = f"{a['times']} times" if "times" in a else a["note"]
        lines.append(f"- {a['route']}: {how}")
    lines += [f"- {item}" for item in pkg["includes"] + pkg["adjuvant_therapies"]]
    lines += [f"- Duration: {pkg['duration_days']} days", ""]
    lines += ["## Known risks", ""] + [f"- {r}" for r in pkg["known_risks"]] + [""]
    lines += ["## Regulatory status", "", "| Where | Status |", "|---|---|"]
    lines += [f"| {r['jurisdiction']} | {r['status']} |" for r in pkg["regulatory_status"]]
    lines += ["", "## Reporting side effects", ""]
    lines += [f"- {r['jurisdiction']}: {r['how']}" for r in pkg["report_side_effects"]]
    lines += ["", "## Conditions", ""]
    lines += [f"- [{s}](../conditions/{s}.md)" for s in pkg["conditions"]]
    price = pkg["price"]
    lines += ["", f"Price: {price['amount']} {price['currency']}, without "]
    lines[-1] += ", ".join(x.lower() for x in pkg["price_excludes"]) + "."
    meta = {"title": pkg["name"], "summary": pkg["summary"], "last_reviewed": REVIEWED}
    if weight == "real":
        trial = pkg.get("trial_registration")
        registered = f"{trial['registry']} {trial['identifier']}" if trial else "none given"
        lines += ["", f"Trial registration: {registered}.", "", f"Follow-up: {pkg['follow_up']}"]
        lines += ["", f"Eyes treated: {pkg['eyes_treated']}. Given by: {pkg['treated_by']}."]
        lines += ["", "## Day by day", ""]
        lines += [f"- Day {item['day']}: {item['what']}" for item in pkg["schedule"]]
        if pkg.get("sold_by_publisher"):
            lines += ["", "## What the seller has not published", ""]
            lines += ["The publisher of this site sells this package and has not published:"]
            lines += [""] + [f"- {words}" for words in UNPUBLISHED]
        meta["sources"] = pkg["sources"]
    return Doc("packages", pkg["id"], meta, "\n".join(lines) + "\n")


def sources_section(sources: list[dict]) -> str:
    """Sources as a numbered Markdown list, for the tools whose plain theme shows none
    from the front matter (Pelican, MkDocs)."""
    items = []
    for number, source in enumerate(sources, 1):
        details = [str(source[k]) for k in ("publisher", "year", "citation") if k in source]
        items.append(f"{number}. {source['title']}. {'. '.join(details)}. {source['url']}")
    return "\n## Sources\n\n" + "\n".join(items) + "\n"


def body_for_themes_without_sources(s: Synthetic, doc: Doc) -> str:
    """The body, and with `real` weight its sources after it."""
    if s.weight == "real" and doc.meta.get("sources"):
        return doc.body + sources_section(doc.meta["sources"])
    return doc.body


def dump_yaml(data: object) -> str:
    import yaml  # here, so that bench/compare can import this file without PyYAML

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def front_matter(meta: dict, body: str) -> str:
    return f"---\n{dump_yaml(meta)}---\n{body}"


LINK = re.compile(r"\]\(((?:\.\./[a-z]+/)?[a-z0-9-]+\.md)\)")


def relink(body: str, to: Callable[[str], str]) -> str:
    return LINK.sub(lambda m: f"]({to(m.group(1))})", body)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def all_docs(s: Synthetic) -> list[Doc]:
    return s.conditions + s.pages + [package_doc(p, s.weight) for p in s.packages]


PACKAGE_LINK = re.compile(r"\]\(\.\./packages/([a-z0-9-]+)\.md\)")


def write_sitegen(s: Synthetic, out: Path) -> None:
    write(out / "site.yaml", dump_yaml(s.site))
    for doc in s.conditions + s.pages:
        body = PACKAGE_LINK.sub(r"](/packages/\1/)", doc.body)  # packages have no file
        write(out / doc.section / f"{doc.slug}.md", front_matter(doc.meta, body))
    write(out / "packages.yaml", dump_yaml({"packages": s.packages}))


def write_pelican(s: Synthetic, out: Path) -> None:
    menu = ", ".join(
        f'("{item["title"]}", "{item["url"].strip("/") or "."}")'
        for item in s.site["navigation"][1:]
    )
    config = f'''\
# Pelican settings for the sitegen benchmark (the plainest built-in theme).
# Like sitegen's, the menu holds a few links, not every page: with the default
# DISPLAY_PAGES_ON_MENU = True each of N pages would list all N/10 packages.
AUTHOR = "Benchmark"
SITENAME = "{s.site["title"]}"
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["conditions"]
PAGE_PATHS = ["pages", "packages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
RELATIVE_URLS = True
DEFAULT_PAGINATION = False
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
MENUITEMS = [{menu}]
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
'''
    write(out / "pelicanconf.py", config)
    for doc in all_docs(s):
        meta = {
            "Title": doc.meta["title"],
            "Date": doc.date,
            "Slug": doc.slug,
            "Summary": doc.meta["summary"],
        }
        if doc.section == "conditions":
            meta["Category"] = "Conditions"
            meta["Evidence"] = doc.meta["evidence"]
        header = "".join(f"{k}: {v}\n" for k, v in meta.items())
        body = relink(body_for_themes_without_sources(s, doc), lambda t: "{filename}" + t)
        write(out / "content" / doc.section / f"{doc.slug}.md", f"{header}\n{body}")


def write_mkdocs(s: Synthetic, out: Path) -> None:
    config = {
        "site_name": s.site["title"],
        "site_url": s.site["base_url"],
        "nav": [{"Home": "index.md"}],
        "markdown_extensions": ["tables", "footnotes", "toc"],
    }
    write(out / "mkdocs.yml", dump_yaml(config))
    index = f"# {s.site['title']}\n\n{s.site['description']}\n"
    write(out / "docs" / "index.md", index)
    for doc in all_docs(s):
        body = body_for_themes_without_sources(s, doc)
        text = front_matter(doc.meta, f"# {doc.meta['title']}\n\n{body}")
        write(out / "docs" / doc.section / f"{doc.slug}.md", text)


HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body>
<nav>{{ range site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a> {{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.evidence }}<p>Evidence: {{ . }}</p>{{ end }}
{{ .Content }}
{{ with .Params.sources }}<h2>Sources</h2><ol>{{ range . }}
<li>{{ .title }}{{ with .publisher }}, {{ . }}{{ end }}
{{ with .url }} <a href="{{ . }}">{{ . }}</a>{{ end }}</li>{{ end }}</ol>{{ end }}
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Params.summary }}</li>{{ end }}</ul>
{{ end }}
""",
}


def write_hugo(s: Synthetic, out: Path) -> None:
    menu = "".join(
        f'[[menus.main]]\nname = "{item["title"]}"\nurl = "{item["url"]}"\nweight = {i}\n\n'
        for i, item in enumerate(s.site["navigation"], 1)
    )
    config = f'''\
baseURL = "{s.site["base_url"]}"
title = "{s.site["title"]}"
disableKinds = ["taxonomy", "term", "rss"]

{menu}'''
    write(out / "hugo.toml", config)
    for name, text in HUGO_LAYOUTS.items():
        write(out / "layouts" / name, text)
    write(out / "content" / "_index.md", f"---\ntitle: Home\n---\n{s.site['description']}\n")
    for section in ("conditions", "packages"):
        write(out / "content" / section / "_index.md", f"---\ntitle: {section.title()}\n---\n")

    def ref(target: str) -> str:
        folder = "conditions" if "/" not in target else target.split("/")[1]
        return '{{< relref "/' + folder + "/" + target.rsplit("/", 1)[-1] + '" >}}'

    for doc in all_docs(s):
        meta = {**doc.meta, "date": doc.date}
        body = doc.body
        if doc.section == "packages":
            body = body.replace("](../conditions/", "](")
        text = front_matter(meta, relink(body, ref))
        write(out / "content" / doc.section / f"{doc.slug}.md", text)


WRITERS = {
    "sitegen": write_sitegen,
    "pelican": write_pelican,
    "mkdocs": write_mkdocs,
    "hugo": write_hugo,
}


def condition_file(out: Path, fmt: str, slug: str) -> Path:
    """Where one condition's Markdown lives in a generated folder of the given format."""
    base = {"sitegen": out, "pelican": out / "content", "mkdocs": out / "docs"}
    return base.get(fmt, out / "content") / "conditions" / f"{slug}.md"


def edit_condition(out: Path, fmt: str, n: int, text: str) -> Path:
    """Edit the body of condition n: insert a paragraph before its last section."""
    path = condition_file(out, fmt, slug_of(n))
    source = path.read_text(encoding="utf-8")
    marker = "\n## What the evidence says"
    if marker not in source:
        raise ValueError(f"{path}: no '## What the evidence says' section to edit before")
    path.write_text(source.replace(marker, f"\n{text}\n{marker}", 1), encoding="utf-8")
    return path


def generate(
    pages: int, out: Path, fmt: str = "sitegen", seed: int = 1, weight: str = "light"
) -> Synthetic:
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    synthetic = make(pages, seed, weight)
    WRITERS[fmt](synthetic, out)
    return synthetic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True, help="number of conditions")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--format", choices=FORMATS, default="sitegen")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--weight",
        choices=WEIGHTS,
        default="light",
        help="light: ~750-word conditions with 3 sources; real: as heavy as the sample's",
    )
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        if not args.force:
            print(f"generate: {args.out} exists and is not empty (use --force)", file=sys.stderr)
            return 2
        shutil.rmtree(args.out)
    synthetic = generate(args.pages, args.out, args.format, args.seed, args.weight)
    print(
        f"Wrote {len(synthetic.conditions)} {args.weight} conditions and "
        f"{len(synthetic.packages)} packages ({args.format}) into {args.out}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
