"""`python build.py serve`: build, serve the site with live reload, rebuild on every save.

- Serves the output folder on loopback (by default http://127.0.0.1:8000/) with
  the `livereload` package's browser client and WebSocket protocol. Its loader
  is an inline script, so while serving (never in the files written) each
  page's Content-Security-Policy also allows exactly that script, by its hash.
- Watches the content and templates folders with file-system events
  (`watchfiles`), coalesces each burst of writes into one change set, ignores
  editor temp and swap files, and runs an incremental `build(options, previous)`
  that renders only what the change affects.
- After each finished rebuild it pushes the reload itself, so livereload's own
  3-second ignore window and 800-ms polling never drop a save. A browser that
  reconnects after a reload but was served an older build is reloaded again.
- A change to CSS alone restyles open pages without reloading them: the new
  stylesheet has a new hashed name, and while serving an old hashed name is
  answered with the current file.
- A failed rebuild keeps the last good site on disk and the server running;
  every page then shows the problems in the usual `path:line:col` form, until
  a save fixes them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import gc
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import re
import signal
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import httpserver, httputil, netutil, routing, web

from .assets import DRAWING_POLICY, FILE_POLICY, NO_FRAMING
from .findings import Finding, Severity
from .fs import display
from .urls import is_html

if TYPE_CHECKING:
    from .build import BuildOptions, BuildResult

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
FULL_COLLECTION_EVERY = 25  # rebuilds between two full garbage collections
QUIET_MS = 20  # a burst of writes is over when nothing changed for this long
LONGEST_BURST_MS = 600  # ... or when it has lasted this long

# livereload's loader, as its Server injects it before </head>: it loads
# livereload.js from the page's own host and port.
LOADER = (
    '<script type="text/javascript">(function(){'
    'var s=document.createElement("script");'
    "var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    's.src="//"+window.location.hostname+":"+port'
    '+ "/livereload.js?port=" + port;'
    "document.head.appendChild(s);"
    "})();</script>"
)

# Names editors give their temporary, backup, swap and lock files.
EDITOR_FILES = re.compile(
    r"""(
        \.sw[a-z]$ | ~$ | \.tmp$ | \.bak$ | \.orig$ | \.crswap$ | \.kate-swp$
        | ___jb_(tmp|old|bak)___$ | ^\.\# | ^\#.*\#$ | ^\d+$ | ^\.DS_Store$ | ^\.~lock\.
    )""",
    re.VERBOSE,
)
STALE_ASSET = re.compile(r"^(static/(?:.+/)?[^/]+?)\.[0-9a-f]{10}((?:\.[^./]+)?)$")


def is_editor_file(name: str) -> bool:
    """Whether a file name is an editor's temp, swap or backup file (never content)."""
    return bool(EDITOR_FILES.search(name))


def script_hash(script: str) -> str:
    """The CSP source that allows one inline <script> element: `'sha256-…'`."""
    body = re.sub(r"^<script[^>]*>|</script>$", "", script)
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


LOADER_HASH = script_hash(LOADER)


def allow_in_policy(policy: str, source: str) -> str:
    """A Content-Security-Policy that also allows the scripts `source` names."""
    directives = [part.split() for part in policy.split(";") if part.split()]
    names = [d[0].lower() for d in directives]
    for directive in directives:
        if directive[0].lower() in ("script-src", "script-src-elem"):
            directive.append(source)
    if "script-src" not in names and "default-src" in names:
        default = directives[names.index("default-src")][1:]
        directives.append(["script-src", *[s for s in default if s != "'none'"], source])
    return "; ".join(" ".join(d) for d in directives)


