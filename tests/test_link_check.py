"""`check --links` against a real HTTP server on 127.0.0.1 serving live, moved, gone
and changed pages; and a normal build, which must not fetch anything."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import QuietHTTPServer, build_site, run_cli
from sitegen.links import Citation, check_links, fetch, find_links


class Server:
    """A small site: /live, /moved (301 to /live), /for-now (302 to /live), /gone (404),
    /changing (new bytes every time), /slow/<n> (a quarter of a second each). It counts
    the requests, and the most it served at once."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.busy = self.most_busy = 0
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with served.lock:
                    served.requests.append(self.path)
                    served.busy += 1
                    served.most_busy = max(served.most_busy, served.busy)
                try:
                    if self.path.startswith("/slow/"):
                        time.sleep(0.25)
                finally:
                    # Counted out before answering: once answered, the client may ask
                    # again before this thread gets to run, which is not two at once.
                    with served.lock:
                        served.busy -= 1
                self.answer()

            def answer(self) -> None:
                if self.path.startswith("/slow/"):
                    self.send(200, b"slow")
                elif self.path == "/live":
                    self.send(200, b"live page")
                elif self.path in ("/moved", "/for-now"):
                    self.send_response(301 if self.path == "/moved" else 302)
                    self.send_header("Location", "/live")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/changing":
                    self.send(200, str(len(served.requests)).encode())
                else:
                    self.send(404, b"not here")

            def send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def fetched(self) -> list[str]:
        with self.lock:
            return sorted(self.requests)


@pytest.fixture
def server() -> Iterator[Server]:
    made = Server()
    thread = threading.Thread(target=made.httpd.serve_forever, daemon=True)
    thread.start()
    yield made
    made.httpd.shutdown()
    made.httpd.server_close()


def cite(content: Path, root: str) -> None:
    """The minimal site's alpha page cites each kind of address, in its sources and
    in its body (one of them twice)."""
    alpha = content / "conditions/alpha.md"
    text = alpha.read_text().replace("https://example.org/alpha-review", f"{root}/live")
    body = (
        f"\nSee [the moved page]({root}/moved), <{root}/gone>, [for now]({root}/for-now) "
        f"and [a changing page]({root}/changing).\nAgain: {root}/gone.\n"
    )
    alpha.write_text(text + body)
    packages = content / "packages.yaml"
    packages.write_text(packages.read_text().replace("https://example.org/package", f"{root}/live"))


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_find_links_names_each_place_an_address_is_cited(content: Path, server: Server):
    cite(content, server.root)
    alpha = content / "conditions/alpha.md"
    links = find_links([("alpha.md", alpha)])
    gone = links[f"{server.root}/gone"]
    assert gone == [Citation("alpha.md", line_of(alpha, "<http"), gone[0].col),
                    Citation("alpha.md", line_of(alpha, "Again:"), 8)]  # fmt: skip
    assert f"{server.root}/gone." not in links  # a full stop after it is prose
    assert f"{server.root}/moved" in links and f"{server.root}/for-now" in links


def test_check_links_reports_gone_moved_and_changed_pages_where_cited(
    content: Path, server: Server, tmp_path: Path
):
    cite(content, server.root)
    alpha = content / "conditions/alpha.md"
    links = find_links([("content/conditions/alpha.md", alpha),
                        ("content/packages.yaml", content / "packages.yaml")])  # fmt: skip
    cache = tmp_path / "links.json"
    first = check_links(links, cache, date(2026, 12, 1))
    said = {(f.path, f.line, f.severity.value, f.message.split(",")[0]) for f in first}
    gone = f"expected a page at {server.root}/gone"
    assert said == {
        ("content/conditions/alpha.md", line_of(alpha, "<http"), "error", gone),
        ("content/conditions/alpha.md", line_of(alpha, "Again:"), "error", gone),
        (
            "content/conditions/alpha.md",
            line_of(alpha, "moved page"),
            "warning",
            f"expected {server.root}/moved to stay where it was",
        ),
    }  # fmt: skip: a temporary redirect and a live page are fine; nothing changed yet
    moved = next(f for f in first if "moved" in f.message)
    assert f"moved for good to {server.root}/live (checked 2026-12-01)" in moved.message
    kept = json.loads(cache.read_text())["links"]
    assert kept[f"{server.root}/gone"] == {"checked": "2026-12-01", "status": 404}
    assert kept[f"{server.root}/live"]["status"] == 200 and kept[f"{server.root}/live"]["digest"]

    requests = len(server.fetched())
    again = check_links(links, cache, date(2026, 12, 5))  # within 7 days: nothing fetched
    assert len(server.fetched()) == requests
    assert sorted(map(str, again)) == sorted(map(str, first))

    later = check_links(links, cache, date(2026, 12, 9))  # 8 days on: fetched again
    assert len(server.fetched()) > requests
    [changed] = [f for f in later if "changing" in f.message]
    assert changed.severity.value == "note" and changed.line == line_of(alpha, "changing page")
    assert "as it was when checked on 2026-12-01, found it changed (checked 2026-12-09)" in (
        changed.message
    )


def test_no_answer_is_a_warning(tmp_path: Path):
    closed = "http://127.0.0.1:9/nothing"  # the discard port: nothing listens
    [found] = check_links({closed: [Citation("a.md", 3, 4)]}, tmp_path / "l.json", date.today())
    assert found.severity.value == "warning" and found.message.startswith(
        f"expected {closed} to answer, found no page ("
    )


def test_requests_run_at_once_within_the_per_host_limit(server: Server, tmp_path: Path):
    links = {f"{server.root}/slow/{n}": [Citation("a.md", n, 1)] for n in range(8)}
    started = time.perf_counter()
    found = check_links(links, tmp_path / "l.json", date.today(), jobs=8, per_host=2)
    assert found == []
    assert server.most_busy == 2  # never more than two at once to one host
    assert time.perf_counter() - started < 8 * 0.25  # but more than one at a time


def test_fetch_follows_temporary_redirects_only_as_moves_for_now(server: Server):
    result = fetch(f"{server.root}/for-now", 5, date(2026, 1, 1))
    assert (result.status, result.moved_to) == (200, None)


def test_a_build_fetches_nothing_and_check_links_fetches_each_address_once(
    content: Path, server: Server, tmp_path: Path
):
    cite(content, server.root)
    assert build_site(content, tmp_path / "site").ok
    assert server.fetched() == []
    templates = str(Path(__file__).parent.parent / "templates")
    result = run_cli("check", "--links", "--content", "content", "--templates", templates,
                     cwd=content.parent)  # fmt: skip
    assert server.fetched() == [
        "/changing",
        "/for-now",
        "/gone",
        "/live",
        "/live",
        "/live",
        "/moved",
    ]  # fmt: skip: /live cited, and reached from /for-now and /moved
    assert result.returncode == 1, result.stdout + result.stderr
    line = line_of(content / "conditions/alpha.md", "<http")
    assert f"content/conditions/alpha.md:{line}:" in result.stdout
    assert (content.parent / ".cache/links.json").is_file()
    plain = run_cli("check", "--content", "content", "--templates", templates, cwd=content.parent)
    assert "/gone" not in plain.stdout and len(server.fetched()) == 7
