"""Issue 25's audit, case by case (1-7): each a run of the loader on the emulator.

Every one of these failed on the 0.7.2-based loader (run them with TARGET_BIGQUERY_SAFE
pointing at its executable to see it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bigquery_emulator import BigQueryEmulator
from tests.targetrun import (
    PROJECT,
    SAFE,
    Run,
    loader_config,
    records,
    run_target,
    schema,
    state,
    table_rows,
)

STREAM = "users"
BASE = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}
ERROR = "target-bigquery-safe: error: "


def assert_failed_with_one_line(run: Run, *names: str) -> None:
    """Exit 1, no STATE, no traceback; the last line is the target's and names each of ``names``."""
    assert run.returncode == 1, run.stderr
    assert run.states == []
    assert "Traceback" not in run.stderr, run.stderr
    assert run.last_stderr_line.startswith(ERROR), run.stderr
    for name in names:
        assert name in run.last_stderr_line, run.last_stderr_line


# -- 1. a schema that changes inside a run ----------------------------------------------


def test_1_a_column_added_by_a_schema_change_within_a_run_is_loaded(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    wider = {**BASE, "extra": {"type": ["string", "null"]}}
    messages = [
        schema(STREAM, BASE),
        *records(STREAM, [{"id": 1, "name": "a"}]),
        schema(STREAM, wider),
        *records(STREAM, [{"id": 2, "name": "b", "extra": "kept"}]),
        state(STREAM, 2),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.through_ids(STREAM) == [2]
    assert table_rows(bq.client(), dataset, STREAM, ["id", "name", "extra"]) == [
        {"id": 1, "name": "a", "extra": None},
        {"id": 2, "name": "b", "extra": "kept"},
    ]


def test_1_a_record_field_its_schema_lacks_fails_the_run_naming_it(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        schema(STREAM, BASE),
        *records(STREAM, [{"id": 1, "name": "a", "extra": "would be dropped"}]),
        state(STREAM, 1),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, STREAM, "extra")


# -- 2. null keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([{"id": None, "name": "a"}] * 3, id="null"),
        pytest.param([{"name": "a"}], id="missing"),
    ],
)
def test_2_a_null_or_missing_key_fails_the_run_naming_the_stream(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    messages = [schema(STREAM, BASE), *records(STREAM, rows), state(STREAM, 1)]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, f"stream {STREAM}", "null or missing key")


def test_2_a_null_part_of_a_composite_key_fails_the_run(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    properties = {"user_id": {"type": "integer"}, "day": {"type": ["string", "null"]}}
    messages = [
        schema("attendance", properties, keys=("user_id", "day")),
        *records("attendance", [{"user_id": 1, "day": None}]),
        state("attendance", 1),
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, "stream attendance", "user_id, day")


# -- 3. credentials in any form never reach the output ----------------------------------

MARKER = "MARKER-private-key-7f3a9c"


def _key(marker: str) -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": marker,
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{marker}\n-----END PRIVATE KEY-----\n",
        "client_email": f"{marker}@example.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }


@pytest.mark.parametrize("form", ["path", "json-text", "mapping", "malformed-json-text"])
def test_3_no_credential_in_any_form_reaches_the_output(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path, form: str
) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(_key(MARKER)))
    credentials = {
        "path": {"credentials_path": str(key_file)},
        "json-text": {"credentials_json": json.dumps(_key(MARKER))},
        "mapping": {"credentials_json": _key(MARKER)},
        "malformed-json-text": {"credentials_json": json.dumps(_key(MARKER))[:-3]},
    }[form]
    messages = [schema(STREAM, BASE), *records(STREAM, [{"id": 1}]), state(STREAM, 1)]

    run = run_target(
        SAFE, loader_config(dataset, **credentials), messages, bq.env(), tmp_path / "run"
    )

    output = run.stderr + json.dumps(run.states)
    assert MARKER not in output
    assert "PRIVATE KEY" not in output
    assert_failed_with_one_line(run, next(iter(credentials)))


# -- 4. metadata times are UTC ----------------------------------------------------------


