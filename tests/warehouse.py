"""Read what landed in BigQuery, the way a report would."""

from __future__ import annotations

import json
import typing as t

from google.cloud import bigquery

from tests.pipeline import PROJECT, REPO

# The legacy scripts' table, the contract the pipeline keeps (shared with the loader's tests).
_CONTRACT = json.loads((REPO / "contracts" / "legacy-timecamp-entries.json").read_text())
LEGACY_SCHEMA: list[tuple[str, str]] = [(name, kind) for name, kind in _CONTRACT["columns"]]


def rows(client: bigquery.Client, dataset: str, table: str) -> list[dict[str, t.Any]]:
    result = client.query(f"SELECT * FROM `{PROJECT}.{dataset}.{table}`").result()
    return [dict(row.items()) for row in result]


def business_columns(row: dict[str, t.Any]) -> dict[str, t.Any]:
    """A row without the loader's `_sdc_*` bookkeeping, dates as TimeCamp writes them."""
    return {
        key: (value.isoformat() if key == "date" and value is not None else value)
        for key, value in row.items()
        if not key.startswith("_sdc_")
    }


def table_names(client: bigquery.Client, dataset: str) -> set[str]:
    return {table.table_id for table in client.list_tables(f"{PROJECT}.{dataset}")}


def schema(client: bigquery.Client, dataset: str, table: str) -> list[bigquery.SchemaField]:
    return list(client.get_table(f"{PROJECT}.{dataset}.{table}").schema)
