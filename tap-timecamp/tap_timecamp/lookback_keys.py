"""The keys a lookback stream read inside the days its next run reads again.

TimeCamp says nothing when an attendance day or a timesheet approval is removed: the day
or the period is simply no longer in the answer. A lookback stream reads the same days
again on every run, so it can tell: a key the last run read, inside the days this run read
again, for a user this run's answer still holds, and missing from it, is gone.

Only those keys are kept in the state (`lookback_keys`): the ones about days on or after
the day the next run starts reading again. The state then grows with the users and the
lookback, never with the account's age. A key is saved as `[user, first day, last day,
key]`, the last day left out when it is the first, and the key when the user and the day
are the whole key (an attendance day: `[1201001, "2026-03-20"]`). The judgement is kept
cheap and conservative:

- a key whose days overlap none of this run's days is not judged (a lookback shortened);
- a key of a user outside this run's `user_ids` is not judged (a narrowed setting);
- a key is judged only against the answer of a window that covers its days and has rows of
  its user: a user with no row in that answer (a disabled user, a token that no longer sees
  the user, a window TimeCamp answered empty) is not judged there, even when other windows
  of the run hold their days. Only the loss of one of several keys of a user the same
  answer still holds is a deletion.
"""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    from tap_timecamp.scope import ReadScope

# In a lookback stream's state.
LOOKBACK_KEYS = "lookback_keys"
# The column a tombstone sets, as for time entries.
DELETED_AT = "_sdc_deleted_at"

# A key, its user (None when the record names none) and its first and last day.
Seen = tuple[str, "int | None", str, str]


@dataclasses.dataclass
class KeysSeen:
    """The keys an earlier run saved and the keys this run reads."""

    before: list[Seen]
    now: dict[Seen, Seen] = dataclasses.field(default_factory=dict)
    # Per user, the windows (first, last day) whose answer held at least one of their rows.
    answers: dict[int | None, set[tuple[str, str]]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_state(cls, state: t.Mapping[str, t.Any]) -> KeysSeen:
        """The keys a stream's state holds (none in a state without them)."""
        saved = state.get(LOOKBACK_KEYS)
        before: list[Seen] = []
        for item in saved if isinstance(saved, list) else []:
            if isinstance(item, list) and 2 <= len(item) <= 4:
                user, first = item[0], str(item[1])
                last = str(item[2]) if len(item) > 2 else first
                key = str(item[3]) if len(item) > 3 else ""
                before.append((key, user if isinstance(user, int) else None, first, last))
        return cls(before)

    def read(self, key: str, user_id: int | None, first: str, last: str) -> None:
        """One key this run sent (`key` empty when the user and the day are the key)."""
        self.now[(key, user_id, first, last)] = (key, user_id, first, last)

    def answered(self, user_id: int | None, first: str, last: str) -> None:
        """The answer of the window `first`..`last` held a row of `user_id`."""
        self.answers.setdefault(user_id, set()).add((first, last))

    def gone(self, scope: ReadScope) -> list[Seen]:
        """The keys saved before that this run should have read again and did not.

        `scope`: this run's users.
        """
        return [
            seen
            for seen in self.before
            if seen not in self.now
            and scope.covers_user(seen[1])
            and any(
                seen[2] <= last and first <= seen[3]
                for first, last in self.answers.get(seen[1], ())
            )
        ]

    def write(self, state: dict[str, t.Any], *, since: str) -> None:
        """Save the keys this run read about days on or after `since` (the next run's first)."""
        kept = sorted(
            (seen for seen in self.now.values() if seen[3] >= since),
            key=lambda seen: (seen[2], str(seen[1]), seen[0]),
        )
        state[LOOKBACK_KEYS] = [_saved(seen) for seen in kept]


def _saved(seen: Seen) -> list[t.Any]:
    """A key as the state holds it: `[user, first, last, key]`, short when it can be."""
    key, user_id, first, last = seen
    if key:
        return [user_id, first, last, key]
    return [user_id, first] if last == first else [user_id, first, last]
