"""How often a run asks TimeCamp for each endpoint, and reads that do not rest on stream order.

Counted in the served simulator's request log, in runs of the tap in this process.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import math
import re
import typing as t

import pytest

from tap_timecamp.streams.activities import MAX_DATES_PER_CALL
from tap_timecamp.streams.approvals import ApprovalsStream
from tap_timecamp.streams.attendance import AttendanceStream
from tap_timecamp.streams.expenses import ExpensesStream
from tap_timecamp.streams.rates import IDS_PER_REQUEST
from tap_timecamp.tap import TapTimeCamp
from tests.running import selecting, sync_here
from tests.simulated import END, START, tap_config

# time_entries (for its tombstones) and time_entry_deletions read the same deletion windows,
# once: the second reuses what the first read (`SharedReads.deletions`).
READS_OF_EACH_DELETION_WINDOW = 1
DELETION_STREAMS = ("time_entries", "time_entry_deletions")
DAYS = (END - START).days + 1


def endpoint(path: str) -> str:
    """`GET path`, the ids of a per-object path replaced by `{ids}`."""
    path = re.sub(r"/resource/[0-9]+/", "/resource/{ids}/", path)
    return "GET " + re.sub(r"^/(user|task|group)/[0-9,]+/", r"/\1/{ids}/", path)


def requests_per_endpoint(sim: t.Any) -> collections.Counter[str]:
    return collections.Counter(endpoint(r.path) for r in sim.requests)


def requests_per_query(sim: t.Any, path: str) -> collections.Counter[str]:
    """How often each distinct query of `path` was asked."""
    return collections.Counter(
        repr(sorted(r.params.items())) for r in sim.requests if r.path == path
    )


def every_stream(url: str) -> list[str]:
    return list(TapTimeCamp(config=tap_config(url), setup_mapper=False).streams)


def run(sim: t.Any, url: str, streams: t.Collection[str]) -> t.Any:
    settings = tap_config(url)
    sim.clear_requests()
    done = sync_here(settings, catalog=selecting(settings, streams))
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def named_applications(sim: t.Any) -> set[int]:
    """The applications the simulated activities of the whole run name."""
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    return {
        int(activity["application_id"])
        for user in sim.catalog.users
        for day in days
        for activity in sim.computer_activities(user.user_id, day)
    }


def test_a_run_of_every_stream_asks_each_endpoint_as_often_as_the_run_needs(timecamp):
    sim, server = timecamp

    run(sim, server.base_url, every_stream(server.base_url))

    asked = requests_per_endpoint(sim)
    users = len(sim.catalog.users)
    assert {name: asked[name] for name in asked if "/entries" not in name} == {
        # TimeCamp's clock, T: once a run, for every stream that plans from it.
        "GET /me": 1,
        "GET /group": 1,
        "GET /users": 1,
        "GET /user": 1,
        "GET /user/{ids}/setting": 1,
        # tasks, billing_rates and custom_field_values share the one read of the tree.
        "GET /tasks": 1,
        "GET /tag_list": 1,
        "GET /activity": users * math.ceil(DAYS / MAX_DATES_PER_CALL),
        "GET /application": 1,
        "GET /attendance": math.ceil(DAYS / AttendanceStream.window_days),
        "GET /attendance/day_types": 1,
        "GET /approval": math.ceil(DAYS / ApprovalsStream.window_days),
        # expenses: a page per page_size, and the empty page that ends the list.
        "GET /v3/expense/list": math.ceil(
            len(sim.account.expenses.expenses) / ExpensesStream.page_size
        )
        + 1,
        "GET /v3/expense/category": 1,
        # billing_rates: the rate types once, then rates for 50 ids a request.
        "GET /internal/api/rate_type": 1,
        "GET /task/{ids}/rate": math.ceil(len(sim.catalog.tasks) / IDS_PER_REQUEST),
        "GET /user/{ids}/rate": math.ceil(users / IDS_PER_REQUEST),
        "GET /group/{ids}/rate": math.ceil(len(sim.catalog.groups) / IDS_PER_REQUEST),
        # group_schedules: the endpoint takes one group.
        "GET /group/{ids}/scheduler": len(sim.catalog.groups),
        # custom_field_templates and custom_field_values (the resource types in use) share it.
        "GET /v3/custom-fields/template/list": 1,
        # custom_field_values, a first run: every user and every task, one request each.
        "GET /v3/custom-fields/values/resource/{ids}/type/user": users,
        "GET /v3/custom-fields/values/resource/{ids}/type/task": len(sim.catalog.tasks),
    }


def test_a_run_of_every_stream_reads_each_date_window_once(timecamp):
    sim, server = timecamp

    run(sim, server.base_url, every_stream(server.base_url))

    for path in ("/entries", "/activity", "/attendance", "/approval", "/v3/expense/list"):
        asked = requests_per_query(sim, path)
        assert asked, path
        assert set(asked.values()) == {1}, path
    deletions = requests_per_query(sim, "/entries_deletions")
    assert deletions
    assert set(deletions.values()) == {READS_OF_EACH_DELETION_WINDOW}


@pytest.mark.parametrize(
    ("path", "streams"),
    [
        ("/group", {"groups"}),
        ("/group", {"users"}),
        ("/group", {"groups", "users"}),
        ("/users", {"users"}),
        ("/users", {"computer_activities"}),
        ("/users", {"users", "computer_activities"}),
        ("/tag_list", {"tag_lists"}),
        ("/tag_list", {"tags"}),
        ("/tag_list", {"tag_lists", "tags"}),
    ],
)
def test_an_endpoint_several_streams_need_is_read_once_whichever_are_selected(
    timecamp, path, streams
):
    sim, server = timecamp

    done = run(sim, server.base_url, streams)

    assert requests_per_endpoint(sim)[f"GET {path}"] == 1
    assert all(done.records(stream) for stream in streams)


def test_computer_applications_selected_alone_are_those_the_activities_name(timecamp):
    sim, server = timecamp

    done = run(sim, server.base_url, {"computer_applications"})

    applications = {record["application_id"] for record in done.records("computer_applications")}
    assert applications == named_applications(sim)
    assert done.records("computer_activities") == []


def test_computer_applications_read_before_the_activities_miss_none(timecamp):
    sim, server = timecamp
    both = ("computer_activities", "computer_applications")
    settings = tap_config(server.base_url)
    tap = TapTimeCamp(config=settings, catalog=selecting(settings, both), setup_mapper=False)
    activities, applications = (tap.streams[name] for name in both)

    first = {int(record["application_id"]) for record in applications.get_records(None)}
    then = list(activities.get_records(None))

    assert first == named_applications(sim)
    assert len(then) == len(run(sim, server.base_url, both).records("computer_activities"))


def test_the_activities_read_for_computer_applications_count_in_the_run_summary(timecamp, caplog):
    sim, server = timecamp
    caplog.set_level(logging.INFO, logger="tap-timecamp.run_summary")

    run(sim, server.base_url, {"computer_applications"})

    (line,) = [r.getMessage() for r in caplog.records if "Run summary:" in r.getMessage()]
    assert f"; {len(sim.requests)} requests;" in line


def streams_of_one_run(url: str, names: t.Sequence[str]) -> list[t.Any]:
    """The streams `names` of one tap (one run), in that order."""
    settings = tap_config(url)
    tap = TapTimeCamp(config=settings, catalog=selecting(settings, names), setup_mapper=False)
    return [tap.streams[name] for name in names]


def deleted_ids(records: t.Iterable[dict[str, t.Any]]) -> set[str]:
    """The entry ids of deletions, or of time entries' tombstones."""
    return {
        str(record.get("entry_id", record.get("id")))
        for record in records
        if "entry_id" in record or record.get("_sdc_deleted_at")
    }


