"""How long a server asked to wait: a `Retry-After` value read strictly.

`Retry-After` is a whole number of seconds or an HTTP date. Anything else (`nan`, `inf`,
a negative number, a date that does not parse, words) is not an answer: the caller then
backs off on its own schedule rather than crash on a `sleep(nan)` or obey nonsense.

Not urllib3's `Retry.parse_retry_after`: it refuses `2.5` (a decimal, read here as 2.5 s,
`test_retry_waits`) and reads only header text, not the number an edge error body carries.
"""

from __future__ import annotations

import email.utils
import math
import re
import time

# RFC 9110 says delay-seconds is digits; a decimal point is tolerated, a sign is not.
_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def asked_seconds(value: str | float | None, *, now: float | None = None) -> float | None:
    """Seconds to wait that `value` asks for, or None when it asks for nothing usable.

    `value` is a `Retry-After` header, or the number an edge error body carries. An HTTP
    date in the past asks for no wait at all (0). `now` is the current Unix time.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    text = value.strip()
    if _SECONDS.match(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
