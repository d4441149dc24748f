"""What every stream the tap offers should hold in a warehouse, and what a warehouse holds.

Two truths, both read after the Meltano run under test:
- the tap's own reading of the simulated account (`python -m tap_timecamp`, every stream
  selected), for every stream the tap offers, whatever streams are added later;
- the simulated account's own objects, for the stream families added by issue 15
  (attendance, day types, approvals, expenses, expense categories), so that a value the
  tap and the loader both got wrong is caught too.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import subprocess
import sys
import typing as t
from pathlib import Path

from tap_timecamp.tap import TapTimeCamp
from timecamp_simulator import Simulator
from timecamp_simulator.timesheets import DAY_TYPES

# Every stream, for `meltano run` (TAP_TIMECAMP__SELECT).
EVERY_STREAM_SELECTED = '["*.*"]'

Key = tuple[str, ...]
Row = dict[str, t.Any]


def offered_streams(config: dict[str, t.Any]) -> dict[str, tuple[str, ...]]:
    """Every stream the tap offers, with its primary key."""
    tap = TapTimeCamp(config=config, setup_mapper=False)
    return {name: tuple(stream.primary_keys or ()) for name, stream in tap.streams.items()}


def plain(value: t.Any) -> t.Any:
    """A column's value as the tap sends it in JSON, whatever type the warehouse gave it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def key_of(row: Row, keys: tuple[str, ...]) -> Key:
    return tuple(str(plain(row[key])) for key in keys)


def live(rows: t.Iterable[Row], keys: tuple[str, ...]) -> dict[Key, Row]:
    """The rows not marked deleted, by key; a later row of a key replaces an earlier one."""
    by_key: dict[Key, Row] = {}
    for row in rows:
        by_key[key_of(row, keys)] = row
    return {key: row for key, row in by_key.items() if row.get("_sdc_deleted_at") is None}


def read_directly(config: dict[str, t.Any], workdir: Path) -> dict[str, list[Row]]:
    """The records the tap sends for every stream it offers, by stream, in order."""
    config_file = workdir / "direct-config.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    tap = [sys.executable, "-m", "tap_timecamp", "--config", str(config_file)]
    discovered = subprocess.run(
        [*tap, "--discover"], capture_output=True, text=True, timeout=120, check=True
    )
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = True
    catalog_file = workdir / "direct-catalog.json"
    catalog_file.write_text(json.dumps(catalog), encoding="utf-8")
    done = subprocess.run(
        [*tap, "--catalog", str(catalog_file)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records: dict[str, list[Row]] = {}
    for line in done.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
    return records


def differences(expected: dict[Key, Row], landed: dict[Key, Row]) -> list[str]:
    """What differs between the records sent and the rows landed, in the scalar columns sent.

    Nested values (lists, objects) are stored in a loader's own way (JSON text, repeated
    records): their presence is what is checked, not their shape.
    """
    found = []
    if missing := sorted(expected.keys() - landed.keys()):
        found.append(f"{len(missing)} keys not landed, e.g. {missing[:3]}")
    if extra := sorted(landed.keys() - expected.keys()):
        found.append(f"{len(extra)} keys landed that TimeCamp does not hold, e.g. {extra[:3]}")
    for key in sorted(expected.keys() & landed.keys()):
        record, row = expected[key], landed[key]
        for column, value in record.items():
            if column.startswith("_sdc_"):
                continue
            if column not in row:
                found.append(f"{key}: column {column} did not land")
            elif isinstance(value, list | dict):
                if value and row[column] in (None, [], {}):
                    found.append(f"{key}: {column} landed empty")
            elif plain(row[column]) != value:
                found.append(f"{key}: {column} is {row[column]!r}, sent {value!r}")
    return found


def account_truth(sim: Simulator) -> dict[str, dict[Key, Row]]:
    """What the account holds for issue 15's streams, in the tap's columns, by key."""
    sheets = sim.account.timesheets
    book = sim.account.expenses
    span = (sheets.end - sheets.start).days + 1
    days = [sheets.start + dt.timedelta(days=n) for n in range(span)]
    attendance = {}
    for user in sheets.users:
        for day in days:
            if (record := sheets.attendance(user, day)) is not None:
                attendance[(str(user.user_id), day.isoformat())] = {
                    "total_time": int(record["total_time"]),
                    "start_time": record["start_time"],
                    "end_time": record["end_time"],
                }
    return {
        "attendance": attendance,
        "attendance_day_types": {
            (str(kind.type_id),): {"slug": kind.slug, "is_day_off": kind.is_day_off}
            for kind in DAY_TYPES
        },
        "approvals": {
            (str(approval.approval_id),): {
                "user_id": approval.user_id,
                "status": sheets.status(approval),
                "from_date": approval.first.isoformat(),
                "to_date": approval.last.isoformat(),
            }
            for approval in sheets.approvals
        },
        "expenses": {
            (str(expense["id"]),): {
                "amount": expense["amount"],
                "expense_category_id": expense["expenseCategory"]["id"],
                "task_id": expense["taskId"],
                "made_by": expense["madeBy"],
            }
            for expense in book.expenses.values()
        },
        "expense_categories": {
            (str(category["id"]),): {"name": category["name"], "unit_price": category["unitPrice"]}
            for category in book.categories
        },
    }


def truth_differences(truth: dict[Key, Row], landed: dict[Key, Row]) -> list[str]:
    """What differs between the account's objects and the rows landed, in the truth's columns."""
    found = []
    if truth.keys() != landed.keys():
        missing = sorted(truth.keys() - landed.keys())
        extra = sorted(landed.keys() - truth.keys())
        found.append(f"{len(missing)} keys missing, e.g. {missing[:3]}")
        found.append(f"{len(extra)} keys TimeCamp does not hold, e.g. {extra[:3]}")
    for key in sorted(truth.keys() & landed.keys()):
        for column, value in truth[key].items():
            if plain(landed[key].get(column)) != value:
                found.append(f"{key}: {column} is {landed[key].get(column)!r}, TimeCamp {value!r}")
    return found
