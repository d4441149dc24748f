"""The size of the state a bounded `expenses` read leaves: one id per expense of the bound.

    .venv/bin/python benchmarks/expense_state_size.py

Runs the tap (in this process) against simulated accounts of growing size, `start_date` and
`end_date` set to one year (or a quarter), and prints the expenses read and the state's size
in bytes, with and without the ids it keeps to find deletions (`expense_ids_in_bound`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tap-timecamp"))

from tests.running import selecting, sync_here
from tests.simulated import tap_config

from timecamp_simulator import Simulator

END = dt.date(2025, 12, 31)
ACCOUNTS = ((6, 90), (50, 365), (200, 365))


def compact(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def main() -> None:
    print("| users | days | expenses | state bytes | without the ids |")
    print("|---:|---:|---:|---:|---:|")
    for users, days in ACCOUNTS:
        first = END - dt.timedelta(days=days - 1)
        now = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(9))
        sim = Simulator(seed=11, entries=100, start_date=first, end_date=END, users=users, now=now)
        with sim.serve() as server:
            config = tap_config(
                server.base_url,
                start_date=first.isoformat(),
                end_date=END.isoformat(),
                track_deletions=False,
            )
            run = sync_here(config, catalog=selecting(config, ["expenses"]))
        state = run.last_state
        ids = state["bookmarks"]["expenses"]["expense_ids_in_bound"]
        size = compact(state)
        print(f"| {users} | {days} | {len(ids)} | {size} | {size - compact(ids)} |")


if __name__ == "__main__":
    main()
