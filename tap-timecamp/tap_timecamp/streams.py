"""TimeCamp objects as Singer streams."""

from __future__ import annotations

import functools
import importlib.resources
import json
import typing as t

from tap_timecamp import windows
from tap_timecamp.client import TimeCampStream
from tap_timecamp.clock import server_today
from tap_timecamp.pagination import WindowPaginator

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

SCHEMAS = importlib.resources.files("tap_timecamp") / "schemas"


def load_schema(name: str) -> dict[str, t.Any]:
    """Read a stream's JSON Schema from the package's schema files."""
    return t.cast("dict[str, t.Any]", json.loads((SCHEMAS / f"{name}.json").read_text()))


class TimeEntriesStream(TimeCampStream):
    """Time entries from `/entries`, incremental on `last_modify`.

    A first run reads entries by the day they were tracked; later runs read entries by the
    day they were last changed, so an edit to an old entry arrives without re-reading
    history. Entries are not sorted by `last_modify`, so the bookmark (the greatest value
    seen) is only committed once the whole sync has been read.
    """

    name = "time_entries"
    path = "/entries"
    primary_keys = ("id",)
    replication_key = "last_modify"
    is_sorted = False

    # The setting that turns an enrichment on, and the columns it adds.
    ENRICHMENTS: t.ClassVar[dict[str, tuple[str, ...]]] = {
        "include_project": ("project_id", "project_name"),
        "include_tags": ("tags",),
        "include_breadcrumbs": ("breadcrumps",),
        "include_rates": ("total_cost", "total_income", "rate_income"),
    }
    ENRICHMENT_DEFAULTS: t.ClassVar[dict[str, bool]] = {
        "include_project": True,
        "include_tags": True,
        "include_breadcrumbs": True,
        "include_rates": False,
    }

    @functools.cached_property
    def schema(self) -> dict[str, t.Any]:
        """The legacy columns, plus the enrichment columns that are switched on."""
        schema = load_schema(self.name)
        for setting, columns in self.ENRICHMENTS.items():
            if not self.config.get(setting, self.ENRICHMENT_DEFAULTS[setting]):
                for column in columns:
                    del schema["properties"][column]
        return schema

    @property
    def bookmark(self) -> str | None:
        """The greatest `last_modify` committed by an earlier run, if any.

        Read from the state itself: the SDK's starting value falls back to `start_date`,
        which would turn a first run (by entry date) into a run by modification date.
        """
        state = self.get_context_state(None)
        if state.get("replication_key") != self.replication_key:
            return None
        return t.cast("str | None", state.get("replication_key_value"))

    @functools.cached_property
    def windows(self) -> list[windows.DateWindow]:
        """The windows this sync reads, planned from the settings and the bookmark."""
        settings = self.settings
        bookmark = self.bookmark
        planned = windows.plan(
            bookmark=bookmark,
            start_date=settings.start_date,
            end_date=settings.end_date,
            today=server_today(),
            overlap_days=settings.overlap_days,
            max_days=settings.max_window_days,
        )
        if planned:
            self.logger.info(
                "%s: %s, %d window(s) from %s to %s",
                self.name,
                f"modified since bookmark {bookmark}" if bookmark else "first run",
                len(planned),
                planned[0].start,
                planned[-1].end,
            )
        else:
            self.logger.warning("%s: nothing to read: start_date is after today", self.name)
        return planned

    def get_new_paginator(self) -> WindowPaginator:  # type: ignore[override]
        """Walk the planned windows, one request each."""
        self._paginator = WindowPaginator(self.windows)
        return self._paginator

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """Ask for one window, with the enrichments that are switched on."""
        settings = self.settings
        window: windows.DateWindow = next_page_token
        params = super().get_url_params(context, next_page_token)
        params.update(window.params())
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

    def parse_response(self, response: requests.Response) -> t.Iterable[dict[str, t.Any]]:
        """Yield a window's entries and log how many it held."""
        count = 0
        for count, entry in enumerate(super().parse_response(response), start=1):  # noqa: B007
            yield entry
        self._read += count
        self.logger.info(
            "%s: %s: %d entries (%d so far)",
            self.name,
            self._paginator.current_value,
            count,
            self._read,
        )

    _read = 0
    _paginator: WindowPaginator

    @functools.cached_property
    def _wanted_users(self) -> frozenset[str]:
        return frozenset(str(i) for i in self.settings.user_ids)

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Drop entries of users not asked for: TimeCamp sometimes includes them."""
        row = t.cast("dict[str, t.Any]", super().post_process(row, context))
        if self._wanted_users and str(row.get("user_id")) not in self._wanted_users:
            return None
        return row
