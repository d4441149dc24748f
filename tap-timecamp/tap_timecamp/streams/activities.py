"""Computer activities recorded by TimeCamp's desktop app, and the applications behind them.

Heavy streams, so not selected by default: every user's window of days is its own request.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing as t
import weakref

from tap_timecamp import answers, clock, coercion
from tap_timecamp import windows as planning
from tap_timecamp.activity_keys import ActivitiesSeen, activity
from tap_timecamp.base_stream import TimeCampStream
from tap_timecamp.lookback_keys import DELETED_AT
from tap_timecamp.streams.shared import id_batches
from tap_timecamp.streams.windowed import IncrementalStream, read_until_end_date, until

if t.TYPE_CHECKING:
    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

# `/activity` takes at most 20 dates per call, and one user.
MAX_DATES_PER_CALL = 20
APPLICATION_BATCH = 200
# TimeCamp's fixed application categories, as its own data pipeline names them.
CATEGORY_NAMES = {
    0: "No category",
    1: "Office",
    2: "Developer Tools",
    3: "Chat, VoIP & Email",
    4: "Graphic & Design",
    5: "Home",
    6: "Productivity",
    7: "Utilities & Tools",
    8: "Audio & Video",
    9: "Games",
    10: "Education",
    11: "Fun",
    12: "News & Blogs",
    13: "Reference & Search",
    14: "Shopping",
    15: "Social Networking",
    16: "Travel & Outdoors",
    17: "Business",
    18: "Hobby",
}


class UserWindow(t.NamedTuple):
    """One `/activity` call: a user and a window of up to 20 consecutive days."""

    user_id: int
    window: planning.DateWindow

    def dates(self) -> list[str]:
        """The dates of the window, as TimeCamp's `dates[]` wants them."""
        start = self.window.start
        return [(start + dt.timedelta(days=i)).isoformat() for i in range(self.window.length)]

    def __str__(self) -> str:
        return f"user {self.user_id}, {self.window.start}..{self.window.end}"


class ComputerActivitiesStream(IncrementalStream):
    """Computer activities (`/activity`), incremental on `end_time`, per user and day.

    Under the same first-run and `start_date` rules as time entries (`IncrementalStream`).
    The desktop app uploads late, so later runs re-read `activities_lookback_days` before
    the day of the last run's start. A session that runs past midnight has activities that
    end on the next day; where TimeCamp files them (under the day they started, the day
    they ended, or both) is not documented, so every activity an answer holds is kept,
    whatever its day, and one already sent in this run is not sent twice. An activity the
    last run read in the days read again, no longer answered, is sent deleted
    (`tap_timecamp.activity_keys`).
    """

    name = "computer_activities"
    path = "/activity"
    primary_keys = ("user_id", "end_time", "window_title_id")
    replication_key = "end_time"
    is_sorted = False
    selected_by_default = False
    change_filter = planning.Filter.DAY
    reads_asked_users = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Start with no application seen: `applications` reads the ids found here."""
        super().__init__(*args, **kwargs)
        self.application_ids: set[int] = set()
        # Keys of activities that ended outside the days of the call that returned them:
        # the only ones another call can return again.
        self._sent_from_other_days: set[tuple[t.Any, ...]] = set()
        # The user's window each response answers, until `parse_response` reads it.
        self.windows_answered: weakref.WeakKeyDictionary[requests.Response, UserWindow] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def overlap(self) -> int:
        """`activities_lookback_days`."""
        return self.settings.activities_lookback_days

    def read_through(self) -> dt.datetime:
        """T, or the day after `end_date` when the days stopped there."""
        return read_until_end_date(self)

    @functools.cached_property
    def user_windows(self) -> list[UserWindow]:
        """Users x windows of at most 20 days, planned from the settings and the state."""
        settings = self.settings
        windows = [
            window
            for span in until(settings.end_date, self.spans())
            for window in planning.split(span.start, span.end, MAX_DATES_PER_CALL, span.filter)
        ]
        users = list(settings.user_ids) or [
            uid
            for user in self.reads.users(self.name)
            if (uid := coercion.to_integer(user.get("user_id"))) is not None
        ]
        self.logger.info("%s: %d users x %d window(s)", self.name, len(users), len(windows))
        return [UserWindow(user, window) for user in users for window in windows]

    def get_new_paginator(self) -> planning.PlannedWindows[UserWindow]:
        """One request per user and window, as the SDK's pages."""
        return planning.PlannedWindows(self.user_windows, self.answered)

    def answered(self, user_window: UserWindow, response: requests.Response) -> None:
        """Note which user's window `response` answers."""
        self.windows_answered[response] = user_window

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The user, the dates (`dates[]` repeated) and the window titles."""
        user_window: UserWindow = next_page_token
        return {
            "user_id": str(user_window.user_id),
            "dates[]": user_window.dates(),
            "include": "window_title",
        }

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """A user's window of activities, each once, including those that end on other days."""
        user_window = self.windows_answered.pop(response)
        dates = set(user_window.dates())
        sent_here: set[tuple[t.Any, ...]] = set()
        held = False
        for item in super().parse_response(response):
            held = True
            key = tuple(str(item.get(k)) for k in self.primary_keys)
            if key in sent_here or key in self._sent_from_other_days:
                continue
            sent_here.add(key)
            end = item.get("end_time")
            if not (isinstance(end, str) and end[:10] in dates):
                self._sent_from_other_days.add(key)
            # Live: an activity sent deleted by an earlier run and back is live again.
            yield {**item, DELETED_AT: None}
        window = user_window.window
        self.activities_seen.call(
            user_window.user_id, window.start, window.end, held_activities=held
        )

    @functools.cached_property
    def activities_seen(self) -> ActivitiesSeen:
        """The activities the last run saved, and those this run reads."""
        keep_from = self.started_at.date() - dt.timedelta(days=self.overlap)
        return ActivitiesSeen.from_state(
            self.get_context_state(None), keep_from=keep_from.isoformat()
        )

    def held_back_records(self) -> t.Iterable[dict[str, t.Any]]:
        """Tombstones for the activities read before, inside this run's days, not read now."""
        seen = self.activities_seen
        for (user_id, first, last), count in sorted(seen.unjudged().items()):
            self.logger.warning(
                "%s: TimeCamp answered no activity of user %s for %s..%s, where the last run "
                "read %d: none sent deleted",
                self.name,
                user_id,
                first,
                last,
                count,
            )
        gone = seen.gone(self.read_scope)
        for removed in gone:
            yield {
                "user_id": removed.user_id,
                "end_time": removed.end_time,
                "window_title_id": removed.window_title_id,
                DELETED_AT: clock.iso_instant(self.started_at),
            }
        if gone:
            self.logger.info(
                "%s: %d activities no longer in TimeCamp: sent deleted", self.name, len(gone)
            )

    def save_keys_read(self, state: dict[str, t.Any], *, since: dt.date) -> None:
        """The activities read about the days the next run reads again, for it to judge."""
        self.activities_seen.write(state, since=since)

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Typed, with its start time; its application and (live) its key remembered."""
        typed = super().post_process(row, context)
        if typed is None:
            return None
        row = typed
        span, end = row.get("time_span"), row.get("end_time")
        if isinstance(span, int) and isinstance(end, str):
            try:
                started = dt.datetime.fromisoformat(end) - dt.timedelta(seconds=span)
                row["start_time"] = started.isoformat(sep=" ")
            except ValueError:
                row["start_time"] = None
        if isinstance(row.get("application_id"), int):
            self.application_ids.add(row["application_id"])
        if row.get(DELETED_AT) is None and isinstance(end, str):
            self.note_read(row["user_id"], end, row["window_title_id"], span)
        return row

    def note_read(self, user_id: int, end: str, window_title_id: int, span: t.Any) -> None:
        """Remember a live activity's key, if this run or the next judges it."""
        seen = self.activities_seen
        if seen.wants((user_id, end, window_title_id)):
            found = activity(user_id, end, window_title_id, span if isinstance(span, int) else None)
            if found is not None:
                seen.read(found)