def test_4_metadata_times_are_utc_whatever_tz_says(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [schema(STREAM, BASE), *records(STREAM, [{"id": 1}]), state(STREAM, 1)]
    before = dt.datetime.now(dt.UTC)

    run = run_target(
        SAFE, loader_config(dataset), messages, {**bq.env(), "TZ": "America/New_York"}, tmp_path
    )

    after = dt.datetime.now(dt.UTC)
    assert run.returncode == 0, run.stderr
    [row] = table_rows(bq.client(), dataset, STREAM, ["id", "_sdc_received_at", "_sdc_batched_at"])
    slack = dt.timedelta(seconds=5)
    assert before - slack <= row["_sdc_received_at"] <= after + slack
    assert before - slack <= row["_sdc_batched_at"] <= after + slack


# -- 5. activation: exactly the rows of other versions ----------------------------------


def full_read(
    version: int | None, ids: list[int], *, activate: int | None = None
) -> list[dict[str, Any]]:
    rows = records(STREAM, [{"id": i, "name": f"user {i}"} for i in ids])
    if version is not None:
        for row in rows:
            row["version"] = version
    messages = [schema(STREAM, BASE), *rows]
    if activate is not None:
        messages.append({"type": "ACTIVATE_VERSION", "stream": STREAM, "version": activate})
    return messages


def live(bq: BigQueryEmulator, dataset: str) -> dict[int, bool]:
    query = f"SELECT id, _sdc_deleted_at IS NULL AS live FROM `{PROJECT}.{dataset}.{STREAM}`"
    return {row["id"]: row["live"] for row in bq.client().query(query).result()}


def test_5_an_activation_older_than_the_tables_rows_still_marks_the_rows_not_sent(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    run_target(
        SAFE, loader_config(dataset), full_read(200, [1, 2], activate=200), bq.env(), tmp_path / "a"
    )

    # The tap's clock went back: its new version is lower than the one the rows carry.
    second = run_target(
        SAFE, loader_config(dataset), full_read(100, [1], activate=100), bq.env(), tmp_path / "b"
    )

    assert second.returncode == 0, second.stderr
    assert live(bq, dataset) == {1: True, 2: False}


def test_5_rows_only_an_abandoned_read_sent_are_marked_and_the_retry_stays_live(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    # The tap gave up a read after ids 1 and 2 and read again under a new version.
    messages = [*full_read(300, [1, 2]), *full_read(301, [1, 3], activate=301)]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert run.returncode == 0, run.stderr
    assert live(bq, dataset) == {1: True, 2: False, 3: True}


def test_5_records_without_a_version_refuse_the_activation_of_their_run(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    messages = [
        *full_read(None, [1, 2]),
        {"type": "ACTIVATE_VERSION", "stream": STREAM, "version": 5},
    ]

    run = run_target(SAFE, loader_config(dataset), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, f"stream {STREAM}", "without a version")
    assert live(bq, dataset) == {1: True, 2: True}


def test_5_two_streams_mapped_to_one_table_are_refused(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    maps = {"stream_maps": {"people": {"__alias__": STREAM}}}
    messages = [
        *full_read(1, [1], activate=1),
        schema("people", BASE),
        *records("people", [{"id": 9}]),
    ]

    run = run_target(SAFE, loader_config(dataset, **maps), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, "people", STREAM)


# -- 6. a nested field added between runs ----------------------------------------------


def test_6_a_nested_field_added_between_runs_is_loaded_or_fails_the_run_by_name(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    inner = {"a": {"type": ["integer", "null"]}}
    before = {**BASE, "obj": {"type": ["object", "null"], "properties": inner}}
    after = {
        **BASE,
        "obj": {
            "type": ["object", "null"],
            "properties": {**inner, "b": {"type": ["string", "null"]}},
        },
    }
    first = [
        schema(STREAM, before),
        *records(STREAM, [{"id": 1, "obj": {"a": 1}}]),
        state(STREAM, 1),
    ]
    run_target(SAFE, loader_config(dataset), first, bq.env(), tmp_path / "a")
    second = [
        schema(STREAM, after),
        *records(STREAM, [{"id": 2, "obj": {"a": 2, "b": "new"}}]),
        state(STREAM, 2),
    ]

    run = run_target(SAFE, loader_config(dataset), second, bq.env(), tmp_path / "b")

    if run.returncode == 0:  # BigQuery adds nested fields
        rows = table_rows(bq.client(), dataset, STREAM, ["id", "obj"])
        assert rows[1] == {"id": 2, "obj": {"a": 2, "b": "new"}}
    else:  # the emulator does not: the values must not be dropped in silence
        assert_failed_with_one_line(run, "obj.b", STREAM)


def test_6_a_nested_record_merges_its_fields_by_name(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    nested = {"a": {"type": ["integer", "null"]}, "b": {"type": ["string", "null"]}}
    props = {
        **BASE,
        "obj": {"type": ["object", "null"], "properties": nested},
        "tags": {"type": ["array", "null"], "items": {"type": "object", "properties": nested}},
    }
    rows = [
        {"id": 1, "obj": {"a": 1, "b": "x"}, "tags": [{"a": 1, "b": "t1"}, {"a": 2, "b": "t2"}]},
        {"id": 2, "obj": None, "tags": []},
    ]
    run_target(
        SAFE,
        loader_config(dataset),
        [schema(STREAM, props), *records(STREAM, rows)],
        bq.env(),
        tmp_path / "a",
    )
    changed = [{"id": 1, "obj": {"a": 5, "b": "y"}, "tags": [{"a": 3, "b": "t3"}]}]

    run = run_target(
        SAFE,
        loader_config(dataset),
        [schema(STREAM, props), *records(STREAM, changed)],
        bq.env(),
        tmp_path / "b",
    )

    assert run.returncode == 0, run.stderr
    assert table_rows(bq.client(), dataset, STREAM, ["id", "obj", "tags"]) == [
        {"id": 1, "obj": {"a": 5, "b": "y"}, "tags": [{"a": 3, "b": "t3"}]},
        {"id": 2, "obj": None, "tags": []},
    ]


# -- 7. one line instead of a traceback ------------------------------------------------

SCHEMA_LINE = json.dumps(schema(STREAM, BASE))


@pytest.mark.parametrize(
    ("lines", "names"),
    [
        pytest.param(
            [json.dumps(records(STREAM, [{"id": 1}])[0])],
            ["line 1", f"stream {STREAM}", "before the stream's SCHEMA"],
            id="record-before-schema",
        ),
        pytest.param(
            [SCHEMA_LINE, '{"type": "RECORD", "stream"'],
            ["line 2", "not a JSON message"],
            id="truncated",
        ),
        pytest.param(
            [SCHEMA_LINE, "not json at all"], ["line 2", "not a JSON message"], id="malformed"
        ),
        pytest.param(
            [SCHEMA_LINE, json.dumps({"type": "ACTIVATE_VERSION", "stream": "nope", "version": 1})],
            ["line 2", "stream nope"],
            id="activate-unknown-stream",
        ),
        pytest.param(
            [
                SCHEMA_LINE,
                json.dumps({"type": "ACTIVATE_VERSION", "stream": STREAM, "version": "abc"}),
            ],
            ["line 2", f"stream {STREAM}", "version must be an integer"],
            id="activate-non-integer-version",
        ),
        pytest.param(
            [
                SCHEMA_LINE,
                json.dumps(records(STREAM, [{"id": 1, "name": None}])[0]).replace(
                    "null", str(2**64)
                ),
            ],
            [f"stream {STREAM}"],
            id="integer-beyond-64-bits",
        ),
        pytest.param(
            [
                SCHEMA_LINE,
                json.dumps(records(STREAM, [{"id": 1, "name": "x"}])[0]).replace(
                    '"x"', '"\\ud800"'
                ),
            ],
            [f"stream {STREAM}"],
            id="lone-surrogate",
        ),
    ],
)
def test_7_bad_input_is_one_line_naming_where(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path, lines: list[str], names: list[str]
) -> None:
    run = run_raw(bq, dataset, tmp_path, lines)

    assert_failed_with_one_line(run, *names)


def run_raw(bq: BigQueryEmulator, dataset: str, tmp_path: Path, lines: list[str]) -> Run:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(loader_config(dataset)))
    completed = subprocess.run(
        [SAFE, "--config", str(config)],
        input="".join(line + "\n" for line in [*lines, json.dumps(state(STREAM, 1))]),
        capture_output=True,
        text=True,
        env={**os.environ, **bq.env()},
        timeout=240,
        check=False,
    )
    states = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return Run(completed.returncode, states, completed.stderr)


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        pytest.param({"batch_size": "lots"}, "batch_size", id="non-integer-batch-size"),
        pytest.param(
            {"credentials_json": "{not json"}, "credentials_json", id="malformed-credentials"
        ),
    ],
)
def test_7_a_bad_setting_is_one_line_naming_it(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path, overrides: dict[str, Any], setting: str
) -> None:
    messages = [schema(STREAM, BASE), *records(STREAM, [{"id": 1}]), state(STREAM, 1)]

    run = run_target(SAFE, loader_config(dataset, **overrides), messages, bq.env(), tmp_path)

    assert_failed_with_one_line(run, setting)
