"""The tap's page loop and duration metric follow the installed SDK's own.

`TimeCampStream.request_records` is the SDK's `RESTStream.request_records` with the next
pages requested ahead, and the client writes the `http_request_duration` metric the SDK's private
`_request` writes. Both run here side by side on one tiny stream: an SDK release that
changes its loop or its metric fails these tests, and the tap is then changed to match.
"""

from __future__ import annotations

import json
import logging
import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
from singer_sdk.pagination import BaseAPIPaginator
from singer_sdk.streams import RESTStream

from tap_timecamp.base_stream import TimeCampStream
from tests.in_process import entries_stream
from tests.stub_http import stub_server

if t.TYPE_CHECKING:
    import socket

    import requests
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tests.stub_http import StubServer

PAGES = 3
API = "/third_party/api"
METRICS_LOGGER = "singer_sdk.metrics"
# What `RESTStream.request_records` calls for each page, in order.
SDK_HOOKS_PER_PAGE = ("get_http_request", "update_sync_costs", "parse_response", "advance")


def page_of_one_task(conn: socket.socket, server: StubServer) -> None:
    body = b'[{"task_id": 1}]'
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def page_number(request: requests.PreparedRequest) -> int:
    return int(parse_qs(urlsplit(str(request.url)).query)["page"][0])


class RecordedPages(BaseAPIPaginator[int]):
    """Pages 1 to PAGES, each move noted."""

    def __init__(self, events: list[tuple[str, int]]) -> None:
        super().__init__(1)
        self.events = events

    def get_next(self, response: requests.Response) -> int | None:
        self.events.append(("advance", self.current_value))
        return self.current_value + 1 if self.current_value < PAGES else None


class RecordedTasks(TimeCampStream):
    """A stream of one task a page whose public hooks note each call."""

    name = "tasks"
    path = "/tasks"
    primary_keys = ("task_id",)

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[tuple[str, int]] = []

    def get_new_paginator(self) -> RecordedPages:
        return RecordedPages(self.events)

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        self.events.append(("get_http_request", page.next_page_token))
        request = super().get_http_request(page=page)
        request.params = {"page": page.next_page_token}
        return request

    def update_sync_costs(
        self,
        request: requests.PreparedRequest,
        response: requests.Response,
        context: Context | None,
    ) -> dict[str, int]:
        self.events.append(("update_sync_costs", page_number(request)))
        return super().update_sync_costs(request, response, context)

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        self.events.append(("parse_response", page_number(response.request)))
        yield from json.loads(response.content)


def recorded_stream(api_url: str) -> RecordedTasks:
    tap_stream = entries_stream(api_url)
    stream = RecordedTasks(tap_stream.parent_tap)
    stream.client = tap_stream.client
    stream.reads = tap_stream.reads
    return stream


def per_page(events: list[tuple[str, int]]) -> dict[int, tuple[str, ...]]:
    pages: dict[int, list[str]] = {}
    for hook, page in events:
        pages.setdefault(page, []).append(hook)
    return {page: tuple(hooks) for page, hooks in pages.items()}


def test_the_sdks_loop_calls_its_hooks_per_page_in_the_order_the_tap_follows():
    with stub_server(page_of_one_task) as server:
        stream = recorded_stream(server.url + API)
        records = list(RESTStream.request_records(stream, None))

    assert records == [{"task_id": 1}] * PAGES
    assert per_page(stream.events) == dict.fromkeys(range(1, PAGES + 1), SDK_HOOKS_PER_PAGE)


def test_the_taps_loop_calls_the_sdks_hooks_with_only_advance_moved_before_the_parse():
    with stub_server(page_of_one_task) as server:
        sdk = recorded_stream(server.url + API)
        sdk_records = list(RESTStream.request_records(sdk, None))
        tap = recorded_stream(server.url + API)
        tap_records = list(tap.request_records(None))

    def advance_first(hooks: tuple[str, ...]) -> tuple[str, ...]:
        rest = [hook for hook in hooks if hook != "advance"]
        return (*rest[: rest.index("parse_response")], "advance", "parse_response")

    assert tap_records == sdk_records
    assert per_page(tap.events) == {
        page: advance_first(hooks) for page, hooks in per_page(sdk.events).items()
    }


def duration_points(caplog: pytest.LogCaptureFixture) -> list[dict[str, t.Any]]:
    points = [
        json.loads(record.getMessage().removeprefix("METRIC: "))
        for record in caplog.records
        if record.name == METRICS_LOGGER and record.getMessage().startswith("METRIC: ")
    ]
    return [point for point in points if point["metric"] == "http_request_duration"]


def test_the_clients_duration_metric_has_the_type_and_tags_of_the_sdks_own(caplog):
    with stub_server(page_of_one_task) as server:
        with caplog.at_level(logging.INFO, logger=METRICS_LOGGER):
            list(RESTStream.request_records(recorded_stream(server.url + API), None))
        sdk_points = duration_points(caplog)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger=METRICS_LOGGER):
            list(recorded_stream(server.url + API).request_records(None))
        tap_points = duration_points(caplog)

    def shape(point: dict[str, t.Any]) -> tuple[str, list[str], dict[str, t.Any]]:
        tags = point["tags"]
        return point["type"], sorted(tags), {k: tags[k] for k in ("stream", "endpoint", "status")}

    assert len(sdk_points) == len(tap_points) == PAGES
    assert [shape(p) for p in tap_points] == [shape(p) for p in sdk_points]
