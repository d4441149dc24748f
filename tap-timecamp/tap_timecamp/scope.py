"""What shaped a stream's read: the users asked for and the optional columns switched on.

A bookmark says "complete up to T" only for the answers of the settings that read it: a
run with `user_ids: [1]` has read nothing of user 2, and one without `include_rates` no
rate. So the state keeps, beside the bookmark, the scope of the last complete read
(`read_scope`); a run whose scope is wider (more users, another column) reads again what
the bookmark does not cover, and says why. A narrower scope reads less and changes nothing
already loaded.
"""

from __future__ import annotations

import dataclasses
import typing as t

# In a stream's state: the scope of the last complete read.
READ_SCOPE = "read_scope"


@dataclasses.dataclass(frozen=True)
class ReadScope:
    """The users a read asked for (none: every user) and the optional columns it asked for."""

    user_ids: frozenset[int] = frozenset()
    columns: frozenset[str] = frozenset()

    @classmethod
    def from_state(cls, state: t.Mapping[str, t.Any], current: ReadScope) -> ReadScope:
        """The scope a stream's state was read with; `current` for a state without one.

        A state from before scopes were kept (or a hand-written one) is taken to match the
        settings it is used with: re-reading a whole history on an upgrade would cost more
        than the settings change it would guard against.
        """
        saved = state.get(READ_SCOPE)
        if not isinstance(saved, dict):
            return current
        users = saved.get("user_ids")
        columns = saved.get("columns")
        if not isinstance(users, list) or not isinstance(columns, list):
            return current
        return cls(
            user_ids=frozenset(int(user) for user in users if isinstance(user, int)),
            columns=frozenset(str(column) for column in columns),
        )

    def covers_user(self, user_id: int | None) -> bool:
        """Whether a read of this scope returns the user's records."""
        return not self.user_ids or user_id in self.user_ids

    def widened_from(self, previous: ReadScope) -> str | None:
        """Why this scope asks for more than `previous` did; None if it does not."""
        reasons = []
        if previous.user_ids and not self.user_ids:
            reasons.append("user_ids no longer limits the users")
        elif added := sorted(self.user_ids - previous.user_ids) if previous.user_ids else []:
            reasons.append(f"user_ids adds {', '.join(map(str, added))}")
        if added_columns := sorted(self.columns - previous.columns):
            reasons.append(f"{', '.join(added_columns)} switched on")
        return "; ".join(reasons) or None

    def write(self, state: dict[str, t.Any]) -> None:
        """Put this scope into a stream's (writable) state."""
        state[READ_SCOPE] = {"user_ids": sorted(self.user_ids), "columns": sorted(self.columns)}
