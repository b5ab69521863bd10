"""The Atom feed (feed.xml): valid Atom, newest review first, absolute URLs, deterministic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import TEMPLATES
from sitegen.build import BuildOptions, Session, build

ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = date(2026, 6, 1)


def parse(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root


def text(element: ET.Element, name: str) -> str:
    child = element.find(f"{ATOM}{name}")
    assert child is not None, f"no <{name}> in <{element.tag}>"
    assert child.text and child.text.strip(), f"empty <{name}>"
    return child.text


def is_atom_date(value: str) -> bool:
    return (
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value) is not None
    )


def test_the_feed_is_valid_atom_with_every_required_element(sample_site: Path):
    feed = parse(sample_site / "feed.xml")
    assert text(feed, "id") == "https://example.org/feed.xml"
    assert text(feed, "title") == "Optic Nerve Information"
    assert is_atom_date(text(feed, "updated"))
    author = feed.find(f"{ATOM}author")
    assert author is not None and text(author, "name")
    links = {link.get("rel"): link for link in feed.findall(f"{ATOM}link")}
    assert links["self"].get("href") == "https://example.org/feed.xml"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "https://example.org/"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = set()
    for entry in entries:
        ids.add(text(entry, "id"))
        assert text(entry, "title")
        assert is_atom_date(text(entry, "updated"))
        assert text(entry, "summary")
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("rel", "alternate") == "alternate"
        assert link.get("href") == text(entry, "id")
        assert link.get("href").startswith("https://example.org/")
    assert len(ids) == len(entries)  # each entry's id is its own


def test_entries_are_the_conditions_pages_and_packages(sample_site: Path):
    entries = parse(sample_site / "feed.xml").findall(f"{ATOM}entry")
    ids = {text(entry, "id") for entry in entries}
    assert "https://example.org/conditions/glaucoma/" in ids
    assert "https://example.org/conditions/optic-nerve-damage/" in ids
    assert "https://example.org/packages/optic-nerve-stem-cell-12-day/" in ids
    assert "https://example.org/how-we-rate-evidence/" in ids
    for listing in ("", "conditions/", "packages/", "search/", "404.html"):
        assert f"https://example.org/{listing}" not in ids
    glaucoma = next(e for e in entries if text(e, "id").endswith("/glaucoma/"))
    assert text(glaucoma, "title") == "Glaucoma"
    assert text(glaucoma, "updated") == "2026-12-04T00:00:00Z"
    assert text(glaucoma, "summary").startswith("What glaucoma is")


def test_every_page_links_to_the_feed_in_its_head(sample_site: Path):
    for page in sample_site.rglob("*.html"):
        head = BeautifulSoup(page.read_text("utf-8"), "html.parser").head
        links = head.find_all("link", rel="alternate", type="application/atom+xml")
        assert len(links) == 1, page
        href = links[0]["href"]
        if page.name == "404.html":
            assert href == "/feed.xml"
        else:  # each language's pages link to that language's feed
            first = page.relative_to(sample_site).parts[0]
            feed = f"{first}/feed.xml" if first in ("es", "ar") else "feed.xml"
            assert (page.parent / href).resolve() == (sample_site / feed).resolve(), page


def test_newest_review_first_and_the_feed_is_as_new_as_its_newest_entry(
    content: Path, tmp_path: Path
):
    alpha = content / "conditions/alpha.md"
    alpha.write_text(
        alpha.read_text().replace("last_reviewed: 2026-01-15", "last_reviewed: 2026-05-02")
    )
    result = build(BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY))
    assert result.ok, "\n".join(map(str, result.findings))
    feed = parse(tmp_path / "site/feed.xml")
    entries = feed.findall(f"{ATOM}entry")
    dates = [text(entry, "updated") for entry in entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2026-05-02T00:00:00Z" == text(feed, "updated")
    first = entries[0]
    assert text(first, "id") == "https://example.test/sub/conditions/alpha/"
    assert text(first, "summary") == "Alpha is a test condition."
    ids = [text(e, "id") for e in entries]
    assert ids == [
        "https://example.test/sub/conditions/alpha/",  # 2026-05-02
        "https://example.test/sub/packages/test-package/",  # 2026-03-01
        "https://example.test/sub/conditions/beta/",  # 2026-02-01
        "https://example.test/sub/how-we-rate-evidence/",  # 2026-01-01
    ]
    # A page with no review date (about.md) has nothing to report: it is not an entry.
    assert "https://example.test/sub/about/" not in ids


def test_text_that_looks_like_markup_is_escaped(content: Path, tmp_path: Path):
    alpha = content / "conditions/alpha.md"
    alpha.write_text(
        alpha.read_text().replace(
            "summary: Alpha is a test condition.",
            "summary: \"Alpha & <b>beta</b> ]]> 'quoted'\"",
        )
    )
    result = build(BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY))
    assert result.ok, "\n".join(map(str, result.findings))
    entries = parse(tmp_path / "site/feed.xml").findall(f"{ATOM}entry")
    summaries = {text(e, "summary") for e in entries}
    assert "Alpha & <b>beta</b> ]]> 'quoted'" in summaries


def test_the_feed_does_not_change_with_the_day_of_the_build(content: Path, tmp_path: Path):
    options = BuildOptions(content, tmp_path / "one", TEMPLATES, today=TODAY)
    build(options)
    build(replace(options, out=tmp_path / "two", today=date(2031, 12, 31)))
    first = (tmp_path / "one/feed.xml").read_bytes()
    assert first == (tmp_path / "two/feed.xml").read_bytes()
    assert b"2031" not in first


def test_a_rebuild_renders_the_feed_when_what_it_lists_changes(content: Path, tmp_path: Path):
    options = BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY)
    session = Session(options)
    session.build()
    alpha = content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has new symptoms"))
    body_only = session.build()
    assert "feed.xml" not in body_only.rendered  # the feed shows front matter only
    alpha.write_text(alpha.read_text().replace("title: Alpha condition", "title: Alpha renamed"))
    retitled = session.build()
    assert "feed.xml" in retitled.rendered
    assert "Alpha renamed" in (tmp_path / "site/feed.xml").read_text()
    packages = content / "packages.yaml"
    packages.write_text(packages.read_text().replace("name: Test package", "name: Renamed package"))
    repackaged = session.build()
    assert "feed.xml" in repackaged.rendered
    assert "Renamed package" in (tmp_path / "site/feed.xml").read_text()


def feed_ids(site: Path) -> list[str]:
    return [text(entry, "id") for entry in parse(site / "feed.xml").findall(f"{ATOM}entry")]


def test_the_feed_holds_the_newest_reviews_up_to_feed_entries(content: Path, tmp_path: Path):
    """A large site's feed of every page would be megabytes, which each reader fetches
    whole each time it looks: the feed holds the newest `feed_entries` (100 by
    default), in the order of the whole list, reviews of the same day by title."""
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "feed_entries: 2\n")
    options = BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY)
    assert build(options).ok
    assert feed_ids(tmp_path / "site") == [
        "https://example.test/sub/packages/test-package/",  # 2026-03-01
        "https://example.test/sub/conditions/beta/",  # 2026-02-01
    ]
    alpha = content / "conditions/alpha.md"  # reviewed the same day as beta, and A before B
    alpha.write_text(
        alpha.read_text().replace("last_reviewed: 2026-01-15", "last_reviewed: 2026-02-01")
    )
    assert build(options).ok
    assert feed_ids(tmp_path / "site") == [
        "https://example.test/sub/packages/test-package/",
        "https://example.test/sub/conditions/alpha/",
    ]


def test_a_page_reviewed_before_the_feed_s_newest_changes_it_only_by_its_review_date(
    content: Path, tmp_path: Path
):
    """The feed reads the title and summary of a page only if its review date can put it
    among the newest, so renaming an older page leaves the feed alone (while serving, a
    large site's feed is not rendered again for each title edited); a newer review puts
    the page in, and every rebuild equals a clean build."""
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "feed_entries: 2\n")
    options = BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY)
    clean = replace(options, out=tmp_path / "clean")
    session = Session(options)
    assert session.build().ok
    alpha = content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("title: Alpha condition", "title: Alpha renamed"))
    renamed = session.build()
    assert renamed.ok and "feed.xml" not in renamed.rendered
    assert "conditions/" in renamed.rendered  # the A to Z does show the new title
    assert build(clean).ok
    assert (tmp_path / "site/feed.xml").read_bytes() == (tmp_path / "clean/feed.xml").read_bytes()
    alpha.write_text(
        alpha.read_text().replace("last_reviewed: 2026-01-15", "last_reviewed: 2026-05-02")
    )
    reviewed = session.build()
    assert reviewed.ok and "feed.xml" in reviewed.rendered
    assert feed_ids(tmp_path / "site")[0] == "https://example.test/sub/conditions/alpha/"
    assert "Alpha renamed" in (tmp_path / "site/feed.xml").read_text()
    assert build(clean).ok
    assert (tmp_path / "site/feed.xml").read_bytes() == (tmp_path / "clean/feed.xml").read_bytes()
    session.close()


def test_reviews_of_the_cut_off_day_are_chosen_by_address_so_titles_there_are_not_read(
    content: Path, tmp_path: Path
):
    """A site may review many pages on one day. Where more share the last day the feed
    has room for than it has room left, they are chosen by address before any title is
    read: renaming one not chosen leaves the feed alone (unless it reorders the list
    of conditions, which the feed reads), and a title that sorts first does not get it
    chosen; the chosen are shown by title, as the rest of the feed."""
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "feed_entries: 2\n")
    alpha, beta = content / "conditions/alpha.md", content / "conditions/beta.md"
    alpha.write_text(
        alpha.read_text().replace("last_reviewed: 2026-01-15", "last_reviewed: 2026-02-01")
    )  # now reviewed the same day as beta: one of the two fits
    options = BuildOptions(content, tmp_path / "site", TEMPLATES, today=TODAY)
    clean = replace(options, out=tmp_path / "clean")
    session = Session(options)
    assert session.build().ok
    chosen = ["https://example.test/sub/packages/test-package/",
              "https://example.test/sub/conditions/alpha/"]  # fmt: skip
    assert feed_ids(tmp_path / "site") == chosen
    for title, rendered in (("Beta condition renamed", False), ("Aardvark", True)):
        text = beta.read_text()
        beta.write_text(text.replace(text.split("\n")[1], f"title: {title}", 1))
        renamed = session.build()
        assert renamed.ok and ("feed.xml" in renamed.rendered) is rendered
        assert feed_ids(tmp_path / "site") == chosen
        assert build(clean).ok
        feed = (tmp_path / "site/feed.xml").read_bytes()
        assert feed == (tmp_path / "clean/feed.xml").read_bytes()
    session.close()
