"""Additive schema evolution: which columns an existing table must gain, never lose or retype.

0.7.2's ``Denormalized.update_schema`` builds the "current" table from the stream's own
schema and compares it with that same schema, so it never finds a missing column. In
upsert mode the MERGE then names a column the table lacks and fails (a table made by the
legacy scripts has no ``_sdc_*`` columns; a newly enabled enrichment adds more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.cloud.bigquery import SchemaField

# The API reports legacy type names; DDL and the loader may use the standard ones.
_STANDARD_TO_LEGACY = {
    "INT64": "INTEGER",
    "FLOAT64": "FLOAT",
    "BOOL": "BOOLEAN",
    "STRUCT": "RECORD",
}


@dataclass(frozen=True)
class TypeConflict:
    """A column whose type in the table differs from the stream's; it is left as it is."""

    path: str
    table_type: str
    stream_type: str

    def __str__(self) -> str:
        """Render as ``path (table TYPE, stream TYPE)`` for a log line."""
        return f"{self.path} (table {self.table_type}, stream {self.stream_type})"


@dataclass(frozen=True)
class Evolution:
    """The outcome of comparing a table with a stream."""

    schema: list[SchemaField]
    """The table's columns, in their order, followed by the added ones."""
    added: list[str]
    """Dotted paths of the added columns (nested ones inside existing RECORDs too)."""
    conflicts: list[TypeConflict]
    """Columns whose types differ: reported, never changed (BigQuery cannot retype in place)."""


def _type(field: SchemaField) -> str:
    return _STANDARD_TO_LEGACY.get(field.field_type, field.field_type)


def _key(field: SchemaField) -> str:
    # BigQuery column names are case-insensitive: `invoiceId` and `invoiceid` are one column,
    # and adding the second would fail with "duplicate column".
    return str(field.name).lower()


def _with_fields(field: SchemaField, fields: Sequence[SchemaField], mode: str) -> SchemaField:
    # Through the API form so that every other property (description, policy tags, ...)
    # survives the copy.
    api = dict(field.to_api_repr())
    api["mode"] = mode
    if fields:
        api["fields"] = [sub.to_api_repr() for sub in fields]
    return SchemaField.from_api_repr(api)


def _as_addable(field: SchemaField) -> SchemaField:
    # BigQuery accepts only NULLABLE (or REPEATED) new columns: rows already in the table
    # have no value for them.
    mode = "REPEATED" if field.mode == "REPEATED" else "NULLABLE"
    return _with_fields(field, [_as_addable(sub) for sub in field.fields], mode)


def evolve(table_schema: Sequence[SchemaField], stream_schema: Sequence[SchemaField]) -> Evolution:
    """Extend ``table_schema`` with the columns of ``stream_schema`` it lacks.

    Existing columns keep their position, type and mode, and columns only in the table
    stay. Missing nested fields of an existing RECORD column are added inside it.
    """
    return _evolve(table_schema, stream_schema, prefix="")


def _evolve(
    table_schema: Sequence[SchemaField], stream_schema: Sequence[SchemaField], prefix: str
) -> Evolution:
    merged = {_key(field): field for field in table_schema}
    added: list[str] = []
    conflicts: list[TypeConflict] = []
    for wanted in stream_schema:
        path = f"{prefix}{wanted.name}"
        have = merged.get(_key(wanted))
        if have is None:
            merged[_key(wanted)] = _as_addable(wanted)
            added.append(path)
        elif _type(have) != _type(wanted):
            conflicts.append(TypeConflict(path, _type(have), _type(wanted)))
        elif _type(have) == "RECORD":
            inner = _evolve(have.fields, wanted.fields, prefix=f"{path}.")
            if inner.added:
                merged[_key(have)] = _with_fields(have, inner.schema, have.mode)
            added += inner.added
            conflicts += inner.conflicts
    return Evolution(list(merged.values()), added, conflicts)
