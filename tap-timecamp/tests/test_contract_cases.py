"""The incremental contract, case by case (issue 12), each as a user would meet it.

After a successful run that started at T (TimeCamp's clock), every entry that existed at T
and is dated on or after `start_date` (future dates included) is in the target, at least as
new as at the previous run's start; every entry deleted before T that the target holds is
tombstoned; a live entry never is. The tap runs in this process against a served simulator
whose clock the test moves; the target is an upsert on `id`, in the order records arrive.
"""

from __future__ import annotations

import datetime as dt
import typing as t

import pytest

from tap_timecamp import clock, windows
from tap_timecamp.streams.time_entries import TimeEntriesStream
from tests.running import TapRun, selecting, sync_here
from tests.simulated import NOW, simulator, tap_config
from timecamp_simulator import Fault, Simulator

ENTRIES = ("time_entries", "time_entry_deletions")
JAN_2 = dt.date(2026, 1, 2)


class Target:
    """An upserting target's `time_entries` table, and the state Meltano passes on."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, t.Any]] = {}
        self.state: dict[str, t.Any] = {}

    def load(self, run: TapRun) -> TapRun:
        for record in run.records():
            self.rows[int(record["id"])] = record
        if run.last_state:
            self.state = run.last_state
        return run

    def live(self) -> dict[int, dict[str, t.Any]]:
        return {i: r for i, r in self.rows.items() if r.get("_sdc_deleted_at") is None}

    def deleted(self) -> set[int]:
        return {i for i, r in self.rows.items() if r.get("_sdc_deleted_at") is not None}


def run(
    url: str, target: Target, *, streams: t.Collection[str] = ENTRIES, **config: t.Any
) -> TapRun:
    """One pipeline run from the target's state; the run must succeed."""
    settings = tap_config(url, **{"end_date": None, **config})
    catalog = selecting(settings, streams)
    done = target.load(sync_here(settings, state=target.state, catalog=catalog))
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def assert_complete(sim: Simulator, target: Target, first_day: str) -> None:
    """Every live entry dated from `first_day` on is in the target, as it is now."""
    truth = {e["id"]: e for e in sim.all_entries() if e["date"] >= first_day}
    live = target.live()
    missing = sorted(set(truth) - set(live))
    assert not missing, f"{len(missing)} entries missing, e.g. {missing[:5]}"
    stale = [i for i in truth if live[i]["last_modify"] != truth[i]["last_modify"]]
    assert not stale, f"{len(stale)} entries stale, e.g. {stale[:5]}"


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# Case 1


def test_a_bounded_backfill_is_continued_by_the_daily_run(account):
    sim, url = account
    target = Target()
    # Someone corrects an old entry the day before the backfill.
    sim.advance_clock(dt.timedelta(days=-1))
    sim.edit_entry(next(sim.all_entries())["id"], description="corrected")
    sim.advance_clock(dt.timedelta(days=1))

    run(url, target, start_date="2026-01-01", end_date="2026-02-28")
    sim.advance_clock(dt.timedelta(days=1))
    run(url, target, start_date="2026-01-01")

    assert_complete(sim, target, "2026-01-01")


def test_an_entry_moved_during_a_first_run_into_days_already_read_is_read(account, monkeypatch):
    sim, url = account
    target = Target()
    moved = max((e for e in sim.all_entries() if e["date"] == "2026-03-30"), key=lambda e: e["id"])
    answered = TimeEntriesStream.answered

    def answered_then_move(
        stream: TimeEntriesStream, window: windows.DateWindow, response: t.Any
    ) -> None:
        answered(stream, window, response)
        if window.filter is windows.Filter.ENTRY_DATE and window.start <= JAN_2 <= window.end:
            # After T, someone moves the entry from days not read yet into these.
            sim.advance_clock(dt.timedelta(minutes=1))
            sim.edit_entry(moved["id"], date=JAN_2.isoformat())

    monkeypatch.setattr(TimeEntriesStream, "answered", answered_then_move)
    run(url, target, start_date="2026-01-01", target_window_records=50)

    assert moved["id"] in target.live()
    assert_complete(sim, target, "2026-01-01")


