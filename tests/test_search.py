"""The search index (Pagefind, run on the new folder before the swap) and the search page."""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, TEMPLATES, run_cli, snapshot
from sitegen import search
from sitegen.build import BuildOptions, Session, build
from sitegen.fs import display

TODAY = date(2026, 6, 1)
INDEXED = 5  # the minimal site's 2 conditions, 2 pages and 1 package


@pytest.fixture
def options(content: Path, templates: Path, tmp_path: Path) -> BuildOptions:
    return BuildOptions(content, tmp_path / "site", templates, today=TODAY)


def bundles(out: Path) -> list[Path]:
    """The index's bundles as the search page finds them: the shards, then the overlay's
    layers."""
    listing = json.loads((out / "pagefind/shards.json").read_text())
    folders = listing["bundles"] + listing.get("overlays", [])
    return [out / "pagefind" / folder for folder in folders]


def entry(out: Path) -> dict:
    [bundle] = bundles(out)  # one shard: the test sites are small
    return json.loads((bundle / "pagefind-entry.json").read_text())


ENTRY = "pagefind/0/pagefind-entry.json"


def entry_inodes(out: Path) -> dict[str, int]:
    """Each shard's entry file's inode: a shard indexed again gets a new one."""
    return {bundle.name: (bundle / "pagefind-entry.json").stat().st_ino for bundle in bundles(out)}


def fragments(out: Path) -> dict[str, dict]:
    """What Pagefind stored of each page it indexed (gzipped JSON after a short prefix), by URL."""
    found = {}
    for bundle in bundles(out):
        for path in (bundle / "fragment").iterdir():
            data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
            fragment = json.loads(data)
            assert fragment["url"] not in found, "a page is in two shards"
            found[fragment["url"]] = fragment
    return found


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_the_build_writes_an_index_of_the_content_pages_only(options: BuildOptions):
    result = build(options)
    assert result.ok and result.written
    [bundle] = bundles(options.out)
    assert (bundle / "pagefind.js").is_file()
    assert entry(options.out)["languages"]["en"]["page_count"] == INDEXED
    for unused in search.UNUSED:  # Pagefind's own interfaces are not shipped
        assert not (bundle / unused).exists()
    assert "search" in result.timings


def test_only_content_pages_are_marked_for_indexing_with_their_kind_and_evidence(
    options: BuildOptions,
):
    build(options)
    out = options.out
    kinds = {
        "conditions/alpha/index.html": "kind:Condition",
        "packages/test-package/index.html": "kind:Treatment package",
        "about/index.html": "kind:Page",
    }
    for page, kind in kinds.items():
        main = soup(out / page).find("main")
        assert main.has_attr("data-pagefind-body"), page
        assert main["data-pagefind-meta"] == kind
    for page in ("index.html", "conditions/index.html", "packages/index.html", "search/index.html", "404.html"):  # fmt: skip
        assert not soup(out / page).find(attrs={"data-pagefind-body": True}), page
    alpha = soup(out / "conditions/alpha/index.html")
    # The disclaimer, the same on every page, is not indexed; its evidence level is metadata.
    for part in alpha.select(".disclaimer-short, .disclaimer-full"):
        assert part.has_attr("data-pagefind-ignore")
    disclaimer = alpha.select_one(".disclaimer-short")
    assert disclaimer.find(attrs={"data-pagefind-meta": "evidence"}).get_text() == (
        "Evidence for the treatments described here: Established"
    )
    # Also-known-as names are in the indexed text.
    assert "A-itis" in alpha.find("main").select_one(".aka").get_text()


