"""Streams read as a list of requests planned up front, each answered in one page."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import typing as t

from tap_timecamp import clock
from tap_timecamp.client import Page, TimeCampStream
from tap_timecamp.prefetch import prefetched

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context

Token = t.TypeVar("Token")


class PlannedStream(TimeCampStream, t.Generic[Token]):
    """A stream whose sync is one request per planned token (a date window, a user's days).

    TimeCamp's answers say nothing about a next page: the plan does, so the whole sync is
    known before the first request, and the next request is sent while the records of
    the current one are still being written.
    """

    @functools.cached_property
    def started_at(self) -> dt.datetime:
        """T: TimeCamp's clock when this stream's sync starts (Warsaw wall time)."""
        return self.timecamp_now()

    @property
    def today(self) -> dt.date:
        """TimeCamp's today at the start of the sync: what the plan is made from."""
        return self.started_at.date()

    def get_replication_key_signpost(self, context: Context | None = None) -> str:
        """T: the SDK's own bookmark (the greatest value read) is never later than T.

        A stamp written ahead of the clock (a skewed server, a desktop app's clock) then
        cannot become a bookmark in the future.
        """
        return clock.stamp(self.started_at)

    def plan(self) -> Iterable[Token]:
        """The tokens of this sync, in the order they are read; taken one at a time."""
        raise NotImplementedError

    def request_path(self, token: Token) -> str:
        """The endpoint that answers a token: the stream's own by default."""
        return self.path

    def fetch(self, token: Token) -> Page:
        """Request one token's page."""
        return self.fetch_page(self.request_path(token), self.get_url_params(None, token))

    def records_of(self, token: Token, page: Page) -> Iterable[dict[str, t.Any]]:
        """The records of one token's page."""
        return self.records_from_page(page)

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        """Every planned page's records, the next page fetched while this one is read."""
        with self.get_http_request_counter() as counter:
            counter.with_context(context)
            # Closed at once when the consumer stops: the request in flight is abandoned.
            with contextlib.closing(prefetched(self.plan(), self.fetch)) as pages:
                for token, page in pages:
                    counter.increment()
                    yield from self.records_of(token, page)
