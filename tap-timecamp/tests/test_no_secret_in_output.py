"""No output of a run (records, logs, errors) holds the token or a secret put in a setting."""

from __future__ import annotations

import socket
import typing as t

import pytest

from tests.running import TapRun, run_tap
from tests.simulated import tap_config
from tests.stub_http import reset, stub_server
from timecamp_simulator import DEFAULT_TOKEN, Fault
from timecamp_simulator.faults import FaultKind

# A secret in a place a user might put one; nothing of it may come out.
MARKER = "tc-secret-9f8e7d6c5b4a"
MARKER_ID = 918273645
ONLY_ENTRIES = {"track_deletions": False}


def assert_no_secret(run: TapRun, *secrets: str) -> None:
    output = run.stdout + run.stderr
    for secret in secrets:
        assert secret not in output


@pytest.mark.parametrize("kind", t.get_args(FaultKind))
def test_no_fault_of_the_simulator_brings_the_token_into_the_output(timecamp, tmp_path, kind):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind=kind, status=503, retry_after=0, delay=2))

    run = run_tap(
        tmp_path,
        tap_config(server.base_url, max_retries=1, request_timeout=1, **ONLY_ENTRIES),
    )

    assert run.returncode != 0
    assert run.error_lines
    assert_no_secret(run, DEFAULT_TOKEN)


def test_an_unknown_user_id_is_not_echoed(timecamp, tmp_path):
    _, server = timecamp

    run = run_tap(tmp_path, tap_config(server.base_url, user_ids=[MARKER_ID], **ONLY_ENTRIES))

    assert run.returncode != 0
    assert_no_secret(run, DEFAULT_TOKEN, str(MARKER_ID))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_secret_in_the_api_url_path_never_reaches_the_output_when_connections_fail(tmp_path):
    api_url = f"http://127.0.0.1:{closed_port()}/{MARKER}/api"

    run = run_tap(tmp_path, tap_config(api_url, api_token=MARKER, max_retries=1))

    assert run.returncode != 0
    assert "GET /" in run.error_lines[-1]
    assert_no_secret(run, MARKER)


def test_a_secret_in_the_api_url_path_never_reaches_the_output_when_connections_reset(tmp_path):
    with stub_server(reset) as server:
        run = run_tap(
            tmp_path, tap_config(f"{server.url}/{MARKER}/api", api_token=MARKER, max_retries=1)
        )

    assert run.returncode != 0
    assert_no_secret(run, MARKER)


@pytest.mark.parametrize(
    "api_url",
    [
        f"https://app.timecamp.com/third_party/api?api_token={MARKER}",
        f"https://app.timecamp.com/third_party/api/api_token/{MARKER}",
        f"https://x:{MARKER}@app.timecamp.com/third_party/api",
    ],
)
def test_a_legacy_token_in_the_api_url_is_refused_without_echoing_it(tmp_path, api_url):
    run = run_tap(tmp_path, tap_config(api_url))

    assert run.returncode != 0
    assert "`api_url`" in run.stderr
    assert_no_secret(run, MARKER)
