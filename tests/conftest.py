"""Shared fixtures: copies of small content folders, and ways to build them."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, BuildResult, build
from sitegen.record import RecordingEnvironment

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "templates"


class QuietHTTPServer(http.server.ThreadingHTTPServer):
    """The tests' own server on 127.0.0.1. A client that hangs up before a file is sent
    (a browser moving on to the next page) is no fault of the site's, and printed a
    traceback among the tests' dots."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def readable(model: type) -> list[str]:
    """What a template can read on a model of this class: its fields and properties."""
    names = set(model.model_fields)  # type: ignore[attr-defined]
    for klass in model.__mro__:
        names.update(name for name, member in vars(klass).items() if isinstance(member, property))
    return sorted(name for name in names if not name.startswith(("_", "model_")))


@pytest.fixture(autouse=True, scope="session")
def own_cache_folder(tmp_path_factory) -> Iterator[None]:
    """The user's cache folder, where sitegen keeps the key that seals compiled
    templates (`store.sealing_key`), is one of the tests' own: the tests leave
    nothing in the home folder of whoever runs them. Processes they start inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the minimal valid content folder, safe to edit."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A private copy of the default templates, safe to edit."""
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


def build_site(
    content: Path, out: Path, templates: Path = TEMPLATES, strict: bool = False
) -> BuildResult:
    return build(BuildOptions(content=content, out=out, templates=templates, strict=strict))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample site in content/, built once for every test that only reads it."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = build_site(ROOT / "content", out)
    assert result.ok, "\n".join(map(str, result.findings))
    assert result.warnings == [], "\n".join(map(str, result.warnings))
    return out


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ...` as an editor would, in a real process (`env`: more
    variables for it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def counting_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from now on."""
    compiled: list[str] = []
    compile_template = RecordingEnvironment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_template(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(RecordingEnvironment, "compile", counting)
    return compiled


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder` with its bytes and modification time."""
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
