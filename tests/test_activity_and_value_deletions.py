"""What TimeCamp removed of computer activities and custom field values leaves BigQuery."""

from __future__ import annotations

import datetime as dt

from tests.warehouse import rows


def test_a_removed_activity_and_an_unassigned_field_are_marked_deleted_in_bigquery(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    pipeline.settings["TAP_TIMECAMP__SELECT"] = '["computer_activities.*", "custom_field_values.*"]'
    assert pipeline.run().ok
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    activity = next(
        row
        for row in rows(warehouse, pipeline.dataset, "computer_activities")
        if str(row["end_time"]).startswith(yesterday)
    )
    activity_key = (activity["user_id"], activity["end_time"], activity["window_title_id"])
    sim.remove_computer_activity(*activity_key)
    user = sim.catalog.users[0].user_id
    sim.unassign_custom_field("user", user, 16)

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    activities = {
        (r["user_id"], r["end_time"], r["window_title_id"]): r["_sdc_deleted_at"]
        for r in rows(warehouse, pipeline.dataset, "computer_activities")
    }
    assert [key for key, deleted in activities.items() if deleted is not None] == [activity_key]
    values = {
        (r["resource_type"], r["resource_id"], r["template_id"]): r["_sdc_deleted_at"]
        for r in rows(warehouse, pipeline.dataset, "custom_field_values")
    }
    assert [key for key, deleted in values.items() if deleted is not None] == [("user", user, 16)]
