"""The store kept between builds (`.cache/`), and parallel builds: never a different
result, only a faster one."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import jinja2
import pytest

from conftest import ROOT, build_site, counting_compiles, run_cli, snapshot
from sitegen import build as build_module
from sitegen import parallel
from sitegen import search as search_module
from sitegen import store as store_module
from sitegen.build import BuildOptions, BuildResult, Session, build
from sitegen.findings import Severity
from sitegen.render import CompiledTemplates
from sitegen.store import Store, cache_path

CODE = CompiledTemplates.STEP


def cached(content: Path, out: Path, templates: Path, **options):
    return build(BuildOptions(content=content, out=out, templates=templates, cache=True, **options))


def contents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(folder).items()}


def same_as_clean_build(content: Path, templates: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert build_site(content, clean, templates).ok
    assert contents(out) == contents(clean)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def primed(content: Path, templates: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    first = cached(content, out, templates)
    assert first.ok and first.written and cache_path(content).is_file()
    return out


def test_an_unchanged_rebuild_renders_nothing_and_keeps_every_file(
    primed: Path, content: Path, templates: Path, tmp_path: Path
):
    before = contents(primed)
    again = cached(content, primed, templates)
    assert again.ok and again.written and again.rendered == []
    assert contents(primed) == before
    same_as_clean_build(content, templates, primed, tmp_path)


def test_a_deleted_site_is_restored_from_the_cache(
    primed: Path, content: Path, templates: Path, tmp_path: Path
):
    before = contents(primed)
    (primed / "conditions" / "alpha" / "index.html").unlink()
    assert cached(content, primed, templates).written
    assert contents(primed) == before


def test_a_kept_page_s_bytes_are_read_only_when_the_site_lacks_them(
    primed: Path, content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    read: list[str] = []
    real = store_module.Store.data

    def counting(store, step: str, key: str) -> bytes | None:
        if step == "page":
            read.append(key)
        return real(store, step, key)

    monkeypatch.setattr(store_module.Store, "data", counting)
    change_body(content, templates)
    assert cached(content, primed, templates).ok and read == []
    edit(content / ALPHA, "Alpha shows symptoms", "Alpha shows some symptoms")
    for folder in [primed, *primed.parent.glob(f".{primed.name}.spare-*")]:
        shutil.rmtree(folder)
    result = cached(content, primed, templates)
    kept = {page.url for page in result.pages if not isinstance(page.packed, bytes)}
    assert result.ok and "conditions/beta/" in kept and sorted(read) == sorted(kept)
    same_as_clean_build(content, templates, primed, tmp_path)


PAGES = {"about/", "how-we-rate-evidence/"}
ALPHA = Path("conditions") / "alpha.md"


def change_body(c: Path, t: Path) -> None:
    edit(c / ALPHA, "Alpha has symptoms", "Alpha shows symptoms")


def change_title(c: Path, t: Path) -> None:
    edit(c / ALPHA, "title: Alpha condition", "title: Alpha renamed")


def change_template(c: Path, t: Path) -> None:
    edit(t / "page.html", "{% block content %}", "{% block content %}<p>Page</p>")


def change_include(c: Path, t: Path) -> None:
    edit(t / "partials" / "footer.html", "</footer>", "<p>More</p></footer>")


def change_site(c: Path, t: Path) -> None:
    edit(c / "site.yaml", "title: Test Site", "title: Test Site Two")


def change_catalogue(c: Path, t: Path) -> None:
    edit(c / "packages.yaml", "duration_days: 10", "duration_days: 11")


def change_asset(c: Path, t: Path) -> None:
    (t / "static" / "site.css").write_text("body{}", "utf-8")


# kind: (change, pages that must be rendered again or "all", pages that must not be)
EDITS = {
    "body": (change_body, {"conditions/alpha/"}, PAGES | {"conditions/beta/", ""}),
    "title": (
        change_title,
        {"conditions/alpha/", "conditions/", ""},
        PAGES | {"conditions/beta/", "packages/test-package/"},  # its package is for beta
    ),
    "claims rule": (
        lambda c, t: (c / "claims.yaml").write_text("disable: [absolute-safety]\n", "utf-8"),
        set(),
        PAGES | {"conditions/alpha/", ""},  # no page shows the rules
    ),
    "template": (change_template, PAGES, {"conditions/alpha/", "packages/test-package/"}),
    "include": (change_include, "all", set()),
    "site.yaml": (change_site, "all", set()),
    "catalogue": (change_catalogue, {"packages/", "packages/test-package/"}, PAGES),
    "asset": (change_asset, "all", set()),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_kind_of_change_renders_what_it_should_and_equals_a_clean_build(
    kind: str, primed: Path, content: Path, templates: Path, tmp_path: Path
):
    change, expected, unaffected = EDITS[kind]
    change(content, templates)
    result = cached(content, primed, templates)
    assert result.ok and result.written
    html = {url for url in result.rendered if url.endswith("/") or url == ""}
    if expected == "all":
        assert len(html) >= 8
    elif not expected:
        assert html == set()
    else:
        assert expected <= html, sorted(html)
        assert not html & unaffected, sorted(html)
    same_as_clean_build(content, templates, primed, tmp_path)


def test_a_new_generator_version_rebuilds_everything(
    primed: Path, content: Path, templates: Path, monkeypatch
):
    monkeypatch.setattr("sitegen.build.__version__", "99.0")
    build_module.code_print.cache_clear()
    try:
        result = cached(content, primed, templates)
    finally:
        build_module.code_print.cache_clear()
    assert result.ok and len(result.rendered) >= 8


def test_a_corrupt_cache_is_ignored_with_a_warning(
    primed: Path, content: Path, templates: Path, tmp_path: Path
):
    cache_path(content).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(cache_path(content)) + suffix).unlink(missing_ok=True)
    result = cached(content, primed, templates)
    assert result.ok and result.written
    assert [f.field for f in result.warnings] == ["cache"]
    assert "set aside" in result.warnings[0].message
    same_as_clean_build(content, templates, primed, tmp_path)
    assert cached(content, primed, templates).warnings == []


def test_a_foreign_sqlite_file_is_not_trusted(content: Path, templates: Path, tmp_path: Path):
    path = cache_path(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '0'), ('generator', 'other')")
        db.execute("CREATE TABLE entries (url TEXT)")
    out = tmp_path / "site"
    result = cached(content, out, templates)
    assert result.ok and len(result.rendered) >= 8
    same_as_clean_build(content, templates, out, tmp_path)


def test_failed_builds_are_not_recorded(primed: Path, content: Path, templates: Path):
    before = contents(primed)
    edit(content / "conditions" / "alpha.md", "evidence: established", "evidence: nope")
    assert not cached(content, primed, templates).ok
    edit(content / "conditions" / "alpha.md", "evidence: nope", "evidence: established")
    again = cached(content, primed, templates)
    assert again.ok and contents(primed) == before


def test_no_cache_and_clean_from_the_command_line(content: Path, templates: Path):
    work = content.parent
    args = ("--content", "content", "--templates", str(templates), "--out", "site")
    assert run_cli("build", "--no-cache", *args, cwd=work).returncode == 0
    assert not (work / ".cache").exists()
    alpha = content / "conditions" / "alpha.md"
    alpha.write_text(alpha.read_text() + "\nMore.\n")  # a new site: the last is the spare
    assert run_cli("build", *args, cwd=work).returncode == 0
    assert (work / ".cache" / "sitegen.sqlite").is_file()
    assert list(work.glob(".site.spare-*")) and (work / ".site.manifest.json").is_file()
    result = run_cli("clean", "--content", "content", "--out", "site", cwd=work)
    assert result.returncode == 0 and "sitegen.sqlite" in result.stdout and "site/" in result.stdout
    assert not (work / "site").exists() and not (work / ".cache" / "sitegen.sqlite").exists()
    assert sorted(p.name for p in work.glob(".site*")) == [".site.lock"]  # spare and manifest gone


def test_a_parallel_build_is_byte_identical_to_one_process(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    for number in range(12):
        (content / "conditions" / f"copy-{number}.md").write_text(
            (content / "conditions" / "alpha.md")
            .read_text("utf-8")
            .replace("Alpha condition", f"Copy {number}"),
            "utf-8",
        )
    monkeypatch.setattr(parallel, "MIN_ITEMS", 4)
    one = build(BuildOptions(content=content, out=tmp_path / "one", templates=templates, jobs=1))
    two = build(BuildOptions(content=content, out=tmp_path / "two", templates=templates, jobs=2))
    assert one.ok and two.ok
    assert contents(tmp_path / "one") == contents(tmp_path / "two")
    assert [str(f) for f in one.findings] == [str(f) for f in two.findings]


def test_pages_checked_where_they_are_rendered_report_what_one_process_reports(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    """The output checks run in the worker that renders a page: a page that fails them
    is reported there as in one process."""
    alpha = (content / "conditions" / "alpha.md").read_text("utf-8")
    for number in range(12):
        (content / "conditions" / f"copy-{number}.md").write_text(
            alpha.replace("Alpha condition", f"Copy {number}"), "utf-8"
        )
    condition = templates / "condition.html"
    condition.write_text(
        condition.read_text("utf-8").replace(
            "{% block content %}\n",
            '{% block content %}\n<p id="twice"></p><p id="twice"></p>\n',
            1,
        ),
        "utf-8",
    )
    monkeypatch.setattr(parallel, "MIN_ITEMS", 4)
    one = build(BuildOptions(content=content, out=tmp_path / "one", templates=templates, jobs=1))
    two = build(BuildOptions(content=content, out=tmp_path / "two", templates=templates, jobs=2))
    twice = [str(f) for f in two.findings if "found twice more than once" in f.message]
    assert len(twice) == 14  # alpha, beta and the 12 copies
    assert [str(f) for f in one.findings] == [str(f) for f in two.findings]


def test_a_page_rendered_again_into_the_same_bytes_is_not_checked_again(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    """A template comment changes what every page read, not what it shows: each page is
    rendered again, and the store's checks of its unchanged output stand."""
    from sitegen import check as check_module

    options = BuildOptions(content, tmp_path / "site", templates, cache=True, jobs=1)
    assert build(options).ok
    checked: list[str] = []
    check_page = check_module.check_page
    monkeypatch.setattr(check_module, "check_page",
                        lambda page, *rest: checked.append(page.url) or check_page(page, *rest))  # fmt: skip
    base = templates / "base.html"
    base.write_text("{# a note for the next editor #}" + base.read_text("utf-8"), "utf-8")
    again = build(options)
    assert again.ok and "conditions/alpha/" in again.rendered
    assert checked == []
    alpha = content / "conditions" / "alpha.md"
    alpha.write_text(alpha.read_text("utf-8").replace("Alpha condition", "Alpha renamed", 1))
    assert build(options).ok
    assert "conditions/alpha/" in checked  # a page whose bytes changed is checked


