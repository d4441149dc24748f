"""A 403 says what TimeCamp said and what may cause it; a refused token stays a refused token."""

from __future__ import annotations

from tests.running import run_tap
from tests.simulated import tap_config
from timecamp_simulator import Fault

ONLY_ENTRIES = {"track_deletions": False}


def entries_requests(sim):
    return [r for r in sim.requests if r.path == "/entries"]


def test_unknown_user_ids_fail_the_run_saying_what_timecamp_said_and_the_likely_causes(
    timecamp, tmp_path
):
    sim, server = timecamp

    run = run_tap(tmp_path, tap_config(server.base_url, user_ids=[999999], **ONLY_ENTRIES))

    assert run.returncode != 0
    last = run.error_lines[-1]
    assert "GET /entries with HTTP 403: []" in last
    assert "`user_ids`" in last
    assert "permission" in last
    assert "`api_token`" in last
    assert "refused the `api_token` setting" not in run.stderr
    # A refusal is not retried: each window in flight (2 by default) was asked once.
    asked = [str(sorted(r.params.items())) for r in entries_requests(sim)]
    assert 1 <= len(asked) <= 2
    assert len(set(asked)) == len(asked)
    assert "Traceback" not in run.stderr


def test_a_missing_permission_is_reported_with_timecamps_message(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(
        Fault(
            path="/entries",
            kind="status",
            status=403,
            body={"message": "You do not have permission to browse rates"},
        )
    )

    run = run_tap(tmp_path, tap_config(server.base_url, include_rates=True, **ONLY_ENTRIES))

    assert run.returncode != 0
    last = run.error_lines[-1]
    assert "HTTP 403: You do not have permission to browse rates" in last
    assert "`include_rates`" in last
    assert run.records() == []


def test_a_401_is_still_a_refused_token(timecamp, tmp_path):
    sim, server = timecamp
    sim.set_auth_failure("401")

    run = run_tap(tmp_path, tap_config(server.base_url, api_token="wrong-token-123"))

    assert run.returncode != 0
    assert "refused the `api_token` setting (HTTP 401" in run.error_lines[-1]


def test_timecamps_message_is_told_on_one_line(timecamp, tmp_path):
    sim, server = timecamp
    sim.add_fault(
        Fault(path="/entries", kind="status", status=403, body={"message": "No access\nto rates"})
    )

    run = run_tap(tmp_path, tap_config(server.base_url, **ONLY_ENTRIES))

    assert run.returncode != 0
    assert "HTTP 403: No access to rates: likely" in run.error_lines[-1]
