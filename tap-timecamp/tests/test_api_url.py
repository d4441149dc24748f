"""`api_url` is checked before any request: where the token may travel, and never echoed."""

from __future__ import annotations

import datetime as dt

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.settings import Settings
from tests.conftest import base_config

TODAY = dt.date(2026, 3, 31)
SECRET = "tc-secret-0a1b2c3d4e5f"


def refusal(api_url: str) -> str:
    with pytest.raises(ConfigValidationError) as caught:
        Settings.from_config(base_config(api_url=api_url), today=TODAY)
    [message] = caught.value.errors
    return message


@pytest.mark.parametrize(
    "api_url",
    [
        "https://app.timecamp.com/third_party/api",
        "http://127.0.0.1:8080/third_party/api",
        "http://127.3.4.5/third_party/api",
        "http://localhost:8080/third_party/api",
        "http://[::1]:8080/third_party/api",
    ],
)
def test_https_and_loopback_http_urls_are_accepted(api_url):
    assert Settings.from_config(base_config(api_url=api_url), today=TODAY).api_url == api_url


@pytest.mark.parametrize(
    ("api_url", "why"),
    [
        (f"https://app.timecamp.com/third_party/api?api_token={SECRET}", "query string"),
        (f"https://app.timecamp.com/third_party/api?{SECRET}", "query string"),
        (f"https://app.timecamp.com/third_party/api#{SECRET}", "fragment"),
        (f"https://app.timecamp.com/third_party/api/api_token/{SECRET}", "api_token path"),
        (f"https://user:{SECRET}@app.timecamp.com/third_party/api", "password"),
        (f"https://{SECRET}@app.timecamp.com/third_party/api", "user name"),
        (f"http://app.timecamp.com/{SECRET}/api", "https"),
        (f"http://10.0.0.1/{SECRET}/api", "https"),
        (f"app.timecamp.com/{SECRET}/api", "not an http(s) URL"),
        (f"ftp://app.timecamp.com/{SECRET}", "not an http(s) URL"),
        (f"https://[{SECRET}/api", "not an http(s) URL"),
    ],
)
def test_an_api_url_that_could_leak_the_token_is_refused_without_echoing_it(api_url, why):
    message = refusal(api_url)

    assert "`api_url`" in message
    assert why in message
    assert SECRET not in message
    assert "timecamp.com" not in message.replace("https://app.timecamp.com/third_party/api", "")


@pytest.mark.parametrize(
    "api_url",
    [
        f"https://app.timecamp.com/third_party/api/api%5Ftoken/{SECRET}",
        f"https://app.timecamp.com/third_party/api/%61pi_token/{SECRET}",
        f"https://app.timecamp.com/third_party/API_TOKEN/{SECRET}",
    ],
    ids=["underscore-escaped", "letter-escaped", "upper-case"],
)
def test_an_api_token_path_segment_in_any_spelling_is_refused(api_url):
    message = refusal(api_url)

    assert "api_token path" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    "api_url",
    [
        f"https://app.timecamp.com/{SECRET}/api",
        f"https://app.timecamp.com/third_party/api/{SECRET}",
        "https://app.timecamp.com/third_party/api/" + "".join(f"%{ord(c):02X}" for c in SECRET),
        f"https://{SECRET}.timecamp.com/third_party/api",
    ],
    ids=["first-segment", "last-segment", "percent-escaped", "host"],
)
def test_an_api_url_holding_the_token_anywhere_is_refused_without_showing_either(api_url):
    with pytest.raises(ConfigValidationError) as caught:
        Settings.from_config(base_config(api_url=api_url, api_token=SECRET), today=TODAY)
    [message] = caught.value.errors

    assert "`api_url`" in message
    assert "holds the `api_token` value" in message
    assert SECRET not in message
    assert "/api" not in message


@pytest.mark.parametrize(
    ("api_url", "why"),
    [
        (f"https://app.timecamp.com:99999/{SECRET}/api", "host or port"),
        (f"https://app.timecamp.com:12x4/{SECRET}/api", "host or port"),
        (f"https://app.timecamp.com:0/{SECRET}/api", "port 0"),
        (f"https://.timecamp.com/{SECRET}/api", "the HTTP library refuses"),
        (f"https://*.timecamp.com/{SECRET}/api", "the HTTP library refuses"),
    ],
    ids=["port-out-of-range", "port-not-a-number", "port-zero", "dot-host", "wildcard-host"],
)
def test_an_api_url_the_http_library_would_refuse_is_one_line_without_the_url(api_url, why):
    message = refusal(api_url)

    assert "`api_url`" in message
    assert why in message
    assert "\n" not in message
    assert SECRET not in message
