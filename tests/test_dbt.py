"""The dbt models in a real `meltano run tap-timecamp target-bigquery dbt-bigquery:run`.

Built after the load in a dataset of their own (the raw dataset's name + `_models`); the
time entries model follows the loads incrementally and drops deleted entries; a failing
model fails the run after the load's state was saved, and the next run builds it.
"""

from __future__ import annotations

import re
import typing as t

import yaml

from tests.pipeline import PROJECT, REPO, Pipeline, Run

if t.TYPE_CHECKING:
    from google.cloud import bigquery

    from bigquery_emulator import BigQueryEmulator

FCT = "fct_time_entries"


def run_with_models(pipeline: Pipeline) -> Run:
    # The fixture's pipeline loads time entries alone: only their models can be built.
    return pipeline.meltano(
        "run",
        "tap-timecamp",
        "target-bigquery",
        "dbt-bigquery:run",
        TIMECAMP_MODEL_STREAMS="time_entries",
    )


def models_dataset(pipeline: Pipeline) -> str:
    return f"{pipeline.dataset}_models"


def modelled_entries(warehouse: bigquery.Client, pipeline: Pipeline) -> dict[int, dict[str, t.Any]]:
    query = f"SELECT * FROM `{PROJECT}.{models_dataset(pipeline)}.{FCT}`"
    return {row["time_entry_id"]: dict(row.items()) for row in warehouse.query(query).result()}


def live_entries(sim: t.Any) -> dict[int, dict[str, t.Any]]:
    return {int(entry["id"]): entry for entry in sim.all_entries()}


def test_the_models_are_built_after_the_load_in_a_dataset_of_their_own(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp

    run = run_with_models(pipeline)

    assert run.ok, run.output[-3000:]
    entries = modelled_entries(warehouse, pipeline)
    assert set(entries) == set(live_entries(sim))
    # A running timer's duration grows on the account's clock: the model holds what landed.
    landed = warehouse.query(
        f"SELECT id, duration, date FROM `{PROJECT}.{pipeline.dataset}.{pipeline.table}`"
    ).result()
    for row in landed:
        assert entries[row.id]["duration_seconds"] == int(row.duration), row.id
        assert entries[row.id]["entry_date"] == row.date, row.id


def test_a_run_logs_the_models_build_in_one_line(pipeline):
    run = run_with_models(pipeline)

    assert run.ok, run.output[-3000:]
    dbt_lines = [line for line in run.output.splitlines() if "] dbt-bigquery " in line]
    assert len(dbt_lines) == 1, dbt_lines
    assert re.search(r"dbt: (\d+) of \1 models built, 0 failed, 0 skipped \(", dbt_lines[0])


def test_a_deleted_entry_leaves_the_time_entries_model_and_an_edit_reaches_it(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    assert run_with_models(pipeline).ok
    deleted, edited = sorted(live_entries(sim))[:2]
    sim.delete_entry(deleted)
    sim.edit_entry(edited, duration=4321)

    run = run_with_models(pipeline)

    assert run.ok, run.output[-3000:]
    entries = modelled_entries(warehouse, pipeline)
    assert deleted not in entries
    assert entries[edited]["duration_seconds"] == 4321
    assert set(entries) == set(live_entries(sim))


def test_the_daily_build_reads_only_the_rows_loaded_since_the_last_build(
    pipeline, timecamp, warehouse, emulator: BigQueryEmulator
):
    sim, _ = timecamp
    assert run_with_models(pipeline).ok
    (first,) = warehouse.query(
        f"SELECT MAX(loaded_at) AS at FROM `{PROJECT}.{models_dataset(pipeline)}.{FCT}`"
    ).result()
    sim.edit_entry(min(live_entries(sim)), duration=1234)
    emulator.clear_jobs()

    assert run_with_models(pipeline).ok

    raw = f"`{PROJECT}`.`{pipeline.dataset}`.`{pipeline.table}`"
    builds = [
        job.sql
        for job in emulator.jobs()
        if job.sql and f"{FCT}__dbt_tmp" in job.sql and raw in job.sql
    ]
    assert len(builds) == 1, builds
    # The newest load time the model held, as a literal: BigQuery prunes the raw table's
    # partitions (on _sdc_batched_at) to those loaded since; then a MERGE of those rows.
    assert f"where loaded_at > timestamp '{first.at.isoformat()}'" in builds[0]


def test_a_failing_model_fails_the_run_naming_it_after_the_state_was_saved(
    pipeline, timecamp, warehouse, emulator: BigQueryEmulator
):
    sim, _ = timecamp
    emulator.inject_failure(
        kind="query", match=rf"merge into .*{FCT}|create or replace table .*{FCT}", count=1
    )

    failed = run_with_models(pipeline)

    assert not failed.ok
    named = [line for line in failed.output.splitlines() if f"Failure in model {FCT}" in line]
    assert len(named) == 1, failed.output[-3000:]
    assert pipeline.state(), "the load's state was not saved"
    rerun = run_with_models(pipeline)
    assert rerun.ok, rerun.output[-3000:]
    assert set(modelled_entries(warehouse, pipeline)) == set(live_entries(sim))


def test_the_models_dbt_tests_pass_after_a_load(pipeline, timecamp):
    assert run_with_models(pipeline).ok

    tested = pipeline.meltano("invoke", "dbt-bigquery:test", TIMECAMP_MODEL_STREAMS="time_entries")

    assert tested.ok, tested.output[-3000:]
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0", tested.output), tested.output[-3000:]


def test_dbt_sends_no_usage_statistics_and_fetches_no_packages():
    meltano = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (dbt,) = [u for u in meltano["plugins"]["utilities"] if u["name"] == "dbt-bigquery"]
    project = yaml.safe_load((REPO / "transform" / "dbt_project.yml").read_text(encoding="utf-8"))

    assert dbt["env"]["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert project["flags"]["send_anonymous_usage_stats"] is False
    assert not (REPO / "transform" / "packages.yml").exists()
    assert not (REPO / "transform" / "dependencies.yml").exists()
    assert "deps" not in " ".join(str(c["args"]) for c in dbt["commands"].values())


def test_the_daily_job_builds_the_models_after_the_load():
    meltano = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (schedule,) = meltano["schedules"]
    (job,) = [j for j in meltano["jobs"] if j["name"] == schedule["job"]]

    assert job["tasks"] == ["tap-timecamp target-bigquery dbt-bigquery:run"]
