"""TimeCamp's notion of "today".

TimeCamp stamps `last_modify` in its server's local time (Europe/Warsaw) and its date
filters compare against those local dates, so "today" for a request is Warsaw's today,
whatever the timezone of the machine running the tap.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SERVER_TIMEZONE = ZoneInfo("Europe/Warsaw")


def server_today() -> dt.date:
    """Return the current date on TimeCamp's server clock."""
    return dt.datetime.now(SERVER_TIMEZONE).date()
