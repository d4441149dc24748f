"""Objects of each full-table family deleted in the simulator, and where they should land.

Shared by the end-to-end tests of each target: delete one user, one group (with its
subgroups), one task (with its subtasks), one tag list (with its tags) and one tag of
another list; the warehouse must then mark exactly those rows deleted.
"""

from __future__ import annotations

import json

from timecamp_simulator import Fault, Simulator

# Each full-table stream the project selects by default, and its key.
FULL_TABLE_KEYS = {
    "users": "user_id",
    "groups": "group_id",
    "tasks": "task_id",
    "tag_lists": "tag_list_id",
    "tags": "tag_id",
}
SELECT_FULL_TABLE = json.dumps([f"{stream}.*" for stream in FULL_TABLE_KEYS])
# time_entries is read after groups, tag_lists, tags and tasks and before users (streams
# are read in name order): failing it fails the run once most full-table streams were sent.
SELECT_FULL_TABLE_AND_ENTRIES = json.dumps(
    [f"{stream}.*" for stream in [*FULL_TABLE_KEYS, "time_entries"]]
)


def delete_one_of_each(sim: Simulator) -> dict[str, set[int]]:
    """Delete one object of each family; the ids each stream's table should mark deleted."""
    catalog = sim.catalog
    user = catalog.users[-1].user_id
    group = next(g.group_id for g in catalog.groups if g.parent_id == catalog.groups[0].group_id)
    task = next(t.task_id for t in catalog.tasks if t.parent_id == 0)
    tag_list, other_list = catalog.tag_lists[0], catalog.tag_lists[1]
    tag = other_list.tags[0].tag_id
    return {
        "users": set(sim.delete_object("user", user)),
        "groups": set(sim.delete_object("group", group)),
        "tasks": set(sim.delete_object("task", task)),
        "tag_lists": set(sim.delete_object("tag_list", tag_list.list_id)),
        "tags": {t.tag_id for t in tag_list.tags} | set(sim.delete_object("tag", tag)),
    }


def fail_time_entries(sim: Simulator) -> None:
    """Every /entries request fails: the tap stops after the streams read before it."""
    sim.add_fault(Fault(path="/entries", status=500))
