"""attendance, attendance_day_types and approvals, read in process from the simulator."""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t

import pytest

from tap_timecamp.streams.approvals import ApprovalsStream
from tests.running import selecting, sync_here
from tests.simulated import END, START, tap_config
from timecamp_simulator import Fault


def run(url: str, streams: t.Collection[str], state: t.Any = None, **settings: t.Any) -> t.Any:
    config = tap_config(url, **settings)
    done = sync_here(config, catalog=selecting(config, streams), state=state)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def asked(sim: t.Any, path: str) -> list[dict[str, list[str]]]:
    return [r.params for r in sim.requests if r.path == path]


def worked_days(sim: t.Any) -> set[tuple[int, str]]:
    """Every (user, day) the simulator says was worked in START..END."""
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    timesheets = sim.account.timesheets
    return {
        (user.user_id, day.isoformat())
        for user in timesheets.users
        for day in days
        if timesheets.attendance(user, day) is not None
    }


def test_attendance_is_every_worked_day_once_keyed_by_user_and_day(timecamp):
    sim, server = timecamp

    records = run(server.base_url, ["attendance"]).records("attendance")

    keys = [(r["user_id"], r["date"]) for r in records]
    assert len(keys) == len(set(keys))
    assert set(keys) == worked_days(sim)
    assert all(isinstance(r["total_time"], int) for r in records)
    assert all(isinstance(r["approved"], bool) for r in records)


def test_attendance_asks_windows_of_at_most_31_days_covering_the_range(timecamp):
    sim, server = timecamp

    run(server.base_url, ["attendance"])

    # Sorted: windows in flight together arrive in any order.
    windows = sorted((p["from"][0], p["to"][0]) for p in asked(sim, "/attendance"))
    assert windows[0][0] == START.isoformat()
    assert windows[-1][1] == END.isoformat()
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert dt.date.fromisoformat(start) == dt.date.fromisoformat(end) + dt.timedelta(days=1)
    spans = [dt.date.fromisoformat(b) - dt.date.fromisoformat(a) for a, b in windows]
    assert max(spans) < dt.timedelta(days=31)


def test_attendance_of_user_ids_asks_for_them_and_keeps_only_theirs(timecamp):
    sim, server = timecamp
    wanted = [user.user_id for user in sim.catalog.users[:2]]

    records = run(server.base_url, ["attendance"], user_ids=wanted).records("attendance")

    assert {p["users"][0] for p in asked(sim, "/attendance")} == {",".join(map(str, wanted))}
    assert {r["user_id"] for r in records} == set(wanted)


def test_attendance_bookmarks_the_last_day_read(timecamp):
    _, server = timecamp

    done = run(server.base_url, ["attendance"])

    bookmark = done.last_state["bookmarks"]["attendance"]
    assert bookmark["replication_key_value"] == max(r["date"] for r in done.records("attendance"))


def test_a_later_run_reads_attendance_again_from_the_lookback_and_catches_a_correction(timecamp):
    sim, server = timecamp
    first = run(server.base_url, ["attendance"])
    corrected = next(r for r in first.records("attendance") if r["date"] == "2026-03-10")
    sim.edit_attendance(corrected["user_id"], dt.date(2026, 3, 10), total_time="3600")
    sim.clear_requests()

    later = run(
        server.base_url, ["attendance"], state=first.last_state, attendance_lookback_days=25
    )

    # The last run started on 2026-04-01: 25 days before it.
    assert asked(sim, "/attendance")[0]["from"] == ["2026-03-07"]
    again = [r for r in later.records("attendance") if r["user_id"] == corrected["user_id"]]
    assert {r["date"]: r["total_time"] for r in again}["2026-03-10"] == 3600


def test_day_types_are_read_whole_with_their_flags(timecamp):
    _, server = timecamp

    records = run(server.base_url, ["attendance_day_types"]).records("attendance_day_types")

    assert {r["slug"] for r in records} >= {"normal", "vacation", "holiday"}
    assert all(isinstance(r["day_type_id"], int) for r in records)
    assert [r["slug"] for r in records if r["is_default"]] == ["normal"]
    assert all(isinstance(r["color"], str) for r in records)


def approvals_of(done: t.Any) -> dict[int, dict[str, t.Any]]:
    return {r["approval_id"]: r for r in done.records("approvals")}


def test_approvals_ask_with_attendance_and_are_typed(timecamp):
    sim, server = timecamp

    records = run(server.base_url, ["approvals"]).records("approvals")

    assert {p["with_attendance"][0] for p in asked(sim, "/approval")} == {"1"}
    assert len(records) == len(sim.account.timesheets.approvals)
    assert all(r["status_name"] in {"open", "approved", "pending", "rejected"} for r in records)
    assert all(r["approver_id"] is None for r in records if r["status"] in {0, 2})
    january = next(r for r in records if r["from_date"] == "2026-01-01")
    assert len(january["attendance"]) == 31
    assert {day["should_be"] for day in january["attendance"]} == {0, 480}


def test_an_approval_whose_period_spans_two_windows_is_sent_once(timecamp, monkeypatch):
    sim, server = timecamp
    monkeypatch.setattr(ApprovalsStream, "window_days", 20)

    records = run(server.base_url, ["approvals"]).records("approvals")

    assert len(asked(sim, "/approval")) > 3
    assert len(records) == len({r["approval_id"] for r in records})
    assert len(records) == len(sim.account.timesheets.approvals)


@pytest.mark.parametrize(("lookback", "caught"), [(62, True), (0, False)])
def test_a_later_run_rereads_approvals_over_the_lookback(timecamp, lookback, caught):
    sim, server = timecamp
    first = run(server.base_url, ["approvals"])
    january = next(r for r in first.records("approvals") if r["from_date"] == "2026-01-01")
    sim.set_approval_status(january["approval_id"], 0 if january["status"] else 1)

    later = run(
        server.base_url, ["approvals"], state=first.last_state, approvals_lookback_days=lookback
    )

    assert first.last_state["bookmarks"]["approvals"]["replication_key_value"] == "2026-03-01"
    assert (january["approval_id"] in approvals_of(later)) is caught
    if caught:
        assert approvals_of(later)[january["approval_id"]]["status"] != january["status"]


def test_approvals_of_user_ids_are_only_theirs(timecamp):
    sim, server = timecamp
    wanted = sim.catalog.users[1].user_id

    records = run(server.base_url, ["approvals"], user_ids=[wanted]).records("approvals")

    assert records
    assert {r["user_id"] for r in records} == {wanted}


def test_an_account_without_the_attendance_module_stops_the_run_saying_so(timecamp):
    sim, server = timecamp
    module_off = {"message": "Attendance module is not enabled"}
    sim.add_fault(Fault(path="/attendance/day_types", kind="status", status=403, body=module_off))
    config = tap_config(server.base_url)

    done = sync_here(config, catalog=selecting(config, ["attendance_day_types"]))

    assert done.returncode == 1
    assert "403: Attendance module is not enabled" in done.stderr
    assert done.records("attendance_day_types") == []
