"""Deletions of time entries."""

from __future__ import annotations

import typing as t

from tap_timecamp import clock
from tap_timecamp import windows as planning
from tap_timecamp.streams.shared import DELETIONS_PATH
from tap_timecamp.streams.windowed import WindowedStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class TimeEntryDeletionsStream(WindowedStream):
    """Who deleted which time entry, when: `/entries_deletions`, by deletion date.

    It reads the same deletion days as `time_entries` (from `start_date` on a first run,
    from the day of the last run's start minus the overlap later), so the deletions table
    explains every tombstone.
    """

    name = "time_entry_deletions"
    path = DELETIONS_PATH
    primary_keys = ("entry_id",)
    replication_key = "edited"
    change_filter = planning.Filter.DELETED

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """A deletion whose `edited` is not a time (null, a zero date) keeps it empty.

        It is still a deletion, reported with a warning; its `edited` is never a bookmark.
        """
        edited = row.get("edited")
        if clock.parse_stamp(edited) is None:
            self.logger.warning(
                "%s: TimeCamp's deletion of entry %s has no usable time (edited = %r)",
                self.name,
                row.get("entry_id"),
                edited,
            )
            row = {**row, "edited": None}
        return super().post_process(row, context)
