"""Attendance, day types and timesheet approvals: who was expected, who worked, what is approved.

Derived from the seed like everything else, for every active user and every day of the
entry range; an administrator's later changes (an approval rejected, a day corrected) are
kept as overrides, so the same query answers differently after them, as TimeCamp does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from timecamp_simulator.catalog import Catalog, User
from timecamp_simulator.data import hms, mix64

APPROVAL_ID_BASE = 87_700
# Minutes a working day is expected to hold.
WORKDAY_MINUTES = 480
OPEN, APPROVED, PENDING, REJECTED = 0, 1, 2, 3
# Polish public holidays in the simulator's usual range.
_HOLIDAYS = {date(2026, 1, 1), date(2026, 1, 6), date(2026, 4, 5), date(2026, 4, 6)}


@dataclass(frozen=True)
class DayType:
    """A kind of day attendance can declare (`/attendance/day_types`)."""

    type_id: int
    slug: str
    name: str
    is_day_off: bool
    is_default: bool
    is_active: bool
    color: str


DAY_TYPES = (
    DayType(12, "normal", "Working Day", False, True, True, "eeeeee"),
    DayType(13, "vacation", "Vacation", True, False, True, "4da5f5"),
    DayType(14, "sick_leave", "Sick leave", True, False, True, "d0021b"),
    DayType(15, "holiday", "Public holiday", True, False, True, "f5a623"),
    DayType(16, "remote", "Remote work", False, False, False, "50e3c2"),
)
_TYPE_BY_SLUG = {day_type.slug: day_type for day_type in DAY_TYPES}


@dataclass(frozen=True)
class Approval:
    """A user's timesheet for one calendar month, as first decided."""

    approval_id: int
    user_id: int
    first: date
    last: date
    status: int


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months that overlap `start..end`, whole."""
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        months.append((first, following - timedelta(days=1)))
        first = following
    return months


class Timesheets:
    """The account's attendance days and monthly timesheet approvals."""

    def __init__(self, catalog: Catalog, seed: int, start: date, end: date) -> None:
        """Plan every active user's days and months over `start..end`."""
        self.catalog = catalog
        self.key = mix64(seed ^ 0x7153)
        self.start = start
        self.end = end
        self.users = tuple(u for u in catalog.users if not u.disabled)
        self.approvals: list[Approval] = []
        months = _months(start, end)
        for user in self.users:
            for k, (first, last) in enumerate(months):
                h = mix64(self.key ^ (user.user_id * 31 + k))
                # The month still being worked is open; earlier ones mostly approved.
                decided = (APPROVED, APPROVED, PENDING, REJECTED)[h % 4]
                status = OPEN if k == len(months) - 1 else decided
                approval_id = APPROVAL_ID_BASE + len(self.approvals) * 7 + 1
                self.approvals.append(Approval(approval_id, user.user_id, first, last, status))
        self.approvals_of: dict[int, list[Approval]] = {}
        for approval in self.approvals:
            self.approvals_of.setdefault(approval.user_id, []).append(approval)
        self.status_changes: dict[int, int] = {}
        self.day_changes: dict[tuple[int, date], dict[str, Any]] = {}
        # What an administrator removed: no answer lists it any more.
        self.days_removed: set[tuple[int, date]] = set()

    # -- day types and attendance ----------------------------------------------------

    def day_type(self, user: User, day: date) -> DayType:
        """What kind of day `day` is for `user`."""
        if day in _HOLIDAYS:
            return _TYPE_BY_SLUG["holiday"]
        h = mix64(self.key ^ (user.user_id * 1_000_003 + day.toordinal()))
        if day.weekday() < 5 and h % 23 == 0:
            return _TYPE_BY_SLUG["vacation"]
        if day.weekday() < 5 and h % 29 == 1:
            return _TYPE_BY_SLUG["sick_leave"]
        return _TYPE_BY_SLUG["normal"]

    def expected_minutes(self, user: User, day: date) -> int:
        """Minutes `user` should work on `day`: none at weekends and on days off."""
        if day.weekday() >= 5 or self.day_type(user, day).is_day_off:
            return 0
        return WORKDAY_MINUTES

    def attendance(self, user: User, day: date) -> dict[str, Any] | None:
        """`user`'s attendance record of `day`, or None when they did not work that day."""
        if not self.start <= day <= self.end or self.expected_minutes(user, day) == 0:
            return None
        if (user.user_id, day) in self.days_removed:
            return None
        h = mix64(self.key ^ (user.user_id * 7_919 + day.toordinal()))
        arrived = 7 * 3600 + 1800 + h % 7200
        span = 8 * 3600 + (h >> 16) % 7200
        record: dict[str, Any] = {
            "user_id": str(user.user_id),
            "user_name": user.shown_name,
            "start_time": hms(arrived),
            "end_time": hms(arrived + span),
            "total_time": str(span - 1800 - (h >> 32) % 1800),
            "date": day.isoformat(),
            "approved": self.is_approved(user.user_id, day),
        }
        record.update(self.day_changes.get((user.user_id, day), {}))
        return record

    def change_day(self, user_id: int, day: date, changes: dict[str, Any]) -> dict[str, Any]:
        """Correct a user's attendance day after the fact (e.g. `total_time`, `end_time`)."""
        user = self.catalog.user_by_id[user_id]
        if self.attendance(user, day) is None:
            raise KeyError(f"user {user_id} has no attendance on {day}")
        self.day_changes.setdefault((user_id, day), {}).update(changes)
        return self.attendance(user, day) or {}

    def remove_day(self, user_id: int, day: date) -> None:
        """Remove a user's attendance day, as an administrator deleting a wrong record."""
        user = self.catalog.user_by_id[user_id]
        if self.attendance(user, day) is None:
            raise KeyError(f"user {user_id} has no attendance on {day}")
        self.days_removed.add((user_id, day))

    # -- approvals ----------------------------------------------------------------------

    def remove_approval(self, approval_id: int) -> None:
        """Remove a timesheet approval: `/approval` no longer lists it."""
        approval = next((a for a in self.approvals if a.approval_id == approval_id), None)
        if approval is None:
            raise KeyError(f"no approval {approval_id}")
        self.approvals.remove(approval)
        self.approvals_of[approval.user_id].remove(approval)

    def status(self, approval: Approval) -> int:
        """The approval's status now."""
        return self.status_changes.get(approval.approval_id, approval.status)

    def is_approved(self, user_id: int, day: date) -> bool:
        """Whether the timesheet holding `user_id`'s `day` is approved now."""
        return any(
            a.first <= day <= a.last and self.status(a) == APPROVED
            for a in self.approvals_of.get(user_id, ())
        )

    def set_status(self, approval_id: int, status: int) -> None:
        """Approve, reject or reopen a timesheet after the fact."""
        if status not in {OPEN, APPROVED, PENDING, REJECTED}:
            raise ValueError(f"approval status must be 0..3, not {status}")
        if all(a.approval_id != approval_id for a in self.approvals):
            raise KeyError(f"no approval {approval_id}")
        self.status_changes[approval_id] = status

    def approval_record(self, approval: Approval, *, with_attendance: bool) -> dict[str, Any]:
        """An approval as `/approval` sends it: every value a string, as in the spec's example."""
        status = self.status(approval)
        decided = status in {APPROVED, REJECTED}
        record: dict[str, Any] = {
            "id": str(approval.approval_id),
            "status": str(status),
            "for": str(approval.user_id),
            "by": str(self.catalog.admin.user_id) if decided else "0",
            "from": approval.first.isoformat(),
            "to": approval.last.isoformat(),
            "projects": None,
            "auto": "0",
            "comments": "Please fix the 12th" if status == REJECTED else None,
        }
        if with_attendance:
            user = self.catalog.user_by_id[approval.user_id]
            days = (approval.last - approval.first).days + 1
            record["attendance"] = {
                day.isoformat(): {
                    "should_be": str(self.expected_minutes(user, day)),
                    "day_type": self.day_type(user, day).slug,
                }
                for day in (approval.first + timedelta(days=i) for i in range(days))
            }
        return record
