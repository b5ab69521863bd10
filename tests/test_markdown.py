"""The Markdown stage on its own: links, images, headings, tables and the sanitiser."""

from __future__ import annotations

import markdown.treeprocessors
import pytest

from sitegen.markdown import MarkdownConverter, PageContext
from sitegen.models import EvidenceLevel
from sitegen.urls import as_page_url, normalise, relative

CONTENT_URLS = {
    "conditions/a.md": "conditions/a/",
    "conditions/b.md": "conditions/b/",
    "pages/about.md": "about/",
}
KNOWN = frozenset(
    {"", "conditions/", "packages/", "conditions/a/", "conditions/b/", "about/", "packages/p/"}
)


def convert(body: str, directory_links: bool = False) -> tuple[str, list[str]]:
    ctx = PageContext(
        "content/conditions/a.md",
        "conditions/a.md",
        "conditions/a/",
        body,
        10,
        CONTENT_URLS,
        KNOWN,
        frozenset({"images/x.png"}),
        directory_links,
    )
    html, findings = MarkdownConverter().convert(body, ctx)
    return html, [str(f) for f in findings]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("b.md", "../b/index.html"),
        ("b.md#causes", "../b/index.html#causes"),
        ("../pages/about.md", "../../about/index.html"),
        ("/pages/about.md", "../../about/index.html"),
        ("/packages/", "../../packages/index.html"),
        ("/packages/p/", "../../packages/p/index.html"),
        ("/", "../../index.html"),
        ("../b/", "../b/index.html"),
        ("#top", "#top"),
        ("https://example.org/x?y=1", "https://example.org/x?y=1"),
        ("mailto:a@example.org", "mailto:a@example.org"),
    ],
)
def test_links_are_checked_and_made_relative(written: str, expected: str):
    html, findings = convert(f"[text]({written})")
    assert f'href="{expected}"' in html.replace("&amp;", "&")
    assert findings == []


def test_directory_links_leave_out_index_html():
    html, _ = convert("[b](b.md) [home](/)", directory_links=True)
    assert 'href="../b/"' in html and 'href="../../"' in html


def test_a_broken_link_is_reported_with_its_position_and_a_suggestion():
    _, findings = convert("Intro\n\nSee [b](bb.md).")
    assert findings == [
        "content/conditions/a.md:12:9: link: expected a link to a page or file of this site "
        "(did you mean 'b.md'?), found 'bb.md'"
    ]


def test_images_are_checked_and_made_relative():
    html, findings = convert("![An x](../images/x.png)")
    assert '<img alt="An x" src="../../images/x.png">' in html and findings == []
    _, findings = convert("![](../images/x.png)")
    assert findings == [
        "content/conditions/a.md:10:5: image: expected alt text describing the image, found none for '../images/x.png'"
    ]


def test_level_one_headings_are_demoted_and_skips_reported():
    html, findings = convert("# Big\n\n#### Small")
    assert '<h2 id="big">Big</h2>' in html
    assert [f.split(": ", 2)[1] for f in findings] == ["warning", "warning"]
    assert "skipped levels" in findings[1]


def test_table_alignment_becomes_a_class_not_a_style():
    html, _ = convert("| a | b |\n|:-:|--:|\n| 1 | 2 |")
    assert 'class="align-center"' in html and 'class="align-right"' in html and "style" not in html


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src="../images/x.png" alt="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="background:url(https://evil.example/)">x</p>',
        '<form action="https://evil.example/"><input name="q"></form>',
        "<svg><script>alert(1)</script></svg>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<object data="x.swf"></object>',
    ],
)
def test_the_sanitiser_removes_dangerous_markup(dangerous: str):
    html, findings = convert(f"Text\n\n{dangerous}\n")
    lowered = html.lower()
    for banned in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "style=",
        "<form",
        "<svg",
        "<object",
        "evil.example",
    ):
        assert banned not in lowered
    assert findings and all(": warning: " in f for f in findings)


def test_safe_raw_html_is_kept():
    html, findings = convert(
        '<details><summary>More</summary>\n\nHidden <abbr title="optical coherence tomography">OCT</abbr>\n</details>'
    )
    assert "<details>" in html and "<abbr" in html and findings == []


def test_code_is_not_mistaken_for_html():
    html, findings = convert("Write `<script>` in code.\n\n    <script>x</script>\n")
    assert "&lt;script&gt;" in html and findings == []


def test_url_helpers():
    assert relative("conditions/a/", "packages/") == "../../packages/index.html"
    assert relative("", "") == "index.html"
    assert relative("", "", directory_links=True) == "./"
    assert relative("404.html", "static/x.css") == "static/x.css"
    assert normalise("a/../../b") is None
    assert normalise("a/./b/../c") == "a/c"
    assert as_page_url("/conditions") == "conditions/"
    assert as_page_url("packages/index.html") == "packages/"
    assert as_page_url("images/x.png") == "images/x.png"


