"""Deleting users, groups, tasks, tag lists and tags: the endpoints stop listing them."""

from __future__ import annotations

import pytest
import requests

from timecamp_simulator import Simulator, SimulatorServer


def get(
    api: requests.Session, server: SimulatorServer, path: str, **params: str
) -> requests.Response:
    response = api.get(f"{server.base_url}{path}", params=params, timeout=10)
    response.raise_for_status()
    return response


def test_a_deleted_user_leaves_users_their_group_and_their_details(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    user = sim.catalog.users[1]
    group_id = sim.account.user_groups[user.user_id]

    sim.delete_object("user", user.user_id)

    assert str(user.user_id) not in {u["user_id"] for u in get(api, server, "/users").json()}
    members = get(api, server, f"/group/{group_id}/user").json()
    assert str(user.user_id) not in {u["user_id"] for u in members}
    gone = api.get(f"{server.base_url}/user/{user.user_id}", timeout=10)
    assert gone.status_code == 404


def test_a_deleted_group_goes_with_its_subgroups(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    parent = next(
        g
        for g in sim.catalog.groups
        if any(c.parent_id == g.group_id for c in sim.catalog.groups) and g.parent_id
    )
    subgroups = {g.group_id for g in sim.catalog.groups if g.parent_id == parent.group_id}

    deleted = sim.delete_object("group", parent.group_id)

    listed = {int(g["group_id"]) for g in get(api, server, "/group").json()}
    assert set(deleted) >= {parent.group_id, *subgroups}
    assert not listed & set(deleted)
    assert listed == {g.group_id for g in sim.catalog.groups} - set(deleted)


def test_a_deleted_task_goes_with_its_subtasks_archived_or_not(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    project = next(t for t in sim.catalog.tasks if t.parent_id == 0)
    subtasks = {t.task_id for t in sim.catalog.tasks if t.parent_id == project.task_id}

    deleted = sim.delete_object("task", project.task_id)

    listed = {int(task_id) for task_id in get(api, server, "/tasks", status="all").json()}
    assert subtasks
    assert set(deleted) >= {project.task_id, *subtasks}
    assert listed == set(sim.catalog.task_by_id) - set(deleted)


def test_a_deleted_tag_list_leaves_tag_list_and_a_deleted_tag_leaves_its_list(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    first, second = sim.catalog.tag_lists[:2]
    tag = second.tags[0]

    sim.delete_object("tag_list", first.list_id)
    sim.delete_object("tag", tag.tag_id)

    lists = get(api, server, "/tag_list", tags="1", archived="1").json()
    assert str(first.list_id) not in lists
    assert str(tag.tag_id) not in lists[str(second.list_id)]["tags"]
    assert {str(t.tag_id) for t in second.tags[1:]} <= set(lists[str(second.list_id)]["tags"])


def test_deleting_an_unknown_object_is_refused(sim: Simulator) -> None:
    with pytest.raises(KeyError, match="no task 999"):
        sim.delete_object("task", 999)


def test_the_control_api_deletes_an_object(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    tag_list = sim.catalog.tag_lists[0]

    answer = requests.delete(
        f"{server.root_url}/_simulator/tag_lists/{tag_list.list_id}", timeout=10
    )

    assert answer.json() == {"kind": "tag_list", "deleted": [tag_list.list_id]}
    assert str(tag_list.list_id) not in get(api, server, "/tag_list").json()
