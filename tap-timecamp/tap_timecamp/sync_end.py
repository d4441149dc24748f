"""What a tap does once its sync has read every stream: the end-of-sync hook the SDK lacks.

The SDK's `Tap.sync_all` is final and calls nothing after its last stream, so the command
line's sync is wrapped instead: the taps made inside `finished_after()` are told, when the
sync ends without an error, that it has (`finish_sync`). A failed sync tells nobody, so
what must mean "every stream was read" (the run summary's line) is never said of it.
"""

from __future__ import annotations

import contextlib
import contextvars
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Iterator


class FinishesSync(t.Protocol):
    """A tap that has something to do once every stream has been read."""

    def finish_sync(self) -> None:
        """Act on a sync that read every stream."""


_SYNCING: contextvars.ContextVar[list[FinishesSync] | None] = contextvars.ContextVar(
    "syncing", default=None
)


def register(tap: FinishesSync) -> None:
    """Have `tap` told when the sync it was made in ends without an error (if it was)."""
    taps = _SYNCING.get()
    if taps is not None:
        taps.append(tap)


@contextlib.contextmanager
def finished_after() -> Iterator[None]:
    """Run a sync; if it ends without an error, tell the taps made in it (`finish_sync`)."""
    taps: list[FinishesSync] = []
    token = _SYNCING.set(taps)
    try:
        yield
    finally:
        _SYNCING.reset(token)
    for tap in taps:
        tap.finish_sync()
