"""Nothing is lost: the previous site/ survives failed, broken and killed builds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, build_site, snapshot
from sitegen import write
from sitegen.render import RenderedPage
from sitegen.write import write_site


def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(content: Path, tmp_path: Path):
    out = tmp_path / "site"
    assert build_site(content, out).written
    before = snapshot(out)
    (content / "conditions" / "alpha.md").write_text("no front matter", "utf-8")
    time.sleep(0.01)
    result = build_site(content, out)
    assert not result.ok and not result.written
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.tmp")] == []


def test_files_of_deleted_content_do_not_linger(content: Path, tmp_path: Path):
    out = tmp_path / "site"
    build_site(content, out)
    assert (out / "conditions" / "alpha" / "index.html").is_file()
    (content / "conditions" / "alpha.md").unlink()
    assert build_site(content, out).written
    assert not (out / "conditions" / "alpha").exists()
    assert (out / "conditions" / "beta" / "index.html").is_file()


def test_an_error_while_writing_leaves_the_previous_site(tmp_path: Path, monkeypatch):
    out = tmp_path / "site"
    write_site([RenderedPage("", b"old", "t.html")], {}, out)
    before = snapshot(out)

    def broken_fill(folder, pages, files):
        (folder / "half.html").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(write, "fill", broken_fill)
    with pytest.raises(OSError):
        write_site([RenderedPage("", b"new", "t.html")], {}, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_the_swap_replaces_the_whole_folder_and_keeps_it_readable(tmp_path: Path):
    out = tmp_path / "site"
    write_site([RenderedPage("a/", b"A", "t.html")], {}, out)
    write_site([RenderedPage("b/", b"B", "t.html")], {}, out)
    assert sorted(snapshot(out)) == ["b/index.html"]
    assert oct(out.stat().st_mode & 0o755) == oct(0o755 & ~_umask())


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path: Path):
    out = tmp_path / "site"
    leftover = tmp_path / ".site.tmp-abc123"
    (leftover / "x").mkdir(parents=True)
    write_site([RenderedPage("", b"x", "t.html")], {}, out)
    assert not leftover.exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _big_content(source: Path, target: Path, copies: int) -> None:
    shutil.copytree(source, target)
    alpha = (target / "conditions" / "alpha.md").read_text("utf-8")
    for number in range(copies):
        (target / "conditions" / f"copy-{number}.md").write_text(alpha, "utf-8")


def test_a_build_killed_while_writing_leaves_the_previous_site(content: Path, tmp_path: Path):
    """Kill real builds the moment their temporary folder appears, several times over."""
    big = tmp_path / "big"
    _big_content(content, big, 400)
    out = tmp_path / "site"
    assert build_site(big, out).written
    before = snapshot(out)
    alpha = big / "conditions" / "alpha.md"
    alpha.write_text(alpha.read_text("utf-8").replace("Alpha condition", "Alpha renamed"), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed_mid_write = 0
    for _ in range(3):
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "--content",
                str(big),
                "--out",
                str(out),
                "--templates",
                str(TEMPLATES),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if any(tmp_path.glob(".site.tmp-*/conditions")):
                process.send_signal(signal.SIGKILL)
                killed_mid_write += 1
                break
            time.sleep(0.001)
        process.wait(timeout=60)
        assert snapshot(out) == before, "a killed build changed site/"
    assert killed_mid_write >= 1
    assert build_site(big, out).written
    assert "Alpha renamed" in (out / "conditions" / "alpha" / "index.html").read_text("utf-8")
    assert not list(tmp_path.glob(".site.tmp-*"))
