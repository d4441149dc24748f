"""Print what the pipeline loaded into BigQuery, compactly: tables, rows, hours per person.

    Tables in local-project.timecamp:
      groups                     7
      timecamp_entries       5,000
    Models in local-project.timecamp_models:
      fct_time_entries       4,990
      hours_per_person_per_day 840
    Hours per person, Tue 2026-11-24 .. Mon 2026-11-30 (hours_per_person_per_day)
      person          Tue24 Wed25 Thu26 Fri27 Sat28 Sun29 Mon30   total
      Anna Groß         8.1   9.5   8.0   9.9   7.4  10.4  10.2    63.6
      ...
      total            98.3 ...                                   712.0
    Bookmark: attendance date 2026-11-30
    Bookmark: time_entries last_modify 2026-11-30 14:52:32

The grid comes from the dbt mart `hours_per_person_per_day` when the models were built
(`--models`, by default the dataset's name + `_models`), else from the raw time entries. It is
GRID_WIDTH columns wide at most, whatever the names, so it fits a terminal of 100 columns.
Works against real BigQuery (Application Default Credentials) and, with
BIGQUERY_EMULATOR_HOST set, against the local emulator.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import typing as t
import unicodedata
from pathlib import Path

from google.api_core.exceptions import GoogleAPIError, NotFound
from google.cloud import bigquery

GRID_WIDTH = 100
# The mart of the dbt project (transform/) that holds the grid's numbers.
HOURS_MART = "hours_per_person_per_day"
DAYS = 7
INDENT = "  "
HOURS_WIDTH = 5  # "123.4": more than 999 hours a day is not a person
TOTAL_WIDTH = 7  # "12345.6" hours in a week, for the whole team


@dataclasses.dataclass(frozen=True)
class PersonDay:
    """Hours one person tracked on one day."""

    person: str
    day: dt.date
    hours: float


def display_width(text: str) -> int:
    """Terminal columns `text` takes: East Asian wide characters take two."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns (with an ellipsis when cut), padded to exactly `width`."""
    if display_width(text) > width:
        while display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


def hours(value: float, width: int) -> str:
    """Hours right-aligned in `width` columns, one decimal; nothing tracked shows as `.`."""
    return f"{value:>{width}.1f}" if value else f"{'.':>{width}}"


