"""The tap's settings: their JSON Schema and their checked, typed form.

The JSON Schema is what Meltano, `--about` and the SDK validate against; `Settings` adds
the checks a schema cannot express (real calendar dates, ranges in the right order) so
that a bad value stops the tap before any request, with one line naming the setting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
import typing as t
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.clock import server_today

DEFAULT_API_URL = "https://app.timecamp.com/third_party/api"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _whole_number(
    name: str, *, title: str, default: int, minimum: int, maximum: int, description: str
) -> th.Property[t.Any]:
    """An integer setting with bounds.

    The bounds are in its schema, and in its description for Meltano, whose setting
    definitions have no place for them.
    """
    return th.Property(
        name,
        th.IntegerType(nullable=False, minimum=minimum, maximum=maximum),
        default=default,
        title=title,
        description=f"{description} From {minimum} to {maximum}.",
    )


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
    _whole_number(
        "overlap_days",
        title="Overlap days",
        default=1,
        minimum=1,
        maximum=366,
        description=(
            "On incremental runs, re-read entries modified (and deletions made) this many days "
            "before the day the last successful run started. TimeCamp filters them by whole "
            "days in its own timezone; the overlap also absorbs changes stamped a little "
            "before they were saved (with 0, a change stamped before midnight and saved after a "
            "run read that day would be missed)."
        ),
    ),
    _whole_number(
        "max_window_days",
        title="Maximum window days",
        default=31,
        minimum=1,
        maximum=366,
        description=(
            "Longest date range asked for in one /entries request. TimeCamp does not paginate: "
            "a window bounds the size of each response."
        ),
    ),
    _whole_number(
        "target_window_records",
        title="Target window records",
        default=10000,
        minimum=1,
        maximum=1_000_000,
        description=(
            "About how many entries one /entries request should return. Windows shorter than "
            "`max_window_days` are asked for where history is dense, so a response, and the "
            "tap's memory, stays about this size however busy the account."
        ),
    ),
    _whole_number(
        "request_timeout",
        title="Request timeout",
        default=120,
        minimum=1,
        maximum=3600,
        description=(
            "Seconds one TimeCamp request may take in all: connecting, waiting, and reading "
            "the whole answer. A slower answer is cut and retried; large ranges are slow."
        ),
    ),
    _whole_number(
        "max_retries",
        title="Maximum retries",
        default=5,
        minimum=0,
        maximum=20,
        description=(
            "Retries of a request that failed with 429, 5xx, a timeout, a reset connection or a "
            "malformed body. Waits follow Retry-After when TimeCamp sends it."
        ),
    ),
    _whole_number(
        "max_retry_wait_seconds",
        title="Maximum retry wait seconds",
        default=300,
        minimum=1,
        maximum=3600,
        description=(
            "Longest wait before one retry, whatever Retry-After asks. A Retry-After that is "
            "not seconds or an HTTP date is ignored: the tap backs off on its own."
        ),
    ),
    _whole_number(
        "max_retry_wait_total_seconds",
        title="Maximum total retry wait seconds",
        default=900,
        minimum=1,
        maximum=86400,
        description=(
            "Longest a request may wait between its tries, all waits together; then it "
            "fails with its last error."
        ),
    ),
    _whole_number(
        "max_run_seconds",
        title="Maximum run seconds",
        default=14400,
        minimum=60,
        maximum=604800,
        description=(
            "Longest a run may take; a run still reading TimeCamp then fails with one line, "
            "so that a stuck daily load ends before the next begins."
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
    _whole_number(
        "activities_lookback_days",
        title="Activities lookback days",
        default=7,
        minimum=0,
        maximum=366,
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
    max_retry_wait_seconds: int
    max_retry_wait_total_seconds: int
    max_run_seconds: int
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
            overlap_days=check("overlap_days", _count("overlap_days")),
            max_window_days=check("max_window_days", _count("max_window_days")),
            target_window_records=check("target_window_records", _count("target_window_records")),
            request_timeout=check("request_timeout", _count("request_timeout")),
            max_retries=check("max_retries", _count("max_retries")),
            max_retry_wait_seconds=check(
                "max_retry_wait_seconds", _count("max_retry_wait_seconds")
            ),
            max_retry_wait_total_seconds=check(
                "max_retry_wait_total_seconds", _count("max_retry_wait_total_seconds")
            ),
            max_run_seconds=check("max_run_seconds", _count("max_run_seconds")),
            user_ids=check("user_ids", _user_ids, ()),
            include_project=flag("include_project"),
            include_tags=flag("include_tags"),
            include_breadcrumbs=flag("include_breadcrumbs"),
            include_rates=flag("include_rates"),
            track_deletions=flag("track_deletions"),
            activities_lookback_days=check(
                "activities_lookback_days", _count("activities_lookback_days")
            ),
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
    if not (value.strip().isascii() and value.strip().isprintable()):
        # An HTTP header cannot carry it: the request would fail with a raw traceback.
        msg = "contains characters other than printable ASCII; paste the token alone"
        raise ValueError(msg)
    return value.strip()


# Settings whose values no message may show: the token, and the URL (it may hold one).
UNSHOWN_SETTINGS = tuple(
    name
    for name, prop in CONFIG_SCHEMA["properties"].items()
    if prop.get("secret") or name == "api_url"
)


def without_unshown_values(error: ConfigValidationError) -> ConfigValidationError:
    """The SDK's schema errors, with those about a secret setting told without its value.

    The SDK writes the rejected value into its messages (`123 is not of type 'string' in
    config['api_token']`): a token given as a number would reach the log.
    """
    errors = [
        next(
            (
                f"Setting `{name}` does not have the form the config schema asks for "
                "(its value is not shown)"
                for name in UNSHOWN_SETTINGS
                if f"config[{name!r}]" in message
            ),
            message,
        )
        for message in error.errors
    ]
    return ConfigValidationError(str(error), errors=errors, schema=error.schema)


def _api_url(value: t.Any) -> str:
    """A base URL the token may travel to; errors never echo it (it may hold a secret)."""
    text = str(value).strip()
    not_a_url = f"is not an http(s) URL like {DEFAULT_API_URL}"
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueError(not_a_url) from None
    if parts.scheme not in {"http", "https"} or not host:
        raise ValueError(not_a_url)
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        msg = (
            "must not have a query string or fragment (the token goes in the `api_token` "
            f"setting, never in the URL): use a URL like {DEFAULT_API_URL}"
        )
        raise ValueError(msg)
    if parts.username is not None or parts.password is not None:
        msg = "must not hold a user name or password: the token goes in `api_token`"
        raise ValueError(msg)
    if "api_token" in parts.path.lower().split("/"):
        msg = "must not hold an api_token path segment: the token goes in `api_token`"
        raise ValueError(msg)
    if parts.scheme != "https" and not _is_loopback(host):
        msg = "must use https: over http the token would travel in clear text"
        raise ValueError(msg)
    return text.rstrip("/")


def _is_loopback(host: str) -> bool:
    """This machine (127.0.0.0/8, ::1, localhost): a local simulator may use http."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def _count(name: str) -> t.Callable[[t.Any], int]:
    """A whole number within the bounds the schema gives setting `name`."""
    bounds = CONFIG_SCHEMA["properties"][name]
    minimum, maximum = bounds["minimum"], bounds["maximum"]

    def parse(value: t.Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            msg = f"{value!r} must be a whole number from {minimum} to {maximum}"
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
