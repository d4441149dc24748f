"""The buffered message writer."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import sys
import typing as t

import pytest
from singer_sdk.singerlib import RecordMessage, SchemaMessage, StateMessage

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
