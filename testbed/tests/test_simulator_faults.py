"""Injected faults: each kind, and how count and probability select requests."""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import END, NOW, START
from timecamp_simulator import DEFAULT_TOKEN, Fault, Simulator, SimulatorServer


def me(api: requests.Session, server: SimulatorServer, **kwargs: object) -> requests.Response:
    return api.get(f"{server.base_url}/me", timeout=10, **kwargs)  # type: ignore[arg-type]


def test_status_fault_with_retry_after_header(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(
        Fault(
            path="/me", kind="status", status=429, retry_after=2, retry_after_in="header", count=2
        )
    )
    first, second, third = (me(api, server) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "2"


def test_status_fault_with_retry_after_in_the_edge_json_body(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(
        Fault(path="/me", kind="status", status=502, retry_after=60, retry_after_in="body", count=1)
    )
    response = me(api, server)
    assert response.status_code == 502
    assert "Retry-After" not in response.headers
    assert response.json() == {
        "retryable": True,
        "retry_after": 60,
        "error_name": "origin_bad_gateway",
    }


def test_fault_matches_only_its_path(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/entries", kind="status", status=500, count=1))
    assert me(api, server).status_code == 200
    response = api.get(
        f"{server.base_url}/entries", params={"from": "2026-01-01", "to": "2026-01-01"}, timeout=10
    )
    assert response.status_code == 500


def test_slow_fault_delays_then_answers(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/me", kind="slow", delay=0.5, count=1))
    started = time.monotonic()
    response = me(api, server)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.5


def test_reset_fault_closes_the_connection_without_a_response(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/me", kind="reset", count=1))
    with pytest.raises(requests.ConnectionError):
        me(api, server)
    assert me(api, server).status_code == 200


def test_truncated_fault_is_a_200_with_json_cut_off(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/entries", kind="truncated", count=1))
    response = api.get(
        f"{server.base_url}/entries", params={"from": "2026-01-01", "to": "2026-03-31"}, timeout=10
    )
    assert response.status_code == 200
    assert response.text.startswith("[{")
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_html_fault_is_a_200_html_page(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/me", kind="html", count=1))
    response = me(api, server)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_redirect_fault_sends_a_valid_token_to_the_login_page(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/me", kind="redirect", count=1))
    response = me(api, server, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")


def test_fault_path_is_a_glob(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="/user/*", kind="status", status=503))
    assert api.get(f"{server.base_url}/user/1201001", timeout=10).status_code == 503
    assert api.get(f"{server.base_url}/user/1201002", timeout=10).status_code == 503
    assert me(api, server).status_code == 200


def test_clear_faults_removes_permanent_faults(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.add_fault(Fault(path="*", kind="status", status=503))
    assert me(api, server).status_code == 503
    sim.clear_faults()
    assert me(api, server).status_code == 200


def _failures_with_probability(seed: int) -> list[int]:
    sim = Simulator(seed=seed, entries=10, start_date=START, end_date=END, now=NOW)
    sim.add_fault(Fault(path="/me", kind="status", status=500, probability=0.3))
    with sim.serve() as server, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
        return [session.get(f"{server.base_url}/me", timeout=10).status_code for _ in range(40)]


def test_probability_faults_are_seeded_and_repeatable() -> None:
    first = _failures_with_probability(3)
    assert first == _failures_with_probability(3)
    assert 3 <= first.count(500) <= 25


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault(kind="explode")  # type: ignore[arg-type]
