"""A far-away TimeCamp: each API answer is held back, side by side, and a rate limit says 429."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.conftest import running_cli
from timecamp_simulator import Simulator, SimulatorServer
from timecamp_simulator.distance import Distance, Tally


def _control(server: SimulatorServer, method: str, body: object = None) -> dict[str, float]:
    response = requests.request(
        method, f"{server.root_url}/_simulator/distance", json=body, timeout=10
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def test_each_api_answer_waits_the_latency(
    sim: Simulator, server: SimulatorServer, api: requests.Session
) -> None:
    sim.set_distance(latency=0.3)
    started = time.perf_counter()
    assert api.get(f"{server.base_url}/me").status_code == 200
    assert time.perf_counter() - started >= 0.3
    tally = sim.distance.tally()
    assert (tally.answers, tally.waited) == (1, pytest.approx(0.3))


def test_the_latency_grows_with_the_size_of_the_answer(
    sim: Simulator, server: SimulatorServer, api: requests.Session
) -> None:
    sim.set_distance(latency=0.01, latency_per_kib=0.001)
    # A streamed answer (chunked) and one with a Content-Length.
    entries = api.get(
        f"{server.base_url}/entries", params={"from": "2026-01-01", "to": "2026-03-31"}
    )
    users = api.get(f"{server.base_url}/users")
    sizes = len(entries.content) + len(users.content)
    assert sizes > 100 * 1024
    assert sim.distance.tally().waited == pytest.approx(2 * 0.01 + 0.001 * sizes / 1024)


def test_answers_held_back_overlap_rather_than_queue(
    sim: Simulator, server: SimulatorServer
) -> None:
    sim.set_distance(latency=1.0)
    count = 4
    ready = threading.Barrier(count)
    spans: list[tuple[float, float]] = []

    def call() -> None:
        with requests.Session() as session:
            ready.wait()
            began = time.monotonic()
            response = session.get(
                f"{server.base_url}/me",
                params={"format": "json"},
                headers={"Authorization": f"Bearer {sim.token}"},
                timeout=30,
            )
            assert response.status_code == 200
            spans.append((began, time.monotonic()))

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(spans) == count
    # One after another they would take `count` seconds; side by side about one.
    assert max(ended for _, ended in spans) - min(began for began, _ in spans) < count / 2


class FrozenClock:
    """The rate limit's clock, moved only by the test: no request leaves the window by itself."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(sim: Simulator) -> FrozenClock:
    frozen = FrozenClock()
    sim.distance = Distance(clock=frozen)
    return frozen


def test_past_the_rate_limit_the_api_answers_429_with_retry_after(
    sim: Simulator, server: SimulatorServer, api: requests.Session, clock: FrozenClock
) -> None:
    sim.set_distance(rate_limit=3)
    statuses = [api.get(f"{server.base_url}/me") for _ in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    refused = statuses[-1]
    assert refused.headers["Retry-After"] == "1"
    assert refused.json() == {"message": "Too Many Requests"}
    assert sim.distance.tally().throttled == 2


def test_a_client_that_waits_as_told_gets_in(
    sim: Simulator, server: SimulatorServer, api: requests.Session, clock: FrozenClock
) -> None:
    sim.set_distance(rate_limit=1)
    assert api.get(f"{server.base_url}/me").status_code == 200
    refused = api.get(f"{server.base_url}/me")
    assert refused.status_code == 429
    clock.now += 0.5
    assert api.get(f"{server.base_url}/me").status_code == 429
    clock.now += int(refused.headers["Retry-After"]) - 0.5
    assert api.get(f"{server.base_url}/me").status_code == 200


def test_the_control_plane_is_near_and_unlimited(sim: Simulator, server: SimulatorServer) -> None:
    sim.set_distance(latency=5.0, rate_limit=1)
    for _ in range(3):
        assert _control(server, "GET")["rate_limit"] == 1
    assert sim.distance.tally() == Tally(answers=0, waited=0.0, throttled=0)


def test_the_control_plane_sets_reads_and_resets_the_distance(
    server: SimulatorServer, api: requests.Session
) -> None:
    set_to = {"latency_ms": 20, "latency_per_kib_ms": 0, "rate_limit": 100}
    assert _control(server, "POST", set_to)["latency_ms"] == pytest.approx(20)
    api.get(f"{server.base_url}/me")
    seen = _control(server, "GET")
    assert (seen["answers"], seen["waited_seconds"]) == (1, pytest.approx(0.02))
    reset = requests.delete(f"{server.root_url}/_simulator/distance/tally", timeout=10).json()
    assert (reset["answers"], reset["waited_seconds"], reset["throttled"]) == (0, 0, 0)


def test_the_command_line_and_the_environment_set_the_distance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMECAMP_SIMULATOR_RATE_LIMIT", "7")
    with running_cli("--entries", "10", "--latency-ms", "40") as (_, url):
        seen = requests.get(url.replace("/third_party/api", "/_simulator/distance"), timeout=10)
    assert (seen.json()["latency_ms"], seen.json()["rate_limit"]) == (pytest.approx(40), 7)


def test_a_negative_latency_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="latency must not be negative"):
        Simulator(entries=10).set_distance(latency=-1)
