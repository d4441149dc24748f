"""Walk a sync planned up front (date windows, users x dates) as if it were pages."""

from __future__ import annotations

import typing as t

from singer_sdk.pagination import BaseAPIPaginator

if t.TYPE_CHECKING:
    import requests

Token = t.TypeVar("Token")


class PlannedPaginator(BaseAPIPaginator[Token | None]):
    """One request per planned token, in order, until the last one has been read.

    TimeCamp's responses say nothing about a next page: the plan does.
    """

    def __init__(self, plan: t.Sequence[Token]) -> None:
        """Start at the first token; with an empty plan there is nothing to request."""
        super().__init__(plan[0] if plan else None)
        self._remaining = list(plan[1:])
        if not plan:
            self._finished = True

    def get_next(self, response: requests.Response) -> Token | None:
        """The next token, whatever the last response held."""
        return self._remaining.pop(0) if self._remaining else None

    def continue_if_empty(self, response: requests.Response) -> bool:
        """An empty window (a holiday, a quiet month) says nothing about the next one."""
        return True