def test_an_entry_moved_during_a_first_run_into_days_not_read_yet_is_sent_again_last_as_moved(
    account, monkeypatch
):
    # Issue 20, case 9: the README promised an appending target no duplicate. The entry was
    # sent as read before the move and again as moved; the README now says so, and that its
    # last record is the one to keep: an upserting target ends right.
    sim, url = account
    target = Target()
    moved = min(
        (e for e in sim.all_entries() if e["date"] == JAN_2.isoformat()), key=lambda e: e["id"]
    )
    answered = TimeEntriesStream.answered

    def answered_then_move(
        stream: TimeEntriesStream, window: windows.DateWindow, response: t.Any
    ) -> None:
        answered(stream, window, response)
        if window.filter is windows.Filter.ENTRY_DATE and window.start <= JAN_2 <= window.end:
            sim.advance_clock(dt.timedelta(minutes=1))
            sim.edit_entry(moved["id"], date="2026-03-30")

    monkeypatch.setattr(TimeEntriesStream, "answered", answered_then_move)
    done = run(url, target, start_date="2026-01-01", target_window_records=50)

    sent = [r for r in done.records("time_entries") if r["id"] == moved["id"]]
    assert [r["date"] for r in sent] == [JAN_2.isoformat(), "2026-03-30"]
    assert sent[-1]["last_modify"] > sent[0]["last_modify"]
    assert_complete(sim, target, "2026-01-01")


def test_a_first_run_sends_each_entry_once(account):
    # The changes a first run reads to catch entries moved while it ran also hold every
    # entry changed in the last days: sent again, target-jsonl wrote them twice.
    _, url = account

    done = run(url, Target(), start_date="2026-03-25")

    ids = [record["id"] for record in done.records("time_entries")]
    assert ids
    assert len(ids) == len(set(ids))


def test_a_first_run_sends_an_entry_stamped_ahead_of_the_clock_once(account):
    # Read by date, then again among the changes at or after T: a stamp ahead of
    # TimeCamp's clock (a skewed clock, or a simulator stamping entries with their end)
    # was sent twice.
    sim, url = account
    ahead = max(sim.all_entries(), key=lambda e: e["date"])
    sim.edit_entry(ahead["id"], last_modify=stamp(sim.now + dt.timedelta(hours=1)))

    done = run(url, Target(), start_date="2026-03-25")

    ids = [record["id"] for record in done.records("time_entries")]
    assert ids.count(ahead["id"]) == 1


def test_a_bounded_first_run_sends_no_recent_change_dated_outside_its_days(account):
    sim, url = account
    target = Target()
    outside = next(e for e in sim.all_entries() if e["date"] > "2026-02-28")
    sim.edit_entry(outside["id"], description="edited today")

    run(url, target, start_date="2026-01-01", end_date="2026-02-28")

    assert all("2026-01-01" <= row["date"] <= "2026-02-28" for row in target.live().values())


# Case 2


def test_an_entry_booked_ahead_is_read_before_its_day(account):
    sim, url = account
    target = Target()
    ahead = sim.add_entry(entry_date=NOW.date() + dt.timedelta(days=7), description="planned")
    # Created ten days ago, never changed since.
    sim.edit_entry(ahead["id"], last_modify=stamp(NOW - dt.timedelta(days=10)))

    run(url, target, start_date="2026-01-01")
    sim.advance_clock(dt.timedelta(days=1))
    run(url, target, start_date="2026-01-01")

    assert ahead["id"] in target.live()
    assert_complete(sim, target, "2026-01-01")


def test_an_entry_booked_more_than_ten_years_ahead_is_read(account):
    sim, url = account
    target = Target()
    far = sim.add_entry(entry_date=dt.date(NOW.year + 11, 6, 1), description="booked far ahead")

    run(url, target, start_date="2026-01-01")

    assert far["id"] in target.live()


# Case 3


