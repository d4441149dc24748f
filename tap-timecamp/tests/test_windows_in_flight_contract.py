"""Windows in flight together keep the incremental contract of windows read one by one.

Answers of windows in flight together are read by TimeCamp at moments in any order, so an
entry edited while the run reads may be met in neither window, or twice in the wrong order.
Each test lets one window's answer wait for another's and edits an entry in between: with
one request at a time the wait gives up, which is the order the contract was built on.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest

from tap_timecamp.streams.time_entries import TimeEntriesStream
from tests.running import TapRun
from tests.test_contract_cases import JAN_2, Target, assert_complete, run

# Long enough for a window in flight to be answered; one request at a time waits it out.
RACE_SECONDS = 3


def window_of(prepared: t.Any) -> dict[str, str]:
    """The query of an `/entries` request (`from`, `modify_from`, ...); {} for another."""
    parts = urlsplit(prepared.url)
    if not parts.path.endswith("/entries"):
        return {}
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def run_in_weekly_windows(url: str, target: Target, in_flight: int) -> TapRun:
    """A run of `time_entries` from Jan 1 in windows of a week, `in_flight` at a time."""
    return run(
        url,
        target,
        streams=("time_entries",),
        start_date="2026-01-01",
        max_window_days=7,
        max_requests_in_flight=in_flight,
    )


@pytest.mark.parametrize("in_flight", [1, 2])
def test_an_entry_moved_between_entry_date_windows_in_flight_ends_as_moved(
    account, monkeypatch, in_flight
):
    # A first run, 7-day entry-date windows: Jan 8-14 is answered, one of its entries is
    # moved to Jan 2, then Jan 1-7 is answered. Its new version comes first in plan order.
    sim, url = account
    target = Target()
    moved = min(
        (e for e in sim.all_entries() if "2026-01-08" <= e["date"] <= "2026-01-14"),
        key=lambda e: e["id"],
    )
    later_answered = threading.Event()
    send_request = TimeEntriesStream.send_request

    def racing(stream: TimeEntriesStream, prepared: t.Any, context: t.Any) -> t.Any:
        start = window_of(prepared).get("from")
        if start == "2026-01-01":
            later_answered.wait(RACE_SECONDS)
        response = send_request(stream, prepared, context)
        if start == "2026-01-08":
            sim.advance_clock(dt.timedelta(minutes=1))
            sim.edit_entry(moved["id"], date=JAN_2.isoformat())
            later_answered.set()
        return response

    monkeypatch.setattr(TimeEntriesStream, "send_request", racing)
    done = run_in_weekly_windows(url, target, in_flight)

    sent = [r["date"] for r in done.records("time_entries") if r["id"] == moved["id"]]
    assert sent[-1] == JAN_2.isoformat(), f"sent as {sent}: the older version last"
    assert target.live()[moved["id"]]["date"] == JAN_2.isoformat()
    assert_complete(sim, target, "2026-01-01")


@pytest.mark.parametrize("in_flight", [1, 3])
def test_an_entry_edited_while_its_change_window_is_in_flight_is_read_as_at_the_start(
    account, monkeypatch, in_flight
):
    # A later run reads three weeks of changes in weekly windows, then today's. The window
    # holding an entry's last change waits; today's window is answered; the entry is edited
    # again (its change moves into today's window, already answered); then the waiting
    # window is answered without it. Read so, the run would send no version of the entry.
    sim, url = account
    target = Target()
    run(url, target, streams=("time_entries",), start_date="2026-01-01")
    sim.advance_clock(dt.timedelta(days=17))
    edited = min(sim.all_entries(), key=lambda e: e["id"])
    sim.edit_entry(edited["id"], description="changed after the first run")
    changed_on = sim.now.date().isoformat()
    sim.advance_clock(dt.timedelta(days=3))
    today = sim.now.date().isoformat()
    today_answered = threading.Event()
    send_request = TimeEntriesStream.send_request

    def racing(stream: TimeEntriesStream, prepared: t.Any, context: t.Any) -> t.Any:
        window = window_of(prepared)
        first, last = window.get("modify_from", "~"), window.get("modify_to", "")
        if first <= changed_on <= last < today:
            today_answered.wait(RACE_SECONDS)
        response = send_request(stream, prepared, context)
        if first <= today <= last and not today_answered.is_set():
            sim.advance_clock(dt.timedelta(minutes=1))
            sim.edit_entry(edited["id"], description="changed while the run read")
            today_answered.set()
        return response

    monkeypatch.setattr(TimeEntriesStream, "send_request", racing)
    done = run_in_weekly_windows(url, target, in_flight)

    sent = [r["description"] for r in done.records("time_entries") if r["id"] == edited["id"]]
    assert sent, "the entry, changed before the run started, was not sent"
    assert target.live()[edited["id"]]["last_modify"] >= f"{changed_on} 00:00:00"
