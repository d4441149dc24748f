"""The run's shared slow-down: after a 429 or a `Retry-After`, no request is sent before then.

TimeCamp's rate limit is the account's, not one request's: when it answers one request
"too many, come back in 3 s", the other requests in flight beside it would only earn 429s
of their own (and spend retries) by going out sooner. So the wait a 429 or a `Retry-After`
asks for becomes a moment shared by every request of the run, checked before each is sent.
"""

from __future__ import annotations

import math
import threading
import time
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable


class SlowDown:
    """A "not before" moment shared by the run's requests, safe to use from every thread."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """No request held back."""
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = -math.inf

    def hold_back(self, seconds: float) -> None:
        """Send no request of the run for `seconds` from now (a later moment already set stays)."""
        until = self._clock() + seconds
        with self._lock:
            self._not_before = max(self._not_before, until)

    def wait(self, at_most: float) -> float:
        """Wait until requests may be sent again, but at most `at_most` seconds: how long.

        Checked again after each sleep: another request's 429 may have moved the moment
        later meanwhile, and sending inside that hold would only earn one more 429.
        """
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                left = self._not_before - now
            wait = min(left, at_most - (now - start))
            if wait <= 0:
                return now - start
            self._sleep(wait)