def test_a_stamp_ahead_of_the_clock_does_not_hide_later_changes(account):
    sim, url = account
    target = Target()
    entries = list(sim.all_entries())
    sim.edit_entry(entries[0]["id"], last_modify=stamp(NOW + dt.timedelta(days=5)))

    run(url, target, start_date="2026-01-01")
    sim.advance_clock(dt.timedelta(days=1))
    sim.edit_entry(entries[1]["id"], description="changed the next day")
    sim.advance_clock(dt.timedelta(days=1))
    run(url, target, start_date="2026-01-01")

    assert target.live()[entries[1]["id"]]["description"] == "changed the next day"
    assert_complete(sim, target, "2026-01-01")
    bookmark = target.state["bookmarks"]["time_entries"]["replication_key_value"]
    assert bookmark <= stamp(sim.now)


def test_an_old_bookmark_in_the_future_is_clamped_to_timecamps_clock(account, caplog):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    # A bookmark-only state (unpublished builds before 0.1.0) whose greatest last_modify came
    # from a skewed clock.
    target.state = {
        "bookmarks": {
            "time_entries": {
                "replication_key": "last_modify",
                "replication_key_value": "2026-04-20 10:00:00",
            }
        }
    }
    sim.advance_clock(dt.timedelta(days=1))
    changed = sim.edit_entry(next(sim.all_entries())["id"], description="after the skew")

    run(url, target, start_date="2026-01-01")

    assert target.live()[changed["id"]]["description"] == "after the skew"
    assert "after TimeCamp's clock" in caplog.text
    assert_complete(sim, target, "2026-01-01")


def test_a_hand_edited_state_in_the_future_is_clamped_with_a_warning(account, caplog):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    target.state["bookmarks"]["time_entries"]["changes_read_through"] = "2026-05-01 00:00:00"
    sim.advance_clock(dt.timedelta(hours=2))
    changed = sim.edit_entry(next(sim.all_entries())["id"], description="after the edit")

    run(url, target, start_date="2026-01-01")

    assert target.live()[changed["id"]]["description"] == "after the edit"
    assert "changes were read through 2026-05-01 00:00:00, after TimeCamp's clock" in caplog.text
    assert target.state["bookmarks"]["time_entries"]["changes_read_through"] == stamp(sim.now)


# Case 4


def test_a_first_run_that_finds_nothing_still_saves_where_it_got_to():
    sim = Simulator(seed=3, entries=0, users=2, now=NOW)
    target = Target()
    with sim.serve() as server:
        run(server.base_url, target, start_date=None)
        sim.advance_clock(dt.timedelta(days=1))
        # Yesterday's work, entered late: dated the day before the first run.
        late = sim.add_entry(entry_date=NOW.date() - dt.timedelta(days=1), description="late")
        run(server.base_url, target, start_date=None)

    assert late["id"] in target.live()


def test_a_failed_first_run_retried_the_next_day_starts_from_the_same_day(account):
    sim, url = account
    target = Target()
    settings = tap_config(url, start_date=None, end_date=None)
    sim.add_fault(Fault(path="/entries", kind="redirect"))
    failed = target.load(sync_here(settings, catalog=selecting(settings, ENTRIES)))
    assert failed.returncode == 1
    sim.clear_faults()
    sim.advance_clock(dt.timedelta(days=1))

    run(url, target, start_date=None)

    first_day = (NOW.date() - dt.timedelta(days=1)).isoformat()
    assert target.state["bookmarks"]["time_entries"]["start_date"] == first_day
    assert_complete(sim, target, first_day)


# Case 5


def test_a_restored_entry_stays_live_though_its_deletion_is_older(account):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    entry = next(sim.all_entries())
    sim.delete_entry(entry["id"])
    sim.advance_clock(dt.timedelta(minutes=5))
    sim.restore_entry(entry["id"])

    run(url, target, start_date="2026-01-01")

    assert entry["id"] in target.live()
    assert_complete(sim, target, "2026-01-01")


def restore_an_entry_dated_before_march(sim: Simulator) -> dict[str, t.Any]:
    """Delete the oldest entry, dated before 2026-03-01, and restore it five minutes later."""
    entry = next(sim.all_entries())
    assert entry["date"] < "2026-03-01"
    sim.delete_entry(entry["id"])
    sim.advance_clock(dt.timedelta(minutes=5))
    sim.restore_entry(entry["id"])
    return entry


