"""The reference-data endpoints: people, groups, tasks, tags, activity, applications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from tests.conftest import END, NOW, START
from timecamp_simulator import DEFAULT_TOKEN, Simulator, SimulatorServer


def get(
    api: requests.Session, server: SimulatorServer, path: str, **params: Any
) -> requests.Response:
    return api.get(f"{server.base_url}{path}", params={"format": "json", **params}, timeout=10)


def test_users_have_string_ids_a_disabled_user_a_null_name_and_unset_times(
    api: requests.Session, server: SimulatorServer
) -> None:
    users = get(api, server, "/users").json()
    assert len(users) == 8
    assert all(isinstance(u["user_id"], str) and isinstance(u["group_id"], str) for u in users)
    assert any(u["display_name"] is None for u in users)
    assert any(u["login_time"] == "1970-01-01 01:00:00" for u in users)
    settings = get(
        api,
        server,
        f"/user/{','.join(u['user_id'] for u in users)}/setting",
        **{"name[]": "disabled_user"},
    )
    disabled = [
        uid
        for uid, rows in settings.json().items()
        if {"name": "disabled_user", "value": "1"} in rows
    ]
    assert disabled == [users[-1]["user_id"]]


def test_user_by_one_id_is_an_object_with_details(
    api: requests.Session, server: SimulatorServer
) -> None:
    user = get(api, server, "/user/1201002").json()
    assert isinstance(user, dict)
    assert isinstance(user["time_zone"], int)
    assert {"language", "root_group_id", "primary_group_id"} <= set(user)


def test_user_by_several_ids_is_a_list(api: requests.Session, server: SimulatorServer) -> None:
    users = get(api, server, "/user", user_id="1201001,1201002").json()
    assert [u["user_id"] for u in users] == ["1201001", "1201002"]


def test_group_tree_has_a_root_with_parent_zero_and_three_plus_levels(
    api: requests.Session, server: SimulatorServer
) -> None:
    groups = {g["group_id"]: g for g in get(api, server, "/group").json()}
    roots = [g for g in groups.values() if g["parent_id"] == "0"]
    assert len(roots) == 1

    def depth(group_id: str) -> int:
        parent = groups[group_id]["parent_id"]
        return 1 if parent == "0" else 1 + depth(parent)

    assert max(depth(gid) for gid in groups) >= 3


def test_group_users_leak_password_hashes_and_activation_codes(
    api: requests.Session, server: SimulatorServer
) -> None:
    members = get(api, server, "/group/310001/user").json()
    assert members
    assert members[0]["password"].startswith("$2y$")
    assert members[0]["activation_code"]


def test_move_user_changes_group_in_users_and_user_details(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.move_user(1201002, 310006)
    users = {u["user_id"]: u for u in get(api, server, "/users").json()}
    assert users["1201002"]["group_id"] == "310006"
    assert get(api, server, "/user/1201002").json()["primary_group_id"] == "310006"


def test_tasks_is_a_dict_without_archived_tasks_by_default(
    api: requests.Session, server: SimulatorServer
) -> None:
    active = get(api, server, "/tasks").json()
    everything = get(api, server, "/tasks", status="all").json()
    assert isinstance(everything, dict)
    assert set(active) < set(everything)
    archived = [t for t in everything.values() if str(t["archived"]) == "1"]
    assert archived
    assert not any(str(t["archived"]) == "1" for t in active.values())


def test_task_tree_is_deep_with_projects_at_parent_zero_and_mixed_types(
    api: requests.Session, server: SimulatorServer
) -> None:
    tasks = get(api, server, "/tasks", status="all").json()
    assert any(str(t["parent_id"]) == "0" for t in tasks.values())
    assert max(int(t["level"]) for t in tasks.values()) >= 4
    assert {type(t["task_id"]) for t in tasks.values()} == {int, str}


def test_old_entries_point_at_archived_tasks(sim: Simulator) -> None:
    archived = {str(t.task_id) for t in sim.catalog.tasks if t.archived}
    assert any(e["task_id"] in archived for e in sim.all_entries())


def test_tasks_filtered_to_nothing_is_an_empty_list(
    api: requests.Session, server: SimulatorServer
) -> None:
    assert get(api, server, "/tasks", task_ids="1").json() == []


def test_tag_lists_hide_archived_lists_and_tags_unless_asked(
    api: requests.Session, server: SimulatorServer
) -> None:
    everything = get(api, server, "/tag_list", tags="1", archived="1").json()
    current = get(api, server, "/tag_list", tags="1").json()
    assert set(current) < set(everything)
    nested = next(iter(everything.values()))["tags"]
    assert isinstance(nested, dict)
    assert {"id", "name", "archived"} <= set(next(iter(nested.values())))
    all_tags = [t for tl in everything.values() for t in tl["tags"].values()]
    shown_tags = [t for tl in current.values() for t in tl["tags"].values()]
    assert any(t["archived"] == "1" for t in all_tags)
    assert not any(t["archived"] == "1" for t in shown_tags)


def test_tag_lists_are_an_empty_list_for_an_account_without_tags() -> None:
    sim = Simulator(seed=1, entries=100, start_date=START, end_date=END, now=NOW, tag_lists=0)
    with sim.serve() as server:
        response = requests.get(
            f"{server.base_url}/tag_list", params={"format": "json", "tags": "1"},
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}, timeout=10,
        )  # fmt: skip
    assert response.json() == []


def test_activity_accepts_at_most_twenty_dates(
    api: requests.Session, server: SimulatorServer
) -> None:
    dates = [f"2026-02-{d:02d}" for d in range(1, 22)]
    response = get(api, server, "/activity", **{"dates[]": dates, "user_id": "1201001"})
    assert response.status_code == 400
    assert "message" in response.json()


def test_activity_records_can_fall_outside_the_asked_dates(
    api: requests.Session, server: SimulatorServer
) -> None:
    # Every third day, so a record spilling into the next day is outside the asked set.
    dates = [(START + timedelta(days=3 * k)).isoformat() for k in range(20)]
    records = get(
        api,
        server,
        "/activity",
        **{"dates[]": dates, "user_id": "1201001", "include": "window_title"},
    ).json()
    assert records
    assert {
        "user_id",
        "application_id",
        "window_title_id",
        "end_time",
        "time_span",
        "window_title",
    } <= set(records[0])
    assert any(r["end_time"][:10] not in dates for r in records)
    assert {r["user_id"] for r in records} == {"1201001"}


def test_applications_are_a_dict_with_categories_0_to_18(
    api: requests.Session, server: SimulatorServer
) -> None:
    apps = get(
        api, server, "/application", application_ids=",".join(str(i) for i in range(1, 30))
    ).json()
    assert isinstance(apps, dict)
    sample = next(iter(apps.values()))
    assert set(sample) == {
        "application_id",
        "app_name",
        "aditional_info",
        "full_name",
        "category_id",
    }
    assert {int(a["category_id"]) for a in apps.values()} == set(range(19))


def test_unknown_applications_give_an_empty_list(
    api: requests.Session, server: SimulatorServer
) -> None:
    assert get(api, server, "/application", application_ids="9999").json() == []


def test_entry_tags_without_any_tag_is_a_bare_json_string(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    added = sim.add_entry(description="untagged")
    response = get(api, server, f"/entries/{added['id']}/tags")
    assert response.json() == "Empty tags"


def test_unknown_path_is_404_with_message(api: requests.Session, server: SimulatorServer) -> None:
    response = get(api, server, "/no_such_thing")
    assert response.status_code == 404
    assert "message" in response.json()


def test_me_is_the_token_owner(api: requests.Session, server: SimulatorServer) -> None:
    me = get(api, server, "/me").json()
    assert me["user_id"] == "1201001"
    assert me["root_group_id"] == "310001"
