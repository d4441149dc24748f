"""The request log: what the client sent, with secrets masked so it can be printed."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

_SECRET_PARAMS = {"api_token", "token"}


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the simulator received it."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form for the control API."""
        return asdict(self)


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """Copy of headers with the bearer token replaced by `***`."""
    masked = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, secret = value.partition(" ")
            masked[name] = f"{scheme} ***" if secret else "***"
        else:
            masked[name] = value
    return masked


def mask_params(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """Copy of query parameters with legacy token parameters masked."""
    return {k: (["***"] * len(v) if k in _SECRET_PARAMS else list(v)) for k, v in params.items()}


class RequestLog:
    """Append-only, thread-safe list of recorded requests."""

    def __init__(self) -> None:
        """Start empty."""
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def record(
        self, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str]
    ) -> None:
        """Store one request, masking secrets first."""
        item = RecordedRequest(method, path, mask_params(params), mask_headers(headers))
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of everything recorded so far."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()
