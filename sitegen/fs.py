"""Files: the one stamp a file is known by, digests, listing folders, paths as shown.

The bottom layer: it imports nothing from sitegen. A `Stamp` (size, modification
time, inode, digest of the bytes) is how the build, the store and the output
folder all recognise a file they have seen before: while its size, time and
inode are as stamped, its bytes are those of the digest, unless it changed so
soon after it was stamped that a later change could keep the same time.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import shutil
import stat
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


def short_print(text: str | bytes) -> str:
    """A short digest of a value's text, to compare it with the one kept last time."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def stamp_of(info: os.stat_result, digest: str) -> Stamp:
    return Stamp(info.st_size, info.st_mtime_ns, info.st_ino, digest)


def is_racy(stamp: Stamp, stamped_at_ns: int) -> bool:
    """Whether the file changed so close to `stamped_at_ns` that its time proves nothing."""
    return stamp.mtime_ns >= stamped_at_ns - RACY_NS


class UnreadableError(Exception):
    """A file that is not read: a symbolic link that leaves its folder, loops or leads
    nowhere, or something that is not a file (a folder, a named pipe)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # no wait on a FIFO
KIND_OF_FILE = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
                stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}  # fmt: skip


def read_stamped(path: str | Path, boundary: str | Path | None = None) -> tuple[bytes, Stamp]:
    """A file's bytes and the stamp of exactly those bytes (taken on the open file).

    With `boundary` (the content or templates folder), a symbolic link is followed only
    if it leads to a file inside it (`link_problem`); otherwise, or if `path` is not a
    regular file, nothing is read and `UnreadableError` says why. A plain file costs
    no more system calls than an ordinary read."""
    try:
        descriptor = os.open(path, OPEN_FLAGS | (os.O_NOFOLLOW if boundary else 0))
    except OSError as exc:
        if boundary is None or exc.errno != errno.ELOOP:  # ELOOP: `path` is a link
            raise
        problem = link_problem(path, boundary)
        if problem:
            raise UnreadableError("symlink", problem) from None
        descriptor = os.open(path, OPEN_FLAGS)
    with open(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = KIND_OF_FILE.get(stat.S_IFMT(info.st_mode), "something else")
            raise UnreadableError("file", f"expected a file, found {kind}")
        data = handle.read()
    return data, stamp_of(info, digest_of(data))


def link_problem(path: str | Path, boundary: str | Path, what: str = "a file") -> str | None:
    """Why the symbolic link at `path` is not followed (it loops, leads nowhere, or
    leads out of `boundary`, the content or templates folder), or None if it leads
    to a place inside. A link out could publish any file of the machine, like
    /etc/passwd or a .git/config holding a password."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "expected a file, found a symbolic link that loops back on itself"
        return (
            f"expected a file, found a symbolic link to '{_link_text(path)}', which does not exist"
        )
    inside = os.path.realpath(boundary)
    if target == inside or target.startswith(inside.rstrip(os.sep) + os.sep):
        return None
    return (
        f"expected {what} inside {display(Path(boundary))}/, found a symbolic link to "
        f"'{_link_text(path)}', which leads outside it; it was not read"
    )


def _link_text(path: str | Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def display_link(path: Path) -> str:
    """`display(path)` for a symbolic link: its own name, not its target's."""
    return f"{display(path.parent)}/{path.name}"


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
    except (ValueError, RuntimeError, OSError):  # outside, or a symbolic link that loops
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
    folder: Path, skip: Callable[[str], bool] = lambda name: False
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry below `folder` that is not a folder, as its path inside `folder` and
    its directory entry (whose inode and type come with the listing); files and
    folders whose name `skip` picks are left out. Links to folders are never entered
    (a link to a folder above would lead round for ever); links are given as they
    are, for the caller to judge (`link_problem`)."""
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
            if entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield prefix + entry.name, entry


def link_copy(old: Path | str, new: Path | str) -> bool:
    """Make the folder `new` a copy of `old` made of hard links to its files; False,
    with nothing of `new` left, if that failed."""
    try:
        for folder, _, names in os.walk(old):  # string paths: a large site has many thousands
            inside = os.path.relpath(folder, old)
            made = os.path.normpath(os.path.join(new, inside))
            os.makedirs(made, exist_ok=True)
            for name in names:
                os.link(os.path.join(folder, name), os.path.join(made, name))
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return False
    return True


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def files_under(folder: Path) -> list[Path]:
    """The visible files below `folder`, sorted (no link that leaves it, loops or leads
    to a folder); none if it does not exist."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(
        Path(entry.path)
        for _, entry in walk(folder, skip=is_hidden)
        if entry.is_file() and not (entry.is_symlink() and link_problem(entry.path, folder))
    )
