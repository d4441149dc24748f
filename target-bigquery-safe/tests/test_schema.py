"""Unit tests of the additive schema evolution (no emulator)."""

from __future__ import annotations

from google.cloud.bigquery import SchemaField

from target_bigquery_safe.schema import TypeConflict, evolve


def shape(fields: list[SchemaField]) -> list[tuple[str, str, str]]:
    return [(field.name, field.field_type, field.mode) for field in fields]


def test_missing_columns_are_appended_as_nullable_after_the_existing_ones() -> None:
    table = [SchemaField("id", "INTEGER", "REQUIRED"), SchemaField("legacy_only", "STRING")]
    stream = [
        SchemaField("id", "INTEGER"),
        SchemaField("_sdc_batched_at", "TIMESTAMP", "REQUIRED"),
        SchemaField("tags", "STRING", "REPEATED"),
    ]

    evolution = evolve(table, stream)

    assert shape(evolution.schema) == [
        ("id", "INTEGER", "REQUIRED"),  # existing columns untouched, even their mode
        ("legacy_only", "STRING", "NULLABLE"),  # never dropped
        ("_sdc_batched_at", "TIMESTAMP", "NULLABLE"),  # rows already there have no value
        ("tags", "STRING", "REPEATED"),  # arrays stay arrays (BigQuery allows adding them)
    ]
    assert evolution.added == ["_sdc_batched_at", "tags"]
    assert evolution.conflicts == []


def test_nothing_to_do_when_the_table_has_every_column() -> None:
    table = [SchemaField("id", "INTEGER"), SchemaField("name", "STRING")]

    evolution = evolve(table, [SchemaField("name", "STRING")])

    assert evolution.added == []
    assert shape(evolution.schema) == shape(table)


def test_names_match_case_insensitively_like_bigquery() -> None:
    evolution = evolve([SchemaField("invoiceId", "STRING")], [SchemaField("invoiceid", "STRING")])

    assert evolution.added == []
    assert shape(evolution.schema) == [("invoiceId", "STRING", "NULLABLE")]


def test_differing_types_are_reported_and_kept() -> None:
    table = [SchemaField("last_modify", "STRING"), SchemaField("billable", "INT64")]
    stream = [SchemaField("last_modify", "TIMESTAMP"), SchemaField("billable", "INTEGER")]

    evolution = evolve(table, stream)

    assert evolution.conflicts == [TypeConflict("last_modify", "STRING", "TIMESTAMP")]
    assert str(evolution.conflicts[0]) == "last_modify (table STRING, stream TIMESTAMP)"
    assert shape(evolution.schema) == [
        ("last_modify", "STRING", "NULLABLE"),
        ("billable", "INT64", "NULLABLE"),  # INT64 and INTEGER are one type
    ]


def test_missing_fields_of_an_existing_record_are_added_inside_it() -> None:
    table = [
        SchemaField("user", "RECORD", fields=[SchemaField("id", "INTEGER")], description="who")
    ]
    stream = [
        SchemaField(
            "user",
            "RECORD",
            fields=[SchemaField("id", "INTEGER"), SchemaField("email", "STRING", "REQUIRED")],
        )
    ]

    evolution = evolve(table, stream)

    (user,) = evolution.schema
    assert user.description == "who"  # the column's other properties survive
    assert shape(list(user.fields)) == [
        ("id", "INTEGER", "NULLABLE"),
        ("email", "STRING", "NULLABLE"),
    ]
    assert evolution.added == ["user.email"]
