"""The attendance endpoints: /attendance, /attendance/day_types and /approval (timesheets)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.params import Params, first, parse_day, parse_ids
from timecamp_simulator.response import Response, error, php_dict
from timecamp_simulator.routing import Route
from timecamp_simulator.timesheets import DAY_TYPES


class AttendanceEndpoints:
    """Attendance days, the kinds of day they declare, and monthly timesheet approvals."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.catalog = account.catalog
        self.timesheets = account.timesheets

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/attendance/?", self.attendance),
            (r"/attendance/day_types/?", self.day_types),
            (r"/approval/?", self.approvals),
        ]

    def attendance(self, _m: re.Match[str], params: Params) -> Response:
        """GET /attendance: every worked day of `from..to` (both required), of `users` if given."""
        start, end = parse_day(first(params, "from")), parse_day(first(params, "to"))
        if start is None or end is None:
            return error(400, "Parameters from and to are required")
        wanted_raw = first(params, "users")
        wanted = set(parse_ids(wanted_raw)) if wanted_raw else None
        users = [u for u in self.timesheets.users if wanted is None or u.user_id in wanted]
        records: list[dict[str, Any]] = []
        for offset in range(max((end - start).days + 1, 0)):
            day = start + timedelta(days=offset)
            records.extend(
                record for user in users if (record := self.timesheets.attendance(user, day))
            )
        return Response(value=records)

    def day_types(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /attendance/day_types: `{"data": {id: day type}}`, typed (a newer endpoint)."""
        data = {
            str(d.type_id): {
                "id": d.type_id,
                "slug": d.slug,
                "name": d.name,
                "isDayOff": d.is_day_off,
                "isDefault": d.is_default,
                "isActive": d.is_active,
                "options": {"color": d.color},
            }
            for d in DAY_TYPES
        }
        return Response(value={"data": php_dict(data)})

    def approvals(self, _m: re.Match[str], params: Params) -> Response:
        """GET /approval: every approval whose period overlaps `from..to` (either end open)."""
        start, end = parse_day(first(params, "from")), parse_day(first(params, "to"))
        with_attendance = first(params, "with_attendance") == "1"
        records = [
            self.timesheets.approval_record(approval, with_attendance=with_attendance)
            for approval in self.timesheets.approvals
            if (start is None or approval.last >= start) and (end is None or approval.first <= end)
        ]
        return Response(value=records)
