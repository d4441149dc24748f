"""`meltano run tap-timecamp target-bigquery` upserts on `id`, safely, into the legacy table."""

from __future__ import annotations

import datetime as dt

from google.cloud import bigquery

from tests.pipeline import PROJECT
from tests.warehouse import LEGACY_SCHEMA, business_columns, rows, schema

TABLE = "timecamp_entries"
LEGACY = [name for name, _ in LEGACY_SCHEMA]


def landed(warehouse, dataset) -> dict[int, dict]:
    return {row["id"]: business_columns(row) for row in rows(warehouse, dataset, TABLE)}


def assert_equals_truth(warehouse, dataset, sim) -> None:
    table = rows(warehouse, dataset, TABLE)
    live = {r["id"]: business_columns(r) for r in table if r.get("_sdc_deleted_at") is None}
    truth = {entry["id"]: entry for entry in sim.all_entries()}
    assert len(table) == len({r["id"] for r in table}), "one row per id"
    assert live.keys() == truth.keys()
    # A running timer's duration grows by the second: the warehouse holds it as read.
    running = {timer["id"] for timer in sim.running_timers()}
    for entry_id, entry in truth.items():
        if entry_id not in running:
            assert {c: live[entry_id][c] for c in LEGACY} == {c: entry[c] for c in LEGACY}


def test_first_run_creates_the_table_with_the_legacy_contract(pipeline, timecamp, warehouse):
    sim, _ = timecamp

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    fields = {f.name: f for f in schema(warehouse, pipeline.dataset, TABLE)}
    assert [(name, fields[name].field_type) for name in LEGACY] == LEGACY_SCHEMA
    extra = set(fields) - set(LEGACY)
    assert extra >= {"project_id", "project_name", "tags", "breadcrumps", "_sdc_deleted_at"}
    assert all(fields[name].mode in {"NULLABLE", "REPEATED"} for name in extra)
    assert_equals_truth(warehouse, pipeline.dataset, sim)


def test_a_second_run_keeps_one_row_per_id_with_timecamps_latest_values(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    assert pipeline.run().ok
    entries = list(sim.all_entries())
    for old in entries[:3]:
        sim.edit_entry(old["id"], description=f"edited «{old['id']}»", duration=4321)
    sim.add_entry(entry_date=dt.date.today(), duration=600, description="new today")

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    assert_equals_truth(warehouse, pipeline.dataset, sim)
    assert landed(warehouse, pipeline.dataset)[entries[0]["id"]]["duration"] == "4321"


def test_a_legacy_table_is_upserted_into_keeping_its_rows(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    entries = list(sim.all_entries())
    legacy = bigquery.Table(
        f"{PROJECT}.{pipeline.dataset}.{TABLE}",
        schema=[bigquery.SchemaField(name, kind) for name, kind in LEGACY_SCHEMA],
    )
    warehouse.create_table(legacy)
    stale = {**entries[0], "description": "stale copy from the legacy script", "duration": "1"}
    older = {**entries[1], "id": 1, "description": "only in the legacy table"}
    errors = warehouse.insert_rows_json(
        f"{PROJECT}.{pipeline.dataset}.{TABLE}",
        [{c: row[c] for c in LEGACY} for row in (stale, older)],
    )
    assert errors == []

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    table = landed(warehouse, pipeline.dataset)
    assert len(rows(warehouse, pipeline.dataset, TABLE)) == len(entries) + 1, "no duplicates"
    assert table[1]["description"] == "only in the legacy table"
    assert table[entries[0]["id"]]["description"] == entries[0]["description"]
    fields = {f.name: f for f in schema(warehouse, pipeline.dataset, TABLE)}
    assert [(name, fields[name].field_type) for name in LEGACY] == LEGACY_SCHEMA


def test_a_rerun_with_nothing_changed_leaves_the_table_as_it_was(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    running = {timer["id"] for timer in sim.running_timers()}  # they change by themselves
    assert pipeline.run().ok
    before = landed(warehouse, pipeline.dataset)

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    after = landed(warehouse, pipeline.dataset)
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if k not in running} == {
        k: v for k, v in before.items() if k not in running
    }


def test_a_missing_dataset_is_a_clear_error(pipeline):
    pipeline.dataset = "no_such_dataset"

    run = pipeline.run()

    assert not run.ok
    assert "dataset local-project.no_such_dataset not found" in run.output
    assert pipeline.state() == {}


def test_a_failed_load_fails_the_run_and_the_next_run_recovers_every_row(
    pipeline, timecamp, warehouse, emulator
):
    sim, _ = timecamp
    emulator.inject_failure(kind="load", match=TABLE, count=3)

    failed = pipeline.run()

    assert not failed.ok
    assert "failed after 3 attempt(s)" in failed.output
    assert pipeline.state() == {}
    emulator.clear_failures()
    assert pipeline.run().ok
    assert_equals_truth(warehouse, pipeline.dataset, sim)


def test_a_failed_merge_keeps_the_bookmark_and_the_next_run_recovers_every_row(
    pipeline, timecamp, warehouse, emulator
):
    sim, _ = timecamp
    assert pipeline.run().ok
    bookmark = pipeline.state()
    changed = next(iter(sim.all_entries()))
    sim.edit_entry(changed["id"], description="changed before a failed MERGE")
    emulator.inject_failure(kind="query", match="MERGE", count=1)

    failed = pipeline.run()

    assert not failed.ok
    assert f"MERGE into {PROJECT}.{pipeline.dataset}.{TABLE} failed" in failed.output
    assert pipeline.state() == bookmark
    assert pipeline.run().ok
    assert_equals_truth(warehouse, pipeline.dataset, sim)
