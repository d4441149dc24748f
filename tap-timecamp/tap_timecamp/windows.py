"""Date windows: which `/entries` ranges a sync asks for.

TimeCamp never paginates `/entries`: one request returns its whole range. A sync is
therefore a list of bounded date windows, planned up front from the settings and the
bookmark, so that no single response grows with the age of the account.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum


class Filter(enum.Enum):
    """Which date a window filters on, and the query parameters that carry it."""

    # The day the time was tracked: the only way to read history on a first run.
    ENTRY_DATE = ("from", "to", "entry date")
    # The day of the entry's last change: what makes later runs cost what changed.
    MODIFIED = ("modify_from", "modify_to", "modification date")
    # The day an entry was deleted (`/entries_deletions`).
    DELETED = ("from", "to", "deletion date")

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

    def params(self) -> dict[str, str]:
        """Return the `/entries` query parameters that select this window."""
        first, last, _ = self.filter.value
        return {first: self.start.isoformat(), last: self.end.isoformat()}

    def __str__(self) -> str:
        return f"{self.start}..{self.end} by {self.filter.label}"


def split(start: dt.date, end: dt.date, max_days: int, filter_: Filter) -> list[DateWindow]:
    """Split `start..end` (inclusive) into consecutive windows of at most `max_days` days."""
    windows = []
    step = dt.timedelta(days=max_days)
    while start <= end:
        last = min(end, start + step - dt.timedelta(days=1))
        windows.append(DateWindow(start, last, filter_))
        start = last + dt.timedelta(days=1)
    return windows


def plan(
    *,
    bookmark: str | None,
    start_date: dt.date,
    end_date: dt.date | None,
    today: dt.date,
    overlap_days: int,
    max_days: int,
    first_run: Filter = Filter.ENTRY_DATE,
    later_runs: Filter = Filter.MODIFIED,
) -> list[DateWindow]:
    """Plan the windows of one incremental sync.

    Without a bookmark, read everything from `start_date` to `end_date` (or today) by the
    `first_run` filter: for time entries, every entry tracked in that range. With one,
    read everything since the bookmark's day minus the overlap by the `later_runs` filter:
    an edit to an entry tracked months ago arrives, and unchanged history is not read again.

    Args:
        bookmark: the greatest `last_modify` ("YYYY-MM-DD HH:MM:SS") of an earlier run.
        start_date: first entry date of a first run.
        end_date: last date to read, if the sync is bounded.
        today: today on TimeCamp's clock.
        overlap_days: days re-read before the bookmark's day.
        max_days: longest window.
        first_run: what the windows of a run without bookmark filter on.
        later_runs: what the windows of a run with a bookmark filter on.
    """
    last = min(end_date, today) if end_date else today
    if bookmark is None:
        return split(start_date, last, max_days, first_run)
    since = dt.date.fromisoformat(bookmark[:10]) - dt.timedelta(days=overlap_days)
    # A bookmark ahead of TimeCamp's clock (a clock change, a hand-edited state) must
    # still read today's changes, not nothing.
    return split(min(since, last), last, max_days, later_runs)