def test_an_entry_dated_before_start_date_restored_before_the_first_run_is_not_tombstoned(account):
    sim, url = account
    target = Target()
    entry = restore_an_entry_dated_before_march(sim)

    run(url, target, start_date="2026-03-01")

    assert entry["id"] not in target.deleted()
    assert_complete(sim, target, "2026-03-01")


def test_a_widened_read_scope_does_not_tombstone_an_entry_restored_before_the_last_run(account):
    # A widened scope reads deletions again from start_date, further back than its change
    # span: a restore older than that span is seen only by reading the entry's own day.
    sim, url = account
    target = Target()
    entry = restore_an_entry_dated_before_march(sim)
    sim.advance_clock(dt.timedelta(days=2))
    run(url, target, start_date="2026-03-01")
    sim.advance_clock(dt.timedelta(days=2))

    run(url, target, start_date="2026-03-01", include_rates=True)

    assert entry["id"] not in target.deleted()


def test_a_first_run_tombstones_a_held_row_of_an_entry_dated_before_start_date(account):
    # A table the legacy scripts filled holds entries dated before the first run's
    # start_date; one deleted since start_date must not stay live there.
    sim, url = account
    target = Target()
    entry = next(sim.all_entries())
    assert entry["date"] < "2026-03-01"
    target.rows[entry["id"]] = dict(entry)
    sim.delete_entry(entry["id"])

    run(url, target, start_date="2026-03-01")

    assert entry["id"] in target.deleted()


def test_a_deletion_newer_than_the_entry_still_tombstones_it(account):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    entry = sim.edit_entry(next(sim.all_entries())["id"], description="edited, then deleted")
    sim.advance_clock(dt.timedelta(minutes=5))
    sim.delete_entry(entry["id"])

    run(url, target, start_date="2026-01-01")

    assert target.deleted() == {entry["id"]}


def test_a_restore_in_the_repeated_autumn_hour_stays_live(account):
    # 2026-10-25: Warsaw's clock goes from 03:00 CEST back to 02:00 CET. A restore
    # 20 minutes after a deletion at 02:50 CEST is stamped 02:10 CET, earlier on the wall.
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    entry = next(sim.all_entries())
    sim.advance_clock(dt.datetime(2026, 10, 25, 2, 50) - sim.now)
    sim.delete_entry(entry["id"])
    sim.advance_clock(dt.timedelta(minutes=-40))
    sim.restore_entry(entry["id"])
    sim.advance_clock(dt.timedelta(hours=1))

    run(url, target, start_date="2026-01-01")

    assert entry["id"] in target.live()


# Case 6


@pytest.mark.parametrize("edited", [None, "0000-00-00 00:00:00"])
def test_a_deletion_without_a_usable_time_is_a_tombstone_and_never_a_bookmark(
    account, edited, caplog
):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-01-01")
    victim = next(sim.all_entries())
    sim.advance_clock(dt.timedelta(days=1))
    sim.delete_entry(victim["id"], edited=edited)

    second = run(url, target, start_date="2026-01-01")
    sim.advance_clock(dt.timedelta(days=1))
    run(url, target, start_date="2026-01-01")

    assert target.deleted() == {victim["id"]}
    assert f"deletion of entry {victim['id']} has no usable time" in caplog.text
    assert [r["entry_id"] for r in second.records("time_entry_deletions")] == [victim["id"]]
    assert "0000-00-00" not in str(target.state)


# Case 7

WRONG_SHAPES = {
    "/users": ("users", {"message": "Internal error"}),
    "/group": ("groups", [1, "x"]),
    "/tasks": ("tasks", {"message": "Internal error"}),
    "/tag_list": ("tag_lists", {"message": "Internal error"}),
    "/entries": ("time_entries", [1, "x"]),
    "/entries_deletions": ("time_entry_deletions", {"message": "Internal error"}),
    "/activity": ("computer_activities", [{"end_time": "2026-01-05 10:00:00"}, "x"]),
    "/application": ("computer_applications", {"message": "Internal error"}),
}


