"""Every stream lands in BigQuery, deletions and group changes included."""

from __future__ import annotations

from pathlib import Path

from tests.warehouse import rows, table_names

DEFAULT_STREAMS = {
    "timecamp_entries",
    "time_entry_deletions",
    "users",
    "groups",
    "tasks",
    "tag_lists",
    "tags",
}
README = Path(__file__).resolve().parents[1] / "README.md"


def all_default_streams(pipeline):
    pipeline.settings.pop("TAP_TIMECAMP__SELECT")
    return pipeline


def test_every_default_stream_lands_in_its_table(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    sim.delete_entry(next(iter(sim.all_entries()))["id"])

    run = all_default_streams(pipeline).run()

    assert run.ok, run.output[-3000:]
    assert table_names(warehouse, pipeline.dataset) == DEFAULT_STREAMS
    counts = {t: len(rows(warehouse, pipeline.dataset, t)) for t in DEFAULT_STREAMS}
    assert all(counts.values()), counts
    assert counts["users"] == 6


def test_a_deleted_entry_is_marked_deleted_after_the_next_run(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    assert pipeline.run().ok
    victim = next(iter(sim.all_entries()))
    sim.delete_entry(victim["id"])

    assert pipeline.run().ok

    (row,) = [
        r for r in rows(warehouse, pipeline.dataset, "timecamp_entries") if r["id"] == victim["id"]
    ]
    assert row["_sdc_deleted_at"] is not None
    assert row["duration"] is None
    live_ids = {
        r["id"]
        for r in rows(warehouse, pipeline.dataset, "timecamp_entries")
        if r["_sdc_deleted_at"] is None
    }
    assert victim["id"] not in live_ids
    assert live_ids == {e["id"] for e in sim.all_entries()}


def test_a_users_group_change_shows_after_the_next_run(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    pipeline.settings["TAP_TIMECAMP__SELECT"] = '["users.*", "groups.*"]'
    assert pipeline.run().ok
    users = {r["user_id"]: r for r in rows(warehouse, pipeline.dataset, "users")}
    groups = {r["group_id"]: r for r in rows(warehouse, pipeline.dataset, "groups")}
    user_id, user = next(iter(users.items()))
    new_group = next(
        g for g in groups.values() if g["group_id"] != user["group_id"] and g["level"] > 1
    )
    sim.move_user(user_id, new_group["group_id"])

    assert pipeline.run().ok

    moved = {r["user_id"]: r for r in rows(warehouse, pipeline.dataset, "users")}[user_id]
    assert moved["group_id"] == new_group["group_id"]
    assert moved["group_name"] == new_group["name"]
    assert moved["group_path"] == new_group["path"]
    assert len(rows(warehouse, pipeline.dataset, "users")) == len(users)
