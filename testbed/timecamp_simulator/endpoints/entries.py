"""The time entry endpoints: /entries with its filters and optional fields, deletions, timers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.endpoints.tags import tag_objects
from timecamp_simulator.params import Params, first, parse_day, parse_ids
from timecamp_simulator.response import Response, error
from timecamp_simulator.routing import Route
from timecamp_simulator.store import EntryFilter

Decorator = Callable[[dict[str, Any]], dict[str, Any]]


class EntryEndpoints:
    """Time entries by date or by modification, deleted entries, and running timers."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.catalog = account.catalog
        self.layout = account.layout
        self.store = account.store

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/entries/?", self.entries),
            (r"/entries_deletions/?", self.deletions),
            (r"/timer_running/?", self.timer_running),
        ]

    def entries(self, _m: re.Match[str], params: Params) -> Response:
        """GET /entries: streamed, filtered by date and/or modification day, users and tasks."""
        date_from, date_to = parse_day(first(params, "from")), parse_day(first(params, "to"))
        mod_from = parse_day(first(params, "modify_from"))
        mod_to = parse_day(first(params, "modify_to"))
        by_date = date_from is not None and date_to is not None
        by_modify = mod_from is not None and mod_to is not None
        if not by_date and not by_modify:
            return error(
                400, "Parameters 'from' and 'to' (or 'modify_from' and 'modify_to') are required"
            )
        user_ids: frozenset[int] | None = None
        raw_users = first(params, "user_ids")
        if raw_users:
            admin = self.catalog.admin.user_id
            asked = [
                admin if part.strip() == "me" else int(part)
                for part in raw_users.split(",")
                if part.strip()
            ]
            if any(uid not in self.catalog.user_by_id for uid in asked):
                # A user the token cannot see: 403 with an empty list as the body.
                return Response(403, [])
            user_ids = frozenset(asked)
        flt = EntryFilter(
            date_from=date_from if by_date else None,
            date_to=date_to if by_date else None,
            modify_from=mod_from if by_modify else None,
            modify_to=mod_to if by_modify else None,
            user_ids=user_ids,
            task_ids=self._task_filter(params),
        )
        opt = {part.strip() for part in (first(params, "opt_fields") or "").split(",")}
        decorate = self._decorator(
            tags="tags" in opt,
            breadcrumps="breadcrumps" in opt,
            project=first(params, "include_project") == "1",
            rates=first(params, "include_rates") == "1",
        )
        entries = self.store.query(flt)
        return Response(items=entries if decorate is None else (decorate(e) for e in entries))

    def _task_filter(self, params: Params) -> frozenset[int] | None:
        raw = first(params, "task_ids")
        if not raw:
            return None
        wanted = set(parse_ids(raw))
        if first(params, "with_subtasks") == "1":
            for task in self.catalog.tasks:
                ancestor = task
                while ancestor.parent_id:
                    if ancestor.parent_id in wanted:
                        wanted.add(task.task_id)
                        break
                    ancestor = self.catalog.task_by_id[ancestor.parent_id]
        return frozenset(wanted)

    def _decorator(
        self, *, tags: bool, breadcrumps: bool, project: bool, rates: bool
    ) -> Decorator | None:
        """What adds the asked optional fields to an entry, or None when none was asked."""
        if not (tags or breadcrumps or project or rates):
            return None
        tasks = self.catalog.task_by_id
        users = self.catalog.user_by_id

        def decorate(entry: dict[str, Any]) -> dict[str, Any]:
            task = tasks.get(int(entry["task_id"]))
            if tags:
                tag_ids = self.store.tag_ids(entry)
                if tag_ids is not None:
                    entry["tags"] = tag_objects(self.catalog, tag_ids)
            if breadcrumps:
                entry["breadcrumps"] = " / ".join(task.path[:-1]) if task else ""
            if project:
                entry["project_id"] = task.project_id if task else 0
                entry["project_name"] = tasks[task.project_id].name if task else ""
            if rates:
                user = users.get(int(entry["user_id"]))
                rate = user.hourly_rate if user and entry["billable"] else 0.0
                hours = int(entry["duration"]) / 3600
                values = (round(hours * rate * 0.6, 2), round(hours * rate, 2), rate)
                if self.layout.rates_as_strings(entry["id"]):
                    entry.update(
                        zip(
                            ("total_cost", "total_income", "rate_income"),
                            (f"{v:.2f}" for v in values),
                            strict=True,
                        )
                    )
                else:
                    entry.update(
                        zip(("total_cost", "total_income", "rate_income"), values, strict=True)
                    )
            return entry

        return decorate

    def deletions(self, _m: re.Match[str], params: Params) -> Response:
        """GET /entries_deletions?from=&to=: entries deleted on those days."""
        day_from, day_to = parse_day(first(params, "from")), parse_day(first(params, "to"))
        if day_from is None or day_to is None:
            return error(400, "Parameters 'from' and 'to' are required")
        return Response(
            value=[
                {
                    "entry_id": str(d.entry_id),
                    "user_id": d.user_id,
                    "task_id": d.task_id,
                    "date": d.entry_date,
                    "duration": d.duration,
                    "edited": d.edited,
                    "deleted_by": str(self.catalog.admin.user_id),
                }
                for d in self.store.deletions(day_from, day_to)
            ]
        )

    def timer_running(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /timer_running: the timers running now."""
        return Response(
            value=[
                {
                    "timer_id": str(e["id"] - self.layout.id_limit + 1),
                    "entry_id": str(e["id"]),
                    "user_id": e["user_id"],
                    "task_id": e["task_id"],
                    "started_at": f"{e['date']} {e['start_time']}",
                    "name": e["name"],
                    "note": e["description"],
                }
                for e in self.store.running()
            ]
        )
