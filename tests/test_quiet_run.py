"""A daily `meltano run` logs what a cron log needs, and no third-party noise.

Real runs of `meltano run tap-timecamp target-bigquery` (the simulator, the emulator, the
project's meltano.yml, logging.yaml and plugins/logging): no warnings of third-party code
(the loader needs no warning filters), none of the SDK's or Meltano's per-stream chatter, the
tap's run summary and Meltano's closing lines last; warnings and errors still shown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import uuid

import pytest
import yaml

from bigquery_emulator import BigQueryEmulator
from tests.pipeline import REPO, Pipeline, Run
from timecamp_simulator import DEFAULT_TOKEN, Simulator

# Every stream meltano.yml selects: all of them make their sinks, and their chatter.
DEFAULT_SELECT = yaml.safe_load((REPO / "meltano.yml").read_text())["plugins"]["extractors"][0][
    "select"
]
# Lines of the SDK, target-bigquery and Meltano a normal run printed before, one per stream,
# window, sink or step: what the logging configuration keeps out of a cron log.
CHATTER = [
    "METRIC:",
    "Beginning sync of",
    "Starting incremental sync of",
    "by entry date:",
    "Skipping parse of env var settings",
    "Skipping deselected stream",
    "Initializing target sink",
    "Initializing 'target-bigquery-safe' target sink",
    "Setting up ",
    "is listening for input",
    "completed reading",
    "Using thread-based parallelism",
    "Using systemdb state backend",
    "Reading state from",
    "Running catalog discovery",
    "Using logging configuration",
    # The SDK's, once per incremental stream: none is sorted, on purpose (log_filters.py).
    "Stream is assumed to be unsorted",
]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, emulator: BigQueryEmulator) -> Run:
    """One first run of the project as meltano.yml has it: every default stream, 30 days."""
    today = dt.date.today()
    start = today - dt.timedelta(days=29)
    sim = Simulator(seed=16, entries=600, start_date=start, end_date=today, users=4)
    dataset = f"quiet_{uuid.uuid4().hex[:10]}"
    emulator.create_dataset(dataset)
    settings = {
        "TAP_TIMECAMP_START_DATE": start.isoformat(),
        "TAP_TIMECAMP__SELECT": json.dumps(DEFAULT_SELECT),
    }
    with sim.serve() as server:
        workdir = tmp_path_factory.mktemp("quiet-run")
        run = Pipeline(workdir, server.base_url, DEFAULT_TOKEN, dataset, settings=settings).run()
    assert run.ok, run.output
    return run


def test_a_run_prints_no_warning_of_third_party_code(first_run):
    assert [line for line in first_run.output.splitlines() if "Warning" in line] == []


def test_a_run_prints_no_per_stream_chatter(first_run):
    lines = first_run.output.splitlines()

    assert [line for line in lines if any(chatter in line for chatter in CHATTER)] == []


def test_a_run_ends_with_what_was_read_and_how_long_it_took(first_run):
    lines = first_run.output.splitlines()
    summary = [i for i, line in enumerate(lines) if "Run summary:" in line]
    assert len(summary) == 1
    assert re.search(r"Run summary: \d+ records \(.*time_entries \d+.*\)", lines[summary[0]])
    assert "Incremental state has been updated" in "\n".join(lines[summary[0] :])
    assert re.search(r"Run completed +duration_seconds=[\d.]+ status=success$", lines[-1])


def test_a_refused_token_still_prints_its_one_line_cause(pipeline):
    pipeline.token = "not-the-token"

    run = pipeline.run()

    assert not run.ok
    assert [line for line in run.output.splitlines() if "refused the `api_token` setting" in line]
    assert "not-the-token" not in run.output


def test_the_loader_needs_no_warning_filters():
    """The loader and its dependencies import without a single warning, even as errors."""
    loader = yaml.safe_load((REPO / "meltano.yml").read_text())["plugins"]["loaders"][0]
    python = REPO / ".meltano" / "loaders" / loader["name"] / "venv" / "bin" / "python"

    done = subprocess.run(
        [str(python), "-W", "error", "-c", "import target_bigquery_safe.__main__"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "PYTHONWARNINGS" not in loader.get("env", {})
