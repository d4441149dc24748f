"""The tap's settings: their JSON Schema and their checked, typed form.

The config schema is the one declaration of every setting: its type, bounds, default and
description, what `--about`, Meltano and the README show (`tests/test_settings_agree.py`).
`Settings` checks a config against it, and adds what a schema cannot say (a token fit for
a header, a URL the token may travel to, dates in the right order), so that a bad value
stops the tap before any request with one line naming the setting, never its secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import ipaddress
import os
import typing as t
from urllib.parse import unquote, urlsplit

import requests
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from tap_timecamp.clock import server_today

if t.TYPE_CHECKING:
    from jsonschema import ValidationError

DEFAULT_API_URL = "https://app.timecamp.com/third_party/api"


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
    _whole_number(
        "max_requests_in_flight",
        title="Maximum requests in flight",
        default=2,
        minimum=1,
        maximum=10,
        description=(
            "Requests that do not depend on each other (date windows, a user's activity "
            "windows, custom field values, rate and user batches, group schedules) sent at "
            "once. TimeCamp answers from far away, so a run waits about the sum of its "
            "requests' round trips divided by this. The default stays well under 10 "
            "requests a second at a round trip of 300 ms; a 429 holds back every request. "
            "1 sends one request at a time."
        ),
    ),
    th.Property(
        "user_ids",
        th.ArrayType(th.IntegerType(minimum=1)),
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
        "emit_activate_version_messages",
        th.BooleanType(nullable=False),
        default=True,
        title="Emit ACTIVATE_VERSION messages",
        description=(
            "Once every stream has been read, send ACTIVATE_VERSION for each full-table stream "
            "that reads its whole set each run (not computer_applications, which reads only the "
            "applications its activities name, nor expenses bounded by start_date or end_date), "
            "so that a target marks deleted (`_sdc_deleted_at`) or removes "
            "the rows TimeCamp no longer lists. "
            "A run that fails sends none. Turn off for a target that rejects the message."
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
    _whole_number(
        "attendance_lookback_days",
        title="Attendance lookback days",
        default=31,
        minimum=0,
        maximum=366,
        description=(
            "attendance re-reads this many days before its bookmark on every run: worked days "
            "are corrected after the fact, and TimeCamp does not say when."
        ),
    ),
    _whole_number(
        "approvals_lookback_days",
        title="Approvals lookback days",
        default=62,
        minimum=0,
        maximum=366,
        description=(
            "approvals re-reads the timesheets of this many days before its bookmark on every "
            "run: a timesheet is approved, rejected or reopened after its period, and TimeCamp "
            "does not say when."
        ),
    ),
    _whole_number(
        "max_shrink_rows",
        title="Maximum shrink rows",
        default=10,
        minimum=0,
        maximum=1000000,
        description=(
            "A full-table stream whose read has this many rows fewer than its last activated "
            "read, and more than `max_shrink_percent` fewer, is not activated: nothing is "
            "marked deleted, with a warning (a glitch or a narrower token looks like a mass "
            "deletion). An empty read after one with rows is never activated."
        ),
    ),
    _whole_number(
        "max_shrink_percent",
        title="Maximum shrink percent",
        default=20,
        minimum=0,
        maximum=100,
        description=(
            "The percentage of rows a full-table stream's read may lose against its last "
            "activated read and still be activated, when it also loses more than "
            "`max_shrink_rows` rows."
        ),
    ),
    th.Property(
        "accept_mass_deletion",
        th.ArrayType(th.StringType(nullable=False)),
        title="Accept mass deletion",
        description=(
            'Full-table streams (e.g. ["tags"]) whose read is activated this run however '
            "much it shrank or even if empty (for expenses read with start_date or end_date: "
            "whose missing ids are sent deleted): set it for one run, after checking in "
            "TimeCamp that the rows were really deleted, then remove it."
        ),
    ),
).to_dict()

# Each setting's default, read from the schema so that a default is written only once.
DEFAULTS: dict[str, t.Any] = {
    name: prop.get("default") for name, prop in CONFIG_SCHEMA["properties"].items()
}
_VALIDATOR = DEFAULT_JSONSCHEMA_VALIDATOR(
    CONFIG_SCHEMA, format_checker=DEFAULT_JSONSCHEMA_VALIDATOR.FORMAT_CHECKER
)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings after every check, in the types the streams use."""

    # Out of the repr: a log line of the settings would otherwise show the token, and the
    # URL may hold a secret of the user's.
    api_token: str = dataclasses.field(repr=False)
    api_url: str = dataclasses.field(repr=False)
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
    max_requests_in_flight: int
    user_ids: tuple[int, ...]
    include_project: bool
    include_tags: bool
    include_breadcrumbs: bool
    include_rates: bool
    track_deletions: bool
    emit_activate_version_messages: bool
    activities_lookback_days: int
    attendance_lookback_days: int
    approvals_lookback_days: int
    max_shrink_rows: int
    max_shrink_percent: int
    accept_mass_deletion: tuple[str, ...]

    @classmethod
    def from_config(
        cls,
        config: t.Mapping[str, t.Any],
        *,
        today: dt.date | None = None,
    ) -> Settings:
        """Check a tap config against the config schema, then what a schema cannot say.

        Raises:
            ConfigValidationError: naming every setting that is wrong, one line each.
        """
        # An explicit null, as Meltano passes an unset value, takes the default.
        given = {name: value for name, value in config.items() if value is not None}
        errors = list(dict.fromkeys(map(_schema_error, _VALIDATOR.iter_errors(given))))
        values = {**DEFAULTS, **given}
        for name, check in (("api_token", _token), ("api_url", _api_url)):
            if name in given and not any(f"`{name}`" in error for error in errors):
                try:
                    values[name] = check(given[name])
                except ValueError as exc:
                    errors.append(f"Setting `{name}`: {exc}")
        if not any("`api_token`" in error or "`api_url`" in error for error in errors):
            with_token = _holds_token(str(values["api_url"]), str(values["api_token"]))
            if with_token:
                errors.append(f"Setting `api_url`: {with_token}")
        errors.extend(_unreadable_booleans(config))
        if errors:
            raise ConfigValidationError(errors[0], errors=errors)
        for name in ("start_date", "end_date"):
            values[name] = dt.date.fromisoformat(values[name]) if values[name] else None
        values["user_ids"] = tuple(values["user_ids"] or ())
        values["accept_mass_deletion"] = tuple(values["accept_mass_deletion"] or ())
        settings = cls(**{field.name: values[field.name] for field in dataclasses.fields(cls)})
        first = settings.first_date(today or server_today())
        if settings.end_date is not None and settings.end_date < first:
            msg = f"Setting `end_date` ({settings.end_date}) is before `start_date` ({first})."
            raise ConfigValidationError(msg, errors=[msg])
        return settings

    def first_date(self, today: dt.date) -> dt.date:
        """The first date a first run reads: `start_date`, else the day before `today`."""
        return self.start_date or today - dt.timedelta(days=1)


