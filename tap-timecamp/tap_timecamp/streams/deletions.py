"""Deletions of time entries."""

from __future__ import annotations

from tap_timecamp import windows as planning
from tap_timecamp.streams.windowed import WindowedStream


class TimeEntryDeletionsStream(WindowedStream):
    """Who deleted which time entry, when: `/entries_deletions`, by deletion date.

    It reads the same days as `time_entries` (from `start_date` on a first run, from its
    bookmark minus the overlap later), so the deletions table explains every tombstone.
    """

    name = "time_entry_deletions"
    path = "/entries_deletions"
    primary_keys = ("entry_id",)
    replication_key = "edited"
    first_run_filter = planning.Filter.DELETED
    later_runs_filter = planning.Filter.DELETED
