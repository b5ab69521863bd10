"""Nothing is lost: the previous site/ survives failed, broken and killed builds."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import build_site, snapshot
from sitegen import fs, write
from sitegen.fs import digest_of, file_digest
from sitegen.write import Manifest, Output, write_site


def outputs(**files: str) -> dict[str, Output]:
    """`a__index_html="A"` -> {"a/index.html": Output of b"A"}."""
    return {
        name.replace("__", "/").replace("_html", ".html"): Output(
            digest_of(text.encode()), text.encode
        )
        for name, text in files.items()
    }


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


def test_writing_says_whether_the_folder_changed(tmp_path: Path):
    out = tmp_path / "site"
    assert write_site(outputs(index_html="1", a__index_html="A"), out)
    inode = (out / "index.html").stat().st_ino
    assert not write_site(outputs(index_html="1", a__index_html="A"), out)
    assert (out / "index.html").stat().st_ino == inode
    assert write_site(outputs(index_html="2", a__index_html="A"), out)
    assert write_site(outputs(index_html="2"), out)


def test_an_error_while_writing_leaves_the_previous_site(tmp_path: Path, monkeypatch):
    out = tmp_path / "site"
    write_site(outputs(index_html="old"), out)
    before = snapshot(out)

    def broken_create(path, output):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(write, "create", broken_create)
    with pytest.raises(write.OutputError):
        write_site(outputs(index_html="new"), out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.lock",
        ".site.manifest.json",
        "site",
    ]


def test_the_swap_replaces_the_whole_folder_and_keeps_it_readable(tmp_path: Path):
    out = tmp_path / "site"
    write_site(outputs(a__index_html="A"), out)
    write_site(outputs(b__index_html="B"), out)
    assert sorted(snapshot(out)) == ["b/index.html"]
    assert oct(out.stat().st_mode & 0o755) == oct(0o755 & ~_umask())


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path: Path):
    out = tmp_path / "site"
    leftover = tmp_path / ".site.tmp-abc123"
    (leftover / "x").mkdir(parents=True)
    write_site(outputs(index_html="x"), out)
    assert not leftover.exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def contents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(folder).items()}


def spares(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}.spare-*"))


def test_the_swapped_out_folder_is_kept_as_a_spare_and_patched(tmp_path: Path):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A", b__x__index_html="B"), out)
    write_site(outputs(index_html="2", a__index_html="A", b__x__index_html="B"), out)
    assert len(spares(out)) == 1 and contents(spares(out)[0])["index.html"] == b"1"
    kept = (out / "a" / "index.html").stat().st_ino
    write_site(outputs(index_html="3", a__index_html="A", c__index_html="C"), out)
    assert contents(out) == {"index.html": b"3", "a/index.html": b"A", "c/index.html": b"C"}
    assert not (out / "b").exists()  # emptied folders go too
    assert (out / "a" / "index.html").stat().st_ino == kept  # the same file throughout
    assert len(spares(out)) == 1 and contents(spares(out)[0])["index.html"] == b"2"


def test_a_site_written_where_none_was_leaves_a_spare_of_links_to_patch(tmp_path: Path):
    """With no older folder to keep as the spare, one is made of hard links to the new
    folder's files (its search index among them): the next write patches it rather
    than filling a new folder, and never writes through a link into the live site."""
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A", b__x__index_html="B"), out)
    [spare] = spares(out)
    assert contents(spare) == contents(out)
    linked = (spare / "a" / "index.html").stat().st_ino
    assert linked == (out / "a" / "index.html").stat().st_ino
    read = Manifest.read(out)
    assert read.spare is not None and read.live is not None
    assert read.spare.files == read.live.files
    first, patched = (out / "index.html").stat().st_ino, spare.stat().st_ino
    write_site(outputs(index_html="2", a__index_html="A", b__x__index_html="B"), out)
    assert out.stat().st_ino == patched  # the spare, patched, is the live folder now
    assert (out / "a" / "index.html").stat().st_ino == linked
    assert (out / "index.html").read_bytes() == b"2"
    [spare] = spares(out)
    assert contents(spare)["index.html"] == b"1"  # the old live folder, untouched
    assert (spare / "index.html").stat().st_ino == first


def test_a_spare_of_links_that_cannot_be_made_is_left_out(tmp_path: Path, monkeypatch):
    def refused(*args, **kwargs):
        raise OSError("hard links not allowed here")

    monkeypatch.setattr(os, "link", refused)
    out = tmp_path / "site"
    assert write_site(outputs(index_html="1", a__index_html="A"), out)
    assert contents(out) == {"index.html": b"1", "a/index.html": b"A"}
    assert spares(out) == [] and Manifest.read(out).spare is None


def test_a_spare_file_changed_behind_the_build_is_written_again(tmp_path: Path):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A"), out)
    write_site(outputs(index_html="2", a__index_html="A"), out)
    spare = spares(out)[0]
    (spare / "a" / "index.html").unlink()  # replaced by someone: same size, other inode
    (spare / "a" / "index.html").write_bytes(b"Z")
    time.sleep(0.05)
    (spare / "index.html").write_bytes(b"X")  # edited in place: same inode, another time
    write_site(outputs(index_html="1", a__index_html="A"), out)
    assert contents(out) == {"index.html": b"1", "a/index.html": b"A"}


def test_a_live_file_edited_by_hand_is_not_linked_into_the_next_site(tmp_path: Path):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A"), out)
    (out / "a" / "index.html").write_bytes(b"Z")
    write_site(outputs(index_html="2", a__index_html="A"), out)
    assert contents(out) == {"index.html": b"2", "a/index.html": b"A"}


def test_the_same_files_again_write_nothing(tmp_path: Path):
    """A build whose output is what the live folder holds swaps nothing in: no new
    folder, the spare and the manifest as they were. A file changed by hand is not
    trusted."""
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A"), out)
    manifest = Manifest.path(out).read_bytes()
    folder = out.stat().st_ino
    [spare] = spares(out)
    write_site(outputs(index_html="1", a__index_html="A"), out)
    assert out.stat().st_ino == folder and spares(out) == [spare]
    assert Manifest.path(out).read_bytes() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.lock",
        ".site.manifest.json",
        spare.name,
        "site",
    ]
    (out / "a" / "index.html").write_bytes(b"Z")
    write_site(outputs(index_html="1", a__index_html="A"), out)
    assert contents(out) == {"index.html": b"1", "a/index.html": b"A"}
    assert out.stat().st_ino != folder  # written anew and swapped in


def test_a_new_folder_never_writes_into_a_file_already_there(tmp_path: Path):
    """Filling a new folder creates each file; one found there (a hard link to a live
    file, say) is replaced, not written through."""
    live, folder = tmp_path / "live", tmp_path / "new"
    (live / "a").mkdir(parents=True)
    (live / "a" / "index.html").write_bytes(b"live")
    (folder / "a").mkdir(parents=True)
    os.link(live / "a" / "index.html", folder / "a" / "index.html")
    files = write.fill(folder, outputs(a__index_html="new", b__c__index_html="C"), live, {})
    assert (live / "a" / "index.html").read_bytes() == b"live"
    assert contents(folder) == {"a/index.html": b"new", "b/c/index.html": b"C"}
    assert files["b/c/index.html"].digest == digest_of(b"C")


def test_a_damaged_manifest_means_a_fresh_folder(tmp_path: Path):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A"), out)
    write_site(outputs(index_html="2", b__index_html="B"), out)
    Manifest.path(out).write_text("{not json", "utf-8")
    write_site(outputs(index_html="3", a__index_html="A"), out)
    assert contents(out) == {"index.html": b"3", "a/index.html": b"A"}
    assert Manifest.read(out).live is not None


def test_an_error_while_patching_the_spare_leaves_the_site_and_drops_the_spare(
    tmp_path: Path, monkeypatch
):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A"), out)
    write_site(outputs(index_html="2", a__index_html="A"), out)
    before = snapshot(out)
    real_put = write.put

    def put_then_fail(folder, name, *args):
        real_put(folder, name, *args)
        raise OSError("disk full")

    monkeypatch.setattr(write, "put", put_then_fail)
    with pytest.raises(write.OutputError):
        write_site(outputs(index_html="3", a__index_html="A", b__index_html="B"), out)
    assert snapshot(out) == before and spares(out) == []
    monkeypatch.undo()
    write_site(outputs(index_html="3", a__index_html="A", b__index_html="B"), out)
    assert contents(out) == {"index.html": b"3", "a/index.html": b"A", "b/index.html": b"B"}


def test_a_file_is_read_for_its_digest_once_while_it_is_unchanged(tmp_path: Path):
    theme = tmp_path / "site.css"
    theme.write_bytes(b"body {}")
    long_ago = time.time() - 60
    os.utime(theme, (long_ago, long_ago))
    first = file_digest(theme)
    hits = fs._digest_at.cache_info().hits
    assert file_digest(theme) == first == digest_of(b"body {}")
    assert fs._digest_at.cache_info().hits == hits + 1  # not read again
    theme.write_bytes(b"main {}")  # changed just now: read each time until it settles
    assert file_digest(theme) == digest_of(b"main {}")


def test_the_manifest_records_the_spare_as_its_differences_from_the_live_folder(
    tmp_path: Path,
):
    out = tmp_path / "site"
    write_site(outputs(index_html="1", a__index_html="A", b__index_html="B"), out)
    write_site(outputs(index_html="2", a__index_html="A", c__index_html="C"), out)
    saved = json.loads(Manifest.path(out).read_text("utf-8"))
    assert sorted(saved["spare"]["changed"]) == ["b/index.html", "index.html"]
    assert saved["spare"]["gone"] == ["c/index.html"]
    write.SAVED.clear()  # read from the file, not from this process's memory
    read = Manifest.read(out)
    assert read.live is not None and read.spare is not None
    assert sorted(read.spare.files) == ["a/index.html", "b/index.html", "index.html"]
    assert read.spare.files["a/index.html"] == read.live.files["a/index.html"]
    write_site(outputs(index_html="1", a__index_html="A", b__index_html="B"), out)
    assert contents(out) == {"index.html": b"1", "a/index.html": b"A", "b/index.html": b"B"}
