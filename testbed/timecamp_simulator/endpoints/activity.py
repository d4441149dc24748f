"""The computer activity endpoints: /activity (what the desktop app tracked) and /application."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.catalog import User
from timecamp_simulator.data import mix64, stamp
from timecamp_simulator.params import Params, first, parse_ids
from timecamp_simulator.response import Response, error, php_dict
from timecamp_simulator.routing import Route

MAX_ACTIVITY_DATES = 20
# Real window titles are full of typographic punctuation; keep it.
_WINDOW_TITLES = [
    "Inbox (3) — Outlook", "main.py - tap-timecamp - Visual Studio Code", "#general | Slack",
    "Zażółć gęślą jaźń.docx", "Budget \"Q3\" & forecast.xlsx", "YouTube \u2013 lo-fi beats",
    "Pull request #42 · acme/app", "Zoom Meeting", "", "Figma \u2013 Checkout «v2»",
]  # fmt: skip


def activities_of(
    account: Account, user: User, day: date, with_title: bool
) -> Iterator[dict[str, Any]]:
    """The activities `/activity` files under `day` for `user`."""
    h = mix64(mix64(account.seed ^ 0xAC71) ^ (user.user_id * 1_000_003 + day.toordinal()))
    if user.disabled or user.user_id % 4 == 3:
        return  # no desktop app installed
    count = (6 + h % 15) if day.weekday() < 5 else h % 3
    moment = datetime(day.year, day.month, day.day, 8) + timedelta(seconds=(h >> 8) % 3600)
    late = (h >> 40) % 4 == 0
    if late:
        # A late session that runs past midnight: records dated outside the asked day.
        moment = datetime(day.year, day.month, day.day, 23, 10)
        count = max(count, 4)
    apps = account.catalog.applications
    removed = account.activities_removed
    for k in range(count):
        r = mix64(h + k)
        span = (600 if late else 30) + r % 1800
        moment += timedelta(seconds=span)
        app = apps[(r >> 12) % len(apps)]
        title = (r >> 20) % len(_WINDOW_TITLES)
        record: dict[str, Any] = {
            "user_id": str(user.user_id),
            "application_id": str(app.application_id),
            "window_title_id": str(app.application_id * 1000 + title),
            "end_time": stamp(moment),
            "time_span": span,
        }
        if (user.user_id, record["end_time"], app.application_id * 1000 + title) in removed:
            continue
        if with_title:
            record["window_title"] = _WINDOW_TITLES[title]
        yield record


class ActivityEndpoints:
    """Computer activities per user and day, and the applications they name."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.account = account
        self.catalog = account.catalog
        self._app_by_id = {a.application_id: a for a in self.catalog.applications}

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/activity/?", self.activity),
            (r"/application/?", self.applications),
        ]

    def activity(self, _m: re.Match[str], params: Params) -> Response:
        """GET /activity?dates[]=&user_id=: at most 20 days of one user's activities."""
        dates = list(params.get("dates[]", []))
        dates += [v for k, vs in params.items() if re.fullmatch(r"dates\[\d+\]", k) for v in vs]
        if not dates:
            return error(400, "Parameter 'dates' is required")
        if len(dates) > MAX_ACTIVITY_DATES:
            return error(400, f"Too many dates: at most {MAX_ACTIVITY_DATES} allowed")
        raw_user = first(params, "user_id")
        # In practice the endpoint answers for one user per call: the first id wins.
        user_id = parse_ids(raw_user)[0] if raw_user else self.catalog.admin.user_id
        user = self.catalog.user_by_id.get(user_id)
        if user is None:
            return Response(403, [])
        includes = set((first(params, "include") or "").split(","))
        days = sorted({date.fromisoformat(d) for d in dates})
        with_title = "window_title" in includes
        return Response(
            items=(a for d in days for a in activities_of(self.account, user, d, with_title))
        )

    def applications(self, _m: re.Match[str], params: Params) -> Response:
        """GET /application?application_ids=: the named applications, by id."""
        raw = first(params, "application_ids")
        if not raw:
            return error(400, "Parameter 'application_ids' is required")
        result = {}
        for app_id in parse_ids(raw):
            app = self._app_by_id.get(app_id)
            if app is not None:
                result[str(app_id)] = {
                    "application_id": str(app.application_id),
                    "app_name": app.app_name,
                    "aditional_info": app.aditional_info,
                    "full_name": app.full_name,
                    "category_id": str(app.category_id),
                }
        return Response(value=php_dict(result))
