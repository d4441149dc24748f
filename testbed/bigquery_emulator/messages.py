"""The HTTP request and response the proxy passes around, and helpers for headers and bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Headers = list[tuple[str, str]]


@dataclass
class Response:
    """An HTTP response to send back to the client."""

    status: int
    headers: Headers = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, payload: Any, headers: Headers | None = None) -> Response:
        """Build a JSON response."""
        body = json.dumps(payload).encode()
        return cls(
            status, [("Content-Type", "application/json; charset=UTF-8"), *(headers or [])], body
        )

    def payload(self) -> Any:
        """Return the body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Request:
    """A client request as read off the socket."""

    method: str
    target: str  # path and query string, as sent
    query: str
    headers: Headers
    body: bytes


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body parsed as a JSON object, or None when it is not one."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def header(headers: Headers, name: str) -> str | None:
    """The first value of the header `name` (lower case), or None."""
    return next((value for key, value in headers if key.lower() == name), None)


def without(headers: Headers, names: set[str]) -> Headers:
    """The headers but those named (lower case)."""
    return [(key, value) for key, value in headers if key.lower() not in names]


def replace_header(headers: Headers, name: str, value: str) -> Headers:
    """The headers with `name` set to `value` alone."""
    return [*without(headers, {name.lower()}), (name, value)]
