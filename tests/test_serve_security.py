"""`serve` answers only for the site: no file outside the output folder, no other host."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import Server, make_site

from sitegen.serve import allowed_host_names, host_allowed, inside, request_path

SECRET = "top secret: not part of the site"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = make_site(tmp_path_factory.mktemp("serve-security"))
    (folder / "secret.txt").write_text(SECRET)
    server = Server(folder).wait_ready()
    site = folder / "site"
    (site / "leak.txt").symlink_to(folder / "secret.txt")
    (site / "leaks").symlink_to(folder)
    (site / "alias.html").symlink_to(site / "404.html")
    yield server, folder
    server.stop()


def get(server: Server, path: str, host: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    """One raw request, its path sent exactly as given (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host or f"127.0.0.1:{server.port}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


ESCAPES = [
    "//etc/passwd",
    "///etc/passwd",
    "/%2Fetc%2Fpasswd",
    "/%2fetc/passwd",
    "/%252Fetc%252Fpasswd",
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/conditions/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2Fsecret.txt",
    "/..%5Csecret.txt",
    "/..\\secret.txt",
    "/.%2e/secret.txt",
    "/./../secret.txt",
    "/%00/etc/passwd",
    "/index.html%00.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/leak.txt",
    "/leaks/secret.txt",
    "/leaks/",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_no_path_reaches_a_file_outside_the_site(served: tuple[Server, Path], path: str) -> None:
    server, _ = served
    status, body, _ = get(server, path)
    assert status in (400, 404), (path, status)
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_a_link_to_a_file_inside_the_site_is_served(served: tuple[Server, Path]) -> None:
    server, _ = served
    status, body, _ = get(server, "/alias.html")
    assert status == 200
    assert b"Page not found" in body


def test_other_host_names_are_refused(served: tuple[Server, Path]) -> None:
    """DNS rebinding: a page of another site whose name now points at 127.0.0.1."""
    server, _ = served
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example"):
        status, body, _ = get(server, "/", host=host)
        assert status == 403, host
        assert b"Optic" not in body and b"alpha" not in body.lower()
    status, _, _ = get(server, "/livereload.js", host="evil.example")
    assert status == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_bound_address_and_localhost_are_answered(
    served: tuple[Server, Path], host: str
) -> None:
    server, _ = served
    status, body, _ = get(server, "/", host=host.format(port=server.port))
    assert status == 200
    assert b"disclaimer" in body


def test_a_very_long_address_gets_414_and_the_server_goes_on(served: tuple[Server, Path]) -> None:
    server, _ = served
    status, body, _ = get(server, "/" + "a" * 8192)
    assert status == 414
    assert b"Traceback" not in body
    assert get(server, "/")[0] == 200
    assert "Traceback" not in server.output()


def test_files_are_sent_with_nosniff_and_svgs_run_nothing(served: tuple[Server, Path]) -> None:
    server, _ = served
    status, _, headers = get(server, "/images/dot.svg")
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert get(server, "/")[2]["X-Content-Type-Options"] == "nosniff"


def test_a_folder_without_its_slash_is_redirected_within_the_site(
    served: tuple[Server, Path],
) -> None:
    server, _ = served
    status, _, headers = get(server, "/conditions")
    assert status in (301, 302)
    assert headers["Location"] == "/conditions/"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/", ""),
        ("/conditions/alpha/", "conditions/alpha/"),
        ("/static/site.css", "static/site.css"),
        ("/a%20b.html", "a b.html"),
        ("/caf%C3%A9/", "café/"),
        ("//etc/passwd", None),
        ("/a//b", None),
        ("/%2Fetc", None),
        ("/%252Fetc", "%2Fetc"),  # decoded once: a name with a percent sign, inside the site
        ("/..", None),
        ("/a/./b", None),
        ("/a\\b", None),
        ("/%5C", None),
        ("/%00", None),
        ("/%ff", None),
        ("relative", None),
    ],
)
def test_request_paths_are_decoded_once_and_checked(raw: str, expected: str | None) -> None:
    assert request_path(raw) == expected


def test_inside_follows_links_before_judging(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "page.html").write_text("x")
    (tmp_path / "outside.txt").write_text("x")
    os.symlink(tmp_path / "outside.txt", root / "out.txt")
    os.symlink(root / "page.html", root / "in.html")
    assert inside(root, "page.html") == root / "page.html"
    assert inside(root, "in.html") == root / "in.html"
    assert inside(root, "") == root
    assert inside(root, "out.txt") is None
    assert inside(root, "missing/new.html") == root / "missing/new.html"


def test_host_names_follow_the_bound_address() -> None:
    assert allowed_host_names("127.0.0.1") == {"127.0.0.1", "localhost"}
    assert allowed_host_names("::1") == {"::1", "localhost"}
    assert allowed_host_names("localhost") == {"localhost", "127.0.0.1", "::1"}
    assert allowed_host_names("192.168.1.5") == {"192.168.1.5"}
    assert allowed_host_names("0.0.0.0") is None
    assert host_allowed("[::1]", allowed_host_names("::1"))
    assert not host_allowed("evil.example", allowed_host_names("127.0.0.1"))
    assert host_allowed("10.0.0.7", None)  # every interface: any address, typed as such
    assert host_allowed("localhost", None)
    assert not host_allowed("rebind.evil.example", None)
