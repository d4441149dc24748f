"""Requests of a plan in flight together, their results handed over in plan order."""

from __future__ import annotations

import collections
import threading
import typing as t
import weakref

import pytest

from tap_timecamp.in_flight import in_flight

# Bounds a wait that only a broken implementation would reach.
PATIENCE_SECONDS = 10

LIMITS = pytest.mark.parametrize("limit", [1, 3])


@LIMITS
def test_every_item_is_fetched_once_and_yielded_in_plan_order(limit: int):
    fetched: list[int] = []

    def fetch(item: int) -> int:
        fetched.append(item)
        return item * 10

    assert list(in_flight([3, 1, 2], fetch, limit=limit)) == [(3, 30), (1, 10), (2, 20)]
    assert collections.Counter(fetched) == collections.Counter([3, 1, 2])


def test_one_at_a_time_fetches_in_plan_order():
    fetched: list[int] = []

    def fetch(item: int) -> int:
        fetched.append(item)
        return item

    list(in_flight([3, 1, 2], fetch))
    assert fetched == [3, 1, 2]


@LIMITS
def test_an_empty_plan_fetches_nothing(limit: int):
    assert list(in_flight([], lambda item: pytest.fail("fetched"), limit=limit)) == []


@LIMITS
def test_the_next_item_is_fetched_while_the_caller_still_holds_the_current_one(limit: int):
    second_fetched = threading.Event()

    def fetch(item: int) -> int:
        if item == 2:
            second_fetched.set()
        return item

    pages = in_flight([1, 2], fetch, limit=limit)
    assert next(pages) == (1, 1)
    # The caller has not asked for item 2, yet it is on its way.
    assert second_fetched.wait(PATIENCE_SECONDS)


def most_fetches_at_once(
    limit: int, items: int, *, together: int = 1, phase: t.Callable[[int], int] | None = None
) -> int:
    """The most fetches that ran at once, each waiting for `together` of them to run."""
    running = 0
    most = 0
    lock = threading.Lock()
    # Passed only when `together` fetches run at once: fewer time out and fail the plan.
    all_running = threading.Barrier(together, timeout=PATIENCE_SECONDS)

    def fetch(item: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        all_running.wait()
        threading.Event().wait(0.01)
        with lock:
            running -= 1
        return item

    fetched = in_flight(range(items), fetch, limit=limit, phase=phase)
    assert [item for item, _ in fetched] == list(range(items))
    return most


def test_fetches_one_at_a_time_never_run_at_the_same_time():
    assert most_fetches_at_once(1, 20) == 1


def test_up_to_the_limit_of_fetches_run_at_the_same_time_and_never_more():
    # Every fetch waits until three run at once: with fewer in flight, none would end.
    assert most_fetches_at_once(3, 12, together=3) == 3


def test_at_most_the_limit_plus_one_results_are_alive():
    alive: weakref.WeakSet[Answer] = weakref.WeakSet()
    most = 0

    class Answer:
        pass

    def fetch(item: int) -> Answer:
        answer = Answer()
        alive.add(answer)
        return answer

    for _item, answer in in_flight(range(30), fetch, limit=3):
        threading.Event().wait(0.002)  # the fetches ahead have time to end
        most = max(most, len(alive))
        assert answer in alive
    assert most == 4


def test_a_failed_fetch_raises_after_the_earlier_results_and_stops_the_plan():
    fetched: list[int] = []

    def fetch(item: int) -> int:
        fetched.append(item)
        if item == 2:
            msg = "window 2 failed"
            raise RuntimeError(msg)
        return item

    pages = in_flight([1, 2, 3], fetch)
    assert next(pages) == (1, 1)
    with pytest.raises(RuntimeError, match="window 2 failed"):
        next(pages)
    assert fetched == [1, 2]


def test_with_several_in_flight_a_failed_fetch_raises_in_order_and_stops_the_plan():
    taken: list[int] = []

    def plan() -> t.Iterator[int]:
        for item in range(1, 11):
            taken.append(item)
            yield item

    def fetch(item: int) -> int:
        if item == 2:
            msg = "window 2 failed"
            raise RuntimeError(msg)
        return item

    pages = in_flight(plan(), fetch, limit=3)
    assert next(pages) == (1, 1)
    with pytest.raises(RuntimeError, match="window 2 failed"):
        next(pages)
    # 1 to 3 at the start, 4 once 1 was answered; nothing after the failure.
    assert taken == [1, 2, 3, 4]


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

    list(in_flight(plan(), fetch))
    # So a plan can size its next window from what the last one held.
    assert seen_when_asked == [[], [1], [1, 2]]


def test_with_several_in_flight_the_plan_is_asked_for_item_k_plus_limit_after_item_k_ended():
    finished: set[int] = set()
    seen_when_asked: dict[int, set[int]] = {}

    def plan() -> t.Iterator[int]:
        for item in range(1, 9):
            seen_when_asked[item] = set(finished)
            yield item

    def fetch(item: int) -> int:
        finished.add(item)
        return item

    list(in_flight(plan(), fetch, limit=3))
    for item, seen in seen_when_asked.items():
        assert set(range(1, item - 2)) <= seen


def test_each_answer_is_heard_before_the_next_item_is_taken_from_the_plan():
    events: list[str] = []

    def plan() -> t.Iterator[int]:
        for item in (1, 2, 3):
            events.append(f"planned {item}")
            yield item

    def answered(item: int, result: int) -> None:
        events.append(f"answered {item}")

    list(in_flight(plan(), lambda item: item, answered=answered))

    assert events == [
        "planned 1",
        "answered 1",
        "planned 2",
        "answered 2",
        "planned 3",
        "answered 3",
    ]


def test_with_several_in_flight_answers_are_heard_in_plan_order_in_the_callers_thread():
    events: list[str] = []
    threads: set[threading.Thread] = set()

    def plan() -> t.Iterator[int]:
        for item in (1, 2, 3, 4):
            events.append(f"planned {item}")
            yield item

    def answered(item: int, result: int) -> None:
        threads.add(threading.current_thread())
        events.append(f"answered {item}")

    list(in_flight(plan(), lambda item: item, answered=answered, limit=2))

    assert events == [
        "planned 1",
        "planned 2",
        "answered 1",
        "planned 3",
        "answered 2",
        "planned 4",
        "answered 3",
        "answered 4",
    ]
    assert threads == {threading.current_thread()}


def test_no_fetch_in_flight_is_refused():
    with pytest.raises(ValueError, match="at least one fetch"):
        next(in_flight([1], lambda item: item, limit=0))


def test_the_first_item_of_a_phase_is_fetched_once_every_earlier_one_is_answered():
    answered_before: dict[str, set[str]] = {}
    heard: set[str] = set()
    lock = threading.Lock()

    def fetch(item: str) -> str:
        with lock:
            answered_before[item] = set(heard)
        return item

    def answered(item: str, result: str) -> None:
        with lock:
            heard.add(item)

    plan = ["date 1", "date 2", "date 3", "change 1", "change 2"]
    pages = in_flight(plan, fetch, answered, limit=3, phase=lambda item: item.split()[0])

    assert [item for item, _ in pages] == plan
    assert answered_before["change 1"] == {"date 1", "date 2", "date 3"}


def test_items_of_one_phase_are_in_flight_together():
    # Two phases of three: each phase's three run at once.
    assert most_fetches_at_once(3, 6, together=3, phase=lambda item: item // 3) == 3