def test_the_index_holds_each_page_s_text_also_known_as_names_kind_and_evidence(
    options: BuildOptions,
):
    build(options)
    found = fragments(options.out)
    assert set(found) == {
        "/conditions/alpha/index.html",
        "/conditions/beta/index.html",
        "/packages/test-package/index.html",
        "/about/index.html",
        "/how-we-rate-evidence/index.html",
    }
    alpha = found["/conditions/alpha/index.html"]
    assert alpha["meta"]["title"] == "Alpha condition"
    assert alpha["meta"]["kind"] == "Condition"
    assert alpha["meta"]["evidence"] == "Evidence for the treatments described here: Established"
    assert alpha["meta"]["evidence_id"] == "established"
    assert "First condition" in alpha["content"] and "A-itis" in alpha["content"]
    assert "test disclaimer" not in alpha["content"]  # the same on every page: not indexed
    assert "Skip to main content" not in alpha["content"]
    package = found["/packages/test-package/index.html"]
    assert package["meta"]["kind"] == "Treatment package"
    assert package["meta"]["evidence"] == "Evidence for this package: Investigational"
    assert "Test cells" in package["content"]
    assert "evidence" not in found["/about/index.html"]["meta"]


def test_a_rebuild_without_html_changes_reuses_the_index(options: BuildOptions):
    session = Session(options)
    session.build()
    inode = (options.out / ENTRY).stat().st_ino
    again = session.build()
    assert again.written and again.rendered == []
    assert (options.out / ENTRY).stat().st_ino == inode  # linked


def test_any_html_change_indexes_the_site_again(options: BuildOptions):
    session = Session(options)
    session.build()
    old = options.out / ENTRY
    inode = old.stat().st_ino
    alpha = options.content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has zebrafish"))
    second = session.build()
    assert second.rendered == ["conditions/alpha/"]
    assert (options.out / ENTRY).stat().st_ino != inode
    assert "zebrafish" in fragments(options.out)["/conditions/alpha/index.html"]["content"]
    # A page that comes is indexed, and one that goes is indexed away.
    travel = options.content / "pages/travel.md"
    travel.write_text("---\ntitle: Travel\nsummary: Travel advice.\n---\n## Going\n\nPack.\n")
    third = session.build()
    assert third.ok, "\n".join(map(str, third.findings))
    assert "/travel/index.html" in fragments(options.out)
    travel.unlink()
    fourth = session.build()
    assert fourth.ok
    assert entry(options.out)["languages"]["en"]["page_count"] == INDEXED
    assert "/travel/index.html" not in fragments(options.out)


