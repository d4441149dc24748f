"""A batch is the records as newline-delimited JSON in one gzip member, in their order."""

from __future__ import annotations

import gzip
import json

import pytest

from target_bigquery_safe.batchfile import CHUNK_BYTES, GzipBatch


def lines_of(batch: GzipBatch) -> list[dict[str, object]]:
    return [json.loads(line) for line in gzip.decompress(batch.finish()).splitlines()]


def test_records_come_back_as_json_lines_in_order() -> None:
    rows = [
        {"id": 1, "user_name": "Zażółć Gęślą", "tags": [{"id": 7, "name": "x"}]},
        {"id": 2, "user_name": None, "billable": True},
    ]
    batch = GzipBatch()
    for row in rows:
        batch.write(row)

    assert lines_of(batch) == rows
    assert batch.records == 2


def test_records_beyond_one_chunk_keep_every_record_in_order() -> None:
    note = "n" * 1000
    count = 2 * CHUNK_BYTES // len(note) + 3
    batch = GzipBatch()
    for number in range(count):
        batch.write({"id": number, "note": note})

    assert [row["id"] for row in lines_of(batch)] == list(range(count))


def test_an_empty_batch_is_an_empty_gzip_file() -> None:
    assert gzip.decompress(GzipBatch().finish()) == b""


def test_finishing_twice_gives_the_same_data() -> None:
    batch = GzipBatch()
    batch.write({"id": 1})

    assert bytes(batch.finish()) == bytes(batch.finish())


def test_a_finished_batch_takes_no_more_records() -> None:
    batch = GzipBatch()
    batch.finish()

    with pytest.raises(ValueError, match="finished"):
        batch.write({"id": 1})
