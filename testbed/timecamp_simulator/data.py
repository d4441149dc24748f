"""Time entries computed lazily from (seed, index), so a million entries cost no memory.

Entry `i` of `n` falls on day `i * days // n` of the range, so a date range maps to a
contiguous index range and a query costs O(entries returned). `last_modify` is the end of
the work plus a bounded delay (at most `MAX_DELAY_DAYS`), so a modification range maps to
an index range too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from timecamp_simulator.catalog import Catalog, Tag, Task, User

ENTRY_ID_BASE = 77_181_352
# Edits can land up to two weeks after the work, like a timesheet fixed at month end.
MAX_DELAY_DAYS = 14
_MASK = (1 << 64) - 1
_DAY_START = 7 * 3600
_WORK_SPAN = 16 * 3600
_MAX_SLOT = 3 * 3600
# Every 97th entry of a user shows up even when another user was asked for (see README).
LEAK_MODULUS = 97

_DESCRIPTIONS = [
    "",
    "Code review",
    'Code review for "Phoenix" — PR',
    "Spotkanie z klientem: zażółć gęślą jaźń",
    "Fixed O'Brien's invoice bug",
    "Daily stand-up 🚀",
    'Migrating <legacy> & "new" systems',
    "Notes:\nfirst line\nsecond line",
    "Path C:\\Users\\tc\\export.csv",
    "Résumé screening / Bewerbungsgespräch",
    "会議の準備",
    "Emails",
    "Sprint planning, backlog grooming; estimates",
    "Deploy v2.3.1 to prod",
]
_TASK_NOTES = ["", "", "", "see ticket", "Zadanie „pilne”", "blocked by QA"]


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def hms(seconds: int) -> str:
    """Format seconds since midnight as TimeCamp's HH:MM:SS."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def stamp(moment: datetime) -> str:
    """Format a server timestamp as TimeCamp does: no timezone, second precision."""
    return moment.isoformat(sep=" ", timespec="seconds")


def index_to_id(index: int) -> int:
    """Entry id of base index; XOR scrambles neighbours so responses are not sorted by id."""
    return ENTRY_ID_BASE + (index ^ 3)


def id_to_index(entry_id: int) -> int:
    """Inverse of `index_to_id` (may be out of range for ids that are not base entries)."""
    return (entry_id - ENTRY_ID_BASE) ^ 3


@dataclass(frozen=True)
class _Day:
    offset: int
    day: date
    day_str: str
    midnight: datetime
    first: int
    count: int
    users: tuple[User, ...]
    tasks: tuple[Task, ...]
    slot_len: int


