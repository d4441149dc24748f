"""Attendance: the days people worked, and the kinds of day attendance can declare."""

from __future__ import annotations

import typing as t

from tap_timecamp import answers, coercion
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.lookback_keys import DELETED_AT
from tap_timecamp.streams.lookback import LookbackStream

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


class AttendanceStream(LookbackStream):
    """Worked days (`/attendance`), one per user and day, re-read over a lookback.

    A day is corrected after the fact (a forgotten clock-out, a day approved later) with no
    stamp saying so: every run reads again the `attendance_lookback_days` before its
    bookmark (see `LookbackStream`), and a corrected day arrives as a new version of its
    key; a day no longer answered is sent deleted. A day's `approved` follows its
    timesheet only while the day is within the lookback: `approvals` is what says whether
    a period is approved. Not selected by default: the attendance module is an add-on
    TimeCamp may refuse (403) on an account without it.
    """

    name = "attendance"
    path = "/attendance"
    primary_keys = ("user_id", "date")
    replication_key = "date"
    selected_by_default = False

    @property
    def lookback_days(self) -> int:
        """`attendance_lookback_days`."""
        return self.settings.attendance_lookback_days

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The window's days, and the `user_ids` setting as `users` when it is set."""
        params = super().get_url_params(context, next_page_token)
        if self.settings.user_ids:
            params["users"] = ",".join(map(str, self.settings.user_ids))
        return params

    def key_of(self, record: dict[str, t.Any]) -> tuple[str, int | None, str, str]:
        """A day's key: its user and its date (nothing more)."""
        day = str(record.get("date"))
        return "", record.get("user_id"), day, day

    def user_of(self, row: dict[str, t.Any]) -> int | None:
        """A day's `user_id`."""
        return coercion.to_integer(row.get("user_id"))

    def tombstone(self, key: str, user_id: int | None, first: str, last: str) -> dict[str, t.Any]:
        """The user's day, deleted."""
        return {"user_id": user_id, "date": first, DELETED_AT: self.deleted_now()}

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """The window's days, only of the `user_ids` asked for when set (as for entries)."""
        wanted = set(self.settings.user_ids)
        for day in super().parse_response(response):
            if not wanted or coercion.to_integer(day.get("user_id")) in wanted:
                # Live: a day sent deleted by an earlier run and back in TimeCamp is live again.
                yield {**day, DELETED_AT: None}


class AttendanceDayTypesStream(FullTableStream):
    """The kinds of day attendance declares (`/attendance/day_types`): working day, vacation, ...

    A short list an administrator edits: read whole on every run. Not selected by default,
    as `attendance`.
    """

    name = "attendance_day_types"
    path = "/attendance/day_types"
    primary_keys = ("day_type_id",)
    selected_by_default = False

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """The day types under `data`, a dict keyed by id (`[]` when empty)."""
        return answers.decode_collection(response, "data")

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Each day type, in the tap's column names."""
        for day_type in super().parse_response(response):
            options = day_type.get("options")
            yield {
                "day_type_id": day_type.get("id"),
                "slug": day_type.get("slug"),
                "name": day_type.get("name"),
                "is_day_off": day_type.get("isDayOff"),
                "is_default": day_type.get("isDefault"),
                "is_active": day_type.get("isActive"),
                "color": options.get("color") if isinstance(options, dict) else None,
            }
