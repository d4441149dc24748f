"""The simulated server clock: Europe/Warsaw wall time, like TimeCamp's timestamps."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def warsaw_now() -> datetime:
    """The real current time as a naive Europe/Warsaw wall-clock datetime."""
    return datetime.now(WARSAW).replace(tzinfo=None, microsecond=0)


class Clock:
    """A frozen clock when given a start time, else real time; both can be advanced."""

    def __init__(self, now: datetime | None) -> None:
        """Freeze at `now`, or follow the real Warsaw time when it is None."""
        self._frozen = now.replace(microsecond=0) if now is not None else None
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Current simulated time (naive, second precision)."""
        with self._lock:
            base = self._frozen if self._frozen is not None else warsaw_now()
            return base + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back) by `delta`."""
        with self._lock:
            self._offset += delta
