"""TimeCamp's clock: what time it is for TimeCamp, and "today" in its timezone.

TimeCamp stamps `last_modify` in its server's local time (Europe/Warsaw) and its date
filters compare against those local dates, so "today" for a request is Warsaw's today,
whatever the timezone of the machine running the tap. The time a run starts is read from
TimeCamp itself (the `Date` header of its answers): a bookmark then means "complete up to
this moment of TimeCamp's clock", whatever the clock of the machine running the tap says.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from zoneinfo import ZoneInfo

SERVER_TIMEZONE = ZoneInfo("Europe/Warsaw")
# TimeCamp's "YYYY-MM-DD HH:MM:SS" stamps, in its own wall time.
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def server_today() -> dt.date:
    """Return the current date on this machine's clock, in TimeCamp's timezone."""
    return server_now().date()


def server_now() -> dt.datetime:
    """This machine's time as TimeCamp's naive Warsaw wall time, to the second."""
    return dt.datetime.now(SERVER_TIMEZONE).replace(tzinfo=None, microsecond=0)


def from_date_header(header: str | None) -> dt.datetime | None:
    """An HTTP `Date` header (RFC 7231) as naive Warsaw wall time; None if unusable."""
    if not header:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(SERVER_TIMEZONE).replace(tzinfo=None, microsecond=0)


def stamp(moment: dt.datetime) -> str:
    """A Warsaw wall time written as TimeCamp writes its stamps."""
    return moment.strftime(STAMP_FORMAT)


def iso_instant(moment: dt.datetime) -> str:
    """A Warsaw wall time as an ISO 8601 instant (what `_sdc_deleted_at` holds)."""
    return moment.replace(tzinfo=SERVER_TIMEZONE).isoformat()


def parse_stamp(value: object) -> dt.datetime | None:
    """A TimeCamp stamp as a datetime; None for anything else (null, zero dates, junk)."""
    if not isinstance(value, str):
        return None
    # Every entry's stamp is read: `strptime` was a seventh of a first run's CPU. Of strings
    # shaped exactly like a stamp, `fromisoformat` (in C, ten times faster) accepts the same
    # ones as the format; every other shape goes to the format itself.
    if is_stamp_shaped(value):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    try:
        return dt.datetime.strptime(value, STAMP_FORMAT)
    except ValueError:
        return None


def is_stamp_shaped(value: str) -> bool:
    """`YYYY-MM-DD HH:MM:SS`: ASCII digits, whatever they are, between a stamp's separators."""
    return (
        len(value) == len("2026-01-31 23:59:59")
        and value.isascii()
        and value[4] == value[7] == "-"
        and value[10] == " "
        and value[13] == value[16] == ":"
        and value[:4].isdigit()
        and value[5:7].isdigit()
        and value[8:10].isdigit()
        and value[11:13].isdigit()
        and value[14:16].isdigit()
        and value[17:].isdigit()
    )


def is_ambiguous(moment: dt.datetime) -> bool:
    """Whether a Warsaw wall time falls in the hour repeated when the clock goes back.

    Such a stamp may be either of two instants an hour apart, so it cannot be ordered
    against another stamp of that hour.
    """
    first = moment.replace(tzinfo=SERVER_TIMEZONE, fold=0).utcoffset()
    second = moment.replace(tzinfo=SERVER_TIMEZONE, fold=1).utcoffset()
    return first != second
