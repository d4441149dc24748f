"""`scripts/run-local` ends with a compact picture of what landed, 100 columns wide at most.

The tables with their row counts, then hours per person over the last 7 days as a grid
with totals per person and per day, then the bookmark (scripts/summarize_warehouse.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from scripts.summarize_warehouse import GRID_WIDTH, PersonDay, bookmarks, display_width, hours_grid
from tests.pipeline import CREDENTIALS, EMULATOR_PORT, PROJECT, REPO, Pipeline

SUMMARY = REPO / "scripts" / "summarize_warehouse.py"
MONDAY = dt.date(2026, 11, 30)


def day(days_before: int) -> dt.date:
    return MONDAY - dt.timedelta(days=days_before)


def test_the_grid_has_a_row_per_person_a_column_per_day_and_totals():
    rows = [
        PersonDay("Bea", day(0), 8.0),
        PersonDay("Ann", day(0), 7.5),
        PersonDay("Ann", day(6), 2.25),
        PersonDay("Ann", day(6), 1.0),  # two rows of one day add up
    ]

    assert hours_grid(rows, MONDAY) == [
        "  person Tue24 Wed25 Thu26 Fri27 Sat28 Sun29 Mon30   total",
        "  Ann      3.2     .     .     .     .     .   7.5    10.8",
        "  Bea        .     .     .     .     .     .   8.0     8.0",
        "  total    3.2     .     .     .     .     .  15.5    18.8",
    ]


def test_the_grid_leaves_out_days_before_the_last_seven():
    rows = [PersonDay("Ann", day(7), 5.0), PersonDay("Ann", day(1), 1.0)]

    grid = hours_grid(rows, MONDAY)

    assert grid[-1].split()[-1] == "1.0"


def test_the_grid_fits_100_columns_whatever_the_names():
    names = [
        "A" * 150,
        "山田太郎" * 20,
        "zofia.wisniewski+timecamp-admin@a-very-long-domain.example",
    ]
    rows = [PersonDay(name, day(offset), 123.4) for name in names for offset in range(7)]

    grid = hours_grid(rows, MONDAY)

    assert max(display_width(line) for line in grid) <= GRID_WIDTH == 100
    assert len(grid) == 1 + len(names) + 1
    assert all(line.endswith("   863.8") for line in grid[1:-1])


def test_the_bookmark_is_read_from_meltanos_state():
    state = {
        "singer_state": {
            "bookmarks": {
                "users": {},
                "time_entries": {
                    "replication_key": "last_modify",
                    "replication_key_value": "2026-11-30 14:52:32",
                },
            }
        }
    }

    assert bookmarks(state) == ["time_entries last_modify 2026-11-30 14:52:32"]


def summarize(pipeline: Pipeline) -> str:
    """What `scripts/summarize_warehouse.py` prints of the pipeline's dataset and bookmarks."""
    state = pipeline.workdir / "state.json"
    state.write_text(json.dumps(pipeline.state()), encoding="utf-8")
    env = {
        **os.environ,
        "COLUMNS": "100",
        "BIGQUERY_EMULATOR_HOST": f"http://127.0.0.1:{EMULATOR_PORT}",
        "GOOGLE_APPLICATION_CREDENTIALS": str(CREDENTIALS),
    }
    args = ["--project", PROJECT, "--dataset", pipeline.dataset, "--state", str(state)]
    done = subprocess.run(
        [sys.executable, str(SUMMARY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_what_landed_is_shown_within_100_columns(pipeline, warehouse):
    assert pipeline.run().ok

    shown = summarize(pipeline)

    lines = shown.splitlines()
    assert max(display_width(line) for line in lines) <= 100
    (entries,) = warehouse.query(
        f"SELECT COUNT(*) AS n FROM `{PROJECT}.{pipeline.dataset}.timecamp_entries`"
    ).result()
    assert f"  timecamp_entries {entries.n:>11,}" in lines
    assert lines[-1].startswith("Bookmark: time_entries last_modify 20")
    people = [line for line in lines if line.startswith("Hours per person")]
    assert len(people) == 1
