"""The group scheduler endpoint: a group's weekly schedule as the spec's example shows it."""

from __future__ import annotations

import requests

from timecamp_simulator import Simulator, SimulatorServer


def schedule(api: requests.Session, server: SimulatorServer, group_id: int) -> requests.Response:
    return api.get(f"{server.base_url}/group/{group_id}/scheduler", timeout=10)


def test_a_schedule_is_a_list_of_events_with_string_values(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    events = schedule(api, server, sim.catalog.root_group_id).json()

    assert [e["day"] for e in events] == ["1", "2", "3", "4", "5"]
    assert set(events[0]) == {
        "event_id", "group_id", "start_time", "end_time", "day", "recurring", "type", "variant"
    }  # fmt: skip
    assert all(isinstance(value, str) for event in events for value in event.values())


def test_a_group_without_a_schedule_gives_an_empty_list(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    assert schedule(api, server, sim.catalog.groups[-1].group_id).json() == []


def test_an_unknown_group_is_refused_as_the_spec_shows(
    api: requests.Session, server: SimulatorServer
) -> None:
    answer = schedule(api, server, 1)

    assert answer.status_code == 403
    assert answer.json() == {"message": "You cannot see scheduler in this group"}
