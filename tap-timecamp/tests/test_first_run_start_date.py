"""A first run without `start_date` pins one first day for every windowed stream it selects."""

from __future__ import annotations

import datetime as dt
import typing as t

from tests.running import selecting, sync_here
from tests.simulated import NOW, tap_config
from timecamp_simulator import Fault

STREAMS = ("time_entries", "time_entry_deletions")


def first_run_without_start_date(url: str, **overrides: t.Any) -> dict[str, t.Any]:
    settings = tap_config(url, start_date=None, end_date=None, max_retries=0, **overrides)
    return {key: value for key, value in settings.items() if value is not None}


def test_a_first_run_failing_in_time_entries_pins_the_deletions_first_day_too(timecamp):
    sim, server = timecamp
    settings = first_run_without_start_date(server.base_url)
    sim.add_fault(Fault(path="/entries", status=500, retry_after=0))

    failed = sync_here(settings, catalog=selecting(settings, STREAMS))

    assert failed.returncode == 1
    bookmarks = failed.last_state["bookmarks"]
    pinned = {name: bookmarks[name]["start_date"] for name in STREAMS}
    yesterday = NOW.date() - dt.timedelta(days=1)
    assert pinned == dict.fromkeys(STREAMS, yesterday.isoformat())


def test_a_stream_read_by_an_earlier_run_keeps_its_own_state(timecamp):
    sim, server = timecamp
    settings = first_run_without_start_date(server.base_url)
    read_before = {"changes_read_through": "2026-03-20 17:45:02", "start_date": "2026-03-01"}
    state = {"bookmarks": {"time_entry_deletions": dict(read_before)}}
    sim.add_fault(Fault(path="/entries", status=500, retry_after=0))

    failed = sync_here(settings, state=state, catalog=selecting(settings, STREAMS))

    assert failed.returncode == 1
    assert failed.last_state["bookmarks"]["time_entry_deletions"] == read_before