def hours_grid(rows: t.Iterable[PersonDay], last_day: dt.date, days: int = DAYS) -> list[str]:
    """A grid of people by the `days` days up to `last_day`, with totals per person and per day."""
    dates = [last_day - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    table: dict[str, dict[dt.date, float]] = {}
    for row in rows:
        if row.day in dates:
            day_hours = table.setdefault(row.person, {})
            day_hours[row.day] = day_hours.get(row.day, 0.0) + row.hours
    fixed = len(INDENT) + days * (HOURS_WIDTH + 1) + TOTAL_WIDTH + 1
    longest = max(map(display_width, [*table, "person"]))
    name_width = min(longest, GRID_WIDTH - fixed)
    header = (
        INDENT
        + fit("person", name_width)
        + "".join(f" {day.strftime('%a')[:3]}{day.day:02d}" for day in dates)
        + f" {'total':>{TOTAL_WIDTH}}"
    )
    lines = [header]
    for person in sorted(table, key=str.casefold):
        per_day = table[person]
        lines.append(
            INDENT
            + fit(person, name_width)
            + "".join(" " + hours(per_day.get(day, 0.0), HOURS_WIDTH) for day in dates)
            + " "
            + hours(sum(per_day.values()), TOTAL_WIDTH)
        )
    day_totals = [sum(per_day.get(day, 0.0) for per_day in table.values()) for day in dates]
    lines.append(
        INDENT
        + fit("total", name_width)
        + "".join(" " + hours(total, HOURS_WIDTH) for total in day_totals)
        + " "
        + hours(sum(day_totals), TOTAL_WIDTH)
    )
    return [line.rstrip() for line in lines]


def bookmarks(state: dict[str, t.Any]) -> list[str]:
    """`stream key value` of every bookmark in a Meltano state (`meltano state get`)."""
    streams = state.get("singer_state", state).get("bookmarks", {})
    return [
        f"{stream} {bookmark['replication_key']} {bookmark['replication_key_value']}"
        for stream, bookmark in sorted(streams.items())
        if isinstance(bookmark, dict) and "replication_key_value" in bookmark
    ]


def row_counts(client: bigquery.Client, dataset: str) -> dict[str, int]:
    """The tables of `dataset` and their row counts."""
    counts = {}
    for table in sorted(client.list_tables(dataset), key=lambda table: table.table_id):
        # COUNT(*), not the table's num_rows: metadata lags behind MERGEs.
        (row,) = client.query(f"SELECT COUNT(*) AS n FROM `{dataset}.{table.table_id}`").result()
        counts[table.table_id] = row.n
    return counts


def table_lines(dataset: str, counts: dict[str, int], kind: str = "Tables") -> list[str]:
    """One line per table with its row count."""
    count_width = 11  # "123,456,789"
    name_width = min(max(map(display_width, counts), default=0), GRID_WIDTH - count_width - 3)
    lines = [f"{kind} in {dataset}:"]
    lines += [f"{INDENT}{fit(name, name_width)} {n:>{count_width},}" for name, n in counts.items()]
    return lines


def hours_lines(client: bigquery.Client, entries: str, table: str) -> list[str]:
    """The hours grid of the last DAYS days with time tracked in the raw table `entries`."""
    query = f"""
        WITH current_entries AS (
            SELECT user_name, user_id, date, CAST(duration AS INT64) AS seconds
            FROM {entries}
            WHERE _sdc_deleted_at IS NULL AND date <= CURRENT_DATE()
        )
        SELECT COALESCE(user_name, CONCAT('user ', user_id)) AS person, date,
               SUM(seconds) / 3600 AS hours
        FROM current_entries
        WHERE date > (SELECT DATE_SUB(MAX(date), INTERVAL {DAYS} DAY) FROM current_entries)
        GROUP BY person, date
    """
    rows = [PersonDay(row.person, row.date, float(row.hours or 0)) for row in client.query(query)]
    return grid_lines(rows, f"{table}, without deletions")


def mart_hours_lines(client: bigquery.Client, mart: str) -> list[str]:
    """The hours grid of the last DAYS days with time tracked, from the mart `mart`."""
    query = f"""
        SELECT COALESCE(person, CONCAT('user ', user_id)) AS person, day, hours
        FROM {mart}
        WHERE day <= CURRENT_DATE()
          AND day > (SELECT DATE_SUB(MAX(day), INTERVAL {DAYS} DAY) FROM {mart}
                     WHERE day <= CURRENT_DATE())
    """
    rows = [PersonDay(row.person, row.day, float(row.hours or 0)) for row in client.query(query)]
    return grid_lines(rows, HOURS_MART)


def grid_lines(rows: list[PersonDay], source: str) -> list[str]:
    """The grid's title, naming `source`, and the grid; or a line saying nothing was tracked."""
    if not rows:
        return [f"No time tracked in {source}."]
    last_day = max(row.day for row in rows)
    first_day = last_day - dt.timedelta(days=DAYS - 1)
    title = f"Hours per person, {first_day:%a %Y-%m-%d} .. {last_day:%a %Y-%m-%d} ({source})"
    return [title, *hours_grid(rows, last_day)]


def model_counts(client: bigquery.Client, models: str) -> dict[str, int] | None:
    """The models' tables and views and their row counts, or None if they were not built."""
    try:
        return row_counts(client, models)
    except NotFound:
        return None


def main() -> int:
    """Summarise the dataset (and the bookmarks, given Meltano's state)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT"))
    parser.add_argument("--dataset", default=os.environ.get("BIGQUERY_DATASET"))
    parser.add_argument("--table", default=os.environ.get("BIGQUERY_TABLE") or "timecamp_entries")
    parser.add_argument(
        "--models", help="the dataset of the dbt models (default: the dataset's name + _models)"
    )
    parser.add_argument("--state", type=Path, help="a file with `meltano state get`'s output")
    args = parser.parse_args()
    if not args.project or not args.dataset:
        parser.error(
            "--project and --dataset (or GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET) are needed"
        )
    client = bigquery.Client(project=args.project)
    dataset = f"{args.project}.{args.dataset}"
    try:
        lines = table_lines(dataset, row_counts(client, dataset))
        models = f"{args.project}.{args.models or args.dataset + '_models'}"
        built = model_counts(client, models)
        if built is not None:
            lines += table_lines(models, built, kind="Models")
        if built and HOURS_MART in built:
            lines += mart_hours_lines(client, f"`{models}.{HOURS_MART}`")
        else:
            lines += hours_lines(client, f"`{dataset}.{args.table}`", args.table)
    except GoogleAPIError as exc:
        print(f"summarize_warehouse: BigQuery refused the query: {exc}", file=sys.stderr)
        return 1
    if args.state is not None:
        text = args.state.read_text().strip() if args.state.exists() else ""
        marks = bookmarks(json.loads(text)) if text else []
        # One line each: a run of every stream has several, too wide for one line.
        lines += [f"Bookmark: {mark}" for mark in marks or ["none saved"]]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
