"""What each stream is: keys, replication, selection and types, without HTTP."""

from __future__ import annotations

import pytest

from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config

LEGACY_COLUMNS = {
    "id": "integer",
    "duration": "string",
    "user_id": "string",
    "user_name": "string",
    "task_id": "string",
    "task_note": "string",
    "last_modify": "string",
    "date": "string",
    "start_time": "string",
    "end_time": "string",
    "locked": "string",
    "name": "string",
    "addons_external_id": "string",
    "billable": "integer",
    "invoiceId": "string",
    "color": "string",
    "description": "string",
    "hasEntryLocationHistory": "boolean",
}


@pytest.fixture
def tap() -> TapTimeCamp:
    return TapTimeCamp(config=base_config(), setup_mapper=False)


def test_time_entries_is_incremental_on_last_modify_keyed_by_id(tap):
    stream = tap.streams["time_entries"]

    assert stream.primary_keys == ("id",)
    assert stream.replication_key == "last_modify"
    assert stream.replication_method == "INCREMENTAL"


def test_time_entries_has_the_18_legacy_columns_with_their_types(tap):
    properties = tap.streams["time_entries"].schema["properties"]

    for column, kind in LEGACY_COLUMNS.items():
        declared = properties[column]["type"]
        assert kind in ([declared] if isinstance(declared, str) else declared), column


def test_only_date_is_a_date_so_the_legacy_string_columns_stay_strings(tap):
    properties = tap.streams["time_entries"].schema["properties"]

    formats = {name: p.get("format") for name, p in properties.items() if p.get("format")}
    assert formats == {"date": "date", "_sdc_deleted_at": "date-time"}


def test_every_stream_has_a_key(tap):
    assert all(stream.primary_keys for stream in tap.streams.values())


def test_heavy_streams_and_those_of_modules_an_account_may_lack_are_not_selected_by_default(tap):
    unselected = {name for name, stream in tap.streams.items() if not stream.selected}

    heavy = {"computer_activities", "computer_applications"}
    # TimeCamp answers 403 where its attendance, approvals or expenses module is off.
    modules = {"attendance", "attendance_day_types", "approvals", "expenses", "expense_categories"}
    # A request per task, group or resource.
    per_object = {"billing_rates", "group_schedules", "custom_field_values"}
    # Custom fields are not on every plan.
    plan = {"custom_field_templates"}
    assert unselected == heavy | modules | per_object | plan
