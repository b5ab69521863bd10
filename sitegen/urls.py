"""Site URLs and the relative links between them.

A site URL is a path from the site root without a leading slash: `""` is the
home page, `"conditions/glaucoma/"` a page, `"static/site.1a2b3c4d.css"` a file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

EVIDENCE_PAGE = "how-we-rate-evidence"  # the page every evidence level links to (required)
FILE_SUFFIXES = (
    ".html",
    ".xml",
    ".txt",
    ".css",
    ".js",
    ".svg",
    ".png",
    ".ico",
    ".json",
)


def is_file(url: str) -> bool:
    return url != "" and not url.endswith("/")


def is_html(url: str) -> bool:
    """A page URL (`""`, `conditions/`, `404.html`) rather than another file's."""
    return not is_file(url) or url.endswith(".html")


def output_path(url: str) -> str:
    """Where a page URL is written: directories get an `index.html`."""
    return url if is_file(url) else f"{url}index.html"


def directory_of(url: str) -> str:
    return url if not is_file(url) else posixpath.dirname(url) + ("/" if "/" in url else "")


def relative(from_url: str, to_url: str, directory_links: bool = False) -> str:
    """A link from the page at `from_url` to `to_url` that works from any sub-path.

    Without `directory_links` a page link ends in `index.html`, so the site also
    works opened straight from disk, where a folder is not a page.
    """
    target = to_url if directory_links or is_file(to_url) else output_path(to_url)
    start = [part for part in directory_of(from_url).split("/") if part]
    parts = [part for part in target.split("/") if part]
    common = 0
    for mine, theirs in zip(start, parts, strict=False):
        if mine != theirs:
            break
        common += 1
    link = "/".join([".."] * (len(start) - common) + parts[common:]) or "."
    if not is_file(target):
        link = "./" if link == "." else link + "/"
    return link


def normalise(path: str) -> str | None:
    """`a/./b/../c` -> `a/c`; None for a path that climbs above the root."""
    if path in ("", "."):
        return ""
    joined = posixpath.normpath(path)
    if joined == ".":
        return ""
    if joined.startswith(".."):
        return None
    return joined


def as_page_url(path: str) -> str:
    """A site path as editors write it (`/conditions`, `packages/index.html`) -> a site URL."""
    path = path.strip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")].rstrip("/")
    if not path:
        return ""
    last = path.rsplit("/", 1)[-1]
    return path if "." in last else path + "/"


def unchecked_by(url: str, unchecked: Mapping[str, str]) -> str | None:
    """The file with errors that would give the page at `url`, if one would: `unchecked`
    holds page URLs (`packages/x/`) and folders of them (`packages/*`) by that file."""
    found = unchecked.get(url)
    if found is None and url.endswith("/") and "/" in url[:-1]:
        found = unchecked.get(url[: url.rindex("/", 0, len(url) - 1) + 1] + "*")
    return found
