"""Spread per-page work over every core, with results in the same order as one process.

Workers are forked, so they start with everything the build has already loaded
(the site, compiled templates, rules) and only results travel back. Small jobs,
single-core machines and systems without fork run in this process instead.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 48  # below this, starting workers costs more than it saves
# Items go out in chunks, each to the next worker free: many small chunks keep every
# worker busy to the end (the last chunk is the only one a worker finishes alone),
# at a few milliseconds of messages each.
CHUNKS_PER_WORKER = 32
_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers(requested: int | None) -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, requested if requested else available or 1)


def _init_worker() -> None:
    """Workers take the default signal handling back: `serve` handles SIGTERM and
    SIGINT itself, and a worker that inherited that would ignore the pool's
    SIGTERM and never exit. Ctrl-C is the parent's to handle."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    func, items = _task
    return [func(items[index]) for index in range(*bounds)]


def worker_count(total: int, jobs: int | None) -> int:
    """How many processes `parallel_map` spreads `total` items over (1: this one)."""
    count = min(workers(jobs), total // max(1, MIN_ITEMS // 4) or 1)
    if count < 2 or total < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return count


def parallel_map(
    func: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """`[func(item) for item in items]`, computed by `jobs` processes when worth it.

    `progress(done, total)` is called as the work goes on.
    """
    total = len(items)
    count = worker_count(total, jobs)
    if count == 1:
        results = []
        for item in items:
            results.append(func(item))
            if progress and (len(results) % 25 == 0 or len(results) == total):
                progress(len(results), total)
        return results
    global _task
    _task = (func, items)
    try:
        size = max(1, -(-total // (count * CHUNKS_PER_WORKER)))
        chunks = [(start, min(start + size, total)) for start in range(0, total, size)]
        results = []
        with multiprocessing.get_context("fork").Pool(count, _init_worker) as pool:
            for chunk in pool.imap(_run_chunk, chunks, chunksize=1):
                results += chunk
                if progress:
                    progress(len(results), total)
            pool.close()
            pool.join()
    finally:
        _task = None
    return results
