"""The SDK's request metrics describe what the run really asked TimeCamp."""

from __future__ import annotations

import collections
import json
import logging
import typing as t

import pytest

from tests.running import selecting, sync_here
from tests.simulated import tap_config

METRICS_LOGGER = "singer_sdk.metrics"


def metric_points(caplog: pytest.LogCaptureFixture, metric: str) -> list[dict[str, t.Any]]:
    points = [
        json.loads(record.getMessage().removeprefix("METRIC: "))
        for record in caplog.records
        if record.name == METRICS_LOGGER and record.getMessage().startswith("METRIC: ")
    ]
    return [point for point in points if point["metric"] == metric]


def run_every_stream(sim: t.Any, url: str, caplog: pytest.LogCaptureFixture) -> None:
    from tap_timecamp.tap import TapTimeCamp  # noqa: PLC0415

    settings = tap_config(url)
    every = list(TapTimeCamp(config=settings, setup_mapper=False).streams)
    sim.clear_requests()
    with caplog.at_level(logging.INFO, logger=METRICS_LOGGER):
        run = sync_here(settings, catalog=selecting(settings, every))
    assert run.returncode == 0, run.stderr[-2000:]


def test_every_request_of_a_run_has_a_duration_metric(timecamp, caplog):
    sim, server = timecamp

    run_every_stream(sim, server.base_url, caplog)

    timed = collections.Counter(
        p["tags"]["endpoint"] for p in metric_points(caplog, "http_request_duration")
    )
    asked = collections.Counter(r.path for r in sim.requests)
    assert timed == asked


def test_the_request_count_metric_leaves_out_a_deletion_window_reused_from_another_stream(
    timecamp, caplog
):
    sim, server = timecamp

    run_every_stream(sim, server.base_url, caplog)

    # time_entries reads the deletion windows for its tombstones; time_entry_deletions
    # reuses them, and its counter must not count them again.
    counted = sum(
        point["value"]
        for point in metric_points(caplog, "http_request_count")
        if point["tags"]["stream"] in {"time_entries", "time_entry_deletions"}
    )
    sent = sum(1 for r in sim.requests if r.path in {"/entries", "/entries_deletions"})
    assert counted == sent
    assert any(r.path == "/entries_deletions" for r in sim.requests)