def test_source_markers_link_to_the_numbered_sources():
    html, findings = convert("Lost fibres do not regrow [1]. See [2] and [the page](b.md).")
    assert (
        '<span class="source-ref">[<a href="#source-1"><span class="visually-hidden">source </span>1</a>]</span>'
        in html
    )
    assert 'href="#source-2"' in html and findings == []


def test_footnotes_render_as_linked_references():
    html, findings = convert("A fact.[^1]\n\n[^1]: A study, 2020.\n")
    assert 'class="footnote-ref"' in html and 'href="#fn:1"' in html and 'id="fn:1"' in html
    assert findings == []


INLINE_MARKUP = r"""# Every kind of inline markup

Plain text with nothing to find, then *emphasis*, **strong**, ***both***, _under_,
__under strong__, a lone * star and snake_case_words, `code with [brackets] & <tags>`,
``double `tick` code``, an escaped \*star\* and \[bracket\], and a line that ends in
two spaces@@BREAK@@to break. Links: [inline](b.md "Title"), [by path](/packages/), [reference][ref],
[short ref], [collapsed][], an image ![a picture](../../images/x.png) and
![reference image][img], <https://example.org/auto>, <someone@example.org>,
raw <abbr title="x">HTML</abbr> and <span>span</span>, entities &amp; &copy; &#169; &#xA9;,
a source marker [1], a footnote[^note], nested *emphasis with [a link](b.md) inside*,
**strong with `code` inside**, [a link with *emphasis*](b.md), and a [broken link](nope.md).

Only _underscore emphasis_ and __underscore strong__ here, and &lt;escaped&gt; \_marks\_.

| Column *one* | `two` |
|:---|---:|
| [cell link](b.md) | a & b < c |

Term with *markup*
:   Definition with [a link](b.md) and **strength**.

The WHO said so.
{: .note }

*[WHO]: World Health Organization

[ref]: b.md
[short ref]: /packages/
[collapsed]: ../pages/about.md
[img]: ../../images/x.png
[^note]: A note with *emphasis* and a [link](b.md).

1. Sources
""".replace("@@BREAK@@", "  \n")


def test_inline_patterns_are_skipped_only_where_they_cannot_match():
    """The gated inline stage gives exactly what Python-Markdown's own one gives."""
    stock = MarkdownConverter()
    stock.md.treeprocessors.register(
        markdown.treeprocessors.InlineProcessor(stock.md), "inline", 20
    )
    gated = MarkdownConverter()
    assert type(gated.md.treeprocessors["inline"]).__name__ == "GatedInlineProcessor"
    bodies = [INLINE_MARKUP, INLINE_MARKUP.replace("\n", " \n"), "**", "[", "a  \nb"]
    for body in bodies + INLINE_MARKUP.splitlines():  # a line alone holds fewer kinds
        ctx = [
            PageContext("content/conditions/a.md", "conditions/a.md", "conditions/a/", body, 10,
                        CONTENT_URLS, KNOWN, frozenset({"images/x.png"}), False)
            for _ in range(2)
        ]  # fmt: skip
        gated_html, gated_findings = gated.convert(body, ctx[0])
        stock_html, stock_findings = stock.convert(body, ctx[1])
        assert gated_html == stock_html
        assert gated_findings == stock_findings
    html, findings = convert(INLINE_MARKUP)
    for made in ("<em>emphasis</em>", "<strong>strong</strong>", "<code>code with [brackets]",
                 'href="../b/index.html"', "<img", 'href="https://example.org/auto"',
                 "&amp;", '<abbr title="World Health Organization">WHO</abbr>', "<br>",
                 "<sup", "<table", "<dl>"):  # fmt: skip
        assert made in html, made
    assert any("nope.md" in finding for finding in findings)


def test_another_python_markdown_gets_its_own_inline_stage_and_a_warning(monkeypatch):
    """The gated stage replaces a private method of Python-Markdown 3.11.3: with any
    other version the stock stage runs, the pages are the same, and a warning says so."""
    from sitegen import markdown as ours

    assert markdown.__version__ == ours.GATED_FOR, "requirements.lock pins the version"
    monkeypatch.setattr(markdown, "__version__", "3.99.0")
    with pytest.warns(RuntimeWarning, match="Python-Markdown 3.99.0 is installed, not the 3.11.3"):
        fallback = MarkdownConverter()
    assert type(fallback.md.treeprocessors["inline"]) is markdown.treeprocessors.InlineProcessor
    monkeypatch.setattr(markdown, "__version__", ours.GATED_FOR)
    gated = MarkdownConverter()
    for body in [INLINE_MARKUP, *INLINE_MARKUP.splitlines()]:
        made = [
            converter.convert(body, PageContext(
                "content/conditions/a.md", "conditions/a.md", "conditions/a/", body, 10,
                CONTENT_URLS, KNOWN, frozenset({"images/x.png"}), False))
            for converter in (gated, fallback)
        ]  # fmt: skip
        assert made[0] == made[1]


