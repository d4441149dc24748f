"""HTTP with TimeCamp: authentication, JSON bodies, retries and errors.

Streams describe TimeCamp objects; everything about talking to the API lives here. The
API's quirks shape it: XML unless JSON is asked for twice (header and query), a refused
token answered with a redirect to a login page as often as with 401/403, HTML or cut-off
bodies under a 200, and rate limits that say how long to wait in a header or in the body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import random
import time
import typing as t
import weakref
from http import HTTPStatus
from urllib.parse import urlsplit

import backoff
import msgspec
import requests
from singer_sdk import metrics
from singer_sdk.authenticators import BearerTokenAuthenticator
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import SinglePagePaginator
from singer_sdk.schema.source import SchemaDirectory
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_timecamp import clock, coercion, deadline, schemas
from tap_timecamp.in_flight import Item, Result, in_flight
from tap_timecamp.keys import KeyCheck
from tap_timecamp.retry_after import asked_seconds
from tap_timecamp.settings import Settings
from tap_timecamp.slow_down import SlowDown
from tap_timecamp.windows import PlannedWindows

if t.TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_timecamp.streams.shared import SharedReads
    from tap_timecamp.summary import RunSummary
    from tap_timecamp.sync_end import SyncEnd

_JSON_DECODER = msgspec.json.Decoder()
_RAW_LIST_DECODER = msgspec.json.Decoder(list[msgspec.Raw])
SCHEMAS = SchemaDirectory(schemas)


class TokenRefusedError(FatalAPIError):
    """TimeCamp did not accept the API token: retrying cannot help."""


class PermissionRefusedError(FatalAPIError):
    """TimeCamp answered 403: a permission, an unknown id or the token; retrying cannot help."""


class RunBudgetSpentError(FatalAPIError):
    """The run has used the time `max_run_seconds` allows it."""


class UnexpectedBodyError(RetriableAPIError):
    """TimeCamp answered 200 with something that is not the JSON asked for."""


class Page(t.NamedTuple):
    """A page of the request loop: the paginator's token, and the request that asks for it."""

    token: t.Any
    prepared: requests.PreparedRequest


class Me(t.NamedTuple):
    """What `GET /me` says: the token's own user, and TimeCamp's clock when it answered."""

    user_id: int
    date: dt.datetime | None


