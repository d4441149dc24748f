"""HTTP with TimeCamp: the one client every stream's pages and every shared read go through.

One `TimeCampClient` per run (the tap makes it; streams and `SharedReads` get it). It
builds requests from `api_url` or the site's root, sends each within its deadline
(`tap_timecamp.deadline`), checks the status, decodes the body inside the retried call
(`tap_timecamp.answers`), retries with its budgets, counts responses for the run summary,
writes the SDK's `http_request_duration` metric, and words every error. The API's quirks
shape it: XML unless JSON is asked for twice (header and query), a refused token
answered with a redirect to a login page as often as with 401/403, HTML or cut-off bodies
under a 200, and rate limits that say how long to wait in a header or in the body.

Libraries that do a job here: `backoff` runs the retries (with the wait generator below,
which honours what TimeCamp asks and the budgets), the SDK's `metrics` writes the duration
metric and its error classes say what is retried. urllib3's `Retry.parse_retry_after` is
not used: it refuses `Retry-After: 2.5` (a decimal, which `test_retry_waits` pins as 2.5 s)
and cannot read the number an edge puts in a body, so `tap_timecamp.retry_after` stays.

Thread-safe: requests may be in flight from several threads at once
(`max_requests_in_flight`, `tap_timecamp.in_flight`). The session's pool holds a connection
per thread; each request has its own deadline, tries and retry-wait budget; the run budget
(`max_run_seconds`), the request count and the slow-down after a 429 (`slow_down`) are
shared.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
import typing as t
from http import HTTPStatus
from urllib.parse import urlsplit

import backoff
import requests
from singer_sdk import metrics
from singer_sdk.authenticators import BearerTokenAuthenticator
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.streams.rest import HTTPRequest

from tap_timecamp import answers, deadline
from tap_timecamp.retry_after import asked_seconds
from tap_timecamp.settings import Settings
from tap_timecamp.slow_down import SlowDown

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Mapping

    from singer_sdk.helpers.types import Context

    from tap_timecamp.summary import RunSummary

Decoded = t.TypeVar("Decoded")

# Connections kept open per host: more than the requests a run has in flight at once.
POOL_SIZE = 16


class TokenRefusedError(FatalAPIError):
    """TimeCamp did not accept the API token: retrying cannot help."""


class PermissionRefusedError(FatalAPIError):
    """TimeCamp answered 403: a permission, an unknown id or the token; retrying cannot help."""


class RunBudgetSpentError(FatalAPIError):
    """The run has used the time `max_run_seconds` allows it."""


class UnexpectedBodyError(RetriableAPIError):
    """TimeCamp answered 200 with something that is not the JSON asked for."""


# What the SDK's own request decorator retries, and a cut at the deadline (a Timeout).
RETRIED_ERRORS = (
    ConnectionResetError,
    RetriableAPIError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class TimeCampClient:
    """The run's HTTP with TimeCamp: one session, its deadlines, retries and messages."""

    def __init__(
        self,
        config: Mapping[str, t.Any],
        *,
        user_agent: str,
        run_summary: RunSummary | None = None,
        logger: logging.Logger | None = None,
        metrics_logger: logging.Logger | None = None,
    ) -> None:
        """A client for the tap's `config`; its settings are checked at the first request."""
        self._config = config
        self.user_agent = user_agent
        self.run_summary = run_summary
        self.logger = logger or logging.getLogger("tap-timecamp")
        self.metrics_logger = metrics_logger or metrics.get_metrics_logger()
        # The start of `max_run_seconds`: the run's, when the tap keeps a summary.
        self.started = run_summary.started if run_summary is not None else time.monotonic()
        self.session = deadline.install(requests.Session(), pool_size=POOL_SIZE)
        self._counting = threading.Lock()
        # After a 429 or a Retry-After: when the run's requests may go again.
        self.slow_down = SlowDown()

    @functools.cached_property
    def settings(self) -> Settings:
        """The tap's checked settings."""
        return Settings.from_config(self._config)

    @property
    def url_base(self) -> str:
        """TimeCamp API base URL from the settings."""
        return self.settings.api_url

    @property
    def site_root(self) -> str:
        """`api_url` without its path: where TimeCamp's internal API lives."""
        parts = urlsplit(self.url_base)
        return f"{parts.scheme}://{parts.netloc}"

    @functools.cached_property
    def _auth(self) -> BearerTokenAuthenticator:
        """Bearer token in a header: the token never enters a URL or a log line.

        Given with every request, so `requests` never replaces it with a `.netrc` login.
        """
        return BearerTokenAuthenticator(token=self.settings.api_token)

    # Requests

    def prepare(self, request: HTTPRequest) -> requests.PreparedRequest:
        """`request` as sent: JSON asked for twice (`Accept` and `format=json`), authenticated.

        TimeCamp does not always honour the header.
        """
        request.params = {**request.params, "format": "json"}
        headers = {"Accept": "application/json", "User-Agent": self.user_agent, **request.headers}
        return self.session.prepare_request(
            requests.Request(
                method=request.method,
                url=request.url,
                params=request.encode_params(),
                headers=headers,
                auth=self._auth,
            )
        )

    def get(
        self,
        path: str,
        decode: Callable[[requests.Response], Decoded],
        params: Mapping[str, t.Any] | None = None,
        *,
        stream: str,
        from_site_root: bool = False,
    ) -> Decoded:
        """`GET path` below `api_url` (or its host, `from_site_root`), decoded by `decode`.

        `stream` names who asked, in retry lines and the duration metric.
        """
        base = self.site_root if from_site_root else self.url_base
        prepared = self.prepare(HTTPRequest(url=f"{base}{path}", params=dict(params or {})))
        return self.send(prepared, decode, stream=stream)[1]

    def send(
        self,
        prepared: requests.PreparedRequest,
        decode: Callable[[requests.Response], Decoded],
        *,
        stream: str,
        context: Context | None = None,
    ) -> tuple[requests.Response, Decoded]:
        """Send `prepared` until TimeCamp answers it usably or the retries run out.

        Each try is sent within the deadline, timed (the SDK's duration metric, tagged
        with `stream` and `context`), counted, checked and decoded; decoding inside the
        retried call makes a cut-off or HTML body retriable.
        """

        def attempt() -> tuple[requests.Response, Decoded]:
            response = self.send_within_deadline(prepared)
            self.log_duration(response, stream, context)
            self.check(response)
            return response, self.decoded(response, decode)

        return self.retried(attempt, prepared, stream=stream)()

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
        seconds = min(float(self.settings.request_timeout), self.run_seconds_left())
        if seconds <= 0:
            raise RunBudgetSpentError(self._run_budget_message(prepared))
        with deadline.deadline(seconds) as current:
            try:
                left = max(current.remaining(), 0.001)
                # What `Session.request` would add and `send` does not: the environment's
                # CA bundle (`REQUESTS_CA_BUNDLE`), proxies and client certificate.
                environment = self.session.merge_environment_settings(
                    prepared.url, {}, None, None, None
                )
                # A redirect is how TimeCamp says "log in": following it would read the
                # login page.
                response = self.session.send(
                    prepared, timeout=(left, left), allow_redirects=False, **environment
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

    def log_duration(
        self, response: requests.Response, stream: str, context: Context | None = None
    ) -> None:
        """The SDK's `http_request_duration` metric, which only its own `_request` writes."""
        tags: dict[str, t.Any] = {
            metrics.Tag.STREAM: stream,
            metrics.Tag.ENDPOINT: self.endpoint(response.request),
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

    # Answers

    def check(self, response: requests.Response) -> None:
        """Count the response, then refuse what is not an answer (the SDK's status rules).

        Every response is counted for the run summary, retries included. A redirect or 401
        is how TimeCamp refuses a token (not followed: it leads to a login page), and a
        403 gets a message naming its likely causes; neither is worth retrying. 429 and
        5xx are retried, any other 4xx is fatal.
        """
        if self.run_summary is not None:
            with self._counting:
                self.run_summary.count_request()
        status = response.status_code
        if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST or (
            status == HTTPStatus.UNAUTHORIZED
        ):
            raise TokenRefusedError(self._refusal_message(response))
        if status == HTTPStatus.FORBIDDEN:
            raise PermissionRefusedError(self._forbidden_message(response))
        if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableAPIError(self._status_message(response), response)
        if status >= HTTPStatus.BAD_REQUEST:
            raise FatalAPIError(self._status_message(response))

    def decoded(
        self, response: requests.Response, decode: Callable[[requests.Response], Decoded]
    ) -> Decoded:
        """`decode(response)`; an answer it refuses is an `UnexpectedBodyError` (retried)."""
        try:
            return decode(response)
        except answers.AnswerError as exc:
            msg = (
                f"TimeCamp answered {self.label(response.request)} with HTTP "
                f"{response.status_code} and {exc}{answers.error_text(response)}"
            )
            raise UnexpectedBodyError(msg, response) from None

    # Retries

    def run_seconds_left(self) -> float:
        """What is left of `max_run_seconds` (shared by every request of the run)."""
        return self.settings.max_run_seconds - (time.monotonic() - self.started)

    def max_tries(self) -> int:
        """The first try plus the configured retries."""
        return self.settings.max_retries + 1

    def wait_generator(self) -> Generator[float, t.Any, None]:
        """Wait as long as TimeCamp asks, else back off exponentially with jitter.

        Each wait is at most `max_retry_wait_seconds`, all of a request's waits together
        at most `max_retry_wait_total_seconds`, and none outlasts `max_run_seconds`. Once
        either total is spent the generator ends, and the request gives up with its last
        error. One generator per request: its totals are the request's own.
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

    def retried(
        self,
        call: Callable[[], Decoded],
        request: requests.PreparedRequest | None = None,
        *,
        stream: str = "",
    ) -> Callable[[], Decoded]:
        """`call` with the retries the SDK makes, its last failure as one clear line.

        Not the SDK's decorator: backoff's log lines print the exception text, and a
        `requests` error's text holds the full URL. `request` is what `call` sends,
        named in a message when the failure does not say.
        """
        tries = 0

        def count_tries(details: t.Any) -> None:
            nonlocal tries
            tries = details.get("tries", 0)

        def log_retry(details: t.Any) -> None:
            exc = details.get("exception")
            reason = str(exc) if isinstance(exc, RetriableAPIError) else type(exc).__name__
            self.logger.warning(
                "%s: retrying in %.1f s after try %d of %d: %s",
                stream,
                details.get("wait", 0.0),
                details.get("tries", 0),
                self.max_tries(),
                reason,
            )

        retrying = backoff.on_exception(
            self.wait_generator,
            RETRIED_ERRORS,
            max_tries=self.max_tries,
            on_backoff=log_retry,
            on_giveup=count_tries,
            jitter=None,
            logger=None,
        )(call)

        def call_retried() -> Decoded:
            try:
                return retrying()
            except RunBudgetSpentError:
                raise
            except RetriableAPIError as exc:
                # Not `exc.response and ...`: a failed response is falsy.
                self._raise_if_run_budget_spent(
                    exc.response.request if exc.response is not None else request
                )
                msg = f"{exc} (gave up after {_tries(tries)})"
                raise FatalAPIError(msg) from None
            except requests.RequestException as exc:
                failed = exc.request if exc.request is not None else request
                self._raise_if_run_budget_spent(failed)
                if isinstance(exc, requests.Timeout):
                    why = (
                        "no complete answer within `request_timeout` "
                        f"({self.settings.request_timeout} s)"
                    )
                else:
                    why = type(exc).__name__
                msg = f"TimeCamp request {self.label(failed)} failed after {_tries(tries)}: {why}"
                raise FatalAPIError(msg) from None

        return call_retried

    def _raise_if_run_budget_spent(self, request: t.Any) -> None:
        if self.run_seconds_left() <= 0:
            raise RunBudgetSpentError(self._run_budget_message(request)) from None

    # Messages

    def label(self, request: t.Any) -> str:
        """`GET /entries`: the endpoint below `api_url`, never its query or the URL's path.

        The query carries dates and ids, never the token (a header); `api_url`'s own path
        is the user's, so neither is printed, which keeps that true whatever they hold.
        """
        return f"GET {self.endpoint(request)}"

    def endpoint(self, request: t.Any) -> str:
        """The path of `request` below `api_url`, or below the host.

        Only the tap's own paths are outside `api_url`'s (`get(from_site_root=True)`).
        """
        if not isinstance(request, requests.PreparedRequest):
            return "an endpoint below `api_url`"
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

    def _status_message(self, response: requests.Response) -> str:
        """A failed response without its URL (the SDK's has its query) or a body dump."""
        return (
            f"TimeCamp answered {self.label(response.request)} with HTTP "
            f"{response.status_code} {response.reason}{answers.error_text(response)}"
        )

    def _run_budget_message(self, request: t.Any) -> str:
        return (
            f"The run used the {self.settings.max_run_seconds} s `max_run_seconds` allows; "
            f"stopped at {self.label(request)}."
        )

    def _refusal_message(self, response: requests.Response) -> str:
        where = response.headers.get("Location", "")
        # Its path only: a redirect back to `api_url` would show the URL's own path.
        to = self._relative_path(urlsplit(where).path)
        how = f"a redirect to {to}" if where else response.reason
        return (
            f"TimeCamp refused the `api_token` setting (HTTP {response.status_code}, {how}) "
            f"on {self.label(response.request)}: check the token, that its user is an "
            "administrator, and that the plan allows API access."
        )

    def _forbidden_message(self, response: requests.Response) -> str:
        said = answers.error_text(response) or answers.short_body(response)
        return (
            f"TimeCamp refused {self.label(response.request)} with HTTP 403"
            f"{said}: likely an id in `user_ids` it does not know, a permission the "
            "token's user lacks (browsing rates for `include_rates`, deletions for "
            "`track_deletions`, or this endpoint), or the `api_token` itself."
        )


def _tries(count: int) -> str:
    return "1 try" if count == 1 else f"{count} tries"


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
    return asked_seconds(answers.asked_wait_in_body(response))
