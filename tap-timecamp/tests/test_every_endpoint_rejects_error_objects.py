"""Every endpoint a run calls rejects TimeCamp's error object under a 200: never rows from it.

The endpoints are not listed here: they come from the request log of a run of every stream,
so an endpoint a later stream adds is walked too.
"""

from __future__ import annotations

import logging
import re
import typing as t

import pytest

from tap_timecamp.streams.rates import RATE_TYPES_PATH
from tap_timecamp.tap import TapTimeCamp
from tests.running import selecting, sync_here
from tests.simulated import simulator, tap_config
from timecamp_simulator import Fault

ERROR_OBJECT = {"message": "Walked error object"}
# A run reads on without TimeCamp's rate types, with a warning naming them (billing_rates).
DEGRADES_WITH_A_WARNING = {RATE_TYPES_PATH}


def endpoint_pattern(path: str) -> str:
    """The path with its ids (`44`, `1,2,3`) as `*`: one pattern per endpoint."""
    return re.sub(r"/\d+(,\d+)*(?=/|$)", "/*", path)


def every_stream(url: str) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    config = tap_config(url, start_date=None, end_date=None, max_retries=0)
    streams = list(TapTimeCamp(config=config, setup_mapper=False).streams)
    return config, selecting(config, streams)


def endpoints_of_a_run() -> list[str]:
    sim = simulator()
    with sim.serve() as server:
        config, catalog = every_stream(server.base_url)
        run = sync_here(config, catalog=catalog)
        assert run.returncode == 0, run.stderr[-2000:]
        return sorted({endpoint_pattern(r.path) for r in sim.requests})


ENDPOINTS = endpoints_of_a_run()


def test_a_run_of_every_stream_calls_many_endpoints():
    assert len(ENDPOINTS) >= 15
    assert "/v3/expense/list" in ENDPOINTS


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_error_object_fails_the_run_in_one_line_naming_the_endpoint(endpoint, caplog):
    sim = simulator()
    sim.add_fault(Fault(path=endpoint, kind="status", status=200, body=ERROR_OBJECT))
    caplog.set_level(logging.WARNING)
    with sim.serve() as server:
        config, catalog = every_stream(server.base_url)
        run = sync_here(config, catalog=catalog)

    named = f"GET {endpoint.split('*')[0]}"
    if endpoint in DEGRADES_WITH_A_WARNING:
        assert run.returncode == 0
        warned = [r.getMessage() for r in caplog.records if endpoint in r.getMessage()]
        assert warned
        return
    assert run.returncode == 1
    (line,) = run.error_lines
    assert named in line
    assert "Walked error object" in line
