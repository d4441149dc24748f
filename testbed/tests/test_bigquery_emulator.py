"""The BigQuery emulator harness: real google client, real load jobs, the loader's MERGE."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud import bigquery

from bigquery_emulator import BigQueryEmulator, EmulatorControl, is_installed, locate, process
from bigquery_emulator.journal import Journal

pytestmark = pytest.mark.skipif(
    not is_installed(),
    reason=f"BigQuery emulator venv absent ({locate.venv_dir()}): {locate.INSTALL_HINT}",
)

PROJECT = "local-project"
ENTRY_SCHEMA = [
    bigquery.SchemaField("id", "INTEGER"),
    bigquery.SchemaField("date", "DATE"),
    bigquery.SchemaField("note", "STRING"),
    bigquery.SchemaField("billable", "BOOLEAN"),
    bigquery.SchemaField("_sdc_extracted_at", "TIMESTAMP"),
    bigquery.SchemaField("_sdc_received_at", "TIMESTAMP"),
]


@pytest.fixture(scope="module")
def bq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryEmulator]:
    with BigQueryEmulator(data_dir=tmp_path_factory.mktemp("bq"), project=PROJECT) as emulator:
        yield emulator


@pytest.fixture
def client(bq: BigQueryEmulator) -> bigquery.Client:
    bq.clear_jobs()
    bq.clear_failures()
    return bq.client()


@pytest.fixture
def dataset(bq: BigQueryEmulator) -> str:
    name = f"ds_{uuid.uuid4().hex[:10]}"
    bq.create_dataset(name)
    return name


def ndjson_gz(rows: list[dict[str, object]]) -> bytes:
    # The loader's Compressor: gzip over orjson lines, one record a line.
    return gzip.compress(b"".join(json.dumps(row).encode() + b"\n" for row in rows))


def load_config() -> bigquery.LoadJobConfig:
    # The loader's batch_job configuration for a denormalized stream.
    return bigquery.LoadJobConfig(
        schema=ENTRY_SCHEMA,
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        schema_update_options=[bigquery.SchemaUpdateOption.ALLOW_FIELD_ADDITION],
        ignore_unknown_values=True,
    )


def entry(entry_id: int, note: str, extracted: str = "2024-03-01T00:00:00Z") -> dict[str, object]:
    return {
        "id": entry_id,
        "date": f"2024-03-{entry_id:02d}",
        "note": note,
        "billable": entry_id % 2 == 1,
        "_sdc_extracted_at": extracted,
        "_sdc_received_at": extracted,
    }


def load(
    client: bigquery.Client,
    table: str,
    rows: list[dict[str, object]],
    *,
    multipart: bool = False,
) -> bigquery.LoadJob:
    data = ndjson_gz(rows)
    # Without a size the client uses a resumable upload, as the loader does.
    size = len(data) if multipart else None
    job = client.load_table_from_file(io.BytesIO(data), table, job_config=load_config(), size=size)
    job.result()
    return job


def rows_of(client: bigquery.Client, table: str) -> list[dict[str, object]]:
    query = f"SELECT id, date, note, billable FROM `{table}` ORDER BY id"
    return [dict(row) for row in client.query(query).result()]


def loader_merge_script(target: str, source: str, *, dedupe: bool) -> str:
    """The statement target-bigquery 0.7.2 sends at the end of an upsert run (core.py clean_up)."""
    columns = [field.name for field in ENTRY_SCHEMA]
    project, dataset, table = source.split(".")
    escaped_source = f"`{project}`.`{dataset}`.`{table}`"
    tmp, ctas_tmp = None, "SELECT 1 AS _no_op"
    if dedupe:
        tmp = f"{target.rsplit('.', 1)[-1]}__tmp"
        dedupe_query = (
            f"SELECT * FROM {escaped_source} "
            "QUALIFY ROW_NUMBER() OVER (PARTITION BY `id` "
            "ORDER BY COALESCE(_sdc_extracted_at, _sdc_received_at) DESC) = 1"
        )
        ctas_tmp = f"CREATE OR REPLACE TEMP TABLE `{tmp}` AS {dedupe_query}"
    merge_clause = (
        f"MERGE `{target}` AS target USING `{tmp or source}` AS source ON target.`id` = source.`id`"
    )
    update_clause = "UPDATE SET " + ", ".join(f"target.`{c}` = source.`{c}`" for c in columns)
    insert_clause = (
        f"INSERT ({', '.join(f'`{c}`' for c in columns)}) "
        f"VALUES ({', '.join(f'source.`{c}`' for c in columns)})"
    )
    return (
        f"{ctas_tmp}; {merge_clause} "
        f"WHEN MATCHED THEN {update_clause} "
        f"WHEN NOT MATCHED THEN {insert_clause}; "
        f"DROP TABLE IF EXISTS {escaped_source};"
    )


def test_client_creates_and_lists_datasets(bq: BigQueryEmulator, client: bigquery.Client) -> None:
    name = f"made_by_client_{uuid.uuid4().hex[:8]}"
    client.create_dataset(bigquery.Dataset(f"{PROJECT}.{name}"))
    bq.create_dataset(name)  # the helper accepts an existing dataset
    assert name in {item.dataset_id for item in client.list_datasets()}


def test_gzip_ndjson_resumable_load_lands_rows_with_types(
    client: bigquery.Client, dataset: str
) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    job = load(client, table, [entry(1, "one"), entry(2, "two")])
    assert job.output_rows == 2
    schema = {field.name: field.field_type for field in client.get_table(table).schema}
    assert schema["id"] == "INTEGER"
    assert schema["date"] == "DATE"
    assert schema["note"] == "STRING"
    assert schema["billable"] == "BOOLEAN"
    assert rows_of(client, table) == [
        {"id": 1, "date": datetime.date(2024, 3, 1), "note": "one", "billable": True},
        {"id": 2, "date": datetime.date(2024, 3, 2), "note": "two", "billable": False},
    ]


def test_gzip_ndjson_multipart_load_lands_rows(client: bigquery.Client, dataset: str) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    load(client, table, [entry(1, "one"), entry(3, "three")], multipart=True)
    assert [row["id"] for row in rows_of(client, table)] == [1, 3]


def test_plain_ndjson_load_passes_unchanged(client: bigquery.Client, dataset: str) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    data = json.dumps(entry(5, "plain")).encode() + b"\n"
    job = client.load_table_from_file(io.BytesIO(data), table, job_config=load_config())
    job.result()
    assert [row["note"] for row in rows_of(client, table)] == ["plain"]


def test_malformed_load_data_still_fails(client: bigquery.Client, dataset: str) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    data = gzip.compress(b'{"id": 1, "note": \n')
    job = client.load_table_from_file(io.BytesIO(data), table, job_config=load_config())
    with pytest.raises(exceptions.BadRequest):
        job.result()


def test_loader_merge_updates_matched_and_inserts_new_rows(
    client: bigquery.Client, dataset: str
) -> None:
    target = f"{PROJECT}.{dataset}.entries"
    temp = f"{PROJECT}.{dataset}.entries__20240301000000__{uuid.uuid4()}"
    load(client, target, [entry(1, "old one"), entry(2, "old two")])
    load(client, temp, [entry(2, "new two"), entry(3, "new three")])
    client.query(loader_merge_script(target, temp, dedupe=False)).result()
    assert [(row["id"], row["note"]) for row in rows_of(client, target)] == [
        (1, "old one"),
        (2, "new two"),
        (3, "new three"),
    ]
    with pytest.raises(exceptions.NotFound):
        client.get_table(temp)  # the script's DROP ran too


def test_loader_dedupe_merge_keeps_latest_row_per_key(
    client: bigquery.Client, dataset: str
) -> None:
    target = f"{PROJECT}.{dataset}.entries"
    temp = f"{PROJECT}.{dataset}.entries__20240301000000__{uuid.uuid4()}"
    load(client, target, [entry(1, "old one")])
    load(
        client,
        temp,
        [
            entry(1, "stale", "2024-03-01T00:00:00Z"),
            entry(1, "latest", "2024-03-02T00:00:00Z"),
            entry(4, "four"),
        ],
    )
    client.query(loader_merge_script(target, temp, dedupe=True)).result()
    assert [(row["id"], row["note"]) for row in rows_of(client, target)] == [
        (1, "latest"),
        (4, "four"),
    ]


def test_merge_with_duplicate_source_keys_is_rejected(
    client: bigquery.Client, dataset: str
) -> None:
    target = f"{PROJECT}.{dataset}.entries"
    temp = f"{PROJECT}.{dataset}.entries__20240301000000__{uuid.uuid4()}"
    load(client, target, [entry(1, "old one")])
    load(client, temp, [entry(1, "copy a"), entry(1, "copy b")])
    with pytest.raises(exceptions.BadRequest, match="must match at most one source row"):
        client.query(loader_merge_script(target, temp, dedupe=False)).result()
    assert [row["note"] for row in rows_of(client, target)] == ["old one"]


def test_job_log_counts_loads_and_queries(
    bq: BigQueryEmulator, client: bigquery.Client, dataset: str
) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    load(client, table, [entry(1, "one")])
    load(client, table, [entry(2, "two")], multipart=True)
    client.query(f"SELECT COUNT(*) FROM `{table}`").result()
    jobs = bq.jobs()
    assert [job.kind for job in jobs] == ["load", "load", "query"]
    assert {job.destination for job in jobs if job.kind == "load"} == {table}
    assert jobs[2].sql == f"SELECT COUNT(*) FROM `{table}`"
    assert all(job.state == "DONE" and not job.failed for job in jobs)
    bq.clear_jobs()
    assert bq.jobs() == []


def test_job_log_counts_the_requests_the_emulator_answered_and_their_time(
    bq: BigQueryEmulator, client: bigquery.Client, dataset: str
) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    load(client, table, [entry(1, "one")])
    answered = bq.upstream_time()
    assert answered.requests > 0
    assert answered.seconds > 0
    client.query(f"SELECT COUNT(*) FROM `{table}`").result()
    assert bq.upstream_time().requests > answered.requests
    bq.clear_jobs()
    assert bq.upstream_time().requests == 0


def test_requests_in_flight_together_count_their_time_once() -> None:
    journal = Journal()
    started = time.perf_counter()
    journal.upstream_started()
    journal.upstream_started()
    journal.upstream_ended()
    journal.upstream_ended()
    elapsed = time.perf_counter() - started

    answered = journal.upstream_time()
    assert answered.requests == 2
    assert 0 < answered.seconds <= elapsed


def test_injected_load_failure_fails_the_job_and_lands_nothing(
    bq: BigQueryEmulator, client: bigquery.Client, dataset: str
) -> None:
    table = f"{PROJECT}.{dataset}.entries"
    load(client, table, [entry(1, "kept")])
    bq.inject_failure(kind="load", match=rf"\.{dataset}\.entries$")
    with pytest.raises(exceptions.BadRequest, match="Injected failure"):
        load(client, table, [entry(2, "lost")])
    assert [row["note"] for row in rows_of(client, table)] == ["kept"]
    failed = [job for job in bq.jobs() if job.failed]
    assert [(job.kind, job.injected, job.state) for job in failed] == [("load", True, "DONE")]


def test_injected_query_failure_fails_the_merge(
    bq: BigQueryEmulator, client: bigquery.Client, dataset: str
) -> None:
    target = f"{PROJECT}.{dataset}.entries"
    temp = f"{PROJECT}.{dataset}.entries__20240301000000__{uuid.uuid4()}"
    load(client, target, [entry(1, "old one")])
    load(client, temp, [entry(1, "new one")])
    bq.inject_failure(kind="query", match="MERGE", reason="invalidQuery", message="MERGE broke")
    with pytest.raises(exceptions.BadRequest, match="MERGE broke"):
        client.query(loader_merge_script(target, temp, dedupe=False)).result()
    assert [row["note"] for row in rows_of(client, target)] == ["old one"]
    client.query(loader_merge_script(target, temp, dedupe=False)).result()  # rule used up
    assert [row["note"] for row in rows_of(client, target)] == ["new one"]


def test_injected_failure_count_fails_that_many_jobs(
    bq: BigQueryEmulator, client: bigquery.Client
) -> None:
    bq.inject_failure(kind="query", match="SELECT 7", count=2)
    for _ in range(2):
        with pytest.raises(exceptions.BadRequest):
            client.query("SELECT 7 AS x").result()
    assert [row["x"] for row in client.query("SELECT 7 AS x").result()] == [7]
    assert bq.failures() == []


def test_injected_http_error_rejects_the_submission(
    bq: BigQueryEmulator, client: bigquery.Client
) -> None:
    bq.inject_failure(kind="query", http_status=403, reason="accessDenied", message="no access")
    with pytest.raises(exceptions.Forbidden, match="no access"):
        client.query("SELECT 1").result()


def test_injected_transient_server_error_is_retried_by_the_client(
    bq: BigQueryEmulator, client: bigquery.Client
) -> None:
    bq.inject_failure(kind="query", match="SELECT 42", http_status=503)
    assert [row[0] for row in client.query("SELECT 42").result()] == [42]
    assert [job.failed for job in bq.jobs() if job.sql == "SELECT 42"] == [True, False]


def test_injected_failure_reaches_jobs_query_api(
    bq: BigQueryEmulator, client: bigquery.Client
) -> None:
    bq.inject_failure(kind="query", match="SELECT 9")
    with pytest.raises(exceptions.BadRequest, match="Injected failure"):
        client.query_and_wait("SELECT 9")


def test_default_credentials_client_reaches_emulator_without_network(
    bq: BigQueryEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loader builds bigquery.Client(project=...) from Application Default Credentials.
    for name, value in bq.env().items():
        monkeypatch.setenv(name, value)
    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if not str(host).startswith("127."):
            raise AssertionError(f"network call to {address}")
        real_connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    client = bigquery.Client(project=PROJECT)
    assert client.project == PROJECT
    assert any(True for _ in client.list_datasets())


def test_stop_makes_bigquery_unreachable_and_start_keeps_data(tmp_path: Path) -> None:
    with BigQueryEmulator(data_dir=tmp_path / "data", project=PROJECT) as emulator:
        emulator.create_dataset("kept")
        client = emulator.client()
        load(client, f"{PROJECT}.kept.entries", [entry(1, "survives")])
        host, port = emulator.host, emulator.port
        emulator.stop()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        emulator.start()
        assert emulator.host == host
        notes = [row["note"] for row in rows_of(emulator.client(), f"{PROJECT}.kept.entries")]
        assert notes == ["survives"]


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    credentials = tmp_path / "creds.json"
    command = [sys.executable, "-m", "bigquery_emulator", "--port", "0", "--data-dir"]
    command += [
        str(tmp_path / "data"),
        "--project",
        PROJECT,
        "--credentials-file",
        str(credentials),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("BIGQUERY_EMULATOR_HOST=http://127.0.0.1:")
        host = line.split("=", 1)[1]
        assert json.loads(credentials.read_text())["type"] == "authorized_user"
        control = EmulatorControl(host)
        control.inject_failure(kind="query", match="SELECT 5")
        env = {**os.environ, "BIGQUERY_EMULATOR_HOST": host}
        env["GOOGLE_APPLICATION_CREDENTIALS"] = str(credentials)
        probe = (
            "from google.cloud import bigquery; from google.api_core import exceptions\n"
            f"c = bigquery.Client(project={PROJECT!r})\n"
            "try:\n    c.query('SELECT 5').result()\n"
            "except exceptions.BadRequest:\n    print('failed')"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.stdout.strip() == "failed", result.stderr
        assert [(job.kind, job.failed) for job in control.jobs()] == [("query", True)]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Finished server process" in (tmp_path / "data" / "local-bigquery.log").read_text()


def test_emulator_starts_on_fresh_ports_when_its_port_answers_something_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What CI saw: another server (the emulator's own gRPC port) held the HTTP port and
    # answered the readiness probe with HTTP/2 frames, which failed the start outright.
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]

    def answer_http2_frames() -> None:
        while True:
            try:
                conn, _ = squatter.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64")

    threading.Thread(target=answer_http2_frames, daemon=True).start()
    real_free_ports = process.free_ports
    handed_out: list[list[int]] = []

    def first_the_taken_port(count: int) -> list[int]:
        ports = [taken, *real_free_ports(count - 1)] if not handed_out else real_free_ports(count)
        handed_out.append(ports)
        return ports

    monkeypatch.setattr(process, "free_ports", first_the_taken_port)
    emulator = process.EmulatorProcess(tmp_path, PROJECT, startup_timeout=20)
    try:
        emulator.start()
        assert emulator.running
        assert emulator.port != taken
        assert len(handed_out) == 2
    finally:
        emulator.stop()
        squatter.close()
