"""`{% fragment %}`: parts of pages a `serve` session keeps from one build to the next.

Each test builds in one session (as `serve` does, with `keep_fragments`), changes
something, builds again, and compares with a clean build of the same files: a
kept part may save work, never change a byte.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from markupsafe import Markup
from test_i18n import make_multilingual

from sitegen.build import BuildOptions, BuildResult, Session, build
from sitegen.fragments import identity_of
from sitegen.record import Reads, Recorded, RecordedDate, RecordedDocument, RecordedSet

TODAY = date(2026, 12, 4)


def serving(content: Path, templates: Path, tmp_path: Path) -> Session:
    options = BuildOptions(content, tmp_path / "served", templates, today=TODAY,
                           keep_fragments=True, drafts=False)  # fmt: skip
    return Session(options)


def clean(session: Session, tmp_path: Path) -> tuple[BuildResult, Path]:
    out = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
    options = replace(session.options, out=out, keep_fragments=False)
    return build(options), out


def assert_same_as_clean(session: Session, tmp_path: Path) -> BuildResult:
    served = session.build()
    result, out = clean(session, tmp_path)
    assert [str(f) for f in served.findings] == [str(f) for f in result.findings]
    assert served.ok, "\n".join(map(str, served.findings))
    for page in ("index.html", "conditions/index.html", "search/index.html",
                 "conditions/alpha/index.html", "about/index.html"):  # fmt: skip
        assert (session.options.out / page).read_bytes() == (out / page).read_bytes(), page
    return served


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def serving_with(content: Path, templates: Path, tmp_path: Path, template: str,
                 jinja: str) -> Session:  # fmt: skip
    """A session that has built the site once, with `jinja` at the top of the content
    block of `template`."""
    edit(templates / template, "{% block content %}\n", "{% block content %}\n" + jinja + "\n")
    session = serving(content, templates, tmp_path)
    assert session.build().ok
    return session


def add_aardvark(content: Path) -> None:
    """A condition listed before the others: every number in a listing moves."""
    aardvark = (content / "conditions/alpha.md").read_text().replace("title: ", "title: Aa ", 1)
    (content / "conditions/aardvark.md").write_text(aardvark)


def test_a_title_edit_renders_that_card_again_and_reuses_the_others(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    session = serving(content, templates, tmp_path)
    assert session.build().ok
    before = dict(session.fragments["conditions/"].parts)
    cards = [part for part in before.values() if not part.inner]
    assert len(cards) == 4  # the A to Z's entries: alpha, beta, and alpha's two other names
    assert len(before) == 7  # and its letters A, B and F, each a part holding its entries

    edit(content / "conditions/alpha.md", "title: ", "title: Renamed ")
    served = assert_same_as_clean(session, tmp_path)
    assert "conditions/" in served.rendered
    after = session.fragments["conditions/"].parts
    kept = [key for key, part in after.items() if before.get(key) is part]
    assert len(kept) == 2  # the letter B and beta's card in it came back as they were
    assert all("beta.md" in str(key) for key in kept)
    assert "Renamed" in (session.options.out / "conditions/index.html").read_text()

    # What the reused card read is still the page's: a change to it is seen.
    edit(content / "conditions/beta.md", "summary: ", "summary: Resummarised. ")
    assert_same_as_clean(session, tmp_path)
    assert "Resummarised" in (session.options.out / "conditions/index.html").read_text()


def test_a_part_inside_a_kept_part_is_kept_with_it(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """The letter B is shown whole after alpha's rename, without a look at beta's card
    inside it; once a new condition joins the letter, that card is still there to reuse."""
    session = serving(content, templates, tmp_path)
    assert session.build().ok
    beta = [p for key, p in session.fragments["conditions/"].parts.items()
            if not p.inner and "beta.md" in str(key)]  # fmt: skip
    edit(content / "conditions/alpha.md", "title: ", "title: Renamed ")
    assert_same_as_clean(session, tmp_path)
    second = (content / "conditions/beta.md").read_text().replace("title: Beta", "title: Bz", 1)
    (content / "conditions/bz.md").write_text(second)
    assert_same_as_clean(session, tmp_path)
    parts = session.fragments["conditions/"].parts
    letter_b = [p for key, p in parts.items() if p.inner and "beta.md" in str(key)]
    assert len(letter_b) == 1 and "Bz" in letter_b[0].html  # made again, with the new name
    assert any(p is beta[0] for p in parts.values())  # beta's card of the first build


def test_a_part_follows_another_document_it_reads(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """The issue's probe, inside a kept part: alpha's page names beta's title."""
    session = serving_with(content, templates, tmp_path, "condition.html",
                           '{% fragment %}<p class="see">See {{ condition_title("beta") }}</p>'
                           "{% endfragment %}")  # fmt: skip
    edit(content / "conditions/beta.md", "title: ", "title: Retitled ")
    assert_same_as_clean(session, tmp_path)
    assert "See Retitled" in (session.options.out / "conditions/alpha/index.html").read_text()


