"""Timesheet approvals: whether each person's period is open, submitted, approved or rejected."""

from __future__ import annotations

import typing as t

from tap_timecamp import coercion
from tap_timecamp.lookback_keys import DELETED_AT
from tap_timecamp.streams.lookback import LookbackStream

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

# The statuses `POST /approval` documents.
STATUS_NAMES = {0: "open", 1: "approved", 2: "pending", 3: "rejected"}


class ApprovalsStream(LookbackStream):
    """Timesheet approvals (`/approval`), with each day's expected minutes and day type.

    Incremental on the first day of the period: a timesheet is approved, rejected or
    reopened after its period, with no stamp saying when, so every run reads again the
    periods that overlap the `approvals_lookback_days` before its bookmark (see
    `LookbackStream`). `/approval` answers every period that overlaps the days asked, so
    a period that spans two windows comes twice and is sent once; one no longer answered is
    sent deleted. Not selected by
    default: approvals are an add-on TimeCamp may refuse (403) on an account without it.
    """

    name = "approvals"
    path = "/approval"
    primary_keys = ("approval_id",)
    replication_key = "from_date"
    selected_by_default = False
    # A quarter of every user's periods per request: a month's period then comes at most
    # twice, where windows of a month would send most periods twice.
    window_days = 92

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """No approval sent yet."""
        super().__init__(*args, **kwargs)
        self.sent: set[str] = set()

    @property
    def lookback_days(self) -> int:
        """`approvals_lookback_days`."""
        return self.settings.approvals_lookback_days

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The window's days, with each period's attendance (expected minutes, day types)."""
        return {**super().get_url_params(context, next_page_token), "with_attendance": "1"}

    def key_of(self, record: dict[str, t.Any]) -> tuple[str, int | None, str, str]:
        """An approval's key: its id, with its user and period."""
        return (
            str(record.get("approval_id")),
            record.get("user_id"),
            str(record.get("from_date")),
            str(record.get("to_date")),
        )

    def user_of(self, row: dict[str, t.Any]) -> int | None:
        """An approval's user: `for`."""
        return coercion.to_integer(row.get("for"))

    def tombstone(self, key: str, user_id: int | None, first: str, last: str) -> dict[str, t.Any]:
        """The approval, deleted."""
        return {
            "approval_id": int(key) if key.isdigit() else key,
            "user_id": user_id,
            "from_date": first,
            "to_date": last,
            DELETED_AT: self.deleted_now(),
        }

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Each approval once a run, of the `user_ids` asked for when set, in the tap's columns."""
        wanted = set(self.settings.user_ids)
        for approval in super().parse_response(response):
            approval_id = str(approval.get("id"))
            user_id = coercion.to_integer(approval.get("for"))
            if approval_id in self.sent or (wanted and user_id not in wanted):
                continue
            self.sent.add(approval_id)
            status = coercion.to_integer(approval.get("status"))
            days = approval.get("attendance")
            yield {
                "approval_id": approval.get("id"),
                "user_id": user_id,
                "status": status,
                "status_name": STATUS_NAMES.get(status) if status is not None else None,
                # "0": nobody has decided yet.
                "approver_id": coercion.to_integer(approval.get("by")) or None,
                "from_date": approval.get("from"),
                "to_date": approval.get("to"),
                "projects": approval.get("projects"),
                "auto": approval.get("auto"),
                "comments": approval.get("comments"),
                "attendance": [
                    {"date": date, **day}
                    for date, day in sorted((days if isinstance(days, dict) else {}).items())
                    if isinstance(day, dict)
                ],
                # Live: an approval sent deleted by an earlier run and back is live again.
                DELETED_AT: None,
            }
