"""What a stream's state says it has read completely, and how a run moves it on.

The SDK's own bookmark (`replication_key_value`, the greatest value read) cannot say
"complete up to here": TimeCamp's records are not sorted, a stamp can run ahead of the
clock, and a bounded backfill reads entry dates, not changes. So each windowed stream
keeps, next to the SDK's keys, what it has read completely:

- `changes_read_through`: TimeCamp's clock ("YYYY-MM-DD HH:MM:SS", Warsaw wall time) when
  the last successful run started. Every change made before it has been read.
- `entry_dates_read_through` (time entries only): the last entry date read by entry
  date. Every entry dated up to it that existed when that run started has been read.
- `start_date`: the first run's effective `start_date`, pinned before any record is
  sent, so that a failed first run retried on a later day starts from the same day.

The first two are written only once a whole stream has been read; a failed run leaves
them where they were.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from tap_timecamp import clock

if t.TYPE_CHECKING:
    import logging

CHANGES_READ_THROUGH = "changes_read_through"
ENTRY_DATES_READ_THROUGH = "entry_dates_read_through"
START_DATE = "start_date"


class UnusableStateError(Exception):
    """The state holds a value this tap cannot read: say which, and stop."""


@dataclasses.dataclass(frozen=True)
class ReadProgress:
    """How far a stream has been read completely (see the module's docstring)."""

    changes_read_through: dt.datetime | None = None
    entry_dates_read_through: dt.date | None = None
    start_date: dt.date | None = None

    @classmethod
    def from_state(
        cls,
        state: t.Mapping[str, t.Any],
        *,
        stream: str,
        replication_key: str,
        now: dt.datetime,
        logger: logging.Logger,
    ) -> ReadProgress:
        """Read a stream's state; migrate a bookmark-only state; clamp one from the future.

        `now` is TimeCamp's clock at the start of this run: nothing can have been read
        after it, so a later value (a hand-edited state, or an old bookmark that was a
        skewed `last_modify`) is brought back to it, with a warning.

        Raises:
            UnusableStateError: a value of this tap's own keys is not what it wrote.
        """
        changes = _stamp_in(state, CHANGES_READ_THROUGH, stream)
        entry_dates = _date_in(state, ENTRY_DATES_READ_THROUGH, stream)
        start_date = _date_in(state, START_DATE, stream)
        if CHANGES_READ_THROUGH not in state:
            changes = _migrated(state, stream, replication_key, logger)
        if changes is not None and changes > now:
            logger.warning(
                "%s: the state says changes were read through %s, after TimeCamp's clock "
                "(%s): reading from %s instead",
                stream,
                clock.stamp(changes),
                clock.stamp(now),
                clock.stamp(now),
            )
            changes = now
        return cls(changes, entry_dates, start_date)

    def write(self, state: dict[str, t.Any]) -> None:
        """Put this progress into a stream's (writable) state."""
        values = {
            CHANGES_READ_THROUGH: clock.stamp(self.changes_read_through)
            if self.changes_read_through
            else None,
            ENTRY_DATES_READ_THROUGH: self.entry_dates_read_through,
            START_DATE: self.start_date,
        }
        for key, value in values.items():
            if value is not None:
                state[key] = value if isinstance(value, str) else value.isoformat()


def _migrated(
    state: t.Mapping[str, t.Any], stream: str, replication_key: str, logger: logging.Logger
) -> dt.datetime | None:
    """The `changes_read_through` an old state's greatest `last_modify` stands for.

    The unpublished builds before 0.1.0 (the checkout of 2026-11-27 and its successors)
    kept only the SDK's greatest replication value read. It still says every
    change before it was read; it says nothing about entry dates, so the migrated run
    reads those again from `start_date` once.
    """
    if state.get("replication_key") != replication_key or "replication_key_value" not in state:
        return None
    old = state["replication_key_value"]
    changes = clock.parse_stamp(old)
    if changes is None:
        logger.warning(
            "%s: the old bookmark %r is not a time: reading from start_date again", stream, old
        )
        return None
    logger.warning(
        "%s: state of an older tap (bookmark %s): reading entry dates from start_date again, once",
        stream,
        old,
    )
    return changes


def _stamp_in(state: t.Mapping[str, t.Any], key: str, stream: str) -> dt.datetime | None:
    value = state.get(key)
    if value is None:
        return None
    parsed = clock.parse_stamp(value)
    if parsed is None:
        msg = (
            f"The state of stream {stream} has {key} = {value!r}, not a time like "
            "2026-03-31 15:00:00: correct it or clear the state"
        )
        raise UnusableStateError(msg)
    return parsed


def _date_in(state: t.Mapping[str, t.Any], key: str, stream: str) -> dt.date | None:
    value = state.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        msg = (
            f"The state of stream {stream} has {key} = {value!r}, not a date like 2026-03-31: "
            "correct it or clear the state"
        )
        raise UnusableStateError(msg) from None
