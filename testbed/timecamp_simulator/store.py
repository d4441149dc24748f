"""The live state of entries: lazy base entries plus a small overlay of changes.

Only edits, additions, deletions and running timers are stored, so memory grows with the
number of changes a test makes, never with the size of the dataset.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from timecamp_simulator.catalog import Catalog
from timecamp_simulator.clock import Clock
from timecamp_simulator.data import (
    LEAK_MODULUS,
    MAX_DELAY_DAYS,
    EntryLayout,
    hms,
    id_to_index,
    stamp,
)

_EDITABLE = {
    "duration", "description", "task_id", "user_id", "date", "start_time", "end_time",
    "locked", "billable", "invoiceId", "task_note", "addons_external_id",
    "hasEntryLocationHistory", "tags",
}  # fmt: skip


@dataclass(frozen=True)
class EntryFilter:
    """The filters of one GET /entries request, already validated."""

    date_from: date | None = None
    date_to: date | None = None
    modify_from: date | None = None
    modify_to: date | None = None
    user_ids: frozenset[int] | None = None
    task_ids: frozenset[int] | None = None


class DeletionStamp(enum.Enum):
    """The default `edited` of a deletion: the time it happened."""

    NOW = "now"


@dataclass(frozen=True)
class Deletion:
    """One deletion as /entries_deletions reports it.

    `deleted_at` is when it happened (the date `/entries_deletions` filters on); `edited`
    is the stamp it reports, which a test may make missing or zero. `entry` is the entry as
    it was, so that it can be restored.
    """

    entry_id: int
    user_id: str
    task_id: str
    entry_date: str
    duration: str
    deleted_at: datetime
    edited: str | None
    entry: dict[str, Any]


class EntryStore:
    """Thread-safe entry state; every read works on a snapshot of the small overlay."""

    def __init__(self, layout: EntryLayout, catalog: Catalog, clock: Clock) -> None:
        """Start with no changes over the generated base entries."""
        self.layout = layout
        self.catalog = catalog
        self.clock = clock
        self._lock = threading.RLock()
        self._overlay: dict[int, dict[str, Any]] = {}
        self._tag_override: dict[int, list[int]] = {}
        # Deletion records stay listed after a restore; `_gone` is what is deleted now.
        self._deleted: dict[int, Deletion] = {}
        self._gone: set[int] = set()
        self._running: dict[int, datetime] = {}
        self._next_id = layout.id_limit

    # -- reads -------------------------------------------------------------------------

    def get(self, entry_id: int) -> dict[str, Any] | None:
        """Current state of one entry, or None if it never existed or was deleted."""
        with self._lock:
            if entry_id in self._gone:
                return None
            if entry_id in self._overlay:
                return self._current(entry_id, self._overlay[entry_id], self.clock.now())
        return self.layout.entry(id_to_index(entry_id))

    def tag_ids(self, entry: dict[str, Any]) -> list[int] | None:
        """Tag ids of an entry; None when the API would omit the `tags` key."""
        override = self._tag_override.get(entry["id"])
        if override is not None:
            return override
        tags = self.layout.tags_for(entry["id"], entry["date"])
        return None if tags is None else [t.tag_id for t in tags]

    def query(self, flt: EntryFilter) -> Iterator[dict[str, Any]]:
        """Entries matching the filter, grouped by date, not sorted by id."""
        with self._lock:
            now = self.clock.now()
            overlay = {k: self._current(k, v, now) for k, v in self._overlay.items()}
            skip = set(self._overlay) | self._gone
        accepts = _acceptor(flt)
        extra = sorted(
            (e for e in overlay.values() if accepts(e)),
            key=lambda e: (e["date"], e["start_time"] or "", e["id"]),
        )
        user_ok = _user_gate(flt.user_ids)
        pos = 0
        current_day = ""
        for entry in self.layout.iter_entries(self._candidate_indices(flt), user_ok):
            if entry["date"] != current_day:
                current_day = entry["date"]
                # Flush changed entries of earlier days so output stays grouped by date.
                while pos < len(extra) and extra[pos]["date"] < current_day:
                    yield extra[pos]
                    pos += 1
            if entry["id"] in skip or not accepts(entry):
                continue
            yield entry
        yield from extra[pos:]

    def _candidate_indices(self, flt: EntryFilter) -> range:
        layout = self.layout
        lo, hi = layout.start, layout.end
        if flt.date_from is not None and flt.date_to is not None:
            lo, hi = max(lo, flt.date_from), min(hi, flt.date_to)
        if flt.modify_from is not None and flt.modify_to is not None:
            # An entry is modified on its own day or at most MAX_DELAY_DAYS later...
            lo = max(lo, flt.modify_from - timedelta(days=MAX_DELAY_DAYS + 1))
            # ...unless it lies in the future, where last_modify is clamped to generation time.
            if not flt.modify_from <= layout.generated_at.date() <= flt.modify_to:
                hi = min(hi, flt.modify_to)
        return layout.index_range(lo, hi)

    def running(self) -> list[dict[str, Any]]:
        """Entries whose timer is still running, with their duration as of now."""
        with self._lock:
            now = self.clock.now()
            return [self._current(k, self._overlay[k], now) for k in self._running]

    def deletions(self, first_day: date, last_day: date) -> list[Deletion]:
        """Deletions that happened on first_day..last_day inclusive, oldest first."""
        with self._lock:
            found = list(self._deleted.values())
        return [d for d in found if first_day <= d.deleted_at.date() <= last_day]

    def _current(self, entry_id: int, entry: dict[str, Any], now: datetime) -> dict[str, Any]:
        started = self._running.get(entry_id)
        if started is None:
            return dict(entry)
        # A running timer's duration follows the clock; last_modify stays at its start.
        elapsed = max(0, int((now - started).total_seconds()))
        running = dict(entry)
        running["duration"] = str(elapsed)
        running["end_time"] = hms(
            min(86_399, started.hour * 3600 + started.minute * 60 + started.second + elapsed)
        )
        return running

    # -- writes ------------------------------------------------------------------------

    def _require(self, entry_id: int) -> dict[str, Any]:
        entry = self.get(entry_id)
        if entry is None:
            raise KeyError(f"no entry {entry_id}")
        return entry

    def edit(self, entry_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply changes to an entry and bump its last_modify to now.

        A `last_modify` among the changes is stamped instead of now, as a server with a
        skewed clock would.
        """
        changes = dict(changes)
        modified = changes.pop("last_modify", None)
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise ValueError(f"cannot edit {sorted(unknown)}")
        if modified is not None:
            modified = stamp(datetime.fromisoformat(str(modified)))
        with self._lock:
            entry = self._require(entry_id)
            if "tags" in changes:
                self._tag_override[entry_id] = [int(t) for t in changes.pop("tags")]
            self._apply(entry, changes)
            entry["last_modify"] = modified or stamp(self.clock.now())
            self._overlay[entry_id] = entry
            if entry_id in self._running and "duration" in changes:
                del self._running[entry_id]
            return self._current(entry_id, entry, self.clock.now())

    def _apply(self, entry: dict[str, Any], changes: dict[str, Any]) -> None:
        for key, value in changes.items():
            if key in {"duration", "user_id", "task_id", "invoiceId", "locked"}:
                entry[key] = str(int(value))
            elif key == "billable":
                entry[key] = int(value)
            elif key == "hasEntryLocationHistory":
                entry[key] = bool(value)
            elif key == "date":
                entry[key] = value.isoformat() if isinstance(value, date) else str(value)
            else:
                entry[key] = value
        if "task_id" in changes:
            task = self.catalog.task_by_id.get(int(entry["task_id"]))
            entry["name"] = task.name if task else ""
            entry["color"] = task.color if task else ""
        if "user_id" in changes:
            user = self.catalog.user_by_id.get(int(entry["user_id"]))
            if user is None:
                raise ValueError(f"no user {entry['user_id']}")
            entry["user_name"] = user.shown_name
        if "duration" in changes and "end_time" not in changes and entry["start_time"]:
            h, m, s = (int(p) for p in entry["start_time"].split(":"))
            entry["end_time"] = hms(min(86_399, h * 3600 + m * 60 + s + int(entry["duration"])))

    def add(
        self,
        *,
        user_id: int | None,
        entry_date: date | None,
        duration: int,
        description: str,
        task_id: int | None = None,
        running_since: datetime | None = None,
    ) -> dict[str, Any]:
        """Create an entry (or a running timer when `running_since` is given)."""
        now = self.clock.now()
        user = self.catalog.user_by_id.get(user_id) if user_id is not None else self.catalog.admin
        if user is None:
            raise ValueError(f"no user {user_id}")
        day = entry_date or now.date()
        task = self.catalog.task_by_id.get(task_id) if task_id else None
        if running_since is not None:
            start = running_since.hour * 3600 + running_since.minute * 60 + running_since.second
        elif day == now.date():
            start = max(0, now.hour * 3600 + now.minute * 60 + now.second - duration)
        else:
            start = 9 * 3600
        with self._lock:
            entry_id = self._next_id
            self._next_id += 1
            entry: dict[str, Any] = {
                "id": entry_id,
                "duration": str(duration),
                "user_id": str(user.user_id),
                "user_name": user.shown_name,
                "task_id": str(task.task_id) if task else "0",
                "task_note": "",
                "last_modify": stamp(running_since or now),
                "date": day.isoformat(),
                "start_time": hms(start),
                "end_time": hms(min(86_399, start + duration)),
                "locked": "0",
                "name": task.name if task else "",
                "addons_external_id": "",
                "billable": int(task.billable) if task else 0,
                "invoiceId": "0",
                "color": task.color if task else "",
                "description": description,
                "hasEntryLocationHistory": False,
            }
            self._overlay[entry_id] = entry
            self._tag_override[entry_id] = []
            if running_since is not None:
                self._running[entry_id] = running_since
            return self._current(entry_id, entry, now)

    def delete(self, entry_id: int, edited: str | DeletionStamp | None = DeletionStamp.NOW) -> None:
        """Remove an entry from /entries and record the deletion at the current time.

        The record reports `edited` (default: the deletion time), e.g. None or
        "0000-00-00 00:00:00" as TimeCamp might for a deletion it did not stamp.
        """
        with self._lock:
            entry = self._require(entry_id)
            self._overlay.pop(entry_id, None)
            self._running.pop(entry_id, None)
            now = self.clock.now()
            self._gone.add(entry_id)
            self._deleted[entry_id] = Deletion(
                entry_id=entry_id,
                user_id=entry["user_id"],
                task_id=entry["task_id"],
                entry_date=entry["date"],
                duration=entry["duration"],
                deleted_at=now,
                edited=stamp(now) if edited is DeletionStamp.NOW else edited,
                entry=entry,
            )

    def restore(self, entry_id: int) -> dict[str, Any]:
        """Bring a deleted entry back, modified now; its deletion record stays listed."""
        with self._lock:
            if entry_id not in self._gone:
                raise KeyError(f"no deleted entry {entry_id}")
            entry = dict(self._deleted[entry_id].entry)
            entry["last_modify"] = stamp(self.clock.now())
            self._gone.discard(entry_id)
            self._overlay[entry_id] = entry
            return dict(entry)

    def stop(self, entry_id: int) -> dict[str, Any]:
        """Stop a running timer: freeze duration and end_time, bump last_modify."""
        with self._lock:
            if entry_id not in self._running:
                raise KeyError(f"no running timer {entry_id}")
            now = self.clock.now()
            final = self._current(entry_id, self._overlay[entry_id], now)
            del self._running[entry_id]
            final["last_modify"] = stamp(now)
            self._overlay[entry_id] = final
            return dict(final)


