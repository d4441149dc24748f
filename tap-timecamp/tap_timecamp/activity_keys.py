"""The computer activities a run read in the days the next run reads again: which one left.

TimeCamp says nothing when a computer activity is removed: `/activity` no longer answers it.
`computer_activities` reads the days of its lookback again on every run, so it can tell, as
the lookback streams do (`tap_timecamp.lookback_keys`): an activity the last run read,
inside the days this run read again, missing from an answer that still holds activities of
its user, is gone. Only from an answer the tap trusts:

- an activity is judged only when every day it may be filed under was asked for its user in
  this run, each in a call (one user, up to 20 days) whose answer held activities: the day it
  ended and the day before (an activity of a session that ran past midnight may be filed
  under the day the session began, even when the activity starts after midnight: TimeCamp
  does not document where), and the day it started when that is earlier;
- a call answered without any activity where the last run read some of its user in its days
  (a glitch, a user disabled or no longer seen by the token) judges none of them: a warning;
- an activity of a user outside this run's `user_ids`, or about days this run did not read
  (a lookback shortened, an `end_date`), is not judged.

A user's day holds hundreds of activities, so the state (`activity_keys`) keeps them
compactly: per user and first day, the window title ids of the day once (sorted), then each
activity as its end in seconds after that day's midnight, as the difference from the one
before, and the index of its window title: `[1201001, "2026-03-29", [5001, 7003], [115400,
0, 640, 1, 95, 0]]` (three activities that end on 2026-03-30, the first at 08:03:20). Only
activities about days the next run reads again are kept: the state grows with the users, the
lookback and the activity per day, never with the account's age.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

if t.TYPE_CHECKING:
    from tap_timecamp.scope import ReadScope

# In the stream's state.
ACTIVITY_KEYS = "activity_keys"

# An activity's key: its user, its `end_time` and its window title.
Key = tuple[int, str, int]


@dataclasses.dataclass(frozen=True)
class Activity:
    """An activity's key and the first day it may be filed under."""

    user_id: int
    end_time: str
    window_title_id: int
    first_day: dt.date

    @property
    def key(self) -> Key:
        """The stream's key."""
        return (self.user_id, self.end_time, self.window_title_id)

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        """The first and last day it may be filed under."""
        return self.first_day, dt.date.fromisoformat(self.end_time[:10])


def activity(
    user_id: int, end_time: str, window_title_id: int, time_span: int | None
) -> Activity | None:
    """The activity of a record's values; None when its end is not a whole stamp.

    It may be filed under the day before its end whatever its `time_span` (its session may
    have begun then), or under the day it started, when a usable `time_span` says earlier.
    """
    end = _stamp(end_time)
    if end is None:
        return None
    first = end.date() - dt.timedelta(days=1)
    if time_span is not None and time_span >= 0:
        first = min(first, (end - dt.timedelta(seconds=time_span)).date())
    return Activity(user_id, end_time, window_title_id, first)


