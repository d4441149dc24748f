"""Routing an authenticated API request to the endpoint whose path pattern it matches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol

from timecamp_simulator.params import Params
from timecamp_simulator.response import Response, error

Handler = Callable[[re.Match[str], Params], Response]
# A path pattern relative to /third_party/api (matched in full) and the handler answering it.
Route = tuple[str, Handler]


class EndpointFamily(Protocol):
    """The endpoints of one TimeCamp object family (people, tasks, entries, ...)."""

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        ...


class Router:
    """Finds the handler for a path; every TimeCamp API endpoint answers GET only."""

    def __init__(self, routes: Iterable[Route]) -> None:
        """Route by the given patterns, which must not overlap."""
        self._routes = [(re.compile(pattern), handler) for pattern, handler in routes]

    def handle(self, method: str, path: str, params: Params) -> Response:
        """Answer one request whose token has already been accepted."""
        for pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != "GET":
                return error(405, f"Method {method} not allowed")
            try:
                return handler(match, params)
            except ValueError as exc:
                return error(400, f"Invalid parameter: {exc}")
        return error(404, f"Not found: {path}")
