"""Stage 5: write the site into a temporary folder beside the output, then swap it in.

The previous output stays exactly as it was until the new one is complete:
a failed or killed build leaves only a hidden temporary folder, which the next
build removes. On Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`;
elsewhere it is two renames in quick succession.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .render import RenderedPage
from .urls import output_path

RENAME_EXCHANGE = 2
AT_FDCWD = -100


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


def remove_leftovers(out_dir: Path) -> None:
    """Temporary folders of builds that were killed before they could clean up."""
    for pattern in (f".{out_dir.name}.tmp-*", f".{out_dir.name}.old-*"):
        for leftover in out_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def fill(folder: Path, pages: list[RenderedPage], files: dict[str, Path]) -> None:
    for url, source in files.items():
        target = folder / url
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for page in pages:
        target = folder / output_path(page.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.content)


def swap_in(new: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        new.rename(out_dir)
        return
    if _exchange(new, out_dir):
        shutil.rmtree(new)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    new.rename(out_dir)
    shutil.rmtree(old)


def write_site(pages: list[RenderedPage], files: dict[str, Path], out_dir: Path) -> None:
    """Replace `out_dir` with exactly these pages and files, all at once."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out_dir):
        remove_leftovers(out_dir)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        try:
            umask = os.umask(0)
            os.umask(umask)
            new.chmod(0o777 & ~umask)
            fill(new, pages, files)
            swap_in(new, out_dir)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
