"""Work for several streams at once: BigQuery requests spend their time waiting.

A stream's set-up, load or MERGE is mostly waiting for BigQuery, so the streams' requests
overlap well in threads. ``for_each_stream`` runs one step for every stream and fails as
the slowest sequential run would: every step is run to its end before the first failure is
raised, so a failed stream never leaves another one's job half-observed; the caller writes
STATE only when nothing was raised. ``in_background`` starts one step and returns at once.

At most ``SET_UP_THREADS`` background steps and ``MAX_THREADS`` stream steps run at once,
plus the reading thread: no more than the HTTP connections the client keeps (10), so none
is opened and discarded ("Connection pool is full, discarding connection").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")

# Stream steps at once (loads, MERGEs, drains); the target drains mid-run with as many.
MAX_THREADS = 5
# Background set-ups at once. They never wait for a stream step, so a stream step waiting
# for a set-up cannot hold the slot that set-up needs.
SET_UP_THREADS = 4
_set_up_slots = threading.BoundedSemaphore(SET_UP_THREADS)


def in_background(step: Callable[..., None], *args: object) -> Future[None]:
    """Start ``step(*args)`` in a thread of its own; its future holds its outcome.

    A daemon thread: a run that fails (or is interrupted) exits without waiting for a step
    still running, whose requests may retry for minutes; what it leaves is at most a
    temporary table, which expires.
    """
    future: Future[None] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            with _set_up_slots:
                step(*args)
        except BaseException as exc:  # handed to whoever waits for the future
            future.set_exception(exc)
        else:
            future.set_result(None)

    threading.Thread(
        target=run, name=f"background {getattr(step, '__name__', 'step')}", daemon=True
    ).start()
    return future


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