LEVELS = {
    "established": EvidenceLevel(
        id="established", label="Established", explanation="Shown.", summary="shown to help"
    ),
    "investigational": EvidenceLevel(
        id="investigational", label="Investigational", explanation="Being tested."
    ),
}


def convert_with_levels(body: str) -> tuple[str, list[str], PageContext]:
    ctx = PageContext(
        "content/conditions/a.md", "conditions/a.md", "conditions/a/", body, 10,
        CONTENT_URLS, KNOWN | {"how-we-rate-evidence/"}, frozenset(),
        evidence_levels=lambda: LEVELS,
    )  # fmt: skip
    html, findings = MarkdownConverter().convert(body, ctx)
    return html, [str(f) for f in findings], ctx


def test_an_urgent_block_is_a_named_region_with_its_title_first():
    html, findings, _ = convert_with_levels(
        'Before.\n\n!!! urgent "Call 999 if you cannot see"\n    Go to A&E if **both** eyes.\n'
    )
    assert findings == []
    assert (
        '<div aria-labelledby="urgent-advice" class="callout callout-urgent" role="region">\n'
        '<p class="callout-title" id="urgent-advice"><span class="visually-hidden">Urgent advice: '
        "</span>Call 999 if you cannot see</p>\n<p>Go to A&amp;E if <strong>both</strong> eyes.</p>"
    ) in html
    # Two cards get two names; one with no title gets a plain one.
    html, _, _ = convert_with_levels("!!! urgent\n    A.\n\n!!! urgent\n    B.\n")
    assert 'id="urgent-advice"' in html and 'id="urgent-advice_1"' in html
    assert "Get medical help urgently" in html


def test_an_evidence_note_says_what_it_rates_and_links_to_what_the_level_means():
    html, findings, _ = convert_with_levels(
        '!!! evidence established "laser treatment"\n\nLaser lowers pressure.\n'
    )
    assert findings == []
    assert (
        '<div class="evidence-note">\n<p><span class="evidence-for">Evidence for <span>laser '
        'treatment</span>: <span class="badge badge-established">Established</span> (shown to '
        'help). </span><a href="../../how-we-rate-evidence/index.html#level-established">What '
        "this means</a></p></div>"
    ) in html


def test_an_unknown_evidence_level_or_callout_is_reported_at_its_line():
    body = 'Text.\n\n!!! evidence investigatinal "x"\n\n!!! warning "Careful"\n    Y.\n'
    _, findings, _ = convert_with_levels(body)
    assert findings == [
        "content/conditions/a.md:12:1: evidence: expected '!!! evidence' and one of the evidence "
        "levels defined in site.yaml (established, investigational) (did you mean "
        "'investigational'?), found 'investigatinal'",
        "content/conditions/a.md:14:1: warning: callout: expected '!!! urgent' or '!!! evidence "
        "<level>', found '!!! warning'; it was shown as a plain box",
    ]


def test_a_page_s_sections_are_kept_for_its_contents_list():
    _, _, ctx = convert_with_levels("## Symptoms\n\nA.\n\n### Detail\n\n## What *helps*\n\nB.\n")
    assert ctx.sections == [("symptoms", "Symptoms"), ("what-helps", "What helps")]


def test_headings_in_any_script_get_ids_of_their_own_words():
    """Arabic letters (and any other script's, with their marks) stay in the id, so a
    heading's address says what it is: not `section`, `section_1`, ... as when only
    Latin letters were kept. Latin accents still come off, as before."""
    body = (
        "## الأعراض\n\nأ.\n\n## ما الزرق؟\n\nب.\n\n## كيف تبلّغ عن أثر جانبي\n\nج.\n\n"
        "## الأعراض\n\nد.\n\n## Síntomas\n\nE.\n\n## ¿Qué dice la evidencia?\n\nF.\n\n"
        "## Глаукома\n\nG.\n\n## 🙂\n\nH.\n"
    )
    _, _, ctx = convert_with_levels(body)
    assert [section_id for section_id, _ in ctx.sections] == [
        "الأعراض",
        "ما-الزرق",  # the Arabic question mark is left out, as "?" is
        "كيف-تبلّغ-عن-أثر-جانبي",  # the shadda kept: it is part of the Arabic word
        "الأعراض_1",  # unique, as Latin ones are
        "sintomas",
        "que-dice-la-evidencia",
        "глаукома",
        "section",  # nothing of a word left: a name of its own all the same
    ]


@pytest.mark.parametrize(
    "heading",
    ["What it is", "What’s new — 2026", "Laser (SLT) or drops?", "Symptoms & signs",
     "LHON: a mitochondrial disease", "½ dose", "Café-au-lait", "snake_case  and--dashes"],
)  # fmt: skip
def test_latin_headings_keep_the_ids_they_had(heading):
    """Every id made before (Python-Markdown's toc way: NFKD, accents and other scripts
    off, signs out, spaces to hyphens) is made again: links to them keep working."""
    import re
    import unicodedata

    from sitegen.markdown import slugify

    plain = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    before = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", plain).strip().lower())
    assert slugify(heading) == before
