"""A stream's JSON Schema as BigQuery columns: the types the project's tables have always had.

The mapping is the one z3-target-bigquery 0.7.2 (its default "v1" resolver) gave every table
this project made, so that tables it created keep loading: ``format`` first (``date-time``
TIMESTAMP, ``date`` DATE, ``time`` TIME), then ``number`` FLOAT, ``integer`` with ``string``
STRING, ``integer`` INTEGER, ``boolean`` BOOLEAN, an object with properties RECORD, an
object without JSON, an array REPEATED, anything else STRING; every column NULLABLE. Of an
``anyOf`` the first choice counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.cloud.bigquery import SchemaField

# Metadata the target writes in every row, in the order z3-target-bigquery 0.7.2 created
# them. `_sdc_sync_started_at`, which singer-sdk has added since, is left out: the tables and
# the dbt models read exactly these names.
METADATA_COLUMNS: dict[str, dict[str, Any]] = {
    "_sdc_batched_at": {"type": ["null", "string"], "format": "date-time"},
    "_sdc_deleted_at": {"type": ["null", "string"], "format": "date-time"},
    "_sdc_received_at": {"type": ["null", "string"], "format": "date-time"},
    "_sdc_extracted_at": {"type": ["null", "string"], "format": "date-time"},
    "_sdc_sequence": {"type": ["null", "integer"]},
    "_sdc_table_version": {"type": ["null", "integer"]},
}


# The format decides before the type does.
_BY_FORMAT = {"date-time": "TIMESTAMP", "date": "DATE", "time": "TIME"}


def _types(spec: Mapping[str, Any]) -> tuple[set[str], str | None]:
    choice = spec["anyOf"][0] if spec.get("anyOf") else spec
    kinds = choice.get("type", "string")
    return ({kinds} if isinstance(kinds, str) else set(kinds)), choice.get("format")


def scalar_type(kinds: set[str], fmt: str | None) -> str:
    """The BigQuery type of a non-array, non-object property."""
    if fmt in _BY_FORMAT:
        return _BY_FORMAT[fmt]
    if "number" in kinds:
        return "FLOAT"
    if "integer" in kinds:
        return "STRING" if "string" in kinds else "INTEGER"
    return "BOOLEAN" if "boolean" in kinds else "STRING"


def column(name: str, spec: Mapping[str, Any]) -> SchemaField:
    """The column for one property of a stream's schema."""
    kinds, fmt = _types(spec)
    if "array" in kinds:
        items = spec.get("items")
        if not isinstance(items, Mapping):
            return SchemaField(name, "JSON", "REPEATED")
        item_kinds, item_fmt = _types(items)
        if "object" in item_kinds and fmt is None and item_fmt is None:
            return _record(name, items, "REPEATED")
        return SchemaField(name, scalar_type(item_kinds, item_fmt), "REPEATED")
    if "object" in kinds and fmt is None:
        return _record(name, spec, "NULLABLE")
    return SchemaField(name, scalar_type(kinds, fmt), "NULLABLE")


def _record(name: str, spec: Mapping[str, Any], mode: str) -> SchemaField:
    properties = spec.get("properties") or {}
    if not properties:
        return SchemaField(name, "JSON", mode)
    return SchemaField(
        name, "RECORD", mode, fields=[column(sub, sub_spec) for sub, sub_spec in properties.items()]
    )


def columns(schema: Mapping[str, Any]) -> list[SchemaField]:
    """The columns of a stream: its properties in order, then the metadata columns."""
    properties = {**schema.get("properties", {}), **METADATA_COLUMNS}
    return [column(name, spec) for name, spec in properties.items()]