CSP_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
CSP_CONTENT = re.compile(rb"""(\bcontent\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def allow_loader(page: bytes, source: str = LOADER_HASH) -> bytes:
    """The page with `source` added to its Content-Security-Policy meta tags."""

    def widen(tag: re.Match[bytes]) -> bytes:
        text = tag.group(0)
        if b"content-security-policy" not in text.lower():
            return text

        def value(match: re.Match[bytes]) -> bytes:
            policy = html.unescape(match.group(3).decode("utf-8"))
            widened = html.escape(allow_in_policy(policy, source), quote=False)
            quote = match.group(2)
            widened = widened.replace(quote.decode(), "&quot;" if quote == b'"' else "&#x27;")
            return match.group(1) + quote + widened.encode("utf-8") + quote

        return CSP_CONTENT.sub(value, text, count=1)

    return CSP_META.sub(widen, page)


def error_page(findings: list[Finding], title: str = "The site could not be built") -> bytes:
    """The page every address shows while the content has errors."""
    shown = [f for f in findings if f.severity is not Severity.NOTE]
    shown.sort(key=lambda f: (f.severity is not Severity.ERROR, f.path, f.line, f.col))
    items = "\n".join(f"<li><code>{html.escape(str(f))}</code></li>" for f in shown)
    errors = sum(1 for f in shown if f.severity is Severity.ERROR)
    style = (
        "body{font:1rem/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;"
        "padding:0 1rem;color:#1a1a1a;background:#fff}h1{color:#a00000}"
        "li{margin:.5rem 0}code{white-space:pre-wrap;word-break:break-word}"
    )
    style_hash = script_hash(style)
    policy = (
        f"default-src 'none'; style-src {style_hash}; script-src 'self'; "
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>Build failed</title>
<link rel="icon" href="data:,">
<style>{style}</style>
</head>
<body>
<main data-build-error>
<h1>{html.escape(title)}</h1>
<p>{errors} problem{"s" if errors != 1 else ""} to fix. The last good site is kept as it was.
Fix the files and save: this page reloads by itself.</p>
<ol>
{items}
</ol>
</main>
</body>
</html>
""".encode()


# Watching ---------------------------------------------------------------------


class ChangeFilter(watchfiles.DefaultFilter):
    """watchfiles' default filter, plus editor files and the output folder."""

    def __init__(self, out_dir: Path) -> None:
        out_dir = out_dir.absolute()
        super().__init__(
            ignore_paths=[f"{out_dir}{os.sep}", str(out_dir.parent / f".{out_dir.name}.")]
        )
        self.out_dir = str(out_dir)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if path == self.out_dir or is_editor_file(os.path.basename(path)):
            return False
        return super().__call__(change, path)


def change_batches(
    folders: list[Path],
    out_dir: Path,
    stop: threading.Event,
    quiet_ms: int = QUIET_MS,
    longest_ms: int = LONGEST_BURST_MS,
    ticks: bool = False,
) -> Iterator[set[Path]]:
    """Each burst of changes under `folders` as one set of paths, editor files left out;
    with `ticks`, also an empty set each time half a second passed with none.

    A burst that leaves a file empty is held until a later one writes it, or until
    half a second passes with no change (the file was emptied on purpose): an editor
    that saves a file in place empties it first, and on a busy machine the writing
    can come more than a quiet spell later, when a build would show the empty file's
    error page for a moment."""
    held: set[Path] = set()
    for changes in watchfiles.watch(
        *[folder.absolute() for folder in folders],
        watch_filter=ChangeFilter(out_dir),
        step=quiet_ms,
        debounce=longest_ms,
        stop_event=stop,
        rust_timeout=500,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        paths = held | {Path(path) for _, path in changes}
        if changes and any(map(is_empty_file, paths)):
            held = paths
            continue
        held = set()
        if paths or ticks:
            yield paths


def is_empty_file(path: Path) -> bool:
    try:
        info = os.stat(path)
    except OSError:  # gone, or not ours to read: the build says so
        return False
    return info.st_size == 0 and stat.S_ISREG(info.st_mode)


# Serving ----------------------------------------------------------------------


@dataclass
class LiveState:
    """What the server shows, changed only on the event loop's thread."""

    root: Path
    generation: int = 0  # one more after every rebuild
    error: bytes | None = None  # the error page while the content has errors
    served: dict[str, int] = field(default_factory=dict)  # page path -> generation it showed


LONGEST_PATH = 2048  # bytes of a request path; longer ones get 414
REFUSED_ESCAPES = re.compile(r"%(2f|5c|00)", re.IGNORECASE)  # encoded '/', '\\', NUL


def request_path(raw: str) -> str | None:
    """The site path a raw request path names (`/conditions/a/` -> `conditions/a/`), or
    None for one that could name anything outside the site: encoded slashes,
    backslashes or NUL, an empty segment (`//etc`), `.` or `..`, or text that is not
    UTF-8. It is decoded exactly once."""
    if not raw.startswith("/") or REFUSED_ESCAPES.search(raw):
        return None
    try:
        rel = unquote(raw[1:], errors="strict")
    except UnicodeDecodeError:
        return None
    segments = rel.split("/")
    if segments[-1] == "":
        segments.pop()  # a folder: `conditions/a/`
    for segment in segments:
        if segment in ("", ".", "..") or "\\" in segment or "\x00" in segment:
            return None
    return rel


def inside(root: Path, rel: str) -> Path | None:
    """`root/rel` if it stays inside `root` once every symbolic link is followed."""
    target = root / rel
    real, top = os.path.realpath(target), os.path.realpath(root)
    return target if real == top or real.startswith(top + os.sep) else None


def is_page_request(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith((".html", ".htm")) or "." not in last


class SiteHandler(web.RequestHandler):
    """The output folder, with the loader allowed in each page's policy."""

    def initialize(self, state: LiveState) -> None:
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        return None

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        if len(self.request.path) > LONGEST_PATH:
            raise web.HTTPError(414)
        rel = request_path(self.request.path)
        target = inside(self.state.root, rel) if rel is not None else None
        if target is None:
            return self.not_found()
        if self.state.error is not None and is_page_request(rel):
            return self.send(self.state.error, "error.html", 500)
        if rel and not rel.endswith("/") and target.is_dir():
            return self.redirect(self.request.path + "/")
        if rel == "" or rel.endswith("/"):
            target = inside(self.state.root, rel + "index.html")
        if target is None or not target.is_file():
            target = self.current_asset(rel) or target
        if target is None or not target.is_file():
            return self.not_found()
        try:
            body = target.read_bytes()
        except OSError:  # gone or unreadable since it was looked at
            return self.not_found()
        self.send(body, target.name, 200)

    def not_found(self) -> None:
        missing = self.state.root / "404.html"
        body = missing.read_bytes() if missing.is_file() else b"Not found"
        self.send(body, "404.html", 404)

    def current_asset(self, rel: str) -> Path | None:
        """`static/site.<old hash>.css` -> the current `static/site.<hash>.css`, so a page
        open before a stylesheet changed can restyle itself without reloading."""
        match = STALE_ASSET.match(rel)
        if not match:
            return None
        stem, suffix = match.groups()
        folder = (self.state.root / stem).parent
        name = Path(stem).name
        candidates = sorted(folder.glob(f"{name}.*{suffix}")) if folder.is_dir() else []
        for candidate in candidates:
            if STALE_ASSET.match(candidate.relative_to(self.state.root).as_posix()):
                return candidate
        return None

    def send(self, body: bytes, name: str, status: int) -> None:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        if kind.startswith("text/html"):
            body = allow_loader(body)
            self.state.served[self.request.path] = self.state.generation
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("X-Content-Type-Options", "nosniff")
        # A file opened on its own runs nothing and loads nothing, as `_headers` asks a host.
        if kind.startswith(("image/svg+xml", "application/xml")):
            self.set_header("Content-Security-Policy", f"{DRAWING_POLICY}; {NO_FRAMING}")
        elif kind.startswith("application/pdf"):
            self.set_header("Content-Security-Policy", f"{FILE_POLICY}; {NO_FRAMING}")
        if self.request.method == "HEAD":
            self.set_header("Content-Length", str(len(body)))
            self.finish()
        else:
            self.finish(body)


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, which also reloads a page that connects after a
    rebuild it missed (it was loading while the reload was sent)."""

    def initialize(self, state: LiveState) -> None:
        self.state = state

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        with contextlib.suppress(ValueError, AttributeError):
            data = json.loads(message)
            if data.get("command") == "info" and isinstance(data.get("url"), str):
                shown = self.state.served.get(urlsplit(data["url"]).path)
                if shown is not None and shown < self.state.generation:
                    self.send_message(reload_message("*"))


def reload_message(path: str) -> dict[str, Any]:
    return {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}


WILDCARD_HOSTS = ("", "0.0.0.0", "::")


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def allowed_host_names(host: str) -> frozenset[str] | None:
    """The `Host` names a server bound to `host` answers; None: any IP address
    (a server bound to every interface). A page on another site that a DNS name
    re-points at this machine (DNS rebinding) sends its own name, so it is refused."""
    if host in WILDCARD_HOSTS:
        return None
    names = {host.strip("[]").lower()}
    if host == "localhost":
        names |= {"127.0.0.1", "::1"}
    if is_loopback(host):
        names.add("localhost")
    return frozenset(names)


def is_loopback(host: str) -> bool:
    name = host.strip("[]")
    return name == "localhost" or (is_ip_literal(name) and ipaddress.ip_address(name).is_loopback)


def host_allowed(header_name: str, allowed: frozenset[str] | None) -> bool:
    """Whether a request whose `Host` names `header_name` (no port) may be answered."""
    name = header_name.strip("[]").lower()
    if allowed is None:
        return is_ip_literal(name) or name == "localhost"
    return name in allowed


class AllowedHost(routing.Matcher):
    def __init__(self, allowed: frozenset[str] | None) -> None:
        self.allowed = allowed

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        return {} if host_allowed(request.host_name, self.allowed) else None


class WrongHost(web.RequestHandler):
    """403 for a request made to a name this server was not asked to answer."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("sitegen serve answers only the address it was started on.\n")


def application(state: LiveState, host: str = DEFAULT_HOST) -> web.Application:
    LiveReloadHandler.watcher = Watcher()  # unused: watchfiles watches; it names no file
    LiveReloadHandler.live_css = True

    class Injector(LiveScriptInjector):
        script = LOADER.encode()

    site = [
        (r"/livereload", ReloadSocket, {"state": state}),
        (r"/livereload.js", LiveReloadJSHandler),
        (r"/(.*)", SiteHandler, {"state": state}),
    ]
    return web.Application(
        [
            routing.Rule(AllowedHost(allowed_host_names(host)), site),
            routing.Rule(routing.AnyMatches(), WrongHost),
        ],
        transforms=[Injector],
        log_function=lambda handler: None,  # no access log: the terminal shows rebuilds
    )


def push_reload(path: str) -> None:
    """Tell every open page to reload now (bypassing livereload's ignore window)."""
    message = reload_message(path)
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # a page that closed while we wrote
            LiveReloadHandler.waiters.discard(waiter)


# The loop ---------------------------------------------------------------------


def reload_path(changed: set[Path], options: BuildOptions) -> str:
    """What to tell the pages: a stylesheet's name when only CSS changed (they
    restyle in place), an image's path when only images did, else reload."""
    static = (options.templates / "static").absolute()
    if changed and all(p.suffix == ".css" and static in p.parents for p in changed):
        return sorted(changed)[0].name
    images = (options.content / "images").absolute()
    if changed and all(
        p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif") and images in p.parents
        for p in changed
    ):
        return sorted(changed)[0].relative_to(options.content.absolute()).as_posix()
    return "*"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class Outcome(NamedTuple):
    """What a build shows the pages."""

    error: bytes | None  # the error page, while the content has errors
    summary: str
    site_changed: bool  # whether the output folder changed


class Builds(Protocol):
    """What `serve` builds with: `build.Session`'s public API, handed in by the command
    line, so that the server stands beside the build instead of on it."""

    options: BuildOptions
    warmed: set[str]

    def build(self) -> BuildResult: ...
    def rebuild(self, changed: set[Path]) -> BuildResult: ...
    def warm(self) -> BuildResult: ...
    def close(self) -> None: ...


class Rebuilder:
    """Runs builds on the watcher's thread and reports each to the event loop."""

    def __init__(self, session: Builds, say: Callable[..., None]) -> None:
        self.options = session.options
        self.say = say
        self.session = session
        self.builds = 0
        self.warnings: list[Finding] = []
        self.rendered: list[str] = []  # the pages the last build rendered

    def settle(self) -> None:
        """Move what the build keeps for the next one out of the garbage collector's
        sight (`gc.freeze`): on a large site a full collection during a rebuild took
        a large part of it. Every `FULL_COLLECTION_EVERY` rebuilds everything is
        collected once, so cycles left by earlier builds are freed."""
        self.builds += 1
        if self.builds % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def warm(self) -> Outcome | None:
        """`Session.warm()`, once the watcher runs; what `build` gives if the build did
        more than render pages for their parts (a file changed since the last build),
        else None: those pages came out as they were, and it is only said."""
        started = time.perf_counter()
        shown = self.build(warm=True)
        warmed = self.session.warmed
        if shown.error is None and set(self.rendered) <= warmed:
            if warmed:
                seconds = time.perf_counter() - started
                self.say(f"Rendered {plural(len(warmed), 'page')} with parts in {seconds:.2f} s: "
                         "the first edit of a title rebuilds as fast as the next.")  # fmt: skip
            return None
        return shown

    def build(self, changed: set[Path] | None = None,
              warm: bool = False) -> Outcome:  # fmt: skip
        """Build (incrementally after the first time; `warm`: `Session.warm`)."""
        started = time.perf_counter()
        self.rendered = []
        try:
            if warm:
                result = self.session.warm()
            else:
                result = self.session.build() if changed is None else self.session.rebuild(changed)
            self.rendered = result.rendered
        except Exception as exc:  # a bug in sitegen: show it, keep serving
            message = f"internal error ({type(exc).__name__}: {exc}); please report this"
            self.say(f"sitegen: {message}", problem=True)
            problem = Finding("sitegen", 1, 1, "internal", message)
            return Outcome(error_page([problem], "sitegen failed"), "Build failed.", False)
        seconds = time.perf_counter() - started
        self.settle()
        what = ""
        if changed:
            names = sorted(display(p) for p in changed)
            what = f" ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})"
        warnings = [f for f in result.findings if f.severity is Severity.WARNING]
        if not result.ok:
            for finding in result.findings:
                if finding.severity is not Severity.NOTE:
                    self.say(str(finding), problem=True)
            self.warnings = []
            summary = (
                f"Build failed{what}: {plural(len(result.errors), 'error')}; "
                f"{display(self.options.out)}/ was left as it was; the browser shows the problems."
            )
            return Outcome(error_page(result.findings), summary, False)
        if warnings != self.warnings:
            for finding in warnings:
                self.say(str(finding), problem=True)
        self.warnings = warnings
        counted = f", {plural(len(warnings), 'warning')}" if warnings else ""
        pages = [url for url in result.rendered if not url.endswith(".xml")]
        if changed is None and not warm and not pages:  # all from the last build's store
            total = sum(1 for url in result.urls if is_html(url))
            summary = (f"Built {plural(total, 'page')} in {seconds:.2f} s, each as the last "
                       f"build left it{counted}.")  # fmt: skip
        else:
            verb = "Built" if changed is None else "Rebuilt"
            summary = f"{verb} {plural(len(pages), 'page')} in {seconds:.2f} s{what}{counted}."
        return Outcome(None, summary, result.changed)


def port_option(port: int) -> str:
    """How the editor asks for another port: under `make serve` (make passes MAKELEVEL
    to what it runs) make's PORT variable, else the --port option."""
    return f"make serve PORT={port}" if os.environ.get("MAKELEVEL") else f"--port {port}"


def serve(options: BuildOptions, session_of: Callable[[BuildOptions], Builds],
          host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:  # fmt: skip
    """Serve until Ctrl-C, building with `session_of(options)`; the exit code."""

    def say(text: str, problem: bool = False) -> None:
        print(text, file=sys.stderr if problem else sys.stdout, flush=True)

    try:
        sockets = netutil.bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(
                f"sitegen: port {port} on {host} is already in use (another server?); "
                f"choose a free one, for example {port_option(port + 1)}",
                file=sys.stderr,
            )
        else:
            reason = exc.strerror or exc
            print(f"sitegen: cannot serve on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    state = LiveState(options.out.absolute())
    rebuilder = Rebuilder(session_of(options), say)
    first = rebuilder.build()
    state.error = first.error
    say(first.summary)
    shown_host = f"[{host}]" if ":" in host else host
    say(
        f"Serving {display(options.out)}/ at http://{shown_host}:{port}/ "
        f"(watching {display(options.content)}/ and {display(options.templates)}/; Ctrl-C stops)"
    )
    if not is_loopback(host):
        say(
            f"Warning: {host} is reachable from other machines, which can then read the "
            f"site and its drafts; the default, {DEFAULT_HOST}, is reachable from this one only.",
            problem=True,
        )
    try:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while stopping
            asyncio.run(run(options, state, rebuilder, sockets, say, host))
    finally:
        rebuilder.session.close()  # the process ends without tearing down (`run_and_exit`)
    say("Stopped.")
    return 0


async def run(
    options: BuildOptions,
    state: LiveState,
    rebuilder: Rebuilder,
    sockets: list[socket.socket],
    say: Callable[..., None],
    host: str = DEFAULT_HOST,
) -> None:
    loop = asyncio.get_running_loop()
    server = httpserver.HTTPServer(application(state, host))
    server.add_sockets(sockets)
    stopped = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    stop_watching = threading.Event()

    def finished(outcome: Outcome, changed: set[Path], warm: bool = False) -> None:
        """Show a build's outcome. A page reloads only when what it shows changed: a
        second save of the same text (or an editor's two writes of one save) reloads
        nothing. The warm-up's build reloads no page unless it changes whether the site
        shows its problems: a change it took in was made while watching, so its own
        rebuild follows and tells the pages what changed (a stylesheet restyles in
        place, not a reload)."""
        was_failing = state.error is not None
        same = outcome.error == state.error if was_failing else not outcome.site_changed
        state.error = outcome.error
        say(outcome.summary)
        failing = outcome.error is not None
        if failing == was_failing and (same or warm):
            return
        state.generation += 1
        push_reload("*" if failing or was_failing else reload_path(changed, options))

    def watch() -> None:
        folders = [options.content, options.templates]
        warmed = False
        for changed in change_batches(folders, options.out, stop_watching, ticks=True):
            if stop_watching.is_set():
                break
            if not changed:  # quiet, and watching: changes made meanwhile are heard
                if not warmed:
                    warmed = True
                    if (shown := rebuilder.warm()) is not None:
                        loop.call_soon_threadsafe(finished, shown, changed, True)
                continue
            loop.call_soon_threadsafe(finished, rebuilder.build(changed), changed)

    watcher = threading.Thread(target=watch, name="sitegen-watch", daemon=True)
    watcher.start()
    try:
        await stopped.wait()
    finally:
        stop_watching.set()
        server.stop()
        for waiter in list(LiveReloadHandler.waiters):
            waiter.close()
        await asyncio.to_thread(watcher.join, 10)