def test_parallel_map_keeps_order_and_uses_workers(monkeypatch):
    import os

    monkeypatch.setattr(parallel, "MIN_ITEMS", 4)
    import time

    pids = parallel.parallel_map(
        lambda _: (time.sleep(0.01), os.getpid())[1], list(range(40)), jobs=2
    )
    squares = parallel.parallel_map(lambda n: n * n, list(range(40)), jobs=2)
    assert squares == [n * n for n in range(40)]
    assert len(set(pids)) == 2 and os.getpid() not in pids


def test_progress_is_reported_up_to_the_total(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 4)
    for jobs in (1, 2):
        seen: list[tuple[int, int]] = []
        parallel.parallel_map(
            lambda n: n, list(range(60)), jobs, lambda d, t, s=seen: s.append((d, t))
        )
        assert seen and seen[-1] == (60, 60) and all(t == 60 for _, t in seen)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_build_reports_each_long_stage_up_to_its_total(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(search_module, "SHARD_PAGES", 2)  # 5 indexed pages: 3 shards
    seen: list[tuple[str, int, int]] = []
    options = BuildOptions(
        content, tmp_path / "site", templates, progress=lambda *a: seen.append(a)
    )
    result = build(options)
    assert result.ok and result.written
    stages = list(dict.fromkeys(name for name, _, _ in seen))
    assert stages == [
        "Reading content",
        "Checking claims",
        "Checking quality",
        "Rendering and checking pages",  # each page checked where it is rendered
        "Indexing search shards",
    ]
    last = {name: (done, total) for name, done, total in seen}
    assert last["Reading content"] == (4, 4)  # 2 conditions and 2 pages
    # the pages of the site's documents and more
    rendered, to_render = last["Rendering and checking pages"]
    assert rendered == to_render and 4 < to_render <= len(result.pages)
    assert [(d, t) for name, d, t in seen if name == "Indexing search shards"] == [
        (1, 3),
        (2, 3),
        (3, 3),
    ]
    assert all(done <= total for _, done, total in seen)


def test_a_new_day_renders_and_checks_again_only_what_the_date_changes(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    """Pages compare today's date with their review date; a new day renders again only
    the pages where that answer changed, and quality checks only documents past a
    review date. Each build equals a clean build of its day, findings included."""
    checked: list[str] = []
    real = build_module.check_document
    monkeypatch.setattr(
        build_module,
        "check_document",
        lambda doc, *rest, **named: checked.append(doc.content_path) or real(doc, *rest, **named),
    )
    out = tmp_path / "site"

    def on(day: date) -> tuple[BuildResult, list[str]]:
        """The cached build of `day` and the documents it checked for quality."""
        checked.clear()
        result = cached(content, out, templates, today=day)
        assert result.ok and result.written
        checked_here = list(checked)
        clean = build(BuildOptions(content, tmp_path / f"clean-{day}", templates, today=day))
        assert contents(out) == contents(tmp_path / f"clean-{day}")
        assert [str(f) for f in result.findings] == [str(f) for f in clean.findings]
        return result, checked_here

    first, _ = on(date(2026, 6, 1))
    assert len(first.rendered) >= 10
    next_day, checked_next_day = on(date(2026, 6, 2))
    assert next_day.rendered == [] and checked_next_day == []
    page_due, checked_page_due = on(date(2027, 1, 10))  # a page's review fell due on 01-01
    assert page_due.rendered == ["how-we-rate-evidence/"]
    assert checked_page_due == ["pages/how-we-rate-evidence.md"]
    overdue, checked_overdue = on(date(2027, 1, 16))  # alpha's review was due on 2027-01-15
    assert overdue.rendered == ["conditions/alpha/"]
    assert checked_overdue == ["conditions/alpha.md", "pages/how-we-rate-evidence.md"]
    assert "Review overdue" in (out / "conditions/alpha/index.html").read_text("utf-8")
    assert any("1 day overdue" in f.message for f in overdue.findings)
    later, checked_later = on(date(2027, 1, 17))  # the findings count one day more
    assert later.rendered == [] and checked_later == checked_overdue


def test_a_template_that_prints_the_date_renders_its_pages_again_every_day(
    content: Path, templates: Path, tmp_path: Path
):
    edit(templates / "page.html", "{% block content %}", "{% block content %}<p>{{ today }}</p>")
    out = tmp_path / "site"
    assert cached(content, out, templates, today=date(2026, 6, 1)).ok
    next_day = cached(content, out, templates, today=date(2026, 6, 2))
    assert sorted(next_day.rendered) == sorted(PAGES)
    assert "2026-06-02" in (out / "about/index.html").read_text("utf-8")


def test_serve_rebuilds_keep_the_search_index(content: Path, templates: Path, tmp_path: Path):
    out = tmp_path / "site"
    options = BuildOptions(content=content, out=out, templates=templates, keep_search_index=True)
    session = Session(options)
    session.build()
    index = next((out / "pagefind/0").glob("pagefind-entry.json"))
    before = index.stat().st_ino
    edit(content / ALPHA, "Alpha has symptoms", "Alpha shows symptoms")
    again = session.rebuild([content / ALPHA])
    assert again.ok and again.written and again.rendered
    assert (out / "pagefind/0" / index.name).stat().st_ino == before  # linked, not re-indexed
    fresh = build(BuildOptions(content=content, out=out, templates=templates))
    assert (out / "pagefind/0" / index.name).stat().st_ino != before  # a full build re-indexes
    assert fresh.ok


def test_unchanged_files_are_not_linted_again_and_their_findings_still_count(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    edit(content / "conditions" / "beta.md", "Beta has causes.", "The treatment is very effective.")
    out = tmp_path / "site"
    first = cached(content, out, templates, jobs=1)
    assert any("beta.md" in f.path for f in first.findings)
    linted: list[str] = []
    real_lint = build_module.lint

    def counting_lint(documents, rules):
        linted.extend(doc.content_path for doc in documents)
        return real_lint(documents, rules)

    monkeypatch.setattr(build_module, "lint", counting_lint)
    change_body(content, templates)
    again = cached(content, out, templates, jobs=1)
    assert linted == ["conditions/alpha.md"]
    fresh = build(BuildOptions(content=content, out=tmp_path / "fresh", templates=templates))
    assert again.findings == fresh.findings and any("beta.md" in f.path for f in again.findings)


def test_workers_exit_when_the_parent_handles_sigterm_itself():
    """serve handles SIGTERM; forked workers must not inherit that and ignore the
    pool's SIGTERM, or the pool never finishes (a rebuild that hung for ever)."""
    script = (
        "import signal\n"
        "from sitegen.parallel import parallel_map\n"
        "signal.signal(signal.SIGTERM, lambda *_: None)\n"
        "for _ in range(10):\n"
        "    assert parallel_map(abs, range(-400, 0), 2) == list(range(400, 0, -1))\n"
        "print('finished')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.stdout.strip() == "finished", done.stderr


def test_a_change_to_the_generator_s_code_rebuilds_everything(
    primed: Path, content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    code = tmp_path / "code"
    shutil.copytree(ROOT / "sitegen", code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("sitegen.build.CODE_FILES", code)
    build_module.code_print.cache_clear()
    assert cached(content, primed, templates).rendered == []  # the same code
    linted: list[str] = []
    real_lint = build_module.lint
    monkeypatch.setattr(
        build_module, "lint", lambda docs, rules: linted.extend(d.content_path for d in docs)
        or real_lint(docs, rules)
    )  # fmt: skip
    with (code / "render.py").open("a") as source:
        source.write("\n# a change to the code, without a new version number\n")
    build_module.code_print.cache_clear()
    result = cached(content, primed, templates, jobs=1)
    build_module.code_print.cache_clear()
    assert result.ok and len(result.rendered) >= 8 and "conditions/alpha.md" in linted


def test_each_changed_file_is_read_once_and_an_unchanged_one_not_at_all(
    primed: Path, content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    read: list[str] = []
    real = build_module.read_stamped

    def counting(path, boundary=None):
        read.append(Path(path).name)
        return real(path, boundary)

    monkeypatch.setattr(build_module, "read_stamped", counting)
    change_body(content, None)
    assert cached(content, primed, templates).ok
    assert read == ["alpha.md"]  # stamped, parsed, validated, linted, checked: read once
    same_as_clean_build(content, templates, primed, tmp_path)


def test_a_damaged_entry_costs_a_rebuild(
    primed: Path, content: Path, templates: Path, tmp_path: Path
):
    with sqlite3.connect(cache_path(content)) as db:
        db.execute(
            "UPDATE steps SET entries = replace(entries, '\"conditions/beta.md\":[', "
            "'\"conditions/beta.md\":[\"forged\",') WHERE step = 'lint'"
        )
    change_body(content, None)
    result = cached(content, primed, templates)
    assert result.ok and [f.field for f in result.warnings] == ["cache"]
    assert "not as they were written" in result.warnings[0].message
    same_as_clean_build(content, templates, primed, tmp_path)


def test_the_store_holds_data_and_only_code_sealed_by_this_user(primed: Path, content: Path):
    """No pickle (or anything else that runs code when read): every value is JSON,
    every kept blob is JSON text or a compressed page, except compiled templates,
    each of which carries this user's seal."""
    import json
    import zlib

    with sqlite3.connect(cache_path(content)) as db:
        steps = db.execute("SELECT step, entries FROM steps").fetchall()
        rows = db.execute("SELECT step, key, data FROM data").fetchall()
    assert {step for step, _ in steps} >= {"document", "lint", "quality", "page", "check"}
    for _, entries in steps:
        json.loads(entries)
    assert {step for step, _, _ in rows} == {"document", "page", "check", "catalogue", CODE}
    store = Store.open(cache_path(content))
    try:
        for step, key, data in rows:
            if step == "page":
                assert zlib.decompress(data).decode("utf-8")
            elif step == CODE:
                assert store.code(CODE, key, CompiledTemplates.CONTEXT) == data
            else:
                json.loads(data)
    finally:
        store.close()


def forge_code(content: Path, templates: Path, name: str, shown: str) -> None:
    """Put in the store, as the code of template `name`, code that shows `shown`: made
    to pass Jinja's own check (the checksum of `name`'s source) and the store's check
    for damage, but not sealed anew."""
    source = (templates / name).read_text("utf-8")
    bucket = jinja2.bccache.Bucket(jinja2.Environment(), name, "")
    bucket.checksum = jinja2.BytecodeCache().get_source_checksum(source)
    bucket.code = jinja2.Environment().compile(shown, name)
    forged = bucket.bytecode_to_string()
    with sqlite3.connect(cache_path(content)) as db:
        changed = db.execute(
            "UPDATE data SET data = ?, checksum = ? WHERE step = ? AND key = ?",
            (forged, store_module.data_check(forged), CODE, name),
        ).rowcount
    assert changed == 1


def test_a_new_process_runs_compiled_templates_from_the_store_only_under_this_user_s_seal(
    primed: Path, content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    """A build in a new process takes each template's compiled code from the store
    instead of compiling it again, but only code sealed with this user's key (kept
    outside the project): code altered in the store, or sealed under another key (a
    store copied from another user or machine), is never run; it is compiled again."""
    compiled = counting_compiles(monkeypatch)
    change_body(content, templates)
    assert cached(content, primed, templates).ok
    assert compiled == []
    same_as_clean_build(content, templates, primed, tmp_path)

    forge_code(content, templates, "condition.html", "FORGED")
    unsealed = Store.code
    monkeypatch.setattr(Store, "code", lambda self, step, key, context: self.data(step, key))
    edit(content / ALPHA, "Alpha shows symptoms", "Alpha has symptoms")
    unchecked = cached(content, tmp_path / "unchecked", templates, write=False)
    alpha = next(page for page in unchecked.pages if page.url == "conditions/alpha/")
    assert alpha.content == b"FORGED"
    assert not unchecked.ok  # the forgery would run (and its page would lack the disclaimer)…
    monkeypatch.setattr(Store, "code", unsealed)
    forge_code(content, templates, "condition.html", "FORGED")
    edit(content / ALPHA, "Alpha has symptoms", "Alpha shows its symptoms")
    compiled.clear()
    assert cached(content, primed, templates).ok  # …but its seal is not this user's
    assert compiled == ["condition.html"]
    assert "FORGED" not in (primed / "conditions/alpha/index.html").read_text()
    same_as_clean_build(content, templates, primed, tmp_path)

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    edit(content / ALPHA, "Alpha shows its symptoms", "Alpha has symptoms")
    compiled.clear()
    assert cached(content, primed, templates).ok
    assert "condition.html" in compiled  # sealed under the first key: compiled again
    same_as_clean_build(content, templates, primed, tmp_path)


def test_templates_compiled_in_workers_are_kept_for_the_next_process(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    """A build from scratch renders its pages in forked workers, whose compiled code
    goes with them: the build compiles the templates its pages used once more, so
    that the first edit after it compiles nothing."""
    for number in range(12):
        (content / "conditions" / f"copy-{number}.md").write_text(
            (content / ALPHA).read_text("utf-8").replace("Alpha condition", f"Copy {number}"),
            "utf-8",
        )
    monkeypatch.setattr(parallel, "MIN_ITEMS", 4)
    out = tmp_path / "site"
    assert cached(content, out, templates, jobs=2).ok  # in workers (as the test above shows)
    compiled = counting_compiles(monkeypatch)
    change_body(content, templates)
    assert cached(content, out, templates, jobs=1).ok
    assert compiled == []
    same_as_clean_build(content, templates, out, tmp_path)


def test_the_sealing_key_is_made_once_and_trusted_only_while_it_is_the_user_s_alone(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    key = store_module.sealing_key()
    path = tmp_path / "cache" / store_module.KEY_FILE
    assert key is not None and len(key) == 32 and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert store_module.sealing_key() == key
    assert os.listdir(path.parent) == ["code.key"]
    path.chmod(0o640)  # others may read it: anyone could seal code with it
    assert store_module.sealing_key() is None
    path.chmod(0o600)
    path.write_bytes(b"short")
    assert store_module.sealing_key() is None
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    assert store_module.sealing_key() is None
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    assert store_module.sealing_key() is None


def test_without_a_sealing_key_no_code_is_kept_or_run(
    content: Path, templates: Path, tmp_path: Path, monkeypatch
):
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    compiled = counting_compiles(monkeypatch)
    out = tmp_path / "site"
    assert cached(content, out, templates).ok
    with sqlite3.connect(cache_path(content)) as db:
        assert db.execute("SELECT count(*) FROM data WHERE step = ?", (CODE,)).fetchone() == (0,)
    change_body(content, templates)
    compiled.clear()
    assert cached(content, out, templates).ok and "condition.html" in compiled
    same_as_clean_build(content, templates, out, tmp_path)


def test_a_finding_in_a_file_read_from_the_cache_points_where_a_fresh_build_does(
    primed: Path, content: Path, templates: Path, tmp_path: Path
):
    """Readings are kept without their YAML positions; one that a later edit makes
    wrong (the catalogue, here) is parsed again to say where."""
    (content / "conditions/beta.md").unlink()
    result = cached(content, primed, templates)
    fresh = build_site(content, tmp_path / "fresh", templates)
    assert not result.ok and result.findings == fresh.findings
    assert any(f.path.endswith("packages.yaml") for f in result.errors)


def test_a_build_waits_while_another_holds_the_store(primed: Path, content: Path,
                                                     templates: Path, tmp_path: Path):  # fmt: skip
    """`serve` and a `python build.py check` beside it share .cache/: one build at a time
    reads and commits it, and the one that waits is told so, then builds as usual."""
    import threading

    holder = Session(BuildOptions(content=content, out=primed, templates=templates, cache=True))
    told: list[str] = []
    results: list[BuildResult] = []
    other = BuildOptions(content=content, out=tmp_path / "other", templates=templates,
                         cache=True, progress=lambda stage, done, total: told.append(stage))  # fmt: skip
    waiter = threading.Thread(target=lambda: results.append(build(other)))
    try:
        with holder.store.held():
            waiter.start()
            waiter.join(timeout=1.0)
            assert waiter.is_alive() and not results  # still waiting for the store
        waiter.join(timeout=60)
    finally:
        holder.close()
    assert told[0] == "Waiting for another build to finish"
    assert results[0].ok and results[0].written
    same_as_clean_build(content, templates, tmp_path / "other", tmp_path)


def test_reads_are_numbered_once_and_go_with_the_last_page_that_read_them(tmp_path: Path):
    """The record of reads keeps each key and URL once, as a number; a page that goes
    takes with it the keys and prints only it read, in this process and the next."""
    path = tmp_path / "store.sqlite"
    store = store_module.Store.open(path)
    store.record("a/", frozenset({"doc:a", "site"}))
    store.record("b/", frozenset({"doc:b", "site"}))
    store.set_prints({"doc:a": "1", "doc:b": "2", "site": "3"})
    store.commit()
    assert store.readers(["site"]) == {"a/", "b/"} and store.readers(["doc:a"]) == {"a/"}
    store.record("b/", frozenset({"doc:b", "site", "doc:c"}))  # b/ reads one key more
    store.commit()
    assert store.readers(["doc:c"]) == {"b/"} and store.readers(["doc:a", "doc:c"]) == {"a/", "b/"}
    store.record("a/", None)
    store.commit()
    for seen in (store, store_module.Store.open(path)):
        assert seen.readers(["site"]) == {"b/"} and seen.readers(["doc:a"]) == set()
        assert seen.prints(["doc:a", "doc:b", "site"]) == {"doc:b": "2", "site": "3"}
    with sqlite3.connect(path) as db:
        names = {name for (name,) in db.execute("SELECT name FROM names")}
        assert names == {"b/", "doc:b", "doc:c", "site"}
        assert db.execute("SELECT count(*) FROM reads").fetchone() == (3,)
    store.record("a/", frozenset({"doc:a"}))  # numbered anew after the names went
    store.commit()
    assert store_module.Store.open(path).readers(["doc:a"]) == {"a/"}


def test_a_temporary_store_goes_when_collected_but_not_in_a_forked_worker() -> None:
    """A temporary store not closed (a session no one closes) goes when it is collected
    or the process ends. A worker forked from the build holds a copy of the object,
    not the files: collecting its copy must leave them to the build."""
    store = Store.temporary_store()
    store.put("step", "key", "", 1)
    store.commit()
    path = store.path
    child = os.fork()
    if child == 0:  # the worker: collect its copy, then leave as a pool's worker does
        del store
        gc.collect()
        os._exit(0)
    os.waitpid(child, 0)
    assert path.exists()
    del store
    gc.collect()
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()


def test_a_step_put_to_without_being_read_keeps_its_other_entries(tmp_path: Path):
    """A build may put to a step it never reads (the notes while building): the commit
    then reads only the rows it changes and lays the changes over them. What is read
    later, in this process or the next, is as if the step had been read first."""
    path = tmp_path / "store.sqlite"
    store = Store.open(path)
    keys = [f"conditions/{n}.md" for n in range(300)]  # every row holds some
    for key in keys:
        store.put("notes", key, "1", [key])
    store.commit()
    later = Store.open(path)
    later.put("notes", keys[0], "2", ["changed"])
    later.drop("notes", keys[1])
    later.put("notes", "conditions/new.md", "2", ["new"])
    assert "notes" not in later.memo  # not read for it
    expected = {key: ("1", [key]) for key in keys[2:]}
    expected |= {keys[0]: ("2", ["changed"]), "conditions/new.md": ("2", ["new"])}
    seen_before_commit = {key: tuple(entry) for key, entry in later.entries("notes").items()}
    assert seen_before_commit == expected
    again = Store.open(path)
    again.put("notes", keys[0], "2", ["changed"])
    again.drop("notes", keys[1])
    again.put("notes", "conditions/new.md", "2", ["new"])
    again.commit()
    assert "notes" not in again.memo
    for seen in (again, Store.open(path)):
        assert {key: tuple(entry) for key, entry in seen.entries("notes").items()} == expected
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE steps SET entries = replace(entries, '\"1\"', '\"9\"') WHERE step = 'notes'"
        )
    damaged = Store.open(path)
    damaged.put("notes", keys[0], "3", [])
    with pytest.raises(store_module.StoreDamageError):
        damaged.commit()


def test_a_build_reads_notes_only_where_they_are_shown(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Notes (a reading grade for every page) are shown by `check` only: `build` and
    `serve` do not read them from the store. A `check` after builds that did not show
    them shows every note a fresh check shows, those of a file changed meanwhile too."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "site"
    assert cached(content, out, templates, notes=False).notes == []
    read: list[str] = []
    entries = Store.entries
    monkeypatch.setattr(
        Store, "entries", lambda self, step: read.append(step) or entries(self, step)
    )
    page = content / "conditions" / "glaucoma.md"
    allowed = (  # a claim allowed where it is quoted: the claims linter's note
        "<!-- claims: allow absolute-safety: the brochure's words, examined -->\n"
        "The brochure's next line: it has no side effects.\n"
    )
    page.write_text(
        page.read_text().replace("\n## ", f"\nIt is common. Most know it.\n\n{allowed}\n## ", 1)
    )
    edited = cached(content, out, templates, notes=False)
    assert edited.ok and edited.notes == [] and "quality notes" not in read
    checked = cached(content, out, templates, write=False)
    fresh = build(BuildOptions(content=content, out=tmp_path / "fresh", templates=templates))
    assert {note.field for note in fresh.notes if note.path.endswith("/glaucoma.md")} >= {
        "absolute-safety",
        "reading-age",
    }
    assert checked.findings == fresh.findings
    assert edited.findings == [f for f in fresh.findings if f.severity is not Severity.NOTE]
