"""A real `serve` process and a real Chromium, for the live-reload tests.

Chromium is driven by Playwright's sync API on a thread of its own: that API
refuses to start a second time on a thread where it already runs, and the
browser suite (tests/browser/) keeps one open for the whole session.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_site(folder: Path) -> Path:
    """A private copy of the minimal content and the default templates in `folder`."""
    shutil.copytree(FIXTURES / "minimal", folder / "content")
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder


def fetch(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(check: Callable[[], T], timeout: float, what: str, every: float = 0.02) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class Server:
    """`python build.py serve` in `folder` (with content/ and templates/), in a subprocess."""

    def __init__(self, folder: Path, port: int | None = None, *args: str) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.stdout = folder / "serve.out"
        self.stderr = folder / "serve.err"
        # As an editor runs it by hand, whether the suite runs under `make test` or not:
        # under make, serve suggests `make serve PORT=…` rather than `--port`.
        by_hand = {name: value for name, value in os.environ.items() if name != "MAKELEVEL"}
        env = {**by_hand, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(self.port), *args],
                cwd=folder,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
            )

    def wait_ready(self, timeout: float = 30) -> Server:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.output()}")
            try:
                fetch(self.url, timeout=1)
                return True
            except OSError:
                return False

        wait_for(answers, timeout, "the server to answer", every=0.05)
        return self

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def stop(self, signum: int = signal.SIGINT, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"serve did not stop on signal {signum}") from None
        return self.process.returncode


def missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (make browser-deps installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (make setup installs it)"
    return None


def need_browser() -> None:
    """Skip where Chromium cannot run; fail in CI, where it must."""
    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


class Chromium:
    """One headless Chromium on a thread of its own; `call` runs a function there."""

    def __init__(self, tmp: Path) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self.tmp = tmp
        self.browser: Any = self.call(self._start)

    def _start(self) -> Any:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        return self.playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            env={**os.environ, "TMPDIR": str(self.tmp)},
        )

    def call(self, function: Callable[..., T], *args: Any, timeout: float = 120) -> T:
        return self.pool.submit(function, *args).result(timeout)

    def close(self) -> None:
        def stop() -> None:
            self.browser.close()
            self.playwright.stop()

        self.call(stop)
        self.pool.shutdown()
