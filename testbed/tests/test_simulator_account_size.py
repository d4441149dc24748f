"""A priced account's size: the built-in trees padded to at least the tasks and groups asked for."""

from __future__ import annotations

from tests.conftest import NOW
from timecamp_simulator import Simulator


def test_tasks_and_groups_are_padded_to_the_size_asked_for() -> None:
    sim = Simulator(seed=3, entries=100, users=40, tasks=500, groups=20)

    assert (len(sim.catalog.tasks), len(sim.catalog.groups)) == (500, 20)
    task_ids = [task.task_id for task in sim.catalog.tasks]
    group_ids = [group.group_id for group in sim.catalog.groups]
    assert len(set(task_ids)) == len(task_ids)
    assert len(set(group_ids)) == len(group_ids)


def test_padded_trees_hang_together() -> None:
    sim = Simulator(seed=3, entries=100, tasks=300, groups=30)

    tasks = sim.catalog.task_by_id
    assert all(t.parent_id == 0 or t.parent_id in tasks for t in sim.catalog.tasks)
    assert all(
        tasks[t.project_id].parent_id == 0 and t.path[0] == tasks[t.project_id].name
        for t in sim.catalog.tasks
    )
    groups = {g.group_id for g in sim.catalog.groups}
    roots = [g for g in sim.catalog.groups if g.parent_id == 0]
    assert len(roots) == 1
    assert all(g.parent_id in groups for g in sim.catalog.groups if g.parent_id)


def test_users_spread_over_the_padded_groups() -> None:
    sim = Simulator(seed=3, entries=100, users=60, groups=20)

    assert len({user.group_id for user in sim.catalog.users}) == 20


def test_without_a_size_the_account_is_the_built_in_one() -> None:
    small = Simulator(seed=3, entries=100, now=NOW)
    asked_less = Simulator(seed=3, entries=100, now=NOW, tasks=1, groups=1)

    assert small.catalog.tasks == asked_less.catalog.tasks
    assert small.catalog.groups == asked_less.catalog.groups
    assert (len(small.catalog.tasks), len(small.catalog.groups)) == (25, 7)
