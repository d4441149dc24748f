"""Run one step for every stream at once, and fail as the slowest sequential run would.

A stream's load or MERGE is a BigQuery job: most of its time is spent waiting for
BigQuery, so the streams' jobs overlap well in threads. Every step is run to its end
before the first failure is raised, so a failed stream never leaves another one's job
half-observed; the caller writes STATE only when nothing was raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")

# Enough for every stream this project loads; BigQuery allows far more concurrent jobs.
MAX_THREADS = 8


def for_each_stream(step: Callable[[Item], object], items: Sequence[Item]) -> None:
    """Run ``step`` on every item concurrently; then raise the first failure, if any."""
    if len(items) <= 1:
        for item in items:
            step(item)
        return
    with ThreadPoolExecutor(max_workers=min(len(items), MAX_THREADS)) as pool:
        futures = [pool.submit(step, item) for item in items]
    errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise errors[0]
