"""Incremental streams read as a planned list of date windows."""

from __future__ import annotations

import functools
import itertools
import typing as t

from tap_timecamp import clock
from tap_timecamp import windows as planning
from tap_timecamp.streams.planned import PlannedStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_timecamp.client import Page


class WindowedStream(PlannedStream[planning.DateWindow]):
    """A stream whose sync is one request per date window, bookmarked on a timestamp.

    TimeCamp's date filters never paginate and its records are not sorted by the
    replication key, so the bookmark (the greatest value seen) is committed only once
    every window has been read; an interrupted run starts again from the old bookmark.
    """

    is_sorted = False
    first_run_filter = planning.Filter.ENTRY_DATE
    later_runs_filter = planning.Filter.MODIFIED
    _read = 0
    _sized: dict[planning.Filter, planning.SizedWindows]

    @functools.cached_property
    def days(self) -> planning.DateWindow | None:
        """The days this sync reads, from the settings and the bookmark."""
        settings = self.settings
        bookmark = self.bookmark
        days = planning.span(
            bookmark=bookmark,
            start_date=settings.start_date,
            end_date=settings.end_date,
            today=clock.server_today(),
            overlap_days=settings.overlap_days,
            first_run=self.first_run_filter,
            later_runs=self.later_runs_filter,
        )
        if days:
            self.logger.info(
                "%s: %s: %s, in windows of up to %d days and about %d records",
                self.name,
                f"changes since bookmark {bookmark}" if bookmark else "first run",
                days,
                settings.max_window_days,
                settings.target_window_records,
            )
        else:
            self.logger.warning("%s: nothing to read: start_date is after today", self.name)
        return days

    def spans(self) -> list[planning.DateWindow]:
        """The spans read one after the other, each in its own windows."""
        return [self.days] if self.days else []

    def plan(self) -> t.Iterator[planning.DateWindow]:
        """The windows of every span, each sized when it is asked for."""
        settings = self.settings
        self._sized = {
            span.filter: planning.SizedWindows(
                span,
                max_days=settings.max_window_days,
                target_records=settings.target_window_records,
            )
            for span in self.spans()
        }
        return itertools.chain.from_iterable(self._sized.values())

    def fetch(self, token: planning.DateWindow) -> Page:
        """Request a window, and size the next one from what it held."""
        page = super().fetch(token)
        self.observe(token, len(page.body))
        return page

    def observe(self, window: planning.DateWindow, records: int) -> None:
        """Tell the plan how many records `window` held."""
        self._sized[window.filter].observe(window, records)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Ask for one window."""
        window: planning.DateWindow = next_page_token
        return {**super().get_url_params(context, next_page_token), **window.params()}

    def records_of(self, token: planning.DateWindow, page: Page) -> t.Iterable[dict[str, t.Any]]:
        """Yield a window's records and log how many it held."""
        count = 0
        for count, record in enumerate(self.window_records(token, page), start=1):  # noqa: B007
            yield record
        self._read += count
        self.logger.info("%s: %s: %d records (%d so far)", self.name, token, count, self._read)

    def window_records(
        self, window: planning.DateWindow, page: Page
    ) -> t.Iterable[dict[str, t.Any]]:
        """The records of one window's page."""
        return self.records_from_page(page)
