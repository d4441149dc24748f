"""Upsert behaviour the pipeline relies on, the table name of time_entries, and job counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core.exceptions import NotFound

from bigquery_emulator import BigQueryEmulator
from tests.targetrun import (
    PROJECT,
    SAFE,
    assert_states_covered,
    loader_config,
    records,
    run_target,
    schema,
    state,
    table_ids,
    table_rows,
)

STREAM = "time_entries"
PROPERTIES = {"id": {"type": "integer"}, "user_name": {"type": ["string", "null"]}}


def record(entry_id: int, user_name: str, extracted_at: str) -> dict[str, Any]:
    return {
        "type": "RECORD",
        "stream": STREAM,
        "record": {"id": entry_id, "user_name": user_name},
        "time_extracted": extracted_at,
    }


def test_same_id_twice_in_one_run_keeps_the_latest(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        schema(STREAM, PROPERTIES),
        record(1, "first", "2026-03-01T10:00:00+00:00"),
        record(2, "old", "2026-03-01T10:00:00+00:00"),
        record(2, "new", "2026-03-01T10:00:05+00:00"),
        state(STREAM, 2),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert table_rows(bq.client(), dataset, STREAM, ["id", "user_name"]) == [
        {"id": 1, "user_name": "first"},
        {"id": 2, "user_name": "new"},
    ]
    assert run.through_ids(STREAM) == [2]
    assert run.returncode == 0


def test_rerun_with_the_same_records_changes_nothing(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        schema(STREAM, PROPERTIES),
        *records(STREAM, [{"id": i, "user_name": f"user {i}"} for i in range(1, 4)]),
        state(STREAM, 3),
    ]
    client = bq.client()

    first = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path / "first")
    before = table_rows(client, dataset, STREAM, ["id", "user_name", "_sdc_extracted_at"])
    second = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path / "second")
    after = table_rows(client, dataset, STREAM, ["id", "user_name", "_sdc_extracted_at"])

    assert before == [
        {"id": i, "user_name": f"user {i}", "_sdc_extracted_at": None} for i in (1, 2, 3)
    ]
    # Only the receipt timestamps (_sdc_received_at, _sdc_batched_at) move on a rerun.
    assert after == before
    assert table_ids(client, dataset) == [STREAM]  # the temporary tables are gone
    assert first.through_ids(STREAM) == second.through_ids(STREAM) == [3]
    assert (first.returncode, second.returncode) == (0, 0)


def test_missing_dataset_is_a_one_line_error(bq: BigQueryEmulator, tmp_path: Path) -> None:
    missing = "no_such_dataset"
    messages = [schema(STREAM, PROPERTIES), *records(STREAM, [{"id": 1}]), state(STREAM, 1)]

    run = run_target(SAFE, loader_config(missing), messages, bq.env(), tmp_path)

    assert run.states == []
    assert run.returncode == 1
    assert run.last_stderr_line == (
        f"target-bigquery-safe: error: dataset {PROJECT}.{missing} not found: create it first "
        "(in the console or with `bq mk`); target-bigquery-safe never creates datasets, so a "
        "typo cannot send data elsewhere"
    )
    with pytest.raises(NotFound):
        bq.client().get_dataset(f"{PROJECT}.{missing}")


# -- table name: the SDK's target-side stream map ----------------------------------------

LEGACY_TABLE = "timecamp_entries"
ALIAS = {"stream_maps": {STREAM: {"__alias__": LEGACY_TABLE}}}


def test_stream_map_alias_marks_rows_of_the_aliased_table_on_activate_version(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    def full_read(version: int, ids: list[int]) -> list[dict[str, Any]]:
        rows = [
            {"type": "RECORD", "stream": STREAM, "record": {"id": i, "user_name": "u"}} for i in ids
        ]
        return [
            schema(STREAM, PROPERTIES),
            *({**row, "version": version} for row in rows),
            {"type": "ACTIVATE_VERSION", "stream": STREAM, "version": version},
            state(STREAM, max(ids)),
        ]

    config = loader_config(dataset, **ALIAS)
    run_target(SAFE, config, full_read(1, [1, 2]), bq.env(), tmp_path / "first")

    second = run_target(SAFE, config, full_read(2, [2]), bq.env(), tmp_path / "second")

    rows = table_rows(bq.client(), dataset, LEGACY_TABLE, ["id", "_sdc_deleted_at"])
    assert [(row["id"], row["_sdc_deleted_at"] is not None) for row in rows] == [
        (1, True),
        (2, False),
    ]
    assert second.through_ids(STREAM) == [2]
    assert second.returncode == 0


# -- how many BigQuery jobs a run issues -------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "loads"),
    [
        pytest.param(1_000, {"time_entries": 3, "users": 1}, id="batch_size=1000"),
        pytest.param(100_000, {"time_entries": 1, "users": 1}, id="batch_size=100000"),
    ],
)
def test_one_load_and_one_merge_per_full_batch(
    batch_size: int, loads: dict[str, int], bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        schema("time_entries", PROPERTIES),
        schema("users", PROPERTIES),
        *records("time_entries", [{"id": i, "user_name": "u"} for i in range(1, 2501)]),
        *records("users", [{"id": i, "user_name": "u"} for i in range(1, 4)]),
        state("time_entries", 2500),
    ]

    run = run_target(
        SAFE, loader_config(dataset, batch_size=batch_size), messages, bq.env(), tmp_path
    )
    jobs = [job for job in bq.jobs() if dataset in (job.destination or job.sql or "")]

    load_tables = [
        job.destination.split(".")[-1].split("__")[0] for job in jobs if job.kind == "load"
    ]
    merge_tables = [
        (job.sql or "").split("`")[1].split(".")[-1]
        for job in jobs
        if job.kind == "query" and (job.sql or "").startswith("MERGE")
    ]
    assert {stream: load_tables.count(stream) for stream in set(load_tables)} == loads
    # Each batch is merged as soon as it is loaded, so a STATE after it covers merged rows.
    assert {stream: merge_tables.count(stream) for stream in set(merge_tables)} == loads
    assert len(jobs) == 2 * sum(loads.values())  # and no other job
    landed = [row["id"] for row in table_rows(bq.client(), dataset, "time_entries", ["id"])]
    assert landed == list(range(1, 2501))
    assert_states_covered(run, "time_entries", landed)
    assert run.returncode == 0


def test_a_stream_without_records_is_not_merged_and_leaves_no_temporary_table(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        schema("time_entries", PROPERTIES),
        schema("time_entry_deletions", PROPERTIES),
        *records("time_entries", [{"id": 1, "user_name": "u"}]),
        state("time_entries", 1),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    merges = [
        job.sql or "" for job in bq.jobs() if job.kind == "query" and dataset in (job.sql or "")
    ]
    assert len(merges) == 1
    assert "time_entries" in merges[0]
    assert table_ids(bq.client(), dataset) == ["time_entries", "time_entry_deletions"]
    assert run.through_ids("time_entries") == [1]
    assert run.returncode == 0


# -- the tables are set up in the background ----------------------------------------------


def test_a_table_that_cannot_be_set_up_fails_the_run_with_one_line_and_no_state(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    stream = "time entries!"  # BigQuery refuses the table name
    messages = [
        schema("time_entries", PROPERTIES),
        schema(stream, PROPERTIES),
        *records("time_entries", [{"id": 1, "user_name": "u"}]),
        *records(stream, [{"id": 1, "user_name": "u"}]),
        state("time_entries", 1),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.states == []
    assert run.returncode != 0
    assert run.last_stderr_line.startswith(
        f"target-bigquery-safe: error: setting up table {PROJECT}.{dataset}.{stream} failed: 400"
    ), run.stderr


def test_eighteen_streams_set_up_side_by_side_land_within_the_clients_connection_pool(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    # As many streams as tap-timecamp has: their set-ups, loads and MERGEs overlap.
    streams = [f"stream_{number:02}" for number in range(18)]
    messages = [
        *(schema(stream, PROPERTIES) for stream in streams),
        *(row for stream in streams for row in records(stream, [{"id": 1, "user_name": "u"}])),
        state(streams[0], 1),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 0, run.stderr
    assert "Connection pool is full" not in run.stderr
    assert table_ids(bq.client(), dataset) == streams  # temporary tables dropped after the MERGE
    for stream in streams:
        assert [row["id"] for row in table_rows(bq.client(), dataset, stream, ["id"])] == [1]


# -- the dedupe before the MERGE runs only when a key may be there twice -------------------


def merge_scripts(bq: BigQueryEmulator, dataset: str) -> list[str]:
    return [
        job.sql or ""
        for job in bq.jobs()
        if job.kind == "query" and "MERGE" in (job.sql or "") and dataset in (job.sql or "")
    ]


@pytest.mark.parametrize(
    ("ids", "failed_loads", "deduplicated"),
    [
        pytest.param((1, 2, 3), 0, False, id="every key once: no dedupe"),
        # Which row wins is test_same_id_twice_in_one_run_keeps_the_latest.
        pytest.param((2, 1, 2), 0, True, id="a key twice"),
        # An attempt that failed may have landed all the same.
        pytest.param((1, 2, 3), 1, True, id="a retried load"),
        # One INT64 key to BigQuery, two values to Python.
        pytest.param((1, "1", 2), 0, True, id="1 and '1' in an integer column"),
    ],
)
def test_the_dedupe_before_the_merge_runs_only_when_a_key_may_be_there_twice(
    ids: tuple[int | str, ...],
    failed_loads: int,
    deduplicated: bool,
    *,
    bq: BigQueryEmulator,
    dataset: str,
    tmp_path: Path,
) -> None:
    if failed_loads:
        bq.inject_failure("load", match=STREAM, count=failed_loads)
    messages = [
        schema(STREAM, PROPERTIES),
        *records(STREAM, [{"id": i, "user_name": "u"} for i in ids]),
        state(STREAM, 3),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 0, run.stderr
    [script] = merge_scripts(bq, dataset)
    assert ("QUALIFY ROW_NUMBER()" in script) is deduplicated
    landed = [row["id"] for row in table_rows(bq.client(), dataset, STREAM, ["id"])]
    assert landed == sorted({int(i) for i in ids})


def test_two_streams_the_target_would_load_into_one_table_are_refused(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    # Both names give table a_b: each stream's activation would mark the other's rows.
    messages = [
        schema("a-b", PROPERTIES),
        schema("a_b", PROPERTIES),
        *records("a-b", [{"id": 1, "user_name": "u"}]),
        *records("a_b", [{"id": 2, "user_name": "u"}]),
        state("a_b", 2),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 1
    assert run.states == []
    assert run.last_stderr_line.startswith(
        "target-bigquery-safe: error: streams a-b and a_b would both be loaded into table a_b"
    ), run.stderr
