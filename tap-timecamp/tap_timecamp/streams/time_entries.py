"""Time entries, the heart of the tap, and their deletions."""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from tap_timecamp import answers, clock
from tap_timecamp import windows as planning
from tap_timecamp.progress import ReadProgress
from tap_timecamp.scope import ReadScope
from tap_timecamp.streams.shared import DELETIONS_PATH
from tap_timecamp.streams.windowed import WindowedStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext


class TimeEntriesStream(WindowedStream):
    """Time entries from `/entries`, incremental on `last_modify`.

    A run reads, in this order:

    1. the deletions since the last run (`/entries_deletions`, by deletion date), held
       back;
    2. the entry dates not read yet: from `start_date` (or the day after
       `entry_dates_read_through`) to `end_date`, or to the last date there is
       (`windows.HORIZON`), so entries booked ahead are read too;
    3. the entries changed since the last run's start T, minus `overlap_days`, up to
       the horizon (a stamp ahead of the clock is still a change); on a first run, since
       its own T's day minus `overlap_days`, keeping only entries dated in 2: an entry
       moved while 2 is read, into days already read, is read here;
    4. the deletions held back, as tombstones (the id with `_sdc_deleted_at` set, every
       other column empty), except those of entries read live in 2 or 3 with a
       `last_modify` at or after the deletion: a restored entry stays live.
    """

    name = "time_entries"
    path = "/entries"
    primary_keys = ("id",)
    replication_key = "last_modify"

    # The setting that turns an enrichment on, and the columns it adds.
    ENRICHMENTS: t.ClassVar[dict[str, tuple[str, ...]]] = {
        "include_project": ("project_id", "project_name"),
        "include_tags": ("tags",),
        "include_breadcrumbs": ("breadcrumps",),
        "include_rates": ("total_cost", "total_income", "rate_income"),
        "track_deletions": ("_sdc_deleted_at",),
    }

    @functools.cached_property
    def schema(self) -> dict[str, t.Any]:
        """The legacy columns, plus the enrichment columns that are switched on."""
        schema = super().schema
        left_out = {
            column
            for setting, columns in self.ENRICHMENTS.items()
            if not getattr(self.settings, setting)
            for column in columns
        }
        properties = {k: v for k, v in schema["properties"].items() if k not in left_out}
        return {**schema, "properties": properties}

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Start with no deletion held back."""
        super().__init__(*args, **kwargs)
        self.held_deletions: dict[str, dict[str, t.Any]] = {}
        # Held deletions filed before the first day of this run's change span: a restore
        # of their entry may be older than that span, and is seen only by its entry date.
        self.deletions_before_changes: set[str] = set()
        # On a first run, the entries read by date that its change span would send again.
        self.sent_changed_since_start: set[tuple[str, t.Any, t.Any]] = set()
        self.ids_changed_since_start: set[str] = set()

    @functools.cached_property
    def entry_date_spans(self) -> list[planning.DateWindow]:
        """The entry dates not read yet: before the first date read, and after the last.

        Every date, when the read scope widened (a user, an enrichment): the dates read
        before lack that user's entries or that column.
        """
        settings, progress = self.settings, self.progress
        last = settings.end_date or planning.HORIZON
        read_from, read_through = progress.start_date, progress.entry_dates_read_through
        if read_through is None or read_from is None or self.scope_widened:
            candidates = [(self.first_date, last)]
        else:
            candidates = [(self.first_date, read_from - dt.timedelta(days=1))]
            # Read through HORIZON, the last date there is, no date is left after it.
            if read_through < last:
                candidates.append((read_through + dt.timedelta(days=1), last))
        return [
            planning.DateWindow(first, end, planning.Filter.ENTRY_DATE)
            for first, end in candidates
            if first <= end
        ]

    @functools.cached_property
    def read_scope(self) -> ReadScope:
        """The users asked for, and the enrichments that add columns to past rows."""
        enrichments = ("include_project", "include_tags", "include_breadcrumbs", "include_rates")
        return ReadScope(
            user_ids=frozenset(self.settings.user_ids),
            columns=frozenset(name for name in enrichments if getattr(self.settings, name)),
        )

    def spans(self) -> list[planning.DateWindow]:
        """Deletions (held back), then entry dates not read yet, then changes since T."""
        spans: list[planning.DateWindow] = []
        if self.settings.track_deletions and (deleted := self.change_span(planning.Filter.DELETED)):
            spans.append(deleted)
        spans += self.entry_date_spans
        if (since := self.changes_read_from) is not None:
            spans.append(planning.DateWindow(since, planning.HORIZON, planning.Filter.MODIFIED))
        return spans

    @functools.cached_property
    def changes_read_from(self) -> dt.date | None:
        """The first day of the changes this run reads by modification; None if it reads none."""
        since = self.changes_since()
        if since is None and self.entry_date_spans:
            # An entry moved during a first run from days not read yet into days already
            # read is in no entry-date window; its change, stamped after T, is read here.
            since = self.today - dt.timedelta(days=self.settings.overlap_days)
        return since

    def reads_entry_date(self, day: dt.date) -> bool:
        """Whether this run reads the entries dated `day` by entry date."""
        return any(span.start <= day <= span.end for span in self.entry_date_spans)

    def progress_after_sync(self) -> ReadProgress:
        """T, and the entry dates now read through.

        After a widened scope, only those this run read: the dates after them were read
        without the new user or column, so the next run reads them again.
        """
        before = None if self.scope_widened else self.progress.entry_dates_read_through
        read = [before, *(s.end for s in self.entry_date_spans)]
        return ReadProgress(
            changes_read_through=self.started_at,
            entry_dates_read_through=max(d for d in read if d is not None) if any(read) else None,
            start_date=super().progress_after_sync().start_date,
        )

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        """Deletion windows are read from `/entries_deletions`."""
        request = super().get_http_request(page=page)
        window = t.cast("planning.DateWindow", page.next_page_token)
        if window.filter is planning.Filter.DELETED:
            request.url = f"{self.url_base}{DELETIONS_PATH}"
        return request

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Ask for one window, with the enrichments that are switched on."""
        params = super().get_url_params(context, next_page_token)
        window: planning.DateWindow = next_page_token
        if window.filter is planning.Filter.DELETED:
            return params
        settings = self.settings
        if settings.user_ids:
            params["user_ids"] = ",".join(str(i) for i in settings.user_ids)
        opt_fields = [
            field
            for field, wanted in (
                ("tags", settings.include_tags),
                ("breadcrumps", settings.include_breadcrumbs),
            )
            if wanted
        ]
        if opt_fields:
            params["opt_fields"] = ",".join(opt_fields)
        if settings.include_project:
            params["include_project"] = "1"
        if settings.include_rates:
            params["include_rates"] = "1"
        return params

    def records_of(
        self, window: planning.DateWindow, records: t.Iterable[dict[str, t.Any]]
    ) -> t.Iterable[dict[str, t.Any]]:
        """Entries as TimeCamp sends them; deletions are held back until every entry is read."""
        if window.filter is planning.Filter.DELETED:
            self.hold_deletions(window, records)
            return ()
        entries = self.live_entries(records)
        if self.changes_since() is not None:
            return entries
        if window.filter is planning.Filter.ENTRY_DATE:
            return self.noting_changed_since_start(entries)
        # A first run reads these changes only for what changed while it ran (an entry
        # moved into days already read): the rest it has just read by date, and a target
        # that appends (target-jsonl) would get them twice. It sends only its own entry
        # dates (a bounded backfill returns exactly its days), and not again an entry it
        # read by date as it is (one stamped ahead of the clock); a live entry still
        # cancels its held deletion.
        return (
            entry
            for entry in entries
            if self.changed_since_start(entry)
            and (day := entry_date(entry)) is not None
            and self.reads_entry_date(day)
            and sent_as(entry) not in self.sent_changed_since_start
        )

    def hold_deletions(
        self, window: planning.DateWindow, deletions: t.Iterable[dict[str, t.Any]]
    ) -> None:
        """Hold a window's deletions to the end, noting those filed before the change span.

        A restore is an entry's change, stamped after its deletion: the change span reads it
        for a deletion filed on or after its first day. A deletion filed earlier (a first
        run, or a widened scope, reads deletions from the first date) may have been undone
        before that span: its entry must be read live some other way before it is trusted.
        """
        since = self.changes_read_from
        before_changes = since is None or window.start < since
        for deletion in deletions:
            key = str(deletion.get("entry_id"))
            self.held_deletions[key] = deletion
            if before_changes:
                self.deletions_before_changes.add(key)
            else:
                self.deletions_before_changes.discard(key)

    def noting_changed_since_start(
        self, entries: t.Iterable[dict[str, t.Any]]
    ) -> t.Iterator[dict[str, t.Any]]:
        """The entries, remembering those the first run's change span reads again.

        Windows in flight together are answered in any order: an entry moved between two
        of them during the run may be read changed in the window sent first and as it was
        in one sent later. That older version (unchanged since T, where a version changed
        since T was sent) is not sent after the newer one.
        """
        for entry in entries:
            if self.changed_since_start(entry):
                self.sent_changed_since_start.add(sent_as(entry))
                self.ids_changed_since_start.add(str(entry.get("id")))
            elif (
                self.ids_changed_since_start
                and str(entry.get("id")) in self.ids_changed_since_start
            ):
                continue
            yield entry

    def changed_since_start(self, entry: dict[str, t.Any]) -> bool:
        """Whether the entry's last change is at or after T (or has no usable stamp)."""
        modified = clock.parse_stamp(entry.get("last_modify"))
        return modified is None or modified >= self.started_at

    def live_entries(self, entries: t.Iterable[dict[str, t.Any]]) -> t.Iterator[dict[str, t.Any]]:
        """The entries; a held-back deletion that one of them is newer than is dropped."""
        held = self.held_deletions
        for entry in entries:
            if held:
                key = str(entry.get("id"))
                deletion = held.get(key)
                if deletion is not None and not deleted_after(deletion, entry):
                    del held[key]
            yield entry

    def held_back_records(self) -> t.Iterable[dict[str, t.Any]]:
        """The deletions no entry read in this run outlived, as tombstones."""
        self.drop_deletions_outlived_outside_entry_dates()
        for deletion in self.held_deletions.values():
            yield self.tombstone(deletion)
        self.held_deletions = {}
        self.deletions_before_changes = set()

    def drop_deletions_outlived_outside_entry_dates(self) -> None:
        """Read the days of deletions filed before the changes read; drop the outlived ones.

        A deletion filed before the change span (`hold_deletions`) of an entry dated outside
        the entry dates this run reads may have been undone before that span: the entry is
        then read neither by date nor as a change, yet a target may hold its row (a table
        the legacy scripts filled, or an earlier run's). So the days of those deletions are
        read (one request a day, on a first run or a widened scope only): a live entry
        cancels its deletion, and the rest are tombstoned.
        """
        dates = sorted(
            {
                day
                for key in self.deletions_before_changes
                if (deletion := self.held_deletions.get(key)) is not None
                and (day := entry_date(deletion)) is not None
                and not self.reads_entry_date(day)
            }
        )
        for day in dates:
            window = planning.DateWindow(day, day, planning.Filter.ENTRY_DATE)
            params = self.get_url_params(None, window)
            entries = self.client.get(
                self.path, answers.decode_collection, params, stream=self.name
            )
            for _ in self.live_entries(entries):
                pass

    def tombstone(self, deletion: dict[str, t.Any]) -> dict[str, t.Any]:
        """The time-entry record that tells a target entry `entry_id` was deleted.

        Its `last_modify` is the deletion time, the entry's last change. A deletion
        without a usable time (null, a zero date) is still a deletion: it happened before
        this run started, so T stands for its time, and it sets no bookmark.
        """
        edited = clock.parse_stamp(deletion.get("edited"))
        if edited is None:
            self.logger.warning(
                "%s: TimeCamp's deletion of entry %s has no usable time (edited = %r): "
                "marked deleted at this run's start, %s",
                self.name,
                deletion.get("entry_id"),
                deletion.get("edited"),
                clock.stamp(self.started_at),
            )
        return {
            "id": deletion.get("entry_id"),
            "user_id": deletion.get("user_id"),
            "last_modify": clock.stamp(edited) if edited else None,
            "_sdc_deleted_at": clock.iso_instant(edited or self.started_at),
        }

    @functools.cached_property
    def _wanted_users(self) -> frozenset[str]:
        return frozenset(str(i) for i in self.settings.user_ids)

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Typed; entries of users not asked for are dropped: TimeCamp sometimes includes them."""
        typed = super().post_process(row, context)
        if typed is None:
            return None
        row = typed
        if self._wanted_users and str(row.get("user_id")) not in self._wanted_users:
            return None
        return row


class TimeEntryDeletionsStream(WindowedStream):
    """Who deleted which time entry, when: `/entries_deletions`, by deletion date.

    It reads the same deletion days as `time_entries` (from `start_date` on a first run,
    from the day of the last run's start minus the overlap later), so the deletions table
    explains every tombstone.
    """

    name = "time_entry_deletions"
    path = DELETIONS_PATH
    primary_keys = ("entry_id",)
    replication_key = "edited"
    change_filter = planning.Filter.DELETED

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """A deletion whose `edited` is not a time (null, a zero date) keeps it empty.

        It is still a deletion, reported with a warning; its `edited` is never a bookmark.
        """
        edited = row.get("edited")
        if clock.parse_stamp(edited) is None:
            self.logger.warning(
                "%s: TimeCamp's deletion of entry %s has no usable time (edited = %r)",
                self.name,
                row.get("entry_id"),
                edited,
            )
            row = {**row, "edited": None}
        return super().post_process(row, context)


def deleted_after(deletion: dict[str, t.Any], entry: dict[str, t.Any]) -> bool:
    """Whether a deletion is newer than a live record of its entry (`edited` > `last_modify`).

    The deletions were read before the entries, so an entry still read live outlived
    its deletion unless the deletion is stamped after the entry's last change. Stamps
    are Warsaw wall times: in the hour repeated when the clock goes back, a restore can
    be stamped before the deletion it undid, so there the live record wins.
    """
    edited = clock.parse_stamp(deletion.get("edited"))
    modified = clock.parse_stamp(entry.get("last_modify"))
    if edited is None or modified is None:
        return False
    if clock.is_ambiguous(edited) or clock.is_ambiguous(modified):
        return False
    return edited > modified


def entry_date(record: dict[str, t.Any]) -> dt.date | None:
    """The entry date an entry or a deletion tells; None if it does not."""
    try:
        return dt.date.fromisoformat(str(record.get("date")))
    except ValueError:
        return None


def sent_as(entry: dict[str, t.Any]) -> tuple[str, t.Any, t.Any]:
    """What tells one version of an entry from another: its id, last change and date."""
    return str(entry.get("id")), entry.get("last_modify"), entry.get("date")
