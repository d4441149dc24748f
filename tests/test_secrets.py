"""No secret is ever printed, logged, saved in the state or sent in a URL.

The TimeCamp token and the Google key's secret values are searched for in everything
the runs wrote: stdout, stderr, Meltano's files (its `run/` and `logs/` folders), its
system database with the state, and every URL TimeCamp received. The runs cover the
paths where a secret is most likely to slip out: retries, failures, refusals and a
wrong or malformed token. (Every other test of the reliability suite searches its own
runs the same way.)
"""

from __future__ import annotations

import pytest

from tests.reliability import IsolatedPipeline, leaked
from timecamp_simulator import Fault

WRONG_TOKEN = "wrong-timecamp-token-51d7e"
MALFORMED_TOKEN = "malformed timecamp-token-77c0a"


@pytest.fixture
def pipe(pipeline):
    pipeline.settings.pop("TAP_TIMECAMP__SELECT")  # every default stream
    return IsolatedPipeline.of(pipeline)


def test_no_run_prints_logs_saves_or_sends_a_secret(pipe, timecamp):
    sim, _ = timecamp
    sim.add_fault(Fault(path="/entries", kind="status", status=429, retry_after=0, count=1))
    sim.add_fault(Fault(path="/users", kind="status", status=500, retry_after=0, count=1))
    sim.add_fault(Fault(path="/tasks", kind="truncated", count=1))
    assert pipe.run().ok
    sim.add_fault(Fault(path="/tag_list", kind="redirect", count=1))
    assert not pipe.run().ok
    sim.add_fault(Fault(path="/group", kind="status", status=503, retry_after=0))
    assert not pipe.run(TAP_TIMECAMP_MAX_RETRIES="0").ok
    sim.clear_faults()
    assert not pipe.run(TAP_TIMECAMP_API_TOKEN=WRONG_TOKEN).ok
    assert not pipe.run(TAP_TIMECAMP_API_TOKEN=MALFORMED_TOKEN).ok
    pipe.meltano("state", "list")

    assert leaked(pipe, WRONG_TOKEN, *MALFORMED_TOKEN.split()) == []
    urls = [f"{request.path}?{request.params}" for request in sim.requests]
    assert [url for url in urls if pipe.token in url or WRONG_TOKEN in url] == []
    assert {request.headers.get("Authorization") for request in sim.requests} == {"Bearer ***"}


def test_meltano_removes_the_plugin_config_files_with_the_token_when_a_run_ends(pipe, timecamp):
    """Meltano hands each plugin its settings in a file; only a killed run leaves one behind."""
    sim, _ = timecamp
    assert pipe.run().ok
    sim.add_fault(Fault(path="/entries", kind="redirect"))
    assert not pipe.run().ok

    assert pipe.plugin_configs() == []


def test_an_api_url_holding_the_token_or_refused_by_http_is_one_line_before_any_request(
    pipe, timecamp
):
    sim, server = timecamp
    base = server.base_url
    unusable = [
        f"{base}/api%5Ftoken/{pipe.token}",  # requests would send it as the legacy token path
        base.replace("/third_party/", f"/{pipe.token}/"),
        "http://127.0.0.1:99999/third_party/api",  # a port out of range
    ]

    runs = [pipe.run(TAP_TIMECAMP_API_URL=api_url) for api_url in unusable]

    assert [run.ok for run in runs] == [False] * len(unusable)
    assert all("`api_url`" in run.stderr for run in runs)
    assert "Traceback" not in "".join(run.stderr for run in runs)
    assert sim.requests == []
    assert leaked(pipe) == []
