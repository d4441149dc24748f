"""The public facade: one simulated TimeCamp account and the knobs tests turn on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, Literal

from timecamp_simulator.account import Account, ObjectKind
from timecamp_simulator.api import TimeCampApi
from timecamp_simulator.catalog import build_catalog
from timecamp_simulator.clock import Clock
from timecamp_simulator.control import ControlApi
from timecamp_simulator.data import EntryLayout
from timecamp_simulator.distance import Distance, Latency
from timecamp_simulator.endpoints.activity import activities_of
from timecamp_simulator.expenses import PageShift
from timecamp_simulator.faults import Fault, FaultBook
from timecamp_simulator.recording import RecordedRequest, RequestLog
from timecamp_simulator.server import SimulatorServer
from timecamp_simulator.store import DeletionStamp, EntryFilter, EntryStore

AuthFailure = Literal["redirect", "401", "403"]
DEFAULT_TOKEN = "local-simulator-token"  # noqa: S105 - a public fake for local demos
_AUTH_MODES = {"redirect", "401", "403"}
_TIMER_NOTES = ["Working on it…", 'Call with "Żabka"', "Deep work"]


class Simulator:
    """A deterministic TimeCamp account whose entries are computed on demand."""

    def __init__(  # noqa: PLR0917 - the positional order is the published contract
        self,
        seed: int = 0,
        entries: int = 2000,
        start_date: date | None = None,
        end_date: date | None = None,
        token: str = DEFAULT_TOKEN,
        users: int = 8,
        now: datetime | None = None,
        *,
        tag_lists: int = 3,
        running_timers: int | None = None,
        tasks: int = 0,
        groups: int = 0,
    ) -> None:
        """Create the account; `now` freezes the clock, else it follows real Warsaw time.

        `running_timers` defaults to up to three timers (none for fewer than 50 entries);
        they count towards `entries`. `tasks` and `groups` pad the built-in trees to at least
        that many (a larger account; see `build_catalog`).
        """
        self.seed = seed
        self.token = token
        self.clock = Clock(now)
        generated_at = self.clock.now()
        self.end_date = end_date or generated_at.date()
        self.start_date = start_date or self.end_date - timedelta(days=89)
        if self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        self.catalog = build_catalog(
            seed, users, generated_at, tag_lists, tasks=tasks, groups=groups
        )
        active = [u for u in self.catalog.users if not u.disabled]
        timer_day = min(self.end_date, generated_at.date())
        if running_timers is None:
            running_timers = min(3, len(active)) if entries >= 50 else 0
        if timer_day < self.start_date:
            running_timers = 0
        running_timers = max(0, min(running_timers, entries))
        self.layout = EntryLayout(
            catalog=self.catalog,
            seed=seed,
            count=entries - running_timers,
            start=self.start_date,
            end=self.end_date,
            generated_at=generated_at,
        )
        self.store = EntryStore(self.layout, self.catalog, self.clock)
        self._start_timers(running_timers, timer_day, generated_at)
        self.account = Account(self.catalog, self.layout, self.store, seed)
        self.api = TimeCampApi(self.account)
        self.faults = FaultBook(seed)
        self.distance = Distance()
        self.request_log = RequestLog()
        self.auth_failure: AuthFailure = "redirect"
        self.control = ControlApi(self)

    def _start_timers(self, count: int, day: date, generated_at: datetime) -> None:
        active = [u for u in self.catalog.users if not u.disabled]
        live_tasks = [t for t in self.catalog.tasks if not t.archived]
        midnight = datetime(day.year, day.month, day.day)
        for k in range(count):
            if day == generated_at.date():
                started = max(midnight, generated_at - timedelta(minutes=25 + 40 * k))
            else:
                # A timer left running since the evening of the last day of the range.
                started = midnight + timedelta(hours=16, minutes=7 * k)
            self.store.add(
                user_id=active[k % len(active)].user_id,
                entry_date=day,
                duration=0,
                description=_TIMER_NOTES[k % len(_TIMER_NOTES)],
                task_id=live_tasks[(self.seed + k) % len(live_tasks)].task_id,
                running_since=started,
            )

    # -- serving -----------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> SimulatorServer:
        """Start an HTTP server for this account in a background thread."""
        return SimulatorServer(self, host, port)

    @property
    def now(self) -> datetime:
        """The simulated server time (naive Europe/Warsaw)."""
        return self.clock.now()

    def advance_clock(self, delta: timedelta) -> None:
        """Move the simulated clock; running timers grow accordingly."""
        self.clock.advance(delta)

    # -- entries -----------------------------------------------------------------------

    def all_entries(self) -> Iterator[dict[str, Any]]:
        """Every current entry exactly as GET /entries returns it without optional fields."""
        return self.store.query(EntryFilter())

    def get_entry(self, entry_id: int) -> dict[str, Any] | None:
        """One entry by id, or None if it does not exist (or was deleted)."""
        return self.store.get(entry_id)

    def edit_entry(self, entry_id: int, **changes: Any) -> dict[str, Any]:
        """Change fields of an entry (e.g. description, duration, task_id); bumps last_modify.

        `last_modify="YYYY-MM-DD HH:MM:SS"` stamps that instead of now: a skewed server clock.
        """
        return self.store.edit(entry_id, changes)

    def add_entry(
        self,
        *,
        user_id: int | None = None,
        entry_date: date | None = None,
        duration: int = 1800,
        description: str = "Added by a test",
        task_id: int | None = None,
    ) -> dict[str, Any]:
        """Create an entry (default: the admin's, today, 30 minutes) modified now."""
        return self.store.add(
            user_id=user_id,
            entry_date=entry_date,
            duration=duration,
            description=description,
            task_id=task_id,
        )

    def delete_entry(
        self, entry_id: int, edited: str | DeletionStamp | None = DeletionStamp.NOW
    ) -> None:
        """Delete an entry: gone from /entries, listed by /entries_deletions from now on.

        The deletion reports `edited` (default: now); None or "0000-00-00 00:00:00" make a
        deletion without a usable stamp.
        """
        self.store.delete(entry_id, edited)

    def restore_entry(self, entry_id: int) -> dict[str, Any]:
        """Bring a deleted entry back, modified now; its deletion stays in /entries_deletions."""
        return self.store.restore(entry_id)

    def computer_activities(
        self, user_id: int, day: date, *, with_title: bool = False
    ) -> list[dict[str, Any]]:
        """What `/activity` files under `day` for the user (records may end the next day)."""
        user = self.catalog.user_by_id[user_id]
        return list(activities_of(self.account, user, day, with_title))

    def days_crossing_midnight(self, user_id: int, first_day: date, last_day: date) -> list[date]:
        """The days in first_day..last_day whose activities run into the next day."""
        days = (first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1))
        return [
            day
            for day in days
            if any(a["end_time"][:10] > str(day) for a in self.computer_activities(user_id, day))
        ]

    def running_timers(self) -> list[dict[str, Any]]:
        """Entries whose timer still runs, with their duration as of now."""
        return self.store.running()

    def stop_timer(self, entry_id: int) -> dict[str, Any]:
        """Stop a running timer: final duration and end_time, last_modify bumped to now."""
        return self.store.stop(entry_id)

    # -- people ------------------------------------------------------------------------

    def move_user(self, user_id: int, group_id: int) -> None:
        """Move a user to another group, as an administrator would."""
        if user_id not in self.catalog.user_by_id:
            raise KeyError(f"no user {user_id}")
        if all(g.group_id != group_id for g in self.catalog.groups):
            raise KeyError(f"no group {group_id}")
        self.account.user_groups[user_id] = group_id

    # -- timesheets and expenses ----------------------------------------------------------

    def set_approval_status(self, approval_id: int, status: int) -> None:
        """Approve (1), reject (3), reopen (0) or submit (2) a timesheet after the fact."""
        self.account.timesheets.set_status(approval_id, status)

    def edit_attendance(self, user_id: int, day: date, **changes: Any) -> dict[str, Any]:
        """Correct a worked day after the fact (e.g. `total_time="3600"`); returns the record."""
        return self.account.timesheets.change_day(user_id, day, changes)

    def remove_attendance(self, user_id: int, day: date) -> None:
        """Remove a worked day: `/attendance` no longer lists it (TimeCamp says nothing else)."""
        self.account.timesheets.remove_day(user_id, day)

    def remove_approval(self, approval_id: int) -> None:
        """Remove a timesheet approval: `/approval` no longer lists it."""
        self.account.timesheets.remove_approval(approval_id)

    def edit_expense(self, expense_id: int, **changes: Any) -> dict[str, Any]:
        """Change an expense after the fact (e.g. `amount=1200`); stamps `updatedAt` now."""
        return self.account.expenses.edit(expense_id, changes)

    def delete_expense(self, expense_id: int) -> None:
        """Delete an expense: `/v3/expense/list` stops listing it."""
        self.account.expenses.delete(expense_id)

    def shift_expenses(self, shift: PageShift) -> None:
        """Change the expenses right after page `shift.after_page` of the list is served, once."""
        self.account.expenses.shifts.append(shift)

    def misstate_expense_total(self, error: int) -> None:
        """Add `error` to `totalItemQuantity` (negative: the list says it is shorter)."""
        self.account.expenses.total_error = error

    def set_custom_field_value(
        self,
        resource_type: str,
        resource_id: int,
        template_id: int,
        value: str | None,
        *,
        touch_task: bool = True,
    ) -> None:
        """Set (None: clear) a custom field's value on a user or task, as an administrator would.

        On a task, `touch_task` also sets its `modify_time` to now: whether TimeCamp does
        that is not known (see the README); `touch_task=False` is the other case.
        """
        self.account.custom_field_values[(resource_type, resource_id, template_id)] = value
        if resource_type == "task" and touch_task:
            self.account.task_modified[resource_id] = f"{self.now:%Y-%m-%d %H:%M:%S}"

    def unassign_custom_field(self, resource_type: str, resource_id: int, template_id: int) -> None:
        """Unassign a custom field from a user or task: its values answer leaves the field out.

        What TimeCamp's values answer shows after `DELETE /v3/custom-fields/{template}/
        unassign/{resource}` is not documented; the simulator assumes the field is left out.
        """
        self.account.custom_fields_unassigned.add((resource_type, resource_id, template_id))

    def remove_custom_field_template(self, template_id: int) -> None:
        """Remove a template: the template list and every resource's values leave it out."""
        self.account.custom_field_templates_removed.add(template_id)

    def remove_computer_activity(self, user_id: int, end_time: str, window_title_id: int) -> None:
        """Remove one computer activity: `/activity` no longer lists it, nothing else says so."""
        if not any(
            a["end_time"] == end_time and int(a["window_title_id"]) == window_title_id
            for day in {date.fromisoformat(end_time[:10]) - timedelta(days=d) for d in (0, 1)}
            for a in self.computer_activities(user_id, day)
        ):
            raise KeyError(f"no activity of user {user_id} ending {end_time}, {window_title_id}")
        self.account.activities_removed.add((user_id, end_time, window_title_id))

    def delete_object(self, kind: ObjectKind, object_id: int) -> list[int]:
        """Delete a user, group, task, tag list or tag, as an administrator would.

        A task or group goes with its subtasks or subgroups, a tag list with its tags. The
        endpoints stop listing them; entries keep the ids they carry. Returns the ids deleted.
        """
        children: dict[int, list[int]] = {}
        if kind == "user":
            known = set(self.catalog.user_by_id)
        elif kind == "group":
            known = {g.group_id for g in self.catalog.groups}
            for group in self.catalog.groups:
                children.setdefault(group.parent_id, []).append(group.group_id)
        elif kind == "task":
            known = set(self.catalog.task_by_id)
            for task in self.catalog.tasks:
                children.setdefault(task.parent_id, []).append(task.task_id)
        elif kind == "tag_list":
            known = {tag_list.list_id for tag_list in self.catalog.tag_lists}
        elif kind == "tag":
            known = set(self.catalog.tag_by_id)
        else:
            raise ValueError(f"cannot delete a {kind!r}: user, group, task, tag_list or tag")
        if object_id not in known:
            raise KeyError(f"no {kind} {object_id}")
        deleted = [object_id]
        for done in deleted:
            deleted.extend(children.get(done, []))
        self.account.deleted.update((kind, each) for each in deleted)
        return deleted

    # -- failure injection and observation ---------------------------------------------

    def set_auth_failure(self, mode: str | int) -> None:
        """How a bad or missing token is answered: "redirect" (default), "401" or "403"."""
        text = str(mode)
        if text not in _AUTH_MODES:
            raise ValueError(f"auth failure mode must be one of {sorted(_AUTH_MODES)}")
        self.auth_failure = text  # type: ignore[assignment]

    def set_distance(
        self, *, latency: float = 0.0, latency_per_kib: float = 0.0, rate_limit: int | None = None
    ) -> None:
        """Serve the API from far away, or near again with no arguments.

        `latency` seconds per answer plus `latency_per_kib` per KiB of its body; a 429 with
        `Retry-After` past `rate_limit` requests a second (None: no limit).
        """
        self.distance.configure(Latency(latency, latency_per_kib), rate_limit)

    def add_fault(self, fault: Fault) -> None:
        """Activate a fault after the existing ones."""
        self.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received so far (tokens masked), oldest first."""
        return self.request_log.snapshot()

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.request_log.clear()
