"""The end of a sync, however it is driven: the SDK's last call to each stream.

singer-sdk 0.54 calls nothing on the tap after its last stream (`Tap.sync_all` is final).
It does call every stream's `log_sync_costs` (public, documented as called "once at the
end of the life of the stream") in a loop of its own after the loop that syncs them, so
only once every stream was read without an error. Each stream reports that call here;
once every stream of the tap has, the sync has ended and the tap is told. This holds for
the command line, a caller of `sync_all()` and the SDK's test runner alike, and a failed
sync tells nobody. `tests/test_sync_end.py` fails if the installed SDK stops doing so.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable, Collection


class SyncEnd:
    """Calls `finish` once every stream named by `streams` has ended its part of a sync."""

    def __init__(self, streams: Callable[[], Collection[str]], finish: Callable[[], None]) -> None:
        """`streams` names the tap's streams when asked (a tap discovers them late)."""
        self._streams = streams
        self._finish = finish
        self._ended: set[str] = set()

    def stream_ended(self, name: str) -> None:
        """The SDK is done with stream `name` for this sync; the last one ends the sync."""
        self._ended.add(name)
        if self._ended.issuperset(self._streams()):
            # A tap synced again starts counting afresh.
            self._ended.clear()
            self._finish()
