"""The tap's settings: their JSON Schema and their checked, typed form.

The JSON Schema is what Meltano, `--about` and the SDK validate against; `Settings` adds
the checks a schema cannot express (real calendar dates, ranges in the right order) so
that a bad value stops the tap before any request, with one line naming the setting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing as t
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.clock import server_today

DEFAULT_API_URL = "https://app.timecamp.com/third_party/api"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CONFIG_SCHEMA: dict[str, t.Any] = th.PropertiesList(
    th.Property(
        "api_token",
        th.StringType(nullable=False),
        required=True,
        secret=True,
        title="API token",
        description=(
            "TimeCamp API token of an administrator (Settings → Your profile → API token). "
            "It only sees what its user may see. Sent as a Bearer header, never in a URL."
        ),
    ),
    th.Property(
        "api_url",
        th.StringType(nullable=False),
        default=DEFAULT_API_URL,
        title="API URL",
        description=(
            "Base URL of the TimeCamp REST API; change it for on-premise or regional hosts."
        ),
    ),
    th.Property(
        "start_date",
        th.DateType,
        title="Start date",
        description=(
            "First entry date (YYYY-MM-DD) read. Default: the day before the first run "
            "(on TimeCamp's clock), as the legacy fetch script did; the state keeps that day. "
            "Set earlier than before, the days in between are read on the next run."
        ),
    ),
    th.Property(
        "end_date",
        th.DateType,
        title="End date",
        description=(
            "Last entry date (YYYY-MM-DD, inclusive) to read. Default: none, entries booked "
            "ahead included. Use it to bound a backfill: the next run without it reads the "
            "entry dates after it. Changes are always read up to the run's start."
        ),
    ),
    th.Property(
        "overlap_days",
        th.IntegerType(nullable=False),
        default=1,
        title="Overlap days",
        description=(
            "On incremental runs, re-read entries modified (and deletions made) this many days "
            "before the day the last successful run started. TimeCamp filters them by whole "
            "days in its own timezone; the overlap also absorbs changes stamped a little "
            "before they were saved."
        ),
    ),
    th.Property(
        "max_window_days",
        th.IntegerType(nullable=False),
        default=31,
        title="Maximum window days",
        description=(
            "Longest date range asked for in one /entries request. TimeCamp does not paginate: "
            "a window bounds the size of each response."
        ),
    ),
    th.Property(
        "target_window_records",
        th.IntegerType(nullable=False),
        default=10000,
        title="Target window records",
        description=(
            "About how many entries one /entries request should return. Windows shorter than "
            "`max_window_days` are asked for where history is dense, so a response, and the "
            "tap's memory, stays about this size however busy the account."
        ),
    ),
    th.Property(
        "request_timeout",
        th.IntegerType(nullable=False),
        default=120,
        title="Request timeout",
        description="Seconds to wait for one TimeCamp response; large ranges are slow to answer.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType(nullable=False),
        default=5,
        title="Maximum retries",
        description=(
            "Retries of a request that failed with 429, 5xx, a timeout, a reset connection or a "
            "malformed body. Waits follow Retry-After when TimeCamp sends it."
        ),
    ),
    th.Property(
        "user_ids",
        th.ArrayType(th.IntegerType),
        title="User IDs",
        description=(
            "Only read time entries of these TimeCamp user ids. Default: every user the token sees."
        ),
    ),
    th.Property(
        "include_project",
        th.BooleanType(nullable=False),
        default=True,
        title="Include project",
        description="Add project_id and project_name to time entries (include_project=1).",
    ),
    th.Property(
        "include_tags",
        th.BooleanType(nullable=False),
        default=True,
        title="Include tags",
        description="Add the tags of each time entry (opt_fields=tags).",
    ),
    th.Property(
        "include_breadcrumbs",
        th.BooleanType(nullable=False),
        default=True,
        title="Include breadcrumbs",
        description=(
            "Add the path of parent tasks of each time entry, as `breadcrumps` "
            "(opt_fields=breadcrumps)."
        ),
    ),
    th.Property(
        "include_rates",
        th.BooleanType(nullable=False),
        default=False,
        title="Include rates",
        description=(
            "Add total_cost, total_income and rate_income to time entries (include_rates=1); "
            "the token's user needs permission to browse rates."
        ),
    ),
    th.Property(
        "track_deletions",
        th.BooleanType(nullable=False),
        default=True,
        title="Track deletions",
        description=(
            "Read /entries_deletions since the last run and send each deleted entry again as a "
            "tombstone: its id with `_sdc_deleted_at` set, other columns empty. An entry read "
            "live with a change at or after its deletion stays live."
        ),
    ),
    th.Property(
        "activities_lookback_days",
        th.IntegerType(nullable=False),
        default=7,
        title="Activities lookback days",
        description=(
            "computer_activities re-reads this many days before its bookmark: the desktop app "
            "uploads activities late."
        ),
    ),
).to_dict()

# Each setting's default, read from the schema so that a default is written only once.
DEFAULTS: dict[str, t.Any] = {
    name: prop.get("default") for name, prop in CONFIG_SCHEMA["properties"].items()
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings after every check, in the types the streams use."""

    api_token: str
    api_url: str
    # None when not set: the first run then starts the day before TimeCamp's today.
    start_date: dt.date | None
    end_date: dt.date | None
    overlap_days: int
    max_window_days: int
    target_window_records: int
    request_timeout: int
    max_retries: int
    user_ids: tuple[int, ...]
    include_project: bool
    include_tags: bool
    include_breadcrumbs: bool
    include_rates: bool
    track_deletions: bool
    activities_lookback_days: int

    @classmethod
    def from_config(
        cls,
        config: t.Mapping[str, t.Any],
        *,
        today: dt.date | None = None,
    ) -> Settings:
        """Check a tap config and return its typed form.

        Raises:
            ConfigValidationError: naming every setting that is wrong, one line each.
        """
        today = today or server_today()
        errors: list[str] = []

        def check(name: str, parse: t.Callable[[t.Any], t.Any], default: t.Any = None) -> t.Any:
            """The parsed value; else `default`, else the schema's default."""
            if default is None:
                default = DEFAULTS.get(name)
            value = config.get(name)
            if value is None:
                return default
            try:
                return parse(value)
            except ValueError as exc:
                errors.append(f"Setting `{name}`: {exc}")
                return default

        def flag(name: str) -> bool:
            # An explicit null, as Meltano passes an unset value, takes the default.
            return bool(check(name, bool))

        token = check("api_token", _token)
        api_url = check("api_url", _api_url)
        start_date = check("start_date", _date)
        end_date = check("end_date", _date)
        settings = cls(
            api_token=token or "",
            api_url=api_url,
            start_date=start_date,
            end_date=end_date,
            overlap_days=check("overlap_days", _count(minimum=0)),
            max_window_days=check("max_window_days", _count(minimum=1)),
            target_window_records=check("target_window_records", _count(minimum=1)),
            request_timeout=check("request_timeout", _count(minimum=1)),
            max_retries=check("max_retries", _count(minimum=0)),
            user_ids=check("user_ids", _user_ids, ()),
            include_project=flag("include_project"),
            include_tags=flag("include_tags"),
            include_breadcrumbs=flag("include_breadcrumbs"),
            include_rates=flag("include_rates"),
            track_deletions=flag("track_deletions"),
            activities_lookback_days=check("activities_lookback_days", _count(minimum=0)),
        )
        if token is None and not any(e.startswith("Setting `api_token`") for e in errors):
            errors.append("Setting `api_token` is required: the TimeCamp API token.")
        first = settings.first_date(today)
        if end_date is not None and end_date < first:
            errors.append(f"Setting `end_date` ({end_date}) is before `start_date` ({first}).")
        if errors:
            raise ConfigValidationError(errors[0], errors=errors)
        return settings

    def first_date(self, today: dt.date) -> dt.date:
        """The first date a first run reads: `start_date`, else the day before `today`."""
        return self.start_date or today - dt.timedelta(days=1)


