"""The XSS corpus in Chromium: no script runs and no request leaves the site.

The minimal site with the whole corpus in every field (tests/xss_corpus.py) is
built, served on 127.0.0.1 with the headers its `_headers` file asks for, and
every page, the feed, the sitemap and every file of content/images/ is opened,
once as published and once with every Content-Security-Policy bypassed, so that
what is proved is the escaping and sanitising, not only the policy. Each vector
that worked would call `__xss(n)` (recorded through a binding the page cannot
hide), open a dialog, log `xss-ran`, open a window or ask another origin for
something. The DOM the browser built is searched too: no event handler, no
`javascript:` address, no frame, plug-in or `<base>` survives parsing.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from host_headers import HeadersHandler
from xss_corpus import REFUSED_FILES, make_hostile_site

from conftest import QuietHTTPServer, build_site

INTERNAL_SCHEMES = ("data:", "blob:", "about:", "chrome:", "chrome-extension:")
DOM_PROBLEMS_JS = """() => {
  const problems = [];
  const raster = /^data:image\\/(png|gif|jpeg|webp|avif)[;,]/;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet', 'portal', 'foreignobject']
        .includes(tag)) problems.push('<' + tag + '>');
    if (tag === 'script' && el.getAttribute('type') !== 'application/ld+json' &&
        !(el.src && new URL(el.src).origin === location.origin)) {
      problems.push('script: ' + el.outerHTML.slice(0, 80));
    }
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) {
      problems.push('meta refresh');
    }
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) problems.push(tag + ' ' + name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcset', 'poster',
           'background'].includes(name)) {
        const value = attribute.value.replace(/[\\t\\n\\r]/g, '').trim().toLowerCase();
        if (/^(javascript|vbscript|data):/.test(value) && !raster.test(value)) {
          problems.push(tag + ' ' + name + '=' + value.slice(0, 60));
        }
      }
    }
  }
  return problems;
}"""


@dataclass
class Watch:
    """What one browser context saw while it opened pages."""

    origin: str
    calls: list[tuple[str, int]] = field(default_factory=list)  # (page, n) of __xss(n)
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (page, url)
    blocked: set[str] = field(default_factory=set)  # refused by a policy, never sent
    dom: dict[str, list[str]] = field(default_factory=dict)
    current: str = ""

    def outside(self) -> list[tuple[str, str]]:
        """Requests for another origin (whether or not a policy then blocked them)."""
        return [
            (page, url)
            for page, url in self.requests
            if not url.startswith((self.origin + "/", *INTERNAL_SCHEMES))
        ]

    def sent_outside(self) -> list[tuple[str, str]]:
        """Requests for another origin that the browser really sent."""
        return [(page, url) for page, url in self.outside() if url not in self.blocked]


@contextlib.contextmanager
def serving_with_headers(folder: Path) -> Iterator[str]:
    handler = functools.partial(HeadersHandler, directory=str(folder))
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The hostile site, built and served; with the refused files put in by hand."""
    folder = tmp_path_factory.mktemp("xss")
    out = folder / "site"
    result = build_site(make_hostile_site(folder), out)
    assert result.ok, "\n".join(str(f) for f in result.errors)
    unpublished = folder / "unpublished"
    (unpublished / "images").mkdir(parents=True)
    for name, data in REFUSED_FILES.items():
        (unpublished / "images" / name).write_bytes(data)
    shutil.copy(out / "_headers", unpublished / "_headers")
    with serving_with_headers(out) as base, serving_with_headers(unpublished) as elsewhere:
        yield base, out, elsewhere


def published_urls(out: Path) -> list[str]:
    """Every page, the feed, the sitemap and every file of content/images/."""
    pages = [p.relative_to(out).as_posix() for p in sorted(out.rglob("*.html"))]
    files = [p.relative_to(out).as_posix() for p in sorted((out / "images").iterdir())]
    return [*pages, "feed.xml", "sitemap.xml", *files]


def open_all(browser: Any, base: str, urls: list[str], bypass_csp: bool) -> Watch:
    """Open each of `urls` in one context, as a reader would, and note what happened."""
    parts = urlsplit(base)
    watch = Watch(f"{parts.scheme}://{parts.netloc}")
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15_000)
    context.expose_function("__xss", lambda n: watch.calls.append((watch.current, n)))
    context.on("request", lambda request: watch.requests.append((watch.current, request.url)))
    context.on(
        "requestfailed",
        lambda request: watch.blocked.add(request.url) if request.failure == "csp" else None,
    )
    context.on("page", lambda page: watch.windows.append(page.url))
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: watch.console.append(message.text))
        for url in urls:
            watch.current = url
            page.goto(base + url, wait_until="load")
            for _ in range(3):  # focus moves: handlers on focus would fire now
                page.keyboard.press("Tab")
            page.mouse.move(200, 200)
            page.mouse.move(600, 500)
            page.wait_for_timeout(100)  # image errors and animations fire after load
            if not url.endswith(".pdf"):
                watch.dom[url] = page.evaluate(DOM_PROBLEMS_JS)
        watch.windows = watch.windows[1:]  # the page this opened itself
    finally:
        context.close()
    return watch


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_no_vector_runs_or_loads_anything_in_any_page_or_file(browser, hostile, bypass_csp):
    base, out, _ = hostile
    urls = published_urls(out)
    assert len(urls) >= 16, urls
    watch = open_all(browser, base, urls, bypass_csp)
    assert watch.calls == []
    assert watch.dialogs == []
    assert [text for text in watch.console if "xss" in text.lower()] == []
    assert watch.windows == []
    assert watch.outside() == []  # not even an attempt that a policy stopped
    assert {url: found for url, found in watch.dom.items() if found} == {}
    assert len(watch.dom) == len(urls) - 1  # every file but the PDF was read


def test_a_refused_file_served_anyway_is_held_by_the_headers(browser, hostile):
    """The second wall: were a refused file published, the policy `_headers` gives
    content/images/ would keep it from running or sending anything."""
    _, _, elsewhere = hostile
    urls = [f"images/{name}" for name in REFUSED_FILES]
    watch = open_all(browser, elsewhere, urls, bypass_csp=False)
    assert watch.calls == [] and watch.dialogs == []
    assert watch.outside(), "the refused files ask for other origins: a request was expected"
    assert watch.sent_outside() == []


def test_the_watch_sees_a_script_that_runs(browser, hostile):
    """The check can fail: with the policies bypassed, the refused files' scripts run
    and are seen, so an empty record above means that nothing ran."""
    _, _, elsewhere = hostile
    watch = open_all(browser, elsewhere, ["images/refused-script.svg"], bypass_csp=True)
    assert sorted(n for _, n in watch.calls) == [201, 202]
