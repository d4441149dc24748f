"""How the tap talks HTTP to TimeCamp: faults ridden out, refusals fatal, secrets kept."""

from __future__ import annotations

import pytest

from tests.running import run_tap
from tests.simulated import tap_config
from timecamp_simulator import DEFAULT_TOKEN, Fault

ONLY_ENTRIES = {"track_deletions": False}


def entries_requests(sim):
    return [r for r in sim.requests if r.path == "/entries"]


def test_every_request_carries_bearer_auth_and_asks_for_json_twice(timecamp, tmp_path):
    sim, server = timecamp

    run = run_tap(tmp_path, tap_config(server.base_url))

    assert run.returncode == 0
    assert sim.requests
    for request in sim.requests:
        assert request.headers["Authorization"] == "Bearer ***"
        assert request.headers["Accept"] == "application/json"
        assert request.params["format"] == ["json"]


def test_a_full_quarter_returns_every_entry_with_the_apis_values(timecamp, tmp_path):
    sim, server = timecamp

    run = run_tap(
        tmp_path,
        tap_config(
            server.base_url, include_project=False, include_tags=False, include_breadcrumbs=False
        ),
    )

    records = {r["id"]: r for r in run.records()}
    truth = {e["id"]: e for e in sim.all_entries()}
    assert records.keys() == truth.keys()
    assert all(records[i] == truth[i] for i in truth)


def assert_every_entry_read(run, sim) -> None:
    """Every entry was sent, each once."""
    assert sorted(r["id"] for r in run.records()) == sorted(e["id"] for e in sim.all_entries())


@pytest.mark.parametrize("where", ["header", "body"])
def test_rate_limits_are_ridden_out_waiting_as_told(timecamp, tmp_path, where):
    sim, server = timecamp
    sim.add_fault(
        Fault(
            path="/entries", kind="status", status=429, retry_after=1, retry_after_in=where, count=2
        )
    )

    run = run_tap(tmp_path, tap_config(server.base_url, **ONLY_ENTRIES))

    assert run.returncode == 0, run.stderr[-2000:]
    assert_every_entry_read(run, sim)
    assert "retrying in 1.0 s" in run.stderr


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(timecamp, tmp_path, status):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="status", status=status, retry_after=0, count=2))

    run = run_tap(tmp_path, tap_config(server.base_url, **ONLY_ENTRIES))

    assert run.returncode == 0, run.stderr[-2000:]
    assert_every_entry_read(run, sim)


@pytest.mark.parametrize("kind", ["reset", "truncated", "html"])
def test_broken_responses_are_retried_and_never_read_as_no_records(timecamp, tmp_path, kind):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind=kind, count=1))

    run = run_tap(tmp_path, tap_config(server.base_url, **ONLY_ENTRIES))

    assert run.returncode == 0, run.stderr[-2000:]
    assert_every_entry_read(run, sim)


def test_a_slow_response_beyond_the_timeout_is_retried(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="slow", delay=3, count=1))

    run = run_tap(tmp_path, tap_config(server.base_url, request_timeout=1, **ONLY_ENTRIES))

    assert run.returncode == 0, run.stderr[-2000:]
    assert_every_entry_read(run, sim)


def test_a_fault_that_never_ends_fails_the_run_saying_what_failed(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="status", status=503, retry_after=0))

    run = run_tap(tmp_path, tap_config(server.base_url, max_retries=2, **ONLY_ENTRIES))

    assert run.returncode != 0
    assert any(
        "GET /entries with HTTP 503" in line and "3 tries" in line for line in run.error_lines
    ), run.stderr[-2000:]
    assert "Traceback" not in run.stderr


def test_html_under_200_that_never_ends_is_an_error_not_zero_records(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="html"))

    run = run_tap(tmp_path, tap_config(server.base_url, max_retries=1, **ONLY_ENTRIES))

    assert run.returncode != 0
    assert run.records() == []
    assert any("not valid JSON (text/html" in line for line in run.error_lines), run.stderr[-2000:]


@pytest.mark.parametrize(("mode", "status"), [("redirect", 302), ("401", 401), ("403", 403)])
def test_a_refused_token_fails_at_once_naming_the_setting_and_status(
    timecamp, tmp_path, mode, status
):
    sim, server = timecamp
    sim.set_auth_failure(mode)

    run = run_tap(tmp_path, tap_config(server.base_url, api_token="wrong-token-123"))

    assert run.returncode != 0
    # The SDK says which stream failed; the last line says why, in one line.
    assert "`api_token`" in run.error_lines[-1]
    assert f"HTTP {status}" in run.error_lines[-1]
    assert len(sim.requests) == 1  # no retries of a refusal
    assert "Traceback" not in run.stderr


def test_a_redirect_to_the_login_page_in_the_middle_of_a_run_stops_it(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="redirect", count=1))

    run = run_tap(tmp_path, tap_config(server.base_url, **ONLY_ENTRIES))

    assert run.returncode != 0
    assert "`api_token`" in run.error_lines[-1]
    assert "replication_key_value" not in str(run.last_state)


def test_records_read_before_a_failure_still_reach_the_target(timecamp, tmp_path):
    sim, server = timecamp
    # The first two entry windows to arrive are answered; the third and later are refused.
    sim.add_fault(Fault(path="/entries", kind="redirect", skip=2))

    run = run_tap(tmp_path, tap_config(server.base_url, max_window_days=7))

    assert run.returncode != 0
    # Windows are in flight together: the third to arrive may be any of the first three.
    refused = [r.params for r in sim.requests if r.path == "/entries"][2:]
    first_refused_day = min(params["from"][0] for params in refused)
    assert {r["id"] for r in run.records()} == {
        e["id"] for e in sim.all_entries() if e["date"] < first_refused_day
    }
    assert "replication_key_value" not in str(run.last_state)
    assert "changes_read_through" not in str(run.last_state)


def test_the_token_never_appears_in_output_logs_or_urls(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(Fault(path="/entries", kind="status", status=429, retry_after=0, count=1))
    sim.add_fault(Fault(path="/users", kind="status", status=500, retry_after=0, count=1))

    run = run_tap(tmp_path, tap_config(server.base_url))

    assert run.returncode == 0
    assert DEFAULT_TOKEN not in run.stdout
    assert DEFAULT_TOKEN not in run.stderr
    assert all(
        DEFAULT_TOKEN not in str(r.params) and DEFAULT_TOKEN not in r.path for r in sim.requests
    )


def test_a_wrong_token_is_not_echoed_in_the_refusal(timecamp, tmp_path):
    _, server = timecamp

    run = run_tap(tmp_path, tap_config(server.base_url, api_token="leaky-secret-999"))

    assert run.returncode != 0
    assert "leaky-secret-999" not in run.stderr + run.stdout