@dataclasses.dataclass
class ActivitiesSeen:
    """The activities the last run saved, those this run reads, and the calls it made."""

    before: list[Activity]
    now: dict[Key, Activity] = dataclasses.field(default_factory=dict)
    # Per user, the windows (first, last day) whose answer held activities, and those that did not.
    answered: dict[int, list[tuple[dt.date, dt.date]]] = dataclasses.field(default_factory=dict)
    silent: dict[int, list[tuple[dt.date, dt.date]]] = dataclasses.field(default_factory=dict)
    # The first day (ISO) the next run reads again: an activity that ends before it is kept
    # only to judge a saved one (a first run over a year must not hold a year of keys).
    keep_from: str = ""
    before_keys: set[Key] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        """Index the saved keys."""
        self.before_keys = {saved.key for saved in self.before}

    @classmethod
    def from_state(cls, state: t.Mapping[str, t.Any], *, keep_from: str = "") -> ActivitiesSeen:
        """The activities a stream's state holds (none in a state without them)."""
        saved = state.get(ACTIVITY_KEYS)
        groups = saved if isinstance(saved, list) else []
        return cls([a for group in groups for a in _read(group)], keep_from=keep_from)

    def wants(self, key: Key) -> bool:
        """Whether this run needs the activity: the next run judges it, or this run a saved one."""
        return key[1][:10] >= self.keep_from or key in self.before_keys

    def read(self, found: Activity) -> None:
        """An activity this run sent."""
        self.now[found.key] = found

    def call(self, user_id: int, first: dt.date, last: dt.date, *, held_activities: bool) -> None:
        """A call for `user_id`'s days `first`..`last` was answered, with activities or not."""
        calls = self.answered if held_activities else self.silent
        calls.setdefault(user_id, []).append((first, last))

    def gone(self, scope: ReadScope) -> list[Activity]:
        """The activities saved before that this run should have read again and did not."""
        return [
            saved
            for saved in self.before
            if saved.key not in self.now
            and scope.covers_user(saved.user_id)
            and _all_days_in(saved.days, self.answered.get(saved.user_id, ()))
        ]

    def unjudged(self) -> dict[tuple[int, dt.date, dt.date], int]:
        """Per call answered without activities: how many saved activities of its days it left."""
        counts: dict[tuple[int, dt.date, dt.date], int] = {}
        for saved in self.before:
            for first, last in self.silent.get(saved.user_id, ()):
                if first <= saved.days[1] and saved.days[0] <= last:
                    call = (saved.user_id, first, last)
                    counts[call] = counts.get(call, 0) + 1
        return counts

    def write(self, state: dict[str, t.Any], *, since: dt.date) -> None:
        """Save the activities this run read that end on or after `since` (the next run's first)."""
        groups: dict[tuple[int, dt.date], list[Activity]] = {}
        for found in self.now.values():
            if found.days[1] >= since:
                groups.setdefault((found.user_id, found.first_day), []).append(found)
        state[ACTIVITY_KEYS] = [
            _saved(user, day, groups[(user, day)]) for user, day in sorted(groups)
        ]


def _all_days_in(days: tuple[dt.date, dt.date], calls: t.Iterable[tuple[dt.date, dt.date]]) -> bool:
    """Whether every day from `days[0]` to `days[1]` lies in one of `calls`."""
    calls = list(calls)
    day = days[0]
    while day <= days[1]:
        if not any(first <= day <= last for first, last in calls):
            return False
        day += dt.timedelta(days=1)
    return True


def _saved(user_id: int, day: dt.date, activities: list[Activity]) -> list[t.Any]:
    """A user's first day as the state keeps it: titles once, then (end offset delta, title)."""
    midnight = dt.datetime.combine(day, dt.time())
    ends = sorted(
        (
            int((dt.datetime.fromisoformat(a.end_time) - midnight).total_seconds()),
            a.window_title_id,
        )
        for a in activities
    )
    titles = sorted({title for _, title in ends})
    index = {title: i for i, title in enumerate(titles)}
    pairs: list[int] = []
    previous = 0
    for offset, title in ends:
        pairs += [offset - previous, index[title]]
        previous = offset
    return [user_id, day.isoformat(), titles, pairs]


def _read(group: t.Any) -> list[Activity]:
    """The activities of one saved group; none from a group this tap did not write."""
    if not (isinstance(group, list) and len(group) == 4 and isinstance(group[0], int)):
        return []
    user_id, day, titles, pairs = group
    try:
        midnight = dt.datetime.combine(dt.date.fromisoformat(str(day)), dt.time())
        offset, found = 0, []
        for position in range(0, len(pairs) - 1, 2):
            offset += int(pairs[position])
            end = midnight + dt.timedelta(seconds=offset)
            title = int(titles[int(pairs[position + 1])])
            found.append(Activity(user_id, end.isoformat(sep=" "), title, midnight.date()))
    except (TypeError, ValueError, IndexError):
        return []
    return found


def _stamp(end_time: str) -> dt.datetime | None:
    """`end_time` as a time, if it is in TimeCamp's form (the only one a tombstone gives back)."""
    if len(end_time) != len("YYYY-MM-DD HH:MM:SS") or end_time[10] != " ":
        return None
    try:
        end = dt.datetime.fromisoformat(end_time)
    except ValueError:
        return None
    return end if end.isoformat(sep=" ") == end_time else None
