"""The task endpoint: /tasks, a dict of the task tree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.catalog import Task
from timecamp_simulator.params import Params, first, parse_ids
from timecamp_simulator.response import Response, php_dict
from timecamp_simulator.routing import Route


class TaskEndpoints:
    """Tasks and projects (the level-1 tasks)."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.account = account
        self.catalog = account.catalog
        self.modified = account.task_modified

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [(r"/tasks/?", self.tasks)]

    def _task_record(self, task: Task) -> dict[str, Any]:
        num: Callable[[int], Any] = str if task.stringly_typed else int
        parent = self.catalog.task_by_id.get(task.parent_id)
        return {
            "task_id": num(task.task_id),
            "parent_id": num(task.parent_id),
            "assigned_by": str(self.catalog.admin.user_id),
            "name": task.name,
            "external_task_id": task.external_task_id,
            "external_parent_id": parent.external_task_id if parent else None,
            "level": num(task.level),
            "add_date": task.add_date,
            "archived": num(int(task.archived)),
            "color": task.color,
            "tags": "",
            "budgeted": num(0),
            "checked_date": None,
            "root_group_id": num(self.catalog.root_group_id),
            "assigned_to": None,
            "assigned": None,
            "due_date": None,
            "note": task.note,
            "context": None,
            "folder": None,
            "repeat": None,
            "billable": num(int(task.billable)),
            "budget_unit": "hours",
            "public_hash": None,
            "modify_time": self.modified.get(task.task_id, task.modify_time),
            "users": {
                str(u.user_id): {"user_id": str(u.user_id), "role_id": "1" if u.is_admin else "3"}
                for u in self.catalog.users
                if not u.disabled
            },
            "perms": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "user_access_type": 2,
        }

    def tasks(self, _m: re.Match[str], params: Params) -> Response:
        """GET /tasks: live tasks, or all with status=all, optionally only the given ids."""
        include_archived = first(params, "status") == "all"
        wanted_raw = first(params, "task_ids") or first(params, "task_id")
        wanted = set(parse_ids(wanted_raw)) if wanted_raw else None
        result = {
            str(t.task_id): self._task_record(t)
            for t in self.catalog.tasks
            if (include_archived or not t.archived)
            and (wanted is None or t.task_id in wanted)
            and self.account.listed("task", t.task_id)
        }
        return Response(value=php_dict(result))