@pytest.mark.parametrize("path", sorted(WRONG_SHAPES))
def test_a_200_of_the_wrong_shape_fails_the_run_naming_the_endpoint(account, path):
    sim, url = account
    stream, body = WRONG_SHAPES[path]
    streams = {stream, "computer_activities"} if stream == "computer_applications" else {stream}
    user = sim.catalog.users[0].user_id
    settings = tap_config(url, max_retries=1, end_date="2026-01-10", user_ids=[user])
    sim.add_fault(Fault(path=path, kind="shape", body=body))

    failed = sync_here(settings, catalog=selecting(settings, streams))

    assert failed.returncode == 1
    assert f"GET {path} " in failed.error_lines[-1]
    assert "wrong shape" in failed.error_lines[-1]


def test_a_200_of_the_wrong_shape_once_is_retried(account):
    sim, url = account
    settings = tap_config(url, max_retries=1)
    sim.add_fault(Fault(path="/users", kind="shape", count=1))

    done = sync_here(settings, catalog=selecting(settings, {"users"}))

    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.records("users")) == 6


# Case 8


def test_activities_crossing_midnight_at_a_request_group_boundary_are_kept(account):
    sim, url = account
    user = sim.catalog.users[0].user_id
    late_day = sim.days_crossing_midnight(user, dt.date(2026, 1, 25), dt.date(2026, 3, 20))[0]
    # The late day is the last of the first group of 20 dates.
    first = late_day - dt.timedelta(days=19)
    last = late_day + dt.timedelta(days=5)
    settings = tap_config(
        url, start_date=first.isoformat(), end_date=last.isoformat(), user_ids=[user]
    )

    done = sync_here(settings, catalog=selecting(settings, {"computer_activities"}))

    assert done.returncode == 0, done.stderr[-2000:]
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    filed = [a for day in days for a in sim.computer_activities(user, day)]
    expected = {(a["end_time"], a["window_title_id"]) for a in filed}
    read = [(a["end_time"], str(a["window_title_id"])) for a in done.records("computer_activities")]
    assert any(end[:10] > late_day.isoformat() for end, _ in expected)
    assert set(read) == expected
    assert len(read) == len(expected)


# Case 9


@pytest.mark.parametrize("setting", ["track_deletions", "include_project", "include_tags"])
def test_an_explicit_null_takes_the_default_of_a_switch(account, setting):
    sim, url = account
    target = Target()
    run(url, target, start_date="2026-03-01")
    victim = next(e for e in sim.all_entries() if e["date"] >= "2026-03-01")
    sim.delete_entry(victim["id"])
    sim.clear_requests()

    run(url, target, start_date="2026-03-01", **{setting: None})

    assert target.deleted() == {victim["id"]}
    asked = [r.params for r in sim.requests if r.path == "/entries"]
    assert asked
    assert all(p["include_project"] == ["1"] and "tags" in p["opt_fields"][0] for p in asked)


def test_activities_are_read_by_timecamps_clock_and_a_bookmark_ahead_still_rereads_the_lookback():
    # An end_time from a desktop clock ahead became the bookmark, and the days were
    # planned from this machine's clock: late uploads before "today" were never re-read.
    sim = simulator()
    user = sim.catalog.users[0].user_id
    ahead = {
        "bookmarks": {
            "computer_activities": {
                "replication_key": "end_time",
                "replication_key_value": "2026-04-20 10:00:00",
            }
        }
    }
    with sim.serve() as server:
        settings = tap_config(
            server.base_url, end_date=None, user_ids=[user], activities_lookback_days=3
        )
        done = sync_here(
            settings, state=ahead, catalog=selecting(settings, {"computer_activities"})
        )

    assert done.returncode == 0, done.stderr[-2000:]
    asked = sorted(
        day
        for request in sim.requests
        if request.path.endswith("/activity")
        for name, values in request.params.items()
        if name.startswith("dates")
        for day in values
    )
    assert asked == ["2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01"]
    bookmark = done.last_state["bookmarks"]["computer_activities"]["replication_key_value"]
    assert bookmark <= clock.stamp(sim.now)
