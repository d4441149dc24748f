"""group_schedules: each group's weekly schedule, the base of expected-hours reports."""

from __future__ import annotations

import pytest

from tap_timecamp.streams.schedules import period_hours
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from tests.running import selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault
from timecamp_simulator.endpoints.schedules import ScheduleEndpoints


def read_schedules(server):
    settings = tap_config(server.base_url)
    return sync_here(settings, catalog=selecting(settings, ["group_schedules"]))


def test_group_schedules_is_a_full_table_not_selected_by_default():
    stream = TapTimeCamp(config=base_config(), setup_mapper=False).streams["group_schedules"]

    assert stream.selected_by_default is False
    assert stream.primary_keys == ("event_id",)
    assert stream.replication_method == "FULL_TABLE"


def test_every_groups_schedule_is_read_with_its_hours_per_weekday(timecamp):
    sim, server = timecamp

    done = read_schedules(server)

    assert done.returncode == 0, done.stderr[-2000:]
    rows = done.records("group_schedules")
    week = {}
    for row in rows:
        week.setdefault(row["group_id"], {})[row["day_of_week"]] = row["hours"]
    office, short_friday, night_shift = ScheduleEndpoints(sim.account).schedules
    assert week == {
        office: {1: 8.0, 2: 8.0, 3: 8.0, 4: 8.0, 5: 8.0},
        short_friday: {1: 8.0, 2: 8.0, 3: 8.0, 4: 8.0, 5: 4.0},
        night_shift: {6: 8.0},
    }
    asked = [r.path for r in sim.requests if r.path.endswith("/scheduler")]
    assert len(asked) == len(sim.catalog.groups)


def test_a_refused_group_schedule_stops_the_run_with_one_line(timecamp):
    sim, server = timecamp
    sim.add_fault(Fault(path="/group/*/scheduler", status=403, count=1))

    done = read_schedules(server)

    assert done.returncode == 1
    assert "TimeCamp refused GET /group/" in done.error_lines[-1]


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("09:00:00", "17:00:00", 8.0),
        ("08:30:00", "12:15:00", 3.75),
        ("22:00:00", "06:00:00", 8.0),
        ("00:00:00", "00:00:00", 24.0),
        ("9am", "17:00:00", None),
        (None, "17:00:00", None),
    ],
)
def test_a_period_is_hours_from_start_to_end_past_midnight_if_it_ends_earlier(start, end, hours):
    assert period_hours(start, end) == hours
