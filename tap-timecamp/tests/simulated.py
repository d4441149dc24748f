"""A TimeCamp simulator for the tap's tests, and the config that points the tap at it."""

from __future__ import annotations

import datetime as dt
import typing as t

from timecamp_simulator import DEFAULT_TOKEN, Simulator

START = dt.date(2026, 1, 1)
END = dt.date(2026, 3, 31)
# The simulator's clock: the day after the data ends, so every entry lies in the past.
NOW = dt.datetime(2026, 4, 1, 9, 30)


def simulator(entries: int = 600, **kwargs: t.Any) -> Simulator:
    """A small, deterministic account: one quarter of entries."""
    return Simulator(
        seed=11,
        entries=entries,
        start_date=START,
        end_date=END,
        users=6,
        now=NOW,
        **kwargs,
    )


def tap_config(base_url: str, **overrides: t.Any) -> dict[str, t.Any]:
    config: dict[str, t.Any] = {
        "api_token": DEFAULT_TOKEN,
        "api_url": base_url,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "max_retries": 3,
        "request_timeout": 5,
    }
    config.update(overrides)
    return config
