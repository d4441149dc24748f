"""Group work schedules: `/group/{id}/scheduler`, the weekly hours a group is expected to work.

A list of events `{event_id, group_id, start_time, end_time, day, recurring, type, variant}`
with every value a string (the spec's example); `day` 1 is Monday, 7 Sunday.
"""

from __future__ import annotations

import re
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.params import Params
from timecamp_simulator.response import Response, error
from timecamp_simulator.routing import Route

EVENT_ID_BASE = 674_300
# (day, start, end) of the weekly schedules set on a group; other groups have none.
OFFICE_WEEK = tuple((day, "09:00:00", "17:00:00") for day in range(1, 6))
SHORT_FRIDAY = (
    *((day, "08:00:00", "16:00:00") for day in range(1, 5)),
    (5, "08:00:00", "12:00:00"),
)
NIGHT_SHIFT = ((6, "22:00:00", "06:00:00"),)


class ScheduleEndpoints:
    """The schedules set on the root group and on two of its subgroups."""

    def __init__(self, account: Account) -> None:
        """Answer for this account: schedules on the root and the first groups people are in.

        Groups people are in, so that expected-hours reports hold each schedule; the
        groups after them have none.
        """
        catalog = account.catalog
        self.group_ids = {g.group_id for g in catalog.groups}
        staffed = dict.fromkeys([catalog.root_group_id, *(u.group_id for u in catalog.users)])
        self.schedules = dict(zip(staffed, (OFFICE_WEEK, SHORT_FRIDAY, NIGHT_SHIFT), strict=False))

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [(r"/group/(?P<group_id>\d+)/scheduler", self.scheduler)]

    def scheduler(self, match: re.Match[str], _params: Params) -> Response:
        """GET /group/{id}/scheduler: the group's events, `[]` when it has none."""
        group_id = int(match["group_id"])
        if group_id not in self.group_ids:
            return error(403, "You cannot see scheduler in this group")
        return Response(
            value=[_event(group_id, k, e) for k, e in enumerate(self.schedules.get(group_id, ()))]
        )


def _event(group_id: int, index: int, event: tuple[int, str, str]) -> dict[str, Any]:
    day, start, end = event
    return {
        "event_id": str(EVENT_ID_BASE + (group_id % 100) * 10 + index),
        "group_id": str(group_id),
        "start_time": start,
        "end_time": end,
        "day": str(day),
        "recurring": "1",
        "type": "0",
        "variant": "0",
    }
