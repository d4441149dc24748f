"""The state a windowed stream keeps: read, migrated from a bookmark-only one, clamped, refused."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tap_timecamp import clock
from tap_timecamp.progress import ReadProgress, UnusableStateError
from tests.running import run_tap
from tests.simulated import tap_config

NOW = dt.datetime(2026, 3, 31, 12, 0)
LOGGER = logging.getLogger("test-progress")


def read(state: dict) -> ReadProgress:
    return ReadProgress.from_state(
        state, stream="time_entries", replication_key="last_modify", now=NOW, logger=LOGGER
    )


def test_the_state_this_tap_writes_reads_back_the_same():
    progress = ReadProgress(
        changes_read_through=dt.datetime(2026, 3, 30, 9, 15, 2),
        entry_dates_read_through=dt.date(2036, 12, 31),
        start_date=dt.date(2026, 1, 1),
    )
    state: dict = {}

    progress.write(state)

    assert state == {
        "changes_read_through": "2026-03-30 09:15:02",
        "entry_dates_read_through": "2036-12-31",
        "start_date": "2026-01-01",
    }
    assert read(state) == progress


def test_a_tap_0_2_bookmark_becomes_changes_read_through_and_entry_dates_are_read_again():
    old = {"replication_key": "last_modify", "replication_key_value": "2026-03-20 17:45:02"}

    assert read(old) == ReadProgress(changes_read_through=dt.datetime(2026, 3, 20, 17, 45, 2))


def test_a_tap_0_2_bookmark_that_is_not_a_time_is_a_first_run(caplog):
    old = {"replication_key": "last_modify", "replication_key_value": "0000-00-00 00:00:00"}

    assert read(old) == ReadProgress()
    assert "is not a time: reading from start_date again" in caplog.text


def test_a_value_after_timecamps_clock_is_brought_back_to_it(caplog):
    assert read({"changes_read_through": "2026-04-02 00:00:00"}).changes_read_through == NOW
    assert "after TimeCamp's clock" in caplog.text


@pytest.mark.parametrize(
    ("key", "value"),
    [("changes_read_through", "yesterday"), ("entry_dates_read_through", "2026-13-01")],
)
def test_a_value_this_tap_did_not_write_is_refused_naming_the_key(key, value):
    with pytest.raises(UnusableStateError, match=f"has {key} = '{value}'"):
        read({key: value})


def test_an_unusable_state_ends_the_run_with_one_line(timecamp, tmp_path):
    _, server = timecamp
    state = {"bookmarks": {"time_entries": {"changes_read_through": "yesterday"}}}

    run = run_tap(tmp_path, tap_config(server.base_url), state=state)

    assert run.returncode == 1
    assert "changes_read_through = 'yesterday'" in run.error_lines[-1]
    assert "Traceback" not in run.stderr


def test_the_date_header_is_read_as_warsaw_wall_time():
    # 2026-03-31 is summer time in Warsaw: UTC+2.
    assert clock.from_date_header("Tue, 31 Mar 2026 13:00:00 GMT") == dt.datetime(2026, 3, 31, 15)


@pytest.mark.parametrize("header", [None, "", "yesterday", "Tue, 31 Mar 2026 13:00:00"])
def test_a_missing_or_unusable_date_header_is_none(header):
    assert clock.from_date_header(header) is None
