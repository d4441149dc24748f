"""The BigQuery loader alone, side by side: seconds and peak memory for N time entries.

Each executable given (e.g. the branch's ``.venvs/target-bigquery/bin/target-bigquery-safe``
and an older checkout's) loads the same N time-entry records, shaped as tap-timecamp sends
them, into a fresh dataset of one local BigQuery emulator, with the project's settings
(upsert, dedupe, batch_size 1,000,000). The runs alternate (A B A B ...), so a machine busy with
other work weighs on both alike. Wall seconds and peak RSS (VmHWM) of the loader process
are printed as a Markdown table, and its rows counted in the table.

    .venvs/target-bigquery/bin/python benchmarks/loader_side_by_side.py \
        --size 1000000 --pairs 1 OLD=/path/to/old/target-bigquery-safe \
        NEW=.venvs/target-bigquery/bin/target-bigquery-safe
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bigquery_emulator import BigQueryEmulator

STREAM = "time_entries"
TABLE = "timecamp_entries"
PROPERTIES = {
    "id": {"type": "integer"},
    "duration": {"type": ["string", "null"]},
    "user_id": {"type": ["string", "null"]},
    "user_name": {"type": ["string", "null"]},
    "task_id": {"type": ["string", "null"]},
    "task_note": {"type": ["string", "null"]},
    "last_modify": {"type": ["string", "null"]},
    "date": {"type": ["string", "null"], "format": "date"},
    "start_time": {"type": ["string", "null"]},
    "end_time": {"type": ["string", "null"]},
    "locked": {"type": ["string", "null"]},
    "name": {"type": ["string", "null"]},
    "addons_external_id": {"type": ["string", "null"]},
    "billable": {"type": ["integer", "null"]},
    "invoiceId": {"type": ["string", "null"]},
    "color": {"type": ["string", "null"]},
    "description": {"type": ["string", "null"]},
    "hasEntryLocationHistory": {"type": ["boolean", "null"]},
}


def write_input(path: Path, size: int) -> None:
    with path.open("w") as out:
        schema = {"type": "object", "properties": PROPERTIES}
        out.write(
            json.dumps(
                {"type": "SCHEMA", "stream": STREAM, "schema": schema, "key_properties": ["id"]}
            )
            + "\n"
        )
        for entry in range(1, size + 1):
            record = {
                "id": entry,
                "duration": "1800",
                "user_id": str(entry % 25),
                "user_name": f"User {entry % 25}",
                "task_id": str(entry % 300),
                "task_note": "",
                "last_modify": "2026-03-01 10:00:00",
                "date": "2026-03-01",
                "start_time": "09:00:00",
                "end_time": "09:30:00",
                "locked": "0",
                "name": "Support",
                "addons_external_id": "",
                "billable": 1,
                "invoiceId": "0",
                "color": "#34C644",
                "description": f"entry {entry}",
                "hasEntryLocationHistory": False,
            }
            out.write(
                json.dumps(
                    {
                        "type": "RECORD",
                        "stream": STREAM,
                        "record": record,
                        "time_extracted": "2026-03-02T05:00:00+00:00",
                    }
                )
                + "\n"
            )
        out.write(
            json.dumps({"type": "STATE", "value": {"bookmarks": {STREAM: {"n": size}}}}) + "\n"
        )


def run_once(
    executable: str, bq: BigQueryEmulator, dataset: str, data: Path, workdir: Path
) -> tuple[float, float]:
    config = workdir / f"{dataset}.json"
    config.write_text(
        json.dumps(
            {
                "project": "local-project",
                "dataset": dataset,
                "method": "batch_job",
                "denormalized": True,
                "upsert": True,
                "dedupe_before_upsert": True,
                "batch_size": 1_000_000,
                "stream_maps": {STREAM: {"__alias__": TABLE}},
            }
        )
    )
    started = time.perf_counter()
    with data.open() as stdin:
        process = subprocess.Popen(
            [executable, "--config", str(config)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **bq.env()},
        )
        peak_kib = 0
        while process.poll() is None:
            peak_kib = max(peak_kib, high_water_mark_kib(process.pid))
            time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{executable} failed on {dataset}")
    return seconds, peak_kib / 1024


def high_water_mark_kib(pid: int) -> int:
    """The process's peak RSS since it started its program (VmHWM), 0 once it is gone.

    Not ``wait4``'s ``ru_maxrss``: that counts the pages the child shared with this process
    between fork and exec, and this process holds the emulator's proxy, which grows with
    every upload it has decompressed (a second loader measured after a first read 1.2 GB).
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("loaders", nargs="+", help="NAME=EXECUTABLE")
    args = parser.parse_args()
    loaders = [tuple(item.split("=", 1)) for item in args.loaders]
    workdir = Path(tempfile.mkdtemp(prefix="loader-bench-"))
    data = workdir / "input.jsonl"
    write_input(data, args.size)
    rows = []
    with BigQueryEmulator(data_dir=workdir / "bq") as bq:
        for pair in range(1, args.pairs + 1):
            for name, executable in loaders:
                dataset = f"{name.lower()}_{pair}"
                bq.create_dataset(dataset)
                seconds, rss = run_once(executable, bq, dataset, data, workdir)
                query = f"SELECT COUNT(*) AS n FROM `local-project.{dataset}.{TABLE}`"
                [row] = list(bq.client().query(query).result())
                rows.append((pair, name, seconds, rss, row["n"]))
    print(f"N = {args.size:,} time entries, batch_size 1,000,000\n")
    print("| pair | loader | seconds | records/s | peak RSS (MB) | rows in the table |")
    print("|---|---|---|---|---|---|")
    for pair, name, seconds, rss, count in rows:
        rate = args.size / seconds
        print(f"| {pair} | {name} | {seconds:.1f} | {rate:,.0f} | {rss:.0f} | {count:,} |")


if __name__ == "__main__":
    main()
