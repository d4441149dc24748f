"""Reading TimeCamp's query parameters: first values, days and comma-separated id lists."""

from __future__ import annotations

from datetime import date

Params = dict[str, list[str]]


def first(params: Params, name: str) -> str | None:
    """The first value of `name`, or None when it is absent."""
    values = params.get(name)
    return values[0] if values else None


def parse_day(value: str | None) -> date | None:
    """The day a `YYYY-MM-DD` (or longer, time ignored) value names; None when absent or empty."""
    if value is None or value == "":
        return None
    return date.fromisoformat(value[:10])


def parse_ids(value: str) -> list[int]:
    """The ids of a comma-separated list such as `1,2,3`; a bad id raises ValueError (a 400)."""
    return [int(part) for part in value.split(",") if part.strip()]
