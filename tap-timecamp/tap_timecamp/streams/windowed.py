"""Incremental streams, complete up to a known time; most read as a planned list of date windows."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import typing as t
import weakref

from tap_timecamp import clock
from tap_timecamp import windows as planning
from tap_timecamp.base_stream import TimeCampStream
from tap_timecamp.progress import CHANGES_READ_THROUGH, START_DATE, ReadProgress
from tap_timecamp.scope import ReadScope
from tap_timecamp.streams.shared import is_deletions_request

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


# A stream whose state holds one of these has been read (or pinned) by an earlier run.
READ_BEFORE = frozenset({CHANGES_READ_THROUGH, START_DATE, "replication_key_value"})


def until(
    last: dt.date | None, spans: t.Iterable[planning.DateWindow]
) -> list[planning.DateWindow]:
    """`spans` cut at `last` (`end_date`), those after it left out; as they are without one."""
    if last is None:
        return list(spans)
    return [
        planning.DateWindow(span.start, min(span.end, last), span.filter)
        for span in spans
        if span.start <= last
    ]


class IncrementalStream(TimeCampStream):
    """A stream whose state says up to which moment of TimeCamp's clock it was read completely.

    The run starts at T, TimeCamp's clock read from its own answer. A first run reads from
    the first date (`start_date`, else a day pinned in the state before any record is
    sent); a later run from the day of the last successful run's T, minus `overlap`. A
    `start_date` moved before the first day an earlier run read adds those days, and a
    read scope widened since the last run (`tap_timecamp.scope`) reads again from the first
    date. Only once the whole stream has been read does the state say "complete up to T"
    (see `tap_timecamp.progress`): a run that fails half-way leaves the state where it was
    and the next run reads the same days again.
    """

    # The date a change is filed under: its deletion, its modification, the day it is about.
    change_filter = planning.Filter.MODIFIED
    # Whether `user_ids` limits what the stream reads (not deletions, not custom field values).
    reads_asked_users = False

    @functools.cached_property
    def started_at(self) -> dt.datetime:
        """T: TimeCamp's clock when the run's first stream asked for it (Warsaw wall time).

        One T a run: every stream's state then says "complete up to" the same moment, and
        an answer streams share (a deletion window) was read after every reader's T.
        """
        return self.reads.clock(self.name)

    @property
    def today(self) -> dt.date:
        """TimeCamp's today at the start of the sync: what a plan of windows is made from."""
        return self.started_at.date()

    def get_replication_key_signpost(self, context: Context | None = None) -> str | None:
        """T: the SDK's own bookmark (the greatest value read) is never later than T.

        A stamp written ahead of the clock (a skewed server, a desktop app's clock) then
        cannot become a bookmark in the future.
        """
        return clock.stamp(self.started_at)

    @functools.cached_property
    def progress(self) -> ReadProgress:
        """How far earlier runs read this stream completely."""
        return ReadProgress.from_state(
            self.get_context_state(None),
            stream=self.name,
            replication_key=t.cast("str", self.replication_key),
            now=self.started_at,
            logger=self.logger,
        )

    @functools.cached_property
    def first_date(self) -> dt.date:
        """The first date of a first run: `start_date`, else the day the first run pinned."""
        return (
            self.settings.start_date
            or self.progress.start_date
            or self.today - dt.timedelta(days=1)
        )

    @property
    def overlap(self) -> int:
        """Days a later run reads again before the day of the last run's start."""
        return self.settings.overlap_days

    @functools.cached_property
    def read_scope(self) -> ReadScope:
        """What shapes this stream's answers in this run (users, optional columns)."""
        users = self.settings.user_ids if self.reads_asked_users else ()
        return ReadScope(user_ids=frozenset(users))

    @functools.cached_property
    def scope_widened(self) -> bool:
        """Whether this run asks for more than the state's bookmark covers (logged once)."""
        widened = self.read_scope.widened_from(
            ReadScope.from_state(self.get_context_state(None), self.read_scope)
        )
        if widened and self.progress.changes_read_through is not None:
            self.logger.info(
                "%s: %s since the last run: reading again from %s",
                self.name,
                widened,
                self.first_date,
            )
            return True
        return False

    def changes_since(self) -> dt.date | None:
        """The first day of changes a later run reads; None on a first run."""
        read_through = self.progress.changes_read_through
        if read_through is None:
            return None
        return read_through.date() - dt.timedelta(days=self.overlap)

    def change_span(self, filter_: planning.Filter) -> planning.DateWindow | None:
        """The days of changes (by `filter_`) to read: since the last run, else since the start.

        Changes are dated on TimeCamp's clock, so none lies after today; a modification
        stamped ahead of the clock is read by `TimeEntriesStream` on its own.
        """
        first = self.changes_since() or self.first_date
        if self.scope_widened:
            first = min(first, self.first_date)
        return planning.DateWindow(first, self.today, filter_) if first <= self.today else None

    def days_before_read(self, filter_: planning.Filter) -> planning.DateWindow | None:
        """The days from a `start_date` moved earlier to the first day an earlier run read.

        Only on a later run: a first run reads from the first date anyway.
        """
        since, read_from = self.changes_since(), self.progress.start_date
        if since is None or read_from is None or self.first_date >= read_from:
            return None
        last = min(read_from - dt.timedelta(days=1), since - dt.timedelta(days=1))
        if self.scope_widened or last < self.first_date:
            return None
        return planning.DateWindow(self.first_date, last, filter_)

    def spans(self) -> list[planning.DateWindow]:
        """The spans read one after the other: days before those read, then changes."""
        return [
            span
            for span in (
                self.days_before_read(self.change_filter),
                self.change_span(self.change_filter),
            )
            if span is not None
        ]

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """The stream's records, then those held back to the end; then "complete up to T".

        Overridden because the SDK has no hook after a stream's last page. Nothing of that
        is written into the state if a request fails.
        """
        if self.changes_since() is None and self.settings.start_date is None:
            self.pin_start_date()
        yield from super().get_records(context)
        yield from self.held_back_records()
        state = self.get_context_state(None)
        self.progress_after_sync().write(state)
        self.read_scope.write(state)
        self.save_keys_read(state, since=self.started_at.date() - dt.timedelta(days=self.overlap))

    def save_keys_read(self, state: dict[str, t.Any], *, since: dt.date) -> None:
        """Save the keys this run read about days the next run reads again (none here).

        `since`: the first day the next run reads again, `overlap` before this run's day.
        """

    def pin_start_date(self) -> None:
        """Save the first run's default start date before any record is sent.

        Without `start_date` a first run starts yesterday; a first run that fails and is
        retried tomorrow, or an empty one, must still start from the same day, or that day
        is never read. The other incremental streams of the run that no run has read yet are
        pinned to the same day: a run that fails before they sync must not leave them a
        later first day (`time_entry_deletions` would lack deletions that `time_entries`
        tombstones).
        """
        pinned = ReadProgress(start_date=self.first_date)
        for stream in (self, *self.first_runs_alongside()):
            pinned.write(stream.get_context_state(None))
        self.parent_tap.state_writer.write_state(self.parent_tap.state)

    def first_runs_alongside(self) -> list[IncrementalStream]:
        """The other incremental streams selected in this run whose state is still empty."""
        return [
            stream
            for stream in self.parent_tap.streams.values()
            if isinstance(stream, IncrementalStream)
            and stream is not self
            and stream.selected
            and not stream.get_context_state(None).keys() & READ_BEFORE
        ]

    def held_back_records(self) -> t.Iterable[dict[str, t.Any]]:
        """Records sent after every request (none here)."""
        return ()

    def progress_after_sync(self) -> ReadProgress:
        """What the state says once every request of this sync has been answered."""
        read_from = self.progress.start_date
        return ReadProgress(
            changes_read_through=self.read_through(),
            start_date=min(read_from, self.first_date) if read_from else self.first_date,
        )

    def read_through(self) -> dt.datetime:
        """The moment up to which this sync read everything: T (see `read_until_end_date`)."""
        return self.started_at


