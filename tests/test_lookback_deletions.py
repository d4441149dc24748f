"""What TimeCamp removed inside the days a lookback stream reads again leaves BigQuery."""

from __future__ import annotations

import datetime as dt

from tests.warehouse import rows


def test_an_attendance_day_removed_in_timecamp_is_marked_deleted_in_bigquery(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    pipeline.settings["TAP_TIMECAMP__SELECT"] = '["attendance.*"]'
    assert pipeline.run().ok
    landed = rows(warehouse, pipeline.dataset, "attendance")
    # The last day worked: inside the lookback the next run reads again.
    victim = max(landed, key=lambda row: (str(row["date"]), row["user_id"]))
    sim.remove_attendance(victim["user_id"], dt.date.fromisoformat(str(victim["date"])))

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    after = {
        (r["user_id"], str(r["date"])): r for r in rows(warehouse, pipeline.dataset, "attendance")
    }
    assert after[(victim["user_id"], str(victim["date"]))]["_sdc_deleted_at"] is not None
    live = {key for key, row in after.items() if row["_sdc_deleted_at"] is None}
    assert live == {key for key in after if key != (victim["user_id"], str(victim["date"]))}
    assert len(after) == len(landed)
