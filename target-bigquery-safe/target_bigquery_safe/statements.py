"""The SQL the target runs: the MERGE of a batch, its optional dedupe, the deletion marking.

Every identifier is back-quoted; a version is an int the message check let through. Nested
fields are paired by name: a RECORD column is rebuilt field by field with ``STRUCT(... AS
name)``, never assigned whole, because BigQuery coerces one STRUCT to another by position,
and a field added to the table later sits at the end of its RECORD.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud.bigquery import SchemaField

# Rows that repeat a key in one batch: the latest sent wins. `_sdc_sequence` is the time the
# target received the record, in milliseconds, so within one millisecond either row may win.
LATEST_FIRST = "`_sdc_sequence` DESC, COALESCE(`_sdc_extracted_at`, `_sdc_received_at`) DESC"


def quoted(name: str) -> str:
    """A column or table name as a BigQuery identifier."""
    return "`" + name.replace("`", "") + "`"


def value_of(field: SchemaField, path: str) -> str:
    """The expression that gives ``field`` of the row at ``path``, nested fields by name.

    A REPEATED RECORD is taken whole: the temporary table is made from the table's own
    schema, so its elements have the table's field order, and an element-wise rebuild
    (``ARRAY(SELECT AS STRUCT ...)``) is a subquery the local emulator cannot run in a MERGE.
    """
    if field.field_type not in ("RECORD", "STRUCT") or not field.fields:
        return path
    if field.mode == "REPEATED":
        return path
    inner = ", ".join(
        f"{value_of(sub, f'{path}.{quoted(sub.name)}')} AS {quoted(sub.name)}"
        for sub in field.fields
    )
    return f"IF({path} IS NULL, NULL, STRUCT({inner}))"


def merge(
    target: str,
    source: str,
    keys: Sequence[str],
    columns: Sequence[SchemaField],
    *,
    dedupe: bool,
) -> str:
    """One MERGE of ``source`` into ``target`` on ``keys``, writing ``columns`` only.

    With ``dedupe`` the source is reduced to the latest row per key first (a key sent twice
    in one batch, or a load retried after an attempt that may have landed).
    """
    rows = f"`{source}`"
    if dedupe:
        partition = ", ".join(quoted(key) for key in keys)
        # Identifiers only, each back-quoted (so for every statement here).
        rows = (
            f"(SELECT * FROM `{source}` QUALIFY ROW_NUMBER() OVER "  # noqa: S608
            f"(PARTITION BY {partition} ORDER BY {LATEST_FIRST}) = 1)"
        )
    on = " AND ".join(f"target.{quoted(key)} = source.{quoted(key)}" for key in keys)
    updates = ", ".join(
        f"target.{quoted(col.name)} = {value_of(col, f'source.{quoted(col.name)}')}"
        for col in columns
    )
    names = ", ".join(quoted(col.name) for col in columns)
    values = ", ".join(value_of(col, f"source.{quoted(col.name)}") for col in columns)
    return (
        f"MERGE `{target}` AS target USING {rows} AS source ON {on} "  # noqa: S608
        f"WHEN MATCHED THEN UPDATE SET {updates} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    )


def mark_other_versions_deleted(table: str, version: int) -> str:
    """Soft-delete every live row whose version is not ``version`` (NULL counts as another).

    "Not equal", not "older": a version is the tap's clock, and a clock that went back must not
    leave the rows of a later-stamped run live; a row sent under ``version`` is never marked.
    """
    return (
        f"UPDATE `{table}` SET `_sdc_deleted_at` = CURRENT_TIMESTAMP() "  # noqa: S608
        "WHERE `_sdc_deleted_at` IS NULL "
        f"AND (`_sdc_table_version` IS NULL OR `_sdc_table_version` != {int(version)})"
    )
