"""Authentication: bearer token, and the three ways TimeCamp answers a bad one."""

from __future__ import annotations

import pytest
import requests

from timecamp_simulator import DEFAULT_TOKEN, Simulator, SimulatorServer


def test_valid_bearer_token_is_accepted(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.base_url}/me",
        params={"format": "json"},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200


def test_bad_token_redirects_to_html_login_page_by_default(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.base_url}/me",
        headers={"Authorization": "Bearer wrong"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")


def test_following_the_auth_redirect_lands_on_html_200(server: SimulatorServer) -> None:
    response = requests.get(f"{server.base_url}/entries", params={"format": "json"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text


@pytest.mark.parametrize("mode", ["401", "403"])
def test_auth_failure_can_be_a_status_code(
    sim: Simulator, server: SimulatorServer, mode: str
) -> None:
    sim.set_auth_failure(mode)
    response = requests.get(
        f"{server.base_url}/me", params={"format": "json"}, allow_redirects=False, timeout=10
    )
    assert response.status_code == int(mode)
    assert "message" in response.json()


def test_unknown_auth_failure_mode_is_rejected(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="auth failure mode"):
        sim.set_auth_failure("teapot")


def test_legacy_api_token_query_parameter_still_works(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.base_url}/me", params={"format": "json", "api_token": DEFAULT_TOKEN}, timeout=10
    )
    assert response.json()["user_id"] == "1201001"
