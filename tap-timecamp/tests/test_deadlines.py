"""Every request ends by `request_timeout`, and a run by `max_run_seconds`, whatever happens."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
import typing as t

import pytest
import requests
import trustme
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_timecamp.http_client import RunBudgetSpentError
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from tests.in_process import PATIENCE_SECONDS, entries_stream, error_of, get_entries
from tests.stub_http import (
    StubServer,
    connect_proxy,
    drip,
    drip_http_1_0,
    drip_then_close,
    never_accepting,
    stall_after_closing_headers,
    stall_after_headers,
    stall_after_http_1_0_headers,
    stall_before_headers,
    stub_server,
)

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

API = "/third_party/api"

# Every way a server can be slow or silent, keep-alive or ending with the connection.
SLOW_ANSWERS = pytest.mark.parametrize(
    "answer",
    [
        drip,
        drip_http_1_0,
        drip_then_close,
        stall_after_headers,
        stall_after_http_1_0_headers,
        stall_after_closing_headers,
        stall_before_headers,
    ],
    ids=[
        "keep-alive-body-dripping-four-bytes-a-second",
        "http-1.0-body-dripping",
        "connection-close-body-dripping",
        "keep-alive-headers-then-silence",
        "http-1.0-headers-then-silence",
        "connection-close-headers-then-silence",
        "no-answer-at-all",
    ],
)


@pytest.fixture(scope="module")
def certificates() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(
    certificates: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Callable[..., None]], contextlib.AbstractContextManager[StubServer]]:
    """A stub server speaking TLS with a certificate for 127.0.0.1 from `certificates`.

    The tap trusts it only through `REQUESTS_CA_BUNDLE`, as it would a company's own CA.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificates.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    certificates.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))

    def serve(answer: Callable[..., None]) -> contextlib.AbstractContextManager[StubServer]:
        return stub_server(answer, tls=context)

    return serve


def assert_timed_out(error: BaseException, seconds: int) -> None:
    assert isinstance(error, FatalAPIError)
    assert f"no complete answer within `request_timeout` ({seconds} s)" in str(error)


def assert_cut_at_deadline(server: StubServer) -> None:
    stream = entries_stream(server.url + API, request_timeout=1, max_retries=0)

    error = error_of(lambda: get_entries(stream))

    assert server.disconnected.wait(PATIENCE_SECONDS)  # the connection was cut, not left
    assert_timed_out(error, 1)


@SLOW_ANSWERS
def test_a_slow_or_silent_server_fails_the_request_at_its_deadline(answer):
    with stub_server(answer) as server:
        assert_cut_at_deadline(server)


@SLOW_ANSWERS
def test_a_slow_or_silent_tls_server_fails_the_request_at_its_deadline(answer, tls_server):
    with tls_server(answer) as server:
        assert_cut_at_deadline(server)


@SLOW_ANSWERS
def test_a_slow_or_silent_tls_server_behind_an_https_proxy_fails_at_its_deadline(
    answer, tls_server, monkeypatch
):
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with connect_proxy() as proxy, tls_server(answer) as server:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        assert_cut_at_deadline(server)

        assert proxy.tunnels == [server.url.removeprefix("https://").encode()]


def test_a_tls_server_whose_ca_is_in_requests_ca_bundle_is_read(tls_server):
    def answer(conn: socket.socket, server: StubServer) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
        )

    with tls_server(answer) as server:
        stream = entries_stream(server.url + API, request_timeout=5, max_retries=0)

        assert get_entries(stream) == []


def test_a_server_that_never_accepts_fails_at_the_request_deadline():
    with never_accepting() as url:
        stream = entries_stream(url + API, request_timeout=1, max_retries=0)

        error = error_of(lambda: get_entries(stream))

    assert isinstance(error, FatalAPIError)
    assert "GET /entries" in str(error)


def test_a_timed_out_request_is_retried_then_fails_saying_how_many_tries():
    with stub_server(stall_after_headers) as server:
        stream = entries_stream(server.url + API, request_timeout=1, max_retries=1)

        error = error_of(lambda: get_entries(stream))

    assert len(server.requests) == 2
    assert "after 2 tries" in str(error)


def test_a_run_past_max_run_seconds_fails_in_one_line_naming_the_setting():
    stream = entries_stream("http://127.0.0.1:9" + API, max_run_seconds=60)
    stream.client.started = time.monotonic() - 61

    error = error_of(lambda: get_entries(stream))

    assert isinstance(error, RunBudgetSpentError)
    assert "`max_run_seconds`" in str(error)
    assert "\n" not in str(error)


def test_the_last_request_of_a_run_is_cut_where_the_run_budget_ends():
    with stub_server(stall_after_headers) as server:
        stream = entries_stream(
            server.url + API, max_run_seconds=60, request_timeout=3600, max_retries=5
        )
        stream.client.started = time.monotonic() - 59

        error = error_of(lambda: get_entries(stream))

    assert isinstance(error, RunBudgetSpentError)
    assert "`max_run_seconds`" in str(error)


def test_a_request_failing_when_the_run_budget_is_spent_names_the_setting_and_its_endpoint():
    stream = entries_stream("http://127.0.0.1:9" + API, max_run_seconds=60)
    request = requests.Request("GET", f"http://127.0.0.1:9{API}/users?from=x").prepare()
    response = requests.Response()
    response.status_code = 503
    response.request = request
    stream.client.started = time.monotonic() - 61

    def unavailable() -> None:
        raise RetriableAPIError("TimeCamp answered with HTTP 503", response)

    error = error_of(stream.client.retried(unavailable))

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

        error = error_of(lambda: get_entries(stream))

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
