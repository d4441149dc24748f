"""Data TimeCamp was not expected to send is read without a crash or a corrupted column."""

from __future__ import annotations

import pytest

from tests.running import sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault

ENTRY = {
    "id": 77181352,
    "duration": "2700",
    "user_id": "123",
    "user_name": "John Kowalski",
    "task_id": "51218281",
    "task_note": "",
    "last_modify": "2026-02-02 00:03:50",
    "date": "2026-02-03",
    "start_time": "09:00:00",
    "end_time": "09:45:00",
    "locked": "0",
    "name": "Development projects",
    "addons_external_id": "",
    "billable": 1,
    "invoiceId": "0",
    "color": "#5DCB73",
    "description": "my description",
    "hasEntryLocationHistory": False,
    "project_id": 42,
    "project_name": "Project",
    "breadcrumps": "",
    "tags": [
        {"tagListName": "L", "tagListId": "8", "tagId": "13", "name": "Dev", "mandatory": "0"}
    ],
}
UNUSUAL = (
    "\u202eRTL\u200d👩🏽\u200d💻 \ufeffBOM \U0001d518\U0001d52b\U0001d526 e\u0301 "
    '\u0000 NUL \\ "quoted" \n\t</x>'
)


def entries_answer(*entries):
    return Fault(path="/entries", kind="status", status=200, body=list(entries))


def time_entries(timecamp, *entries):
    sim, server = timecamp
    sim.add_fault(entries_answer(*entries))
    run = sync_here(tap_config(server.base_url, track_deletions=False))
    assert run.returncode == 0, run.stderr[-2000:]
    return {record["id"]: record for record in run.records()}


def test_unknown_fields_are_left_out_and_the_known_ones_kept(timecamp):
    extra = {**ENTRY, "brand_new": {"nested": [1, 2]}, "another": "x"}

    (record,) = time_entries(timecamp, extra).values()

    assert record == ENTRY


def test_nulls_where_values_were_expected_stay_null_in_their_own_column(timecamp):
    nulls = dict.fromkeys(
        ("duration", "user_id", "date", "start_time", "description", "tags", "project_id"), None
    )

    (record,) = time_entries(timecamp, {**ENTRY, **nulls}).values()

    assert record == {**ENTRY, **nulls}


def test_numbers_as_strings_and_strings_as_numbers_get_the_columns_types(timecamp):
    swapped = {
        **ENTRY,
        "id": "77181352",
        "duration": 2700,
        "user_id": 123,
        "locked": 0,
        "invoiceId": 0,
        "billable": "1",
        "project_id": "42",
        "hasEntryLocationHistory": "0",
    }

    (record,) = time_entries(timecamp, swapped).values()

    assert record == ENTRY


def test_values_that_cannot_be_converted_become_null_without_touching_other_columns(
    timecamp,
):
    broken = {**ENTRY, "billable": "sometimes", "project_id": "n/a", "user_id": {"id": 1}}

    (record,) = time_entries(timecamp, broken).values()

    assert record == {**ENTRY, "billable": None, "project_id": None, "user_id": None}


@pytest.mark.parametrize("tags", [{}, [], {"13": ENTRY["tags"][0]}])
def test_tags_as_an_object_or_empty_are_read_as_a_list(timecamp, tags):
    (record,) = time_entries(timecamp, {**ENTRY, "tags": tags}).values()

    assert record["tags"] == (list(tags.values()) if isinstance(tags, dict) else tags)
    assert {k: v for k, v in record.items() if k != "tags"} == {
        k: v for k, v in ENTRY.items() if k != "tags"
    }


def test_a_very_long_description_and_unusual_unicode_arrive_intact(timecamp):
    long = {**ENTRY, "id": 1, "description": "é" * 200_000}
    odd = {**ENTRY, "id": 2, "description": UNUSUAL, "user_name": UNUSUAL}

    records = time_entries(timecamp, long, odd)

    assert records[1] == long
    assert records[2] == odd


@pytest.mark.parametrize(
    ("path", "stream"),
    [
        ("/tasks", "tasks"),
        ("/tag_list", "tag_lists"),
        ("/tag_list", "tags"),
        ("/group", "groups"),
    ],
)
def test_an_empty_list_where_an_object_keyed_by_id_was_expected_is_no_records(
    timecamp, path, stream
):
    sim, server = timecamp
    sim.add_fault(Fault(path=path, kind="status", status=200, body=[]))

    run = sync_here(tap_config(server.base_url, track_deletions=False))

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records(stream) == []
    assert run.records("users"), "the other streams are read as usual"


@pytest.mark.parametrize("body", [[], {}, {"1": []}])
def test_user_settings_in_an_unexpected_shape_leave_only_the_disabled_flag_unknown(timecamp, body):
    sim, server = timecamp
    sim.add_fault(Fault(path="/user/*/setting", kind="status", status=200, body=body))

    run = sync_here(tap_config(server.base_url, track_deletions=False))

    assert run.returncode == 0, run.stderr[-2000:]
    users = run.records("users")
    assert len(users) == 6
    assert all(user["is_disabled"] is None for user in users)
    assert all(user["email"] and user["group_name"] for user in users)
