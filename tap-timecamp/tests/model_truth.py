"""TimeCamp's truth at the start of each run, and the incremental contract checked against it.

The contract (issue 12, and the README): after any successful run that started at time T
(TimeCamp's clock), every time entry that existed at T and is dated on or after
`start_date` (future dates included) is in the target with values at least as new as at
the previous successful run's start, and every entry deleted before T that the target holds
is tombstoned; a live entry is never tombstoned. The deletions stream follows the same
rules: every entry deleted before T (on or after `start_date`) is in `time_entry_deletions`.

"At least as new as at the previous successful run's start" is checked exactly: the
simulator's clock stands still while a run reads it, so every value a run can have read is
the truth at the start of some run; the row must equal the entry's value at the previous
successful run's start or at any run's start since (this run's included). A running timer's
duration and end time are left out of that comparison: TimeCamp ticks them on without
touching `last_modify`, so any value read is out of date a second later; the timer's final
values arrive when it stops, which does touch `last_modify`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from tests.model_target import Warehouse, is_tombstone

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from timecamp_simulator import Simulator

# How a row is shown in a diff: enough to tell versions apart at a glance.
SHOWN = ("date", "last_modify", "duration", "description")
# What a running timer changes by itself, every second.
TICKING = frozenset({"duration", "end_time"})


@dataclasses.dataclass(frozen=True)
class Moment:
    """The truth when a run started: live entries by id, running timers, deleted entries."""

    at: dt.datetime
    live: dict[int, dict[str, t.Any]]
    running: frozenset[int]
    # Each entry deleted (and not restored since), with its date when it was deleted.
    deleted: dict[int, str]
    # The day each was deleted: deletions before `start_date` are outside the contract.
    deleted_on: dict[int, str]

    @classmethod
    def of(cls, sim: Simulator, deleted: dict[int, str], deleted_on: dict[int, str]) -> Moment:
        """Now, on the simulator's clock."""
        live = {e["id"]: e for e in sim.all_entries()}
        running = frozenset(timer["id"] for timer in sim.running_timers())
        return cls(sim.now, live, running, dict(deleted), dict(deleted_on))

    def version(self, entry_id: int) -> dict[str, t.Any] | None:
        """The entry's values that a row must match: a running timer's ticking ones left out."""
        entry = self.live.get(entry_id)
        if entry is None or entry_id not in self.running:
            return entry
        return {key: value for key, value in entry.items() if key not in TICKING}


def violations(
    warehouse: Warehouse,
    moments: Sequence[Moment],
    start_date: dt.date,
    *,
    through: dt.date | None = None,
) -> list[str]:
    """How the target's tables break the contract after a successful run.

    `moments` are the run starts since the previous successful one: the first is that run's
    start (or the first run's, if none succeeded before), the last is this run's start T.
    `through` bounds the dates the contract is checked for (a run bounded by `end_date`).
    An empty list when the contract holds.
    """
    now = moments[-1]
    rows = warehouse.rows
    first, last = start_date.isoformat(), through.isoformat() if through else "9999-12-31"
    found = [
        f"live entry {i} is tombstoned" for i in now.live if i in rows and is_tombstone(rows[i])
    ]
    for entry_id, entry in now.live.items():
        row = rows.get(entry_id)
        if not first <= entry["date"] <= last or (row is not None and is_tombstone(row)):
            continue
        if row is None:
            found.append(f"missing entry {entry_id}: TimeCamp has {_shown(entry)}")
            continue
        accepted = [v for v in (m.version(entry_id) for m in moments) if v is not None]
        if not any(_same(row, version) for version in accepted):
            found.append(
                f"stale entry {entry_id}: target has {_shown(row)}; TimeCamp had "
                f"{_shown(accepted[0])} at or after {moments[0].at}, has {_shown(entry)}"
            )
    for entry_id, day in now.deleted.items():
        if entry_id in rows and day <= last and not is_tombstone(rows[entry_id]):
            found.append(
                f"deleted entry {entry_id} (dated {day}) is live in the target: "
                f"{_shown(rows[entry_id])}"
            )
        if entry_id not in warehouse.deletions and now.deleted_on[entry_id] >= first:
            found.append(f"deletion of entry {entry_id} is missing from time_entry_deletions")
    known = now.live.keys() | now.deleted.keys()
    found += [f"row {i!r} is no entry TimeCamp ever had: {rows[i]}" for i in _unknown(rows, known)]
    return found


def _same(row: dict[str, t.Any], entry: dict[str, t.Any]) -> bool:
    return all(row.get(key) == value for key, value in entry.items())


def _shown(entry: dict[str, t.Any]) -> str:
    return ", ".join(f"{key}={entry.get(key)!r}" for key in SHOWN)


def _unknown(rows: dict[int, dict[str, t.Any]], known: Iterable[int]) -> list[int]:
    return sorted((i for i in rows.keys() - set(known)), key=repr)
