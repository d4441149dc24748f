"""The base of every TimeCamp stream: its schema, settings, records and the SDK's page loop.

Streams describe TimeCamp objects: their paths, parameters and records. Talking to the
API (requests, deadline, retries, errors) is the run's `TimeCampClient`
(`tap_timecamp.http_client`); decoding its answers is `tap_timecamp.answers`.
"""

from __future__ import annotations

import contextlib
import functools
import typing as t
import weakref

import msgspec
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import SinglePagePaginator
from singer_sdk.schema.source import SchemaDirectory
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import PageContext

from tap_timecamp import answers, coercion, schemas
from tap_timecamp.in_flight import Item, Result, in_flight
from tap_timecamp.keys import KeyCheck
from tap_timecamp.settings import Settings
from tap_timecamp.windows import PlannedWindows

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_timecamp.http_client import TimeCampClient
    from tap_timecamp.streams.shared import SharedReads
    from tap_timecamp.summary import RunSummary
    from tap_timecamp.sync_end import SyncEnd

SCHEMAS = SchemaDirectory(schemas)


class Page(t.NamedTuple):
    """A page of the request loop: the paginator's token, and the request that asks for it."""

    token: t.Any
    prepared: requests.PreparedRequest


class TimeCampStream(RESTStream[t.Any]):
    """A stream read from the TimeCamp REST API."""

    # Set by the tap: where this stream counts items skipped for the end-of-run line.
    run_summary: RunSummary | None = None
    # Set by `all_streams`: the run's HTTP with TimeCamp.
    client: TimeCampClient
    # Set by `all_streams`: the run's answers several streams read, TimeCamp's clock among them.
    reads: SharedReads
    # Set by the tap: told when the SDK is done with this stream in a sync.
    sync_end: SyncEnd | None = None

    def __init__(self, tap: Tap, *args: t.Any, **kwargs: t.Any) -> None:
        """Keep the tap: a stream may send a state message of its own (see `WindowedStream`)."""
        super().__init__(tap, *args, **kwargs)
        self.parent_tap = tap
        # The items of each page `send_request` checked, until `parse_response` reads them.
        self.page_items: weakref.WeakKeyDictionary[requests.Response, list[t.Any]] = (
            weakref.WeakKeyDictionary()
        )

    @functools.cached_property
    def schema(self) -> dict[str, t.Any]:
        """The data file of the stream's name in `tap_timecamp/schemas`.

        Not a `StreamSchema`: that descriptor reads its source again on every access, and
        the SDK reads `schema` once per record.
        """
        return SCHEMAS.get_schema(self.name, key_properties=self.primary_keys)

    # The SDK's conformance reads the schema for every value: post_process does it compiled.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    _normaliser: tuple[dict[str, t.Any], coercion.Normaliser] | None = None

    @functools.cached_property
    def settings(self) -> Settings:
        """The tap's checked settings."""
        return Settings.from_config(self.config)

    @property
    def emit_activate_version_messages(self) -> bool:
        """The setting, its default applied (the SDK reads the raw config, default off)."""
        return self.settings.emit_activate_version_messages

    @property
    def url_base(self) -> str:
        """TimeCamp API base URL from the settings."""
        return self.settings.api_url

    def log_sync_costs(self) -> None:
        """The SDK's last call to a stream in a sync (see `sync_end`): report its end too."""
        super().log_sync_costs()
        if self.sync_end is not None:
            self.sync_end.stream_ended(self.name)

    # The request loop

    def request_records(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """The SDK's loop, but the next pages are requested before this one is parsed.

        Step by step as `RESTStream.request_records` (paginator, `get_http_request`,
        request, counter, `update_sync_costs`, `parse_response`, `advance`; the client
        sends and retries), except that the paginator hears each answer before it is
        parsed, and the next requests are then sent in the background
        (`tap_timecamp.in_flight`): waiting for TimeCamp and writing records overlap. A
        plan of windows (`PlannedWindows`) knows its pages ahead, so
        `max_requests_in_flight` of them are requested at once; another paginator's next
        page depends on this one's answer, so only it is.
        """
        paginator = self.get_new_paginator() or SinglePagePaginator()

        def one_by_one() -> Iterator[t.Any]:
            # Each taken after the answer before it (`limit` 1 below).
            while not paginator.finished:
                yield paginator.current_value

        limit: int | None
        tokens: Iterator[t.Any]
        phase: t.Callable[[t.Any], t.Hashable] | None
        if isinstance(paginator, PlannedWindows):
            tokens, limit, phase = paginator.ahead(), None, paginator.phase
        else:
            tokens, limit, phase = one_by_one(), 1, None

        def pages_planned() -> Iterator[Page]:
            for token in tokens:
                page = PageContext(stream_context=context, next_page_token=token)
                yield Page(token, self.client.prepare(self.get_http_request(page=page)))

        with self.get_http_request_counter() as request_counter:
            request_counter.with_context(context)

            def answered(page: Page, response: requests.Response) -> None:
                if self.was_requested(response):
                    request_counter.increment()
                    self.update_sync_costs(page.prepared, response, context)
                if isinstance(paginator, PlannedWindows):
                    paginator.answered(page.token, response)
                else:
                    paginator.advance(response)

            page_phase = None if phase is None else lambda page: phase(page.token)
            with self.in_flight(
                pages_planned(),
                lambda page: self.send_request(page.prepared, context),
                answered,
                limit=limit,
                phase=page_phase,
            ) as pages:
                for _page, response in pages:
                    empty = True
                    for record in self.parse_response(response):
                        empty = False
                        yield record
                    if empty and not paginator.continue_if_empty(response):
                        return

    @contextlib.contextmanager
    def in_flight(
        self,
        plan: t.Iterable[Item],
        fetch: t.Callable[[Item], Result],
        answered: t.Callable[[Item, Result], None] = lambda item, result: None,
        *,
        limit: int | None = None,
        phase: t.Callable[[Item], t.Hashable] | None = None,
    ) -> Iterator[Iterator[tuple[Item, Result]]]:
        """`(item, fetch(item))` in plan order, `max_requests_in_flight` (or `limit`) at once.

        See `tap_timecamp.in_flight`. Whatever is still in flight when the block is left
        (the consumer stopped, or failed) is abandoned.
        """
        limit = self.settings.max_requests_in_flight if limit is None else limit
        fetched = in_flight(plan, fetch, answered, limit=limit, phase=phase)
        with contextlib.closing(fetched):
            yield fetched

    def send_request(
        self, prepared: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """Send a page's request through the client; its checked items wait for `parse_response`."""
        response, items = self.client.send(
            prepared, self.page_of, stream=self.name, context=context
        )
        self.page_items[response] = items
        return response

    def was_requested(self, response: requests.Response) -> bool:
        """Whether this stream requested `response` (not reused another's): it is then counted."""
        return True

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """A page's items, checked: a list of objects (raw, decoded when read)."""
        return answers.decode_page(response)

    def parse_response(self, response: requests.Response) -> Iterator[dict[str, t.Any]]:
        """The objects of a page `send_request` checked, each raw item decoded when reached.

        One page of entries then costs its bytes, not its bytes plus every entry as Python
        objects.
        """
        decode = answers.JSON_DECODER.decode
        for item in self.page_items.pop(response):
            yield decode(item) if type(item) is msgspec.Raw else item

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """TimeCamp's loosely typed values as the effective schema's types, its columns only.

        None (the record is not sent) when its key is not whole.
        """
        schema = self.effective_schema
        if self._normaliser is None or self._normaliser[0] is not schema:
            self._normaliser = (schema, coercion.compile_normaliser(schema))
        record, unmapped = self._normaliser[1](row)
        if unmapped:
            coercion.warn_unmapped(self.name, tuple(unmapped), self.logger)
        return record if self.key_check.whole(record, row) else None

    @functools.cached_property
    def key_check(self) -> KeyCheck:
        """What keeps a record without a whole key from leaving the tap (`tap_timecamp.keys`)."""
        return KeyCheck(self.name, self.path, self.primary_keys, self.logger, self.run_summary)
