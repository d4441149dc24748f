"""One client, requests side by side: each its own deadline and retries, one run budget for all."""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import threading
import time
import typing as t
from urllib.parse import urlsplit

from singer_sdk.exceptions import FatalAPIError

from tap_timecamp import answers
from tap_timecamp.http_client import RunBudgetSpentError
from tests.in_process import PATIENCE_SECONDS, entries_stream
from tests.stub_http import Listening, drip, read_head

if t.TYPE_CHECKING:
    import socket
    from collections.abc import Callable, Iterator

    from tap_timecamp.http_client import TimeCampClient

API = "/third_party/api"
THREADS = 4


class RoutedServer(Listening):
    """Answers each request by its path (below `API`), any number of them at once."""

    def __init__(self, routes: dict[str, Callable[[socket.socket, RoutedServer], None]]) -> None:
        self.routes = routes
        self.asked: collections.Counter[str] = collections.Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        super().__init__()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with conn, contextlib.suppress(OSError):
            while (head := read_head(conn)) is not None:
                path = urlsplit(head.split(b" ")[1].decode()).path.removeprefix(API)
                with self._lock:
                    self.asked[path] += 1
                    times = self.asked[path]
                    self.in_flight += 1
                    self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    route = next(r for prefix, r in self.routes.items() if path.startswith(prefix))
                    if route(conn, self, times) is False:
                        return
                finally:
                    with self._lock:
                        self.in_flight -= 1


def json_after(seconds: float) -> Callable[..., bool]:
    """`[]` after `seconds`, the connection kept alive."""

    def answer(conn: socket.socket, server: RoutedServer, times: int) -> bool:
        server.stopping.wait(seconds)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 2\r\n\r\n[]")
        return True

    return answer


def dripping(conn: socket.socket, server: RoutedServer, times: int) -> bool:
    """Headers promising a body, then a byte every quarter second until cut."""
    drip(conn, server)
    return False


def unavailable_once(conn: socket.socket, server: RoutedServer, times: int) -> bool:
    """503 asking to wait a second the first time a path is asked, `[]` after."""
    if times == 1:
        conn.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
        )
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 2\r\n\r\n[]")
    return True


@contextlib.contextmanager
def routed(**routes: Callable[..., bool]) -> Iterator[RoutedServer]:
    server = RoutedServer({f"/{name}": answer for name, answer in routes.items()})
    try:
        yield server
    finally:
        server.close()


def outcome(client: TimeCampClient, path: str) -> t.Any:
    """The body of `GET path`, or the error that ended it."""
    try:
        return client.get(path, answers.decode_body, stream="test")
    except Exception as exc:  # the outcome under test
        return exc


def side_by_side(calls: list[Callable[[], t.Any]]) -> list[t.Any]:
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result(timeout=PATIENCE_SECONDS) for future in futures]


def test_a_request_cut_at_its_deadline_leaves_the_requests_beside_it_alone():
    with routed(slow=dripping, fast=json_after(0.4)) as server:
        client = entries_stream(server.api_url, request_timeout=1, max_retries=0).client

        def fast_ones() -> list[t.Any]:
            # Back to back past the slow request's deadline: one is in flight when it passes.
            return [outcome(client, f"/fast/{n}") for n in range(5)]

        started = time.monotonic()
        slow, *fast = side_by_side([lambda: outcome(client, "/slow"), *[fast_ones] * (THREADS - 1)])
        slow_took = time.monotonic() - started

    assert isinstance(slow, FatalAPIError)
    assert "no complete answer within `request_timeout` (1 s)" in str(slow)
    assert slow_took < 5
    assert fast == [[[]] * 5] * (THREADS - 1)
    assert server.most_in_flight >= THREADS


def test_each_request_side_by_side_has_its_own_tries_and_retry_wait_budget():
    # Each request may wait one second in all: were the budget shared, the later ones
    # would find it spent and give up.
    with routed(flaky=unavailable_once) as server:
        client = entries_stream(
            server.api_url, max_retries=1, max_retry_wait_total_seconds=1
        ).client

        found = side_by_side([lambda n=n: outcome(client, f"/flaky/{n}") for n in range(THREADS)])

    assert found == [[]] * THREADS
    assert server.asked == {f"/flaky/{n}": 2 for n in range(THREADS)}


def test_every_response_of_requests_side_by_side_is_counted_once():
    with routed(flaky=unavailable_once) as server:
        client = entries_stream(server.api_url, max_retries=1).client
        assert client.run_summary is not None
        counted_before = client.run_summary.requests

        side_by_side([lambda n=n: outcome(client, f"/flaky/{n}") for n in range(THREADS)])

    assert client.run_summary.requests - counted_before == server.asked.total()


def test_the_run_budget_is_shared_by_every_request_in_flight():
    with routed(slow=dripping) as server:
        client = entries_stream(server.api_url, request_timeout=30, max_run_seconds=60).client
        client.started = time.monotonic() - 58

        started = time.monotonic()
        errors = side_by_side([lambda n=n: outcome(client, f"/slow/{n}") for n in range(THREADS)])
        took = time.monotonic() - started

    assert all(isinstance(error, RunBudgetSpentError) for error in errors), errors
    assert took < 10


def test_no_thread_sends_a_request_once_the_run_budget_is_spent():
    with routed(any=json_after(0)) as server:
        client = entries_stream(server.api_url, max_run_seconds=60).client
        client.started = time.monotonic() - 61

        errors = side_by_side([lambda: outcome(client, "/any")] * 2)

    assert all(isinstance(error, RunBudgetSpentError) for error in errors)
    assert server.asked.total() == 0
