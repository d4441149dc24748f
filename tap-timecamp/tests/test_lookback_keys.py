"""Which saved lookback keys a run judges gone: only against the window that answers their days."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tap_timecamp.lookback_keys import KeysSeen
from tap_timecamp.scope import ReadScope

FIRST_DAY = dt.date(2026, 3, 1)
# Two windows of a run, as (first, last) day numbers.
WINDOWS = ((0, 30), (31, 61))
USERS = (1, 2, 3)


def day(number: int) -> str:
    return (FIRST_DAY + dt.timedelta(days=number)).isoformat()


def number(iso: str) -> int:
    return (dt.date.fromisoformat(iso) - FIRST_DAY).days


def window_of(number: int) -> tuple[int, int]:
    return next(w for w in WINDOWS if w[0] <= number <= w[1])


saved_days = st.sets(st.tuples(st.sampled_from(USERS), st.integers(0, 61)), max_size=40)


@given(
    before=saved_days,
    answered=saved_days,
    empty=st.sets(st.sampled_from(WINDOWS)),
)
def test_a_key_is_gone_only_when_the_answer_of_its_window_holds_other_rows_of_its_user(
    before, answered, empty
):
    # `answered`: the days TimeCamp holds now; a window in `empty` answered `[]` (a glitch).
    seen = KeysSeen([("", user, day(n), day(n)) for user, n in before])
    for user, n in answered:
        window = window_of(n)
        if window not in empty:
            seen.answered(user, day(window[0]), day(window[1]))
            seen.read("", user, day(n), day(n))

    gone = {(user, number(first)) for _, user, first, _ in seen.gone(ReadScope())}

    rows_in = {(user, window_of(n)) for user, n in answered if window_of(n) not in empty}
    assert gone == {(user, n) for user, n in before - answered if (user, window_of(n)) in rows_in}


def test_a_period_over_two_windows_is_judged_by_the_window_that_answered_its_user():
    # An approval's period spans both windows: the first answered `[]`, the second holds
    # another period of the user and not this one, though it covers part of its days.
    seen = KeysSeen([("7", 1, day(25), day(40))])
    seen.answered(1, day(31), day(61))
    seen.read("8", 1, day(45), day(55))

    assert seen.gone(ReadScope()) == [("7", 1, day(25), day(40))]
