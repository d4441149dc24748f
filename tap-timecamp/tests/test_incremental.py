"""Later runs read what changed since the bookmark, and little else."""

from __future__ import annotations

import datetime as dt

from tests.running import sync_here
from tests.simulated import END, NOW, START, tap_config


def sync(server, state=None, **config):
    run = sync_here(tap_config(server.base_url, end_date=None, **config), state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_first_run_bookmarks_the_greatest_last_modify(timecamp):
    sim, server = timecamp

    run = sync(server)

    bookmark = run.last_state["bookmarks"]["time_entries"]["replication_key_value"]
    assert bookmark == max(e["last_modify"] for e in sim.all_entries())


def test_first_run_reads_by_entry_date_and_goes_past_empty_windows(timecamp):
    sim, server = timecamp

    sync(server, start_date=(START - dt.timedelta(days=90)).isoformat())

    windows = [r.params for r in sim.requests if r.path == "/entries"]
    # Then the changes made while it ran: the past day and today, and the days ahead.
    by_date, changes = windows[:-2], windows[-2:]
    assert all("from" in p and "modify_from" not in p for p in by_date)
    assert all("modify_from" in p for p in changes)
    # In flight together, the first windows may arrive in any order.
    assert min(p["from"] for p in by_date) == [(START - dt.timedelta(days=90)).isoformat()]
    # The first three windows are before the account's first entry.
    assert len(by_date) > 4


def test_later_run_returns_an_old_edit_and_a_new_entry_and_little_else(timecamp):
    sim, server = timecamp
    first = sync(server)
    old = next(e for e in sim.all_entries() if e["date"] == START.isoformat())
    sim.edit_entry(old["id"], description="corrected months later")
    new = sim.add_entry(entry_date=NOW.date(), duration=900, description="today's work")
    sim.clear_requests()

    second = sync(server, state=first.last_state)

    ids = {r["id"]: r for r in second.records()}
    assert ids[old["id"]]["description"] == "corrected months later"
    assert new["id"] in ids
    total = sum(1 for _ in sim.all_entries())
    assert len(ids) <= 0.05 * total
    assert all("modify_from" in r.params for r in sim.requests if r.path == "/entries")


def test_later_run_moves_the_bookmark_to_the_newest_change(timecamp):
    sim, server = timecamp
    first = sync(server)
    sim.advance_clock(dt.timedelta(hours=3))
    edited = sim.edit_entry(next(iter(sim.all_entries()))["id"], description="x")

    second = sync(server, state=first.last_state)

    assert (
        second.last_state["bookmarks"]["time_entries"]["replication_key_value"]
        == (edited["last_modify"])
    )


def test_a_deleted_entry_comes_back_as_a_tombstone(timecamp):
    sim, server = timecamp
    first = sync(server)
    victim = next(e for e in sim.all_entries() if e["date"] == END.isoformat())
    sim.delete_entry(victim["id"])

    second = sync(server, state=first.last_state)

    tombstones = [r for r in second.records() if r.get("_sdc_deleted_at")]
    assert [t["id"] for t in tombstones] == [victim["id"]]
    assert tombstones[0]["duration"] is None if "duration" in tombstones[0] else True
    deletions = second.records("time_entry_deletions")
    assert [d["entry_id"] for d in deletions] == [victim["id"]]


def test_a_stopped_timer_arrives_with_its_final_duration(timecamp):
    sim, server = timecamp
    running = sim.running_timers()
    assert running, "the simulator's account has running timers"
    first = sync(server)
    sim.advance_clock(dt.timedelta(minutes=40))
    stopped = sim.stop_timer(running[0]["id"])

    second = sync(server, state=first.last_state)

    (record,) = [r for r in second.records() if r["id"] == stopped["id"]]
    assert record["duration"] == stopped["duration"]
    assert record["end_time"] == stopped["end_time"]
