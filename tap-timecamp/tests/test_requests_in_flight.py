"""Requests that do not depend on each other are in flight together, each stream family's.

The simulator is made far away (a latency per answer), and counts the answers it holds
back at the same moment: a client sending one request at a time never has two.
"""

from __future__ import annotations

import threading
import typing as t

import pytest

from tests.running import selecting, sync_here
from tests.simulated import END, NOW, START, simulator, tap_config
from timecamp_simulator import Simulator

LATENCY_SECONDS = 0.3
IN_FLIGHT = 3


class AnswersHeldAtOnce:
    """The most answers the simulator held back by its latency at the same moment."""

    def __init__(self, sim: Simulator) -> None:
        self.most = 0
        self._now = 0
        self._lock = threading.Lock()
        self._wait = sim.distance.wait
        sim.distance.wait = self.wait  # type: ignore[method-assign]
        sim.set_distance(latency=LATENCY_SECONDS)

    def wait(self, seconds: float) -> None:
        with self._lock:
            self._now += 1
            self.most = max(self.most, self._now)
        try:
            self._wait(seconds)
        finally:
            with self._lock:
                self._now -= 1


def most_at_once(sim: Simulator, streams: list[str], **settings: t.Any) -> int:
    """Sync `streams` from the far-away `sim`: the most requests it answered at once."""
    held = AnswersHeldAtOnce(sim)
    with sim.serve() as server:
        config = tap_config(server.base_url, **{"max_requests_in_flight": IN_FLIGHT, **settings})
        done = sync_here(config, catalog=selecting(config, streams))
    assert done.returncode == 0, done.stderr[-2000:]
    return held.most


@pytest.mark.parametrize(
    ("streams", "settings"),
    [
        (["time_entries"], {"max_window_days": 7}),
        (["computer_activities"], {}),
        (["custom_field_values"], {}),
        (["group_schedules"], {}),
    ],
    ids=["entry windows", "activity windows", "custom field values", "schedules"],
)
def test_independent_requests_are_in_flight_together_up_to_the_setting(streams, settings):
    most = most_at_once(simulator(), streams, **settings)

    assert 2 <= most <= IN_FLIGHT


def test_rate_batches_are_in_flight_together():
    # 120 tasks: three batches of task ids, beside the users' and the groups'.
    most = most_at_once(simulator(tasks=120), ["billing_rates"])

    assert 2 <= most <= IN_FLIGHT


def test_user_detail_batches_are_in_flight_together():
    # 120 users: three batches of details, three of settings.
    sim = Simulator(seed=11, entries=50, start_date=START, end_date=END, users=120, now=NOW)

    most = most_at_once(sim, ["users"])

    assert 2 <= most <= IN_FLIGHT


def test_one_request_in_flight_is_one_at_a_time():
    most = most_at_once(simulator(), ["group_schedules"], max_requests_in_flight=1)

    assert most == 1
