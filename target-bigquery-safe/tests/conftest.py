"""One local BigQuery emulator for the session; a fresh dataset and job log per test."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bigquery_emulator import BigQueryEmulator, is_installed

_names = itertools.count(1)

# A stand-in for a run that lasts longer than the SDK's five-minute record age: with the
# threshold at zero, every changed STATE message drains all sinks mid-run, as it would once
# a real run (a large backfill) has been going for five minutes.
LONG_RUN_SITECUSTOMIZE = """\
from singer_sdk.target_base import Target

Target._MAX_RECORD_AGE_IN_MINUTES = 0.0
"""


@pytest.fixture(scope="session")
def bq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryEmulator]:
    if not is_installed():
        message = "BigQuery emulator not installed: run scripts/install-bigquery-emulator"
        # A run meant to prove the loader on a Python (scripts/test-installed-wheel) must not
        # pass by skipping everything that loads.
        if os.environ.get("REQUIRE_BIGQUERY_EMULATOR"):
            pytest.fail(message)
        pytest.skip(message)
    with BigQueryEmulator(data_dir=tmp_path_factory.mktemp("bigquery")) as emulator:
        yield emulator


@pytest.fixture
def dataset(bq: BigQueryEmulator, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty dataset; also starts a clean job log with no failures armed."""
    name = f"t{next(_names)}_{re.sub(r'[^0-9a-zA-Z_]', '_', request.node.name)}"
    bq.create_dataset(name)
    bq.clear_failures()
    bq.clear_jobs()
    yield name
    bq.clear_failures()


@pytest.fixture
def long_run_env(tmp_path: Path) -> dict[str, str]:
    """Environment that makes the loader drain mid-run as if five minutes had passed."""
    site = tmp_path / "long-run-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(LONG_RUN_SITECUSTOMIZE)
    return {"PYTHONPATH": str(site)}