def _user_gate(user_ids: frozenset[int] | None) -> Callable[[int, int], bool] | None:
    if user_ids is None:
        return None
    # TimeCamp returns some entries of users nobody asked for; a fixed rule reproduces it.
    return lambda uid, eid: uid in user_ids or eid % LEAK_MODULUS == 0


def _acceptor(flt: EntryFilter) -> Callable[[dict[str, Any]], bool]:
    d_from = flt.date_from.isoformat() if flt.date_from and flt.date_to else None
    d_to = flt.date_to.isoformat() if flt.date_from and flt.date_to else None
    m_from = flt.modify_from.isoformat() if flt.modify_from and flt.modify_to else None
    m_to = flt.modify_to.isoformat() if flt.modify_from and flt.modify_to else None
    gate = _user_gate(flt.user_ids)
    task_ids = {str(t) for t in flt.task_ids} if flt.task_ids is not None else None

    def accepts(entry: dict[str, Any]) -> bool:
        if d_from is not None and d_to is not None and not d_from <= entry["date"] <= d_to:
            return False
        if (
            m_from is not None
            and m_to is not None
            and not m_from <= entry["last_modify"][:10] <= m_to
        ):
            return False
        if gate is not None and not gate(int(entry["user_id"]), entry["id"]):
            return False
        return task_ids is None or entry["task_id"] in task_ids

    return accepts
