"""The request log and the /_simulator HTTP control plane."""

from __future__ import annotations

import json
from datetime import timedelta

import requests

from tests.conftest import NOW, START
from timecamp_simulator import DEFAULT_TOKEN, Simulator, SimulatorServer


def test_request_log_records_path_params_and_masked_token(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    api.get(
        f"{server.base_url}/entries", params={"from": "2026-01-01", "to": "2026-01-02"}, timeout=10
    )
    [recorded] = sim.requests
    assert recorded.method == "GET"
    assert recorded.path == "/entries"
    assert recorded.params["from"] == ["2026-01-01"]
    assert recorded.headers["Authorization"] == "Bearer ***"
    assert DEFAULT_TOKEN not in repr(recorded)


def test_request_log_masks_a_legacy_token_in_the_query(
    server: SimulatorServer, sim: Simulator
) -> None:
    requests.get(f"{server.base_url}/me", params={"api_token": DEFAULT_TOKEN}, timeout=10)
    assert sim.requests[0].params["api_token"] == ["***"]


def test_clear_requests_empties_the_log(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    api.get(f"{server.base_url}/me", timeout=10)
    sim.clear_requests()
    assert sim.requests == []


def test_control_requests_are_not_logged_and_need_no_token(
    server: SimulatorServer, sim: Simulator
) -> None:
    response = requests.get(f"{server.root_url}/_simulator/requests", timeout=10)
    assert response.status_code == 200
    assert response.json() == []
    assert sim.requests == []


def test_control_edit_add_delete_round_trip(server: SimulatorServer, sim: Simulator) -> None:
    control = f"{server.root_url}/_simulator"
    entry = next(sim.all_entries())
    edited = requests.post(
        f"{control}/entries/{entry['id']}", json={"description": "via http"}, timeout=10
    ).json()
    assert edited["description"] == "via http"
    assert sim.get_entry(entry["id"]) == edited
    added = requests.post(
        f"{control}/entries", json={"entry_date": "2026-02-01", "duration": 60}, timeout=10
    )
    assert added.status_code == 201
    assert sim.get_entry(added.json()["id"]) == added.json()
    assert requests.delete(f"{control}/entries/{entry['id']}", timeout=10).status_code == 200
    assert sim.get_entry(entry["id"]) is None
    assert requests.get(f"{control}/entries/{entry['id']}", timeout=10).status_code == 404


def test_control_clock_and_timer_stop(server: SimulatorServer, sim: Simulator) -> None:
    control = f"{server.root_url}/_simulator"
    now = requests.post(f"{control}/clock", json={"advance_seconds": 3600}, timeout=10).json()[
        "now"
    ]
    assert now == (NOW + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    timers = requests.get(f"{control}/timers", timeout=10).json()
    stopped = requests.post(f"{control}/timers/{timers[0]['id']}/stop", timeout=10).json()
    assert stopped["last_modify"] == now
    assert len(sim.running_timers()) == len(timers) - 1


def test_control_faults_and_auth_mode(server: SimulatorServer, sim: Simulator) -> None:
    control = f"{server.root_url}/_simulator"
    fault = {"path": "/me", "kind": "status", "status": 429, "retry_after": 1, "count": 1}
    assert requests.post(f"{control}/faults", json=fault, timeout=10).status_code == 201
    assert requests.get(f"{control}/faults", timeout=10).json()[0]["status"] == 429
    assert requests.delete(f"{control}/faults", timeout=10).json() == {"cleared": True}
    assert sim.faults.active() == []
    requests.post(f"{control}/auth", json={"mode": "401"}, timeout=10)
    assert requests.get(f"{server.base_url}/me", timeout=10).status_code == 401


def test_control_rejects_a_bad_fault_with_400(server: SimulatorServer) -> None:
    response = requests.post(
        f"{server.root_url}/_simulator/faults", json={"kind": "explode"}, timeout=10
    )
    assert response.status_code == 400
    assert "message" in response.json()


def test_control_truth_streams_json_lines(server: SimulatorServer, sim: Simulator) -> None:
    response = requests.get(f"{server.root_url}/_simulator/truth", timeout=30)
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == list(sim.all_entries())


def test_control_moves_a_user(server: SimulatorServer, sim: Simulator) -> None:
    requests.post(
        f"{server.root_url}/_simulator/users/1201003/group", json={"group_id": 310007}, timeout=10
    )
    assert sim.api.user_groups[1201003] == 310007


def test_control_request_log_over_http(api: requests.Session, server: SimulatorServer) -> None:
    api.get(f"{server.base_url}/me", timeout=10)
    logged = requests.get(f"{server.root_url}/_simulator/requests", timeout=10).json()
    assert logged[0]["path"] == "/me"
    assert logged[0]["headers"]["Authorization"] == "Bearer ***"
    requests.delete(f"{server.root_url}/_simulator/requests", timeout=10)
    assert requests.get(f"{server.root_url}/_simulator/requests", timeout=10).json() == []


def test_control_changes_an_approval_an_attendance_day_and_an_expense(
    server: SimulatorServer, sim: Simulator
) -> None:
    control = f"{server.root_url}/_simulator"
    approval = sim.account.timesheets.approvals[0]
    user = sim.catalog.users[0].user_id
    expense_id = next(iter(sim.account.expenses.expenses))

    answers = [
        requests.post(
            f"{control}/approvals/{approval.approval_id}", json={"status": 3}, timeout=10
        ),
        requests.post(
            f"{control}/attendance/{user}/2026-03-02", json={"total_time": "60"}, timeout=10
        ),
        requests.post(f"{control}/expenses/{expense_id}", json={"amount": 7}, timeout=10),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sim.account.timesheets.status(approval) == 3
    assert answers[1].json()["total_time"] == "60"
    assert sim.account.expenses.expenses[expense_id]["amount"] == 7


def test_control_removes_an_approval_and_an_attendance_day_from_the_answers(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    control = f"{server.root_url}/_simulator"
    approval = sim.account.timesheets.approvals[0]
    user = sim.account.timesheets.users[0].user_id
    days = {"from": "2026-01-01", "to": "2026-03-31"}

    removed = [
        requests.delete(f"{control}/approvals/{approval.approval_id}", timeout=10),
        requests.delete(f"{control}/attendance/{user}/2026-03-02", timeout=10),
    ]

    assert [r.status_code for r in removed] == [200, 200]
    approvals = api.get(f"{server.base_url}/approval", params=days, timeout=10).json()
    assert str(approval.approval_id) not in {a["id"] for a in approvals}
    attendance = api.get(f"{server.base_url}/attendance", params=days, timeout=10).json()
    assert (str(user), "2026-03-02") not in {(d["user_id"], d["date"]) for d in attendance}
    assert requests.delete(f"{control}/attendance/{user}/2026-03-02", timeout=10).status_code == 404


def test_control_refuses_to_correct_a_day_not_worked(
    server: SimulatorServer, sim: Simulator
) -> None:
    user = sim.catalog.users[0].user_id

    saturday = requests.post(
        f"{server.root_url}/_simulator/attendance/{user}/2026-03-07", json={}, timeout=10
    )

    assert saturday.status_code == 404


def test_control_removes_an_activity_and_unassigns_a_custom_field(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    control = f"{server.root_url}/_simulator"
    user = next(u.user_id for u in sim.catalog.users if not u.disabled and u.user_id % 4 != 3)
    day = START + timedelta(days=2)
    gone = sim.computer_activities(user, day)[0]
    key = {"end_time": gone["end_time"], "window_title_id": int(gone["window_title_id"])}

    answers = [
        requests.delete(f"{control}/activities/{user}", json=key, timeout=10),
        requests.delete(f"{control}/custom-fields/user/{user}/16", timeout=10),
    ]

    assert [a.status_code for a in answers] == [200, 200]
    activities = api.get(
        f"{server.base_url}/activity",
        params={"user_id": user, "dates[]": [day.isoformat()]},
        timeout=10,
    ).json()
    assert (gone["end_time"], gone["window_title_id"]) not in {
        (a["end_time"], a["window_title_id"]) for a in activities
    }
    values = api.get(
        f"{server.base_url}/v3/custom-fields/values/resource/{user}/type/user", timeout=10
    ).json()["data"]
    assert [v["templateId"] for v in values] == [15]
    again = requests.delete(f"{control}/activities/{user}", json=key, timeout=10)
    assert again.status_code == 404
