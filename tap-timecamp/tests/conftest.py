"""Shared fixtures of the tap's own tests."""

from __future__ import annotations

import datetime as dt
import typing as t

import pytest

from tap_timecamp import clock
from tap_timecamp.streams.shared import SharedReads
from tests.simulated import simulator
from timecamp_simulator import DEFAULT_TOKEN, Simulator

TODAY = dt.date(2026, 3, 31)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Pin TimeCamp's clock (noon of TODAY) so window plans are exact, without HTTP."""
    monkeypatch.setattr(clock, "server_today", lambda: TODAY)
    noon = dt.datetime.combine(TODAY, dt.time(12))
    monkeypatch.setattr(SharedReads, "clock", lambda self, stream: noon)
    return TODAY


def base_config(**overrides: t.Any) -> dict[str, t.Any]:
    config: dict[str, t.Any] = {
        "api_token": DEFAULT_TOKEN,
        "api_url": "http://127.0.0.1:9/third_party/api",
        "start_date": "2026-01-01",
    }
    config.update(overrides)
    return config


@pytest.fixture
def timecamp() -> t.Iterator[t.Any]:
    """A served TimeCamp simulator with one quarter of entries: (simulator, server)."""
    sim = simulator()
    with sim.serve() as server:
        yield sim, server


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[tuple[Simulator, str]]:
    """A served account, and a machine whose clock agrees with the simulated TimeCamp's."""
    sim = simulator()
    # The clock moves: the date must be read at each call.
    monkeypatch.setattr(clock, "server_today", lambda: sim.now.date())  # noqa: PLW0108
    with sim.serve() as server:
        yield sim, server.base_url