def _schema_error(error: ValidationError) -> str:
    """One line naming the setting the config schema refused, and what it asks for."""
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        title = CONFIG_SCHEMA["properties"][missing].get("title", missing)
        return f"Setting `{missing}` is required: the TimeCamp {title}."
    name = str(error.path[0])
    if name in UNSHOWN_SETTINGS:
        described = _described(CONFIG_SCHEMA["properties"][name])
        return f"Setting `{name}` must be {described} (its value is not shown)"
    return f"Setting `{name}`: {error.instance!r} {_asks(error.schema)}"


def _token(value: str) -> str:
    if not value.strip():
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
    """A base URL the token may travel to; errors never echo it (it may hold a secret).

    Its path is checked as `requests` sends it too: it decodes escapes such as `%5F`.
    """
    text = str(value).strip()
    not_a_url = f"is not an http(s) URL like {DEFAULT_API_URL}"
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        # `urlsplit` says which part in an error that quotes it: not shown.
        raise ValueError(not_a_url + " (its host or port cannot be read)") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise ValueError(not_a_url)
    if port == 0:
        msg = "has port 0: a port is a number from 1 to 65535"
        raise ValueError(msg)
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        msg = (
            "must not have a query string or fragment (the token goes in the `api_token` "
            f"setting, never in the URL): use a URL like {DEFAULT_API_URL}"
        )
        raise ValueError(msg)
    if parts.username is not None or parts.password is not None:
        msg = "must not hold a user name or password: the token goes in `api_token`"
        raise ValueError(msg)
    if any("api_token" in unquote(segment).lower() for segment in parts.path.split("/")):
        msg = "must not hold an api_token path segment: the token goes in `api_token`"
        raise ValueError(msg)
    if parts.scheme != "https" and not _is_loopback(host):
        msg = "must use https: over http the token would travel in clear text"
        raise ValueError(msg)
    try:
        requests.Request("GET", f"{text.rstrip('/')}/users").prepare()
    except (requests.RequestException, ValueError, UnicodeError):
        # Its error would quote the URL: not shown.
        msg = f"is a URL the HTTP library refuses (check its host and port), like {DEFAULT_API_URL}"
        raise ValueError(msg) from None
    return text.rstrip("/")


