"""Waits between tries: as TimeCamp asks when it asks sensibly, and always bounded."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests
import urllib3
from singer_sdk.exceptions import RetriableAPIError

from tap_timecamp import http_client
from tap_timecamp.retry_after import asked_seconds
from tests.in_process import entries_stream

NOW = 1_700_000_000.0
OWN_FIRST_BACKOFF = 1.0


def rate_limited(retry_after: str | None = None, body: bytes = b"{}") -> RetriableAPIError:
    response = requests.Response()
    response.status_code = 429
    response._content = body
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return RetriableAPIError("rate limited", response)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch):
    """The waits the tap's wait generator chooses for a series of failures."""
    # The tap's own backoff without jitter, so that its waits are exact.
    monkeypatch.setattr(http_client.random, "uniform", lambda low, high: low)

    def chosen(*failures: RetriableAPIError, **settings) -> list[float]:
        stream = entries_stream("https://timecamp.invalid/api", **settings)
        generator = stream.client.wait_generator()
        next(generator)
        found = []
        for failure in failures:
            try:
                found.append(generator.send(failure))
            except StopIteration:
                break
        return found

    return chosen


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (email.utils.formatdate(NOW + 120, usegmt=True), 120.0),
        (email.utils.formatdate(NOW - 120, usegmt=True), 0.0),
        ("-5", None),
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("1e400", None),
        ("soon", None),
        ("", None),
        ("Wed, 99 Foo 2026 99:99:99 GMT", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date_and_nothing_else(value, seconds):
    assert asked_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, True])
def test_a_retry_after_number_from_a_body_must_be_finite_and_not_negative(value):
    assert asked_seconds(value) is None


def test_a_retry_after_in_seconds_is_waited(waits):
    assert waits(rate_limited("7")) == [7.0]


def test_a_retry_after_as_an_http_date_is_waited_until_that_date(waits):
    when = email.utils.formatdate(time.time() + 120, usegmt=True)

    [wait] = waits(rate_limited(when))

    assert 100 < wait <= 120


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "garbage", "1e400"])
def test_a_retry_after_that_is_not_a_wait_falls_back_to_the_taps_own_backoff(waits, value):
    assert waits(rate_limited(value)) == [OWN_FIRST_BACKOFF]


def test_a_retry_after_in_the_body_is_waited(waits):
    assert waits(rate_limited(body=b'{"retry_after": 4}')) == [4.0]


def test_a_huge_retry_after_is_cut_to_max_retry_wait_seconds(waits):
    assert waits(rate_limited("999999"), max_retry_wait_seconds=30) == [30.0]


def test_the_waits_of_one_request_stop_at_max_retry_wait_total_seconds(waits):
    asked = [rate_limited("300")] * 5

    assert waits(*asked, max_retries=5, max_retry_wait_total_seconds=700) == [300.0, 300.0, 100.0]


def test_no_wait_outlasts_the_run_budget(waits):
    stream_waits = waits(rate_limited("300"), max_run_seconds=60)

    assert len(stream_waits) == 1
    assert stream_waits[0] <= 60


def test_urllib3s_retry_after_parser_refuses_a_decimal_the_tap_waits_for():
    # Why `tap_timecamp.retry_after` is kept rather than urllib3's public parser: should
    # urllib3 read decimals one day, this fails and the tap's own parser can go.
    with pytest.raises(urllib3.exceptions.InvalidHeader):
        urllib3.util.Retry().parse_retry_after("2.5")

    assert asked_seconds("2.5") == 2.5
