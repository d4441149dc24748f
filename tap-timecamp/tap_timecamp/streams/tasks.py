"""The task tree: projects are its top-level tasks."""

from __future__ import annotations

import typing as t

from tap_timecamp import coercion, trees
from tap_timecamp.client import TimeCampStream

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

TASK_LEVELS = 8
FIELDS = (
    "name",
    "level",
    "archived",
    "billable",
    "budgeted",
    "budget_unit",
    "note",
    "color",
    "add_date",
    "modify_time",
    "external_task_id",
    "external_parent_id",
    "root_group_id",
)


class TasksStream(TimeCampStream):
    """Every task (`/tasks?status=all`), archived ones included, with its breadcrumb.

    Without `status=all` archived tasks are missing and old entries point at unknown
    tasks. Each task carries its project and one column per level of its path.
    """

    name = "tasks"
    path = "/tasks"
    primary_keys = ("task_id",)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Archived tasks too."""
        return {"status": "all"}

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """`/tasks` answers an object keyed by task id (`[]` when there are none)."""
        return self._decode_collection(response)

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Every task with its place in the tree: one answer holds the whole tree."""
        tasks = {
            tid: task
            for task in self.page_items.pop(response)
            if (tid := coercion.to_integer(task.get("task_id"))) is not None
        }
        parents = {
            tid: coercion.to_integer(task.get("parent_id")) or None for tid, task in tasks.items()
        }
        names = {tid: str(task.get("name") or "") for tid, task in tasks.items()}
        self.logger.info("%s: %d tasks", self.name, len(tasks))
        for tid, path in trees.paths(parents, names).items():
            path_names = [names[node] for node in path]
            yield {
                "task_id": tid,
                "parent_id": parents[tid],
                **{field: tasks[tid].get(field) for field in FIELDS},
                "project_id": path[0],
                "project_name": path_names[0],
                "breadcrumb": " / ".join(path_names),
                **trees.level_columns("task_level_", path_names, TASK_LEVELS),
            }
