"""A stream's JSON Schema becomes the columns z3-target-bigquery 0.7.2 gave the same schema."""

from __future__ import annotations

from target_bigquery_safe.columns import columns
from tests.old_layout import OLD_LAYOUT, PROPERTIES


def test_the_columns_are_those_0_7_2_created_for_the_same_schema() -> None:
    made = columns({"properties": PROPERTIES})

    assert [field.to_api_repr() for field in made] == [f.to_api_repr() for f in OLD_LAYOUT]


def test_integer_or_string_is_a_string_column() -> None:
    [column, *_] = columns({"properties": {"id": {"type": ["integer", "string"]}}})

    assert (column.field_type, column.mode) == ("STRING", "NULLABLE")


def test_an_array_of_objects_is_a_repeated_record() -> None:
    spec = {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}}
    [column, *_] = columns({"properties": {"tags": spec}})

    assert (column.field_type, column.mode, [f.name for f in column.fields]) == (
        "RECORD",
        "REPEATED",
        ["x"],
    )


def test_the_first_choice_of_an_any_of_counts() -> None:
    spec = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
    [column, *_] = columns({"properties": {"at": spec}})

    assert column.field_type == "TIMESTAMP"


def test_a_metadata_property_the_stream_declares_keeps_its_place() -> None:
    properties = {"id": {"type": "integer"}, "_sdc_deleted_at": {"type": ["string", "null"]}}

    names = [field.name for field in columns({"properties": properties})]

    assert names[:2] == ["id", "_sdc_deleted_at"]
    assert names.count("_sdc_deleted_at") == 1
