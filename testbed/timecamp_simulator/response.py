"""A format-neutral response: the server decides how to put it on the wire."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    """Status plus either a value, a stream of list items, or a raw body."""

    status: int = 200
    value: Any = None
    items: Iterable[Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str | None = None
    # Control-plane answers are always JSON, whatever the client accepts.
    force_json: bool = False
    # Stream `items` as JSON lines (one object per line) instead of one array.
    json_lines: bool = False


def error(status: int, message: str) -> Response:
    """TimeCamp's usual error shape: {"message": ...}."""
    return Response(status, {"message": message})


def php_dict(mapping: dict[str, Any]) -> Any:
    """A dict as TimeCamp sends it: PHP's json_encode turns an empty associative array into []."""
    return mapping if mapping else []
