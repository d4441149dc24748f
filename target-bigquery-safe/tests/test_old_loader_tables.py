"""Tables the 0.7.2-based loader made keep loading, as they are, without a rebuild.

The table is made with that loader's layout (tests/old_layout.py), partitioning and
clustering; its rows carry `_sdc_table_version` stamps of earlier runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from google.cloud import bigquery

from bigquery_emulator import BigQueryEmulator
from tests.old_layout import OLD_LAYOUT, PROPERTIES
from tests.targetrun import (
    PROJECT,
    SAFE,
    loader_config,
    records,
    run_target,
    schema,
    state,
    table_rows,
)

STREAM = "users"


def old_row(user_id: int, version: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": f"user {user_id}",
        "at": "2026-01-02T03:04:05+00:00",
        "d": "2026-01-02",
        "n": 1.5,
        "b": True,
        "obj": {"a": user_id},
        "arr": [1, 2],
        "_sdc_batched_at": "2026-01-02T03:04:05+00:00",
        "_sdc_received_at": "2026-01-02T03:04:05+00:00",
        "_sdc_sequence": 1,
        "_sdc_table_version": version,
    }


def make_old_table(client: bigquery.Client, dataset: str) -> bigquery.Table:
    table = bigquery.Table(f"{PROJECT}.{dataset}.{STREAM}", schema=OLD_LAYOUT)
    table.time_partitioning = bigquery.TimePartitioning(
        type_=bigquery.TimePartitioningType.MONTH, field="_sdc_batched_at"
    )
    table.clustering_fields = ["_sdc_batched_at"]
    table = client.create_table(table)
    client.load_table_from_json(
        [old_row(1, 1796000000000), old_row(2, 1796000000000)],
        table,
        job_config=bigquery.LoadJobConfig(schema=OLD_LAYOUT),
    ).result()
    return table


def test_a_table_the_old_loader_made_is_upserted_and_activated_without_a_rebuild(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    client = bq.client()
    before = make_old_table(client, dataset)
    version = 1796100000000
    rows = records(
        STREAM,
        [
            {
                **{k: v for k, v in old_row(1, 0).items() if not k.startswith("_sdc")},
                "name": "renamed",
            },
            {"id": 3, "name": "new", "obj": {"a": 3}, "arr": []},
        ],
    )
    for row in rows:
        row["version"] = version
    messages = [
        schema(STREAM, PROPERTIES),
        *rows,
        state(STREAM, 3),
        {"type": "ACTIVATE_VERSION", "stream": STREAM, "version": version},
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.through_ids(STREAM) == [3]
    after = client.get_table(f"{PROJECT}.{dataset}.{STREAM}")
    assert after.created == before.created  # the same table, not a rebuilt one
    assert [f.to_api_repr() for f in after.schema] == [f.to_api_repr() for f in before.schema]
    assert after.time_partitioning.type_ == "MONTH"
    assert after.time_partitioning.field == "_sdc_batched_at"
    assert after.clustering_fields == ["_sdc_batched_at"]
    got = table_rows(
        client, dataset, STREAM, ["id", "name", "d", "obj", "arr", "_sdc_table_version"]
    )
    assert got == [
        {
            "id": 1,
            "name": "renamed",
            "d": dt.date(2026, 1, 2),
            "obj": {"a": 1},
            "arr": [1, 2],
            "_sdc_table_version": version,
        },
        {
            "id": 2,
            "name": "user 2",
            "d": dt.date(2026, 1, 2),
            "obj": {"a": 2},
            "arr": [1, 2],
            "_sdc_table_version": 1796000000000,
        },
        {
            "id": 3,
            "name": "new",
            "d": None,
            "obj": {"a": 3},
            "arr": [],
            "_sdc_table_version": version,
        },
    ]
    deleted = table_rows(client, dataset, STREAM, ["id", "_sdc_deleted_at"])
    assert [row["_sdc_deleted_at"] is not None for row in deleted] == [False, True, False]
