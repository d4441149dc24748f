"""Which saved computer activities a run judges gone, and how compactly the state keeps them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tap_timecamp.activity_keys import ACTIVITY_KEYS, ActivitiesSeen, activity
from tap_timecamp.scope import ReadScope

MIDNIGHT = dt.datetime(2026, 3, 20)
USERS = (1201001, 1201002)


def stamp(seconds: int) -> str:
    return (MIDNIGHT + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


activities = st.builds(
    lambda user, end, title, span: activity(user, stamp(end), title, span),
    st.sampled_from(USERS),
    st.integers(0, 6 * 86_400),
    st.integers(1, 10**9),
    st.none() | st.integers(0, 20_000),
)
# A run's calls: per user, windows of days after MIDNIGHT's day, answered with activities.
calls = st.lists(
    st.tuples(st.sampled_from(USERS), st.integers(-1, 6), st.integers(0, 3)), max_size=6
)


def day(number: int) -> dt.date:
    return MIDNIGHT.date() + dt.timedelta(days=number)


@given(read=st.lists(activities, max_size=40), since=st.integers(-1, 6))
def test_the_state_gives_back_every_activity_that_ends_on_or_after_the_next_runs_first_day(
    read, since
):
    seen = ActivitiesSeen([])
    for found in read:
        seen.read(found)
    state: dict = {}
    seen.write(state, since=day(since))

    saved = ActivitiesSeen.from_state(state).before

    assert {a.key for a in saved} == {a.key for a in read if a.days[1] >= day(since)}
    assert all(a.days[0] <= b.days[0] for a in saved for b in read if a.key == b.key)


@given(before=st.lists(activities, max_size=30), now=st.sets(st.integers(0, 29)), asked=calls)
def test_an_activity_is_gone_only_when_calls_with_activities_cover_every_day_of_it(
    before, now, asked
):
    seen = ActivitiesSeen(before)
    for index in now:
        if index < len(before):
            seen.read(before[index])
    for user, first, length in asked:
        seen.call(user, day(first), day(first + length), held_activities=True)

    gone = seen.gone(ReadScope())

    read_now = {before[i].key for i in now if i < len(before)}
    for saved in before:
        covered = all(
            any(u == saved.user_id and day(f) <= d <= day(f + n) for u, f, n in asked)
            for d in (saved.days[0] + dt.timedelta(days=i) for i in range(7))
            if d <= saved.days[1]
        )
        assert (saved in gone) == (covered and saved.key not in read_now)


def test_a_call_answered_without_activities_judges_none_of_its_days_and_is_counted():
    saved = activity(USERS[0], stamp(9 * 3600), 5001, 600)
    assert saved is not None
    seen = ActivitiesSeen([saved])
    seen.call(USERS[0], day(0), day(19), held_activities=False)

    assert seen.gone(ReadScope()) == []
    assert seen.unjudged() == {(USERS[0], day(0), day(19)): 1}


def test_an_activity_of_a_user_outside_user_ids_is_not_judged():
    saved = activity(USERS[0], stamp(9 * 3600), 5001, 600)
    assert saved is not None
    seen = ActivitiesSeen([saved])
    seen.call(USERS[0], day(-1), day(19), held_activities=True)

    assert seen.gone(ReadScope(user_ids=frozenset({USERS[1]}))) == []
    assert seen.gone(ReadScope()) == [saved]


def test_an_activity_is_not_judged_without_the_day_before_its_end_though_it_started_that_day():
    # Found by the model: a session that runs past midnight is filed under the day it began,
    # and its activities after midnight were judged by a call that did not ask that day.
    saved = activity(USERS[0], stamp(86_400 + 3_000), 24007, 600)
    assert saved is not None
    seen = ActivitiesSeen([saved])
    seen.call(USERS[0], day(1), day(2), held_activities=True)

    assert seen.gone(ReadScope()) == []


def test_an_activity_without_a_time_span_may_have_started_the_day_before():
    found = activity(USERS[0], stamp(3600), 5001, None)

    assert found is not None
    assert found.days == (day(-1), day(0))


def test_an_end_time_not_in_timecamps_form_is_not_kept():
    assert activity(USERS[0], "2026-03-20T01:00:00", 5001, 60) is None


def test_a_day_keeps_its_window_titles_once_and_each_end_as_the_seconds_since_the_one_before():
    seen = ActivitiesSeen([])
    for end, title in ((29_000, 7003), (29_640, 5001), (29_735, 7003)):
        found = activity(USERS[0], stamp(end), title, 60)
        assert found is not None
        seen.read(found)
    state: dict = {}

    seen.write(state, since=day(0))

    assert state[ACTIVITY_KEYS] == [
        [USERS[0], "2026-03-19", [5001, 7003], [115_400, 1, 640, 0, 95, 1]]
    ]


def test_a_run_holds_an_activity_ending_before_the_next_runs_first_day_only_to_judge_a_saved_one():
    # A first run over a year must not hold a year of keys that no run judges.
    saved = activity(USERS[0], stamp(3600), 5001, 60)
    assert saved is not None
    seen = ActivitiesSeen([saved], keep_from=day(3).isoformat())

    assert seen.wants(saved.key)
    assert not seen.wants((USERS[0], stamp(7200), 5001))
    assert seen.wants((USERS[0], stamp(3 * 86_400), 5001))
