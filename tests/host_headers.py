"""The site's `_headers` file read and applied as a host that reads it would.

Netlify and Cloudflare Pages match each rule's path pattern against the request
path (`*` stands for anything); of the rules that match, a later rule's value of
a header replaces an earlier one's on Netlify. The test server below does the
same, so the browser tests meet the headers a real host would send.
"""

from __future__ import annotations

import http.server
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

Rules = list[tuple[str, dict[str, str]]]


def header_rules_of(text: str) -> Rules:
    """`_headers` read as Netlify and Cloudflare Pages read it: each path pattern with
    its headers, in order."""
    rules: Rules = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("/"):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(":")
            assert rules and name and value.strip(), line
            assert name not in rules[-1][1], f"{name} twice under {rules[-1][0]}"
            rules[-1][1][name] = value.strip()
    return rules


def pattern_matches(pattern: str, path: str) -> bool:
    regex = "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern))
    return re.fullmatch(regex, path) is not None


def headers_for(rules: Rules, path: str) -> dict[str, str]:
    """The headers a response for `path` gets: every matching rule's, later ones winning."""
    headers: dict[str, str] = {}
    for pattern, values in rules:
        if pattern_matches(pattern, path):
            headers.update(values)
    return headers


class HeadersHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site with the headers its `_headers` file asks for."""

    extensions_map = {  # noqa: RUF012 - the standard library's own class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".avif": "image/avif",
        ".webp": "image/webp",
        ".svg": "image/svg+xml",
    }

    def end_headers(self) -> None:
        rules = header_rules_of((Path(self.directory) / "_headers").read_text("utf-8"))
        for name, value in headers_for(rules, unquote(urlsplit(self.path).path)).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
