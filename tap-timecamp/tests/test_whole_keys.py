"""Issue 20, case 8: a record never leaves the tap with a key that has a null part."""

from __future__ import annotations

import logging

import pytest

from tests.running import selecting, sync_here
from tests.simulated import tap_config
from tests.test_unexpected_data import ENTRY
from timecamp_simulator import Fault

ATTENDANCE_DAY = {
    "user_id": "123",
    "user_name": "John",
    "start_time": "08:00:00",
    "end_time": "16:00:00",
    "total_time": "28800",
    "date": "2026-03-02",
    "approved": False,
}


def answering(timecamp, path, items, streams, caplog):
    sim, server = timecamp
    caplog.set_level(logging.INFO)
    sim.add_fault(Fault(path=path, kind="status", status=200, body=items, count=1))
    config = tap_config(server.base_url, track_deletions=False)
    run = sync_here(config, catalog=selecting(config, streams))
    assert run.returncode == 0, run.stderr[-2000:]
    return run


@pytest.mark.parametrize("bad_id", ["abc", None, "", 1.5, {"id": 1}])
def test_an_entry_whose_id_is_not_a_whole_number_is_skipped_warned_and_counted(
    timecamp, caplog, bad_id
):
    # Issue 20, case 8: an entry whose id is "abc" or null became a RECORD with a null key.
    good, bad = ENTRY, {**ENTRY, "id": bad_id}

    run = answering(timecamp, "/entries", [good, bad], ["time_entries"], caplog)

    ids = [r["id"] for r in run.records("time_entries")]
    assert ENTRY["id"] in ids
    assert all(isinstance(i, int) for i in ids)
    (warning,) = [r.getMessage() for r in caplog.records if "skipped an item" in r.getMessage()]
    assert warning.startswith("time_entries: skipped an item of GET /entries without a whole key")
    assert f"(id={bad_id!r:.40})" in warning
    (summary,) = [r.getMessage() for r in caplog.records if "Run summary:" in r.getMessage()]
    assert "; 1 items skipped without a whole key (time_entries 1);" in summary


@pytest.mark.parametrize(("part", "value"), [("user_id", "x"), ("date", None)])
def test_an_attendance_day_with_a_part_of_its_key_missing_is_skipped(timecamp, caplog, part, value):
    # Issue 20, case 8, for a composite key: (user_id, date).
    bad = {**ATTENDANCE_DAY, part: value}

    run = answering(timecamp, "/attendance", [ATTENDANCE_DAY, bad], ["attendance"], caplog)

    keys = [(r["user_id"], r["date"]) for r in run.records("attendance")]
    assert (123, "2026-03-02") in keys
    assert all(isinstance(user, int) and isinstance(day, str) for user, day in keys)
    assert "attendance: skipped an item of GET /attendance" in caplog.text


def test_a_run_without_such_items_says_nothing_of_them(timecamp, caplog):
    run = answering(timecamp, "/entries", [ENTRY], ["time_entries"], caplog)

    assert run.records("time_entries")
    assert "whole key" not in caplog.text
