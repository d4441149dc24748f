"""A daily `meltano run` reuses the tap's discovered catalog instead of discovering again.

Meltano caches the catalog only for an extractor not installed editable, keyed on its
settings; a new install of the tap (scripts/bootstrap, when its code changed) drops it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from bigquery_emulator import BigQueryEmulator
from tests.pipeline import Pipeline
from timecamp_simulator import DEFAULT_TOKEN, Simulator

USING_THE_CACHE = "Using cached catalog file"
DISCOVERING = "Cached catalog is outdated, running discovery"
# Meltano's own logging, at debug level: the project's logging.yaml keeps these lines out.
RUN_LOGGING_DEBUG = (
    "--log-config=none",
    "--log-level=debug",
    "run",
    "tap-timecamp",
    "target-bigquery",
)


def test_a_second_run_with_the_same_settings_runs_no_discovery(
    emulator: BigQueryEmulator, tmp_path: Path
) -> None:
    today = dt.date.today()
    sim = Simulator(seed=6, entries=50, start_date=today - dt.timedelta(days=3), end_date=today)
    dataset = f"catalog_{uuid.uuid4().hex[:10]}"
    emulator.create_dataset(dataset)
    # A start date of its own: the cache key is the tap's settings, so no other test's
    # catalog can be the one reused.
    settings = {"TAP_TIMECAMP_START_DATE": (today - dt.timedelta(days=3)).isoformat()}
    with sim.serve() as server:
        pipeline = Pipeline(tmp_path, server.base_url, DEFAULT_TOKEN, dataset, settings=settings)
        first = pipeline.meltano(*RUN_LOGGING_DEBUG)
        second = pipeline.meltano(*RUN_LOGGING_DEBUG)
        changed = pipeline.meltano(*RUN_LOGGING_DEBUG, TAP_TIMECAMP_OVERLAP_DAYS="2")

    assert first.ok, first.output
    assert second.ok, second.output
    assert changed.ok, changed.output
    assert USING_THE_CACHE not in first.output
    assert USING_THE_CACHE in second.output
    assert DISCOVERING not in second.output
    assert USING_THE_CACHE not in changed.output  # another setting: discovered again
