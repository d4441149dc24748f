"""The knobs the tap's incremental contract is tested with: TimeCamp's clock in `Date`,
future-dated entries, skewed stamps, deletions without a stamp, restored entries, 200s of
the wrong shape and activities that cross midnight."""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime, timedelta

import requests

from tests.conftest import NOW
from timecamp_simulator import Fault, Simulator, SimulatorServer


def entries_modified_on(api: requests.Session, server: SimulatorServer, day: str) -> list[dict]:
    url = f"{server.base_url}/entries"
    return api.get(url, params={"modify_from": day, "modify_to": day}, timeout=30).json()


def deletions_on(api: requests.Session, server: SimulatorServer, day: str) -> list[dict]:
    url = f"{server.base_url}/entries_deletions"
    return api.get(url, params={"from": day, "to": day}, timeout=30).json()


def test_date_header_is_the_simulated_clock_in_gmt(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.advance_clock(timedelta(days=3, hours=2))
    header = api.get(f"{server.base_url}/me", timeout=10).headers["Date"]
    assert header.endswith(" GMT")
    # NOW is Warsaw summer time (UTC+2) after the March change: 15:00 + 2 h local is 15:00 UTC.
    assert email.utils.parsedate_to_datetime(header) == datetime(2026, 4, 3, 15, 0, tzinfo=UTC)


def test_date_header_is_sent_with_errors_and_control_answers_too(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/users", status=503, count=1))
    failed = api.get(f"{server.base_url}/users", timeout=10)
    control = requests.get(f"{server.root_url}/_simulator/clock", timeout=10)
    expected = datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
    for response in (failed, control):
        assert email.utils.parsedate_to_datetime(response.headers["Date"]) == expected


def test_a_future_dated_entry_is_served_by_entry_date_and_by_modification_date(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    added = sim.add_entry(entry_date=date(2026, 4, 9), description="booked ahead")
    assert added["last_modify"] == "2026-03-31 15:00:00"
    url = f"{server.base_url}/entries"
    by_date = api.get(url, params={"from": "2026-04-09", "to": "2026-04-09"}, timeout=10).json()
    assert [e["id"] for e in by_date] == [added["id"]]
    assert added["id"] in {e["id"] for e in entries_modified_on(api, server, "2026-03-31")}


def test_edit_can_stamp_a_last_modify_ahead_of_the_clock(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entry = next(sim.all_entries())
    edited = sim.edit_entry(entry["id"], description="skewed", last_modify="2026-04-05 08:00:00")
    assert edited["last_modify"] == "2026-04-05 08:00:00"
    assert entry["id"] in {e["id"] for e in entries_modified_on(api, server, "2026-04-05")}


def test_control_edit_can_stamp_last_modify(server: SimulatorServer, sim: Simulator) -> None:
    entry = next(sim.all_entries())
    requests.post(
        f"{server.root_url}/_simulator/entries/{entry['id']}",
        json={"last_modify": "2026-04-02 10:00:00"},
        timeout=10,
    ).raise_for_status()
    assert sim.get_entry(entry["id"])["last_modify"] == "2026-04-02 10:00:00"  # type: ignore[index]


def test_deletion_edited_defaults_to_the_deletion_time(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entry = next(sim.all_entries())
    sim.delete_entry(entry["id"])
    [deletion] = deletions_on(api, server, "2026-03-31")
    assert deletion["entry_id"] == str(entry["id"])
    assert deletion["edited"] == "2026-03-31 15:00:00"


def test_a_deletion_can_have_no_usable_edited_stamp(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    first, second = list(sim.all_entries())[:2]
    sim.delete_entry(first["id"], edited=None)
    sim.delete_entry(second["id"], edited="0000-00-00 00:00:00")
    found = {d["entry_id"]: d["edited"] for d in deletions_on(api, server, "2026-03-31")}
    assert found == {str(first["id"]): None, str(second["id"]): "0000-00-00 00:00:00"}


def test_control_delete_takes_an_edited_stamp(server: SimulatorServer, sim: Simulator) -> None:
    entry = next(sim.all_entries())
    url = f"{server.root_url}/_simulator/entries/{entry['id']}"
    requests.delete(url, json={"edited": None}, timeout=10).raise_for_status()
    assert sim.get_entry(entry["id"]) is None
    [deletion] = sim.store.deletions(NOW.date(), NOW.date())
    assert deletion.edited is None


def test_a_restored_entry_is_newer_than_its_deletion_which_stays_listed(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entry = next(sim.all_entries())
    sim.delete_entry(entry["id"])
    sim.advance_clock(timedelta(minutes=5))
    restored = sim.restore_entry(entry["id"])
    assert restored["last_modify"] == "2026-03-31 15:05:00"
    assert sim.get_entry(entry["id"]) == restored
    assert entry["id"] in {e["id"] for e in entries_modified_on(api, server, "2026-03-31")}
    [deletion] = deletions_on(api, server, "2026-03-31")
    assert deletion["edited"] == "2026-03-31 15:00:00"


def test_control_restores_an_entry(server: SimulatorServer, sim: Simulator) -> None:
    entry = next(sim.all_entries())
    sim.delete_entry(entry["id"])
    url = f"{server.root_url}/_simulator/entries/{entry['id']}/restore"
    assert requests.post(url, timeout=10).json()["id"] == entry["id"]
    assert sim.get_entry(entry["id"]) is not None


def test_shape_fault_is_a_200_with_json_of_the_wrong_shape(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/users", kind="shape", count=1))
    sim.add_fault(Fault(path="/entries", kind="shape", body=[1, "x"], count=1))
    users = api.get(f"{server.base_url}/users", timeout=10)
    entries = api.get(
        f"{server.base_url}/entries", params={"from": "2026-03-01", "to": "2026-03-01"}, timeout=10
    )
    assert (users.status_code, users.json()) == (200, {"message": "Internal error"})
    assert (entries.status_code, entries.json()) == (200, [1, "x"])


def test_days_crossing_midnight_are_found_and_filed_under_their_start_day(sim: Simulator) -> None:
    user = sim.catalog.users[0].user_id
    days = sim.days_crossing_midnight(user, date(2026, 1, 1), date(2026, 3, 31))
    assert days
    late = sim.computer_activities(user, days[0])
    assert {a["end_time"][:10] for a in late} >= {(days[0] + timedelta(days=1)).isoformat()}


def test_skip_lets_the_first_matching_requests_through(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/me", kind="redirect", skip=2, count=1))
    statuses = [
        api.get(f"{server.base_url}/me", timeout=10, allow_redirects=False).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 302, 200]