def test_a_part_that_uses_a_loop_counter_is_rendered_every_time(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    session = serving_with(content, templates, tmp_path, "page.html",
                           "{% for c in site.conditions %}{% fragment %}<p>{{ loop.index }}: "
                           "{{ c.meta.title }}</p>{% endfragment %}{% endfor %}")  # fmt: skip
    add_aardvark(content)
    assert_same_as_clean(session, tmp_path)
    assert "<p>3: " in (session.options.out / "about/index.html").read_text()


def test_an_untranslated_string_in_a_part_is_reported_on_every_build(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    make_multilingual(content)
    edit(templates / "partials/cards.html", '<p class="aka">',
         "<p>{{ _('Not in any catalogue') }}</p><p class=\"aka\">")  # fmt: skip
    session = serving(content, templates, tmp_path)

    def untranslated(result: BuildResult) -> list[str]:
        return [f.message for f in result.warnings if "Not in any catalogue" in f.message]

    assert untranslated(session.build())
    edit(content / "conditions/beta.md", "title: ", "title: Retitled ")  # the listings again
    served = assert_same_as_clean(session, tmp_path)
    assert untranslated(served)


def test_a_template_edit_renders_every_part_again(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    session = serving(content, templates, tmp_path)
    assert session.build().ok
    edit(templates / "partials/evidence_badge.html", '<span class="evidence-for">',
         '<span class="evidence-for" data-edition="2">')  # fmt: skip
    assert_same_as_clean(session, tmp_path)
    listing = (session.options.out / "conditions/index.html").read_text()
    assert listing.count('data-edition="2"') == 2


def test_a_command_line_build_keeps_no_parts(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    session = Session(BuildOptions(content, tmp_path / "site", templates, today=TODAY))
    assert session.build().ok
    assert session.fragments == {}


def test_values_are_told_apart_by_type_and_recorded_values_by_what_they_show() -> None:
    assert len({identity_of(v) for v in (1, True, "1", Markup("1"), 1.0, None)}) == 6
    reads = Reads()
    reads.start()
    alpha = RecordedDocument(object(), "doc:conditions/alpha.md#", reads)
    beta = RecordedDocument(object(), "doc:conditions/beta.md#", reads)
    assert identity_of(alpha) != identity_of(beta)
    assert identity_of(alpha) != identity_of(Recorded(object(), "doc:conditions/alpha.md#", reads))
    assert identity_of([alpha, "x"]) == identity_of([alpha, "x"])
    assert identity_of(RecordedDate(TODAY, reads)) is not None
    images = RecordedSet(frozenset({"images/a.png"}), "image:", "urls", reads)
    theme = RecordedSet(frozenset({"images/a.png"}), "theme:", "theme", reads)
    assert identity_of(images) != identity_of(theme)  # each set is read under its own keys
    assert identity_of(images) == identity_of(RecordedSet(frozenset(), "image:", "urls", reads))
    assert reads.stop() == frozenset()  # telling values apart reads none of them
    assert identity_of(object()) is None
    assert identity_of([alpha, object()]) is None  # unknown sameness: rendered each time


def test_a_macro_made_in_a_loop_is_told_apart_by_what_it_holds(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """The macro's code is the same on each turn of the loop; the value it closes
    over is not."""
    session = serving_with(content, templates, tmp_path, "page.html",
                           "{% for c in site.conditions %}{% macro named() %}{{ c.meta.title }}"
                           "{% endmacro %}{% fragment %}<p>{{ named() }}</p>{% endfragment %}"
                           "{% endfor %}")  # fmt: skip
    assert_same_as_clean(session, tmp_path)
    about = (session.options.out / "about/index.html").read_text()
    assert "<p>Alpha condition</p>" in about and "<p>Beta condition</p>" in about
    edit(content / "conditions/beta.md", "summary: ", "summary: Changed. ")
    assert_same_as_clean(session, tmp_path)


def test_a_part_calling_a_macro_that_reads_a_namespace_is_rendered_every_time(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """The macro reads the counter through its template's context, not a name the part
    uses: the context's values are told apart too, and a namespace cannot be."""
    session = serving_with(content, templates, tmp_path, "page.html",
                           "{% set ns = namespace(n=0) %}{% macro counted() %}{{ ns.n }}"
                           "{% endmacro %}{% for c in site.conditions %}{% set ns.n = ns.n + 1 %}"
                           "{% fragment %}<p>{{ counted() }}: {{ c.meta.title }}</p>"
                           "{% endfragment %}{% endfor %}")  # fmt: skip
    add_aardvark(content)
    assert_same_as_clean(session, tmp_path)
    assert "<p>2: Alpha condition</p>" in (session.options.out / "about/index.html").read_text()


@pytest.mark.parametrize("where", ["its own", "given"])
def test_a_part_calling_an_imported_macro_sees_a_list_it_reads_change(
    content: Path, templates: Path, tmp_path: Path, where: str
) -> None:
    """A macro imported from another template reads a list that grows, whether that
    template made it or was given it: the count below changes with every card, and
    when a card is added."""
    count = (
        '{% macro count(title) %}{{ seen.append(title) or "" }}{{ seen | length }}{% endmacro %}'
    )
    made = "{% set seen = [] %}"
    (templates / "partials/counter.html").write_text((made if where == "its own" else "") + count)
    session = serving_with(content, templates, tmp_path, "page.html",
                           (made if where == "given" else "") +
                           '{% from "partials/counter.html" import count with context %}'
                           "{% for c in site.conditions %}{% fragment %}<p>{{ count(c.meta.title) }}"
                           ": {{ c.meta.title }}</p>{% endfragment %}{% endfor %}")  # fmt: skip
    assert "<p>2: Beta condition</p>" in (session.options.out / "about/index.html").read_text()
    add_aardvark(content)
    assert_same_as_clean(session, tmp_path)
    assert "<p>2: Alpha condition</p>" in (session.options.out / "about/index.html").read_text()


def test_a_part_made_by_a_build_that_failed_is_checked_key_by_key(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """A failed build keeps no prints: a card it made is not taken as true for the
    store's last commit (a title edited, then put back, must show as put back)."""
    session = serving(content, templates, tmp_path)
    assert session.build().ok
    alpha, beta = content / "conditions/alpha.md", content / "conditions/beta.md"
    title, body = alpha.read_text(), beta.read_text()
    edit(alpha, "title: ", "title: Renamed ")
    edit(beta, "\n## ", "\nSee [nowhere](../nowhere/).\n\n## ")  # an error in the output
    failed = session.build()
    assert not failed.ok and "conditions/" in failed.rendered
    alpha.write_text(title)
    beta.write_text(body.replace("summary: ", "summary: Resummarised. ", 1))
    assert_same_as_clean(session, tmp_path)
    assert "Renamed" not in (session.options.out / "conditions/index.html").read_text()


def test_a_commit_by_another_build_makes_every_part_checked_key_by_key(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """`python build.py` beside `serve`, on the same store: what it committed is not
    what this session's parts were checked against."""
    session = Session(replace(serving(content, templates, tmp_path).options, cache=True))
    assert session.build().ok
    edit(content / "conditions/alpha.md", "title: ", "title: Renamed ")
    beside = replace(session.options, out=tmp_path / "beside", keep_fragments=False)
    assert build(beside).ok  # commits alpha's new title to the shared store
    edit(content / "conditions/beta.md", "summary: ", "summary: Resummarised. ")
    served = session.build()
    assert served.ok and "conditions/" in served.rendered
    out = tmp_path / "clean"
    assert build(replace(beside, out=out, cache=False)).ok
    for page in ("index.html", "conditions/index.html", "search/index.html"):
        assert (session.options.out / page).read_bytes() == (out / page).read_bytes(), page


def test_a_session_started_from_the_store_warms_the_pages_with_parts_once(
    content: Path, templates: Path, tmp_path: Path
) -> None:
    """`serve` starts from the store and renders nothing, so it would have no parts for
    the first edit of a title; `warm()` renders the pages that show parts, and only
    them, without changing a byte, and the next title edit reuses their parts."""
    options = replace(serving(content, templates, tmp_path).options, cache=True)
    assert build(replace(options, keep_fragments=False)).ok  # `python build.py`: the store
    session = Session(options)
    assert session.build().rendered == [] and session.fragments == {}
    written = {path: path.stat().st_ino for path in options.out.rglob("*.html")}

    warmed = session.warm()
    assert warmed.ok and set(warmed.rendered) == session.warmed
    assert {"", "conditions/"} <= session.warmed  # the home page's and the A to Z's cards
    assert "conditions/alpha/" not in session.warmed  # shows no part
    assert {path: path.stat().st_ino for path in options.out.rglob("*.html")} == written
    before = dict(session.fragments["conditions/"].parts)
    assert session.warm().rendered == [] and session.warmed == set()  # once is enough

    edit(content / "conditions/alpha.md", "title: ", "title: Renamed ")
    served = assert_same_as_clean(session, tmp_path)
    assert "conditions/" in served.rendered and session.warmed == set()
    after = session.fragments["conditions/"].parts
    assert [key for key, part in after.items() if before.get(key) is part]  # beta's card
