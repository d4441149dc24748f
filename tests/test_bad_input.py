"""Bad settings and selections are refused before any request, in one line naming them.

Through the `tap-timecamp` command with a config file, and through `meltano run` with
the settings in the environment, as a user sets them. Either way TimeCamp must see no
request at all, the exit status is non-zero, and no traceback replaces the message.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from tests.pipeline import REPO
from tests.reliability import IsolatedPipeline, leaked
from timecamp_simulator import DEFAULT_TOKEN

TAP = REPO / ".venv" / "bin" / "tap-timecamp"
START = (dt.date.today() - dt.timedelta(days=30)).isoformat()

# (setting, bad value, what the error line must say besides the setting's name)
BAD_SETTINGS = [
    ("start_date", "2026-02-30", "not a real calendar date"),
    ("start_date", "2026-13-01", "not a real calendar date"),
    ("start_date", "01/02/2026", "YYYY-MM-DD"),
    ("start_date", "20260101", "YYYY-MM-DD"),
    ("end_date", "yesterday", "YYYY-MM-DD"),
    ("end_date", "2000-01-01", "is before `start_date`"),
    ("overlap_days", 0, "minimum of 1"),
    ("max_window_days", 0, "minimum of 1"),
    ("max_window_days", -31, "minimum of 1"),
    ("target_window_records", 0, "minimum of 1"),
    ("request_timeout", 0, "minimum of 1"),
    ("max_retries", -1, "minimum of 0"),
    ("activities_lookback_days", -7, "minimum of 0"),
    ("max_retries", 21, "maximum of 20"),
    ("request_timeout", 86400, "maximum of 3600"),
    ("max_run_seconds", 59, "minimum of 60"),
    ("api_url", "http://app.timecamp.com/third_party/api", "must use https"),
    ("api_url", "https://app.timecamp.com/third_party/api?api_token=x", "query string"),
    ("overlap_days", "two", "is not of type 'integer'"),
    ("user_ids", [0], "minimum of 1"),
    ("user_ids", ["alice"], "is not of type 'integer'"),
    ("include_tags", "maybe", "is not of type 'boolean'"),
    ("api_token", "", "is empty"),
    ("api_token", "   ", "is empty"),
    ("api_url", "app.timecamp.com/third_party/api", "http(s) URL"),
    ("api_url", "ftp://app.timecamp.com/third_party/api", "http(s) URL"),
    ("api_url", "http://", "http(s) URL"),
    ("api_url", "not a url", "http(s) URL"),
]


def tap(tmp_path, config, *args):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [str(TAP), "--config", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "ERROR" in line or "[error" in line]


@pytest.fixture
def config(timecamp):
    _, server = timecamp
    return {"api_token": DEFAULT_TOKEN, "api_url": server.base_url, "start_date": START}


def test_a_valid_config_reaches_timecamp(tmp_path, timecamp, config):
    """The counterpart of every refusal below: the same config, unbroken, makes requests."""
    sim, _ = timecamp

    done = tap(tmp_path, {**config, "start_date": dt.date.today().isoformat()})

    assert done.returncode == 0, done.stderr[-2000:]
    assert sim.requests


@pytest.mark.parametrize("bad", BAD_SETTINGS, ids=lambda bad: f"{bad[0]}={bad[1]!r}")
def test_a_bad_setting_is_refused_by_the_tap_before_any_request(tmp_path, timecamp, config, bad):
    sim, _ = timecamp
    setting, value, says = bad

    done = tap(tmp_path, {**config, setting: value})

    assert done.returncode != 0
    assert sim.requests == []
    (line,) = [line for line in error_lines(done.stderr) if setting in line]
    assert says in line
    assert "Traceback" not in done.stderr


def test_a_missing_token_is_refused_by_the_tap_before_any_request(tmp_path, timecamp, config):
    sim, _ = timecamp
    del config["api_token"]

    done = tap(tmp_path, config)

    assert done.returncode != 0
    assert sim.requests == []
    assert any("'api_token' is a required property" in line for line in error_lines(done.stderr))


def catalog_of(tmp_path, config, select) -> dict:
    discovered = tap(tmp_path, config, "--discover")
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in select
    return catalog


def test_a_catalog_naming_an_unknown_stream_is_refused_before_any_request(
    tmp_path, timecamp, config
):
    sim, _ = timecamp
    catalog = catalog_of(tmp_path, config, {"time_entries"})
    catalog["streams"].append(
        {
            "tap_stream_id": "time_entrys",
            "stream": "time_entrys",
            "schema": {"type": "object", "properties": {}},
            "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
        }
    )
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))

    done = tap(tmp_path, config, "--catalog", str(tmp_path / "catalog.json"))

    assert done.returncode != 0
    assert sim.requests == []
    assert any("unknown stream(s) time_entrys" in line for line in error_lines(done.stderr)), (
        done.stderr[-2000:]
    )


def test_a_catalog_selecting_no_stream_is_refused_before_any_request(tmp_path, timecamp, config):
    sim, _ = timecamp
    (tmp_path / "catalog.json").write_text(json.dumps(catalog_of(tmp_path, config, set())))

    done = tap(tmp_path, config, "--catalog", str(tmp_path / "catalog.json"))

    assert done.returncode != 0
    assert sim.requests == []
    assert any("selects no stream" in line for line in error_lines(done.stderr))


# Through Meltano: each setting as TAP_TIMECAMP_<NAME> in the environment.
MELTANO_BAD_SETTINGS = [
    ("start_date", "2026-02-30", "not a real calendar date"),
    ("end_date", "2000-01-01", "is before `start_date`"),
    ("overlap_days", "0", "must be a whole number from 1 to"),
    ("max_window_days", "0", "must be a whole number from 1 to"),
    ("target_window_records", "0", "must be a whole number from 1 to"),
    ("request_timeout", "0", "must be a whole number from 1 to"),
    ("api_url", "app.timecamp.com/third_party/api", "http(s) URL"),
    ("api_token", " ", "is empty"),
]


@pytest.fixture
def pipe(pipeline):
    isolated = IsolatedPipeline.of(pipeline)
    isolated.settings["TAP_TIMECAMP_START_DATE"] = START
    yield isolated
    assert leaked(isolated) == []


@pytest.mark.parametrize(("setting", "value", "says"), MELTANO_BAD_SETTINGS)
def test_a_bad_setting_stops_meltano_run_before_any_request(pipe, timecamp, setting, value, says):
    sim, _ = timecamp

    run = pipe.run(**{f"TAP_TIMECAMP_{setting.upper()}": value})

    assert not run.ok
    assert sim.requests == []
    assert any(setting in line and says in line for line in run.output.splitlines()), run.output[
        -3000:
    ]
    assert pipe.state() == {}


def test_a_setting_meltano_cannot_cast_stops_meltano_run_before_any_request(pipe, timecamp):
    """Meltano itself casts `kind: integer` settings, and says what it could not read."""
    sim, _ = timecamp

    run = pipe.run(TAP_TIMECAMP_OVERLAP_DAYS="two")

    assert not run.ok
    assert sim.requests == []
    assert "invalid literal for int() with base 10: 'two'" in run.output


def test_selecting_a_stream_that_does_not_exist_stops_meltano_run_before_any_request(
    pipe, timecamp
):
    sim, _ = timecamp

    run = pipe.run(TAP_TIMECAMP__SELECT='["time_entrys.*"]')

    assert not run.ok
    assert sim.requests == []
    assert "The catalog selects no stream" in run.output, run.output[-3000:]
    assert pipe.state() == {}
