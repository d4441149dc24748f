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
