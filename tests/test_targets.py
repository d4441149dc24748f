"""The tap into other Singer targets, through `meltano run`: target-jsonl and target-postgres.

Every run is a real `meltano run tap-timecamp <target>` against the served TimeCamp simulator.
target-postgres writes into a real PostgreSQL server started for these tests on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import typing as t
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.conftest import DAYS
from tests.deleted_objects import (
    FULL_TABLE_KEYS,
    SELECT_FULL_TABLE,
    SELECT_FULL_TABLE_AND_ENTRIES,
    delete_one_of_each,
    fail_time_entries,
)
from tests.pipeline import REPO, Pipeline, Run
from tests.warehouse import LEGACY_SCHEMA
from timecamp_simulator import DEFAULT_TOKEN, Fault, Simulator

LEGACY = [name for name, _ in LEGACY_SCHEMA]
DEFAULT_STREAMS = ["time_entries", "time_entry_deletions", "users", "groups", "tasks"]
DEFAULT_STREAMS += ["tag_lists", "tags"]
KEYS = {
    "time_entries": "id",
    "time_entry_deletions": "entry_id",
    "users": "user_id",
    "groups": "group_id",
    "tasks": "task_id",
    "tag_lists": "tag_list_id",
    "tags": "tag_id",
}
POSTGRES_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
POSTGRES_PASSWORD = "e2e-postgres-password"


def first_day() -> str:
    return (dt.date.today() - dt.timedelta(days=DAYS - 1)).isoformat()


@pytest.fixture
def project(tmp_path, timecamp) -> Pipeline:
    """The Meltano project with its state in this test's own database, every default stream."""
    _, server = timecamp
    return Pipeline(
        workdir=tmp_path,
        api_url=server.base_url,
        token=DEFAULT_TOKEN,
        dataset="unused",
        settings={"TAP_TIMECAMP_START_DATE": first_day()},
    )


def run(project: Pipeline, target: str, *args: str, **env: str) -> Run:
    done = project.meltano("run", *args, "tap-timecamp", target, **env)
    assert done.ok, done.output[-4000:]
    return done


