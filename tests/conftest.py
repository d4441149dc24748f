"""Fixtures of the end-to-end tests: a TimeCamp simulator, a BigQuery emulator, a pipeline."""

from __future__ import annotations

import datetime as dt
import socket
import typing as t
import uuid

import pytest
from google.cloud import bigquery

from bigquery_emulator import BigQueryEmulator
from tests.pipeline import CREDENTIALS, EMULATOR_PORT, PROJECT, Pipeline
from timecamp_simulator import DEFAULT_TOKEN, Simulator

DAYS = 60


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[BigQueryEmulator]:
    """The BigQuery emulator, on the port the `local` Meltano environment points at."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", EMULATOR_PORT)) == 0:
            pytest.fail(
                f"port {EMULATOR_PORT} is taken (is scripts/run-local running?): "
                "the end-to-end tests start their own BigQuery emulator there"
            )
    bq = BigQueryEmulator(
        data_dir=tmp_path_factory.mktemp("bigquery"),
        project=PROJECT,
        port=EMULATOR_PORT,
        credentials_file=CREDENTIALS,
    )
    with bq:
        yield bq


@pytest.fixture
def dataset(emulator: BigQueryEmulator) -> str:
    """A fresh, empty dataset for one test."""
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    emulator.create_dataset(name)
    return name


@pytest.fixture
def warehouse(emulator: BigQueryEmulator) -> bigquery.Client:
    return emulator.client()


def account(now: dt.datetime | None = None) -> Simulator:
    """A TimeCamp account: 6 people, the last 60 days, on the real clock unless `now` stops it."""
    today = now.date() if now else dt.date.today()
    return Simulator(
        seed=5,
        entries=1200,
        start_date=today - dt.timedelta(days=DAYS - 1),
        end_date=today,
        users=6,
        now=now,
    )


@pytest.fixture
def timecamp() -> t.Iterator[tuple[Simulator, t.Any]]:
    """A served TimeCamp account: 6 people, the last 60 days, on the real clock."""
    sim = account()
    with sim.serve() as server:
        yield sim, server


@pytest.fixture
def pipeline(tmp_path, timecamp, dataset, emulator) -> Pipeline:
    """The Meltano project, its state in a database of this test's own, time entries only."""
    _, server = timecamp
    return Pipeline(
        workdir=tmp_path,
        api_url=server.base_url,
        token=DEFAULT_TOKEN,
        dataset=dataset,
        settings={
            "TAP_TIMECAMP_START_DATE": (dt.date.today() - dt.timedelta(days=DAYS - 1)).isoformat(),
            "TAP_TIMECAMP__SELECT": '["time_entries.*"]',
        },
    )
