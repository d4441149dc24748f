"""The rate endpoints: rates on tasks, users and groups, and the internal rate types."""

from __future__ import annotations

from typing import Any

import requests

from timecamp_simulator import Simulator, SimulatorServer
from timecamp_simulator.endpoints.rates import BILLING_RATE_TYPE, COST_RATE_TYPE


def get(
    api: requests.Session, server: SimulatorServer, path: str, **params: Any
) -> requests.Response:
    return api.get(f"{server.base_url}{path}", params={"format": "json", **params}, timeout=10)


def ids(items: list[Any]) -> str:
    return ",".join(str(item) for item in items)


def test_user_rates_are_keyed_by_the_asked_ids_with_the_specs_fields(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    users = [u.user_id for u in sim.catalog.users]

    body = get(api, server, f"/user/{ids(users)}/rate").json()

    # The last user has no rate of their own: left out, as an unknown id is.
    assert set(body) == {str(uid) for uid in users[:-1]}
    rate = body[str(users[0])][0]
    assert set(rate) == {"rateId", "rateTypeId", "value", "refType", "addDate", "refId"}
    assert (rate["refType"], rate["refId"]) == ("user", str(users[0]))
    assert isinstance(rate["value"], str)
    assert isinstance(rate["rateTypeId"], int)


def test_a_cost_rate_is_lower_than_the_billing_rate_of_the_same_object(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    uid = sim.catalog.users[0].user_id

    rates = {
        r["rateTypeId"]: float(r["value"])
        for r in get(api, server, f"/user/{uid}/rate").json()[str(uid)]
    }

    assert rates[COST_RATE_TYPE] < rates[BILLING_RATE_TYPE]


def test_rate_id_keeps_only_the_asked_rate_types(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    root = sim.catalog.root_group_id

    body = get(api, server, f"/group/{root}/rate", rate_id=str(COST_RATE_TYPE)).json()

    assert [r["rateTypeId"] for r in body[str(root)]] == [COST_RATE_TYPE]


def test_task_rates_are_set_on_some_tasks_only(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    tasks = [t.task_id for t in sim.catalog.tasks]

    body = get(api, server, f"/task/{ids(tasks)}/rate").json()

    assert 0 < len(body) < len(tasks)
    assert all(r["refType"] == "task" for rates in body.values() for r in rates)


def test_ids_without_rates_give_an_empty_list(
    api: requests.Session, server: SimulatorServer
) -> None:
    assert get(api, server, "/task/1,2/rate").json() == []


def test_rate_types_are_served_from_the_site_root_and_say_which_is_a_cost(
    api: requests.Session, server: SimulatorServer
) -> None:
    body = api.get(f"{server.root_url}/internal/api/rate_type", timeout=10).json()

    assert {(t["rateTypeId"], t["isCost"]) for t in body} == {
        (BILLING_RATE_TYPE, False),
        (COST_RATE_TYPE, True),
    }
    assert get(api, server, "/internal/api/rate_type").status_code == 404
