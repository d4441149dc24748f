"""The tap's record conformance beside the SDK's own, on the same time entries, in one run.

    .venv/bin/python benchmarks/conformance.py                 # 20,000 entries, read 10 times
    .venv/bin/python benchmarks/conformance.py --entries 5000 --rounds 2

A TimeCamp simulator (in this process) serves its entries once, with every optional field,
as the tap asks for them; the decoded list is then synced again and again through a stream
of the tap's (`time_entries`' schema, no HTTP), its Singer messages written to /dev/null:

- `tap`: as the tap runs, its normaliser (`tap_timecamp.coercion`) typing and conforming
  each record, the SDK's conformance off (`TYPE_CONFORMANCE_LEVEL = NONE`);
- `tap + SDK conformance`: the same, with the SDK's conformance on as well
  (`RECURSIVE`, the SDK's default); what it adds is what the SDK's conformance costs;
- `normaliser alone`: the normaliser over the same records, outside any stream.

The same records each time, so only the conformance differs; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import typing as t

import msgspec
import requests
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_timecamp import coercion
from tap_timecamp.base_stream import TimeCampStream
from tap_timecamp.tap import TapTimeCamp
from timecamp_simulator import DEFAULT_TOKEN, Simulator

END = dt.date(2026, 3, 31)


def entries_as_sent(count: int) -> list[dict[str, t.Any]]:
    """`count` entries as TimeCamp sends them to the tap: strings for numbers and all."""
    start = END - dt.timedelta(days=max(1, count // 500))
    simulator = Simulator(seed=3, entries=count, start_date=start, end_date=END)
    server = simulator.serve()
    try:
        response = requests.get(
            f"{server.base_url}/entries",
            params={
                "from": start.isoformat(),
                "to": END.isoformat(),
                "opt_fields": "tags,breadcrumps",
                "include_project": "1",
                "include_rates": "1",
                "format": "json",
            },
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "Accept": "application/json"},
            timeout=300,
        )
        response.raise_for_status()
    finally:
        server.close()
    return t.cast("list[dict[str, t.Any]]", msgspec.json.decode(response.content))


class Entries(TimeCampStream):
    """Time entries read from a list in memory: the record path of a sync, without HTTP."""

    name = "time_entries"
    path = "/entries"
    primary_keys = ("id",)
    records: t.ClassVar[list[dict[str, t.Any]]] = []

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        """The records in memory."""
        return iter(self.records)


def synced(level: TypeConformanceLevel, rounds: int) -> float:
    """Seconds to sync `Entries.records` `rounds` times with the SDK's conformance at `level`."""
    stream = Entries(TapTimeCamp(config={"api_token": DEFAULT_TOKEN}, parse_env_config=False))
    stream.TYPE_CONFORMANCE_LEVEL = level
    started = time.perf_counter()
    for _ in range(rounds):
        stream.sync()
    return time.perf_counter() - started


def normalised(records: list[dict[str, t.Any]], rounds: int) -> float:
    """Seconds to normalise `records` `rounds` times, outside any stream."""
    tap = TapTimeCamp(config={"api_token": DEFAULT_TOKEN}, parse_env_config=False)
    normalise = coercion.compile_normaliser(Entries(tap).schema)
    started = time.perf_counter()
    for _ in range(rounds):
        for record in records:
            normalise(record)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    """Measure, and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    Entries.records = entries_as_sent(args.entries)
    # The Singer messages go to /dev/null, the table to what stdout was.
    table = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    total = len(Entries.records) * args.rounds
    rows = [
        ("tap", synced(TypeConformanceLevel.NONE, args.rounds)),
        ("tap + SDK conformance", synced(TypeConformanceLevel.RECURSIVE, args.rounds)),
        ("normaliser alone", normalised(Entries.records, args.rounds)),
    ]
    lines = ["| run | records | seconds | records/s | µs per record |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {name} | {total:,} | {seconds:.2f} | {total / seconds:,.0f} "
        f"| {seconds / total * 1e6:.1f} |"
        for name, seconds in rows
    ]
    sdk = (rows[1][1] - rows[0][1]) / total * 1e6
    lines.append(
        f"\nThe SDK's conformance adds {sdk:.1f} µs per record to the tap's sync; the "
        f"normaliser costs {rows[2][1] / total * 1e6:.1f} µs per record, typing included."
    )
    table.write("\n".join(lines) + "\n")
    table.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
