"""No output of a run (records, logs, errors) holds the token or a secret put in a setting."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import typing as t

import pytest
import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.streams.rest import HTTPRequest

import timecamp_simulator.server as simulator_server
from tests.in_process import entries_stream
from tests.running import TapRun, run_tap, selecting
from tests.simulated import simulator, tap_config
from tests.stub_http import reset, stub_server
from timecamp_simulator import DEFAULT_TOKEN, Fault
from timecamp_simulator.faults import FaultKind

if t.TYPE_CHECKING:
    from collections.abc import Iterator

# A secret in a place a user might put one; nothing of it may come out.
MARKER = "tc-secret-9f8e7d6c5b4a"
MARKER_ID = 918273645
ONLY_ENTRIES = {"track_deletions": False}


# A token and a base path no output may show, whatever fails.
MARKED_TOKEN = "tc-token-3c4d5e6f7a8b"
MARKED_BASE = "tc-base-path-1a2b3c"
# Where a fault is put, the stream that reads there, and how its line names it.
FAULT_PLACES = {
    "/entries": ("time_entries", "GET /entries"),
    "/v3/expense/list": ("expenses", "GET /v3/expense/list"),
    "/internal/api/rate_type": ("billing_rates", "/internal/api/rate_type"),
}


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


@pytest.fixture
def marked_timecamp(monkeypatch: pytest.MonkeyPatch) -> Iterator[t.Any]:
    """The simulator serving its API below a marked base path, for a marked token."""
    monkeypatch.setattr(
        simulator_server, "API_PREFIX", f"/{MARKED_BASE}{simulator_server.API_PREFIX}"
    )
    sim = simulator(token=MARKED_TOKEN)
    with sim.serve() as served:
        yield sim, served


@pytest.mark.parametrize("path", list(FAULT_PLACES))
@pytest.mark.parametrize("kind", t.get_args(FaultKind))
def test_no_fault_anywhere_shows_the_token_or_the_api_url_path(
    marked_timecamp, tmp_path, kind, path
):
    sim, served = marked_timecamp
    stream, named = FAULT_PLACES[path]
    sim.add_fault(Fault(path=path, kind=kind, status=503, retry_after=0, delay=2))
    config = tap_config(served.base_url, api_token=MARKED_TOKEN, max_retries=1, request_timeout=1)

    run = run_tap(tmp_path, config, catalog=selecting(config, [stream]))

    # Rate types answered with an error object are read today as none (issue 20's own).
    problems = [line for line in run.stderr.splitlines() if "ERROR" in line or "WARN" in line]
    assert any(named in line for line in problems) or (kind, stream) == ("shape", "billing_rates")
    assert_no_secret(run, MARKED_TOKEN, MARKED_BASE)


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

    run = run_tap(tmp_path, tap_config(api_url, api_token=MARKED_TOKEN, max_retries=1))

    assert run.returncode != 0
    assert "GET /" in run.error_lines[-1]
    assert_no_secret(run, MARKER, MARKED_TOKEN)


def test_a_secret_in_the_api_url_path_never_reaches_the_output_when_connections_reset(tmp_path):
    with stub_server(reset) as server:
        run = run_tap(
            tmp_path,
            tap_config(f"{server.url}/{MARKER}/api", api_token=MARKED_TOKEN, max_retries=1),
        )

    assert run.returncode != 0
    assert "GET /" in run.error_lines[-1]
    assert_no_secret(run, MARKER, MARKED_TOKEN)


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
    assert_no_secret(run, MARKER, MARKED_TOKEN)


@pytest.mark.parametrize(
    "base_path",
    [f"/{MARKED_BASE}%7E/api", f"/{MARKED_BASE} x/api", f"/{MARKED_BASE}ć/api"],
    ids=["escape-requests-decodes", "space-requests-escapes", "non-ascii-requests-escapes"],
)
def test_an_error_names_the_endpoint_below_api_url_however_requests_respells_the_url(
    base_path,
):
    stream = entries_stream(f"https://app.timecamp.com{base_path}")
    prepared = stream.client.prepare(
        HTTPRequest(url=f"{stream.url_base}/users", params={"user_id": "1"}, headers={})
    )
    response = requests.Response()
    response.status_code = 500
    response.reason = "Internal Server Error"
    response.raw = io.BytesIO(b"")
    response.request = prepared

    with pytest.raises(RetriableAPIError) as refused:
        stream.client.check(response)
    message = str(refused.value)

    assert message.startswith("TimeCamp answered GET /users with HTTP 500")
    assert MARKED_BASE not in message


@pytest.mark.parametrize(
    "api_url",
    [
        f"https://app.timecamp.com/{MARKER}/api%5Ftoken/x",
        f"https://app.timecamp.com:99999/{MARKER}/api",
    ],
    ids=["escaped-token-segment", "port-out-of-range"],
)
def test_discovery_with_an_unusable_api_url_is_one_line_without_the_url(tmp_path, api_url):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(api_url, api_token=MARKED_TOKEN)))

    done = subprocess.run(
        [sys.executable, "-m", "tap_timecamp", "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert any("`api_url`" in line for line in done.stderr.splitlines() if "ERROR" in line)
    assert MARKER not in done.stdout + done.stderr
    assert MARKED_TOKEN not in done.stdout + done.stderr
