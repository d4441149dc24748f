"""Walk a planned list of date windows as if they were pages."""

from __future__ import annotations

import typing as t

from singer_sdk.pagination import BaseAPIPaginator

if t.TYPE_CHECKING:
    import requests

    from tap_timecamp.windows import DateWindow


class WindowPaginator(BaseAPIPaginator["DateWindow | None"]):
    """One request per window, in order, until the last window has been read."""

    def __init__(self, windows: t.Sequence[DateWindow]) -> None:
        """Start at the first window; with no windows there is nothing to request."""
        super().__init__(windows[0] if windows else None)
        self._remaining = list(windows[1:])
        if not windows:
            self._finished = True

    def get_next(self, response: requests.Response) -> DateWindow | None:
        """The next window, whatever the last one held."""
        return self._remaining.pop(0) if self._remaining else None

    def continue_if_empty(self, response: requests.Response) -> bool:
        """An empty window (a holiday, a quiet month) says nothing about the next one."""
        return True
