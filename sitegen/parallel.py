"""Spread per-page work over every core, with results in the same order as one process.

Workers are forked, so they start with everything the build has already loaded
(the site, compiled templates, rules) and only results travel back. Small jobs,
single-core machines and systems without fork run in this process instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 48  # below this, starting workers costs more than it saves
_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers(requested: int | None) -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, requested if requested else available or 1)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    func, items = _task
    return [func(items[index]) for index in range(*bounds)]


def parallel_map(
    func: Callable[[T], R], items: Sequence[T], jobs: int | None = None, min_items: int = MIN_ITEMS
) -> list[R]:
    """`[func(item) for item in items]`, computed by `jobs` processes when worth it."""
    count = min(workers(jobs), len(items) // max(1, min_items // 4) or 1)
    if count < 2 or len(items) < min_items or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    global _task
    _task = (func, items)
    try:
        size = max(1, -(-len(items) // (count * 4)))
        chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _task = None
    return [result for chunk in results for result in chunk]
