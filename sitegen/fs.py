"""Files: the one stamp a file is known by, digests, listing folders, paths as shown.

The bottom layer: it imports nothing from sitegen. A `Stamp` (size, modification
time, inode, digest of the bytes) is how the build, the store and the output
folder all recognise a file they have seen before: while its size, time and
inode are as stamped, its bytes are those of the digest, unless it changed so
soon after it was stamped that a later change could keep the same time.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

# A file changed this close to when it was stamped may change again without its
# modification time moving on, so its stamp is not trusted by its stat alone.
RACY_NS = 2_000_000_000


class Stamp(NamedTuple):
    size: int
    mtime_ns: int
    inode: int
    digest: str

    def matches(self, info: os.stat_result) -> bool:
        """The file `info` describes is still the one stamped (same size, time, inode)."""
        return (info.st_size, info.st_mtime_ns, info.st_ino) == (
            self.size,
            self.mtime_ns,
            self.inode,
        )


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stamp_of(info: os.stat_result, digest: str) -> Stamp:
    return Stamp(info.st_size, info.st_mtime_ns, info.st_ino, digest)


def is_racy(stamp: Stamp, stamped_at_ns: int) -> bool:
    """Whether the file changed so close to `stamped_at_ns` that its time proves nothing."""
    return stamp.mtime_ns >= stamped_at_ns - RACY_NS


def read_stamped(path: str | Path) -> tuple[bytes, Stamp]:
    """A file's bytes and the stamp of exactly those bytes (its stat is taken on the
    open file, so a file replaced meanwhile is not stamped with the new one's)."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    return data, stamp_of(info, digest_of(data))


@functools.lru_cache(maxsize=4096)
def _digest_at(path: str, size: int, mtime_ns: int, inode: int) -> str:
    return read_stamped(path)[1].digest


def file_digest(path: str | Path) -> str:
    """The digest of a file's bytes, read once while its size, time and inode stay the
    same (a file changed in the last two seconds is read each time)."""
    import time

    info = os.stat(path)
    if time.time_ns() - info.st_mtime_ns < RACY_NS:
        return read_stamped(path)[1].digest
    return _digest_at(os.fspath(path), info.st_size, info.st_mtime_ns, info.st_ino)


def display(path: Path) -> str:
    """A path as editors see it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=64)
def _display_root(root: str, working_directory: str) -> str:
    return display(Path(root))


def display_in(root: Path, relative: str) -> str:
    """`display(root / relative)` for a file found under `root`, without resolving
    each file's path."""
    shown = _display_root(os.fspath(root), os.getcwd())
    return relative if shown == "." else f"{shown}/{relative}"


def walk(
    folder: Path, skip: Callable[[str], bool] = lambda name: False, follow_links: bool = True
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file below `folder`, as its path inside `folder` and its directory entry
    (whose inode, and on Linux its type, come with the listing); files and folders
    whose name `skip` picks are left out."""
    folders = [(str(folder), "")]
    while folders:
        current, prefix = folders.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if skip(entry.name):
                continue
            if entry.is_dir(follow_symlinks=follow_links):
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield prefix + entry.name, entry


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def files_under(folder: Path) -> list[Path]:
    """The visible files below `folder`, sorted; none if it does not exist."""
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]
