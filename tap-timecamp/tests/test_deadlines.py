"""Every request ends by `request_timeout`, and a run by `max_run_seconds`, whatever happens."""

from __future__ import annotations

import socket
import time
import typing as t

import pytest
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_timecamp.client import RunBudgetSpentError
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from tests.in_process import PATIENCE_SECONDS, entries_stream, error_of
from tests.stub_http import (
    drip,
    never_accepting,
    stall_after_headers,
    stall_before_headers,
    stub_server,
)

API = "/third_party/api"


def assert_timed_out(error: BaseException, seconds: int) -> None:
    assert isinstance(error, FatalAPIError)
    assert f"no complete answer within `request_timeout` ({seconds} s)" in str(error)


@pytest.mark.parametrize(
    "answer",
    [drip, stall_after_headers, stall_before_headers],
    ids=["body-dripping-four-bytes-a-second", "headers-then-silence", "no-answer-at-all"],
)
def test_a_slow_or_silent_server_fails_the_request_at_its_deadline(answer):
    with stub_server(answer) as server:
        stream = entries_stream(server.url + API, request_timeout=1, max_retries=0)

        error = error_of(lambda: stream.fetch_json("/entries"))

        assert server.disconnected.wait(PATIENCE_SECONDS)  # the connection was cut, not left
    assert_timed_out(error, 1)


def test_a_server_that_never_accepts_fails_at_the_request_deadline():
    with never_accepting() as url:
        stream = entries_stream(url + API, request_timeout=1, max_retries=0)

        error = error_of(lambda: stream.fetch_json("/entries"))

    assert isinstance(error, FatalAPIError)
    assert "GET /entries" in str(error)


def test_a_timed_out_request_is_retried_then_fails_saying_how_many_tries():
    with stub_server(stall_after_headers) as server:
        stream = entries_stream(server.url + API, request_timeout=1, max_retries=1)

        error = error_of(lambda: stream.fetch_json("/entries"))

    assert len(server.requests) == 2
    assert "after 2 tries" in str(error)


def test_a_run_past_max_run_seconds_fails_in_one_line_naming_the_setting():
    stream = entries_stream("http://127.0.0.1:9" + API, max_run_seconds=60)
    stream.run_started = time.monotonic() - 61

    error = error_of(lambda: stream.fetch_json("/entries"))

    assert isinstance(error, RunBudgetSpentError)
    assert "`max_run_seconds`" in str(error)
    assert "\n" not in str(error)


def test_the_last_request_of_a_run_is_cut_where_the_run_budget_ends():
    with stub_server(stall_after_headers) as server:
        stream = entries_stream(
            server.url + API, max_run_seconds=60, request_timeout=3600, max_retries=5
        )
        stream.run_started = time.monotonic() - 59

        error = error_of(lambda: stream.fetch_json("/entries"))

    assert isinstance(error, RunBudgetSpentError)
    assert "`max_run_seconds`" in str(error)


def test_a_request_failing_when_the_run_budget_is_spent_names_the_setting_and_its_endpoint():
    stream = entries_stream("http://127.0.0.1:9" + API, max_run_seconds=60)
    request = requests.Request("GET", f"http://127.0.0.1:9{API}/users?from=x").prepare()
    response = requests.Response()
    response.status_code = 503
    response.request = request
    stream.run_started = time.monotonic() - 61

    def unavailable() -> None:
        raise RetriableAPIError("TimeCamp answered with HTTP 503", response)

    error = error_of(stream.request_decorator(unavailable))

    assert isinstance(error, RunBudgetSpentError)
    assert "stopped at GET /users." in str(error)


def test_a_deadline_that_passes_while_connecting_still_cuts_the_dripping_answer(monkeypatch):
    # A slow name lookup spends the whole deadline before the socket exists; the cut
    # then had nothing to shut, and a dripping server kept the request alive forever.
    real_lookup = socket.getaddrinfo

    def slow_lookup(*args: t.Any, **kwargs: t.Any) -> t.Any:
        time.sleep(1.5)
        return real_lookup(*args, **kwargs)

    with stub_server(drip) as server:
        stream = entries_stream(
            server.url.replace("127.0.0.1", "localhost") + API, request_timeout=1, max_retries=0
        )
        monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)

        error = error_of(lambda: stream.fetch_json("/entries"))

    assert_timed_out(error, 1)


@pytest.mark.parametrize("name", ["tasks", "groups", "users", "tag_lists", "tags"])
def test_a_dripping_answer_to_any_stream_is_cut_at_its_deadline(name):
    # A stream read through the SDK's request loop sent with the SDK's plain socket
    # timeouts: a server dripping its answer kept `tasks` going well past `request_timeout`.
    with stub_server(drip) as server:
        tap = TapTimeCamp(
            config=base_config(api_url=server.url + API, request_timeout=1, max_retries=0)
        )

        error = error_of(lambda: list(tap.streams[name].get_records(None)))

    assert_timed_out(error, 1)