class TimeCampStream(RESTStream[t.Any]):
    """A stream read from the TimeCamp REST API."""

    # A redirect is how TimeCamp says "log in": following it would read the login page.
    allow_redirects = False
    extra_retry_statuses = (HTTPStatus.TOO_MANY_REQUESTS,)

    # Set by the tap: where this stream counts its requests for the end-of-run line.
    run_summary: RunSummary | None = None
    # Set by `all_streams`: the run's answers several streams read, TimeCamp's clock among them.
    reads: SharedReads
    # Set by `all_streams`: after a 429 or a Retry-After, when the run's requests may go again.
    slow_down: SlowDown
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

    @property
    def site_root(self) -> str:
        """`api_url` without its path: where TimeCamp's internal API lives."""
        parts = urlsplit(self.url_base)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def requests_session(self) -> requests.Session:
        """The SDK's session, its connections cut when a request's deadline passes."""
        return deadline.install(super().requests_session)

    @functools.cached_property
    def run_started(self) -> float:
        """When the run began (monotonic clock): the start of `max_run_seconds`."""
        return self.run_summary.started if self.run_summary is not None else time.monotonic()

    def run_seconds_left(self) -> float:
        """What is left of `max_run_seconds`."""
        return self.settings.max_run_seconds - (time.monotonic() - self.run_started)

    @property
    def authenticator(self) -> BearerTokenAuthenticator:
        """Bearer token in a header: the token never enters a URL or a log line."""
        return BearerTokenAuthenticator(token=self.settings.api_token)

    @property
    def http_headers(self) -> dict[str, str]:
        """Ask for JSON; TimeCamp answers XML otherwise."""
        return {"Accept": "application/json", "User-Agent": self.user_agent}

    @property
    def timeout(self) -> int:
        """Seconds to wait for a response."""
        return self.settings.request_timeout

    @functools.cached_property
    def started_at(self) -> dt.datetime:
        """T: TimeCamp's clock when the run's first stream asked for it (Warsaw wall time).

        One T a run: every stream's state then says "complete up to" the same moment, and
        an answer streams share (a deletion window) was read after every reader's T.
        """
        return self.reads.clock(self)

    @property
    def today(self) -> dt.date:
        """TimeCamp's today at the start of the sync: what a plan of windows is made from."""
        return self.started_at.date()

    def get_replication_key_signpost(self, context: Context | None = None) -> str | None:
        """T: the SDK's own bookmark (the greatest value read) is never later than T.

        A stamp written ahead of the clock (a skewed server, a desktop app's clock) then
        cannot become a bookmark in the future. A full-table stream has no bookmark, and
        no need to ask TimeCamp's clock.
        """
        return clock.stamp(self.started_at) if self.replication_key else None

    def log_sync_costs(self) -> None:
        """The SDK's last call to a stream in a sync (see `sync_end`): report its end too."""
        super().log_sync_costs()
        if self.sync_end is not None:
            self.sync_end.stream_ended(self.name)

    # The request loop

    def request_records(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """The SDK's loop, but the next pages are requested before this one is parsed.

        Step by step as `RESTStream.request_records` (paginator, prepare, decorated
        request, counter, `update_sync_costs`, `parse_response`, `advance`), except that
        the paginator hears each answer before it is parsed, and the next requests are
        then sent in the background (`tap_timecamp.in_flight`): waiting for TimeCamp and
        writing records overlap. A plan of windows (`PlannedWindows`) knows its pages
        ahead, so `max_requests_in_flight` of them are requested at once; another
        paginator's next page depends on this one's answer, so only it is.
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
                yield Page(token, self.prepare(self.get_http_request(page=page)))

        def fetch(page: Page) -> requests.Response:
            send = self.request_decorator(self.send_request)
            return t.cast("requests.Response", send(page.prepared, context))

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
                pages_planned(), fetch, answered, limit=limit, phase=page_phase
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
        # Made here, not by the first of several threads at once.
        _ = self.requests_session
        limit = self.settings.max_requests_in_flight if limit is None else limit
        answers = in_flight(plan, fetch, answered, limit=limit, phase=phase)
        with contextlib.closing(answers):
            yield answers

    def prepare(self, request: HTTPRequest) -> requests.PreparedRequest:
        """The request as sent, with `format=json`: TimeCamp does not always honour the header."""
        request.params = {**request.params, "format": "json"}
        return self.build_prepared_request(
            method=request.method,
            url=request.url,
            params=request.encode_params(),
            headers=request.headers,
        )

    def send_request(
        self, prepared: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """Send a page's request; check its status and body (the SDK's `_request` for TimeCamp).

        Checking the body inside the retried call makes a cut-off or HTML body retriable.
        """
        response = self.send_within_deadline(prepared)
        self.log_request_duration(response, context)
        self.validate_response(response)
        self.page_items[response] = self.page_of(response)
        return response

    def was_requested(self, response: requests.Response) -> bool:
        """Whether this stream requested `response` (not reused another's): it is then counted."""
        return True

    def log_request_duration(self, response: requests.Response, context: Context | None) -> None:
        """The SDK's `http_request_duration` metric, which only its own `_request` writes."""
        tags: dict[str, t.Any] = {
            metrics.Tag.STREAM: self.name,
            metrics.Tag.ENDPOINT: self._endpoint(response.request),
            metrics.Tag.HTTP_STATUS_CODE: response.status_code,
            metrics.Tag.STATUS: metrics.Status.SUCCEEDED
            if response.status_code < HTTPStatus.BAD_REQUEST
            else metrics.Status.FAILED,
        }
        if context:
            tags[metrics.Tag.CONTEXT] = context
        duration = response.elapsed.total_seconds()
        point = metrics.Point("timer", metrics.Metric.HTTP_REQUEST_DURATION, duration, tags)
        metrics.log(self.metrics_logger, point)

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """A page's items, checked: a list of objects (raw, decoded when read)."""
        return self._decode_page(response)

    def parse_response(self, response: requests.Response) -> Iterator[dict[str, t.Any]]:
        """The objects of a page `send_request` checked, each raw item decoded when reached.

        One page of entries then costs its bytes, not its bytes plus every entry as Python
        objects.
        """
        for item in self.page_items.pop(response):
            yield _JSON_DECODER.decode(item) if type(item) is msgspec.Raw else item

    # Lookups: other endpoints a stream needs

    def fetch_json(
        self, path: str, params: dict[str, t.Any] | None = None, *, from_site_root: bool = False
    ) -> t.Any:
        """GET another endpoint a stream needs (details, lookups), with the same care.

        The request carries the same headers, retries and error handling as the stream's
        own, and the decoded JSON body is returned.
        """
        return self.fetch(path, params, self.decode_body, from_site_root=from_site_root)

    def fetch_collection(
        self,
        path: str,
        params: dict[str, t.Any] | None = None,
        key: str | None = None,
        required: tuple[str, ...] = (),
    ) -> list[dict[str, t.Any]]:
        """GET a collection of objects (under `key` of the body, if given): `decode_collection`."""
        return t.cast(
            "list[dict[str, t.Any]]",
            self.fetch(
                path, params, lambda response: self.decode_collection(response, key, required)
            ),
        )

    def fetch_me(self) -> Me:
        """`GET /me`: the token's own user, and TimeCamp's clock in the `Date` header."""
        return t.cast("Me", self.fetch("/me", None, self._decode_me))

    def timecamp_now(self) -> dt.datetime:
        """TimeCamp's clock now (Warsaw wall time), from the `Date` header of `GET /me`.

        One cheap request that also checks the token before anything is planned. Without
        a usable header, this machine's clock stands in, with a warning.
        """
        moment = self.reads.me(self).date
        if moment is None:
            moment = clock.server_now()
            self.logger.warning(
                "%s: TimeCamp sent no usable Date header: using this machine's clock (%s "
                "in Warsaw) as TimeCamp's",
                self.name,
                clock.stamp(moment),
            )
        return moment

    def fetch(
        self,
        path: str,
        params: dict[str, t.Any] | None,
        decode: t.Callable[[requests.Response], t.Any],
        *,
        from_site_root: bool = False,
    ) -> t.Any:
        """GET another endpoint a stream needs, with the care of the stream's own requests.

        Headers, deadline, retries and errors as the stream's pages; `decode` turns the
        answer into what is returned, and a body it refuses is retried. `path` is below
        `api_url`, or below its host with `from_site_root` (TimeCamp's internal API).
        """
        base = self.site_root if from_site_root else self.url_base
        request = HTTPRequest(url=f"{base}{path}", params=params or {}, headers=self.http_headers)
        prepared = self.prepare(request)

        # Decoding inside the retried call makes a cut-off or HTML body retriable.
        def send_and_decode() -> t.Any:
            response = self.send_within_deadline(prepared)
            self.log_request_duration(response, None)
            self.validate_response(response)
            return decode(response)

        return self.request_decorator(send_and_decode)()

    def send_within_deadline(self, prepared: requests.PreparedRequest) -> requests.Response:
        """Send a request and read its whole body within `request_timeout`, whatever happens.

        The socket timeouts never exceed the time left; the deadline's watchdog cuts the
        connection of a server that keeps a request alive past it (a slow drip, a stall
        after the headers). The deadline is shorter when less of `max_run_seconds` is left.
        While a 429 or a `Retry-After` holds the run back (`slow_down`), it waits first.

        Raises:
            DeadlineExceededError: the answer was not complete in time (retriable).
            RunBudgetSpentError: no time is left of `max_run_seconds`.
            RequestAbandonedError: the thread's request was abandoned (not retried).
        """
        self.slow_down.wait(at_most=self.run_seconds_left())
        seconds = min(float(self.timeout), self.run_seconds_left())
        if seconds <= 0:
            raise RunBudgetSpentError(self._run_budget_message(prepared))
        with deadline.deadline(seconds) as current:
            try:
                left = max(current.remaining(), 0.001)
                session = self.requests_session
                # What `Session.request` would add and `send` does not: the environment's
                # CA bundle (`REQUESTS_CA_BUNDLE`), proxies and client certificate.
                environment = session.merge_environment_settings(prepared.url, {}, None, None, None)
                response = session.send(
                    prepared,
                    timeout=(left, left),
                    allow_redirects=self.allow_redirects,
                    **environment,
                )
            except Exception:
                # The cut can surface as a reset or a closed connection, and a socket
                # timeout can beat the timer by a hair: either way the deadline ended it.
                if current.passed or current.remaining() <= 0:
                    raise deadline.DeadlineExceededError(request=prepared) from None
                raise
            # A body cut at the deadline may look complete when it ends with the connection.
            if current.passed:
                raise deadline.DeadlineExceededError(request=prepared)
        return response

    # Errors and bodies

    def validate_response(self, response: requests.Response) -> None:
        """The SDK's checks (429 and 5xx retried, other 4xx fatal), after TimeCamp's own.

        Every response is counted for the run summary, retries included. A redirect or 401
        is how TimeCamp refuses a token (not followed: it leads to a login page), and a
        403 gets a message naming its likely causes; neither is worth retrying.
        """
        if self.run_summary is not None:
            self.run_summary.count_request()
        status = response.status_code
        if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST or (
            status == HTTPStatus.UNAUTHORIZED
        ):
            raise TokenRefusedError(self._refusal_message(response))
        if status == HTTPStatus.FORBIDDEN:
            raise PermissionRefusedError(self._forbidden_message(response))
        super().validate_response(response)

    def response_error_message(self, response: requests.Response) -> str:
        """Describe a failed response without its URL (the SDK's has its query) or body dump."""
        return (
            f"TimeCamp answered {self._endpoint_label(response.request)} with HTTP "
            f"{response.status_code} {response.reason}{_body_message(response)}"
        )

    def decode_body(self, response: requests.Response) -> t.Any:
        """Return the JSON body, or raise if TimeCamp sent HTML, XML or a cut-off body.

        A body that is not JSON is never read as "no records": that is how a login page
        or an edge error page would silently empty a table.
        """
        try:
            return _JSON_DECODER.decode(response.content)
        except msgspec.DecodeError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            msg = (
                f"TimeCamp answered {self._endpoint_label(response.request)} with HTTP "
                f"{response.status_code} and a body that is not valid JSON ({kind}, "
                f"{len(response.content)} bytes)"
            )
            raise UnexpectedBodyError(msg, response) from None

    def _decode_page(self, response: requests.Response) -> list[t.Any]:
        """A list body as its raw, checked JSON items, each decoded when it is read.

        One page of entries then costs its bytes, not its bytes plus every entry as Python
        objects. Anything but a list of objects (`[]` is an empty page) is a broken answer.
        """
        content = response.content
        body: t.Any = None
        if content[:1] == b"[":
            # Not valid JSON: decode_body below says so.
            with contextlib.suppress(msgspec.DecodeError):
                body = _RAW_LIST_DECODER.decode(content)
        if body is None:
            body = self.decode_body(response)
        if not isinstance(body, list) or not all(map(_is_object, body)):
            raise self.wrong_shape(response, body, "a list of objects")
        return body

    def decode_collection(
        self, response: requests.Response, key: str | None = None, required: tuple[str, ...] = ()
    ) -> list[dict[str, t.Any]]:
        """The objects of a collection: a list, or an object keyed by id, as a list.

        PHP turns an empty keyed collection into `[]`, so either shape is an answer. Newer
        endpoints wrap theirs in an object (`{"data": ...}`): `key` names where. Any other
        shape (`{"message": ...}` under a 200, items that are not objects, an item without
        one of the `required` keys) is a broken answer, retried, never read as "nothing".
        """
        body = self.decode_body(response)
        inner = body if key is None else body.get(key) if isinstance(body, dict) else None
        items = inner.values() if isinstance(inner, dict) else inner
        if not isinstance(items, t.ValuesView | list) or not all(map(_is_object, items)):
            where = "" if key is None else f"an object with, under `{key}`, "
            raise self.wrong_shape(response, body, f"{where}a collection of objects")
        for item in items:
            missing = [name for name in required if name not in item]
            if missing:
                expected = f"objects that each have {', '.join(map(repr, required))}"
                raise self.wrong_shape(response, body, expected)
        return list(items)

    def decode_lists_by_id(self, response: requests.Response) -> dict[int, list[dict[str, t.Any]]]:
        """`{id: [object, ...]}`, or `[]` for none (PHP): what the endpoints of id lists answer.

        An error object (`{"message": ...}`), a key that is not an id or a value that is not
        a list of objects is a broken answer, retried, never read as "none set".
        """
        body = self.decode_body(response)
        if body == []:
            return {}
        found: dict[int, list[dict[str, t.Any]]] = {}
        for key, items in body.items() if isinstance(body, dict) else [(None, None)]:
            object_id = coercion.to_integer(key)
            if object_id is None or not isinstance(items, list) or not all(map(_is_object, items)):
                raise self.wrong_shape(response, body, "an object of lists keyed by id")
            found[object_id] = items
        return found

    def _decode_me(self, response: requests.Response) -> Me:
        """`/me`'s user (an object with its `user_id`) and the time of the `Date` header."""
        body = self.decode_body(response)
        user_id = coercion.to_integer(body.get("user_id")) if isinstance(body, dict) else None
        if user_id is None:
            raise self.wrong_shape(response, body, "an object with the user's `user_id`")
        return Me(user_id, clock.from_date_header(response.headers.get("Date")))

    def wrong_shape(self, response: requests.Response, body: t.Any, expected: str) -> Exception:
        """The error for an answer whose JSON is not of the `expected` shape (retried)."""
        return UnexpectedBodyError(
            f"TimeCamp answered {self._endpoint_label(response.request)} with HTTP "
            f"{response.status_code} and JSON of the wrong shape ({_shape(body)} where "
            f"{expected} was expected){_body_message(response)}",
            response,
        )

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

    # Retries

    def backoff_max_tries(self) -> int:
        """The first try plus the configured retries."""
        return self.settings.max_retries + 1

    def backoff_wait_generator(self) -> Generator[float, t.Any, None]:
        """Wait as long as TimeCamp asks, else back off exponentially with jitter.

        Each wait is at most `max_retry_wait_seconds`, all of a request's waits together
        at most `max_retry_wait_total_seconds`, and none outlasts `max_run_seconds`. Once
        either total is spent the generator ends, and the request gives up with its last
        error.
        """
        attempt = 0
        waited = 0.0
        exception = yield 0.0
        while True:
            attempt += 1
            total_left = self.settings.max_retry_wait_total_seconds - waited
            run_left = self.run_seconds_left()
            if total_left <= 0 or run_left <= 0:
                return
            asked = _asked_wait(exception)
            # TimeCamp's limit is the account's: its "wait" holds back every request of the run.
            shared = asked is not None or _status(exception) == HTTPStatus.TOO_MANY_REQUESTS
            if asked is None:
                asked = min(2.0 ** (attempt - 1), 60.0) * random.uniform(1.0, 1.25)
            wait = min(asked, float(self.settings.max_retry_wait_seconds), total_left, run_left)
            if shared:
                self.slow_down.hold_back(wait)
            waited += wait
            exception = yield wait

    def backoff_jitter(self, value: float) -> float:
        """No extra jitter: the wait generator already decides, and honours Retry-After."""
        return value

    def backoff_handler(self, details: t.Any) -> None:
        """Log one line per retry: what failed, how long we wait, which try this was."""
        exc = details.get("exception")
        reason = str(exc) if isinstance(exc, RetriableAPIError) else type(exc).__name__
        self.logger.warning(
            "%s: retrying in %.1f s after try %d of %d: %s",
            self.name,
            details.get("wait", 0.0),
            details.get("tries", 0),
            self.backoff_max_tries(),
            reason,
        )

    def request_decorator(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Retry the failures the SDK retries, then turn the last into one clear line.

        Ours, not the SDK's: backoff's log lines print the exception text, and a
        `requests` error's text holds the full URL.
        """
        tries = {"made": 0}

        def count_tries(details: t.Any) -> None:
            tries["made"] = details.get("tries", 0)

        retrying = backoff.on_exception(
            self.backoff_wait_generator,
            RETRIED_ERRORS,
            max_tries=self.backoff_max_tries,
            on_backoff=self.backoff_handler,
            on_giveup=count_tries,
            jitter=self.backoff_jitter,
            logger=None,
        )(func)

        @functools.wraps(func)
        def call(*args: t.Any, **kwargs: t.Any) -> t.Any:
            try:
                return retrying(*args, **kwargs)
            except RunBudgetSpentError:
                raise
            except RetriableAPIError as exc:
                # Not `exc.response and ...`: a failed response is falsy.
                self._raise_if_run_budget_spent(
                    exc.response.request if exc.response is not None else None
                )
                msg = f"{exc} (gave up after {_tries(tries['made'])})"
                raise FatalAPIError(msg) from None
            except requests.RequestException as exc:
                self._raise_if_run_budget_spent(exc.request)
                label = self._endpoint_label(exc.request)
                if isinstance(exc, requests.Timeout):
                    why = f"no complete answer within `request_timeout` ({self.timeout} s)"
                else:
                    why = type(exc).__name__
                msg = f"TimeCamp request {label} failed after {_tries(tries['made'])}: {why}"
                raise FatalAPIError(msg) from None

        return call

    def _raise_if_run_budget_spent(self, request: t.Any) -> None:
        if self.run_seconds_left() <= 0:
            raise RunBudgetSpentError(self._run_budget_message(request)) from None

    # Messages

    def _endpoint_label(self, request: t.Any) -> str:
        """`GET /entries`: the endpoint below `api_url`, never its query or the URL's path.

        The query carries dates and ids, never the token (a header); `api_url`'s own path
        is the user's, so neither is printed, which keeps that true whatever they hold.
        """
        return f"GET {self._endpoint(request)}"

    def _endpoint(self, request: t.Any) -> str:
        """The path of `request` below `api_url`, or below the host (the stream's if unknown).

        Only the tap's own paths are outside `api_url`'s (`fetch(from_site_root=True)`).
        """
        if not isinstance(request, requests.PreparedRequest):
            return self.path
        return self._relative_path(urlsplit(request.url or "").path)

    def _relative_path(self, path: str) -> str:
        """`path` without `api_url`'s own path, matched as written and as `requests` sends it.

        `requests` decodes some escapes (`%5F` is sent as `_`), so the sent path may not
        start with the configured one. A path that still holds `api_url`'s is not shown.
        """
        base = urlsplit(self.url_base).path.rstrip("/")
        sent = urlsplit(self._sent_base_url).path.rstrip("/")
        for prefix in dict.fromkeys((sent, base)):
            if prefix and path.startswith(prefix + "/"):
                return path[len(prefix) :]
        if any(prefix and prefix in path for prefix in (sent, base)):
            return "an endpoint below `api_url`"
        return path

    @functools.cached_property
    def _sent_base_url(self) -> str:
        """`api_url` as `requests` sends it."""
        return requests.Request("GET", self.url_base).prepare().url or self.url_base

    def _run_budget_message(self, request: t.Any) -> str:
        return (
            f"The run used the {self.settings.max_run_seconds} s `max_run_seconds` allows; "
            f"stopped at {self._endpoint_label(request)}."
        )

    def _refusal_message(self, response: requests.Response) -> str:
        where = response.headers.get("Location", "")
        # Its path only: a redirect back to `api_url` would show the URL's own path.
        to = self._relative_path(urlsplit(where).path)
        how = f"a redirect to {to}" if where else response.reason
        return (
            f"TimeCamp refused the `api_token` setting (HTTP {response.status_code}, {how}) "
            f"on {self._endpoint_label(response.request)}: check the token, that its user is an "
            "administrator, and that the plan allows API access."
        )

    def _forbidden_message(self, response: requests.Response) -> str:
        said = _body_message(response) or _short_body(response)
        return (
            f"TimeCamp refused {self._endpoint_label(response.request)} with HTTP 403"
            f"{said}: likely an id in `user_ids` it does not know, a permission the "
            "token's user lacks (browsing rates for `include_rates`, deletions for "
            "`track_deletions`, or this endpoint), or the `api_token` itself."
        )


def _body_message(response: requests.Response) -> str:
    """TimeCamp's own error text, if the body carries one."""
    try:
        body = _JSON_DECODER.decode(response.content)
    except msgspec.DecodeError:
        return ""
    text = body.get("message") if isinstance(body, dict) else body
    if not isinstance(text, str) or not text:
        return ""
    # One line, whatever the server put in its message.
    return ": " + " ".join(text[:200].split())


def _tries(count: int) -> str:
    return "1 try" if count == 1 else f"{count} tries"


def _short_body(response: requests.Response) -> str:
    """A short body (`[]` for unknown `user_ids`) as TimeCamp sent it, on one line."""
    text = response.content[:200].decode("utf-8", "replace")
    text = " ".join(text.split())
    return f": {text}" if text else ""


# What the SDK's own request decorator retries, and a cut at the deadline (a Timeout).
RETRIED_ERRORS = (
    ConnectionResetError,
    RetriableAPIError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _status(exception: t.Any) -> int | None:
    """The HTTP status of the answer `exception` is about, if any."""
    response = getattr(exception, "response", None)
    return None if response is None else response.status_code


def _asked_wait(exception: t.Any) -> float | None:
    """Seconds the server asked to wait: `Retry-After`, else `retry_after` in the body."""
    response = getattr(exception, "response", None)
    if response is None:
        return None
    header = response.headers.get("Retry-After")
    if header:
        return asked_seconds(header)
    try:
        body = _JSON_DECODER.decode(response.content)
    except msgspec.DecodeError:
        return None
    if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
        return asked_seconds(body["retry_after"])
    return None


def _is_object(item: t.Any) -> bool:
    """A JSON object: decoded, or still raw (its text then starts with `{`)."""
    if type(item) is msgspec.Raw:
        return memoryview(item)[:1].tobytes() == b"{"
    return isinstance(item, dict)


def _shape(body: t.Any) -> str:
    """A short description of a body, for messages: never its values."""
    if isinstance(body, dict):
        keys = ", ".join(sorted(map(str, body))[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(body, list):
        return "a list with items that are not objects"
    return f"a JSON {type(body).__name__}"


def collection(body: t.Any) -> list[dict[str, t.Any]]:
    """The objects of a collection TimeCamp sends as a list or as an object keyed by id.

    PHP turns an empty keyed collection into `[]`, so every dict-shaped endpoint can
    answer with either shape.
    """
    items = body.values() if isinstance(body, dict) else body if isinstance(body, list) else []
    return [item for item in items if isinstance(item, dict)]
