"""Full-table streams end with ACTIVATE_VERSION, sent only once the whole run was read.

A target marks deleted (or removes) the rows of older versions when the message arrives, so
the message must follow every record of its version, and a run that fails must send none.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t

from tap_timecamp.tap import TapTimeCamp
from tests.running import TapRun, selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator.faults import Fault

FULL_TABLE = ["users", "groups", "tasks", "tag_lists", "tags"]
# Full table, but a run reads only the applications its activities name: never activated.
PARTIAL = ["computer_applications"]
INCREMENTAL = ["time_entries", "time_entry_deletions", "computer_activities"]


def _activations(run: TapRun) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for message in run.messages:
        if message["type"] == "ACTIVATE_VERSION":
            found.setdefault(message["stream"], []).append(message["version"])
    return found


def _records_of(run: TapRun, stream: str) -> list[dict[str, t.Any]]:
    return [m for m in run.messages if m["type"] == "RECORD" and m["stream"] == stream]


def _sync(server: t.Any, **settings: t.Any) -> TapRun:
    config = tap_config(server.base_url, **settings)
    return sync_here(config, catalog=selecting(config, FULL_TABLE + PARTIAL + INCREMENTAL))


def test_each_full_table_stream_is_activated_once_with_the_version_of_its_records(timecamp):
    _sim, server = timecamp

    run = _sync(server)

    assert run.returncode == 0
    activations = _activations(run)
    assert sorted(activations) == sorted(FULL_TABLE)
    for stream in FULL_TABLE:
        versions = {message.get("version") for message in _records_of(run, stream)}
        assert run.records(stream), stream
        assert versions == set(activations[stream]), stream


def test_computer_applications_is_never_activated_as_a_run_reads_only_some(timecamp):
    _sim, server = timecamp

    run = _sync(server)

    assert run.records("computer_applications")
    assert "computer_applications" not in _activations(run)
    assert all("version" not in record for record in _records_of(run, "computer_applications"))


def test_activations_follow_every_record_of_the_run(timecamp):
    _sim, server = timecamp

    run = _sync(server)

    kinds = [message["type"] for message in run.messages]
    first_activation = kinds.index("ACTIVATE_VERSION")
    assert "RECORD" not in kinds[first_activation:]
    # Then only the STATE with the activated reads' row counts.
    assert kinds[first_activation:-1] == ["ACTIVATE_VERSION"] * len(FULL_TABLE)
    assert kinds[-1] == "STATE"


def test_a_run_that_fails_after_the_full_table_streams_sends_no_activation(timecamp):
    sim, server = timecamp
    # Streams are read in catalog order: tags and tasks before time_entries.
    sim.add_fault(Fault(path="/entries", status=500))

    run = _sync(server, max_retries=0)

    assert run.returncode == 1
    assert run.records("tags"), "the full-table streams were read before the failure"
    assert _activations(run) == {}


def test_no_activation_and_no_record_versions_when_turned_off(timecamp):
    _sim, server = timecamp

    run = _sync(server, emit_activate_version_messages=False)

    assert run.returncode == 0
    assert _activations(run) == {}
    assert all("version" not in message for message in run.messages if message["type"] == "RECORD")


def test_about_advertises_activate_version_and_a_default_run_sends_it(timecamp):
    _sim, server = timecamp
    about = subprocess.run(
        [sys.executable, "-m", "tap_timecamp", "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )

    run = _sync(server)

    assert "activate-version" in json.loads(about.stdout)["capabilities"]
    assert _activations(run)


def test_every_stream_that_reads_its_whole_set_is_activated_and_no_other(timecamp):
    _sim, server = timecamp
    config = tap_config(server.base_url, start_date=None, end_date=None)
    every = list(TapTimeCamp(config=config, setup_mapper=False).streams)

    run = sync_here(config, catalog=selecting(config, every))

    assert run.returncode == 0
    full_table = {
        name
        for name, stream in TapTimeCamp(config=config, setup_mapper=False).streams.items()
        if stream.replication_method == "FULL_TABLE"
    }
    assert set(_activations(run)) == full_table - set(PARTIAL)
    assert "expenses" in full_table


def test_expenses_read_between_start_and_end_dates_are_not_activated(timecamp):
    _sim, server = timecamp
    config = tap_config(server.base_url)

    run = sync_here(config, catalog=selecting(config, ["expenses"]))

    assert config.get("start_date")
    assert run.records("expenses")
    assert "expenses" not in _activations(run)
