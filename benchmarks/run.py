"""Speed and memory of tap-timecamp, side by side with the legacy approach, in one run.

    .venv/bin/python benchmarks/run.py                      # N = 100,000 and 1,000,000
    .venv/bin/python benchmarks/run.py --sizes 20000,200000
    .venv/bin/python benchmarks/run.py --smoke              # N = 10,000: what CI runs
    .venv/bin/python benchmarks/run.py --priced-account 0,300   # every stream, far away

For each N a TimeCamp simulator (a separate process) serves N entries over two years.
Rows (see benchmarks/README.md): the legacy baseline, the tap alone, the tap into
target-jsonl through `meltano run`, an incremental run after edits spread over the whole
history, and (N <= --bigquery-max) `meltano run tap-timecamp target-bigquery` into the
BigQuery emulator. Every program runs as its own process; its wall time and peak RSS
(`wait4`) are measured. The BigQuery rows bind port 9050 (the `local` Meltano environment
points there): run in a network namespace of your own if anything else may use it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from local_meltano import meltano_env

from bigquery_emulator import EmulatorControl
from tap_timecamp.settings import CONFIG_SCHEMA
from timecamp_simulator import DEFAULT_TOKEN

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
SHORT_RUNS = 3
PYTHON = BIN / "python"
HISTORY_DAYS = 730  # two years of entries, whatever N: N sets the density
EMULATOR_PORT = 9050
BIGQUERY_PROJECT = "local-project"
LEGACY_DATASET = "legacy"  # the legacy pipeline's table, apart from Meltano's
# `meltano run` with only time_entries selected: the legacy pipeline's one table, apart.
ENTRIES_ONLY_DATASET = "entries_only"
ENTRIES_ONLY_SELECT = '["time_entries.*"]'
LEGACY_TABLE = "timecamp_entries"
EDIT_PREFIX = "benchmark edit "
SUMMARY = "Run summary:"  # the tap's closing line
STATE_SAVED = "Incremental state has been updated"  # Meltano's, once the loader is done
BLOCK_DONE = "Block run completed"  # Meltano's, once the tap and the loader have exited
CREDENTIALS = REPO / ".local" / "bigquery-credentials.json"
DEFAULT_SIZES = (100_000, 1_000_000)
SMOKE_SIZE = 10_000
# The account the README prices: 5,000 tasks, 200 users, 50 groups, two years of entries.
PRICED_ACCOUNT = ("--users=200", "--tasks=5000", "--groups=50")
PRICED_ENTRIES = 100_000
PRICED_EDITS = 100  # entries edited between the first run and the daily run
DEFAULT_IN_FLIGHT = CONFIG_SCHEMA["properties"]["max_requests_in_flight"]["default"]
TIME_ENTRY = b'"stream":"time_entries"'


@dataclasses.dataclass(frozen=True)
class Distance:
    """How far away the simulator answers (see the simulator's README)."""

    latency_ms: float = 0.0
    latency_per_kib_ms: float = 0.0
    rate_limit: int = 0

    def flags(self) -> list[str]:
        return [
            f"--latency-ms={self.latency_ms}",
            f"--latency-per-kib-ms={self.latency_per_kib_ms}",
            f"--rate-limit={self.rate_limit}",
        ]


@dataclasses.dataclass
class Row:
    """One measured run."""

    size: int
    name: str
    records: int
    seconds: float
    rss_mb: float
    requests: int | None = None
    note: str = ""
    jobs: dict[str, int] | None = None
    job_log: list[dict[str, t.Any]] | None = None  # in --json only
    phases: dict[str, float] | None = None  # where the seconds went, for the pipelines
    edits: tuple[int, int] | None = None  # (edits made before the run, edits in the table)

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclasses.dataclass
class Measured:
    seconds: float
    rss_mb: float
    started: float = 0.0  # time.time() at the start


def measure(args: list[str], *, stdout: Path, env: dict[str, str] | None = None) -> Measured:
    """Run a program to its end; its wall time and the peak RSS of its largest process.

    `wait4` reports the child's maximum resident set size, or that of the largest
    descendant it waited for (Meltano's tap and target), whichever is larger.
    """
    log = stdout.with_suffix(".stderr")
    with open(stdout, "wb") as out, open(log, "wb") as err:
        wall = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        msg = f"{args[0]} exited with {process.returncode}:\n{tail}"
        raise RuntimeError(msg)
    return Measured(seconds, usage.ru_maxrss / 1024, wall)


def measure_short(args: list[str], *, stdout: Path) -> Measured:
    """`measure` a sub-second run `SHORT_RUNS` times: the median time, the largest RSS.

    One sample of a half-second run moves by a tenth of a second on this machine.
    """
    runs = [measure(args, stdout=stdout) for _ in range(SHORT_RUNS)]
    return Measured(statistics.median(r.seconds for r in runs), max(r.rss_mb for r in runs))


class Simulator:
    """`timecamp-simulator` as a separate process, with its control API."""

    def __init__(
        self,
        size: int,
        start: dt.date,
        end: dt.date,
        workdir: Path,
        *,
        distance: Distance,
        account: t.Sequence[str] = ("--users=25",),
    ) -> None:
        url_file = workdir / "simulator.url"
        self.process = subprocess.Popen(
            [
                str(BIN / "timecamp-simulator"),
                "--seed=1",
                f"--entries={size}",
                f"--start-date={start}",
                f"--end-date={end}",
                *account,
                *distance.flags(),
                f"--token={DEFAULT_TOKEN}",
                "--port=0",
                f"--url-file={url_file}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "simulator.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 30
        while not (url_file.exists() and url_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                msg = "the simulator did not start"
                raise RuntimeError(msg)
            time.sleep(0.1)
        self.api_url = url_file.read_text().strip().split("=", 1)[1]
        self.root = self.api_url.removesuffix("/third_party/api")
        self.session = requests.Session()

    def control(self, method: str, path: str, body: t.Any = None) -> t.Any:
        response = self.session.request(
            method, f"{self.root}/_simulator{path}", json=body, timeout=120
        )
        response.raise_for_status()
        return response.json() if response.content.strip() else None

    def request_count(self) -> int:
        return len(self.control("GET", "/requests"))

    def clear_requests(self) -> None:
        self.control("DELETE", "/requests")
        self.control("DELETE", "/distance/tally")

    def tally(self) -> dict[str, t.Any]:
        """Answers, latency waited and 429s since the last `clear_requests`."""
        return t.cast("dict[str, t.Any]", self.control("GET", "/distance"))

    def requests_by_path(self) -> dict[str, int]:
        """The logged requests by path, ids replaced by `{id}`: what each stream asked."""
        paths = [
            re.sub(r"(?<=/)\d[\d,]*(?=/|$)", "{id}", r["path"])
            for r in self.control("GET", "/requests")
        ]
        return dict(sorted(Counter(paths).items(), key=lambda item: -item[1]))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Emulator:
    """`bigquery-emulator` on port 9050 (where the `local` environment looks for it)."""

    def __init__(self, workdir: Path) -> None:
        self.out = workdir / "bigquery.env"
        self.process = subprocess.Popen(
            [
                str(BIN / "bigquery-emulator"),
                f"--port={EMULATOR_PORT}",
                f"--data-dir={workdir / 'bigquery'}",
                f"--project={BIGQUERY_PROJECT}",
                "--dataset=timecamp",
                f"--dataset={LEGACY_DATASET}",
                f"--dataset={ENTRIES_ONLY_DATASET}",
                f"--credentials-file={CREDENTIALS}",
            ],
            stdout=open(self.out, "wb"),  # noqa: SIM115
            stderr=open(workdir / "emulator.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 90
        while "BIGQUERY_EMULATOR_HOST" not in self.out.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                msg = f"the BigQuery emulator did not start (see {workdir / 'emulator.log'})"
                raise RuntimeError(msg)
            time.sleep(0.2)
        self.host = f"http://127.0.0.1:{EMULATOR_PORT}"

    def jobs(self) -> list[dict[str, t.Any]]:
        response = requests.get(f"{self.host}/_emulator/jobs", timeout=60)
        response.raise_for_status()
        return t.cast("list[dict[str, t.Any]]", response.json()["jobs"])

    def upstream_seconds(self) -> float:
        """Seconds the emulator spent answering since the job log was cleared."""
        return EmulatorControl(self.host).upstream_time().seconds

    def env(self) -> dict[str, str]:
        """What a BigQuery client process needs to reach the emulator, with the legacy names."""
        return {
            "BIGQUERY_EMULATOR_HOST": self.host,
            "GOOGLE_APPLICATION_CREDENTIALS": str(CREDENTIALS),
            "GOOGLE_CLOUD_PROJECT": BIGQUERY_PROJECT,
        }

    def count(self, sql: str) -> int:
        """The single number a query returns."""
        client = bigquery.Client(
            project=BIGQUERY_PROJECT,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": self.host},
        )
        return int(next(iter(client.query(sql).result()))[0])

    def clear_jobs(self) -> None:
        requests.delete(f"{self.host}/_emulator/jobs", timeout=60).raise_for_status()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the emulator binds it: connections of a run that just ended linger in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def count_records(path: Path) -> int:
    marker = b'"type":"RECORD"'
    with open(path, "rb") as lines:
        return sum(1 for line in lines if marker in line)


def last_state(path: Path) -> dict[str, t.Any]:
    state: dict[str, t.Any] = {}
    with open(path, "rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"STATE"'):
                state = json.loads(line)["value"]
    return state


def spread_ids(path: Path, count: int) -> list[int]:
    """`count` entry ids evenly spread over a tap's output (which is in date order)."""
    marker = b'"type":"RECORD"'
    with open(path, "rb") as lines:
        total = sum(1 for line in lines if marker in line and TIME_ENTRY in line)
    step = max(total // count, 1)
    ids: list[int] = []
    index = 0
    with open(path, "rb") as lines:
        for line in lines:
            if marker not in line or TIME_ENTRY not in line:
                continue
            if index % step == 0 and len(ids) < count:
                ids.append(int(json.loads(line)["record"]["id"]))
            index += 1
    return ids


def pipeline_env(sim: Simulator, start: dt.date, workdir: Path, **extra: str) -> dict[str, str]:
    """A `meltano` run's environment, reading the simulator from `start`."""
    return meltano_env(
        workdir,
        {
            "TAP_TIMECAMP_API_URL": sim.api_url,
            "TAP_TIMECAMP_API_TOKEN": DEFAULT_TOKEN,
            "TAP_TIMECAMP_START_DATE": start.isoformat(),
            **extra,
        },
    )


def time_entries_catalog(config: Path, workdir: Path) -> Path:
    """The tap's catalog with only time_entries selected."""
    return selected_catalog(config, workdir, lambda stream: stream == "time_entries")


def selected_catalog(config: Path, workdir: Path, selected: t.Callable[[str], bool]) -> Path:
    """The tap's catalog with the streams `selected` says yes to."""
    done = subprocess.run(
        [str(BIN / "tap-timecamp"), "--config", str(config), "--discover"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    catalog = json.loads(done.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = selected(stream["tap_stream_id"])
    path = workdir / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


def bench_size(  # noqa: PLR0915
    size: int,
    *,
    edits: int,
    bigquery: bool,
    keep: bool,
    log: t.Callable[[str], None],
    history_days: int = HISTORY_DAYS,
    distance: Distance,
    per_entry_only: bool = False,
) -> list[Row]:
    rows: list[Row] = []
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    start = today - dt.timedelta(days=history_days - 1)
    workdir = Path(tempfile.mkdtemp(prefix=f"tap-timecamp-bench-{size}-"))
    sim = Simulator(size, start, today, workdir, distance=distance)
    emulator: Emulator | None = None
    bq_dir = workdir / "bq"
    bq_dir.mkdir()
    try:
        if bigquery:
            try:
                emulator = Emulator(bq_dir)
            except RuntimeError as exc:
                log(f"skipping the BigQuery rows: {exc}")

        # 1. The legacy approach: one call for the whole range.
        log(f"N={size:,}: legacy baseline")
        sim.clear_requests()
        output = workdir / "legacy.jsonl"
        fetch = legacy_fetch(size, sim, start, today, output)
        rows.append(fetch)

        # 1b. The legacy pipeline's first run: that fetch, then the upload script.
        if emulator is not None:
            log(f"N={size:,}: legacy upload (first run)")
            rows.append(legacy_upload("legacy-pipeline", fetch, emulator, output, edits=None))
        output.unlink()

        # 2. The tap alone, time_entries only, Singer messages to a file.
        log(f"N={size:,}: tap-timecamp")
        config = workdir / "config.json"
        config.write_text(
            json.dumps(
                {"api_url": sim.api_url, "api_token": DEFAULT_TOKEN, "start_date": str(start)}
            )
        )
        catalog = time_entries_catalog(config, workdir)
        sim.clear_requests()
        full_output = workdir / "tap.jsonl"
        tap = [str(BIN / "tap-timecamp"), "--config", str(config), "--catalog", str(catalog)]
        run = measure(tap, stdout=full_output)
        full = Row(
            size,
            "tap",
            count_records(full_output),
            run.seconds,
            run.rss_mb,
            sim.request_count(),
        )
        rows.append(full)
        state = workdir / "state.json"
        state.write_text(json.dumps(last_state(full_output)))

        # 2b. The tap with its default selection (no catalog): what `meltano run` reads.
        log(f"N={size:,}: tap-timecamp, default streams")
        sim.clear_requests()
        default_output = workdir / "tap-default-streams.jsonl"
        run = measure(tap[:3], stdout=default_output)
        rows.append(
            Row(
                size,
                "tap-default-streams",
                count_records(default_output),
                run.seconds,
                run.rss_mb,
                sim.request_count(),
                "the default selection: 7 streams, records of all of them",
            )
        )
        default_output.unlink()

        # The fixed cost of any run: start-up, imports, settings, streams; no request.
        sim.clear_requests()
        run = measure_short([*tap[:3], "--discover"], stdout=workdir / "catalog-again.json")
        rows.append(
            Row(
                size,
                "tap-startup",
                0,
                run.seconds,
                run.rss_mb,
                sim.request_count(),
                f"`--discover`, median of {SHORT_RUNS} runs: what every run costs before its first "
                "request",
            )
        )

        if per_entry_only:
            return rows

        # 3. The whole pipeline into target-jsonl.
        log(f"N={size:,}: meltano run tap-timecamp target-jsonl")
        jsonl_dir = workdir / "jsonl"
        jsonl_dir.mkdir()
        env = pipeline_env(
            sim,
            start,
            workdir,
            TAP_TIMECAMP__SELECT='["time_entries.*"]',
            TARGET_JSONL_DESTINATION_PATH=str(jsonl_dir),
        )
        sim.clear_requests()
        run = measure(
            [str(BIN / "meltano"), "run", "tap-timecamp", "target-jsonl"],
            env=env,
            stdout=workdir / "meltano-jsonl.log",
        )
        with open(jsonl_dir / "time_entries.jsonl", "rb") as lines:
            records = sum(1 for _ in lines)
        rows.append(
            Row(size, "meltano-jsonl", records, run.seconds, run.rss_mb, sim.request_count())
        )
        shutil.rmtree(jsonl_dir)

        # 6a. Into the BigQuery emulator, a first run; then with the legacy pipeline's one
        # table only (a Meltano project of its own: its own state and dataset).
        entries_dir = workdir / "bq-entries-only"
        entries_dir.mkdir()
        if emulator is not None:
            log(f"N={size:,}: meltano run tap-timecamp target-bigquery (first run)")
            rows.append(
                bigquery_run(
                    size, "bigquery", sim=sim, emulator=emulator, start=start, workdir=bq_dir
                )
            )
            log(f"N={size:,}: meltano run tap-timecamp target-bigquery, time entries only")
            rows.append(
                bigquery_run(
                    size,
                    "bigquery-entries-only",
                    sim=sim,
                    emulator=emulator,
                    start=start,
                    workdir=entries_dir,
                    entries_only=True,
                )
            )

        # 4. Edits spread over the whole history, then an incremental run.
        log(f"N={size:,}: {edits} edits, then an incremental run")
        for number, entry_id in enumerate(spread_ids(full_output, edits)):
            sim.control("POST", f"/entries/{entry_id}", {"description": f"{EDIT_PREFIX}{number}"})
        if not keep:
            full_output.unlink()
        sim.clear_requests()
        incremental_output = workdir / "incremental.jsonl"
        run = measure_short([*tap, "--state", str(state)], stdout=incremental_output)
        rows.append(
            Row(
                size,
                "tap-incremental",
                count_records(incremental_output),
                run.seconds,
                run.rss_mb,
                sim.request_count() // SHORT_RUNS,  # per run: the runs read the same
                f"after {edits} edits; median of {SHORT_RUNS} runs",
            )
        )

        if emulator is not None:
            # 5. The legacy daily run after the edits: yesterday's entries, fetched and uploaded.
            log(f"N={size:,}: legacy pipeline, daily run")
            yesterday = today - dt.timedelta(days=1)
            sim.clear_requests()
            daily = legacy_fetch(size, sim, yesterday, yesterday, output)
            rows.append(
                legacy_upload("legacy-pipeline-daily", daily, emulator, output, edits=edits)
            )
            output.unlink()

            # 6b. The same edits into BigQuery: a later run costs what changed.
            log(f"N={size:,}: meltano run tap-timecamp target-bigquery (incremental)")
            incremental = bigquery_run(
                size,
                "bigquery-incremental",
                sim=sim,
                emulator=emulator,
                start=start,
                workdir=bq_dir,
            )
            incremental.edits = (edits, landed_edits(emulator, f"timecamp.{LEGACY_TABLE}"))
            rows.append(incremental)
            log(f"N={size:,}: the same, time entries only")
            entries_only = bigquery_run(
                size,
                "bigquery-entries-only-incremental",
                sim=sim,
                emulator=emulator,
                start=start,
                workdir=entries_dir,
                entries_only=True,
            )
            entries_only.edits = (
                edits,
                landed_edits(emulator, f"{ENTRIES_ONLY_DATASET}.{LEGACY_TABLE}"),
            )
            rows.append(entries_only)
    finally:
        if emulator is not None:
            emulator.close()
        sim.close()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


@dataclasses.dataclass
class PricedRow:
    """One run of every stream on the priced account, at one distance."""

    distance: Distance
    in_flight: int | None  # max_requests_in_flight (None: the tap's default)
    name: str  # "first run" or "daily run"
    records: int
    requests: int
    seconds: float
    throttled: int  # 429s the simulator answered
    waited: float  # the latency served, summed: the floor for one request at a time
    rss_mb: float
    requests_by_path: dict[str, int]


def bench_priced_account(
    distance: Distance,
    *,
    keep: bool,
    log: t.Callable[[str], None],
    first_run_distance: Distance | None = None,
    in_flight: int | None = None,
) -> list[PricedRow]:
    """A first run and a daily run of every stream on the README's priced account.

    With `first_run_distance`, the first run is at that distance and only the daily run at
    `distance`: the daily run's figures without an hour's first run. `in_flight`: the tap's
    `max_requests_in_flight` (None: its default).
    """
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    start = today - dt.timedelta(days=HISTORY_DAYS - 1)
    workdir = Path(tempfile.mkdtemp(prefix=f"tap-timecamp-priced-{distance.latency_ms:g}ms-"))
    sim = Simulator(
        PRICED_ENTRIES, start, today, workdir, distance=distance, account=PRICED_ACCOUNT
    )
    rows: list[PricedRow] = []
    try:
        config = workdir / "config.json"
        settings: dict[str, t.Any] = {
            "api_url": sim.api_url,
            "api_token": DEFAULT_TOKEN,
            "start_date": str(start),
        }
        if in_flight is not None:
            settings["max_requests_in_flight"] = in_flight
        config.write_text(json.dumps(settings))
        catalog = selected_catalog(config, workdir, lambda _stream: True)
        tap = [str(BIN / "tap-timecamp"), "--config", str(config), "--catalog", str(catalog)]
        first_output = workdir / "first.jsonl"
        state = workdir / "state.json"
        for name in ("first run", "daily run"):
            at = first_run_distance if name == "first run" and first_run_distance else distance
            sim.control("POST", "/distance", dataclasses.asdict(at))
            log(f"priced account at {at.latency_ms:g} ms: {name}")
            output = first_output if name == "first run" else workdir / "daily.jsonl"
            args = tap if name == "first run" else [*tap, "--state", str(state)]
            sim.clear_requests()
            run = measure(args, stdout=output)
            tally = sim.tally()
            rows.append(
                PricedRow(
                    at,
                    in_flight,
                    name,
                    count_records(output),
                    tally["answers"],
                    run.seconds,
                    tally["throttled"],
                    tally["waited_seconds"],
                    run.rss_mb,
                    sim.requests_by_path(),
                )
            )
            log(
                f"  {rows[-1].requests:,} requests, {run.seconds:.1f} s, "
                f"{tally['throttled']} 429s, "
                f"{tally['waited_seconds']:.1f} s waited"
            )
            if name == "first run":
                state.write_text(json.dumps(last_state(first_output)))
                for number, entry_id in enumerate(spread_ids(first_output, PRICED_EDITS)):
                    sim.control(
                        "POST", f"/entries/{entry_id}", {"description": f"{EDIT_PREFIX}{number}"}
                    )
    finally:
        sim.close()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


def priced_table(rows: list[PricedRow]) -> str:
    """Every stream on the priced account: requests, wall time, 429s and the waiting floor."""
    lines = [
        "| latency | rate limit | in flight | run | records | requests | seconds | 429s "
        "| latency waited (s) | seconds / waited | seconds / (waited / in flight) "
        "| peak RSS (MB) |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        d = row.distance
        latency = f"{d.latency_ms:g} ms" + (
            f" + {d.latency_per_kib_ms:g} ms/KiB" if d.latency_per_kib_ms else ""
        )
        in_flight = row.in_flight or DEFAULT_IN_FLIGHT
        ratio = f"{row.seconds / row.waited:.2f}" if row.waited else ""
        goal = f"{row.seconds / (row.waited / in_flight):.2f}" if row.waited else ""
        lines.append(
            f"| {latency} | {d.rate_limit or 'none'} | {in_flight}"
            f" | {row.name} | {row.records:,} | {row.requests:,} | {row.seconds:.1f}"
            f" | {row.throttled} | {row.waited:.1f} | {ratio} | {goal} | {row.rss_mb:.0f} |"
        )
    lines += ["", "Requests by path (ids as `{id}`), first run / daily run:", ""]
    lines += ["| daily run at | path | first run | daily run |", "|---:|---|---:|---:|"]
    for first, daily in zip(rows[::2], rows[1::2], strict=True):
        for path in dict.fromkeys([*first.requests_by_path, *daily.requests_by_path]):
            lines.append(
                f"| {daily.distance.latency_ms:g} ms | `{path}` "
                f"| {first.requests_by_path.get(path, 0):,} "
                f"| {daily.requests_by_path.get(path, 0):,} |"
            )
    return "\n".join(lines)


def legacy_fetch(size: int, sim: Simulator, first: dt.date, last: dt.date, output: Path) -> Row:
    """`legacy_fetch.py` for the days `first`..`last`: one call, the entries to `output`."""
    run = measure(
        [
            str(PYTHON),
            str(REPO / "benchmarks" / "legacy_fetch.py"),
            f"--url={sim.api_url}",
            f"--token={DEFAULT_TOKEN}",
            f"--from={first}",
            f"--to={last}",
            f"--output={output}",
        ],
        stdout=output.with_suffix(".log"),
    )
    with open(output, "rb") as lines:
        records = sum(1 for _ in lines)
    return Row(size, "legacy", records, run.seconds, run.rss_mb, sim.request_count(), "1 call")


def legacy_upload(
    name: str, fetch: Row, emulator: Emulator, data: Path, *, edits: int | None
) -> Row:
    """The legacy pipeline as cron runs it: `fetch` (measured already), then the upload script.

    With `edits`, the note says how many of the edits made before the run reached the table.
    """
    emulator.clear_jobs()
    env = {
        **os.environ,
        **emulator.env(),
        "BIGQUERY_DATASET": LEGACY_DATASET,
        "BIGQUERY_TABLE": LEGACY_TABLE,
    }
    upload = measure(
        [str(PYTHON), str(REPO / "benchmarks" / "legacy_upload.py"), f"--input={data}"],
        env=env,
        stdout=data.with_name(f"{name}.log"),
    )
    row = Row(
        fetch.size,
        name,
        fetch.records,
        fetch.seconds + upload.seconds,
        max(fetch.rss_mb, upload.rss_mb),
        fetch.requests,
        jobs=job_counts(emulator.jobs()),
        phases={
            "fetch": fetch.seconds,
            "upload": upload.seconds,
            "BigQuery (emulator)": emulator.upstream_seconds(),
        },
    )
    if edits is not None:
        row.edits = (edits, landed_edits(emulator, f"{LEGACY_DATASET}.{LEGACY_TABLE}"))
    return row


def landed_edits(emulator: Emulator, table: str) -> int:
    """How many of the benchmark's edits the table holds."""
    return emulator.count(
        f"SELECT COUNT(*) FROM `{BIGQUERY_PROJECT}.{table}` WHERE description LIKE '{EDIT_PREFIX}%'"
    )


def job_counts(jobs: list[dict[str, t.Any]]) -> dict[str, int]:
    """The BigQuery jobs of a run by kind, from the emulator's job log."""
    loads = [job for job in jobs if job["kind"] == "load"]
    queries = [job for job in jobs if job["kind"] == "query"]
    return {
        "load": len(loads),
        "query": len(queries),
        "merge": sum(1 for job in queries if "MERGE" in (job.get("sql") or "").upper()),
        "tables loaded": len({job["destination"] for job in loads}),
        "failed": sum(1 for job in jobs if job.get("error")),
    }


def bigquery_run(
    size: int,
    name: str,
    *,
    sim: Simulator,
    emulator: Emulator,
    start: dt.date,
    workdir: Path,
    entries_only: bool = False,
) -> Row:
    """`meltano run tap-timecamp target-bigquery`: the project's default selection, or only
    time_entries into a dataset of its own (`entries_only`)."""
    emulator.clear_jobs()
    sim.clear_requests()
    only = (
        {
            "TAP_TIMECAMP__SELECT": ENTRIES_ONLY_SELECT,
            "TARGET_BIGQUERY_DATASET": ENTRIES_ONLY_DATASET,
        }
        if entries_only
        else {}
    )
    run = measure(
        [str(BIN / "meltano"), "run", "tap-timecamp", "target-bigquery"],
        env=pipeline_env(sim, start, workdir, **only),
        stdout=workdir / f"{name}.log",
    )
    jobs = emulator.jobs()
    log_lines = (workdir / f"{name}.stderr").read_text(errors="replace").splitlines()
    return Row(
        size,
        name,
        summary_records(log_lines, "time_entries"),
        run.seconds,
        run.rss_mb,
        sim.request_count(),
        jobs=job_counts(jobs),
        job_log=[
            {key: job.get(key) for key in ("kind", "destination", "sql", "state")} for job in jobs
        ],
        phases={
            **meltano_phases(log_lines, run),
            "BigQuery (emulator)": emulator.upstream_seconds(),
        },
    )


def log_time(line: str) -> float | None:
    """The time stamp Meltano puts at the start of each log line, as seconds since the epoch."""
    stamp = line.split(" ", 1)[0]
    try:
        return dt.datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def meltano_phases(lines: list[str], run: Measured) -> dict[str, float]:
    """Where a `meltano run`'s time went, from its log's time stamps and the tap's summary.

    The tap's closing line (`Run summary: ... ; 0.6 s`) gives when it ended and how long
    it ran. start-up and discovery: until the tap started (Meltano's imports and set-up,
    the tap's `--discover`, starting the tap and the loader); tap: its run (the loader reads
    alongside); loader: from the tap's end until Meltano has the loader's final state (its
    last loads, the MERGEs, exiting); the rest is Meltano saving the state and exiting.
    """
    summary = next((line for line in lines if " tap-timecamp " in line and SUMMARY in line), None)
    # Without a bookmark to save (or with that line logged away), the block's end.
    saved = next((line for line in lines if STATE_SAVED in line), None) or next(
        (line for line in lines if BLOCK_DONE in line), None
    )
    tap_ends = log_time(summary) if summary else None
    loader_ends = log_time(saved) if saved else None
    tap_seconds = re.search(r"; ([0-9.]+) s$", summary.rstrip()) if summary else None
    if tap_ends is None or loader_ends is None or tap_seconds is None:
        return {}
    tap_begins = tap_ends - float(tap_seconds[1])
    return {
        "start-up and discovery": max(tap_begins - run.started, 0.0),
        "tap": float(tap_seconds[1]),
        "loader": max(loader_ends - tap_ends, 0.0),
        "state and exit": max(run.started + run.seconds - loader_ends, 0.0),
    }


def summary_records(lines: list[str], stream: str) -> int:
    """The records of `stream` the tap's run summary counts."""
    for line in lines:
        if SUMMARY in line and (found := re.search(rf"[(, ]{stream} (\d+)", line)):
            return int(found[1])
    return 0


def table(rows: list[Row]) -> str:
    baseline = {row.size: row for row in rows if row.name == "legacy"}
    full = {row.size: row for row in rows if row.name == "tap"}
    startup = {row.size: row for row in rows if row.name == "tap-startup"}
    lines = [
        "| N | run | records | requests | seconds | records/s | speed vs legacy "
        "| peak RSS (MB) | notes |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        base = baseline.get(row.size)
        notes = [row.note] if row.note else []
        speed = f"{row.rate / base.rate:.2f}x" if base and base.rate and row.records else ""
        if row.name == "tap-incremental" and row.size in full:
            whole = full[row.size]
            speed = ""
            fixed = startup[row.size].seconds if row.size in startup else 0.0
            net, whole_net = max(row.seconds - fixed, 0.0), max(whole.seconds - fixed, 1e-9)
            notes.append(
                f"{row.records / row.size:.2%} of N read, "
                f"{row.seconds / whole.seconds:.1%} of the full run's time "
                f"(net of start-up: {net:.2f} s of {whole_net:.1f} s, {net / whole_net:.1%}), "
                f"{row.requests}/{whole.requests} requests"
            )
        if row.name in {"tap", "tap-default-streams"} and base:
            notes.append(f"{row.seconds / base.seconds:.2f}x the legacy row's seconds")
        if row.jobs is not None:
            speed = ""
            notes.append(", ".join(f"{key}: {value}" for key, value in row.jobs.items()))
        lines.append(
            f"| {row.size:,} | {row.name} | {row.records:,} | "
            f"{'' if row.requests is None else row.requests} | {row.seconds:.1f} | "
            f"{row.rate:,.0f} | {speed} | {row.rss_mb:.0f} | {'; '.join(notes)} |"
        )
    sizes = sorted({row.size for row in rows})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += [
            "",
            f"Peak RSS from N={small:,} to N={large:,}:",
            "",
            "| run | RSS small (MB) | RSS large (MB) | growth |",
            "|---|---:|---:|---:|",
        ]
        by_key = {(row.size, row.name): row for row in rows}
        for name in dict.fromkeys(row.name for row in rows):
            a, b = by_key.get((small, name)), by_key.get((large, name))
            if a and b:
                lines.append(
                    f"| {name} | {a.rss_mb:.0f} | {b.rss_mb:.0f} | {b.rss_mb / a.rss_mb:.2f}x |"
                )
    return "\n".join(lines)


# The end-to-end comparison: each Meltano run beside the legacy pipeline's run of that kind.
# Each kind of run: the legacy pipeline's row, then the `meltano run` rows beside it.
PIPELINE_SETS = (
    (
        "first run",
        "legacy-pipeline",
        (("meltano run", "bigquery"), ("meltano run, time entries only", "bigquery-entries-only")),
    ),
    (
        "daily run after the edits",
        "legacy-pipeline-daily",
        (
            ("meltano run", "bigquery-incremental"),
            ("meltano run, time entries only", "bigquery-entries-only-incremental"),
        ),
    ),
)


def pipeline_table(rows: list[Row]) -> str:
    """Legacy fetch + upload beside `meltano run`, end to end, with where the time went."""
    by_key = {(row.size, row.name): row for row in rows}
    lines = [
        "| N | run | pipeline | records | seconds | vs legacy | where the time went (s) "
        "| BigQuery jobs | edits in the table |",
        "|---:|---|---|---:|---:|---:|---|---|---|",
    ]
    for size in sorted({row.size for row in rows}):
        for kind, legacy_name, meltano_names in PIPELINE_SETS:
            legacy = by_key.get((size, legacy_name))
            runs = [
                (label, row)
                for label, name in meltano_names
                if (row := by_key.get((size, name))) is not None
            ]
            if legacy is None or not runs:
                continue
            for pipeline, row in [("legacy fetch + upload", legacy), *runs]:
                phases = ", ".join(f"{k} {v:.1f}" for k, v in (row.phases or {}).items())
                jobs = row.jobs or {}
                edits = ""
                if row.edits is not None:
                    made, landed = row.edits
                    edits = f"{landed:,} of {made:,}"
                    if row is legacy:
                        edits += " (it reads only yesterday's entries: older edits never arrive)"
                lines.append(
                    f"| {size:,} | {kind} | {pipeline} | {row.records:,} | {row.seconds:.1f} "
                    f"| {row.seconds / legacy.seconds:.2f}x | {phases} "
                    f"| {jobs.get('load', 0)} loads, {jobs.get('query', 0)} queries "
                    f"| {edits} |"
                )
    return "\n".join(lines)


def compile_ahead(log: t.Callable[[str], None]) -> None:
    """Compile the tap and the Meltano plugins' venvs to bytecode, as a user's machine has them.

    The tap in .venv is installed editable, and uv (Meltano's installer) compiles nothing
    ahead unless told (scripts/bootstrap tells it, with UV_COMPILE_BYTECODE). A user's
    Python writes the bytecode on the first run; with PYTHONDONTWRITEBYTECODE (set on this
    machine, and in many containers) nothing ever would, and every run would be measured
    compiling its whole venv from source first: a
    profile of the loader showed more than half of a daily run's time there.
    """
    targets = [(PYTHON, REPO / "tap-timecamp" / "tap_timecamp")]
    for venv in sorted((REPO / ".meltano").glob("*/*/venv")):
        targets += [(venv / "bin" / "python", lib) for lib in venv.glob("lib/python*")]
    for python, path in targets:
        done = subprocess.run(
            [str(python), "-m", "compileall", "-q", "-j", "0", str(path)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:  # a file that does not compile is left as it is, as pip does
            log(f"compileall {path}: exit {done.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated entry counts (default 100000,1000000)")
    parser.add_argument("--smoke", action="store_true", help=f"one small size ({SMOKE_SIZE:,})")
    parser.add_argument("--edits", type=int, default=1000, help="edits before the incremental run")
    parser.add_argument(
        "--bigquery-max",
        type=int,
        default=100_000,
        help="run the BigQuery rows for sizes up to this (0: never)",
    )
    parser.add_argument(
        "--entries-per-day",
        type=int,
        help=(
            "grow N by history instead of density: each size spans N / this many days "
            f"(default: every size spans {HISTORY_DAYS} days)"
        ),
    )
    parser.add_argument(
        "--no-compile",
        action="store_true",
        help="leave the plugins' venvs as installed (with PYTHONDONTWRITEBYTECODE, uncompiled)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="the simulator holds every API answer back this long (default 0: 127.0.0.1)",
    )
    parser.add_argument(
        "--latency-per-kib-ms", type=float, default=0.0, help="and this long per KiB of it"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        help="the simulator answers 429 + Retry-After past this many requests a second (0: none)",
    )
    parser.add_argument(
        "--priced-account",
        metavar="LATENCIES_MS",
        help=(
            "only the README's priced account (every stream, a first and a daily run) at each "
            "of these comma-separated latencies, e.g. 0,300 (not in CI: about an hour at 300)"
        ),
    )
    parser.add_argument(
        "--priced-first-run-latency-ms",
        type=float,
        help=(
            "the priced account's first runs at this latency and without a rate limit, "
            "only its daily runs at each"
        ),
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        help=(
            "the priced account's runs with this `max_requests_in_flight` "
            f"(default: the tap's, {DEFAULT_IN_FLIGHT})"
        ),
    )
    parser.add_argument(
        "--per-entry-only",
        action="store_true",
        help="only the per-entry rows: legacy, tap, tap-default-streams, tap-startup",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    if args.smoke:
        sizes: tuple[int, ...] = (SMOKE_SIZE,)
    elif args.sizes:
        sizes = tuple(int(size) for size in args.sizes.split(","))
    else:
        sizes = DEFAULT_SIZES

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    rows: list[Row] = []
    if not args.no_compile:
        compile_ahead(log)
    distance = Distance(args.latency_ms, args.latency_per_kib_ms, args.rate_limit)
    if args.priced_account:
        priced = [
            row
            for latency in args.priced_account.split(",")
            for row in bench_priced_account(
                dataclasses.replace(distance, latency_ms=float(latency)),
                keep=args.keep,
                log=log,
                first_run_distance=None
                if args.priced_first_run_latency_ms is None
                # Without the rate limit: a first run of 13,000 requests under a limit is
                # what the daily run's figures are to do without.
                else Distance(latency_ms=args.priced_first_run_latency_ms),
                in_flight=args.in_flight,
            )
        ]
        if args.json:
            args.json.write_text(json.dumps([dataclasses.asdict(row) for row in priced], indent=2))
        print(priced_table(priced))
        return
    for size in sizes:
        # A small N gets proportionally fewer edits: 1% of its entries at most.
        edits = min(args.edits, max(size // 100, 1))
        bigquery = size <= args.bigquery_max
        if bigquery and not port_free(EMULATOR_PORT):
            log(f"port {EMULATOR_PORT} is busy: skipping the BigQuery rows")
            bigquery = False
        history = -(-size // args.entries_per_day) if args.entries_per_day else HISTORY_DAYS
        rows += bench_size(
            size,
            edits=edits,
            bigquery=bigquery,
            keep=args.keep,
            log=log,
            history_days=history,
            distance=distance,
            per_entry_only=args.per_entry_only,
        )
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(row) for row in rows], indent=2))
    print(table(rows))
    if any(row.phases for row in rows):
        print("\nEnd to end, the legacy pipeline beside `meltano run`:\n")
        print(pipeline_table(rows))


if __name__ == "__main__":
    main()
