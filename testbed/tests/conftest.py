"""Shared fixtures: a small, frozen-clock simulator served on a free port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime

import pytest
import requests

from timecamp_simulator import DEFAULT_TOKEN, Simulator, SimulatorServer

NOW = datetime(2026, 3, 31, 15, 0, 0)
START = date(2026, 1, 1)
END = date(2026, 3, 31)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, entries=2000, start_date=START, end_date=END, users=8, now=NOW)


@pytest.fixture
def server(sim: Simulator) -> Iterator[SimulatorServer]:
    with sim.serve() as running:
        yield running


@pytest.fixture
def api(server: SimulatorServer) -> Iterator[requests.Session]:
    """A session that talks to the API like a well-behaved JSON client."""
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Accept": "application/json"}
    )
    session.params = {"format": "json"}  # type: ignore[assignment]
    yield session
    session.close()


@contextlib.contextmanager
def running_cli(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run the CLI in a subprocess; yield it with the base URL it announced, then stop it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "timecamp_simulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("TIMECAMP_API_URL="), line
        yield proc, line.split("=", 1)[1]
    finally:
        if proc.poll() is None:
            proc.terminate()
        # communicate() drains and closes the pipes so no ResourceWarning escapes.
        proc.communicate(timeout=10)