def _token(value: t.Any) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = "is empty; set it to the TimeCamp API token"
        raise ValueError(msg)
    if any(ch.isspace() for ch in value.strip()):
        # Never echo the value: it is a secret, even when malformed.
        msg = "contains white space; paste the token alone"
        raise ValueError(msg)
    return value.strip()


def _api_url(value: t.Any) -> str:
    parts = urlsplit(str(value).strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
        msg = f"{value!r} is not an http(s) URL like {DEFAULT_API_URL}"
        raise ValueError(msg)
    return str(value).strip().rstrip("/")


def _date(value: t.Any) -> dt.date:
    text = str(value)
    if not _ISO_DATE.match(text):
        msg = f"{text!r} is not a date in the form YYYY-MM-DD"
        raise ValueError(msg)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a real calendar date"
        raise ValueError(msg) from None


def _count(*, minimum: int) -> t.Callable[[t.Any], int]:
    def parse(value: t.Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            msg = f"{value!r} must be a whole number of at least {minimum}"
            raise ValueError(msg)
        return value

    return parse


def _user_ids(value: t.Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else value
    try:
        ids = tuple(int(item) for item in items)
    except (TypeError, ValueError):
        msg = f"{value!r} must be a list of TimeCamp user ids (whole numbers)"
        raise ValueError(msg) from None
    if any(i <= 0 for i in ids):
        msg = f"{value!r} must hold positive user ids"
        raise ValueError(msg)
    return ids
