"""Issue 20's cases for the incremental streams other than time entries, each as a user meets it.

Case 5: the lookback streams keep time entries' first-run and `start_date` rules. Case 4,
second half: what TimeCamp removed inside a re-read window leaves the warehouse, and only
that. Case 6: a bookmark covers only the settings that read it. The tap runs in this
process against a served simulator whose clock the test moves.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t

import pytest

from tests.running import TapRun, selecting, sync_here
from tests.simulated import NOW, tap_config
from timecamp_simulator import Fault, Simulator

LOOKBACK_STREAMS = ("attendance", "approvals", "computer_activities")
SHORT_LOOKBACKS = {
    "attendance_lookback_days": 2,
    "approvals_lookback_days": 2,
    "activities_lookback_days": 2,
}
PATHS = {
    "attendance": "/attendance",
    "approvals": "/approval",
    "computer_activities": "/activity",
    "time_entry_deletions": "/entries_deletions",
}


def run(
    url: str, streams: t.Collection[str], state: dict[str, t.Any] | None = None, **config: t.Any
) -> TapRun:
    """One run from `state`; it must succeed."""
    settings = {
        key: value
        for key, value in tap_config(url, **{"end_date": None, **config}).items()
        if value is not None
    }
    done = sync_here(settings, state=state, catalog=selecting(settings, streams))
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def days_asked(sim: Simulator, stream: str) -> set[dt.date]:
    """Every day the requests of `stream`'s endpoint asked for."""
    days: set[dt.date] = set()
    for request in sim.requests:
        if request.path != PATHS[stream]:
            continue
        if "dates[]" in request.params:
            days.update(dt.date.fromisoformat(day) for day in request.params["dates[]"])
            continue
        first = dt.date.fromisoformat(request.params["from"][0])
        last = dt.date.fromisoformat(request.params["to"][0])
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days


def every_day(first: str, last: str) -> set[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}


def user_without_desktop_app(sim: Simulator) -> int:
    """An active user the simulator records no computer activity for."""
    return next(u.user_id for u in sim.catalog.users if not u.disabled and u.user_id % 4 == 3)


def remove_a_day_read(sim: Simulator, done: TapRun, day: str) -> dict[str, t.Any]:
    """Remove in TimeCamp one of the days `done` read, a day later; return its record."""
    record = next(r for r in done.records("attendance") if r["date"] == day)
    sim.remove_attendance(record["user_id"], dt.date.fromisoformat(day))
    sim.advance_clock(dt.timedelta(days=1))
    return record


def deleted(done: TapRun, stream: str) -> list[dict[str, t.Any]]:
    return [r for r in done.records(stream) if r.get("_sdc_deleted_at") is not None]


# Case 5


@pytest.mark.parametrize("stream", LOOKBACK_STREAMS)
def test_an_empty_first_run_without_start_date_pins_its_day_and_the_next_run_reads_on(
    account, stream
):
    # Issue 20, case 5: the empty first run saved `{}`, and the next run started from its
    # own yesterday: the days in between were never read.
    sim, url = account
    # After the account's data: nothing to read on the first run's days.
    sim.advance_clock(dt.timedelta(days=19))
    quiet = {"user_ids": [user_without_desktop_app(sim)]} if stream == "computer_activities" else {}
    first = run(url, [stream], start_date=None, **quiet)
    assert first.records(stream) == []
    sim.advance_clock(dt.timedelta(days=10))
    sim.clear_requests()

    run(url, [stream], state=first.last_state, start_date=None, **quiet)

    first_day = (NOW + dt.timedelta(days=18)).date().isoformat()
    assert first.last_state["bookmarks"][stream]["start_date"] == first_day
    assert every_day(first_day, sim.now.date().isoformat()) <= days_asked(sim, stream)


@pytest.mark.parametrize("stream", [*LOOKBACK_STREAMS, "time_entry_deletions"])
def test_start_date_moved_earlier_reads_the_days_before_those_read(account, stream):
    # Issue 20, case 5: a later run read only its lookback, whatever `start_date` said.
    sim, url = account
    first = run(url, [stream], start_date="2026-03-01", **SHORT_LOOKBACKS)
    sim.advance_clock(dt.timedelta(days=1))
    sim.clear_requests()

    later = run(url, [stream], state=first.last_state, start_date="2026-02-01", **SHORT_LOOKBACKS)

    assert every_day("2026-02-01", "2026-02-28") <= days_asked(sim, stream)
    assert later.last_state["bookmarks"][stream]["start_date"] == "2026-02-01"


