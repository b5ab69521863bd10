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
import threading
from collections.abc import Callable, Collection, Iterator
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


REMOVING: set[Path] = set()  # folders this process is deleting in the background


def remove_leftovers(out_dir: Path) -> None:
    """Temporary folders of builds that were killed before they could clean up."""
    for pattern in (f".{out_dir.name}.tmp-*", f".{out_dir.name}.old-*"):
        for leftover in out_dir.parent.glob(pattern):
            if leftover not in REMOVING:
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


def link_unchanged(
    folder: Path, pages: list[RenderedPage], out_dir: Path, unchanged: Collection[str]
) -> list[RenderedPage]:
    """Hard-link the `unchanged` pages from `out_dir` into `folder`; the pages left to write."""
    left = []
    for page in pages:
        name = output_path(page.url)
        if name in unchanged:
            old, target = out_dir / name, folder / name
            try:
                if old.stat().st_size == len(page.content):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(old, target)
                    continue
            except OSError:
                pass
        left.append(page)
    return left


def remove_in_background(folder: Path) -> None:
    """Delete a swapped-out folder without waiting (if the process ends first, the
    next build removes what is left)."""

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        REMOVING.discard(folder)

    REMOVING.add(folder)
    threading.Thread(target=remove, daemon=True).start()


def swap_in(new: Path, out_dir: Path, remove: Callable[[Path], None] = shutil.rmtree) -> None:
    if not out_dir.exists():
        new.rename(out_dir)
        return
    if _exchange(new, out_dir):
        remove(new)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    new.rename(out_dir)
    remove(old)


def write_site(
    pages: list[RenderedPage],
    files: dict[str, Path],
    out_dir: Path,
    unchanged: Collection[str] = (),
    background_cleanup: bool = False,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Replace `out_dir` with exactly these pages and files, all at once.

    `unchanged` names output files (`conditions/x/index.html`) that `out_dir`
    already holds with the same bytes, as a rebuild knows: they are hard-linked
    into the new folder instead of written again. The old files are never changed.
    With `background_cleanup` the swapped-out folder is deleted without waiting.
    `finish(folder)` runs on the complete new folder just before the swap (the
    search index); if it raises, nothing is swapped in.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out_dir):
        remove_leftovers(out_dir)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        try:
            umask = os.umask(0)
            os.umask(umask)
            new.chmod(0o777 & ~umask)
            left = link_unchanged(new, pages, out_dir, frozenset(unchanged))
            fill(new, left, files)
            if finish is not None:
                finish(new)
            swap_in(new, out_dir, remove_in_background if background_cleanup else shutil.rmtree)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
