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
    """Which date of an entry a window filters on."""

    # The day the time was tracked: the only way to read history on a first run.
    ENTRY_DATE = ("from", "to")
    # The day of the entry's last change: what makes later runs cost what changed.
    MODIFIED = ("modify_from", "modify_to")


@dataclasses.dataclass(frozen=True)
class DateWindow:
    """An inclusive range of days, filtered on one of an entry's dates."""

    start: dt.date
    end: dt.date
    filter: Filter

    def params(self) -> dict[str, str]:
        """Return the `/entries` query parameters that select this window."""
        first, last = self.filter.value
        return {first: self.start.isoformat(), last: self.end.isoformat()}

    def __str__(self) -> str:
        by = "entry date" if self.filter is Filter.ENTRY_DATE else "modification date"
        return f"{self.start}..{self.end} by {by}"


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
) -> list[DateWindow]:
    """Plan the windows of one time-entries sync.

    Without a bookmark, read every entry tracked from `start_date` to `end_date` (or today).
    With one, read every entry modified since the bookmark's day minus the overlap: an edit
    to an entry tracked months ago arrives, and unchanged history is not read again.

    Args:
        bookmark: the greatest `last_modify` ("YYYY-MM-DD HH:MM:SS") of an earlier run.
        start_date: first entry date of a first run.
        end_date: last date to read, if the sync is bounded.
        today: today on TimeCamp's clock.
        overlap_days: days re-read before the bookmark's day.
        max_days: longest window.
    """
    last = min(end_date, today) if end_date else today
    if bookmark is None:
        return split(start_date, last, max_days, Filter.ENTRY_DATE)
    since = dt.date.fromisoformat(bookmark[:10]) - dt.timedelta(days=overlap_days)
    # A bookmark ahead of TimeCamp's clock (a clock change, a hand-edited state) must
    # still read today's changes, not nothing.
    return split(min(since, last), last, max_days, Filter.MODIFIED)