def test_attendance_read_from_an_earlier_start_date_holds_those_days(account):
    sim, url = account
    first = run(url, ["attendance"], start_date="2026-03-01", attendance_lookback_days=2)
    sim.advance_clock(dt.timedelta(days=1))

    later = run(
        url,
        ["attendance"],
        state=first.last_state,
        start_date="2026-02-01",
        attendance_lookback_days=2,
    )

    february = {r["date"] for r in later.records("attendance") if r["date"] < "2026-03-01"}
    worked = {
        day.isoformat()
        for day in every_day("2026-02-01", "2026-02-28")
        for user in sim.account.timesheets.users
        if sim.account.timesheets.attendance(user, day) is not None
    }
    assert february == worked


# Case 4, second half


def test_an_attendance_day_removed_inside_the_lookback_is_sent_deleted(account):
    # Issue 20, case 4: nothing was sent for it; the warehouse kept the day live.
    sim, url = account
    first = run(url, ["attendance"])
    gone = remove_a_day_read(sim, first, "2026-03-20")

    later = run(url, ["attendance"], state=first.last_state)

    assert [(r["user_id"], r["date"]) for r in deleted(later, "attendance")] == [
        (gone["user_id"], "2026-03-20")
    ]
    assert deleted(later, "attendance")[0]["_sdc_deleted_at"].startswith("2026-04-02T09:30:00")


def test_an_approval_removed_inside_the_lookback_is_sent_deleted(account):
    # Issue 20, case 4: nothing was sent for it; the warehouse kept the approval live.
    sim, url = account
    first = run(url, ["approvals"])
    gone = next(r for r in first.records("approvals") if r["from_date"] == "2026-03-01")
    sim.remove_approval(gone["approval_id"])
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["approvals"], state=first.last_state)

    tombstones = deleted(later, "approvals")
    assert [(r["approval_id"], r["user_id"], r["from_date"]) for r in tombstones] == [
        (gone["approval_id"], gone["user_id"], "2026-03-01")
    ]
    assert len(later.records("approvals")) == len(sim.account.timesheets.approvals) + 1


def activity_key(record: dict[str, t.Any]) -> tuple[int, str, int]:
    return record["user_id"], record["end_time"], record["window_title_id"]


def test_a_computer_activity_removed_inside_the_lookback_is_sent_deleted(account):
    # Issue 20, case 4: nothing was sent for it; the warehouse kept the activity live.
    sim, url = account
    first = run(url, ["computer_activities"], start_date="2026-03-01")
    gone = next(
        r for r in first.records("computer_activities") if r["end_time"].startswith("2026-03-30")
    )
    sim.remove_computer_activity(*activity_key(gone))
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["computer_activities"], state=first.last_state, start_date="2026-03-01")

    assert [activity_key(r) for r in deleted(later, "computer_activities")] == [activity_key(gone)]
    assert deleted(later, "computer_activities")[0]["_sdc_deleted_at"].startswith(
        "2026-04-02T09:30:00"
    )


def test_a_call_answered_without_activities_sends_none_of_its_days_deleted(account, caplog):
    sim, url = account
    user = next(u.user_id for u in sim.catalog.users if not u.disabled and u.user_id % 4 != 3)
    first = run(url, ["computer_activities"], start_date="2026-03-01", user_ids=[user])
    sim.advance_clock(dt.timedelta(days=1))
    sim.add_fault(Fault(path="/activity", kind="status", status=200, body=[], count=1))

    later = run(
        url,
        ["computer_activities"],
        state=first.last_state,
        start_date="2026-03-01",
        user_ids=[user],
    )

    assert deleted(later, "computer_activities") == []
    assert f"TimeCamp answered no activity of user {user} for 2026-03-25..2026-04-02" in caplog.text


def test_a_day_of_a_user_no_longer_in_user_ids_is_not_sent_deleted(account):
    sim, url = account
    kept, dropped = (u.user_id for u in sim.account.timesheets.users[:2])
    first = run(url, ["attendance"], user_ids=[kept, dropped])
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["attendance"], state=first.last_state, user_ids=[kept])

    assert later.records("attendance")
    assert deleted(later, "attendance") == []


def test_the_days_of_a_user_timecamp_no_longer_answers_for_are_not_sent_deleted(account):
    # A disabled user, or one the token no longer sees: TimeCamp's silence about all of a
    # user's days is no claim that each was removed.
    sim, url = account
    first = run(url, ["attendance"])
    silent = first.records("attendance")[0]["user_id"]
    for record in first.records("attendance"):
        if record["user_id"] == silent and record["date"] >= "2026-03-01":
            sim.remove_attendance(silent, dt.date.fromisoformat(record["date"]))
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["attendance"], state=first.last_state)

    assert deleted(later, "attendance") == []


