"""Feed Singer messages to a loader executable and read back what it said and wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.cloud import bigquery

PROJECT = "local-project"
BIN = Path(sys.executable).parent
# The loader under test. TARGET_BIGQUERY_SAFE names another build of it (a path), e.g. the
# 0.7.2-based one of an older checkout, to show that a test fails there.
SAFE = os.environ.get("TARGET_BIGQUERY_SAFE", str(BIN / "target-bigquery-safe"))
RUN_TIMEOUT = 240


def loader_config(dataset: str, **overrides: Any) -> dict[str, Any]:
    """The settings meltano.yml gives the loader (credentials come from the environment)."""
    return {
        "project": PROJECT,
        "dataset": dataset,
        "method": "batch_job",
        "denormalized": True,
        "upsert": True,
        "dedupe_before_upsert": True,
        "batch_size": 100_000,
        **overrides,
    }


def schema(
    stream: str, properties: Mapping[str, Any], keys: Sequence[str] = ("id",)
) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": dict(properties)},
        "key_properties": list(keys),
    }


def records(stream: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "RECORD", "stream": stream, "record": dict(row)} for row in rows]


def state(stream: str, through_id: int) -> dict[str, Any]:
    """A bookmark meaning "every record with id <= through_id has been sent"."""
    return {"type": "STATE", "value": {"bookmarks": {stream: {"through_id": through_id}}}}


@dataclass(frozen=True)
class Run:
    returncode: int
    states: list[dict[str, Any]]
    stderr: str

    @property
    def last_stderr_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""

    def through_ids(self, stream: str) -> list[int]:
        return [int(value["bookmarks"][stream]["through_id"]) for value in self.states]


def run_target(
    executable: str,
    config: Mapping[str, Any],
    messages: Sequence[Mapping[str, Any]],
    env: Mapping[str, str],
    workdir: Path,
) -> Run:
    """Run one loader executable as Meltano would: config file, messages on stdin."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "target-config.json"
    config_file.write_text(json.dumps(config))
    completed = subprocess.run(
        [executable, "--config", str(config_file)],
        input="".join(json.dumps(message) + "\n" for message in messages),
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=RUN_TIMEOUT,
        check=False,
    )
    states = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return Run(completed.returncode, states, completed.stderr)


def table_rows(
    client: bigquery.Client, dataset: str, table: str, columns: Sequence[str]
) -> list[dict[str, Any]]:
    """The table's rows, ordered by id, restricted to ``columns``."""
    select = ", ".join(f"`{column}`" for column in columns)
    # Identifiers come from the tests themselves, never from outside input.
    query = f"SELECT {select} FROM `{PROJECT}.{dataset}.{table}` ORDER BY id"
    return [dict(row.items()) for row in client.query(query).result()]


def table_ids(client: bigquery.Client, dataset: str) -> list[str]:
    return sorted(table.table_id for table in client.list_tables(dataset))


def assert_states_covered(run: Run, stream: str, landed_ids: Iterable[int]) -> None:
    """Every STATE the target wrote must cover only records that are in the warehouse."""
    landed = set(landed_ids)
    for through in run.through_ids(stream):
        missing = sorted(set(range(1, through + 1)) - landed)
        assert not missing, (
            f"STATE through id {through} was emitted but ids {missing} are not in the table"
        )
