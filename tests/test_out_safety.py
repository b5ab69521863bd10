"""`--out` and `clean` replace or delete only a folder that is empty or that sitegen built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TEMPLATES, run_cli, snapshot


def build(content: Path, out: Path, *more: str):
    return run_cli("build", "--content", str(content), "--templates", str(TEMPLATES),
                   "--out", str(out), *more)  # fmt: skip


def someones_folder(folder: Path) -> Path:
    (folder / "notes").mkdir(parents=True)
    (folder / "letter.txt").write_text("dear editor")
    (folder / "notes" / "plan.md").write_text("# plan")
    return folder


@pytest.mark.parametrize("name", ["Documents", ".git", "photos"])
def test_a_folder_of_someone_elses_files_is_refused_untouched(
    content: Path, tmp_path: Path, name: str
) -> None:
    folder = someones_folder(tmp_path / name)
    before = snapshot(folder)
    result = build(content, folder)
    assert result.returncode == 2
    assert f"--out {folder} holds files that sitegen did not write" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before
    assert not list(tmp_path.glob(f".{name}.*tmp*"))


def test_folders_inside_the_sources_are_refused(content: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    before = snapshot(templates)
    for out, message in (
        (templates / "static", "is inside the templates folder"),
        (content / "site", "is inside the content folder"),
        (content / "images", "is inside the content folder"),
        (tmp_path, "would replace the content folder"),
    ):
        result = run_cli("build", "--content", str(content), "--templates", str(templates),
                         "--out", str(out))  # fmt: skip
        assert result.returncode == 2, out
        assert message in result.stderr, result.stderr
    assert snapshot(templates) == before


def test_a_new_or_empty_folder_is_built_and_then_rebuilt(content: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(content, empty).returncode == 0
    assert build(content, empty).returncode == 0, "a folder sitegen built is its own"
    assert build(content, tmp_path / "new" / "site").returncode == 0
    assert (tmp_path / "new" / "site" / "index.html").is_file()


def test_a_copy_of_a_built_site_is_not_taken_for_one(content: Path, tmp_path: Path) -> None:
    assert build(content, tmp_path / "site").returncode == 0
    shutil.copytree(tmp_path / "site", tmp_path / "copy")
    before = snapshot(tmp_path / "copy")
    result = build(content, tmp_path / "copy")
    assert result.returncode == 2
    assert snapshot(tmp_path / "copy") == before


def test_a_built_site_whose_record_is_gone_is_refused(content: Path, tmp_path: Path) -> None:
    assert build(content, tmp_path / "site").returncode == 0
    (tmp_path / ".site.manifest.json").unlink()
    result = build(content, tmp_path / "site")
    assert result.returncode == 2
    assert "sitegen did not write" in result.stderr


def test_a_file_or_a_link_is_refused(content: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    someones_folder(tmp_path / "target")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    assert "exists and is not a folder" in build(content, tmp_path / "file").stderr
    result = build(content, tmp_path / "link")
    assert result.returncode == 2
    assert "is a symbolic link" in result.stderr
    assert (tmp_path / "target" / "letter.txt").read_text() == "dear editor"


def test_clean_deletes_only_a_folder_sitegen_built(content: Path, tmp_path: Path) -> None:
    folder = someones_folder(tmp_path / "Documents")
    before = snapshot(folder)
    result = run_cli("clean", "--content", str(content), "--out", str(folder))
    assert result.returncode == 2
    assert "nothing was removed" in result.stderr
    assert snapshot(folder) == before
    assert build(content, tmp_path / "site").returncode == 0
    result = run_cli("clean", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "site").exists()
    assert run_cli("clean", "--content", str(content), "--out", str(tmp_path / "x")).returncode == 0


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_worker_count_below_one_is_a_usage_error(
    content: Path, tmp_path: Path, jobs: str
) -> None:
    for command in ("build", "check", "serve"):
        result = run_cli(command, "--content", str(content), "--jobs", jobs)
        assert result.returncode == 2, (command, jobs)
        assert "expected a whole number of at least 1" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_site_recorded_by_the_previous_manifest_version_is_still_ours(
    content: Path, tmp_path: Path
) -> None:
    import json

    assert build(content, tmp_path / "site").returncode == 0
    manifest = tmp_path / ".site.manifest.json"
    data = json.loads(manifest.read_text())
    data["version"] = 2  # files then recorded as [digest, size, mtime, inode]
    data["live"]["files"] = {name: [v[3], v[0], v[1], v[2]]
                             for name, v in data["live"]["files"].items()}  # fmt: skip
    data["spare"] = None
    manifest.write_text(json.dumps(data))
    result = build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
