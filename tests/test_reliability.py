"""Faults and interruptions anywhere in the pipeline lose nothing: the next run puts it right.

Each test attacks a real `meltano run tap-timecamp target-bigquery` (simulator → tap →
Meltano → target-bigquery-safe → emulator) and ends with the warehouse equal to
TimeCamp's truth after at most one normal rerun. No bookmark may get ahead of the data,
and nothing a run writes may hold a secret.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.pipeline import PROJECT
from tests.reliability import IsolatedPipeline, assert_equals_truth, leaked, wait_for_the_emulator
from timecamp_simulator import Fault

# The tap's retries in the fault tests: a fault that never lets a request through fails it.
RETRIES = 1
# Deletions are read after every entry window: a fault there strikes in the middle of a
# run, once the target has already been sent every entry.
MIDDLE = "/entries_deletions"


@pytest.fixture
def pipe(pipeline):
    """The test's pipeline, isolated; afterwards nothing it wrote may hold a secret."""
    isolated = IsolatedPipeline.of(pipeline)
    yield isolated
    assert leaked(isolated) == []


def edit_some(sim) -> None:
    entries = list(sim.all_entries())
    for old in entries[:3]:
        sim.edit_entry(old["id"], description=f"edited «{old['id']}»", duration=1234)
    sim.add_entry(entry_date=dt.date.today(), duration=900, description="added between runs")


@pytest.mark.parametrize(
    "storm",
    [
        Fault(path="*", kind="status", status=429, retry_after=1, count=3),
        Fault(path="*", kind="status", status=503, retry_after=1, retry_after_in="body", count=3),
    ],
    ids=["429-retry-after-header", "503-retry-after-in-body"],
)
def test_a_rate_limit_or_server_error_storm_is_ridden_out_in_one_run(
    pipe, timecamp, warehouse, storm
):
    sim, _ = timecamp
    sim.add_fault(storm)

    run = pipe.run()

    assert run.ok, run.output[-3000:]
    assert "retrying in 1.0 s after try 3 of 6" in run.output
    assert_equals_truth(warehouse, pipe.dataset, sim)


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault(path=MIDDLE, kind="status", status=500), "HTTP 500"),
        (Fault(path=MIDDLE, kind="slow", delay=4), "no complete answer within `request_timeout`"),
        (Fault(path=MIDDLE, kind="reset"), "ConnectionError"),
        (Fault(path=MIDDLE, kind="truncated"), "not valid JSON (application/json"),
        (Fault(path=MIDDLE, kind="html"), "not valid JSON (text/html"),
    ],
    ids=["500", "slow", "reset", "truncated", "html"],
)
def test_a_fault_outlasting_the_retries_fails_the_run_and_the_next_run_recovers_every_row(
    pipe, timecamp, warehouse, fault, says
):
    sim, _ = timecamp
    # Every try of every request to it, until it is cleared: with requests in flight
    # together, a fault counted in tries would be shared out among them and ridden out.
    fault.count = None
    sim.add_fault(fault)
    pipe.settings.update(TAP_TIMECAMP_MAX_RETRIES=str(RETRIES), TAP_TIMECAMP_REQUEST_TIMEOUT="2")

    failed = pipe.run()
    sim.clear_faults()

    assert not failed.ok
    assert f"gave up after {RETRIES + 1} tries" in failed.output or (
        f"failed after {RETRIES + 1} tries" in failed.output
    ), failed.output[-3000:]
    assert says in failed.output, failed.output[-3000:]
    assert pipe.bookmark() is None
    rerun = pipe.run()
    assert rerun.ok, rerun.output[-3000:]
    assert_equals_truth(warehouse, pipe.dataset, sim)


def test_a_redirect_to_the_login_page_mid_run_keeps_the_bookmark_and_the_next_run_recovers(
    pipe, timecamp, warehouse
):
    sim, _ = timecamp
    assert pipe.run().ok
    bookmark = pipe.bookmark()
    edit_some(sim)
    sim.add_fault(Fault(path=MIDDLE, kind="redirect", count=1))

    failed = pipe.run()

    assert not failed.ok
    assert "TimeCamp refused the `api_token` setting (HTTP 302" in failed.output
    assert pipe.bookmark() == bookmark
    rerun = pipe.run()
    assert rerun.ok, rerun.output[-3000:]
    assert_equals_truth(warehouse, pipe.dataset, sim)


def test_bigquery_unavailable_at_the_start_fails_the_run_and_the_next_run_recovers_every_row(
    pipe, timecamp, warehouse, emulator
):
    sim, _ = timecamp
    emulator.stop()
    try:
        failed = pipe.run()
    finally:
        wait_for_the_emulator(emulator)

    assert not failed.ok
    assert f"BigQuery did not answer for dataset {PROJECT}.{pipe.dataset}" in failed.output
    assert pipe.bookmark() is None
    rerun = pipe.run()
    assert rerun.ok, rerun.output[-3000:]
    assert_equals_truth(warehouse, pipe.dataset, sim)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_killed_at_a_random_moment_is_put_right_by_the_next_run(
    pipe, timecamp, warehouse, seed
):
    sim, _ = timecamp
    assert pipe.run().ok
    edit_some(sim)
    victim = next(iter(sim.all_entries()))["id"]
    sim.delete_entry(victim)
    # A run takes a few seconds: the moment falls anywhere from start-up to the MERGE.
    pipe.run_killed_after(random.Random(seed).uniform(0.5, 6.0))

    # Meltano takes a killed run for a running one until its heartbeat is 5 minutes old.
    rerun = pipe.run("--force")

    assert rerun.ok, rerun.output[-3000:]
    assert_equals_truth(warehouse, pipe.dataset, sim, deleted=[victim])
