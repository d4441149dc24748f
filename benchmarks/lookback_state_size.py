"""The size of the state the streams that judge removals keep: their keys, per stream.

    .venv/bin/python benchmarks/lookback_state_size.py

Runs the tap (in this process) against the simulated accounts of tap-timecamp/README.md's
table (6 and 25 users, a quarter of history, a first run on 2026-04-01 from 2026-01-01,
default lookbacks) and prints, per stream, its state in bytes (compact JSON), the keys it
keeps to find removals, the state without them, and the bytes per key.
"""

from __future__ import annotations

import json
import sys
import typing as t
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tap-timecamp"))

from tests.running import selecting, sync_here
from tests.simulated import END, NOW, START, tap_config

from timecamp_simulator import Simulator

USERS = (6, 25)
# Each stream and the state key of what it keeps to judge removals, and how to count them.
STREAMS = {
    "attendance": "lookback_keys",
    "approvals": "lookback_keys",
    "computer_activities": "activity_keys",
    "custom_field_values": "value_templates",
}


def compact(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def count(stream: str, kept: t.Any) -> int:
    """How many keys the saved structure holds."""
    if stream == "computer_activities":
        return sum(len(group[3]) // 2 for group in kept)
    if stream == "custom_field_values":
        return sum(
            len(templates.split(",")) * len(ids)
            for groups in kept.values()
            for templates, ids in groups.items()
        )
    return len(kept)


def main() -> None:
    print("| users | stream | state bytes | keys | without the keys | bytes per key |")
    print("|---:|---|---:|---:|---:|---:|")
    for users in USERS:
        sim = Simulator(seed=11, entries=600, start_date=START, end_date=END, users=users, now=NOW)
        with sim.serve() as server:
            config = tap_config(server.base_url, end_date=None, start_date=START.isoformat())
            done = sync_here(config, catalog=selecting(config, STREAMS))
        assert done.returncode == 0, done.stderr[-2000:]
        for stream, key in STREAMS.items():
            bookmark = done.last_state["bookmarks"][stream]
            kept = bookmark.get(key, [])
            size, without = (
                compact(bookmark),
                compact({k: v for k, v in bookmark.items() if k != key}),
            )
            keys = count(stream, kept)
            per_key = f"{(size - without) / keys:.1f}" if keys else "-"
            print(f"| {users} | `{stream}` | {size:,} | {keys:,} | {without:,} | {per_key} |")


if __name__ == "__main__":
    main()
