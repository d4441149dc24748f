"""Time entries: the heart of the tap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing as t

from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_timecamp import clock, conform, schemas
from tap_timecamp import windows as planning
from tap_timecamp.settings import DEFAULTS
from tap_timecamp.streams.windowed import WindowedStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_timecamp.client import Page

DELETIONS_PATH = "/entries_deletions"


class TimeEntriesStream(WindowedStream):
    """Time entries from `/entries`, incremental on `last_modify`.

    A first run reads entries by the day they were tracked; later runs read entries by the
    day they were last changed, so an edit to an old entry arrives without re-reading
    history. TimeCamp's deletions arrive too, over the same windows: a deleted entry is
    sent again as a tombstone, its id with `_sdc_deleted_at` set and every other column
    empty, so an upserting target marks the row deleted instead of keeping it forever.
    """

    name = "time_entries"
    path = "/entries"
    primary_keys = ("id",)
    replication_key = "last_modify"
    # post_process conforms records to the effective schema, as the SDK would, at a
    # fraction of the cost (see `tap_timecamp.conform`).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    _conformer_schema: dict[str, t.Any] | None = None
    _conformer: conform.Conformer

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
        schema = schemas.load(self.name)
        for setting, columns in self.ENRICHMENTS.items():
            if not self.config.get(setting, DEFAULTS[setting]):
                for column in columns:
                    del schema["properties"][column]
        return schema

    def spans(self) -> list[planning.DateWindow]:
        """The entries' days, then the same days again for deletions."""
        spans = super().spans()
        if not self.settings.track_deletions:
            return spans
        return spans + [dataclasses.replace(span, filter=planning.Filter.DELETED) for span in spans]

    def request_path(self, token: planning.DateWindow) -> str:
        """Deletion windows are read from `/entries_deletions`."""
        return DELETIONS_PATH if token.filter is planning.Filter.DELETED else self.path

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

    def window_records(
        self, window: planning.DateWindow, page: Page
    ) -> t.Iterable[dict[str, t.Any]]:
        """Entries as TimeCamp sends them; deletions as tombstones."""
        records = super().window_records(window, page)
        if window.filter is planning.Filter.DELETED:
            return (tombstone(deletion) for deletion in records)
        return records

    @functools.cached_property
    def _wanted_users(self) -> frozenset[str]:
        return frozenset(str(i) for i in self.settings.user_ids)

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Drop entries of users not asked for: TimeCamp sometimes includes them.

        Then conform the entry to the effective schema, which the SDK is told not to do.
        """
        row = t.cast("dict[str, t.Any]", super().post_process(row, context))
        if self._wanted_users and str(row.get("user_id")) not in self._wanted_users:
            return None
        schema = self.effective_schema
        if self._conformer_schema is not schema:
            self._conformer = conform.compile_conformer(schema)
            self._conformer_schema = schema
        record, unmapped = self._conformer(row, None)
        if unmapped:
            conform.warn_unmapped(self.name, tuple(unmapped), self.logger)
        return record


def tombstone(deletion: dict[str, t.Any]) -> dict[str, t.Any]:
    """The time-entry record that tells a target entry `entry_id` was deleted.

    Its `last_modify` is the deletion time, the entry's last change, which also keeps the
    bookmark moving on days that only saw deletions.
    """
    edited = deletion.get("edited")
    return {
        "id": deletion.get("entry_id"),
        "user_id": deletion.get("user_id"),
        "last_modify": edited,
        "_sdc_deleted_at": server_time_to_iso(edited),
    }


def server_time_to_iso(stamp: t.Any) -> str | None:
    """TimeCamp's "YYYY-MM-DD HH:MM:SS" (Warsaw wall time) as an ISO 8601 instant."""
    if not isinstance(stamp, str):
        return None
    try:
        local = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return local.replace(tzinfo=clock.SERVER_TIMEZONE).isoformat()
