"""Streams of days that change after the fact, with no stamp that says when: re-read a lookback.

Attendance days are corrected and timesheets approved, rejected or reopened long after the
days they are about, and TimeCamp's answers carry no modification time. Such a stream is
incremental on the day a record is about, under the same rules as time entries
(`IncrementalStream`): a first run reads from the first date (pinned in the state before
any record), and every later run reads again from the day of the last run's start minus a
lookback of days (a setting), so what changed within the lookback arrives as a new version
of the same key. A change older than the lookback is not seen: the setting says how far back
changes are expected.

A key an earlier run read inside the days this run reads again, that the answer of a window
covering its days no longer holds while it holds other rows of the same user, was removed in
TimeCamp: it is sent as a tombstone (`tap_timecamp.lookback_keys`).
"""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from tap_timecamp import clock
from tap_timecamp import windows as planning
from tap_timecamp.lookback_keys import DELETED_AT, KeysSeen
from tap_timecamp.streams.windowed import WindowedStream, read_until_end_date, until

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


class LookbackStream(WindowedStream):
    """Read by windows of days, from the last run's start day minus `lookback_days`, to today."""

    change_filter = planning.Filter.DAY
    reads_asked_users = True
    # Days per request: a month of every user's days is one response.
    window_days = 31

    @property
    def lookback_days(self) -> int:
        """Days re-read before the day of the last run's start (the stream's setting)."""
        raise NotImplementedError

    @property
    def overlap(self) -> int:
        """The lookback."""
        return self.lookback_days

    def spans(self) -> list[planning.DateWindow]:
        """The days to read, up to `end_date` when it is set."""
        return until(self.settings.end_date, super().spans())

    def read_through(self) -> dt.datetime:
        """T, or the day after `end_date` when the days stopped there."""
        return read_until_end_date(self)

    def plan(self) -> t.Iterator[planning.DateWindow]:
        """Windows of `window_days`: each is one response of every user's days."""
        for span in self.spans():
            self.logger.info("%s: reading %s", self.name, span)
            yield from planning.split(span.start, span.end, self.window_days, span.filter)

    def answered(self, window: planning.DateWindow, response: requests.Response) -> None:
        """Note which window `response` answers: the plan does not adapt."""
        self.windows_answered[response] = window

    # Deletions: the keys read inside the days the next run reads again.

    def key_of(self, record: dict[str, t.Any]) -> tuple[str, int | None, str, str]:
        """A sent record's key, its user and the days it is about (first, last)."""
        raise NotImplementedError

    def user_of(self, row: dict[str, t.Any]) -> int | None:
        """The user of a row as TimeCamp answers it (before it is typed)."""
        raise NotImplementedError

    def records_of(
        self, window: planning.DateWindow, records: t.Iterable[dict[str, t.Any]]
    ) -> t.Iterable[dict[str, t.Any]]:
        """A window's rows, each noted as an answer for its user about the window's days.

        A window answered empty, or without a row of a user, then judges none of that user's
        keys in its days, whatever the other windows of the run hold.
        """
        first, last = window.start.isoformat(), window.end.isoformat()
        for row in super().records_of(window, records):
            self.keys_seen.answered(self.user_of(row), first, last)
            yield row

    def tombstone(self, key: str, user_id: int | None, first: str, last: str) -> dict[str, t.Any]:
        """The record that tells a target the key is gone: its key, deleted at this run's start.

        TimeCamp does not say when it was removed: after the last run started, before this one.
        """
        raise NotImplementedError

    def deleted_now(self) -> str:
        """`_sdc_deleted_at` of this run's tombstones: its start, an ISO 8601 instant."""
        return clock.iso_instant(self.started_at)

    @functools.cached_property
    def keys_seen(self) -> KeysSeen:
        """The keys the last run saved, and those this run reads."""
        return KeysSeen.from_state(self.get_context_state(None))

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Typed, and its key noted as read in this run (a tombstone's is not: it is gone)."""
        record = super().post_process(row, context)
        if record is not None and record.get(DELETED_AT) is None:
            self.keys_seen.read(*self.key_of(record))
        return record

    def held_back_records(self) -> t.Iterable[dict[str, t.Any]]:
        """Tombstones for the keys read before, inside this run's days, not read now."""
        gone = self.keys_seen.gone(self.read_scope)
        for key, user_id, first, last in gone:
            yield self.tombstone(key, user_id, first, last)
        if gone:
            self.logger.info(
                "%s: %d key(s) no longer in TimeCamp: sent deleted", self.name, len(gone)
            )

    def save_keys_read(self, state: dict[str, t.Any], *, since: dt.date) -> None:
        """The keys read about the days the next run reads again, for it to judge."""
        self.keys_seen.write(state, since=since.isoformat())
