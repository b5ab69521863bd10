"""Stage 5: bring a folder beside the output up to date, then swap it in.

The previous output stays exactly as it was until the new one is complete:
a failed or killed build leaves only a hidden temporary folder, which the next
build removes. On Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`;
elsewhere it is two renames in quick succession.

Writing every file of a large site again for each build would cost more than
rendering the one page that changed, so the folder swapped out last time is
kept as a spare (`.site.spare-<id>`) and patched: only files whose bytes
differ are written (each as a new file, so a file the live site shares by
hard link is never changed), files that are gone are removed, and unchanged
files of the live site are hard-linked. A manifest beside the output
(`.site.manifest.json`) records each folder's files with their digest and the
size, time and inode they had when written; a file is trusted only while its
size, time and inode still match, so an edited, truncated or replaced file is
written again and a spare of unknown state is never used.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .fs import Stamp, file_digest, link_copy, stamp_of

RENAME_EXCHANGE = 2
AT_FDCWD = -100
MANIFEST_VERSION = 3  # 2: the spare as a difference from the live folder; 3: fs.Stamp


@dataclass(frozen=True)
class Output:
    """One file of the site: the digest of its bytes, and how to get them when they
    must be written (a page kept in the build cache is read only then)."""

    digest: str
    read: Callable[[], bytes] = field(compare=False, repr=False)


def file_output(path: Path) -> Output:
    """A file copied into the site: its digest now, its bytes only if it must be written."""
    return Output(file_digest(path), path.read_bytes)


@dataclass
class Folder:
    """A folder of output files as the manifest records it."""

    id: str
    files: dict[str, Stamp] = field(default_factory=dict)
    index: Any = None  # what the search index recorded of itself (JSON), if anything

    def to_json(self, base: Folder | None = None) -> dict:
        """As JSON; with `base`, only how its files differ from those of `base` (the
        spare is the last live folder, whose files the new one mostly shares: this
        halves the manifest a `serve` rebuild writes). Its index record is not kept."""
        if base is None:
            return {"id": self.id, "files": self.files, "index": self.index}
        before = base.files
        changed = {name: stamp for name, stamp in self.files.items() if before.get(name) != stamp}
        gone = [name for name in before if name not in self.files]
        return {"id": self.id, "changed": changed, "gone": gone}

    @classmethod
    def from_json(cls, data: dict, base: Folder | None = None) -> Folder:
        def stamps(recorded: dict) -> dict[str, Stamp]:
            return {
                str(name): (
                    Stamp(int(v[1]), int(v[2]), int(v[3]), str(v[0]))  # version 2's order
                    if isinstance(v[0], str)
                    else Stamp(int(v[0]), int(v[1]), int(v[2]), str(v[3]))
                )
                for name, v in recorded.items()
            }

        if "files" in data:
            return cls(str(data["id"]), stamps(data["files"]), data.get("index"))
        if base is None:
            raise ValueError("a folder recorded as changes to a folder not recorded")
        files = {**base.files, **stamps(data["changed"])}
        for name in data["gone"]:
            files.pop(str(name), None)
        return cls(str(data["id"]), files)


@dataclass
class Manifest:
    live: Folder | None = None
    spare: Folder | None = None

    @staticmethod
    def path(out_dir: Path) -> Path:
        return out_dir.parent / f".{out_dir.name}.manifest.json"

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        """The recorded manifest; an empty one if it is missing, damaged or of another version.

        The one this process saved or read last is not parsed again while the file is
        as it was then (same inode, size and time): `serve` rebuilds read it each time,
        and the command line checks `--out` before the build reads it.
        """
        path = cls.path(out_dir)
        try:
            info = path.stat()
        except OSError:
            return cls()
        saved = SAVED.get(str(path))
        if saved is not None and saved[0] == (info.st_ino, info.st_size, info.st_mtime_ns):
            return cls(saved[1].live, saved[1].spare)
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("version") not in (2, MANIFEST_VERSION):
                return cls()
            live = Folder.from_json(data["live"]) if data.get("live") else None
            spare = Folder.from_json(data["spare"], live) if data.get("spare") else None
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return cls()
        SAVED[str(path)] = ((info.st_ino, info.st_size, info.st_mtime_ns), cls(live, spare))
        return cls(live, spare)

    def save(self, out_dir: Path) -> None:
        data = {
            "version": MANIFEST_VERSION,
            "live": self.live.to_json() if self.live else None,
            "spare": self.spare.to_json(self.live) if self.spare else None,
        }
        path = self.path(out_dir)
        temporary = path.with_name(f"{path.name}.tmp")
        temporary.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
        temporary.replace(path)
        info = path.stat()
        SAVED[str(path)] = (
            (info.st_ino, info.st_size, info.st_mtime_ns),
            Manifest(self.live, self.spare),
        )


# The manifest at each path as this process last saved or read it (`Manifest.read`).
SAVED: dict[str, tuple[tuple[int, int, int], Manifest]] = {}


def spare_path(out_dir: Path, spare: Folder) -> Path:
    return out_dir.parent / f".{out_dir.name}.spare-{spare.id}"


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories; False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    return result == 0


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time may write a given output folder."""
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


