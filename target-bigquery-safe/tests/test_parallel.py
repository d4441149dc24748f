"""Every stream's step runs, side by side, and a failure is raised after all have ended;
a background step hands over its outcome and never holds the process back."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from target_bigquery_safe.parallel import for_each_stream, in_background


def test_the_steps_run_at_the_same_time() -> None:
    streams = ["a", "b", "c"]
    # Each step waits for the others: one at a time, the barrier would break.
    all_started = threading.Barrier(len(streams), timeout=30)
    done: list[str] = []

    def step(stream: str) -> None:
        all_started.wait()
        done.append(stream)

    for_each_stream(step, streams)

    assert sorted(done) == streams


def test_a_failure_is_raised_after_every_other_step_has_ended() -> None:
    done: list[str] = []

    def step(stream: str) -> None:
        if stream == "bad":
            raise RuntimeError("MERGE into bad failed")
        done.append(stream)

    with pytest.raises(RuntimeError, match="MERGE into bad failed"):
        for_each_stream(step, ["good", "bad", "other"])
    assert sorted(done) == ["good", "other"]


def test_one_stream_runs_in_the_calling_thread() -> None:
    threads: list[threading.Thread] = []

    for_each_stream(lambda _: threads.append(threading.current_thread()), ["only"])

    assert threads == [threading.current_thread()]


def test_a_background_step_hands_its_failure_to_whoever_waits() -> None:
    def step() -> None:
        raise LookupError("no such table")

    with pytest.raises(LookupError, match="no such table"):
        in_background(step).result(timeout=30)


def test_a_failed_run_exits_without_waiting_for_a_background_step() -> None:
    # A set-up stuck in BigQuery's retries must not keep a failed run (and Meltano) waiting.
    script = (
        "import threading\n"
        "from target_bigquery_safe.parallel import in_background\n"
        "in_background(threading.Event().wait)\n"
        "raise SystemExit(3)\n"
    )

    done = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)

    assert done.returncode == 3
