"""TimeCamp's loose JSON brought to the schema's types in one pass, as the SDK would conform it."""

from __future__ import annotations

import logging
import math
import typing as t

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from singer_sdk.helpers._typing import conform_record_data_types
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_timecamp import coercion
from tap_timecamp.base_stream import SCHEMAS
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config

SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "flag": {"type": ["boolean", "null"]},
        "only_flag": {"type": "boolean"},
        "either": {"type": ["boolean", "string", "null"]},
        "amount": {"type": ["number", "null"]},
        "tags": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {"tag_id": {"type": ["string", "null"]}, "on": {"type": "boolean"}},
            },
        },
        "numbers": {"type": ["array", "null"], "items": {"type": ["boolean", "null"]}},
        "loose": {"type": ["object", "null"], "properties": {"a": {"type": "integer"}}},
        "open": {"type": "object", "properties": {}, "additionalProperties": True},
    },
}

# (as TimeCamp may send it, as the schema's types have it)
CASES: list[tuple[dict[str, t.Any], dict[str, t.Any]]] = [
    (
        {"id": 1, "name": "x", "flag": True, "only_flag": 0, "amount": 1.5},
        {"id": 1, "name": "x", "flag": True, "only_flag": False, "amount": 1.5},
    ),
    (
        {"id": "2", "name": None, "flag": None, "only_flag": "1", "either": 1, "unknown": "x"},
        {"id": 2, "name": None, "flag": None, "only_flag": True, "either": 1},
    ),
    (
        {"id": 3, "flag": "0", "only_flag": "", "amount": math.nan, "name": 12},
        {"id": 3, "flag": False, "only_flag": False, "amount": None, "name": "12"},
    ),
    (
        {"id": 4.0, "amount": "inf", "tags": [{"tag_id": 7, "on": "1", "extra": "x"}, "raw"]},
        {"id": 4, "amount": None, "tags": [{"tag_id": "7", "on": True}, None]},
    ),
    (
        {"id": 5, "tags": {}, "numbers": [0, 1, None, "0"], "loose": {"a": "1", "b": 2}},
        {"id": 5, "tags": [], "numbers": [False, True, None, False], "loose": {"a": 1}},
    ),
    (
        {"id": 6, "loose": "not an object", "open": {"anything": [1, 2]}, "tags": "not a list"},
        {"id": 6, "loose": None, "open": {"anything": [1, 2]}, "tags": None},
    ),
    (
        {"id": "seven", "amount": "12,5", "either": math.inf, "name": {"a": 1}, "flag": "maybe"},
        {"id": None, "amount": None, "either": None, "name": None, "flag": None},
    ),
    (
        {"id": 8, "amount": 3, "tags": {"9": {"tag_id": "9"}}, "only_flag": True},
        {"id": 8, "amount": 3.0, "tags": [{"tag_id": "9"}], "only_flag": True},
    ),
]


def sdk_conformed(record: dict[str, t.Any], schema: dict[str, t.Any]) -> dict[str, t.Any]:
    return conform_record_data_types(
        stream_name="test",
        record=record,
        schema=schema,
        level=TypeConformanceLevel.RECURSIVE,
        logger=logging.getLogger("test"),
    )


@pytest.mark.parametrize(("sent", "typed"), CASES, ids=[str(c[0]["id"]) for c in CASES])
def test_each_value_gets_its_declared_type_or_null(sent, typed):
    normalised, _ = coercion.compile_normaliser(SCHEMA)(sent)

    assert normalised == typed
    assert [type(v) for v in normalised.values()] == [type(v) for v in typed.values()]


@pytest.mark.parametrize(("sent", "typed"), CASES, ids=[str(c[0]["id"]) for c in CASES])
def test_the_sdks_conformance_would_change_nothing_of_what_it_sends(sent, typed):
    normalised, _ = coercion.compile_normaliser(SCHEMA)(sent)

    assert sdk_conformed(dict(normalised), SCHEMA) == normalised


def test_properties_the_schema_does_not_name_are_left_out_and_named_with_their_path():
    normalised, unmapped = coercion.compile_normaliser(SCHEMA)(
        {"id": 1, "unknown": 1, "tags": [{"tag_id": "1", "extra": 2}], "loose": {"b": 1}}
    )

    assert normalised == {"id": 1, "tags": [{"tag_id": "1"}], "loose": {}}
    assert unmapped == ["unknown", "tags.extra", "loose.b"]


