"""When the consumer of requests in flight stops, every request under way is abandoned."""

from __future__ import annotations

import logging
import threading

import pytest

from tap_timecamp.in_flight import THREAD_NAME, in_flight
from tests.in_process import PATIENCE_SECONDS, entries_stream, get_entries
from tests.stub_http import StubServer, stall_after_headers, stub_server

API = "/third_party/api"


def in_flight_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD_NAME]


def stalled_second_fetch(server: StubServer):
    """A fetch whose first item is at hand and whose others hang on `server` for an hour."""
    stream = entries_stream(server.url + API, request_timeout=3600, max_retries=5)

    def fetch(item: int) -> object:
        return item if item == 1 else get_entries(stream)

    return fetch


def assert_abandoned(server: StubServer, requests: int = 1) -> None:
    # The connection is closed, so TimeCamp stops working for nobody...
    assert server.disconnected.wait(PATIENCE_SECONDS)
    # ...and the threads end instead of retrying.
    for thread in in_flight_threads():
        thread.join(PATIENCE_SECONDS)
        assert not thread.is_alive()
    assert len(server.requests) == requests


def wait_for_requests(server: StubServer, count: int) -> None:
    waited = threading.Event()
    for _ in range(PATIENCE_SECONDS * 100):
        if len(server.requests) >= count:
            return
        waited.wait(0.01)
    pytest.fail(f"{len(server.requests)} requests arrived, not {count}")


def test_closing_the_consumer_abandons_the_request_in_flight():
    with stub_server(stall_after_headers) as server:
        pages = in_flight([1, 2], stalled_second_fetch(server))
        assert next(pages) == (1, 1)
        assert server.requested.wait(PATIENCE_SECONDS)

        pages.close()

        assert_abandoned(server)


def test_a_consumer_that_fails_abandons_the_request_in_flight():
    class ConsumerFailedError(Exception):
        pass

    def consume(fetch) -> None:
        for _item, _result in in_flight([1, 2], fetch):
            assert server.requested.wait(PATIENCE_SECONDS)
            raise ConsumerFailedError

    with stub_server(stall_after_headers) as server:
        with pytest.raises(ConsumerFailedError):
            consume(stalled_second_fetch(server))

        assert_abandoned(server)


def test_closing_the_consumer_abandons_every_request_in_flight():
    with stub_server(stall_after_headers) as server:
        pages = in_flight([1, 2, 3], stalled_second_fetch(server), limit=3)
        assert next(pages) == (1, 1)
        wait_for_requests(server, 2)

        pages.close()

        assert_abandoned(server, requests=2)


def test_an_abandoned_request_is_not_retried_nor_logged_as_a_retry(caplog):
    with stub_server(stall_after_headers) as server:
        pages = in_flight([1, 2], stalled_second_fetch(server))
        assert next(pages) == (1, 1)
        assert server.requested.wait(PATIENCE_SECONDS)
        with caplog.at_level(logging.WARNING):
            pages.close()
            assert_abandoned(server)

    assert [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()] == []
