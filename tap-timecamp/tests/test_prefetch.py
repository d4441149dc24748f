"""Fetching the next page of a plan while the caller works on this one."""

from __future__ import annotations

import threading
import typing as t

import pytest

from tap_timecamp.prefetch import prefetched

# Bounds a wait that only a broken implementation would reach.
PATIENCE_SECONDS = 10


def test_every_item_is_fetched_once_and_yielded_in_plan_order():
    fetched: list[int] = []

    def fetch(item: int) -> int:
        fetched.append(item)
        return item * 10

    assert list(prefetched([3, 1, 2], fetch)) == [(3, 30), (1, 10), (2, 20)]
    assert fetched == [3, 1, 2]


def test_an_empty_plan_fetches_nothing():
    assert list(prefetched([], lambda item: pytest.fail("fetched"))) == []


def test_the_next_item_is_fetched_while_the_caller_still_holds_the_current_one():
    second_fetched = threading.Event()

    def fetch(item: int) -> int:
        if item == 2:
            second_fetched.set()
        return item

    pages = prefetched([1, 2], fetch)
    assert next(pages) == (1, 1)
    # The caller has not asked for item 2, yet it is on its way.
    assert second_fetched.wait(PATIENCE_SECONDS)


def test_fetches_never_run_at_the_same_time():
    running = 0
    most = 0
    lock = threading.Lock()

    def fetch(item: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        threading.Event().wait(0.01)
        with lock:
            running -= 1
        return item

    assert [item for item, _ in prefetched(range(20), fetch)] == list(range(20))
    assert most == 1


def test_a_failed_fetch_raises_after_the_earlier_results_and_stops_the_plan():
    fetched: list[int] = []

    def fetch(item: int) -> int:
        fetched.append(item)
        if item == 2:
            msg = "window 2 failed"
            raise RuntimeError(msg)
        return item

    pages = prefetched([1, 2, 3], fetch)
    assert next(pages) == (1, 1)
    with pytest.raises(RuntimeError, match="window 2 failed"):
        next(pages)
    assert fetched == [1, 2]


def test_the_plan_is_asked_for_an_item_only_after_the_previous_fetch_ended():
    finished: list[int] = []
    seen_when_asked: list[list[int]] = []

    def plan() -> t.Iterator[int]:
        for item in (1, 2, 3):
            seen_when_asked.append(list(finished))
            yield item

    def fetch(item: int) -> int:
        finished.append(item)
        return item

    list(prefetched(plan(), fetch))
    # So a plan can size its next window from what the last one held.
    assert seen_when_asked == [[], [1], [1, 2]]


def test_each_answer_is_heard_before_the_next_item_is_taken_from_the_plan():
    events: list[str] = []

    def plan() -> t.Iterator[int]:
        for item in (1, 2, 3):
            events.append(f"planned {item}")
            yield item

    def answered(item: int, result: int) -> None:
        events.append(f"answered {item}")

    list(prefetched(plan(), lambda item: item, answered=answered))

    assert events == [
        "planned 1",
        "answered 1",
        "planned 2",
        "answered 2",
        "planned 3",
        "answered 3",
    ]
