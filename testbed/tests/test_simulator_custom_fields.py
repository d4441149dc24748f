"""The custom field endpoints (v3): the template list and each resource's values."""

from __future__ import annotations

import requests

from timecamp_simulator import Simulator, SimulatorServer
from timecamp_simulator.endpoints.custom_fields import TEMPLATES


def get(api: requests.Session, server: SimulatorServer, path: str) -> requests.Response:
    return api.get(f"{server.base_url}{path}", timeout=10)


def user_values(api: requests.Session, server: SimulatorServer, user_id: int) -> requests.Response:
    return get(api, server, f"/v3/custom-fields/values/resource/{user_id}/type/user")


def test_the_template_list_is_the_active_templates_under_data(
    api: requests.Session, server: SimulatorServer
) -> None:
    body = get(api, server, "/v3/custom-fields/template/list").json()

    assert [t["id"] for t in body["data"]] == [t.template_id for t in TEMPLATES if t.active]
    assert set(body["data"][0]) == {
        "id", "name", "resourceType", "required", "status", "fieldType", "defaultValue",
        "fieldOptions",
    }  # fmt: skip


def test_a_resource_has_one_value_per_template_of_its_type_required_ones_defaulted(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    unset = sim.catalog.users[1].user_id  # an odd index: no seeded priority

    data = user_values(api, server, unset).json()["data"]

    assert [item["templateId"] for item in data] == [15, 16]
    assert data[0]["value"] == data[0]["defaultValue"] == "Medium"


def test_a_value_set_and_cleared_is_answered_and_a_task_change_moves_modify_time(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    task = sim.catalog.tasks[1]
    sim.set_custom_field_value("task", task.task_id, 21, "CC-1")
    sim.set_custom_field_value("user", sim.catalog.users[0].user_id, 16, None)

    task_values = get(api, server, f"/v3/custom-fields/values/resource/{task.task_id}/type/task")
    tasks = get(api, server, "/tasks?status=all").json()

    assert task_values.json()["data"][0]["value"] == "CC-1"
    assert user_values(api, server, sim.catalog.users[0].user_id).json()["data"][1]["value"] is None
    assert tasks[str(task.task_id)]["modify_time"] == f"{sim.now:%Y-%m-%d %H:%M:%S}"


def test_an_unknown_resource_is_404_and_an_unknown_type_400(
    api: requests.Session, server: SimulatorServer
) -> None:
    assert user_values(api, server, 1).status_code == 404
    assert get(api, server, "/v3/custom-fields/values/resource/1/type/client").status_code == 400


def test_a_removed_template_leaves_the_list_and_every_resources_values(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    user = sim.catalog.users[0].user_id

    sim.remove_custom_field_template(15)

    templates = get(api, server, "/v3/custom-fields/template/list").json()["data"]
    assert 15 not in {t["id"] for t in templates}
    assert [item["templateId"] for item in user_values(api, server, user).json()["data"]] == [16]