class ComputerApplicationsStream(TimeCampStream):
    """The applications this run's computer activities name, with category names.

    An explicit dependency on `computer_activities`, not SDK parent/child streams: a
    child is synced once per parent record, while `/application` takes 200 ids per call
    and the ids are all known only once every activity is read. The ids that stream
    collected in this run are used; if it collected none (not selected, synced after this
    stream, or no activity named one), the activities are read here, without being written.
    """

    name = "computer_applications"
    path = "/application"
    primary_keys = ("application_id",)
    selected_by_default = False

    def __init__(
        self,
        tap: Tap,
        *,
        activities: ComputerActivitiesStream,
        reader: ComputerActivitiesStream,
    ) -> None:
        """`activities`: the stream whose records name the applications to read.

        `reader`: another instance, to read the activities here; reading through
        `activities` would spend that stream's plan.
        """
        super().__init__(tap)
        self.activities = activities
        self.activities_reader = reader

    @property
    def emit_activate_version_messages(self) -> bool:
        """Never: a run reads only the applications its activities name, not the whole set.

        An ACTIVATE_VERSION would have the target mark every other application deleted.
        """
        return False

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every application the activities named, read 200 ids per call.

        Not the SDK's request loop: its requests are the ids of another stream's records.
        """
        ids = sorted(self.activities.application_ids or self.application_ids_read_here())
        self.logger.info("%s: %d applications", self.name, len(ids))
        for batch in id_batches(ids, APPLICATION_BATCH):
            params = {"application_ids": batch}
            for app in self.client.get(
                self.path, answers.decode_collection, params, stream=self.name
            ):
                category = coercion.to_integer(app.get("category_id"))
                yield {
                    "application_id": app.get("application_id"),
                    "app_name": app.get("app_name"),
                    "aditional_info": app.get("aditional_info"),
                    "full_name": app.get("full_name"),
                    "name": _best_name(app),
                    "category_id": category,
                    "category_name": CATEGORY_NAMES.get(category or 0, CATEGORY_NAMES[0]),
                }

    def application_ids_read_here(self) -> set[int]:
        """The application ids of the activities `computer_activities` would read now.

        Its requests only: its `get_records` would move that stream's state, as if it was read.
        """
        self.logger.info("%s: reading computer activities for their applications", self.name)
        return {
            app
            for activity in self.activities_reader.request_records(None)
            if (app := coercion.to_integer(activity.get("application_id"))) is not None
        }


def _best_name(app: dict[str, t.Any]) -> str | None:
    for field in ("full_name", "aditional_info", "app_name"):
        value = app.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
