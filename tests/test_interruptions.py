"""Nothing is lost when the machine stops a build: killed at any stage, or out of disk,
a build leaves the previous site/ exactly as it was (or the complete new one), and
the next build equals a clean build of the same content."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, TEMPLATES, run_cli
from sitegen.build import BuildOptions, build

TRIALS = 50
COPIES = 30  # conditions beside the fixture's: a build long enough to be caught in any stage


def contents(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def make_project(folder: Path) -> Path:
    content = folder / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    shutil.copytree(TEMPLATES, folder / "templates")
    alpha = (content / "conditions" / "alpha.md").read_text("utf-8")
    for number in range(COPIES):
        text = alpha.replace("Alpha condition", f"Condition {number}")
        (content / "conditions" / f"copy-{number}.md").write_text(text, "utf-8")
    return folder


def small_project(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "minimal", folder / "content")
    shutil.copytree(TEMPLATES, folder / "templates")
    return folder


def edits(project: Path) -> Iterator[tuple[str, Callable[[int], None]]]:
    """Each kind of change in turn: what every page reads, one page, a listing,
    a page added and removed, a template."""
    content = project / "content"

    def site_title(n: int) -> None:
        path = content / "site.yaml"
        text = path.read_text("utf-8")
        path.write_text(text.replace(text.splitlines()[0], f"title: Test Site {n}"), "utf-8")

    def body(n: int) -> None:
        path = content / "conditions" / "copy-3.md"
        path.write_text(path.read_text("utf-8") + f"\nMore text {n}.\n", "utf-8")

    def title(n: int) -> None:
        path = content / "conditions" / "copy-7.md"
        lines = path.read_text("utf-8").splitlines(keepends=True)
        lines[1] = f"title: Condition seven, version {n}\n"
        path.write_text("".join(lines), "utf-8")

    def add_or_remove(n: int) -> None:
        extra = content / "conditions" / "extra.md"
        if extra.exists():
            extra.unlink()
        else:
            shutil.copy(content / "conditions" / "copy-1.md", extra)

    def template(n: int) -> None:
        path = project / "templates" / "base.html"
        path.write_text(path.read_text("utf-8") + f"\n{{# edit {n} #}}\n", "utf-8")

    kinds = [site_title, body, title, add_or_remove, template]
    while True:
        yield from ((kind.__name__, kind) for kind in kinds)


def start_build(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "build"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def stage_seen(project: Path, manifest_before: int) -> str:
    """How far a build had gone, as its files show."""
    manifest = project / ".site.manifest.json"
    if manifest.exists() and manifest.stat().st_mtime_ns != manifest_before:
        return "swapped"
    if any(project.glob(".site.tmp-*")):
        return "writing"
    return "reading or rendering"


def clean_build(project: Path, out: Path) -> dict[str, bytes]:
    options = BuildOptions(project / "content", out, project / "templates")
    result = build(options)
    assert result.ok, [str(f) for f in result.errors]
    return contents(out)


def test_builds_killed_in_every_stage_leave_the_old_or_the_new_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert run_cli("build", cwd=project).returncode == 0
    started = time.monotonic()
    assert run_cli("build", "--no-cache", cwd=project).returncode == 0
    full = time.monotonic() - started  # a whole build, start to end
    site = project / "site"
    chooser = random.Random(20261204)
    stages: dict[str, int] = {}
    changes = edits(project)
    for trial in range(TRIALS):
        old = contents(site)
        manifest = project / ".site.manifest.json"
        manifest_before = manifest.stat().st_mtime_ns if manifest.exists() else 0
        name, change = next(changes)
        change(trial)
        process = start_build(project)
        if trial % 2 == 0:  # at any moment of the build
            deadline = time.monotonic() + chooser.uniform(0.05, full)
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.002)
        else:  # while it writes the new folder
            deadline = time.monotonic() + 60
            while process.poll() is None and not any(project.glob(".site.tmp-*")):
                assert time.monotonic() < deadline
                time.sleep(0.0005)
            time.sleep(chooser.uniform(0, 0.05))  # writing a patched spare takes well under 0.3 s
        stage = stage_seen(project, manifest_before)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            stages[stage] = stages.get(stage, 0) + 1
        process.wait(timeout=60)
        after_kill = contents(site)
        finished = build(BuildOptions(project / "content", site, project / "templates", cache=True))
        assert finished.ok and finished.written, [str(f) for f in finished.errors]
        new = contents(site)
        assert after_kill in (old, new), f"trial {trial} ({name}, {stage}): a mixed site/"
        if trial % 10 == 9:
            assert new == clean_build(project, tmp_path / f"clean-{trial}"), f"trial {trial}"
        assert not list(project.glob(".site.tmp-*"))
    assert stages.get("reading or rendering", 0) >= 5, stages
    assert stages.get("writing", 0) >= 5, stages
    assert contents(site) == clean_build(project, tmp_path / "clean-last")


def beside_site(project: Path) -> list[str]:
    """The names in the folder that holds site/ (a spare folder's without its id)."""
    return sorted(re.sub(r"^(\.site\.spare-).*", r"\1…", path.name) for path in project.iterdir())


def test_a_build_killed_while_pagefind_runs_leaves_nothing_behind(tmp_path: Path) -> None:
    """Pagefind reads a folder of links to the pages it indexes, made beside site/. A
    build killed while it runs leaves that folder; the next build removes it, as it
    removes the unfinished site folder."""
    project = small_project(tmp_path / "project")
    assert run_cli("build", cwd=project).returncode == 0
    before = beside_site(project)
    edit = project / "content/pages/about.md"
    edit.write_text(edit.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    process = start_build(project)
    deadline = time.monotonic() + 60
    while process.poll() is None and not any(project.glob(".*search-*")):
        assert time.monotonic() < deadline, "Pagefind's folder never appeared"
        time.sleep(0.0005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert list(project.glob(".*search-*")), "killed before Pagefind ran: try again"
    assert run_cli("build", cwd=project).returncode == 0
    assert beside_site(project) == before


# Pagefind as a killed build leaves it: still writing its index into the build's folder.
ORPHAN = """
import sys, time
from pathlib import Path
out = Path(sys.argv[1])
for n in range(3000):
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{n}.pf_fragment").write_text("x")
    time.sleep(0.01)
"""


def test_a_pagefind_left_writing_by_a_killed_build_is_stopped(tmp_path: Path) -> None:
    """SIGKILL stops the build, not the Pagefind it started, which goes on writing into
    the build's folder and would make it again after the next build removed it. The
    next build stops it first."""
    project = small_project(tmp_path / "project")
    assert run_cli("build", cwd=project).returncode == 0
    before = beside_site(project)
    leftover = project / ".site.tmp-killed01"
    writer = subprocess.Popen([sys.executable, "-c", ORPHAN, str(leftover / "pagefind/0")])
    try:
        deadline = time.monotonic() + 30
        while not (leftover / "pagefind/0").exists():
            assert time.monotonic() < deadline and writer.poll() is None
            time.sleep(0.01)
        edit = project / "content/pages/about.md"
        edit.write_text(edit.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        assert run_cli("build", cwd=project).returncode == 0
        assert writer.wait(timeout=10) == -signal.SIGKILL
        assert beside_site(project) == before
    finally:
        if writer.poll() is None:
            writer.kill()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs, where mounting is allowed (root in CI); skipped elsewhere."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or 'not allowed'}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A file that takes all but `leave` bytes of the disk."""
    ballast = disk / "ballast"
    free = shutil.disk_usage(disk).free
    with ballast.open("wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))
    return ballast


def test_a_full_disk_is_one_clear_line_and_the_site_is_kept(
    small_disk: Path, tmp_path: Path
) -> None:
    project = small_project(tmp_path / "project")
    out = small_disk / "site"
    args = ("build", "--out", str(out))
    assert run_cli(*args, cwd=project).returncode == 0
    before = contents(out)
    alpha = project / "content" / "conditions" / "alpha.md"
    alpha.write_text(alpha.read_text("utf-8").replace("Alpha condition", "Alpha again"), "utf-8")
    (project / "content" / "site.yaml").write_text(
        (project / "content" / "site.yaml").read_text("utf-8").replace("Test Site", "New Name"),
        "utf-8",
    )
    ballast = fill(small_disk, leave=20_000)
    failed = run_cli(*args, cwd=project)
    assert failed.returncode == 2, failed.stdout + failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], failed.stderr
    assert "previous site was left as it was" in lines[0]
    assert "Traceback" not in failed.stderr
    assert contents(out) == before
    assert not list(small_disk.glob(".site.tmp-*"))
    ballast.unlink()
    assert run_cli(*args, cwd=project).returncode == 0
    # Pagefind orders pages as the file system lists them: compare on the same one.
    assert contents(out) == clean_build(project, small_disk / "clean")


def test_a_read_only_output_folder_is_one_clear_line(small_disk: Path, tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    out = small_disk / "site"
    assert run_cli("build", "--out", str(out), cwd=project).returncode == 0
    before = contents(out)
    (project / "content" / "conditions" / "beta.md").write_text(
        (project / "content" / "conditions" / "beta.md").read_text("utf-8") + "\nMore.\n"
    )
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run_cli("build", "--out", str(out), cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"sitegen: cannot write {out}: Read-only file system; the previous site was left as it was."
    )
    assert contents(out) == before


@pytest.mark.parametrize(
    "damage",
    [
        "foreign database",
        "state that is not JSON",
        "table dropped",
        "rows deleted",
        "not a database",
    ],
)
def test_a_damaged_cache_costs_a_rebuild_never_a_wrong_site(tmp_path: Path, damage: str) -> None:
    project = small_project(tmp_path / "project")
    assert run_cli("build", cwd=project).returncode == 0
    database = project / ".cache" / "sitegen.sqlite"
    if damage == "foreign database":
        database.unlink()
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE pages (a, b)")
            db.execute("CREATE TABLE state (key TEXT, value TEXT)")
    elif damage == "not a database":
        database.write_bytes(b"not a database at all" * 100)
    else:
        with sqlite3.connect(database) as db:
            if damage == "state that is not JSON":
                db.execute("UPDATE steps SET entries = '{not json' WHERE step = 'state'")
            elif damage == "table dropped":
                db.execute("DROP TABLE reads")
            else:
                db.execute(
                    "DELETE FROM reads WHERE url IN"
                    " (SELECT id FROM names WHERE name LIKE 'conditions/%')"
                )
    shutil.rmtree(project / "site")
    (project / ".site.manifest.json").unlink()
    beta = project / "content" / "conditions" / "beta.md"
    beta.write_text(beta.read_text("utf-8") + "\nA change.\n", "utf-8")
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert contents(project / "site") == clean_build(project, tmp_path / "clean")
    again = run_cli("build", cwd=project)
    assert again.returncode == 0 and "warning" not in again.stderr
    assert contents(project / "site") == clean_build(project, tmp_path / "clean-again")
