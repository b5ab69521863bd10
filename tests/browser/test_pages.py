"""Every page of the sample site, opened in headless Chromium: accessible, private, readable."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import dump, sample_urls, violations_report

URLS = sample_urls()
SCREENS = ("light", "dark", "more-contrast")


def test_the_sample_site_has_pages():
    assert len(URLS) >= 10, URLS


@pytest.mark.parametrize("url", URLS)
def test_axe_finds_no_wcag_violations(visit, url):
    page = visit(url)
    for scheme in ("light", "dark"):
        assert page.axe[scheme] == [], f"{scheme}:\n{violations_report(page.axe[scheme])}"


@pytest.mark.parametrize("url", URLS)
def test_no_request_leaves_the_origin_and_none_fails(visit, served, url):
    page = visit(url)
    assert page.requests, "no request was recorded"
    elsewhere = [r for r in page.requests if not r.startswith(served.origin + "/")]
    assert elsewhere == []
    assert page.failed_requests == []
    assert page.bad_responses == []


@pytest.mark.parametrize("url", URLS)
def test_no_console_errors(visit, url):
    page = visit(url)
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.page_errors == []


@pytest.mark.parametrize("url", URLS)
def test_no_javascript_is_needed(visit, url):
    page = visit(url)
    assert page.without_javascript["disclaimer_visible"]
    assert page.without_javascript["main_text"] == page.main_text


@pytest.mark.parametrize("url", URLS)
def test_no_cookies_or_storage(visit, url):
    page = visit(url)
    assert page.cookies == []
    assert page.storage == {
        "cookie": "",
        "localStorage": 0,
        "sessionStorage": 0,
        "indexedDB": 0,
        "caches": 0,
        "serviceWorkers": 0,
    }


@pytest.mark.parametrize("url", URLS)
def test_reflows_at_320_px_without_horizontal_scrolling(visit, url):
    facts = visit(url).facts["320"]
    assert facts["viewportWidth"] == 320
    assert facts["scrollWidth"] <= 320, f"wider than the screen: {facts['overflowing']}"
    assert facts["overflowing"] == []
    assert facts["clipped"] == []


@pytest.mark.parametrize("url", URLS)
def test_no_horizontal_scrolling_at_any_width(visit, url):
    page = visit(url)
    facts = page.facts["light"]
    assert facts["scrollWidth"] <= facts["viewportWidth"], facts["overflowing"]
    assert page.scroll_widths == {1024: 1024, 768: 768, 480: 480}


@pytest.mark.parametrize("url", URLS)
def test_text_zoomed_to_200_percent_stays_usable(visit, url):
    page = visit(url)
    normal, zoomed = page.facts["light"], page.facts["zoom-1280"]
    assert zoomed["bodyFontSize"] == pytest.approx(2 * normal["bodyFontSize"])
    for condition in ("zoom-1280", "zoom-640"):
        facts = page.facts[condition]
        assert facts["scrollWidth"] <= facts["viewportWidth"], (condition, facts["overflowing"])
        assert facts["clipped"] == [], condition


# What the disclaimer says, and the names of its two parts (the key facts, their link to
# the full statement, the full statement), in each language of the sample site.
LANGUAGE_WORDS = {
    "en": (("Key facts", "Full statement", "About this information"),
           "have not been shown to be safe and effective", "not medical advice"),
    "es": (("Datos clave", "Aviso completo", "Sobre esta información"),
           "no han demostrado ser seguros y eficaces", "no consejo médico"),
    "ar": (("حقائق أساسية", "البيان الكامل", "عن هذه المعلومات"), "آمنة وفعالة", "ليس نصيحة طبية"),
}  # fmt: skip


def language_of(url: str) -> str:
    first = url.partition("/")[0]
    return first if first in LANGUAGE_WORDS else "en"


@pytest.mark.parametrize("url", URLS)
def test_disclaimer_is_visible_early_and_in_full_at_the_end(visit, url):
    page = visit(url)
    names, not_shown_safe, not_advice = LANGUAGE_WORDS[language_of(url)]
    key_facts, full_statement, about = names
    for condition in ("light", "dark", "320"):
        block = page.facts[condition]["disclaimer"]
        assert block is not None, "no key facts (.disclaimer-short)"
        assert block["shown"], condition
        assert block["height"] > 40, condition
        assert block["left"] >= 0 and block["right"] <= page.facts[condition]["viewportWidth"]
        # In the reading order: right after the page's heading, before the content.
        assert block["inMain"] and block["afterH1"] and block["beforeContent"], block
        assert not_advice in block["text"]
        full = page.facts[condition]["disclaimerFull"]
        assert full is not None, "no full disclaimer (.disclaimer-full)"
        assert full["shown"] and full["inMain"] and full["last"], (condition, full)
        assert not_shown_safe in full["text"]
    # On a desktop screen the key facts are in the first screenful.
    assert page.facts["light"]["disclaimer"]["top"] < 900
    # Exposed to assistive technology as two named regions, with their words.
    snapshot = page.aria
    for name in (key_facts, about):
        assert re.search(rf'^\s*- region "{name}":', snapshot, re.M), snapshot[:2000]
    short = snapshot.split(f'region "{key_facts}":', 1)[1].split("- region", 1)[0]
    assert not_advice in " ".join(short.split())
    assert re.search(rf'link "{full_statement}"', short), short
    full = " ".join(snapshot.split(f'region "{about}":', 1)[1].split())
    assert not_shown_safe in full
    assert not_advice in full


@pytest.mark.parametrize("url", URLS)
def test_landmarks_one_h1_and_unbroken_heading_order(visit, url):
    page = visit(url)
    snapshot = page.aria
    main_menu = {"en": "Main", "es": "Principal", "ar": "التنقل الرئيسي"}[language_of(url)]
    for landmark in ("- banner:", f'- navigation "{main_menu}":', "- main:", "- contentinfo:"):
        assert snapshot.count(landmark) == 1, landmark
    facts = page.facts["light"]
    assert facts["h1Count"] == 1
    levels = [level for level, _ in facts["headings"]]
    assert levels[0] == 1, facts["headings"]
    for (before, _), (level, text) in zip(facts["headings"], facts["headings"][1:], strict=False):
        assert level <= before + 1, f"h{before} then h{level} {text!r}"
    assert facts["lang"] == language_of(url)
    assert facts["title"].strip()


@pytest.mark.parametrize("url", URLS)
def test_text_is_large_well_spaced_and_high_contrast(visit, url):
    page = visit(url)
    for condition in SCREENS:
        facts = page.facts[condition]
        assert facts["bodyFontSize"] >= 18, condition
        assert facts["bodyLineHeight"] >= 1.5, condition
        small = [t for t in facts["texts"] if t["size"] < 18]
        assert small == [], f"{condition}: text under 18 px: {dump(small)}"
        cramped = [
            t
            for t in facts["texts"]
            if t["paragraph"] and t["lineHeightRatio"] and t["lineHeightRatio"] < 1.5
        ]
        assert cramped == [], f"{condition}: line height under 1.5: {dump(cramped)}"
        # AAA contrast (7:1) for every piece of text, not only body text.
        faint = [t for t in facts["texts"] if t["contrast"] < 7]
        assert faint == [], f"{condition}: contrast under 7:1: {dump(faint)}"
        assert facts["visitedLinkContrast"] >= 7, condition


@pytest.mark.parametrize("url", URLS)
def test_dark_theme_is_dark_and_light_theme_is_light(visit, url):
    page = visit(url)
    assert page.facts["light"]["pageBackgroundLuminance"] > 0.9
    assert page.facts["dark"]["pageBackgroundLuminance"] < 0.02


@pytest.mark.parametrize("url", URLS)
def test_more_contrast_strengthens_muted_text(visit, url):
    page = visit(url)
    normal = {t["element"]: t["contrast"] for t in page.facts["light"]["texts"]}
    more = {t["element"]: t["contrast"] for t in page.facts["more-contrast"]["texts"]}
    assert normal.keys() == more.keys()
    for element, ratio in more.items():
        assert ratio >= normal[element], element
    # With more contrast asked for, every piece of text, links too, goes well past 7:1.
    for condition in ("more-contrast", "dark-more-contrast"):
        ratios = {t["element"]: t["contrast"] for t in page.facts[condition]["texts"]}
        lowest = sorted(ratios.items(), key=lambda item: item[1])[:5]
        assert min(ratios.values()) >= 12, f"{condition}: {dump(lowest)}"


@pytest.mark.parametrize("url", URLS)
def test_reduced_motion_is_respected(visit, url):
    page = visit(url)
    assert page.facts["reduced-motion"]["scrollBehavior"] == "auto"
    assert page.facts["reduced-motion"]["longestMotion"] == 0


@pytest.mark.parametrize("url", URLS)
def test_tap_targets_are_at_least_44_px(visit, url):
    page = visit(url)
    for condition in ("light", "320"):
        targets = page.facts[condition]["targets"]
        assert targets, "no links found"
        small = [
            t for t in targets if not t["inSentence"] and (t["width"] < 44 or t["height"] < 44)
        ]
        assert small == [], f"{condition}: {dump(small)}"


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(float(v)) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("url", URLS)
def test_keyboard_focus_is_always_visible(visit, url):
    page = visit(url)
    assert len(page.focus) >= 8, page.focus  # skip link, site title, navigation, ...
    assert page.focus[0]["element"].startswith("a.skip-link")
    for state in page.focus:
        assert state["outlineStyle"] not in ("none", "hidden"), state
        assert state["outlineWidth"] >= 2, state
        assert contrast(state["outlineColor"], state["background"]) >= 3, state
        # Not hidden off-screen or under anything: inside the viewport when focused.
        assert state["top"] >= -1 and state["bottom"] <= state["viewportHeight"] + 1, state
        assert state["left"] >= -1 and state["right"] <= state["viewportWidth"] + 1, state


@pytest.mark.parametrize("url", URLS)
def test_skip_link_comes_first_shows_and_moves_focus_to_main(visit, url):
    page = visit(url)
    first: dict[str, Any] = page.focus[0]
    assert first["top"] >= 0 and first["bottom"] - first["top"] >= 44, first
    assert page.skip_link == {"hash": "#main", "focused": "main"}
