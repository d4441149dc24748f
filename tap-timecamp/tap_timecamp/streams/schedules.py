"""Group work schedules: the weekly hours each group is expected to work."""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from tap_timecamp import answers, coercion
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.streams.shared import ids_of

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

DAY_SECONDS = 24 * 3600
# A group's schedule: its events, each with its `event_id`.
EVENTS = functools.partial(answers.decode_collection, required=("event_id",))


class GroupSchedulesStream(FullTableStream):
    """Each group's schedule (`/group/{id}/scheduler`): one row per weekday period.

    With `day` (1 = Monday ... 7 = Sunday) and `hours`, a week's expected hours per group
    is a sum, and a person's through `users.group_id`.
    """

    name = "group_schedules"
    path = "/group/{group_id}/scheduler"
    primary_keys = ("event_id",)
    # A request per group, and TimeCamp may refuse a group's schedule (403).
    selected_by_default = False

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """The schedule events of every group of the run's shared `/group` read.

        Not the SDK's request loop: the endpoint takes one group id, from another endpoint;
        `max_requests_in_flight` groups are asked at once.
        """
        groups = ids_of(self.reads.groups(self.name), "group_id")
        with self.in_flight(groups, self._schedule_of) as fetched:
            for group_id, events in fetched:
                for event in events:
                    yield {
                        "event_id": event.get("event_id"),
                        "group_id": coercion.to_integer(event.get("group_id")) or group_id,
                        "day_of_week": event.get("day"),
                        "start_time": event.get("start_time"),
                        "end_time": event.get("end_time"),
                        "hours": period_hours(event.get("start_time"), event.get("end_time")),
                        "recurring": event.get("recurring"),
                        "type": event.get("type"),
                        "variant": event.get("variant"),
                    }

    def _schedule_of(self, group_id: int) -> list[dict[str, t.Any]]:
        """The schedule events of one group."""
        return self.client.get(f"/group/{group_id}/scheduler", EVENTS, stream=self.name)


def period_hours(start: t.Any, end: t.Any) -> float | None:
    """Hours from `start` to `end` (`HH:MM:SS`); an end at or before the start is the next day."""
    try:
        first, last = (dt.time.fromisoformat(str(value)) for value in (start, end))
    except ValueError:
        return None
    seconds = _seconds(last) - _seconds(first)
    if seconds <= 0:
        seconds += DAY_SECONDS
    return round(seconds / 3600, 4)


def _seconds(moment: dt.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