def test_a_time_entry_as_timecamp_sends_it_gets_its_columns_types():
    schema = SCHEMAS.get_schema("time_entries")
    entry = {
        "id": "101",
        "duration": 3600,
        "user_id": "1",
        "date": "2026-03-01",
        "billable": "1",
        "hasEntryLocationHistory": False,
        "tags": [{"tagListName": "A", "tagListId": 1, "tagId": "2", "name": "t", "x": 1}],
        "breadcrumps": "P / Q",
        "project_id": "5",
        "not_in_schema": "x",
    }

    normalised, unmapped = coercion.compile_normaliser(schema)(entry)

    assert (normalised["id"], normalised["duration"], normalised["billable"]) == (101, "3600", 1)
    assert normalised["tags"] == [{"tagListName": "A", "tagListId": "1", "tagId": "2", "name": "t"}]
    assert "not_in_schema" not in normalised
    assert unmapped == ["tags.x", "not_in_schema"]
    assert sdk_conformed(dict(normalised), schema) == normalised


def test_what_the_schema_lacks_is_reported_once_per_stream_and_set_of_paths(caplog):
    logger = logging.getLogger("test-unmapped")
    coercion.warn_unmapped.cache_clear()

    for _ in range(3):
        coercion.warn_unmapped("time_entries", ("a", "b.c"), logger)

    assert [r.getMessage() for r in caplog.records if r.name == logger.name] == [
        "time_entries: left out what TimeCamp sent that the stream's schema does not name: a, b.c"
    ]


def test_a_stream_types_its_records_by_the_catalogs_schema_of_it():
    tap = TapTimeCamp(config=base_config(), parse_env_config=False)
    catalog = tap.catalog_dict
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == "users")
    del entry["schema"]["properties"]["email"]
    entry["schema"]["properties"]["login_count"] = {"type": ["string", "null"]}
    users = TapTimeCamp(config=base_config(), catalog=catalog).streams["users"]

    record = users.post_process({"user_id": "7", "email": "a@b.c", "login_count": 3})

    assert record == {"user_id": 7, "login_count": "3"}


# Strictly typed: one declared type per property, no property kept as sent.
STRICT_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        name: SCHEMA["properties"][name]
        for name in ("id", "name", "flag", "only_flag", "amount", "tags", "numbers", "loose")
    },
}
# What a decoded JSON value can be, with the strings TimeCamp's loose types make likely.
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "0", "1", "7", "1e3", "5.0", " 5", "true", "null", "12,5", "-0"])
    | st.text(max_size=4)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["tag_id", "on", "a", "b"]), inner, max_size=3)
    ),
    max_leaves=8,
)
RECORDS = st.dictionaries(
    st.sampled_from([*STRICT_SCHEMA["properties"], "unknown"]), JSON_VALUES, max_size=6
)


def with_types(value: t.Any) -> t.Any:
    """The value with each scalar's type beside it: 1, 1.0 and True are equal otherwise."""
    if isinstance(value, dict):
        return {key: with_types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_types(item) for item in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize(
    "schema", [STRICT_SCHEMA, SCHEMAS.get_schema("time_entries")], ids=["strict", "time_entries"]
)
@given(record=RECORDS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_record_checked_as_declared_is_what_converting_each_property_gives(schema, record):
    """The check in C first, then the per-property path: the same record, the same report."""
    checked = coercion.compile_normaliser(schema)(dict(record))
    converted = coercion.compile_converter(schema)(dict(record))

    assert with_types(checked[0]) == with_types(converted[0])
    assert checked[1] == converted[1]


def test_records_already_as_declared_skip_the_per_property_path(monkeypatch):
    def converter_never_called(schema):
        def convert(record):
            raise AssertionError(f"converted {record}")

        return convert

    monkeypatch.setattr(coercion, "compile_converter", converter_never_called)
    normalise = coercion.compile_normaliser(STRICT_SCHEMA)
    record = {"id": 1, "name": "x", "tags": [{"tag_id": "2", "on": True}], "loose": {"a": 3}}

    assert normalise(record) == (record, [])
