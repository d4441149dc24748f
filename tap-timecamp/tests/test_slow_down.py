"""A 429 or a Retry-After holds back every request of the run, not only the one it answered."""

from __future__ import annotations

import threading

import pytest

import tap_timecamp.http_client
from tap_timecamp.slow_down import SlowDown
from tests.running import selecting, sync_here
from tests.simulated import simulator, tap_config
from timecamp_simulator import Fault


class Clock:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slow_down(clock: Clock) -> SlowDown:
    return SlowDown(clock=lambda: clock.now, sleep=clock.sleep)


def test_nothing_held_back_sends_at_once(slow_down: SlowDown, clock: Clock):
    assert slow_down.wait(at_most=60) == 0
    assert clock.slept == []


def test_a_request_after_a_hold_waits_until_its_end(slow_down: SlowDown, clock: Clock):
    slow_down.hold_back(5)
    clock.now += 2

    assert slow_down.wait(at_most=60) == 3
    assert slow_down.wait(at_most=60) == 0
    assert clock.slept == [3]


def test_a_wait_never_outlasts_what_is_left_of_the_run(slow_down: SlowDown, clock: Clock):
    slow_down.hold_back(300)

    assert slow_down.wait(at_most=7) == 7
    assert clock.slept == [7]


def test_a_hold_lengthened_while_a_request_waits_holds_that_request_too(clock: Clock):
    another_429: list[float] = [10]

    def sleep_while_another_request_meets_a_longer_429(seconds: float) -> None:
        if another_429:
            slow_down.hold_back(another_429.pop())
        clock.sleep(seconds)

    slow_down = SlowDown(
        clock=lambda: clock.now, sleep=sleep_while_another_request_meets_a_longer_429
    )
    start = clock.now
    slow_down.hold_back(2)

    assert slow_down.wait(at_most=60) == 10
    assert clock.now == start + 10


def test_a_shorter_hold_does_not_cut_a_longer_one_short(slow_down: SlowDown, clock: Clock):
    slow_down.hold_back(10)
    slow_down.hold_back(1)

    assert slow_down.wait(at_most=60) == 10


class RecordingSlowDown(SlowDown):
    """The run's slow-down, noting how long it held back each request it held back."""

    held: list[float]

    def __init__(self) -> None:
        super().__init__()
        self.held = []
        self.lock = threading.Lock()

    def wait(self, at_most: float) -> float:
        waited = super().wait(at_most)
        if waited:
            with self.lock:
                self.held.append(waited)
        return waited


def test_a_429_holds_back_the_requests_sent_after_it_for_its_retry_after(monkeypatch):
    runs: list[RecordingSlowDown] = []

    def recording() -> RecordingSlowDown:
        runs.append(RecordingSlowDown())
        return runs[-1]

    monkeypatch.setattr(tap_timecamp.http_client, "SlowDown", recording)
    sim = simulator(groups=12)
    first, _, third, *_ = sorted(group.group_id for group in sim.catalog.groups)
    # Three groups in flight: the third's schedule is refused at once for 2 s; the first is
    # answered 0.5 s late, and only then is the fourth asked, inside those 2 s.
    sim.add_fault(Fault(path=f"/group/{third}/scheduler", status=429, retry_after=2, count=1))
    sim.add_fault(Fault(path=f"/group/{first}/scheduler", kind="slow", delay=0.5, count=1))

    with sim.serve() as server:
        config = tap_config(server.base_url, max_requests_in_flight=3)
        done = sync_here(config, catalog=selecting(config, ["group_schedules"]))

    assert done.returncode == 0, done.stderr[-2000:]
    held = [seconds for run in runs for seconds in run.held]
    # Requests of other groups were held back, none longer than TimeCamp asked.
    assert held
    assert all(0 < seconds <= 2 for seconds in held)