REMOVING: set[Path] = set()  # folders this process is deleting in the background


def remove_leftovers(out_dir: Path, keep: Path | None) -> None:
    """Temporary folders of builds that were killed before they could clean up, and
    spare folders the manifest does not vouch for."""
    for pattern in (f".{out_dir.name}.tmp-*", f".{out_dir.name}.old-*", f".{out_dir.name}.spare-*"):
        for leftover in out_dir.parent.glob(pattern):
            if leftover not in REMOVING and leftover != keep:
                stop_writers(leftover)
                shutil.rmtree(leftover, ignore_errors=True)


def stop_writers(folder: Path) -> None:
    """Stop the processes a killed build left writing into `folder`: its Pagefind,
    which a kill of the build does not reach, and which would make the folder again
    as it writes its index after the folder is removed. They are found by the paths
    they were given (`/proc`, where there is one); no other build can be using the
    folder, as this one holds the output folder's lock."""
    named = os.fsencode(folder)
    try:
        processes = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return
    for pid in processes:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
        except OSError:
            continue
        if int(pid) != os.getpid() and any(arg.startswith(named) for arg in arguments):
            with suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
                wait_until_stopped(pid)


def wait_until_stopped(pid: str, within: float = 2.0) -> None:
    """Wait, at most `within` seconds, until the process `pid` has ended: a process
    killed may still finish the write it is in."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            return
        if state in (b"Z", b"X"):  # ended, not yet reaped
            return
        time.sleep(0.005)


def remove_in_background(folder: Path) -> None:
    """Delete a folder without waiting (if the process ends first, the next build
    removes what is left)."""

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        REMOVING.discard(folder)

    REMOVING.add(folder)
    threading.Thread(target=remove, daemon=True).start()


def holds(path: str | Path, recorded: Stamp | None, digest: str) -> bool:
    """`path` holds the bytes of `digest`: the manifest recorded it so, and it is
    still as recorded (same size, time and inode)."""
    if recorded is None or recorded.digest != digest:
        return False
    try:
        return recorded.matches(os.stat(path))
    except OSError:
        return False


def holds_all(out_dir: Path, live: Folder, outputs: Mapping[str, Output]) -> bool:
    """`out_dir` holds exactly `outputs` as `live` records them, each file still as
    written (a no-change build then writes nothing)."""
    files = live.files
    if files.keys() != outputs.keys():
        return False
    if any(files[name].digest != output.digest for name, output in outputs.items()):
        return False  # known without asking the disk (an edit's build, the common case)
    prefix = f"{out_dir}/"
    return all(holds(prefix + name, files[name], out.digest) for name, out in outputs.items())


def remove_file(folder: Path, name: str) -> None:
    """Remove `folder/name` and the folders it leaves empty."""
    path = folder / name
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == folder or folder not in parent.parents:
            break
        try:
            parent.rmdir()
        except OSError:
            break


def put(
    folder: Path, name: str, output: Output, live: Path, live_files: Mapping[str, Stamp]
) -> Stamp:
    """Make `folder/name` hold `output`: a hard link to the live file when that one
    is verified to hold the same bytes, otherwise a newly written file."""
    target = folder / name
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    return link_or_create(target, live / name, live_files.get(name), output)


def link_or_create(
    target: str | Path, live: str | Path, recorded: Stamp | None, output: Output
) -> Stamp:
    """`target` as a hard link to the `live` file when that one is verified to hold
    `output`'s bytes (`recorded` is its stamp), otherwise as a new file."""
    if recorded is not None and holds(live, recorded, output.digest):
        try:
            os.link(live, target)
            return recorded
        except OSError:
            pass
    return create(target, output)


