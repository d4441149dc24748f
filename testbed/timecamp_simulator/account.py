"""The account state every endpoint family reads: reference data, entries, timesheets, expenses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from timecamp_simulator.catalog import Catalog
from timecamp_simulator.data import EntryLayout
from timecamp_simulator.expenses import ExpenseBook
from timecamp_simulator.store import EntryStore
from timecamp_simulator.timesheets import Timesheets

# The objects an administrator can delete (`Simulator.delete_object`).
ObjectKind = Literal["user", "group", "task", "tag_list", "tag"]


@dataclass
class Account:
    """One simulated TimeCamp account, shared by the endpoint families that answer for it."""

    catalog: Catalog
    layout: EntryLayout
    store: EntryStore
    seed: int
    # Who is in which group now: an administrator may move users (`Simulator.move_user`).
    user_groups: dict[int, int] = field(init=False)
    timesheets: Timesheets = field(init=False)
    expenses: ExpenseBook = field(init=False)
    # Custom field values set since the account was built: (resource type, id, template) -> value.
    custom_field_values: dict[tuple[str, int, int], str | None] = field(default_factory=dict)
    # Values unassigned from a resource: (resource type, id, template); its answer leaves them out.
    custom_fields_unassigned: set[tuple[str, int, int]] = field(default_factory=set)
    # Templates an administrator removed: neither the template list nor any value names them.
    custom_field_templates_removed: set[int] = field(default_factory=set)
    # Computer activities removed: (user id, end_time, window_title_id); `/activity` skips them.
    activities_removed: set[tuple[int, str, int]] = field(default_factory=set)
    # Tasks modified since the account was built: task id -> `modify_time`.
    task_modified: dict[int, str] = field(default_factory=dict)
    # What an administrator deleted: no endpoint lists it any more. Entries keep their ids.
    deleted: set[tuple[ObjectKind, int]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.user_groups = {u.user_id: u.group_id for u in self.catalog.users}
        start, end = self.layout.start, self.layout.end
        self.timesheets = Timesheets(self.catalog, self.seed, start, end)
        self.expenses = ExpenseBook(self.catalog, self.seed, start, end, self.store.clock)

    def listed(self, kind: ObjectKind, object_id: int) -> bool:
        """Whether the endpoints still list this object (it was not deleted)."""
        return (kind, object_id) not in self.deleted