def test_an_empty_window_sends_no_day_of_its_users_deleted(account):
    # Run 2 reads the lookback as two 31-day windows; TimeCamp answers the first `200 []` (a
    # glitch) while the same users have days in the second: their silence in the first
    # window is no claim about its days (review finding: 106 live days were sent deleted).
    sim, url = account
    first = run(url, ["attendance"])
    sim.advance_clock(dt.timedelta(days=1))
    # Users work on in April (the simulated account's days end on March 31).
    sim.account.timesheets.end = dt.date(2026, 4, 30)
    sim.add_fault(Fault(path="/attendance", kind="status", status=200, body=[], count=1))

    later = run(url, ["attendance"], state=first.last_state)

    assert deleted(later, "attendance") == []


def test_a_removed_day_back_in_timecamp_is_live_again(account):
    sim, url = account
    first = run(url, ["attendance"])
    day = remove_a_day_read(sim, first, "2026-03-20")
    second = run(url, ["attendance"], state=first.last_state)
    sim.account.timesheets.days_removed.clear()
    sim.advance_clock(dt.timedelta(days=1))

    third = run(url, ["attendance"], state=second.last_state)

    back = [
        r
        for r in third.records("attendance")
        if (r["user_id"], r["date"]) == (day["user_id"], "2026-03-20")
    ]
    assert [r["_sdc_deleted_at"] for r in back] == [None]


def test_the_state_keeps_only_the_keys_the_next_run_reads_again(account):
    _, url = account

    done = run(url, ["attendance"], attendance_lookback_days=10)

    keys = done.last_state["bookmarks"]["attendance"]["lookback_keys"]
    first_reread = (NOW.date() - dt.timedelta(days=10)).isoformat()
    expected = {
        (r["user_id"], r["date"]) for r in done.records("attendance") if r["date"] >= first_reread
    }
    assert {(user, day) for user, day in keys} == expected


# Case 6


def test_a_user_added_to_user_ids_has_their_earlier_days_read(account, caplog):
    # Issue 20, case 6: the new user's days before the lookback were never read.
    sim, url = account
    caplog.set_level(logging.INFO)
    first_user, added = (u.user_id for u in sim.account.timesheets.users[:2])
    first = run(url, ["attendance"], user_ids=[first_user], attendance_lookback_days=2)
    sim.advance_clock(dt.timedelta(days=1))

    later = run(
        url,
        ["attendance"],
        state=first.last_state,
        user_ids=[first_user, added],
        attendance_lookback_days=2,
    )

    january = {r["date"] for r in later.records("attendance") if r["user_id"] == added}
    assert min(january) < "2026-01-10"
    assert f"user_ids adds {added} since the last run" in caplog.text


def test_a_user_added_to_user_ids_has_their_earlier_entries_read(account):
    # Issue 20, case 6, as the issue tells it: user 2's earlier entries were never read.
    sim, url = account
    first_user, added = (u.user_id for u in sim.catalog.users[:2])
    first = run(url, ["time_entries"], user_ids=[first_user])
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["time_entries"], state=first.last_state, user_ids=[first_user, added])

    read = {r["id"] for r in later.records("time_entries") if r["user_id"] == str(added)}
    theirs = {e["id"] for e in sim.all_entries() if int(e["user_id"]) == added}
    assert theirs
    assert read == theirs


def test_an_enrichment_switched_on_reads_the_older_entries_again_with_it(account, caplog):
    # Issue 20, case 6: turning include_rates on left every older row without rates.
    sim, url = account
    caplog.set_level(logging.INFO)
    first = run(url, ["time_entries"])
    sim.advance_clock(dt.timedelta(days=1))

    later = run(url, ["time_entries"], state=first.last_state, include_rates=True)

    with_rates = {r["id"] for r in later.records("time_entries") if "total_cost" in r}
    assert with_rates == {e["id"] for e in sim.all_entries()}
    assert "include_rates switched on since the last run" in caplog.text


def test_user_ids_narrowed_reads_nothing_again(account):
    sim, url = account
    kept, dropped = (u.user_id for u in sim.account.timesheets.users[:2])
    first = run(url, ["attendance"], user_ids=[kept, dropped], attendance_lookback_days=2)
    sim.advance_clock(dt.timedelta(days=1))
    sim.clear_requests()

    run(url, ["attendance"], state=first.last_state, user_ids=[kept], attendance_lookback_days=2)

    assert min(days_asked(sim, "attendance")) == NOW.date() - dt.timedelta(days=2)


@pytest.mark.parametrize("stream", LOOKBACK_STREAMS)
def test_a_backfill_bounded_by_end_date_is_continued_from_its_end(account, stream):
    # A lookback counted back from the backfill's start would skip the days after end_date.
    sim, url = account
    backfill = run(url, [stream], end_date="2026-03-10", **SHORT_LOOKBACKS)
    sim.clear_requests()

    run(url, [stream], state=backfill.last_state, **SHORT_LOOKBACKS)

    assert every_day("2026-03-11", "2026-04-01") <= days_asked(sim, stream)
