"""`serve`: coalesced file events, the loader allowed in the policy, error pages,
and, with a real server in a subprocess and a real Chromium, saves that reach
the open page by themselves."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from serve_helpers import Chromium, Server, fetch, make_site, need_browser, wait_for
from tornado.websocket import websocket_connect

from conftest import run_cli
from sitegen.build import BuildOptions, Session
from sitegen.findings import error, warning
from sitegen.serve import (
    LOADER,
    LOADER_HASH,
    allow_in_policy,
    allow_loader,
    change_batches,
    error_page,
    is_editor_file,
    reload_path,
    script_hash,
)

SITE_POLICY = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


# Pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["alpha.md.swp", ".alpha.md.swx", "alpha.md~", ".#alpha.md", "4913", "5036", "#alpha.md#",
     "alpha.md___jb_tmp___", "alpha.md.tmp", ".DS_Store", "site.css.crswap"],
)  # fmt: skip
def test_editor_files_are_recognised(name: str) -> None:
    assert is_editor_file(name)


@pytest.mark.parametrize("name", ["alpha.md", "site.yaml", "site.css", "eye.svg", "base.html"])
def test_content_files_are_not_editor_files(name: str) -> None:
    assert not is_editor_file(name)


def test_the_loader_hash_is_the_sha256_of_the_injected_script() -> None:
    import base64
    import hashlib

    body = LOADER.removeprefix('<script type="text/javascript">').removesuffix("</script>")
    expected = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert LOADER_HASH == f"'sha256-{expected}'" == script_hash(LOADER)


def test_the_policy_allows_exactly_the_loader_and_nothing_more() -> None:
    widened = allow_in_policy(SITE_POLICY, LOADER_HASH)
    assert f"script-src 'self' {LOADER_HASH};" in widened
    assert widened.replace(f" {LOADER_HASH}", "") == SITE_POLICY
    only_default = allow_in_policy("default-src 'self'", LOADER_HASH)
    assert only_default == f"default-src 'self'; script-src 'self' {LOADER_HASH}"
    assert allow_in_policy("img-src 'self'", LOADER_HASH) == "img-src 'self'"  # scripts not limited


def test_only_the_served_copy_of_a_page_changes() -> None:
    page = f'<head><meta http-equiv="Content-Security-Policy" content="{SITE_POLICY}">'.encode()
    served = allow_loader(page)
    assert LOADER_HASH.encode() in served
    assert served.replace(f" {LOADER_HASH}".encode(), b"") == page
    assert (
        allow_loader(b"<head><meta charset='utf-8'></head>")
        == b"<head><meta charset='utf-8'></head>"
    )


def test_the_error_page_lists_every_problem_escaped() -> None:
    findings = [
        error("content/site.yaml", 3, 5, "title", "expected text, found <nothing>"),
        warning("content/conditions/a.md", 9, 1, "html", "expected safe HTML, found <script>"),
    ]
    page = error_page(findings).decode()
    assert "content/site.yaml:3:5: title: expected text, found &lt;nothing&gt;" in page
    assert "content/conditions/a.md:9:1: warning: html:" in page
    assert page.index("site.yaml:3:5") < page.index("a.md:9:1")  # errors first
    assert "Content-Security-Policy" in page and "unsafe-inline" not in page


def test_css_alone_restyles_and_anything_else_reloads(tmp_path: Path) -> None:
    options = BuildOptions(tmp_path / "content", tmp_path / "site", tmp_path / "templates")
    css = (tmp_path / "templates/static/site.css").absolute()
    page = (tmp_path / "content/conditions/a.md").absolute()
    image = (tmp_path / "content/images/eye.png").absolute()
    assert reload_path({css}, options) == "site.css"
    assert reload_path({image}, options) == "images/eye.png"
    assert reload_path({css, page}, options) == "*"
    assert reload_path({(tmp_path / "templates/base.html").absolute()}, options) == "*"


# Coalescing file events ----------------------------------------------------------


@pytest.fixture
def batches(tmp_path: Path) -> Iterator[list[set[Path]]]:
    """Change sets seen by a watcher of tmp_path/content, collected on a thread."""
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "alpha.md").write_text("one")
    stop = threading.Event()
    seen: list[set[Path]] = []
    ready = threading.Event()

    def watch() -> None:
        ready.set()
        for batch in change_batches([folder], tmp_path / "site", stop):
            seen.append(batch)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    ready.wait()
    time.sleep(0.3)  # the watcher is set up
    yield seen
    stop.set()
    thread.join(5)


def test_a_burst_of_writes_is_one_change_set(tmp_path: Path, batches: list[set[Path]]) -> None:
    folder = tmp_path / "content"
    for name in ("alpha.md", "beta.md", "gamma.md"):
        (folder / name).write_text("two")
    wait_for(lambda: batches, 5, "a change set")
    time.sleep(0.3)
    assert len(batches) == 1
    assert {p.name for p in batches[0]} == {"alpha.md", "beta.md", "gamma.md"}


def test_an_editor_save_is_one_change_of_the_file_itself(
    tmp_path: Path, batches: list[set[Path]]
) -> None:
    folder = tmp_path / "content"
    # vim: a test file, a backup by rename, the new file, the backup removed.
    (folder / "4913").write_text("")
    (folder / "4913").unlink()
    (folder / "alpha.md").rename(folder / "alpha.md~")
    (folder / "alpha.md").write_text("three")
    (folder / "alpha.md~").unlink()
    # JetBrains: a temp file renamed over the original.
    (folder / "alpha.md___jb_tmp___").write_text("four")
    (folder / "alpha.md___jb_tmp___").rename(folder / "alpha.md")
    wait_for(lambda: batches, 5, "a change set")
    time.sleep(0.3)
    assert batches == [{(folder / "alpha.md").absolute()}]


def test_swap_and_lock_files_alone_change_nothing(tmp_path: Path, batches: list[set[Path]]) -> None:
    folder = tmp_path / "content"
    (folder / ".alpha.md.swp").write_text("swap")
    (folder / ".#alpha.md").write_text("lock")
    (folder / "#alpha.md#").write_text("autosave")
    time.sleep(0.5)
    assert batches == []


def test_a_file_emptied_then_written_later_is_one_change_set(
    tmp_path: Path, batches: list[set[Path]]
) -> None:
    """An editor saving in place empties the file, then writes it: on a busy machine
    the writing may come well after the emptying, and the empty file is not built."""
    alpha = tmp_path / "content" / "alpha.md"
    save_in_place(alpha, "seven")
    wait_for(lambda: batches, 5, "a change set")
    time.sleep(0.3)
    assert batches == [{alpha.absolute()}]
    assert alpha.read_text() == "seven"


def test_a_file_left_empty_is_a_change_all_the_same(
    tmp_path: Path, batches: list[set[Path]]
) -> None:
    alpha = tmp_path / "content" / "alpha.md"
    alpha.write_text("")
    wait_for(lambda: batches, 5, "a change set")
    assert batches == [{alpha.absolute()}]


def test_saves_apart_are_separate_change_sets(tmp_path: Path, batches: list[set[Path]]) -> None:
    folder = tmp_path / "content"
    (folder / "alpha.md").write_text("five")
    wait_for(lambda: len(batches) == 1, 5, "the first change set")
    (folder / "alpha.md").write_text("six")
    wait_for(lambda: len(batches) == 2, 5, "the second change set")


# The server process ------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path)


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    running = Server(site).wait_ready()
    yield running
    running.stop()


def test_a_taken_port_is_named_with_a_way_out(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(site, port)
        assert server.process.wait(30) == 2
    message = server.stderr.read_text()
    assert f"port {port} on 127.0.0.1 is already in use" in message
    assert "--port" in message
    assert "Traceback" not in server.output()


def test_ctrl_c_stops_cleanly(server: Server) -> None:
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.output()
    assert "Stopped." in server.output()


def test_serve_without_a_cache_leaves_no_store_behind(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --no-cache` keeps its store in a temporary file, which goes when it stops
    (each stopped server left one behind, of the size of the site's cache)."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    server = Server(site, None, "--no-cache").wait_ready()
    assert [path.name for path in temporary.iterdir() if path.name.startswith("sitegen-")]
    assert server.stop(signal.SIGINT) == 0
    assert list(temporary.iterdir()) == []


def test_only_served_pages_carry_the_loader(server: Server, site: Path) -> None:
    status, served = fetch(server.url + "conditions/alpha/")
    assert status == 200
    assert LOADER in served and LOADER_HASH in served
    written = (site / "site/conditions/alpha/index.html").read_text()
    assert "livereload" not in written and "sha256-" not in written
    assert f'content="{SITE_POLICY}"' in written
    status, _ = fetch(server.url + "static/site.0123456789.css")  # a name from an older build
    assert status == 200


def test_started_from_the_store_it_renders_the_pages_with_parts_once_it_watches(
    site: Path,
) -> None:
    """`serve` after `python build.py` takes every page from the store and renders none;
    once it watches for changes it renders the pages that show parts (for the first
    title edit to reuse), says so, and leaves the site as it was."""
    assert run_cli("build", cwd=site).returncode == 0
    written = {p: p.read_bytes() for p in (site / "site").rglob("*.html")}
    server = Server(site).wait_ready()
    try:
        wait_for(lambda: "with parts in" in server.output(), 30, "the pages with parts")
        said = server.output()
        assert re.search(r"Built \d+ pages in [\d.]+ s, each as the last build left it", said)
        assert {p: p.read_bytes() for p in (site / "site").rglob("*.html")} == written
        alpha = site / "content/conditions/alpha.md"
        alpha.write_text(alpha.read_text().replace("title: ", "title: Renamed ", 1))
        wait_for(lambda: "Renamed" in fetch(server.url + "conditions/")[1], 10, "the new title")
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_a_failed_rebuild_keeps_the_site_and_serving_shows_every_problem(
    server: Server, site: Path
) -> None:
    written = {p: p.read_bytes() for p in (site / "site").rglob("*") if p.is_file()}
    config = site / "content/site.yaml"
    good = config.read_text()
    config.write_text(good.replace("language: en", "language: 'not a language'"))

    def failing() -> str | None:
        status, text = fetch(server.url + "conditions/alpha/")
        return text if status == 500 else None

    text = wait_for(failing, 10, "the error page")
    assert "content/site.yaml:3:11: language:" in text
    assert {p: p.read_bytes() for p in (site / "site").rglob("*") if p.is_file()} == written
    config.write_text(good)
    wait_for(lambda: fetch(server.url + "conditions/alpha/")[0] == 200, 10, "the page again")
    assert "Traceback" not in server.output()


# In the browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    need_browser()
    browser = Chromium(tmp_path_factory.mktemp("chromium"))
    yield browser
    browser.close()


class Tab:
    """One page in Chromium; every call runs on the browser's thread."""

    def __init__(self, chromium: Chromium, url: str) -> None:
        self.chromium = chromium
        self.problems: list[str] = []
        self.navigations = 0

        def open_page() -> Any:
            context = chromium.browser.new_context()
            page = context.new_page()
            page.on("console", self._console)
            page.on("framenavigated", self._navigated)
            page.goto(url)
            page.wait_for_function("window.LiveReload !== undefined")
            return page

        self.page = chromium.call(open_page)
        self.navigations = 0

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(message.text)

    def _navigated(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self.navigations += 1

    def evaluate(self, script: str, arg: Any = None) -> Any:
        def run() -> Any:
            for _ in range(50):  # the page may be reloading
                try:
                    return self.page.evaluate(script, arg)
                except Exception as exc:
                    if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                        raise
                    time.sleep(0.02)
            return None

        return self.chromium.call(run)

    def text(self) -> str:
        return self.evaluate("() => document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, text: str, timeout: float = 10) -> None:
        wait_for(lambda: text in self.text(), timeout, f"{text!r} in the page", every=0.01)

    def close(self) -> None:
        self.chromium.call(lambda: self.page.context.close())


@pytest.fixture
def tab(chromium: Chromium, server: Server) -> Iterator[Tab]:
    opened = Tab(chromium, server.url + "conditions/alpha/")
    yield opened
    opened.close()


def save_in_place(path: Path, text: str) -> None:
    """As an editor saving in place on a busy machine: the file is emptied, and written
    0.15 s later (several of the watcher's quiet spells)."""
    with path.open("w") as file:  # opening it empties it
        time.sleep(0.15)
        file.write(text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


LIVERELOAD_PROTOCOL = "http://livereload.com/protocols/official-7"
T = TypeVar("T")


class ReloadClient:
    """A page's live-reload socket as livereload.js speaks it: `hello`, then `info`
    naming the page it shows."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket

    @classmethod
    @contextlib.asynccontextmanager
    async def connected(cls, server: Server) -> AsyncIterator[ReloadClient]:
        url = server.url.replace("http://", "ws://") + "livereload"
        client = cls(await websocket_connect(url))
        try:
            await client.send({"command": "hello", "protocols": [LIVERELOAD_PROTOCOL]})
            assert (await client.receive(10) or {}).get("command") == "hello"
            yield client
        finally:
            client.socket.close()

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.write_message(json.dumps(message))

    async def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None if none comes within `timeout` seconds."""
        try:
            text = await asyncio.wait_for(self.socket.read_message(), timeout)
        except TimeoutError:
            return None
        return None if text is None else json.loads(text)


def run_async(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`asyncio.run(scenario())` on a thread of its own: once a browser test has
    started Playwright on this thread, an event loop is running on it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


def test_a_page_that_missed_a_rebuild_while_loading_is_reloaded(server: Server, site: Path) -> None:
    """The page was served, and the site rebuilt before its socket said what it
    shows: it is told to reload, or it would go on showing the text before the save."""
    page = server.url + "conditions/alpha/"

    async def missed_rebuild() -> dict[str, Any] | None:
        fetch(page)
        edit(site / "content/conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms")
        wait_for(lambda: "Rebuilt" in server.output(), 20, "the rebuild")
        async with ReloadClient.connected(server) as client:
            await client.send({"command": "info", "url": page})
            return await client.receive(10)

    assert (run_async(missed_rebuild) or {}).get("command") == "reload"


def test_a_page_whose_socket_spoke_after_the_rebuild_is_reloaded_once(
    server: Server, site: Path
) -> None:
    """The socket opened before the save, and said what its page shows only after
    the rebuild (a busy machine): livereload sends a rebuild's reload only to the
    pages that have said what they show, so this one hears of it once, when it
    says; a page reloads once a save, never twice."""
    page = server.url + "conditions/alpha/"

    async def late_info() -> list[dict[str, Any] | None]:
        fetch(page)
        async with ReloadClient.connected(server) as client:
            edit(
                site / "content/conditions/alpha.md", "Alpha has symptoms", "Alpha has new symptoms"
            )
            wait_for(lambda: "Rebuilt" in server.output(), 20, "the rebuild")
            await client.send({"command": "info", "url": page})
            return [await client.receive(10), await client.receive(1.5)]

    told, then = run_async(late_info)
    assert (told or {}).get("command") == "reload"
    assert then is None


def test_a_page_showing_the_latest_build_is_not_reloaded_when_it_connects(
    server: Server,
) -> None:
    page = server.url + "conditions/alpha/"

    async def connect() -> dict[str, Any] | None:
        fetch(page)
        async with ReloadClient.connected(server) as client:
            await client.send({"command": "info", "url": page})
            return await client.receive(1.5)

    assert run_async(connect) is None


def test_a_saved_change_appears_in_the_open_page(tab: Tab, site: Path) -> None:
    alpha = site / "content/conditions/alpha.md"
    edit(alpha, "Alpha has symptoms", "Alpha has freshly edited symptoms")
    tab.wait_for_text("Alpha has freshly edited symptoms")
    assert tab.navigations == 1  # the page reloaded by itself; the test never reloaded it
    assert not [p for p in tab.problems if "Content Security Policy" in p], tab.problems


def test_a_save_in_place_shows_the_new_text_without_building_the_empty_file(
    tab: Tab, site: Path, server: Server
) -> None:
    """Emptied, then written 0.15 s later (an editor saving in place on a busy
    machine): the page goes to the new text, and the empty file is never built (its
    error page is not shown between). How many times the page reloads is not asked
    here: under a full suite's load it once reloaded twice, for a cause not found (a
    late socket's catch-up is not it: see the socket tests above)."""
    alpha = site / "content/conditions/alpha.md"
    save_in_place(
        alpha, alpha.read_text().replace("Alpha has symptoms", "Alpha has freshly edited symptoms")
    )
    tab.wait_for_text("Alpha has freshly edited symptoms")
    assert "Build failed" not in server.output()


def test_two_saves_within_one_second_both_reach_the_browser(tab: Tab, site: Path) -> None:
    alpha = site / "content/conditions/alpha.md"
    text = alpha.read_text()
    first = time.monotonic()
    alpha.write_text(text.replace("Alpha has symptoms", "Alpha has first-save symptoms"))
    tab.wait_for_text("first-save", timeout=0.9)
    second = time.monotonic()
    alpha.write_text(text.replace("Alpha has symptoms", "Alpha has second-save symptoms"))
    assert second - first < 1.0
    tab.wait_for_text("second-save", timeout=5)
    assert tab.navigations == 2


def test_a_save_that_changes_no_page_reloads_nothing(tab: Tab, server: Server, site: Path) -> None:
    """An editor saving the same text again, or writing one save in two steps, rebuilds
    without reloading the page: only a change to what the site holds reloads it."""
    alpha = site / "content/conditions/alpha.md"
    alpha.write_text(alpha.read_text())
    wait_for(lambda: "Rebuilt" in server.output(), 10, "the rebuild")
    edit(alpha, "Alpha has symptoms", "Alpha has edited symptoms")
    tab.wait_for_text("Alpha has edited symptoms")
    assert server.output().count("Rebuilt") == 2
    assert tab.navigations == 1


def test_a_broken_site_yaml_shows_the_problem_and_the_page_comes_back(tab: Tab, site: Path) -> None:
    config = site / "content/site.yaml"
    good = config.read_text()
    config.write_text(good.replace("language: en", "language: 'not a language'"))
    tab.wait_for_text("content/site.yaml:3:11: language:")
    assert "The site could not be built" in tab.text()
    config.write_text(good)
    tab.wait_for_text("Alpha has symptoms")
    assert "could not be built" not in tab.text()
    assert not [p for p in tab.problems if "Content Security Policy" in p], tab.problems


def test_a_css_change_restyles_the_page_without_reloading_it(tab: Tab, site: Path) -> None:
    tab.evaluate("() => { window.keptAcrossSaves = 42; }")
    css = site / "templates/static/site.css"
    css.write_text(css.read_text() + "\n:root { --live-reload-test: 7px; }\n")

    def restyled() -> bool:
        value = tab.evaluate(
            "() => getComputedStyle(document.documentElement)"
            ".getPropertyValue('--live-reload-test').trim()"
        )
        return value == "7px"

    wait_for(restyled, 10, "the new style")
    assert tab.evaluate("() => window.keptAcrossSaves") == 42
    assert tab.navigations == 0


def test_rebuilds_keep_the_site_out_of_the_collector_and_collect_now_and_then(monkeypatch):
    import gc

    from sitegen import serve

    collected: list[int] = []
    monkeypatch.setattr(serve.gc, "collect", lambda *args: collected.append(1) or 0)
    rebuilder = serve.Rebuilder(Session(BuildOptions()), lambda *args, **kwargs: None)
    try:
        for _ in range(serve.FULL_COLLECTION_EVERY * 2):
            rebuilder.settle()
            assert gc.get_freeze_count() > 0  # what the builds keep is not scanned
        assert len(collected) == 2  # one full collection every FULL_COLLECTION_EVERY rebuilds
    finally:
        gc.unfreeze()
        rebuilder.session.close()
