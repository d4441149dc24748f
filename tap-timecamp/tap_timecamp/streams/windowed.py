"""Incremental streams read as a planned list of date windows."""

from __future__ import annotations

import functools
import typing as t

from tap_timecamp import clock, schemas
from tap_timecamp import windows as planning
from tap_timecamp.client import TimeCampStream
from tap_timecamp.pagination import PlannedPaginator

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


class WindowedStream(TimeCampStream):
    """A stream whose sync is one request per date window, bookmarked on a timestamp.

    TimeCamp's date filters never paginate and its records are not sorted by the
    replication key, so the bookmark (the greatest value seen) is committed only once
    every window has been read; an interrupted run starts again from the old bookmark.
    """

    is_sorted = False
    first_run_filter = planning.Filter.ENTRY_DATE
    later_runs_filter = planning.Filter.MODIFIED
    _paginator: PlannedPaginator[planning.DateWindow]
    _read = 0

    @functools.cached_property
    def schema(self) -> dict[str, t.Any]:
        """The stream's schema file."""
        return schemas.load(self.name)

    @property
    def bookmark(self) -> str | None:
        """The greatest replication value committed by an earlier run, if any.

        Read from the state itself: the SDK's starting value falls back to `start_date`,
        which would turn a first run (by entry date) into a run by modification date.
        """
        state = self.get_context_state(None)
        if state.get("replication_key") != self.replication_key:
            return None
        return t.cast("str | None", state.get("replication_key_value"))

    @functools.cached_property
    def windows(self) -> list[planning.DateWindow]:
        """The windows this sync reads, planned once from the settings and the bookmark."""
        settings = self.settings
        bookmark = self.bookmark
        planned = planning.plan(
            bookmark=bookmark,
            start_date=settings.start_date,
            end_date=settings.end_date,
            today=clock.server_today(),
            overlap_days=settings.overlap_days,
            max_days=settings.max_window_days,
            first_run=self.first_run_filter,
            later_runs=self.later_runs_filter,
        )
        if planned:
            self.logger.info(
                "%s: %s: %d window(s) from %s to %s",
                self.name,
                f"changes since bookmark {bookmark}" if bookmark else "first run",
                len(planned),
                planned[0].start,
                planned[-1].end,
            )
        else:
            self.logger.warning("%s: nothing to read: start_date is after today", self.name)
        return planned

    def get_new_paginator(self) -> PlannedPaginator[planning.DateWindow]:  # type: ignore[override]
        """Walk the planned windows, one request each."""
        self._paginator = PlannedPaginator(self.windows)
        return self._paginator

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Ask for one window."""
        window: planning.DateWindow = next_page_token
        return {**super().get_url_params(context, next_page_token), **window.params()}

    def parse_response(self, response: requests.Response) -> t.Iterable[dict[str, t.Any]]:
        """Yield a window's records and log how many it held."""
        count = 0
        for count, record in enumerate(self.parse_window(response), start=1):  # noqa: B007
            yield record
        self._read += count
        self.logger.info(
            "%s: %s: %d records (%d so far)",
            self.name,
            self._paginator.current_value,
            count,
            self._read,
        )

    def parse_window(self, response: requests.Response) -> t.Iterable[dict[str, t.Any]]:
        """The records of one window's response."""
        return super().parse_response(response)