def test_a_failing_indexer_keeps_the_previous_site_and_says_why(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    session = Session(options)
    session.build()
    before = snapshot(options.out)
    alpha = options.content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has new symptoms"))
    monkeypatch.setattr(search, "executable", lambda: Path("/bin/false"))
    broken = session.build()
    assert not broken.written and not broken.ok
    [problem] = broken.errors
    assert problem.field == "search" and "expected Pagefind to index the site" in problem.message
    assert problem.path == display(options.out)  # where the site is, not the new folder beside it
    assert snapshot(options.out) == before
    leftovers = list(options.out.parent.glob(".site.tmp-*"))
    assert leftovers == []
    monkeypatch.undo()
    fixed = session.build()
    assert (
        fixed.written
        and "new symptoms" in (options.out / "conditions/alpha/index.html").read_text()
    )


def test_pagefind_runs_on_the_new_folder_before_it_is_swapped_in(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    build(options)
    alpha = options.content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has new symptoms"))
    seen: list[tuple[Path, str, str]] = []
    real = search.run_pagefind

    def spy(site: Path, output: Path, keep_index_url: bool) -> None:
        page = "conditions/alpha/index.html"
        seen.append(
            (output.parent.parent, (site / page).read_text(), (options.out / page).read_text())
        )
        real(site, output, keep_index_url)

    monkeypatch.setattr(search, "run_pagefind", spy)
    build(replace(options))
    [(folder, new, live)] = seen
    assert folder != options.out.absolute() and folder.parent == options.out.parent.absolute()
    assert "new symptoms" in new and "new symptoms" not in live
    assert (options.out / "pagefind/0/pagefind.js").is_file()


def test_the_search_page_lists_every_condition_and_package_without_javascript(
    tmp_path: Path,
):
    result = build(BuildOptions(ROOT / "content", tmp_path / "site", TEMPLATES))
    assert result.ok
    page = soup(tmp_path / "site/search/index.html")
    main = page.find("main")
    assert main.select_one(".disclaimer-short") and main.select_one(".disclaimer-full")
    form = main.find("form", attrs={"role": "search"})
    assert form["action"] == "index.html" and form["method"] == "get"
    assert form.find("label")["for"] == form.find("input", type="search")["id"]
    fallback = {a["href"] for a in main.select("#search-all a")}
    assert fallback >= {
        "../conditions/glaucoma/index.html",
        "../conditions/optic-nerve-damage/index.html",
        "../conditions/leber-hereditary-optic-neuropathy/index.html",
        "../packages/optic-nerve-stem-cell-12-day/index.html",
    }
    assert main.find(attrs={"role": "status"}) is not None
    [script] = page.find_all("script", src=True)
    assert script["src"].startswith("../static/search.") and script.has_attr("defer")
    assert not [s for s in page.find_all("script") if not s.get("src")]  # no inline code
    # The search page has its own form: the header's box is left out there.
    assert page.find("header").find("form") is None


def test_every_other_page_has_a_labelled_search_box_in_its_header(tmp_path: Path):
    result = build(BuildOptions(ROOT / "content", tmp_path / "site", TEMPLATES))
    assert result.ok
    for path in (tmp_path / "site").rglob("*.html"):
        if path.parent.name == "search":
            continue
        form = soup(path).find("header").find("form", attrs={"role": "search"})
        assert form is not None and form.get("aria-label"), path
        assert form.find("label")["for"] == form.find("input", attrs={"name": "q"})["id"]
        assert form["action"].endswith(("search/index.html", "/search/")), path


def test_a_large_index_is_split_into_shards_with_each_page_in_one(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    assert build(options).ok
    shards = bundles(options.out)
    assert len(shards) == -(-INDEXED // 2)
    assert all((bundle / "pagefind.js").is_file() for bundle in shards)
    assert len(fragments(options.out)) == INDEXED  # each indexed page in exactly one shard


def test_any_page_count_and_shard_size_leave_no_shard_empty():
    """Pagefind refuses a folder of no pages, and the hash may give a shard none (9
    pages in shards of 2: one of 5 shards was empty). Every shard has a page, every
    page is in one shard, at `shard_of`'s place; a count that leaves none empty is kept
    (such an index is what it was before the fix)."""
    for total in range(1, 60):
        pages = {f"conditions/c{number}/index.html": str(number) for number in range(total)}
        for size in range(1, total + 2):
            shards = search.split(pages, size)
            count = len(shards)
            assert all(shards), (total, size)
            assert sorted(name for shard in shards for name in shard) == sorted(pages)
            assert all(search.shard_of(name, count) == n
                       for n, shard in enumerate(shards) for name in shard)  # fmt: skip
            ceiling = -(-total // size)
            kept = all(any(search.shard_of(name, ceiling) == n for name in pages)
                       for n in range(ceiling))  # fmt: skip
            assert count == ceiling if kept else count < ceiling, (total, size)


def test_a_shard_the_hash_leaves_empty_is_not_made(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    """The minimal site's 5 pages in shards of 1: by the hash alone one of 5 shards is
    empty, and the build failed with Pagefind's "not able to build an index"."""
    count = INDEXED
    names = fragments_of_one_index(options)
    assert len(names) == count and "conditions/alpha/index.html" in names
    assert not all(any(search.shard_of(name, count) == n for name in names) for n in range(count))
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    result = build(options)
    assert result.ok, "\n".join(map(str, result.findings))
    shards = bundles(options.out)
    assert 1 < len(shards) < INDEXED and all(
        (bundle / "pagefind.js").is_file() for bundle in shards
    )
    assert len(fragments(options.out)) == INDEXED


def fragments_of_one_index(options: BuildOptions) -> list[str]:
    """The output paths of the pages an index of `options`' site holds (built once,
    in one shard)."""
    assert build(options).ok
    return [search.output_path(url.lstrip("/")) for url in fragments(options.out)]


def test_an_edit_indexes_again_only_the_shard_that_holds_the_page(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    session = Session(options)
    session.build()
    before = entry_inodes(options.out)
    indexed: list[list[str]] = []
    real = search.index_shard

    def spy(folder: Path, output: Path, pages, keep_index_url: bool) -> None:
        indexed.append(list(pages))
        real(folder, output, pages, keep_index_url)

    monkeypatch.setattr(search, "index_shard", spy)
    alpha = options.content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has zebrafish"))
    assert session.build().ok
    [pages] = indexed
    assert "conditions/alpha/index.html" in pages and len(pages) <= 3
    after = entry_inodes(options.out)
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 1  # the other shards are the same files, hard-linked
    assert "zebrafish" in fragments(options.out)["/conditions/alpha/index.html"]["content"]


class Overlap:
    """A stand-in for `run_pagefind` that runs the real one and records how many ran
    at once. With `wait`, each waits (up to 5 s) for another to start before it goes on."""

    def __init__(self, wait: bool, fail: str | None = None) -> None:
        self.real, self.wait, self.fail = search.run_pagefind, wait, fail
        self.running = self.most = 0
        self.lock, self.company = threading.Lock(), threading.Event()

    def __call__(self, site: Path, output: Path, keep_index_url: bool) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            if self.running > 1:
                self.company.set()
        if self.wait:
            self.company.wait(timeout=5)
        try:
            if output.name == self.fail:
                raise search.SearchIndexError(site, f"a failure planted in shard {self.fail}")
            self.real(site, output, keep_index_url)
        finally:
            with self.lock:
                self.running -= 1


def index_files(out: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(out / "pagefind").items()}


def test_shards_are_indexed_side_by_side_into_the_same_index_as_one_at_a_time(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    made = {}
    for jobs in (1, 2):
        overlap = Overlap(wait=jobs > 1)
        monkeypatch.setattr(search, "run_pagefind", overlap)
        out = options.out.with_name(f"site-{jobs}")
        assert build(replace(options, out=out, jobs=jobs)).ok
        assert overlap.most == jobs
        made[jobs] = index_files(out)
    assert len(bundles(options.out.with_name("site-2"))) == 3
    assert made[1] == made[2]


def test_a_shard_that_fails_beside_others_keeps_the_previous_site(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    build(options)
    before = snapshot(options.out)
    base = options.templates / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- every page changed -->\n</body>"))
    overlap = Overlap(wait=True, fail="1")
    monkeypatch.setattr(search, "run_pagefind", overlap)
    broken = build(replace(options, jobs=2))
    assert not broken.written and overlap.most == 2
    [problem] = broken.errors
    assert problem.field == "search" and "a failure planted in shard 1" in problem.message
    assert snapshot(options.out) == before
    assert list(options.out.parent.glob(".*search-*")) == []
    assert list(options.out.parent.glob(".site.tmp-*")) == []


def current_index(out: Path) -> dict[str, str]:
    """What a search finds of each page, by URL, as the search page reads the index:
    every bundle's pages but the stale ones, each id once."""
    listing = json.loads((out / "pagefind/shards.json").read_text())
    stale, found, seen = set(listing.get("stale", [])), {}, set()
    for bundle in bundles(out):
        for path in sorted((bundle / "fragment").iterdir()):
            page_id = path.name.removesuffix(".pf_fragment")
            if page_id in stale or page_id in seen:
                continue
            seen.add(page_id)
            data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
            fragment = json.loads(data)
            assert fragment["url"] not in found, "a page is found twice"
            found[fragment["url"]] = fragment["content"]
    return found


@pytest.fixture
def overlaid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overlays on the small test site: 5 pages, shards of 2, an overlay of 1 page
    changed and 1 unchanged page of ballast."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    monkeypatch.setattr(search, "OVERLAY_PAGES", 1)
    monkeypatch.setattr(search, "BALLAST_PAGES", 1)


def test_a_small_edit_goes_into_an_overlay_and_the_shards_stay(
    options: BuildOptions, overlaid, tmp_path: Path
):
    session = Session(options)
    session.build()
    shards = entry_inodes(options.out)
    before = current_index(options.out)
    alpha = options.content / "conditions/alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has zebrafish"))
    session.build()
    listing = json.loads((options.out / "pagefind/shards.json").read_text())
    assert listing["overlays"] == ["overlay/"] and len(listing["stale"]) == 1
    overlay = options.out / "pagefind/overlay/fragment"
    assert len(list(overlay.iterdir())) == 2  # the edited page and the ballast
    indexed = len(before)
    assert listing["pages"] == {"shard": round(indexed / len(shards)), "overlays": [2]}
    after = entry_inodes(options.out)
    assert {name: after[name] for name in shards} == shards  # every shard kept as it was
    found = current_index(options.out)
    assert found.keys() == before.keys()
    assert "zebrafish" in found["/conditions/alpha/index.html"]
    fresh = replace(options, out=tmp_path / "fresh")
    assert build(fresh).ok and current_index(fresh.out) == found

    beta = options.content / "conditions/beta.md"  # a second change: past the overlay's size
    beta.write_text(beta.read_text().replace("Beta", "Betamax", 1))
    third = session.build()
    assert third.ok
    listing = json.loads((options.out / "pagefind/shards.json").read_text())
    assert "overlays" not in listing and "stale" not in listing
    assert not (options.out / "pagefind/overlay").exists()
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)


@pytest.mark.parametrize("made_cached", [True, False], ids=["shards-made-cached", "not-kept"])
def test_the_page_ids_of_a_shard_are_kept_for_edits(
    options: BuildOptions,
    overlaid,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    made_cached: bool,
):
    """To list a changed page's old entry in its shard as stale, an edit needs
    Pagefind's page ids of the shard's pages, which only its fragment files tell
    (about 1,000 at full size). A build keeps those of the shards it indexes, read
    as it makes them, so no edit in a new process reads a shard's fragments. Where
    they were not kept (the shards made by a build that kept nothing), the first edit
    in a shard reads them and keeps them for the next."""
    monkeypatch.setattr(search, "OVERLAY_PAGES", 2)
    conditions = options.content / "conditions"
    copy = (conditions / "beta.md").read_text()
    for name in ("Gamma", "Epsilon", "Zeta"):  # a site large enough for an overlay of 2
        (conditions / f"{name.lower()}.md").write_text(copy.replace("Beta", name))
    cached = replace(options, cache=True)
    assert build(replace(options, cache=made_cached)).ok
    count = len(bundles(options.out))
    shards: dict[int, list[str]] = {}
    for slug in ("alpha", "beta", "gamma", "epsilon", "zeta"):  # five pages, four shards
        shards.setdefault(search.shard_of(f"conditions/{slug}/index.html", count), []).append(slug)
    number, slugs = next((number, slugs) for number, slugs in shards.items() if len(slugs) > 1)
    read: list[str] = []
    page_ids = search.page_ids
    monkeypatch.setattr(
        search, "page_ids", lambda bundle: read.append(bundle.name) or page_ids(bundle)
    )
    for slug, word in zip(slugs[:2], ("zebrafish", "okapi"), strict=True):
        path = conditions / f"{slug}.md"
        path.write_text(path.read_text().replace("\n## ", f"\nA {word}.\n\n## ", 1))
        assert build(cached).ok
    shard_read = [] if made_cached else [str(number)]  # the shard's fragments: once at most
    assert read == [*shard_read, "overlay", "recent"]  # the second edit: the recent layer
    listing = json.loads((options.out / "pagefind/shards.json").read_text())
    assert len(listing["stale"]) == 2
    fresh = replace(options, out=tmp_path / "fresh")
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)


def test_a_fragment_s_page_url_is_read_from_its_first_bytes_where_pagefind_puts_it(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    """An edit reads a shard's page ids from its fragment files: each is a page's
    whole text, gzipped JSON with the URL first, so only the start is decompressed.
    Every id is the one the whole file gives; a URL with escapes is read as written,
    and a fragment laid out otherwise is read whole."""
    assert build(options).ok
    for bundle in bundles(options.out):
        whole = {}
        for path in (bundle / "fragment").glob("*.pf_fragment"):
            fields = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
            whole[fields["url"].lstrip("/")] = path.name.removesuffix(".pf_fragment")
        assert whole and search.page_ids(bundle) == {
            search.output_path(url): page for url, page in whole.items()
        }
    text, url = "word " * 50_000, '/conditions/a "quoted" \\ name/\u00e9/'
    first, last = (
        gzip.compress(b"pagefind_dcd" + json.dumps(fields, separators=(",", ":")).encode())
        for fields in ({"url": url, "content": text}, {"content": text, "url": url})
    )
    whole_read = gzip.decompress
    monkeypatch.setattr(search.gzip, "decompress", lambda data: pytest.fail("read whole"))
    assert search.fragment_url(first) == url
    monkeypatch.setattr(search.gzip, "decompress", whole_read)
    assert search.fragment_url(last) == url


def test_an_overlay_drops_removed_pages_and_adds_new_ones(
    options: BuildOptions, overlaid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    conditions = options.content / "conditions"
    copy = (conditions / "beta.md").read_text()
    for name in ("Gamma", "Epsilon", "Zeta"):  # a site large enough for an overlay of 2
        (conditions / f"{name.lower()}.md").write_text(copy.replace("Beta", name))
    session = Session(options)
    session.build()
    assert "/conditions/gamma/index.html" in current_index(options.out)
    (conditions / "gamma.md").unlink()
    second = session.build()
    assert second.ok
    assert json.loads((options.out / "pagefind/shards.json").read_text())["stale"]
    assert "/conditions/gamma/index.html" not in current_index(options.out)
    fresh = replace(options, out=tmp_path / "fresh")
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)
    monkeypatch.setattr(search, "OVERLAY_PAGES", 2)  # room for a new page in the overlay
    (conditions / "delta.md").write_text(copy.replace("Beta", "Delta"))
    assert session.build().ok
    assert "overlays" in json.loads((options.out / "pagefind/shards.json").read_text())
    assert "/conditions/delta/index.html" in current_index(options.out)
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)


@pytest.fixture
def layered(options: BuildOptions, overlaid, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An overlay of up to 4 pages in two layers, the recent one of up to 2, on a site
    large enough for it (the minimal site and six conditions more); its conditions."""
    monkeypatch.setattr(search, "OVERLAY_PAGES", 4)
    monkeypatch.setattr(search, "RECENT_PAGES", 2)
    conditions = options.content / "conditions"
    copy = (conditions / "beta.md").read_text()
    for name in ("Gamma", "Epsilon", "Zeta", "Eta", "Theta", "Iota"):
        (conditions / f"{name.lower()}.md").write_text(copy.replace("Beta", name))
    return conditions


def test_edits_after_the_overlay_is_made_go_into_its_recent_layer_until_they_are_many(
    options: BuildOptions, layered: Path, tmp_path: Path
):
    """The overlay is kept as it was made while the pages changed since then (up to
    `RECENT_PAGES`) go into its recent layer, so that an edit indexes those few pages,
    not every page changed since the shards were made: a page edited again, a page
    changed back to what its shard holds. Past `RECENT_PAGES` the
    overlay is made again with every changed page and the recent layer goes. After
    every build, search finds what a fresh index finds."""
    conditions = layered
    session = Session(options)
    assert session.build().ok
    fresh = replace(options, out=tmp_path / "fresh")
    original = (conditions / "alpha.md").read_text()

    def edit(slug: str, word: str) -> None:
        path = conditions / f"{slug}.md"
        path.write_text(path.read_text().replace("\n## ", f"\nA {word}.\n\n## ", 1))

    def layers() -> list[str]:
        assert session.build().ok
        assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)
        return json.loads((options.out / "pagefind/shards.json").read_text()).get("overlays", [])

    edit("alpha", "zebrafish")
    assert layers() == ["overlay/"]
    overlay = entry_inodes(options.out)["overlay"]
    edit("beta", "okapi")
    assert layers() == ["overlay/", "recent/"]
    edit("alpha", "quokka")  # edited again: its entry in the overlay is stale
    assert layers() == ["overlay/", "recent/"]
    assert "quokka" in current_index(options.out)["/conditions/alpha/index.html"]
    assert entry_inodes(options.out)["overlay"] == overlay  # the overlay as it was made
    (conditions / "alpha.md").write_text(original)  # as its shard holds it
    assert layers() == ["overlay/", "recent/"]
    edit("gamma", "ibex")  # a third recent page: the overlay is made again
    assert layers() == ["overlay/"]
    assert entry_inodes(options.out)["overlay"] != overlay
    assert not (options.out / "pagefind/recent").exists()
    edit("epsilon", "tapir")
    assert layers() == ["overlay/", "recent/"]


def test_a_page_removed_after_the_overlay_is_made_is_found_in_no_layer(
    options: BuildOptions, layered: Path, tmp_path: Path
):
    """A page the shards and the overlay hold, removed once the recent layer is made:
    its entries in both are stale, and search finds it nowhere."""
    conditions = layered
    extra = options.content / "pages/extra.md"  # in no navigation: no other page changes
    extra.write_text("---\ntitle: Extra\nsummary: A page to remove.\n---\n## Extra\n\nA walrus.\n")
    session = Session(options)
    assert session.build().ok
    fresh = replace(options, out=tmp_path / "fresh")
    beta = conditions / "beta.md"
    layers = []
    for change in (
        lambda: extra.write_text(extra.read_text().replace("A walrus.", "A narwhal.")),
        lambda: beta.write_text(beta.read_text().replace("\n## ", "\nA heron.\n\n## ", 1)),
        extra.unlink,
    ):
        change()
        assert session.build().ok
        assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)
        listing = json.loads((options.out / "pagefind/shards.json").read_text())
        layers.append(listing.get("overlays"))
    assert layers == [["overlay/"], ["overlay/", "recent/"], ["overlay/", "recent/"]]
    assert not any(
        "narwhal" in text or "walrus" in text for text in current_index(options.out).values()
    )
    assert len(listing["stale"]) == 3  # extra's entries in its shard and the overlay, beta's


def test_pages_changed_while_serving_go_into_the_next_build_s_overlay(
    options: BuildOptions, overlaid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`serve` keeps the index it has; the next build indexes only what changed meanwhile
    (an edit and a new page, in two rebuilds)."""
    monkeypatch.setattr(search, "OVERLAY_PAGES", 2)
    conditions = options.content / "conditions"
    copy = (conditions / "beta.md").read_text()
    for name in ("Epsilon", "Zeta"):  # a site large enough for an overlay of 2
        (conditions / f"{name.lower()}.md").write_text(copy.replace("Beta", name))
    serving = replace(options, keep_search_index=True)
    session = Session(serving)
    session.build()
    shards = entry_inodes(options.out)
    alpha = conditions / "alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has zebrafish"))
    second = session.build()
    assert second.ok
    assert "zebrafish" not in current_index(options.out)["/conditions/alpha/index.html"]
    (conditions / "gamma.md").write_text(copy.replace("Beta", "Gamma"))
    assert session.build().ok
    assert "/conditions/gamma/index.html" not in current_index(options.out)
    assert build(options).ok  # the next `python build.py`, in a new process
    after = entry_inodes(options.out)
    assert {name: after[name] for name in shards} == shards  # the shards were kept
    assert "overlays" in json.loads((options.out / "pagefind/shards.json").read_text())
    fresh = replace(options, out=tmp_path / "fresh")
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)


def test_a_build_after_serve_indexes_what_serve_kept_out_though_no_page_changes(
    options: BuildOptions, overlaid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A build that writes nothing (its pages are the live ones) still indexes the
    pages `serve` changed after the last overlay was made."""
    monkeypatch.setattr(search, "OVERLAY_PAGES", 2)
    conditions = options.content / "conditions"
    copy = (conditions / "beta.md").read_text()
    for name in ("Epsilon", "Zeta"):  # a site large enough for an overlay of 2
        (conditions / f"{name.lower()}.md").write_text(copy.replace("Beta", name))
    alpha, beta = conditions / "alpha.md", conditions / "beta.md"
    assert build(options).ok
    alpha.write_text(alpha.read_text().replace("Alpha has symptoms", "Alpha has zebrafish"))
    assert build(options).ok
    overlay = options.out / "pagefind/overlay/pagefind-entry.json"
    assert overlay.is_file()  # alpha's
    session = Session(replace(options, keep_search_index=True))
    assert session.build().ok
    beta.write_text(beta.read_text().replace("Beta", "Beta quokka", 1))
    assert session.build().ok
    assert "quokka" not in current_index(options.out)["/conditions/beta/index.html"]
    live = options.out.stat().st_ino
    assert build(options).ok  # the same pages, so only the index is new
    assert options.out.stat().st_ino != live
    assert "quokka" in current_index(options.out)["/conditions/beta/index.html"]
    live = options.out.stat().st_ino
    assert build(options).ok and options.out.stat().st_ino == live  # now nothing to do
    fresh = replace(options, out=tmp_path / "fresh")
    assert build(fresh).ok and current_index(options.out) == current_index(fresh.out)


def copied_anew(path: Path) -> None:
    """The same bytes in a new file (a linked file written in place would change the
    live one too)."""
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)


def test_serve_keeps_the_index_whole_and_links_it_again_only_when_the_spare_differs(
    options: BuildOptions, monkeypatch: pytest.MonkeyPatch
):
    """While serving, each new folder gets the live index: the spare folder already
    has it (judged by its entry files, without walking it), or it is linked afresh."""
    linked: list[Path] = []
    real = search.link_tree

    def spy(old: Path, new: Path) -> bool:
        linked.append(new)
        return real(old, new)

    monkeypatch.setattr(search, "link_tree", spy)
    serving = replace(options, keep_search_index=True)
    alpha = options.content / "conditions/alpha.md"
    session = Session(serving)
    result = session.build()
    index = search.inodes(options.out / "pagefind")
    for number in range(3):
        alpha.write_text(alpha.read_text().replace("symptoms", f"symptoms {number}", 1))
        result = session.build()
        assert result.ok and search.inodes(options.out / "pagefind") == index
    assert linked == []  # the first build left a spare of links, which has the index
    [spare] = options.out.parent.glob(f".{options.out.name}.spare-*")
    for tamper in (
        lambda bundle: copied_anew(bundle / "0/pagefind-entry.json"),
        lambda bundle: (bundle / "leftover").mkdir(),
        lambda bundle: (bundle / "shards.json").unlink(),
    ):
        [spare] = options.out.parent.glob(f".{options.out.name}.spare-*")
        spare_index = spare / "pagefind"
        (spare_index / "0/pagefind-entry.json").unlink()
        real(options.out / "pagefind", spare_index)  # as the live one, then
        tamper(spare_index)
        assert not search.same_index(options.out / "pagefind", spare_index)
        linked.clear()
        alpha.write_text(alpha.read_text().replace("symptoms", "symptoms again", 1))
        result = session.build()
        assert result.ok and linked and search.inodes(options.out / "pagefind") == index


def test_two_builds_of_a_site_in_three_languages_are_the_same_byte_for_byte(
    sample_site: Path, tmp_path: Path
):
    """Pagefind lists a bundle's languages in an order that changes from run to run:
    two clean builds of the sample site (English, Spanish, Arabic) differed in
    pagefind-entry.json alone. The build writes them in order of their codes. The
    second build runs as the command line does, in a process of its own (another
    order of Python's sets of text, too)."""
    again = tmp_path / "site"
    done = run_cli("build", "--no-cache", "--out", str(again))
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = snapshot(sample_site), snapshot(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name][0] != second[name][0]] == []  # the bytes
    listed = json.loads((again / ENTRY).read_text("utf-8"))["languages"]
    assert list(listed) == ["ar", "en", "es"]


def test_an_entry_files_languages_are_put_in_order_and_nothing_else_changes(tmp_path: Path):
    written = {"version": "1.5.2", "languages": {"es": {"hash": "es_1", "page_count": 3},
               "en": {"hash": "en_2", "page_count": 9}}, "include_characters": ["_", "‿"]}  # fmt: skip
    path = tmp_path / "pagefind-entry.json"
    path.write_text(json.dumps(written, ensure_ascii=False, separators=(",", ":")), "utf-8")
    search.languages_in_order(path)
    assert path.read_text("utf-8") == (
        '{"version":"1.5.2","languages":{"en":{"hash":"en_2","page_count":9},'
        '"es":{"hash":"es_1","page_count":3}},"include_characters":["_","‿"]}'
    )
    before = path.stat().st_ino
    search.languages_in_order(path)  # in order already: not written again
    assert path.stat().st_ino == before