def create(path: str | Path, output: Output) -> Stamp:
    """A new file at `path` holding `output`. An existing file is never opened for
    writing: a hard link to the live site could be behind its name."""
    with open(path, "xb") as new_file:
        new_file.write(output.read())
    return stamp_of(os.stat(path), output.digest)


def fill(
    folder: Path, outputs: Mapping[str, Output], live: Path, live_files: Mapping[str, Stamp]
) -> dict[str, Stamp]:
    """`put` each of `outputs` into the new, empty `folder`: nothing there to clear, and
    each subfolder made once (`put` checks each file's folder on its own). Should
    a file be there after all, `put` clears it first."""
    base, old = os.fspath(folder), os.fspath(live)
    made = {""}
    files: dict[str, Stamp] = {}
    for name, output in outputs.items():
        parent = name.rpartition("/")[0]
        if parent not in made:
            os.makedirs(f"{base}/{parent}", exist_ok=True)
            while parent not in made:
                made.add(parent)
                parent = parent.rpartition("/")[0]
        try:
            files[name] = link_or_create(
                f"{base}/{name}", f"{old}/{name}", live_files.get(name), output
            )
        except FileExistsError:
            files[name] = put(folder, name, output, live, live_files)
    return files


def patch(
    folder: Path,
    have: Mapping[str, Stamp],
    outputs: Mapping[str, Output],
    live: Path,
    live_files: Mapping[str, Stamp],
) -> dict[str, Stamp]:
    """Bring `folder`, which holds `have`, to exactly `outputs`; the new record."""
    for name in have.keys() - outputs.keys():
        remove_file(folder, name)
    files: dict[str, Stamp] = {}
    prefix = f"{folder}/"
    for name, output in outputs.items():
        recorded = have.get(name)
        if recorded is not None and holds(prefix + name, recorded, output.digest):
            files[name] = recorded
        else:
            files[name] = put(folder, name, output, live, live_files)
    return files


@dataclass
class Finish:
    """What `write_site` tells the step that completes the folder (the search index)."""

    folder: Path  # the complete new folder, about to be swapped in
    files: Mapping[str, Stamp]  # what it holds, as the manifest will record it
    live: Path | None  # the current output folder, if there is one
    live_files: Mapping[str, Stamp]  # what it holds, as recorded
    live_index: Any  # what the index of `live` recorded of itself, if anything


class Finisher(Protocol):
    """Completes the new folder before it is swapped in (the search index)."""

    def __call__(self, done: Finish) -> Any:
        """Complete `done.folder`; what the manifest should keep of it (JSON)."""

    def current(self, live: Path, record: Any) -> bool:
        """Whether `live`, as `record` (what the call kept of it) says, is complete
        as this build would complete a folder holding the same files."""


class OutputError(Exception):
    """The machine refused to let the site be written (no space, no permission, a
    read-only disk): the previous output is still in place."""

    def __init__(self, out_dir: Path, cause: OSError) -> None:
        reason = cause.strerror or str(cause)
        super().__init__(f"cannot write {out_dir}: {reason}")


def write_site(
    outputs: Mapping[str, Output],
    out_dir: Path,
    background_cleanup: bool = False,
    finish: Finisher | None = None,
) -> bool:
    """`replace_output`, with a failure of the machine's (a full disk, a folder
    that may not be written) raised as one `OutputError`."""
    try:
        return replace_output(outputs, out_dir, background_cleanup, finish)
    except OSError as exc:
        raise OutputError(out_dir, exc) from exc


