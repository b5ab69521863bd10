"""Generate a synthetic health-information site for the speed benchmarks.

    python bench/generate.py --pages N --out DIR [--format sitegen|pelican|mkdocs|hugo]

N conditions of about 750 words each (the five required `##` sections, a list,
a table, links to other conditions, numbered source markers and Markdown
footnotes) and a catalogue of N/10 treatment packages, written in the layout of
one tool. The text is the same for every tool and depends only on N and
`--seed`: no network, no clock.

- sitegen: DIR is a content folder (site.yaml, pages/, conditions/, packages.yaml)
  that builds with `python build.py build --strict --content DIR --out SITE`.
- pelican: DIR/pelicanconf.py and DIR/content/ (Markdown with `Title:`/`Date:`
  metadata; conditions are articles, the rest pages).
- mkdocs: DIR/mkdocs.yml (a one-entry nav) and DIR/docs/.
- hugo: DIR/hugo.toml, DIR/content/ (YAML front matter) and the plainest
  layout templates in DIR/layouts/ (no theme).

For the other tools each package becomes a Markdown page holding the same text.
Links between pages use each tool's own way of linking to a source file.
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


def site_config() -> dict:
    return {
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
        "evidence_levels": [
            {"id": level, "label": LEVEL_TEXT[level][0], "explanation": LEVEL_TEXT[level][1]}
            for level in LEVELS
        ],
        "required_sections": REQUIRED_SECTIONS,
    }


def make(pages: int, seed: int = 1) -> Synthetic:
    """The whole synthetic site in memory; the same for the same (pages, seed)."""
    if pages < 1:
        raise ValueError("--pages must be at least 1")
    conditions = [condition(n, pages, random.Random(f"{seed}:c:{n}")) for n in range(pages)]
    packages = [
        package(k, pages, random.Random(f"{seed}:p:{k}")) for k in range(max(1, pages // 10))
    ]
    return Synthetic(site_config(), conditions, [evidence_page()], packages)


def package_doc(pkg: dict) -> Doc:
    """A package as a Markdown page, for the tools without a catalogue."""
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
    return Doc("packages", pkg["id"], meta, "\n".join(lines) + "\n")


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
    return s.conditions + s.pages + [package_doc(p) for p in s.packages]


def write_sitegen(s: Synthetic, out: Path) -> None:
    write(out / "site.yaml", dump_yaml(s.site))
    for doc in s.conditions + s.pages:
        write(out / doc.section / f"{doc.slug}.md", front_matter(doc.meta, doc.body))
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
        body = relink(doc.body, lambda target: "{filename}" + target)
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
        text = front_matter(doc.meta, f"# {doc.meta['title']}\n\n{doc.body}")
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


def generate(pages: int, out: Path, fmt: str = "sitegen", seed: int = 1) -> Synthetic:
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    synthetic = make(pages, seed)
    WRITERS[fmt](synthetic, out)
    return synthetic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True, help="number of conditions")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--format", choices=FORMATS, default="sitegen")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        if not args.force:
            print(f"generate: {args.out} exists and is not empty (use --force)", file=sys.stderr)
            return 2
        shutil.rmtree(args.out)
    synthetic = generate(args.pages, args.out, args.format, args.seed)
    print(
        f"Wrote {len(synthetic.conditions)} conditions and {len(synthetic.packages)} "
        f"packages ({args.format}) into {args.out}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
