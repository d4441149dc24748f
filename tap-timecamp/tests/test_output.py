"""The buffered message writer and the compiled record conformance."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import logging
import math
import sys
import typing as t

import pytest
from singer_sdk.helpers._typing import conform_record_data_types
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib import RecordMessage, SchemaMessage, StateMessage

from tap_timecamp import conform, schemas
from tap_timecamp.output import FLUSH_BYTES, BufferedMsgSpecWriter


class _Stdout:
    """A stdout whose binary buffer remembers every write and every flush."""

    def __init__(self) -> None:
        self.buffer = _Buffer()


class _Buffer(io.RawIOBase):
    """Like an unbuffered (`PYTHONUNBUFFERED`) stdout: a raw file, at most `most` bytes a write."""

    def __init__(self, most: int | None = None) -> None:
        super().__init__()
        self.pending = b""
        self.flushed: list[bytes] = []
        self.writes = 0
        self.most = most

    def write(self, data: t.Any) -> int:
        taken = bytes(data)[: self.most]
        self.writes += 1
        self.pending += taken
        return len(taken)

    def flush(self) -> None:
        if self.pending:
            self.flushed.append(self.pending)
        self.pending = b""


def _record(number: int) -> RecordMessage:
    return RecordMessage(stream="time_entries", record={"id": number})


def test_records_wait_in_the_buffer_until_a_state_flushes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = BufferedMsgSpecWriter()

    writer.write_message(SchemaMessage("time_entries", {"type": "object"}, ["id"]))
    assert len(stdout.buffer.flushed) == 1  # a SCHEMA goes out at once
    for number in range(3):
        writer.write_message(_record(number))
    assert len(stdout.buffer.flushed) == 1  # records are not flushed one by one
    writer.write_message(StateMessage({"bookmarks": {"time_entries": {"x": 3}}}))

    assert stdout.buffer.pending == b""
    lines = b"".join(stdout.buffer.flushed).decode().splitlines()
    types = [json.loads(line)["type"] for line in lines]
    # The STATE is flushed together with, and after, every record it covers.
    assert types == ["SCHEMA", "RECORD", "RECORD", "RECORD", "STATE"]
    last = stdout.buffer.flushed[-1].decode().splitlines()
    assert [json.loads(line)["type"] for line in last] == ["RECORD"] * 3 + ["STATE"]


def test_records_reach_stdout_in_a_few_large_writes_not_one_write_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = BufferedMsgSpecWriter()

    for number in range(10_000):
        writer.write_message(_record(number))
    writer.write_message(StateMessage({}))

    lines = b"".join(stdout.buffer.flushed).splitlines()
    assert len(lines) == 10_001
    assert stdout.buffer.writes < 10


def test_a_long_run_of_records_goes_out_without_waiting_for_a_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = BufferedMsgSpecWriter()

    number = 0
    while not stdout.buffer.flushed:
        writer.write_message(_record(number))
        number += 1

    assert len(stdout.buffer.flushed[0]) >= FLUSH_BYTES


def test_a_stdout_that_takes_part_of_a_write_still_gets_every_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    stdout.buffer = _Buffer(most=100)
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = BufferedMsgSpecWriter()

    for number in range(50):
        writer.write_message(_record(number))
    writer.write_message(StateMessage({}))

    lines = b"".join(stdout.buffer.flushed).splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["RECORD"] * 50 + ["STATE"]


def test_records_pending_when_the_writer_is_dropped_are_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = BufferedMsgSpecWriter()
    writer.write_message(_record(1))
    assert not stdout.buffer.flushed

    del writer
    gc.collect()

    assert [json.loads(line)["record"] for line in stdout.buffer.flushed] == [{"id": 1}]


def test_written_lines_are_the_sdk_writers_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    message = RecordMessage(
        stream="time_entries",
        record={"id": 1, "description": 'a "quote" ✓'},
        time_extracted=dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC),
    )
    writer = BufferedMsgSpecWriter()
    expected = bytes(writer.format_message(message))
    writer.write_message(message)
    writer.write_message(StateMessage({}))
    assert b"".join(stdout.buffer.flushed).startswith(expected)


def _sdk(record: dict[str, t.Any], schema: dict[str, t.Any]) -> dict[str, t.Any]:
    return conform_record_data_types(
        stream_name="test",
        record=record,
        schema=schema,
        level=TypeConformanceLevel.RECURSIVE,
        logger=logging.getLogger("test"),
    )


SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "flag": {"type": ["boolean", "null"]},
        "only_flag": {"type": "boolean"},
        "either": {"type": ["boolean", "string", "null"]},
        "amount": {"type": ["number", "null"]},
        "when": {"type": ["string", "null"], "format": "date-time"},
        "day": {"type": ["string", "null"], "format": "date"},
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

RECORDS: list[dict[str, t.Any]] = [
    {"id": 1, "name": "x", "flag": True, "only_flag": 0, "amount": 1.5},
    {"id": 2, "name": None, "flag": None, "only_flag": 1, "either": 1, "unknown": "dropped"},
    {"id": 3, "flag": 0, "only_flag": "0", "amount": math.nan},
    {"id": 4, "amount": math.inf, "tags": [{"tag_id": "7", "on": 1, "extra": "x"}, "raw"]},
    {"id": 5, "tags": [], "numbers": [0, 1, None, "0"], "loose": {"a": 1, "b": 2}},
    {"id": 6, "loose": "not an object", "open": {"anything": [1, 2]}, "tags": "not a list"},
    {"id": 7, "when": dt.datetime(2026, 3, 31, 12, 30), "day": dt.date(2026, 3, 31)},
    {"id": 8, "when": dt.datetime(2026, 3, 31, 12, 30, tzinfo=dt.UTC), "name": b"\x01"},
    {"id": 9, "flag": b"\x00", "only_flag": b"\x01", "name": 12, "amount": 3},
]


@pytest.mark.parametrize("record", RECORDS, ids=[str(r["id"]) for r in RECORDS])
def test_the_compiled_conformer_agrees_with_the_sdk(record: dict[str, t.Any]) -> None:
    expected = _sdk(dict(record), SCHEMA)
    conformed, _ = conform.compile_conformer(SCHEMA)(dict(record), None)
    assert conformed == expected
    assert list(conformed) == list(expected)


def test_unmapped_properties_are_named_with_their_path() -> None:
    _, unmapped = conform.compile_conformer(SCHEMA)(
        {"id": 1, "unknown": 1, "tags": [{"tag_id": "1", "extra": 2}], "loose": {"b": 1}}, None
    )
    assert unmapped == ["unknown", "tags.extra", "loose.b"]


def test_time_entries_conform_as_the_sdk_would() -> None:
    schema = schemas.load("time_entries")
    entry = {
        "id": 101,
        "duration": "3600",
        "user_id": "1",
        "date": "2026-03-01",
        "billable": 1,
        "hasEntryLocationHistory": False,
        "tags": [{"tagListName": "A", "tagListId": "1", "tagId": "2", "name": "t", "x": 1}],
        "breadcrumps": "P / Q",
        "project_id": 5,
        "not_in_schema": "x",
    }
    conformed, unmapped = conform.compile_conformer(schema)(dict(entry), None)
    assert conformed == _sdk(dict(entry), schema)
    assert "not_in_schema" in unmapped
