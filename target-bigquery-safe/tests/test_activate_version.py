"""ACTIVATE_VERSION: rows a full-table stream did not send again are marked deleted.

The tap sends ACTIVATE_VERSION after the last record of its run. The target marks
(`_sdc_deleted_at`) every live row of another version once every stream's rows are merged
into their tables, and never when the run did not land.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bigquery_emulator import BigQueryEmulator
from tests.targetrun import (
    SAFE,
    loader_config,
    run_target,
    schema,
)

STREAM = "users"
PROPERTIES = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def sent(version: int | None, ids: list[int]) -> list[dict[str, Any]]:
    """A full-table read: its records with `version`, then ACTIVATE_VERSION (if versioned)."""
    rows: list[dict[str, Any]] = [
        {"type": "RECORD", "stream": STREAM, "record": {"id": i, "name": f"user {i}"}} for i in ids
    ]
    if version is None:
        return [schema(STREAM, PROPERTIES), *rows]
    for row in rows:
        row["version"] = version
    return [
        schema(STREAM, PROPERTIES),
        *rows,
        {"type": "ACTIVATE_VERSION", "stream": STREAM, "version": version},
    ]


def deleted_ids(bq: BigQueryEmulator, dataset: str) -> dict[int, bool]:
    """Each row's id and whether it is marked deleted."""
    query = (
        f"SELECT id, _sdc_deleted_at IS NOT NULL AS deleted FROM `local-project.{dataset}.{STREAM}`"
    )
    return {row["id"]: row["deleted"] for row in bq.client().query(query).result()}


def run(
    bq: BigQueryEmulator,
    dataset: str,
    workdir: Path,
    messages: list[dict[str, Any]],
) -> Any:
    return run_target(SAFE, loader_config(dataset), messages, bq.env(), workdir)


def test_a_row_not_sent_again_is_marked_deleted_and_the_others_stay_live(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(100, [1, 2, 3]))

    second = run(bq, dataset, tmp_path / "second", sent(200, [1, 3]))

    assert second.returncode == 0
    assert deleted_ids(bq, dataset) == {1: False, 2: True, 3: False}


def test_rows_loaded_without_a_version_are_marked_when_not_sent_again(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(None, [1, 2]))

    run(bq, dataset, tmp_path / "second", sent(200, [2]))

    assert deleted_ids(bq, dataset) == {1: True, 2: False}


def test_a_stream_that_sent_no_record_marks_every_row(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(100, [1, 2]))

    second = run(bq, dataset, tmp_path / "second", sent(200, []))

    assert second.returncode == 0
    assert deleted_ids(bq, dataset) == {1: True, 2: True}


def test_a_row_sent_again_after_its_deletion_is_live_again(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(100, [1, 2]))
    run(bq, dataset, tmp_path / "second", sent(200, [1]))

    run(bq, dataset, tmp_path / "third", sent(300, [1, 2]))

    assert deleted_ids(bq, dataset) == {1: False, 2: False}


def test_a_failed_merge_marks_nothing_and_fails_the_run(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(100, [1, 2, 3]))
    bq.inject_failure("query", match="MERGE", count=1)

    failed = run(bq, dataset, tmp_path / "second", sent(200, [1]))

    assert failed.returncode != 0
    assert f"MERGE into local-project.{dataset}.{STREAM} failed" in failed.last_stderr_line
    assert deleted_ids(bq, dataset) == {1: False, 2: False, 3: False}


def test_a_failed_marking_fails_the_run_with_one_line(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run(bq, dataset, tmp_path / "first", sent(100, [1, 2]))
    bq.inject_failure("query", match="SET `_sdc_deleted_at` = CURRENT_TIMESTAMP", count=1)

    failed = run(bq, dataset, tmp_path / "second", sent(200, [1]))

    assert failed.returncode != 0
    assert failed.states == []
    assert failed.last_stderr_line.startswith(
        f"target-bigquery-safe: error: marking rows of local-project.{dataset}.{STREAM} "
        "of versions other than 200 deleted failed:"
    )