def read_until_end_date(stream: IncrementalStream) -> dt.datetime:
    """T, or the start of the day after `end_date` when a sync of days stopped there.

    A stream of days cut at `end_date` has not read the days after it: the next run must
    read them, not only its overlap before T.
    """
    last = stream.settings.end_date
    if last is None or last >= stream.today:
        return stream.started_at
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time())


class WindowedStream(IncrementalStream):
    """An incremental stream whose sync is one request per date window, complete up to its start.

    The whole sync is planned before the first request, and the next window is requested
    while the records of the current one are still being written (`request_records`).
    TimeCamp's records are not sorted, so only the end of the whole sync moves the state.
    """

    is_sorted = False
    _read = 0
    _sizers: list[planning.SizedWindows]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Start with no window answered."""
        super().__init__(*args, **kwargs)
        # The window each response answers, until `parse_response` reads it.
        self.windows_answered: weakref.WeakKeyDictionary[requests.Response, planning.DateWindow] = (
            weakref.WeakKeyDictionary()
        )
        # Answers another stream of this run requested: no request of this one.
        self.reused: weakref.WeakSet[requests.Response] = weakref.WeakSet()

    def plan(self) -> t.Iterator[planning.DateWindow]:
        """The windows of every span: past days sized to their density, the future at once."""
        settings = self.settings
        self._sizers = []
        for span in self.spans():
            self.logger.info(
                "%s: reading %s (TimeCamp's clock: %s)",
                self.name,
                span,
                clock.stamp(self.started_at),
            )
            for part in planning.cut_at(span, self.today):
                future = part.start > self.today
                self._sizers.append(
                    planning.SizedWindows(
                        part,
                        max_days=part.length if future else settings.max_window_days,
                        target_records=settings.target_window_records,
                        first_days=part.length if future else 7,
                    )
                )
        return itertools.chain.from_iterable(self._sizers)

    def get_new_paginator(self) -> planning.PlannedWindows[planning.DateWindow]:
        """The planned windows, as the SDK's pages.

        Windows of one filter are requested together; a span of another filter only once
        every earlier window is answered. A first run's changes then come after every
        entry date: an entry moved meanwhile into days already read is among them. Within
        a filter, the windows that reach today are requested only once every earlier one
        is answered: what changes while the run reads moves into them (an edit's stamp is
        now), so an item that leaves an earlier window after it was answered is still met.
        """
        today = self.today
        return planning.PlannedWindows(
            self.plan(), self.answered, phase=lambda window: (window.filter, window.end >= today)
        )

    def answered(self, window: planning.DateWindow, response: requests.Response) -> None:
        """Note which window `response` answers, and size the next one from what it held."""
        self.windows_answered[response] = window
        self.observe(window, len(self.page_items[response]))

    def observe(self, window: planning.DateWindow, records: int) -> None:
        """Tell the plan how many records `window` held."""
        for sizer in self._sizers:
            if (
                sizer.span.filter is window.filter
                and sizer.span.start <= window.start <= sizer.span.end
            ):
                sizer.observe(window, records)
                return

    def send_request(
        self, prepared: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """A deletion window already read in this run for what this sync needs is not asked again.

        `time_entries` (its tombstones) and `time_entry_deletions` read the same deletion
        windows; whichever comes first requests them, in either order (`SharedReads.deletions`).
        """
        if not is_deletions_request(prepared):
            return super().send_request(prepared, context)
        response, reused = self.reads.deletions(
            prepared, lambda: super(WindowedStream, self).send_request(prepared, context)
        )
        if reused:
            self.reused.add(response)
            self.page_items[response] = self.client.decoded(response, self.page_of)
        return response

    def was_requested(self, response: requests.Response) -> bool:
        """An answer reused from another stream cost this one no request."""
        return response not in self.reused

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Ask for one window."""
        window: planning.DateWindow = next_page_token
        return window.params()

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """A window's records, as `records_of` keeps them; the log says how many it held."""
        window = self.windows_answered.pop(response)
        count = 0
        records = self.records_of(window, super().parse_response(response))
        for count, record in enumerate(records, start=1):  # noqa: B007
            yield record
        self._read += count
        self.logger.info("%s: %s: %d records (%d so far)", self.name, window, count, self._read)

    def records_of(
        self, window: planning.DateWindow, records: t.Iterable[dict[str, t.Any]]
    ) -> t.Iterable[dict[str, t.Any]]:
        """The records of one window that this stream sends (all of them here)."""
        return records