def replace_output(
    outputs: Mapping[str, Output],
    out_dir: Path,
    background_cleanup: bool = False,
    finish: Finisher | None = None,
) -> bool:
    """Replace `out_dir` with exactly `outputs` (output path -> file), all at once;
    whether it was replaced.

    The new folder is the spare folder patched, or a new one; unchanged files are
    hard-linked from `out_dir`, which itself is never changed. `finish(...)` runs
    on the complete new folder just before the swap (the search index) and
    returns what the manifest should keep of it (JSON); if it raises, nothing
    is swapped in. When `out_dir` already holds exactly `outputs`, each file as
    written, and `finish` finds it complete, nothing is written at all.
    With `background_cleanup`, folders no longer needed are deleted without waiting.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove = remove_in_background if background_cleanup else shutil.rmtree
    with output_lock(out_dir):
        manifest = Manifest.read(out_dir)
        if not out_dir.is_dir():
            manifest.live = None
        spare = spare_path(out_dir, manifest.spare) if manifest.spare else None
        remove_leftovers(out_dir, keep=spare)
        live = manifest.live
        if (
            live is not None
            and holds_all(out_dir, live, outputs)
            and (finish is None or finish.current(out_dir, live.index))
        ):
            return False
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        have: dict[str, Stamp] | None = None  # None: `new` is a new, empty folder
        if spare is not None and manifest.spare is not None and spare.is_dir():
            new.rmdir()
            spare.rename(new)  # while patched, it is a temporary folder a killed build leaves
            have = manifest.spare.files
        try:
            umask = os.umask(0)
            os.umask(umask)
            new.chmod(0o777 & ~umask)
            live_files = manifest.live.files if manifest.live else {}
            if have is None:
                files = fill(new, outputs, out_dir, live_files)
            else:
                files = patch(new, have, outputs, out_dir, live_files)
            index = None
            if finish is not None:
                index = finish(
                    Finish(
                        new,
                        files,
                        out_dir if out_dir.is_dir() else None,
                        live_files,
                        manifest.live.index if manifest.live else None,
                    )
                )
            record = Folder(secrets.token_hex(6), files, index)
            # Made before the swap, so that the manifest is saved right after it: a
            # build stopped while linking leaves an unvouched folder the next removes.
            linked = linked_spare(new, out_dir, record) if manifest.live is None else None
            swapped_out = swap_in(new, out_dir)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        spare_folder = None
        if swapped_out is not None and manifest.live is not None:
            spare_folder = spare_path(out_dir, manifest.live)
            try:
                swapped_out.rename(spare_folder)
            except OSError:
                remove(swapped_out)
                spare_folder = None
        elif swapped_out is not None:
            remove(swapped_out)
        Manifest(record, manifest.live if spare_folder else linked).save(out_dir)
    return True


def linked_spare(new: Path, out_dir: Path, made: Folder) -> Folder | None:
    """A spare folder for `out_dir` made of hard links to every file the complete new
    folder holds (its search index too), when no older folder will be left to be one:
    the next build patches it rather than filling a new folder, which slowed the
    first edit after a build from scratch. None if it could not be made."""
    spare = Folder(secrets.token_hex(6), dict(made.files))
    return spare if link_copy(new, spare_path(out_dir, spare)) else None


def swap_in(new: Path, out_dir: Path) -> Path | None:
    """Put `new` in place of `out_dir`; the path that now holds the old output, if any."""
    if not out_dir.exists():
        new.rename(out_dir)
        return None
    if _exchange(new, out_dir):
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    new.rename(out_dir)
    return old


def written_here(out_dir: Path) -> bool:
    """Whether `out_dir` is a folder sitegen wrote: the manifest beside it records a
    file the folder still holds (the same inode and size), which a folder of someone
    else's, or a copy of ours, does not."""
    live = Manifest.read(out_dir).live
    for name, (size, _, inode, _) in live.files.items() if live else ():
        try:
            info = os.stat(out_dir / name, follow_symlinks=False)
        except OSError:
            continue
        if (info.st_ino, info.st_size) == (inode, size):
            return True
    return False


def replaceable(out_dir: Path) -> str | None:
    """Why sitegen may not replace or delete `out_dir`, if it may not: only a folder
    that is missing, empty or written by sitegen is ever replaced."""
    if out_dir.is_symlink():
        return "is a symbolic link; give the folder it points to instead"
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        return "exists and is not a folder"
    try:
        empty = next(os.scandir(out_dir), None) is None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if empty or written_here(out_dir):
        return None
    return (
        "holds files that sitegen did not write (no record of them beside it), and "
        "sitegen only replaces a folder it built; choose another folder, or empty this one "
        "yourself if you are sure"
    )


def clean(out_dir: Path) -> list[Path]:
    """Remove the spare folder and the manifest kept beside `out_dir`; what was removed."""
    out_dir = out_dir.absolute()
    removed = []
    for path in sorted(out_dir.parent.glob(f".{out_dir.name}.spare-*")):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    manifest = Manifest.path(out_dir)
    if manifest.exists():
        manifest.unlink()
        removed.append(manifest)
    return removed
