"""Whether a full-table read may become the stream's new version: the deletion guard.

An activation tells the target that every row the read did not send is gone from
TimeCamp. A glitch (an empty answer from an edge cache, a token that sees less) looks
like a mass deletion, so a read is activated only when it is plausible next to the last
activated one: not empty where that one had rows (or where nothing is known of it), and
not smaller by more than `max_shrink_rows` rows *and* `max_shrink_percent` percent. Both
bounds must be exceeded, so that deleting one of three users or one tag goes through.
A real mass deletion is accepted for one run by naming the stream in
`accept_mass_deletion`.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ShrinkBound:
    """How much smaller than the last activated read a read may be and still activate."""

    max_rows: int
    max_percent: float

    def exceeded(self, last: int, new: int) -> bool:
        """Whether going from `last` rows to `new` loses more than both bounds allow."""
        lost = last - new
        return lost > self.max_rows and lost * 100 > self.max_percent * last


def refusal(
    stream: str,
    *,
    last: int | None,
    new: int,
    bound: ShrinkBound,
    accepted: bool,
    last_read: str = "the last activated read",
) -> str | None:
    """Why `stream`'s read of `new` rows must not activate, or None when it may.

    `last` is the row count of the last activated read (None when the state has none: a
    cleared state, or one written before the count was kept). `accepted`: the user named
    the stream in `accept_mass_deletion` for this run. `last_read` names what `last` counts
    in the warning.
    """
    if accepted:
        return None
    if new == 0 and last != 0:
        before = (
            "the state holds no count of an activated read (cleared, or from an older tap)"
            if last is None
            else f"{last_read} had {last} rows"
        )
        return (
            f"{stream}: TimeCamp answered no rows and {before}; nothing is marked deleted "
            f"this run. {_how_to_accept(stream)}"
        )
    if last is not None and bound.exceeded(last, new):
        return (
            f"{stream}: the read shrank from {last} to {new} rows, more than "
            f"`max_shrink_rows` ({bound.max_rows}) and `max_shrink_percent` "
            f"({bound.max_percent:g} %) allow; nothing is marked deleted this run. "
            f"{_how_to_accept(stream)}"
        )
    return None


def _how_to_accept(stream: str) -> str:
    return (
        "If TimeCamp really lost them, run once with `accept_mass_deletion` naming the stream "
        f"(TAP_TIMECAMP_ACCEPT_MASS_DELETION='[\"{stream}\"]')."
    )
