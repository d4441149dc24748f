"""The incremental contract end to end: `meltano run tap-timecamp target-bigquery`, emulator.

Issue 12's cases 1, 3 and 5, each as a user meets it, each ending in the warehouse equal to
TimeCamp's truth (`tests.reliability.assert_equals_truth`): every entry live with TimeCamp's
values, every deleted one absent or a tombstone, nothing else. The simulator runs on the
real clock, moved ahead by the test where days must pass; the tap reads TimeCamp's clock
from its answers. The model-based test (`tap-timecamp/tests/test_incremental_model.py`)
explores the same contract over random sequences, in process.
"""

from __future__ import annotations

import datetime as dt

from tests.reliability import TABLE, assert_equals_truth
from tests.warehouse import rows


def assert_ran(run) -> None:
    assert run.ok, run.output[-3000:]


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def test_a_bounded_backfill_then_the_daily_run_loses_nothing_dated_after_end_date(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    today = sim.now.date()
    entries = sorted(sim.all_entries(), key=lambda e: (e["date"], e["id"]))
    # Someone corrects an old entry the day of the backfill: its last change is the newest.
    sim.edit_entry(entries[0]["id"], description="corrected before the backfill")
    end_date = today - dt.timedelta(days=30)
    assert any(e["date"] > end_date.isoformat() for e in entries), "entries after end_date"

    assert_ran(pipeline.run(TAP_TIMECAMP_END_DATE=end_date.isoformat()))
    assert_ran(pipeline.run())

    assert_equals_truth(warehouse, pipeline.dataset, sim)


def test_changes_of_the_days_after_a_stamp_ahead_of_the_clock_arrive(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    entries = sorted(sim.all_entries(), key=lambda e: e["id"])
    assert_ran(pipeline.run())
    # TimeCamp writes one stamp with a clock five days fast.
    sim.edit_entry(
        entries[0]["id"],
        description="stamped by a skewed clock",
        last_modify=stamp(sim.now + dt.timedelta(days=5)),
    )
    assert_ran(pipeline.run())
    sim.advance_clock(dt.timedelta(days=1))
    changed = sim.edit_entry(entries[1]["id"], description="changed on a day in between")
    sim.advance_clock(dt.timedelta(days=1))

    assert_ran(pipeline.run())

    assert_equals_truth(warehouse, pipeline.dataset, sim)
    (row,) = [r for r in rows(warehouse, pipeline.dataset, TABLE) if r["id"] == changed["id"]]
    assert row["description"] == "changed on a day in between"


def test_an_entry_restored_after_its_deletion_stays_live(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    restored, deleted = sorted(sim.all_entries(), key=lambda e: e["id"])[:2]
    assert_ran(pipeline.run())
    sim.delete_entry(restored["id"])
    sim.delete_entry(deleted["id"])
    sim.advance_clock(dt.timedelta(minutes=5))
    sim.restore_entry(restored["id"])  # its record is now newer than its deletion

    assert_ran(pipeline.run())

    assert_equals_truth(warehouse, pipeline.dataset, sim, deleted=[deleted["id"]])
    table = {r["id"]: r for r in rows(warehouse, pipeline.dataset, TABLE)}
    assert table[restored["id"]]["_sdc_deleted_at"] is None
    assert table[deleted["id"]]["_sdc_deleted_at"] is not None
