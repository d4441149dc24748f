"""Every stream's step runs, side by side, and a failure is raised after all have ended."""

from __future__ import annotations

import threading

import pytest

from target_bigquery_safe.parallel import for_each_stream


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
