"""The task tree: projects are its top-level tasks."""

from __future__ import annotations

import typing as t

from tap_timecamp import trees
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
        tree = trees.Tree(self.page_items.pop(response), "task_id")
        self.logger.info("%s: %d tasks", self.name, len(tree.nodes))
        for tid, path in tree.paths.items():
            path_names = tree.path_names(tid)
            yield {
                "task_id": tid,
                "parent_id": tree.parents[tid],
                **{field: tree.nodes[tid].get(field) for field in FIELDS},
                "project_id": path[0],
                "project_name": path_names[0],
                "breadcrumb": " / ".join(path_names),
                **trees.level_columns("task_level_", path_names, TASK_LEVELS),
            }