def read_jsonl(path: Path) -> list[dict[str, t.Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# target-jsonl


def test_target_jsonl_writes_one_file_per_stream_with_one_record_per_line(project, timecamp):
    sim, _ = timecamp
    deleted = next(iter(sim.all_entries()))["id"]
    sim.delete_entry(deleted)
    out = project.workdir / "output"

    run(project, "target-jsonl", TARGET_JSONL_DESTINATION_PATH=str(out))

    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.jsonl" for s in DEFAULT_STREAMS)
    entries = read_jsonl(out / "time_entries.jsonl")
    live = [e["id"] for e in entries if e.get("_sdc_deleted_at") is None]
    assert sorted(live) == sorted(e["id"] for e in sim.all_entries())
    assert [e["id"] for e in entries if e.get("_sdc_deleted_at")] == [deleted]
    for stream in DEFAULT_STREAMS:
        records = read_jsonl(out / f"{stream}.jsonl")
        assert records, stream
        assert len({r[KEYS[stream]] for r in records}) == len(records), stream


def readme_legacy_recipe() -> tuple[dict[str, str], list[str]]:
    """The README's replacement of `fetch_timecamp_data.py --from --to --output`, as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"# the legacy `fetch_timecamp_data\.py[^\n]*\n(.*?)```", readme, re.S)
    assert block, "README: the legacy fetch recipe is missing"
    words = shlex.split(block.group(1).replace("\\\n", " "), comments=True)
    env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
    command = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
    return env, command


@pytest.fixture
def april_2023(tmp_path) -> t.Iterator[tuple[Simulator, t.Any]]:
    """A TimeCamp account whose history covers the README recipe's April 2023."""
    sim = Simulator(
        seed=11,
        entries=900,
        start_date=dt.date(2023, 3, 15),
        end_date=dt.date(2023, 5, 15),
        users=5,
        now=dt.datetime(2023, 5, 15, 18, 0),
    )
    with sim.serve() as server:
        yield sim, server


def test_readme_legacy_fetch_recipe_writes_april_entries_to_timecamp_data_jsonl(
    tmp_path, april_2023
):
    sim, server = april_2023
    env, command = readme_legacy_recipe()
    assert command[:2] == [".venv/bin/meltano", "run"]
    assert env["TARGET_JSONL_CUSTOM_NAME"] == "timecamp_data"
    project = Pipeline(
        workdir=tmp_path, api_url=server.base_url, token=DEFAULT_TOKEN, dataset="unused"
    )
    out = tmp_path / "output"

    # As written; only the output folder moves out of the repository.
    done = project.meltano(*command[1:], **env, TARGET_JSONL_DESTINATION_PATH=str(out))

    assert done.ok, done.output[-4000:]
    assert [p.name for p in out.iterdir()] == ["timecamp_data.jsonl"]
    records = read_jsonl(out / "timecamp_data.jsonl")
    april = [e for e in sim.all_entries() if "2023-04-01" <= e["date"] <= "2023-04-30"]
    assert len(april) > 100
    assert sorted(r["id"] for r in records) == sorted(e["id"] for e in april)
    truth = {e["id"]: e for e in april}
    assert all({c: r[c] for c in LEGACY} == {c: truth[r["id"]][c] for c in LEGACY} for r in records)


SUMMARY = re.compile(
    r"Run summary: (?P<total>\d+) records \((?P<streams>[^)]*)\); "
    r"(?P<requests>\d+) requests; (?P<seconds>\d+\.\d) s"
)


def test_a_run_ends_with_one_summary_line_of_records_per_stream_requests_and_seconds(
    project, timecamp
):
    sim, _ = timecamp
    sim.delete_entry(next(iter(sim.all_entries()))["id"])
    # One retried request: the summary counts what was asked of TimeCamp, retries included.
    sim.add_fault(Fault(path="/users", kind="status", status=503, retry_after=0, count=1))
    out = project.workdir / "output"

    done = run(project, "target-jsonl", TARGET_JSONL_DESTINATION_PATH=str(out))

    lines = list(SUMMARY.finditer(done.output))
    assert len(lines) == 1, done.output[-3000:]
    summary = lines[0]
    per_stream = dict(item.split(" ") for item in summary["streams"].split(", "))
    landed = {s: str(len(read_jsonl(out / f"{s}.jsonl"))) for s in DEFAULT_STREAMS}
    assert per_stream == landed
    assert int(summary["total"]) == sum(int(n) for n in landed.values())
    assert int(summary["requests"]) == len(sim.requests) > len(DEFAULT_STREAMS)
    assert float(summary["seconds"]) > 0


# target-postgres


@dataclasses.dataclass
class Postgres:
    """A running PostgreSQL server; user `postgres`, password POSTGRES_PASSWORD."""

    port: int

    def create_database(self) -> str:
        name = f"timecamp_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def url(self, database: str) -> str:
        return f"postgresql://postgres:{POSTGRES_PASSWORD}@127.0.0.1:{self.port}/{database}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> t.Iterator[Postgres]:
    """A PostgreSQL server of these tests' own, in a temporary folder, on a free port."""
    if not POSTGRES_BIN:
        pytest.skip(
            "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin): "
            "run scripts/bootstrap --with-postgres"
        )
    binaries = Path(POSTGRES_BIN[-1])
    home = Path(tempfile.mkdtemp(prefix="tap-timecamp-postgres-"))
    # The server refuses to run as root.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(home, "postgres", "postgres")
    data, port = home / "data", free_port()
    password = home / "password"
    password.write_text(POSTGRES_PASSWORD, encoding="utf-8")
    if as_postgres:
        shutil.chown(password, "postgres", "postgres")

    def pg(*args: str) -> None:
        done = subprocess.run([*as_postgres, *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr

    pg(
        str(binaries / "initdb"),
        *("-D", str(data), "-U", "postgres", f"--pwfile={password}"),
        *("--auth=scram-sha-256", "--no-sync"),
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(home / "log"),
        "-w",
        "start",
    )
    try:
        yield Postgres(port)
    finally:
        pg(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def database(postgres) -> str:
    """A fresh, empty database for one test."""
    return postgres.create_database()


def connection_settings(postgres: Postgres, database: str) -> dict[str, str]:
    """target-postgres's settings for this server and database, as environment variables."""
    return {
        "TARGET_POSTGRES_HOST": "127.0.0.1",
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": "postgres",
        "TARGET_POSTGRES_PASSWORD": POSTGRES_PASSWORD,
        "TARGET_POSTGRES_DATABASE": database,
    }


def to_postgres(project: Pipeline, postgres: Postgres, database: str, **env: str) -> Run:
    return run(project, "target-postgres", **connection_settings(postgres, database), **env)


def query(postgres: Postgres, database: str, statement: str) -> list[dict[str, t.Any]]:
    with (
        psycopg.connect(postgres.url(database)) as conn,
        conn.cursor(row_factory=psycopg.rows.dict_row) as cursor,
    ):
        cursor.execute(statement)
        return list(cursor.fetchall())


def tables(postgres: Postgres, database: str) -> dict[str, int]:
    names = query(
        postgres,
        database,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'timecamp'",
    )
    return {
        row["table_name"]: query(
            postgres, database, f'SELECT count(*) AS n FROM timecamp."{row["table_name"]}"'
        )[0]["n"]
        for row in names
    }


def entries(postgres: Postgres, database: str) -> list[dict[str, t.Any]]:
    return query(postgres, database, "SELECT * FROM timecamp.time_entries")


def test_target_postgres_lands_every_default_selected_stream_in_its_table(
    project, timecamp, postgres, database
):
    sim, _ = timecamp
    sim.delete_entry(next(iter(sim.all_entries()))["id"])

    to_postgres(project, postgres, database)

    counts = tables(postgres, database)
    assert sorted(counts) == sorted(DEFAULT_STREAMS)
    assert all(counts[stream] > 0 for stream in DEFAULT_STREAMS), counts
    live = [e for e in entries(postgres, database) if e.get("_sdc_deleted_at") is None]
    assert sorted(e["id"] for e in live) == sorted(e["id"] for e in sim.all_entries())
    for stream, key in KEYS.items():
        keys = query(postgres, database, f"SELECT {key} AS k FROM timecamp.{stream}")
        assert len({row["k"] for row in keys}) == len(keys), stream


def test_target_postgres_second_run_upserts_on_keys_with_the_latest_values(
    project, timecamp, postgres, database
):
    sim, _ = timecamp
    to_postgres(project, postgres, database)
    before = tables(postgres, database)
    edited = next(iter(sim.all_entries()))["id"]
    sim.edit_entry(edited, description="edited «after the first run»", duration=4321)
    sim.add_entry(entry_date=dt.date.today(), duration=600, description="new today")

    to_postgres(project, postgres, database)

    after = tables(postgres, database)
    assert after == {**before, "time_entries": before["time_entries"] + 1}
    rows = {e["id"]: e for e in entries(postgres, database)}
    assert len(rows) == after["time_entries"]
    assert (rows[edited]["description"], rows[edited]["duration"]) == (
        "edited «after the first run»",
        "4321",
    )
    assert sorted(rows) == sorted(e["id"] for e in sim.all_entries())


# hard_delete applies to the ACTIVATE_VERSION of full-table streams, never to a tombstone.
@pytest.mark.parametrize("hard_delete", ["false", "true"])
def test_target_postgres_keeps_a_deleted_entry_as_a_row_with_sdc_deleted_at(
    project, timecamp, postgres, database, hard_delete
):
    sim, _ = timecamp
    to_postgres(project, postgres, database)
    victim = next(iter(sim.all_entries()))["id"]
    sim.delete_entry(victim)

    to_postgres(project, postgres, database, TARGET_POSTGRES_HARD_DELETE=hard_delete)

    rows = {e["id"]: e for e in entries(postgres, database)}
    assert rows[victim]["_sdc_deleted_at"] is not None
    assert rows[victim]["duration"] is None
    live = {i for i, e in rows.items() if e["_sdc_deleted_at"] is None}
    assert live == {e["id"] for e in sim.all_entries()}


def test_stream_maps_and_flattening_filter_rename_drop_and_flatten_on_the_way_to_postgres(
    project, timecamp, postgres, database
):
    sim, _ = timecamp
    maps = {
        "time_entries": {
            "__filter__": "billable == 1",
            "note": "description",
            "description": None,
            "task_note": None,
        },
        "tags": None,
    }

    to_postgres(
        project,
        postgres,
        database,
        TAP_TIMECAMP_STREAM_MAPS=json.dumps(maps),
        TAP_TIMECAMP_FLATTENING_ENABLED="true",
        TAP_TIMECAMP_FLATTENING_MAX_DEPTH="1",
        TAP_TIMECAMP__SELECT='["time_entries.*", "tags.*"]',
    )

    assert sorted(tables(postgres, database)) == ["time_entries"]
    columns = {
        row["column_name"]: row["data_type"]
        for row in query(
            postgres,
            database,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'timecamp' AND table_name = 'time_entries'",
        )
    }
    assert "note" in columns
    assert not {"description", "task_note"} & columns.keys()
    # Flattened: the list of tag objects arrives as its JSON text, not as a jsonb value.
    assert columns["tags"] in {"character varying", "text"}
    rows = {e["id"]: e for e in entries(postgres, database)}
    billable = {e["id"]: e for e in sim.all_entries() if e["billable"] == 1}
    assert 0 < len(rows) < len(list(sim.all_entries()))
    assert sorted(rows) == sorted(billable)
    assert all(rows[i]["note"] == billable[i]["description"] for i in rows)
    tagged = [r["tags"] for r in rows.values() if r["tags"] not in (None, "[]")]
    assert tagged
    assert all(isinstance(json.loads(tags), list) for tags in tagged)


def full_table_rows(postgres: Postgres, database: str) -> dict[str, dict[int, bool]]:
    """For each full-table stream: every row's key and whether it is marked deleted."""
    return {
        stream: {
            int(row["k"]): row["deleted"]
            for row in query(
                postgres,
                database,
                f"SELECT {key} AS k, _sdc_deleted_at IS NOT NULL AS deleted FROM timecamp.{stream}",
            )
        }
        for stream, key in FULL_TABLE_KEYS.items()
    }


# The tap sends ACTIVATE_VERSION after the whole run; target-postgres then marks (or, with
# hard_delete, deletes) the rows of older versions: those of the objects no longer listed.
@pytest.mark.parametrize("hard_delete", ["false", "true"])
def test_target_postgres_marks_or_removes_objects_deleted_in_timecamp(
    project, timecamp, postgres, database, hard_delete
):
    sim, _ = timecamp
    settings = {
        "TAP_TIMECAMP__SELECT": SELECT_FULL_TABLE,
        "TARGET_POSTGRES_HARD_DELETE": hard_delete,
    }
    to_postgres(project, postgres, database, **settings)
    before = full_table_rows(postgres, database)
    deleted = delete_one_of_each(sim)

    to_postgres(project, postgres, database, **settings)

    after = full_table_rows(postgres, database)
    for stream, ids in deleted.items():
        assert ids, stream
        assert ids <= before[stream].keys(), stream
        assert not any(before[stream].values()), stream
        if hard_delete == "true":
            assert after[stream] == {k: False for k in before[stream] if k not in ids}, stream
        else:
            assert after[stream] == {k: k in ids for k in before[stream]}, stream


def test_target_postgres_marks_nothing_when_the_run_fails(project, timecamp, postgres, database):
    sim, _ = timecamp
    to_postgres(project, postgres, database, TAP_TIMECAMP__SELECT=SELECT_FULL_TABLE_AND_ENTRIES)
    before = full_table_rows(postgres, database)
    delete_one_of_each(sim)
    fail_time_entries(sim)

    failed = project.meltano(
        "run",
        "tap-timecamp",
        "target-postgres",
        TAP_TIMECAMP__SELECT=SELECT_FULL_TABLE_AND_ENTRIES,
        TAP_TIMECAMP_MAX_RETRIES="0",
        **connection_settings(postgres, database),
    )

    assert not failed.ok
    assert full_table_rows(postgres, database) == before
    assert not any(any(rows.values()) for rows in before.values())