class EntryLayout:
    """Where base entries live in time and how each one looks."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        seed: int,
        count: int,
        start: date,
        end: date,
        generated_at: datetime,
    ) -> None:
        """Lay `count` entries over `start..end`; none is modified after `generated_at`."""
        self.catalog = catalog
        self.seed_key = mix64(seed & _MASK)
        self.count = max(count, 0)
        self.start = start
        self.end = end
        self.days = (end - start).days + 1
        self.generated_at = generated_at
        self._day_cache: dict[int, _Day] = {}
        self._active_users = tuple(u for u in catalog.users if not u.disabled)
        self._live_tasks = tuple(t for t in catalog.tasks if not t.archived)
        self._all_tasks = tuple(catalog.tasks)
        # Archived tags only on old entries, tags of archived lists never.
        self._old_tags = tuple(t for tl in catalog.tag_lists if not tl.archived for t in tl.tags)
        self._new_tags = tuple(t for t in self._old_tags if not t.archived)

    @property
    def id_limit(self) -> int:
        """First id above every base entry id: additions are numbered from here."""
        return ENTRY_ID_BASE + ((self.count + 3) | 3) + 1

    def first_index(self, day_offset: int) -> int:
        """Smallest index whose day offset is >= day_offset (clamped to 0..count)."""
        if self.count == 0 or self.days <= 0:
            return 0
        day_offset = min(max(day_offset, 0), self.days)
        return min((day_offset * self.count + self.days - 1) // self.days, self.count)

    def day_offset(self, index: int) -> int:
        """Day of the range that base entry `index` falls on."""
        return index * self.days // self.count

    def _day(self, offset: int) -> _Day:
        cached = self._day_cache.get(offset)
        if cached is not None:
            return cached
        if len(self._day_cache) > 4096:
            self._day_cache.clear()
        first = self.first_index(offset)
        count = self.first_index(offset + 1) - first
        second_half = offset >= self.days // 2
        # The disabled user left mid-range: only old entries are theirs.
        users = self._active_users if second_half else tuple(self.catalog.users)
        tasks = self._live_tasks if second_half else self._all_tasks
        slots = max(1, -(-count // max(len(users), 1)))
        day = self.start + timedelta(days=offset)
        info = _Day(
            offset=offset,
            day=day,
            day_str=day.isoformat(),
            midnight=datetime(day.year, day.month, day.day),
            first=first,
            count=count,
            users=users,
            tasks=tasks,
            slot_len=max(1, min(_MAX_SLOT, _WORK_SPAN // slots)),
        )
        self._day_cache[offset] = info
        return info

    def index_range(self, first_day: date, last_day: date) -> range:
        """Base indices whose date lies in first_day..last_day inclusive."""
        lo = (first_day - self.start).days
        hi = (last_day - self.start).days
        if hi < 0 or lo >= self.days or lo > hi:
            return range(0)
        return range(self.first_index(lo), self.first_index(hi + 1))

    def iter_entries(
        self, indices: range, user_ok: Callable[[int, int], bool] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield base entries for `indices` in index order, skipping early on `user_ok`."""
        i = indices.start
        stop = indices.stop
        while i < stop:
            day = self._day(self.day_offset(i))
            day_stop = min(stop, day.first + day.count)
            n_users = len(day.users)
            for k in range(i, day_stop):
                user = day.users[(k - day.first) % n_users]
                if user_ok is not None and not user_ok(user.user_id, index_to_id(k)):
                    continue
                yield self._build(k, day, user)
            i = day_stop

    def entry(self, index: int) -> dict[str, Any] | None:
        """Base entry `index`, or None when out of range."""
        if not 0 <= index < self.count:
            return None
        day = self._day(self.day_offset(index))
        user = day.users[(index - day.first) % len(day.users)]
        return self._build(index, day, user)

    def _build(self, index: int, day: _Day, user: User) -> dict[str, Any]:
        h = mix64(self.seed_key ^ index)
        g = mix64(h)
        slot = (index - day.first) // len(day.users)
        slot_len = day.slot_len
        if slot_len >= 600:
            # People log whole minutes; short slots only happen in huge synthetic datasets.
            duration = max(60, (slot_len * (30 + h % 65) // 100) // 60 * 60)
        else:
            duration = max(1, slot_len * (30 + h % 65) // 100)
        start = _DAY_START + slot * slot_len + ((h >> 8) % max(1, slot_len - duration + 1))
        end = start + duration
        duration_only = (h >> 20) % 20 == 0
        tasks = day.tasks
        task = None if (h >> 24) % 20 == 0 else tasks[(h >> 28) % len(tasks)]
        delay_kind = g % 100
        if delay_kind < 70:
            delay = 30 + (g >> 8) % 1800
        elif delay_kind < 95:
            delay = 86_400 + (g >> 8) % (2 * 86_400)
        else:
            delay = (g >> 8) % (MAX_DELAY_DAYS * 86_400)
        finished = day.midnight + timedelta(seconds=end)
        if finished >= self.generated_at:
            modified = self.generated_at
        else:
            # Never after the simulated "now": fold the delay into the time left until then.
            room = int((self.generated_at - finished).total_seconds())
            modified = finished + timedelta(seconds=delay if delay <= room else delay % room)
        old = day.offset < self.days // 3
        description = _DESCRIPTIONS[(h >> 36) % len(_DESCRIPTIONS)]
        if description and (h >> 40) % 3 == 0:
            description = f"{description} #{(h >> 42) % 900 + 100}"
        billable = int(task.billable if task is not None and (g >> 40) % 10 else (g >> 41) % 2)
        return {
            "id": index_to_id(index),
            "duration": str(duration),
            "user_id": str(user.user_id),
            "user_name": user.shown_name,
            "task_id": str(task.task_id) if task is not None else "0",
            "task_note": _TASK_NOTES[(g >> 44) % len(_TASK_NOTES)],
            "last_modify": stamp(modified),
            "date": day.day_str,
            "start_time": None if duration_only else hms(start),
            "end_time": None if duration_only else hms(end),
            "locked": "1" if old and (g >> 48) % 3 == 0 else "0",
            "name": task.name if task is not None else "",
            "addons_external_id": f"JIRA-{(g >> 50) % 900 + 100}" if (g >> 52) % 15 == 0 else "",
            "billable": billable,
            "invoiceId": str(4000 + (g >> 54) % 500)
            if old and billable and (g >> 58) % 4 == 0
            else "0",
            "color": task.color if task is not None else "",
            "description": description,
            "hasEntryLocationHistory": (g >> 60) % 16 == 0,
        }

    def tags_for(self, entry_id: int, entry_date: str) -> list[Tag] | None:
        """Tags of an entry by id; None means 'untagged, key absent' and [] 'untagged, empty'."""
        h = mix64(self.seed_key ^ (entry_id * 31 + 7))
        pool = self._new_tags if entry_date >= self._new_tags_from() else self._old_tags
        if h % 10 < 3 and pool:
            picked = [pool[(h >> 8) % len(pool)]]
            second = pool[(h >> 16) % len(pool)]
            if (h >> 24) % 2 and second is not picked[0]:
                picked.append(second)
            return picked
        # Real responses disagree on how an untagged entry looks; both shapes occur.
        return None if (h >> 32) % 2 else []

    def _new_tags_from(self) -> str:
        return (self.start + timedelta(days=self.days // 3)).isoformat()

    def rates_as_strings(self, entry_id: int) -> bool:
        """Whether this entry's rate fields come back as strings rather than numbers."""
        return mix64(self.seed_key ^ (entry_id * 131 + 3)) % 2 == 0
