"""The three data-loss holes once found in target-bigquery 0.7.2, each a test of this loader:
a failed load, a failed MERGE and a legacy table missing columns never let STATE through."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from google.cloud import bigquery

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
    table_rows,
)

STREAM = "time_entries"
PROPERTIES = {
    "id": {"type": "integer"},
    "user_name": {"type": ["string", "null"]},
    "date": {"type": "string", "format": "date"},
}


def entries(ids: range) -> list[dict[str, Any]]:
    return [{"id": i, "user_name": f"user {i}", "date": "2026-03-02"} for i in ids]


def landed_ids(bq: BigQueryEmulator, dataset: str, table: str = STREAM) -> list[int]:
    return [row["id"] for row in table_rows(bq.client(), dataset, table, ["id"])]


# -- hole 1: a failed load is dropped silently -------------------------------------------


def test_failed_load_fails_the_run_without_state(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    bq.inject_failure("load", match=STREAM, count=3)  # every attempt the safe target makes
    messages = [
        schema(STREAM, PROPERTIES),
        *records(STREAM, entries(range(1, 4))),
        state(STREAM, 3),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_states_covered(run, STREAM, landed_ids(bq, dataset))
    assert run.states == []
    assert run.returncode != 0
    assert re.fullmatch(
        rf"target-bigquery-safe: error: load into {PROJECT}\.{dataset}\.{STREAM}__\S+ "
        r"failed after 3 attempt\(s\): 400 Injected failure \(bigquery-emulator\).*",
        run.last_stderr_line,
    ), run.stderr


def test_transient_load_failure_is_retried(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    bq.inject_failure("load", match=STREAM, count=1)
    messages = [
        schema(STREAM, PROPERTIES),
        *records(STREAM, entries(range(1, 4))),
        state(STREAM, 3),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_states_covered(run, STREAM, landed_ids(bq, dataset))
    assert landed_ids(bq, dataset) == [1, 2, 3]
    assert run.through_ids(STREAM) == [3]
    assert run.returncode == 0


# -- hole 2: STATE before the MERGE ------------------------------------------------------


def test_state_is_written_only_after_the_merge(
    bq: BigQueryEmulator,
    dataset: str,
    tmp_path: Path,
    long_run_env: dict[str, str],
) -> None:
    messages = [
        schema(STREAM, PROPERTIES),
        *records(STREAM, entries(range(1, 4))),
        state(STREAM, 3),  # mid-run: drains all sinks (the run is "older" than five minutes)
        *records(STREAM, entries(range(4, 6))),
        state(STREAM, 5),
    ]
    env = {**bq.env(), **long_run_env}
    bq.inject_failure("query", match="MERGE", count=1)

    failed = run_target(SAFE, loader_config(dataset), messages, env, tmp_path / "failed")

    assert_states_covered(failed, STREAM, landed_ids(bq, dataset))
    assert failed.states == []
    assert failed.returncode != 0
    assert failed.last_stderr_line.startswith(
        f"target-bigquery-safe: error: MERGE into {PROJECT}.{dataset}.{STREAM} failed: "
        "400 Injected failure (bigquery-emulator)"
    ), failed.stderr

    # The bookmark did not move, so the next run re-sends the same records; now they land.
    # A mid-run drain merges what it loads, so the STATE it writes covers merged rows only.
    bq.clear_jobs()
    rerun = run_target(SAFE, loader_config(dataset), messages, env, tmp_path / "rerun")

    assert rerun.returncode == 0, rerun.stderr
    assert landed_ids(bq, dataset) == [1, 2, 3, 4, 5]
    assert rerun.through_ids(STREAM)[-1] == 5
    merges = [job for job in bq.jobs() if job.kind == "query" and "MERGE" in (job.sql or "")]
    assert len(merges) >= 2  # the mid-run drain merged before its STATE, the end merged the rest


# -- hole 3: no columns added to an existing table in upsert mode ----------------------

# The legacy scripts' table, the contract the pipeline keeps (shared with the end-to-end tests).
_CONTRACT = json.loads(
    (Path(__file__).resolve().parents[2] / "contracts" / "legacy-timecamp-entries.json").read_text()
)
LEGACY_TABLE: str = _CONTRACT["table"]
LEGACY_SCHEMA: list[tuple[str, str]] = [(name, kind) for name, kind in _CONTRACT["columns"]]
LEGACY_COLUMNS = [name for name, _ in LEGACY_SCHEMA]
# The JSON Schema the tap gives each legacy column (shared/target-bigquery.md).
_JSON_TYPES = {
    "INTEGER": {"type": ["integer", "null"]},
    "STRING": {"type": ["string", "null"]},
    "DATE": {"type": ["string", "null"], "format": "date"},
    "BOOLEAN": {"type": ["boolean", "null"]},
}
ENRICHMENT = "task_path"  # a column the legacy scripts never wrote
STREAM_PROPERTIES = {
    **{name: _JSON_TYPES[kind] for name, kind in LEGACY_SCHEMA},
    ENRICHMENT: {"type": ["string", "null"]},
}
SDC_COLUMNS = {
    "_sdc_extracted_at",
    "_sdc_received_at",
    "_sdc_batched_at",
    "_sdc_deleted_at",
    "_sdc_sequence",
    "_sdc_table_version",
}


def legacy_row(entry_id: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": entry_id,
        "duration": "1800",
        "user_id": "7",
        "user_name": f"user {entry_id}",
        "task_id": "42",
        "task_note": "",
        "last_modify": "2026-03-01 10:00:00",
        "date": dt.date(2026, 3, 1),
        "start_time": "09:00:00",
        "end_time": "09:30:00",
        "locked": "0",
        "name": "Support",
        "addons_external_id": "",
        "billable": 1,
        "invoiceId": "0",
        "color": "#34C644",
        "description": f"entry {entry_id}",
        "hasEntryLocationHistory": False,
    }
    return {**row, **changes}


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in row.items()
    }


def create_legacy_table(client: bigquery.Client, dataset: str, rows: list[dict[str, Any]]) -> None:
    table = bigquery.Table(
        f"{PROJECT}.{dataset}.{LEGACY_TABLE}",
        schema=[bigquery.SchemaField(name, kind) for name, kind in LEGACY_SCHEMA],
    )
    client.create_table(table)
    client.load_table_from_json(
        [_as_json(row) for row in rows],
        table,
        job_config=bigquery.LoadJobConfig(schema=table.schema),
    ).result()


def test_upsert_into_the_legacy_table_adds_missing_columns(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    client = bq.client()
    create_legacy_table(client, dataset, [legacy_row(1), legacy_row(2), legacy_row(3)])
    changed = legacy_row(2, user_name="renamed", duration="3600", last_modify="2026-03-02 08:00:00")
    new = legacy_row(4)
    messages = [
        schema(LEGACY_TABLE, STREAM_PROPERTIES),
        *records(LEGACY_TABLE, [_as_json({**changed, ENRICHMENT: "Clients/ACME"}), _as_json(new)]),
        state(LEGACY_TABLE, 4),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    rows = table_rows(client, dataset, LEGACY_TABLE, LEGACY_COLUMNS)
    assert rows == [legacy_row(1), changed, legacy_row(3), new]  # kept, updated, kept, added
    assert_states_covered(run, LEGACY_TABLE, [row["id"] for row in rows])
    assert run.through_ids(LEGACY_TABLE) == [4]
    assert run.returncode == 0

    columns = client.get_table(f"{PROJECT}.{dataset}.{LEGACY_TABLE}").schema
    # The legacy columns keep their order, types and mode; the rest are appended, NULLABLE.
    assert [
        (field.name, field.field_type) for field in columns[: len(LEGACY_SCHEMA)]
    ] == LEGACY_SCHEMA
    assert all(field.mode == "NULLABLE" for field in columns[: len(LEGACY_SCHEMA)])
    added = columns[len(LEGACY_SCHEMA) :]
    assert {field.name for field in added} == {*SDC_COLUMNS, ENRICHMENT}
    assert {field.mode for field in added} == {"NULLABLE"}
    enrichment = table_rows(client, dataset, LEGACY_TABLE, ["id", ENRICHMENT])
    assert [row[ENRICHMENT] for row in enrichment] == [None, "Clients/ACME", None, None]
