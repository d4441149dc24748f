"""The task tree: projects are its top-level tasks."""

from __future__ import annotations

import typing as t

from tap_timecamp import trees
from tap_timecamp.full_table import FullTableStream

if t.TYPE_CHECKING:
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


class TasksStream(FullTableStream):
    """Every task (`/tasks?status=all`), archived ones included, with its breadcrumb.

    Without `status=all` archived tasks are missing and old entries point at unknown
    tasks. Each task carries its project and one column per level of its path.
    """

    name = "tasks"
    path = "/tasks"
    primary_keys = ("task_id",)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every task with its place in the tree: one answer holds the whole tree.

        Not the SDK's request loop: `/tasks` is the run's one read, which billing_rates and
        custom_field_values share.
        """
        tree = trees.Tree(self.reads.tasks(self.name), "task_id")
        self.left_out(tree.without_id, "without an integer task_id")
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
