"""Requests of a plan in flight together, their results handed over in plan order.

TimeCamp answers from the other side of the internet: each request costs a round trip
and TimeCamp's own time, whatever its size, and the tap's CPU is a rounding error beside
that. Requests that do not depend on each other (a resource's custom field values, a
batch of ids, a group's schedule, the next date windows) are therefore sent several at a
time, each in a thread of its own, while the caller works through the answers in the
order it planned them. Sent one at a time, a run waits the sum of the latencies; with N in
flight, about a Nth of it.

Threads of our own rather than a `concurrent.futures` pool: a request whose result nobody
will read is abandoned by its thread (`deadline.abandon`), and a pool's worker threads
outlive their task, are reused by the next one and are waited for when the interpreter
exits (a retry's wait can be minutes).
"""

from __future__ import annotations

import collections
import threading
import typing as t

from tap_timecamp import deadline

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable

Item = t.TypeVar("Item")
Result = t.TypeVar("Result")

THREAD_NAME = "tap-timecamp-in-flight"


class _Fetch(threading.Thread, t.Generic[Item, Result]):
    """One fetch, running in the background from the moment it is created."""

    # A daemon: a run that fails or is interrupted ends without waiting for a fetch
    # whose answer nobody will read (with retries, that can be minutes).
    def __init__(self, fetch: Callable[[Item], Result], item: Item) -> None:
        super().__init__(name=THREAD_NAME, daemon=True)
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


def in_flight(
    plan: Iterable[Item],
    fetch: Callable[[Item], Result],
    answered: Callable[[Item, Result], None] = lambda item, result: None,
    *,
    limit: int = 1,
    phase: Callable[[Item], t.Hashable] | None = None,
) -> Generator[tuple[Item, Result], None, None]:
    """Yield `(item, fetch(item))` for every item of `plan`, in plan order.

    Up to `limit` fetches run at once, each in a background thread, while the caller works
    on the results so far. At most `limit` fetches are running and at most `limit + 1`
    results alive (the one the caller holds, and those fetched ahead), whatever the plan's
    length: memory is bounded by `limit`, not by the plan.

    `answered(item, result)` is called in the caller's thread as each result is reached,
    in plan order, before the next item is taken from the plan. An item is taken from the
    plan only when a fetch may start: item k + `limit` once item k was answered. A plan may
    so adapt to the answers so far (a window sized to the density of the last answered
    one); with `limit` 1, to every answer before it.

    With `phase`, consecutive items of the same `phase(item)` are one phase of the plan,
    and the first item of a phase is fetched only once every item before it was answered:
    a phase may rely on the earlier ones being read (the changes a first run reads after
    every entry date, to catch an entry moved meanwhile into days already read).

    A fetch that fails raises in the caller where its result would have been yielded:
    after every earlier result. The fetches started after it are abandoned, and no further
    item is taken from the plan.

    When the caller stops early (closes the generator, or fails while holding a result),
    every fetch under way is abandoned: its HTTP request is cut and not retried, and its
    thread ends soon after instead of finishing a request nobody will read.
    """
    if limit < 1:
        msg = f"at least one fetch must be in flight, not {limit}"
        raise ValueError(msg)
    items = iter(plan)
    pending: collections.deque[_Fetch[Item, Result]] = collections.deque()
    # The first item of a phase, taken from the plan, until every earlier one is answered.
    first_of_phase: Item = _END
    last_phase: t.Hashable = _END

    def start_fetches() -> None:
        nonlocal first_of_phase, last_phase
        while len(pending) < limit:
            if first_of_phase is not _END:
                if pending:
                    return
                item, first_of_phase = first_of_phase, _END
            else:
                item = next(items, _END)
                if item is _END:
                    return
                if phase is not None:
                    before, last_phase = last_phase, phase(item)
                    if before is not _END and last_phase != before:
                        first_of_phase = item
                        continue
            pending.append(_Fetch(fetch, item))

    try:
        start_fetches()
        while pending:
            current = pending.popleft()
            result = current.outcome()
            answered(current.item, result)
            start_fetches()
            yield current.item, result
    finally:
        for fetching in pending:
            if fetching.is_alive():
                fetching.abandon()


_END: t.Any = object()