def _holds_token(api_url: str, token: str) -> str | None:
    """Why `api_url` holds the token in some form (raw, escaped, any part), or None."""
    sent = requests.Request("GET", api_url).prepare().url or ""
    forms = {api_url, unquote(api_url), sent, unquote(sent)}
    if any(token.lower() in form.lower() for form in forms):
        return "holds the `api_token` value: the token goes in `api_token` alone, never in a URL"
    return None


def _is_loopback(host: str) -> bool:
    """This machine (127.0.0.0/8, ::1, localhost): a local simulator may use http."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# What the SDK (`--config ENV`) and Meltano read as false: anything not in their true list.
_BOOLEAN_WORDS = frozenset({"true", "false", "1", "0", "yes", "no", "on", "off"})


def _unreadable_booleans(config: t.Mapping[str, t.Any]) -> list[str]:
    """An error per boolean setting read as false from an environment variable not saying so.

    The SDK and Meltano read a boolean's environment variable as false unless it is one
    of a few true words, so `TAP_TIMECAMP_INCLUDE_RATES=` (empty) or `=maybe` would turn
    a setting off without a word. A value still reaching the tap is `False` then.
    """
    errors = []
    for name, prop in CONFIG_SCHEMA["properties"].items():
        variable = f"TAP_TIMECAMP_{name.upper()}"
        raw = os.environ.get(variable)
        if (
            "boolean" in prop.get("type", [])
            and raw is not None
            and raw.strip().lower() not in _BOOLEAN_WORDS
            and config.get(name) is False
        ):
            errors.append(
                f"Setting `{name}`: its environment variable {variable} is {raw[:20]!r}, "
                "not true or false; set one of them, or unset it for the default"
            )
    return errors


def unknown_settings(config: t.Mapping[str, t.Any], known: t.Collection[str]) -> list[str]:
    """A warning per key of `config` that is not a setting, naming the closest one."""
    warnings = []
    for name in sorted(set(config) - set(known)):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f": did you mean `{close[0]}`?" if close else ""
        warnings.append(f"Setting `{name}` is not a setting of tap-timecamp and is ignored{hint}")
    return warnings


def _described(schema: t.Mapping[str, t.Any]) -> str:
    """What a setting's schema asks for, in words: `a whole number from 1 to 366`."""
    kinds = schema.get("type", [])
    if "integer" in kinds:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        return "a whole number" + (f" of at least {low}" if low is not None else "")
    if "boolean" in kinds:
        return "true or false"
    if "array" in kinds:
        return f"a list, each item {_described(schema.get('items', {}))}"
    if schema.get("format") == "date":
        return "a real calendar date in the form YYYY-MM-DD"
    return "text"


def _asks(schema: t.Mapping[str, t.Any]) -> str:
    described = _described(schema)
    return f"is not {described}" if schema.get("format") == "date" else f"must be {described}"
