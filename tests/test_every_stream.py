"""Every stream the tap offers, selected at once, lands whole in BigQuery and in PostgreSQL.

One `meltano run` per target with every stream selected (`*.*`), the ones not selected by
default included. Per stream, the rows not marked deleted equal what the tap reads from the
account (keys and every scalar column), and for issue 15's streams what the account itself
holds (`tests.every_stream`). The stream list comes from the tap, so a stream added later
is covered without a change here.
"""

from __future__ import annotations

import datetime as dt
import typing as t

import pytest

from tests import test_targets
from tests.conftest import account
from tests.every_stream import (
    EVERY_STREAM_SELECTED,
    account_truth,
    differences,
    live,
    offered_streams,
    read_directly,
    truth_differences,
)
from tests.test_targets import query, to_postgres
from tests.warehouse import rows
from timecamp_simulator import DEFAULT_TOKEN, Simulator

if t.TYPE_CHECKING:
    from tests.pipeline import Pipeline


# The Meltano project, the PostgreSQL server and a database of its own, as the target
# tests have them.
project = test_targets.project
postgres = test_targets.postgres
database = test_targets.database


@pytest.fixture
def timecamp() -> t.Iterator[tuple[Simulator, t.Any]]:
    """The end-to-end account (6 people, 60 days) on a stopped clock.

    Stopped, so that the tap's own reading after the Meltano run sees the same account:
    a running timer's duration and the windows of "today" do not move in between.
    """
    sim = account(now=dt.datetime.now().replace(microsecond=0))
    sim.delete_entry(next(iter(sim.all_entries()))["id"])
    with sim.serve() as server:
        yield sim, server


def tap_config(pipeline: Pipeline) -> dict[str, t.Any]:
    return {
        "api_url": pipeline.api_url,
        "api_token": DEFAULT_TOKEN,
        "start_date": pipeline.settings["TAP_TIMECAMP_START_DATE"],
    }


def check_every_stream(
    sim: Simulator,
    pipeline: Pipeline,
    landed_rows: t.Callable[[str], list[dict[str, t.Any]]],
) -> None:
    """Every offered stream's live rows equal the tap's reading and the account's objects."""
    config = tap_config(pipeline)
    streams = offered_streams(config)
    sent = read_directly(config, pipeline.workdir)
    truth = account_truth(sim)
    found = {}
    for stream, keys in streams.items():
        assert sent.get(stream), f"the tap read nothing for {stream}: the test proves nothing"
        landed = live(landed_rows(stream), keys)
        problems = differences(live(sent[stream], keys), landed)
        if stream in truth:
            problems += truth_differences(truth[stream], landed)
        if problems:
            found[stream] = problems[:5]
    assert not found, found


def test_every_stream_lands_in_bigquery_as_timecamp_holds_it(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    pipeline.settings["TAP_TIMECAMP__SELECT"] = EVERY_STREAM_SELECTED

    run = pipeline.run()

    assert run.ok, run.output[-3000:]
    # time_entries lands in the legacy table the `local` environment names.
    tables = {"time_entries": pipeline.table}
    check_every_stream(
        sim,
        pipeline,
        lambda stream: rows(warehouse, pipeline.dataset, tables.get(stream, stream)),
    )


def test_every_stream_lands_in_postgres_as_timecamp_holds_it(project, timecamp, postgres, database):
    sim, _ = timecamp

    to_postgres(project, postgres, database, TAP_TIMECAMP__SELECT=EVERY_STREAM_SELECTED)

    check_every_stream(
        sim,
        project,
        lambda stream: query(postgres, database, f'SELECT * FROM timecamp."{stream}"'),
    )
