"""Date windows: which `/entries` ranges a sync asks for, and the paginator that asks.

TimeCamp never paginates `/entries`: one request returns its whole range. A sync is
therefore a list of bounded date windows, planned up front from the settings and the
bookmark, so that no single response grows with the age of the account; the SDK's request
loop walks it as pages (`PlannedWindows`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing as t

from singer_sdk.pagination import BaseAPIPaginator

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import requests

Window = t.TypeVar("Window")


# Entries booked ahead are read however far ahead they are: up to the last day a
# YYYY-MM-DD date (and a MySQL DATE) can name. Future dates are sparse, so they are read
# in one request; the horizon never moves, so a daily run has no entry date left to read.
HORIZON = dt.date(9999, 12, 31)


class Filter(enum.Enum):
    """Which date a window filters on, and the query parameters that carry it."""

    # The day the time was tracked: the only way to read history on a first run.
    ENTRY_DATE = ("from", "to", "entry date")
    # The day of the entry's last change: what makes later runs cost what changed.
    MODIFIED = ("modify_from", "modify_to", "modification date")
    # The day an entry was deleted (`/entries_deletions`).
    DELETED = ("from", "to", "deletion date")
    # The day a record is about (an attendance day, a timesheet's period).
    DAY = ("from", "to", "day")

    @property
    def label(self) -> str:
        """How the filter reads in a log line."""
        return self.value[2]


@dataclasses.dataclass(frozen=True)
class DateWindow:
    """An inclusive range of days, filtered on one of an entry's dates."""

    start: dt.date
    end: dt.date
    filter: Filter

    @property
    def length(self) -> int:
        """How many days the window spans."""
        return (self.end - self.start).days + 1

    def params(self) -> dict[str, str]:
        """Return the `/entries` query parameters that select this window."""
        first, last, _ = self.filter.value
        return {first: self.start.isoformat(), last: self.end.isoformat()}

    def __str__(self) -> str:
        return f"{self.start}..{self.end} by {self.filter.label}"


def cut_at(span: DateWindow, today: dt.date) -> list[DateWindow]:
    """`span` as the days up to `today` and the days after it, either part left out if empty.

    Past days are read in windows sized to their density; future days are sparse and are
    read in one request.
    """
    after = today + dt.timedelta(days=1)
    parts = [
        DateWindow(span.start, min(span.end, today), span.filter),
        DateWindow(max(span.start, after), span.end, span.filter),
    ]
    return [part for part in parts if part.start <= part.end]


def split(start: dt.date, end: dt.date, max_days: int, filter_: Filter) -> list[DateWindow]:
    """Split `start..end` (inclusive) into consecutive windows of at most `max_days` days."""
    return list(_consecutive(DateWindow(start, end, filter_), lambda: max_days))


def _consecutive(span: DateWindow, length: t.Callable[[], int]) -> Iterator[DateWindow]:
    """Windows covering `span` one after the other, each `length()` days long or less.

    `length` is asked as each window is made, so it may change as the windows are read.
    """
    start = span.start
    while start <= span.end:
        end = min(span.end, start + dt.timedelta(days=length() - 1))
        yield DateWindow(start, end, span.filter)
        if end == span.end:
            # The day after HORIZON is no date.
            return
        start = end + dt.timedelta(days=1)


class SizedWindows:
    """The windows of one span, each sized from the density of the one before it.

    TimeCamp answers a window in one response, so a window's entries are the size of
    that response, the server's work for it and the tap's memory while it is read. Where
    history is dense, windows shrink until they hold about `target_records`; where it is
    quiet, they grow again (at most doubling, since one quiet week says little about the
    next) up to `max_days`. Memory then stays the same however dense or long the history.
    """

    def __init__(
        self, span: DateWindow, *, max_days: int, target_records: int, first_days: int = 7
    ) -> None:
        """Plan `span` starting with a window of `first_days` (a week: a daily run's days)."""
        self.span = span
        self.max_days = max_days
        self.target_records = target_records
        self._next_days = min(first_days, max_days)

    def __iter__(self) -> Iterator[DateWindow]:
        """The windows, each planned when it is asked for."""
        return _consecutive(self.span, lambda: self._next_days)

    def observe(self, window: DateWindow, records: int) -> None:
        """Size the next window from what `window` held."""
        grown = min(2 * window.length, self.max_days)
        if records == 0:
            self._next_days = grown
            return
        fitting = self.target_records * window.length // records
        self._next_days = max(1, min(fitting, grown))


class PlannedWindows(BaseAPIPaginator["Window | None"], t.Generic[Window]):
    """The SDK's paginator over windows planned up front: each page value is a window.

    TimeCamp's answers say nothing about a next page; the plan does, so its windows may be
    requested several at a time (`ahead`). `answered(window, response)` hears of each
    answer before the next window is taken from the plan, so the plan may adapt to it (a
    window sized to the density of the last one answered).
    """

    def __init__(
        self,
        plan: Iterable[Window],
        answered: Callable[[Window, requests.Response], None],
        phase: Callable[[Window], t.Hashable] | None = None,
    ) -> None:
        """Walk `plan`, telling `answered` of each window's response.

        `phase`: windows ahead are requested together only within a phase, the first of
        the next once every earlier one is answered (`tap_timecamp.in_flight`).
        """
        self.plan = iter(plan)
        self.answered = answered
        self.phase = phase
        self._first = next(self.plan, None)
        super().__init__(self._first)

    def ahead(self) -> Iterator[Window]:
        """The windows of the plan, to request before the earlier ones are answered.

        Instead of walking the paginator page by page (not both): the request loop
        (`TimeCampStream.request_records`) takes each window when a request may start, and
        tells `answered` of each answer, in plan order, before it takes the next window.
        So a plan that sizes its windows from the answers (`SizedWindows`) sizes window
        k + N from the answer of window k, with N windows in flight.
        """
        if self._first is None:
            return
        yield self._first
        yield from self.plan

    @property
    def finished(self) -> bool:
        """Whether the plan is read (at once when it has no window)."""
        return self.current_value is None or super().finished

    def continue_if_empty(self, response: requests.Response) -> bool:
        """Always: an empty window is not the end of the plan."""
        return True

    def get_next(self, response: requests.Response) -> Window | None:
        """The next window of the plan, once the current one's answer is heard."""
        self.answered(t.cast("Window", self.current_value), response)
        return next(self.plan, None)
