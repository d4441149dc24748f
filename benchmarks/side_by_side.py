"""The tap of two checkouts, side by side: time entries read from one simulator, A B A B.

    .venv/bin/python benchmarks/side_by_side.py /path/to/other/checkout --size 1000000

A change's cost is measured against the code it changes: both taps run with this
repository's `.venv` (same interpreter, same packages), the other one's code first on the
module path, alternately (A B A B ...) so that a slower minute of the machine falls on
both. Each run reads every entry of two years (time_entries only, Singer messages to a
file); the table gives each run's seconds and peak RSS, and B's median over A's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from run import (
    BIN,
    HISTORY_DAYS,
    REPO,
    Distance,
    Simulator,
    count_records,
    measure,
    time_entries_catalog,
)

from timecamp_simulator import DEFAULT_TOKEN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout (A); this one is B")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    start = today - dt.timedelta(days=HISTORY_DAYS - 1)
    workdir = Path(tempfile.mkdtemp(prefix="tap-timecamp-side-by-side-"))
    sim = Simulator(args.size, start, today, workdir, distance=Distance())
    try:
        config = workdir / "config.json"
        config.write_text(
            json.dumps(
                {"api_url": sim.api_url, "api_token": DEFAULT_TOKEN, "start_date": str(start)}
            )
        )
        catalog = time_entries_catalog(config, workdir)
        tap = [str(BIN / "python"), "-m", "tap_timecamp", "--config", str(config)]
        tap += ["--catalog", str(catalog)]
        code = {"A": args.other.resolve() / "tap-timecamp", "B": REPO / "tap-timecamp"}
        seconds: dict[str, list[float]] = {"A": [], "B": []}
        print(f"N={args.size:,}  A={code['A']}  B={code['B']}")
        for pair in range(args.pairs):
            for name in ("A", "B") if pair % 2 == 0 else ("B", "A"):
                env = {**os.environ, "PYTHONPATH": str(code[name])}
                output = workdir / f"{name}{pair}.jsonl"
                run = measure(tap, stdout=output, env=env)
                seconds[name].append(run.seconds)
                records = count_records(output)
                print(f"{name}  {records:>9,} records  {run.seconds:7.1f} s  {run.rss_mb:6.0f} MB")
                output.unlink()
        ratio = statistics.median(seconds["B"]) / statistics.median(seconds["A"])
        print(f"B / A (median seconds): {ratio:.3f}")
    finally:
        sim.close()


if __name__ == "__main__":
    main()