def deleted_before_the_run(sim: t.Any, count: int) -> set[str]:
    entry_ids = [int(entry["id"]) for entry in sim.all_entries()][:count]
    for entry_id in entry_ids:
        sim.delete_entry(entry_id)
    sim.advance_clock(dt.timedelta(minutes=1))
    return {str(entry_id) for entry_id in entry_ids}


@pytest.mark.parametrize("order", [DELETION_STREAMS, DELETION_STREAMS[::-1]])
def test_the_deletion_windows_are_read_once_whichever_stream_syncs_first(timecamp, order):
    sim, server = timecamp
    deleted = deleted_before_the_run(sim, 3)
    sim.clear_requests()

    first, second = (
        deleted_ids(stream.get_records(None))
        for stream in streams_of_one_run(server.base_url, order)
    )

    assert first == second == deleted
    assert set(requests_per_query(sim, "/entries_deletions").values()) == {1}


def test_a_deletion_made_between_the_two_streams_is_left_to_the_next_run(timecamp):
    # One T a run: the second stream reuses the windows the first read after T, so a
    # deletion made after T is in neither this run (as for time_entries) nor lost: the
    # next run reads the changes since T minus the overlap.
    sim, server = timecamp
    deleted = deleted_before_the_run(sim, 2)
    entries, deletions = streams_of_one_run(server.base_url, DELETION_STREAMS)
    sim.clear_requests()

    tombstoned = deleted_ids(entries.get_records(None))
    sim.advance_clock(dt.timedelta(minutes=5))
    late = deleted_before_the_run(sim, 1)
    recorded = deleted_ids(deletions.get_records(None))
    _, next_run = streams_of_one_run(server.base_url, DELETION_STREAMS)
    state = {"changes_read_through": deletions.get_context_state(None)["changes_read_through"]}
    next_run.get_context_state(None).update(state)

    assert entries.started_at == deletions.started_at
    assert tombstoned == recorded == deleted
    assert set(requests_per_query(sim, "/entries_deletions").values()) == {1}
    assert late <= deleted_ids(next_run.get_records(None))


def test_a_stream_with_its_own_state_reads_the_deletion_windows_it_does_not_share(timecamp):
    sim, server = timecamp
    deleted = deleted_before_the_run(sim, 2)
    settings = tap_config(server.base_url)
    state = {"bookmarks": {"time_entry_deletions": {"changes_read_through": "2026-03-20 17:45:02"}}}
    tap = TapTimeCamp(
        config=settings,
        catalog=selecting(settings, DELETION_STREAMS),
        state=state,
        setup_mapper=False,
    )
    entries, deletions = (tap.streams[name] for name in DELETION_STREAMS)
    sim.clear_requests()

    tombstoned = deleted_ids(entries.get_records(None))
    recorded = deleted_ids(deletions.get_records(None))

    assert tombstoned == recorded == deleted
    firsts = [r.params["from"] for r in sim.requests if r.path == "/entries_deletions"]
    # Windows in flight together arrive in any order.
    assert min(firsts) == [START.isoformat()]
    assert ["2026-03-19"] in firsts
