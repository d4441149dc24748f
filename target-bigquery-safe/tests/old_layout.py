"""A stream schema and the table z3-target-bigquery 0.7.2 created for it.

Read from a table that loader (under the project's former 0.7.2-based target-bigquery-safe)
created on the emulator: its column types, its metadata columns in their order. It also
partitioned the table by month of `_sdc_batched_at` and clustered it on that column.
"""

from __future__ import annotations

from google.cloud.bigquery import SchemaField

PROPERTIES = {
    "id": {"type": "integer"},
    "name": {"type": ["string", "null"]},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "d": {"type": ["string", "null"], "format": "date"},
    "n": {"type": ["number", "null"]},
    "b": {"type": ["boolean", "null"]},
    "obj": {"type": ["object", "null"], "properties": {"a": {"type": ["integer", "null"]}}},
    "arr": {"type": ["array", "null"], "items": {"type": "integer"}},
    "free": {"type": ["object", "null"]},
}
OLD_LAYOUT = [
    SchemaField("id", "INTEGER"),
    SchemaField("name", "STRING"),
    SchemaField("at", "TIMESTAMP"),
    SchemaField("d", "DATE"),
    SchemaField("n", "FLOAT"),
    SchemaField("b", "BOOLEAN"),
    SchemaField("obj", "RECORD", fields=[SchemaField("a", "INTEGER")]),
    SchemaField("arr", "INTEGER", "REPEATED"),
    SchemaField("free", "JSON"),
    SchemaField("_sdc_batched_at", "TIMESTAMP"),
    SchemaField("_sdc_deleted_at", "TIMESTAMP"),
    SchemaField("_sdc_received_at", "TIMESTAMP"),
    SchemaField("_sdc_extracted_at", "TIMESTAMP"),
    SchemaField("_sdc_sequence", "INTEGER"),
    SchemaField("_sdc_table_version", "INTEGER"),
]
