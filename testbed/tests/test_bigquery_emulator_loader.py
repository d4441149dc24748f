"""The project's loader (target-bigquery-safe: load jobs, then MERGE) against the emulator.

Needs the loader's executable from its venv (scripts/bootstrap makes .venvs/target-bigquery):
    TARGET_BIGQUERY_EXECUTABLE=.venvs/target-bigquery/bin/target-bigquery-safe pytest ...
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bigquery_emulator import BigQueryEmulator, is_installed, locate

EXECUTABLE = os.environ.get("TARGET_BIGQUERY_EXECUTABLE", "")

pytestmark = [
    pytest.mark.skipif(
        not is_installed(),
        reason=f"BigQuery emulator venv absent ({locate.venv_dir()}): {locate.INSTALL_HINT}",
    ),
    pytest.mark.skipif(
        not EXECUTABLE or not Path(EXECUTABLE).is_file(),
        reason="set TARGET_BIGQUERY_EXECUTABLE to target-bigquery-safe's executable "
        "(.venvs/target-bigquery/bin/target-bigquery-safe)",
    ),
]

PROJECT = "local-project"
DATASET = "timecamp"
CONFIG = {
    "project": PROJECT,
    "dataset": DATASET,
    "method": "batch_job",
    "denormalized": True,
    "upsert": True,
    "dedupe_before_upsert": True,
    "batch_size": 10000,
}
SCHEMA = {
    "type": "SCHEMA",
    "stream": "entries",
    "key_properties": ["id"],
    "schema": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "date": {"type": ["null", "string"], "format": "date"},
            "note": {"type": ["null", "string"]},
            "billable": {"type": ["null", "boolean"]},
        },
    },
}
# Runs the loader's own entry point with every non-loopback connection refused and reported.
GUARDED_LOADER = """
import socket, sys
_connect = socket.socket.connect
def _loopback_only(sock, address):
    host = address[0] if isinstance(address, tuple) else str(address)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not str(host).startswith("127."):
        print(f"NETWORK-CALL {address}", file=sys.stderr, flush=True)
        raise ConnectionRefusedError(address)
    return _connect(sock, address)
socket.socket.connect = _loopback_only
from target_bigquery_safe.__main__ import main
sys.argv[0] = "target-bigquery-safe"
main()
"""


@pytest.fixture(scope="module")
def bq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryEmulator]:
    with BigQueryEmulator(data_dir=tmp_path_factory.mktemp("bq"), project=PROJECT) as emulator:
        emulator.create_dataset(DATASET)
        yield emulator


def run_loader(bq: BigQueryEmulator, tmp_path: Path, records: list[dict[str, object]]) -> str:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    messages = [SCHEMA, *({"type": "RECORD", "stream": "entries", "record": r} for r in records)]
    messages.append({"type": "STATE", "value": {"bookmarks": {"entries": {"n": len(records)}}}})
    python = Path(EXECUTABLE).with_name("python")
    result = subprocess.run(
        [str(python), "-c", GUARDED_LOADER, "--config", str(config)],
        input="".join(json.dumps(m) + "\n" for m in messages),
        env={**os.environ, **bq.env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NETWORK-CALL" not in result.stderr
    return result.stdout


def table_rows(bq: BigQueryEmulator) -> list[tuple[object, ...]]:
    query = f"SELECT id, note, billable FROM `{PROJECT}.{DATASET}.entries` ORDER BY id"
    return [tuple(row.values()) for row in bq.client().query(query).result()]


def test_loader_loads_then_upserts(bq: BigQueryEmulator, tmp_path: Path) -> None:
    first = run_loader(
        bq,
        tmp_path,
        [
            {"id": 1, "date": "2024-03-01", "note": "one", "billable": True},
            {"id": 2, "date": "2024-03-02", "note": "two", "billable": False},
        ],
    )
    assert json.loads(first.splitlines()[-1]) == {"bookmarks": {"entries": {"n": 2}}}
    assert table_rows(bq) == [(1, "one", True), (2, "two", False)]
    run_loader(
        bq,
        tmp_path,
        [
            {"id": 2, "date": "2024-03-02", "note": "two v2", "billable": True},
            {"id": 3, "date": "2024-03-03", "note": "three", "billable": None},
        ],
    )
    assert table_rows(bq) == [(1, "one", True), (2, "two v2", True), (3, "three", None)]
    loader_jobs = [job for job in bq.jobs() if job.kind == "load" or "MERGE" in (job.sql or "")]
    kinds = [(job.kind, job.failed) for job in loader_jobs]
    assert kinds == [("load", False), ("query", False)] * 2
    tables = {table.table_id for table in bq.client().list_tables(DATASET)}
    assert tables == {"entries"}  # the temp tables were dropped after each MERGE
