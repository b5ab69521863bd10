"""Relative links work from any sub-path over real HTTP, and straight from disk."""

from __future__ import annotations

import functools
import http.server
import posixpath
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ROOT, QuietHTTPServer, build_site


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.refs.append(values["href"])
        if tag == "link" and values.get("href") and values.get("rel") != "canonical":
            self.refs.append(values["href"])
        if tag in ("img", "script") and values.get("src"):
            self.refs.append(values["src"])


def refs_in(html: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(html)
    return collector.refs


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """The sample site under /deep/sub/path/ of a real server on 127.0.0.1."""
    root = tmp_path_factory.mktemp("www")
    result = build_site(ROOT / "content", root / "deep" / "sub" / "path")
    assert result.ok
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/deep/sub/path/"
    server.shutdown()
    server.server_close()


def test_every_link_works_when_served_from_a_sub_path(served: str):
    seen: set[str] = set()
    queue = [served]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200, url
            body = response.read()
        if not url.endswith((".html", "/")):
            continue
        for ref in refs_in(body.decode("utf-8")):
            target = urljoin(url, ref).split("#")[0]
            if urlsplit(target).netloc != urlsplit(served).netloc or target.startswith("mailto:"):
                continue
            assert target.startswith(served), f"{url}: {ref} leaves the sub-path"
            queue.append(target)
    assert len([u for u in seen if u.endswith(("index.html", "/"))]) >= 12


def test_missing_page_gets_the_404_page_links_under_the_base_path(tmp_path: Path):
    out = tmp_path / "site"
    assert build_site(ROOT / "content", out).ok
    refs = refs_in((out / "404.html").read_text("utf-8"))
    assert refs and all(ref.startswith(("/", "#")) for ref in refs if not urlsplit(ref).scheme)


def test_every_link_works_opened_from_disk(tmp_path: Path):
    out = tmp_path / "site"
    assert build_site(ROOT / "content", out).ok
    for page in out.rglob("*.html"):
        if page.name == "404.html":
            continue
        for ref in refs_in(page.read_text("utf-8")):
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("#"):
                continue
            target = posixpath.normpath(posixpath.join(page.parent.as_posix(), parts.path))
            assert Path(target).is_file(), f"{page}: {ref} is not a file on disk"


def test_server_returns_404_for_unknown_page(served: str):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(served + "nope/", timeout=10)
    assert caught.value.code == 404
