"""The small files browsers ask for by themselves, and the screenshots a person looks at."""

from __future__ import annotations

import struct
import urllib.request

import pytest

from .conftest import PHOTOGRAPHED, SCREENSHOTS, WIDTHS


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get_content_type(), response.read()


def test_favicon_ico_is_served_and_valid(served):
    status, _, body = fetch(served.url("favicon.ico"))
    assert status == 200
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind) == (0, 1) and count >= 1
    sizes = set()
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", body[6 + 16 * index : 22 + 16 * index]
        )
        assert offset + length <= len(body)
        sizes.add((width or 256, height or 256))
    assert (32, 32) in sizes


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("apple-touch-icon.png", "image/png"),
        ("robots.txt", "text/plain"),
        ("sitemap.xml", "application/xml"),
    ],
)
def test_small_files_are_served(served, path, kind):
    status, content_type, body = fetch(served.url(path))
    assert status == 200 and body
    if kind == "image/png":
        assert body.startswith(b"\x89PNG\r\n\x1a\n")
        assert struct.unpack(">II", body[16:24]) == (180, 180)
    else:
        assert content_type in (kind, "text/xml")


@pytest.mark.parametrize("url", list(PHOTOGRAPHED))
def test_screenshots_are_written(visit, url):
    visit(url)
    name = PHOTOGRAPHED[url]
    labels = [str(w) for w in WIDTHS] + ["dark-1280", "dark-320", "text-200-640"]
    for label in labels:
        path = SCREENSHOTS / f"{name}-{label}.png"
        assert path.exists(), path
        head = path.read_bytes()[:24]
        assert head.startswith(b"\x89PNG")
        width = struct.unpack(">I", head[16:20])[0]
        expected = int(label.split("-")[-1])
        assert width == expected, (path, width)
