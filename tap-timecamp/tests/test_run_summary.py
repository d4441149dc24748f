"""The line a run ends with: what it sent per stream, what it asked TimeCamp."""

from __future__ import annotations

import logging
import subprocess
import sys

from tests.running import run_tap, selecting, sync_here
from tests.simulated import tap_config

SUMMARY_LOGGER = "tap-timecamp.run_summary"


def test_a_run_ends_with_one_line_of_records_per_stream_and_requests(timecamp, caplog):
    sim, server = timecamp
    settings = tap_config(server.base_url)

    with caplog.at_level(logging.INFO, logger=SUMMARY_LOGGER):
        run = sync_here(settings, catalog=selecting(settings, ["time_entries", "users"]))

    lines = [r.getMessage() for r in caplog.records if r.name == SUMMARY_LOGGER]
    entries, users = len(run.records("time_entries")), len(run.records("users"))
    assert entries > 0
    assert len(lines) == 1
    assert lines[0].startswith(
        f"Run summary: {entries + users} records (time_entries {entries}, users {users}); "
        f"{len(sim.requests)} requests; "
    )


def test_a_failed_run_logs_no_summary(timecamp, caplog):
    _, server = timecamp
    settings = tap_config(server.base_url, api_token="not-the-token")

    with caplog.at_level(logging.INFO, logger=SUMMARY_LOGGER):
        run = sync_here(settings, catalog=selecting(settings, ["time_entries"]))

    assert run.returncode == 1
    assert [r for r in caplog.records if r.name == SUMMARY_LOGGER] == []


def test_the_command_line_ends_a_sync_with_the_summary_and_an_about_without(timecamp, tmp_path):
    _, server = timecamp
    settings = tap_config(server.base_url)

    run = run_tap(tmp_path, settings, catalog=selecting(settings, ["users"]))
    about_command = [sys.executable, "-m", "tap_timecamp", "--about"]
    about = subprocess.run(about_command, capture_output=True, text=True, check=True)

    assert run.returncode == 0
    assert [line for line in run.stderr.splitlines() if "Run summary: " in line][-1].endswith(" s")
    assert "Run summary" not in about.stdout + about.stderr
