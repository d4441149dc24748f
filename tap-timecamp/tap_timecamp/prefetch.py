"""Fetch the next page of a planned sync while the caller works through this one.

A sync of time entries alternates between waiting for TimeCamp to build a window's
answer and turning that answer into Singer messages. Done one after the other, the two
add up; with the next request already on its way they overlap, and a sync takes about as
long as the slower of the two.
"""

from __future__ import annotations

import threading
import typing as t

from tap_timecamp import deadline

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable

Item = t.TypeVar("Item")
Result = t.TypeVar("Result")


class _Fetch(threading.Thread, t.Generic[Item, Result]):
    """One fetch, running in the background from the moment it is created."""

    # A daemon: a run that fails or is interrupted ends without waiting for a fetch
    # whose answer nobody will read (with retries, that can be minutes).
    def __init__(self, fetch: Callable[[Item], Result], item: Item) -> None:
        super().__init__(name="tap-timecamp-prefetch", daemon=True)
        self.item = item
        self._fetch = fetch
        self._result: Result | None = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._result = self._fetch(self.item)
        except BaseException as exc:  # raised again in the caller's thread
            self._error = exc

    def abandon(self) -> None:
        """Nobody will read the result: cut the request in flight and stop its retries."""
        deadline.abandon(self)
        self._result = self._error = None

    def outcome(self) -> Result:
        """Wait for the fetch; return its result or raise its error, and forget both."""
        self.join()
        result, error = self._result, self._error
        self._result = self._error = None
        if error is not None:
            raise error
        return t.cast("Result", result)


def prefetched(
    plan: Iterable[Item],
    fetch: Callable[[Item], Result],
    answered: Callable[[Item, Result], None] = lambda item, result: None,
) -> Generator[tuple[Item, Result], None, None]:
    """Yield `(item, fetch(item))` for every item of `plan`, in order.

    `answered(item, result)` is called in the caller's thread as each result arrives,
    before the next item is taken from the plan (and so before its fetch starts).

    While the caller works on one result, the next item is fetched in a background
    thread. Fetches never overlap one another, so the server sees the same sequence of
    requests as without prefetching (rate limits are not strained), and at most two
    results are alive: the one the caller works on and the one being fetched. A fetch that
    fails raises in the caller, where its result would have been yielded: after every
    earlier result, and before any later fetch is started.

    When the caller stops early (closes the generator, or fails while holding a result),
    the fetch under way is abandoned: its HTTP request is cut and not retried, and its
    thread ends soon after instead of finishing a request nobody will read.
    """
    items = iter(plan)
    item = next(items, _END)
    if item is _END:
        return
    pending: _Fetch[Item, Result] = _Fetch(fetch, item)
    try:
        while True:
            current = pending
            result = current.outcome()
            answered(current.item, result)
            # The next item is taken from the plan only now, so a plan may adapt to the
            # results so far (window sizes to the density of the last window).
            item = next(items, _END)
            if item is _END:
                yield current.item, result
                return
            pending = _Fetch(fetch, item)
            yield current.item, result
    finally:
        if pending.is_alive():
            pending.abandon()


_END: t.Any = object()
