"""How far away the simulated TimeCamp is: a latency per answer and a rate limit.

On 127.0.0.1 a request costs only CPU; a real TimeCamp answers from across the internet
(a round trip plus its own time, whatever the size, plus the transfer) and answers 429 with
`Retry-After` past a limit it does not publish. These knobs make the simulator behave so,
and tally what a client waited, so a benchmark can state the floor of one request at a time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

_KIB = 1024
_WINDOW = 1.0  # seconds over which the rate limit counts requests


@dataclass(frozen=True)
class Latency:
    """A delay per answer: `fixed` seconds before it starts, `per_kib` seconds per KiB sent."""

    fixed: float = 0.0
    per_kib: float = 0.0

    def __post_init__(self) -> None:
        if self.fixed < 0 or self.per_kib < 0:
            raise ValueError("latency must not be negative")

    def transfer(self, size: int) -> float:
        """The part of the delay that `size` bytes of the body add."""
        return self.per_kib * size / _KIB


@dataclass(frozen=True)
class Tally:
    """What the API's answers cost a client since the last reset."""

    answers: int
    waited: float  # seconds of latency served, summed over answers: the one-at-a-time floor
    throttled: int  # 429s answered by the rate limit


class Distance:
    """The latency and rate limit of the API, safe to consult from every serving thread.

    Sleeping happens in the serving thread, outside the lock: an answer held back by its
    latency holds no other answer back.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start near (no latency) and unlimited; `clock` times the rate limit's window."""
        self._clock = clock
        self._lock = threading.Lock()
        self._latency = Latency()
        self._rate_limit: int | None = None
        self._accepted: deque[float] = deque()
        self._answers = 0
        self._waited = 0.0
        self._throttled = 0

    @property
    def latency(self) -> Latency:
        """The latency every API answer gets."""
        return self._latency

    @property
    def rate_limit(self) -> int | None:
        """Requests accepted per second before a 429 (None: no limit)."""
        return self._rate_limit

    def configure(self, latency: Latency, rate_limit: int | None) -> None:
        """Set the latency and the rate limit (None or 0: no limit)."""
        if rate_limit is not None and rate_limit < 0:
            raise ValueError("rate_limit must not be negative")
        with self._lock:
            self._latency = latency
            self._rate_limit = rate_limit or None
            self._accepted.clear()

    def admit(self) -> int | None:
        """None if this request is within the rate limit, else its `Retry-After` in seconds.

        A sliding window of one second over the requests accepted; refused ones do not count,
        so a client that waits as told gets in. `Retry-After` is whole seconds (HTTP's form),
        at least 1: when the oldest accepted request leaves the window.
        """
        now = self._clock()
        with self._lock:
            if self._rate_limit is None:
                return None
            while self._accepted and self._accepted[0] <= now - _WINDOW:
                self._accepted.popleft()
            if len(self._accepted) < self._rate_limit:
                self._accepted.append(now)
                return None
            self._throttled += 1
            return max(1, math.ceil(self._accepted[0] + _WINDOW - now))

    def wait(self, seconds: float) -> None:
        """Hold the calling answer back `seconds`, and count them as waited."""
        if seconds <= 0:
            return
        with self._lock:
            self._waited += seconds
        time.sleep(seconds)

    def answered(self) -> None:
        """Count one API answer."""
        with self._lock:
            self._answers += 1

    def tally(self) -> Tally:
        """What was answered, waited and refused since the last reset."""
        with self._lock:
            return Tally(self._answers, self._waited, self._throttled)

    def reset_tally(self) -> None:
        """Start counting again from zero."""
        with self._lock:
            self._answers, self._waited, self._throttled = 0, 0.0, 0
