"""Computer activities recorded by TimeCamp's desktop app, and the applications behind them.

Heavy streams, so not selected by default: every user and day is its own slice.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from tap_timecamp import coercion
from tap_timecamp import windows as planning
from tap_timecamp.client import TimeCampStream
from tap_timecamp.streams.planned import PlannedStream

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_timecamp.client import Page
    from tap_timecamp.streams.shared import SharedReads

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


class Slice(t.NamedTuple):
    """One `/activity` call: a user and up to 20 consecutive days."""

    user_id: int
    window: planning.DateWindow

    def days(self) -> list[str]:
        """The days of the slice, as TimeCamp's `dates[]` wants them."""
        start = self.window.start
        return [(start + dt.timedelta(days=i)).isoformat() for i in range(self.window.length)]

    def __str__(self) -> str:
        return f"user {self.user_id}, {self.window.start}..{self.window.end}"


class ComputerActivitiesStream(PlannedStream[Slice]):
    """Computer activities (`/activity`), incremental on `end_time`, per user and day.

    The desktop app uploads late, so later runs re-read `activities_lookback_days` before
    the bookmark. A session that runs past midnight has activities that end on the next
    day; where TimeCamp files them (under the day they started, the day they ended, or
    both) is not documented, so every activity an answer holds is kept, whatever its
    day, and one already sent in this run is not sent twice.
    """

    name = "computer_activities"
    path = "/activity"
    primary_keys = ("user_id", "end_time", "window_title_id")
    replication_key = "end_time"
    is_sorted = False
    selected_by_default = False
    # The run's shared answers, where `/users` is read once (set by `all_streams`).
    reads: SharedReads

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Start with no application seen: `applications` reads the ids found here."""
        super().__init__(*args, **kwargs)
        self.application_ids: set[int] = set()
        # Keys of activities that ended outside the days of the call that returned them:
        # the only ones another call can return again.
        self._sent_from_other_days: set[tuple[t.Any, ...]] = set()

    @property
    def bookmark(self) -> str | None:
        """The greatest replication value committed by an earlier run, if any.

        Read from the state itself: the SDK's starting value falls back to `start_date`,
        which would make every run look like a later one.
        """
        state = self.get_context_state(None)
        if state.get("replication_key") != self.replication_key:
            return None
        return t.cast("str | None", state.get("replication_key_value"))

    @functools.cached_property
    def slices(self) -> list[Slice]:
        """Users x windows of at most 20 days, planned from the settings and bookmark."""
        settings = self.settings
        today = self.today
        days = planning.plan(
            bookmark=self.bookmark,
            start_date=settings.first_date(today),
            end_date=settings.end_date,
            today=today,
            overlap_days=settings.activities_lookback_days,
            max_days=MAX_DATES_PER_CALL,
        )
        users = list(settings.user_ids) or [
            uid
            for user in self.reads.users(self)
            if (uid := coercion.to_integer(user.get("user_id"))) is not None
        ]
        self.logger.info("%s: %d users x %d window(s)", self.name, len(users), len(days))
        return [Slice(user, window) for user in users for window in days]

    def plan(self) -> list[Slice]:
        """One request per user and window."""
        return self.slices

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The user, the days (`dates[]` repeated) and the window titles."""
        piece: Slice = next_page_token
        return {
            **super().get_url_params(context, next_page_token),
            "user_id": str(piece.user_id),
            "dates[]": piece.days(),
            "include": "window_title",
        }

    def records_of(self, token: Slice, page: Page) -> t.Iterable[dict[str, t.Any]]:
        """The slice's activities, each once, including those that end on other days."""
        days = set(token.days())
        sent_here: set[tuple[t.Any, ...]] = set()
        for activity in super().records_of(token, page):
            key = tuple(str(activity.get(k)) for k in self.primary_keys)
            if key in sent_here or key in self._sent_from_other_days:
                continue
            sent_here.add(key)
            end = activity.get("end_time")
            if not (isinstance(end, str) and end[:10] in days):
                self._sent_from_other_days.add(key)
            yield activity

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """Typed, with its start time, and its application remembered."""
        row = t.cast("dict[str, t.Any]", super().post_process(row, context))
        span, end = row.get("time_span"), row.get("end_time")
        if isinstance(span, int) and isinstance(end, str):
            try:
                started = dt.datetime.fromisoformat(end) - dt.timedelta(seconds=span)
                row["start_time"] = started.isoformat(sep=" ")
            except ValueError:
                row["start_time"] = None
        if isinstance(row.get("application_id"), int):
            self.application_ids.add(row["application_id"])
        return row


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

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every application the activities named, read 200 ids per call.

        Not the SDK's request loop: its requests are the ids of another stream's records.
        """
        ids = sorted(self.activities.application_ids or self.application_ids_read_here())
        self.logger.info("%s: %d applications", self.name, len(ids))
        for start in range(0, len(ids), APPLICATION_BATCH):
            batch = ids[start : start + APPLICATION_BATCH]
            ids_param = {"application_ids": ",".join(map(str, batch))}
            for app in self.fetch_collection(self.path, ids_param):
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
        """The application ids of the activities `computer_activities` would read now."""
        self.logger.info("%s: reading computer activities for their applications", self.name)
        return {
            app
            for activity in self.activities_reader.get_records(None)
            if (app := coercion.to_integer(activity.get("application_id"))) is not None
        }


def _best_name(app: dict[str, t.Any]) -> str | None:
    for field in ("full_name", "aditional_info", "app_name"):
        value = app.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
