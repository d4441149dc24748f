"""The attendance family: /attendance, /attendance/day_types and /approval."""

from __future__ import annotations

from datetime import date
from typing import Any

import requests

from tests.test_simulator_endpoints import get
from timecamp_simulator import Simulator, SimulatorServer


def test_attendance_lists_each_worked_day_of_the_range_with_string_values(
    api: requests.Session, server: SimulatorServer
) -> None:
    days = get(api, server, "/attendance", **{"from": "2026-03-02", "to": "2026-03-08"}).json()

    assert days
    assert {d["date"] for d in days} <= {f"2026-03-0{n}" for n in range(2, 7)}  # weekdays only
    assert all(isinstance(d["user_id"], str) and d["total_time"].isdigit() for d in days)
    assert all(isinstance(d["approved"], bool) for d in days)
    assert len({(d["user_id"], d["date"]) for d in days}) == len(days)


def test_attendance_without_from_or_to_is_refused(
    api: requests.Session, server: SimulatorServer
) -> None:
    answer = get(api, server, "/attendance", **{"from": "2026-03-02"})

    assert answer.status_code == 400


def test_attendance_of_given_users_holds_only_theirs(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    wanted = [str(u.user_id) for u in sim.catalog.users[:2]]

    days = get(
        api, server, "/attendance", **{"from": "2026-03-02", "to": "2026-03-06"},
        users=",".join(wanted),
    ).json()  # fmt: skip

    assert {d["user_id"] for d in days} == set(wanted)


def test_a_corrected_attendance_day_is_answered_corrected(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    one_day = {"from": "2026-03-02", "to": "2026-03-02"}
    day = get(api, server, "/attendance", **one_day).json()[0]

    sim.edit_attendance(int(day["user_id"]), date(2026, 3, 2), total_time="3600")

    corrected = get(api, server, "/attendance", **one_day, users=day["user_id"]).json()
    assert [d["total_time"] for d in corrected] == ["3600"]


def test_day_types_are_typed_objects_keyed_by_id_under_data(
    api: requests.Session, server: SimulatorServer
) -> None:
    data = get(api, server, "/attendance/day_types").json()["data"]

    assert all(str(value["id"]) == key for key, value in data.items())
    assert all(isinstance(value["isDayOff"], bool) for value in data.values())
    assert [value["slug"] for value in data.values() if value["isDefault"]] == ["normal"]


def approvals(api: requests.Session, server: SimulatorServer, **params: Any) -> list[Any]:
    return list(get(api, server, "/approval", **params).json())


def test_approvals_are_those_whose_period_overlaps_from_to(
    api: requests.Session, server: SimulatorServer
) -> None:
    found = approvals(api, server, **{"from": "2026-02-20", "to": "2026-03-05"})

    assert found
    assert {(a["from"], a["to"]) for a in found} == {
        ("2026-02-01", "2026-02-28"),
        ("2026-03-01", "2026-03-31"),
    }
    assert all(isinstance(a["id"], str) and isinstance(a["status"], str) for a in found)
    assert all("attendance" not in a for a in found)


def test_approvals_with_attendance_carry_each_days_expected_minutes_and_type(
    api: requests.Session, server: SimulatorServer
) -> None:
    found = approvals(
        api, server, **{"from": "2026-03-01", "to": "2026-03-31"}, with_attendance="1"
    )

    days = found[0]["attendance"]
    assert len(days) == 31
    assert days["2026-03-07"] == {"should_be": "0", "day_type": "normal"}  # a Saturday
    assert {day["day_type"] for day in days.values()} <= {
        "normal", "vacation", "sick_leave", "holiday",
    }  # fmt: skip


def test_an_approval_changed_after_the_fact_is_answered_with_its_new_status(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    january = {"from": "2026-01-01", "to": "2026-01-31"}
    first = approvals(api, server, **january)[0]

    sim.set_approval_status(int(first["id"]), 3)

    again = {a["id"]: a for a in approvals(api, server, **january)}[first["id"]]
    assert again["status"] == "3"
    assert again["by"] == str(sim.catalog.admin.user_id)


def test_attendance_days_of_an_approved_month_say_approved(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    january = {"from": "2026-01-01", "to": "2026-01-31"}
    approval = approvals(api, server, **january)[0]
    sim.set_approval_status(int(approval["id"]), 1)

    days = get(api, server, "/attendance", **january, users=approval["for"]).json()

    assert days
    assert all(day["approved"] is True for day in days)
