"""Streams of days that change after the fact, with no stamp that says when: re-read a lookback.

Attendance days are corrected and timesheets approved, rejected or reopened long after the
days they are about, and TimeCamp's answers carry no modification time. Such a stream is
incremental on the day a record is about: a first run reads from the first date, and every
later run reads again from its bookmark's day minus a lookback of days (a setting), so
what changed within the lookback arrives as a new version of the same key. A change older
than the lookback is not seen: the setting says how far back changes are expected.
"""

from __future__ import annotations

import functools
import typing as t

from tap_timecamp import windows as planning
from tap_timecamp.client import TimeCampStream

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


class LookbackStream(TimeCampStream):
    """Read by windows of days, from the bookmark's day minus `lookback_days`, up to today."""

    is_sorted = False
    # Days per request: a month of every user's days is one response.
    window_days = 31

    @property
    def lookback_days(self) -> int:
        """Days re-read before the bookmark's day (the stream's setting)."""
        raise NotImplementedError

    @functools.cached_property
    def windows(self) -> list[planning.DateWindow]:
        """This run's windows: the first run's days, or the lookback up to today."""
        windows = self.days_since_bookmark(
            lookback_days=self.lookback_days,
            max_days=self.window_days,
            first_run=planning.Filter.DAY,
            later_runs=planning.Filter.DAY,
        )
        if windows:
            self.logger.info(
                "%s: reading %s..%s in %d window(s)",
                self.name,
                windows[0].start,
                windows[-1].end,
                len(windows),
            )
        return windows

    def get_new_paginator(self) -> planning.PlannedWindows[planning.DateWindow]:
        """One request per window, as the SDK's pages."""
        return planning.PlannedWindows(self.windows, self.answered)

    def answered(self, window: planning.DateWindow, response: requests.Response) -> None:
        """Nothing to learn from an answer: the windows are planned up front."""

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """`from` and `to` of the window."""
        window: planning.DateWindow = next_page_token
        return window.params()
