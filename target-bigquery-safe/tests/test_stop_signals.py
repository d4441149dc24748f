"""SIGTERM or SIGINT stops the run with one line and a non-zero exit, writing no STATE after it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from singer_sdk.target_base import Target

from bigquery_emulator import BigQueryEmulator
from target_bigquery_safe import TargetBigQuery
from target_bigquery_safe.errors import StoppedBySignal
from tests.targetrun import SAFE, loader_config, records, schema, state, table_rows

STREAM = "users"
BASE = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}

# A MERGE that takes a while (a busy BigQuery); the marker file says it has begun.
SLOW_MERGE = """\
import os, time
from pathlib import Path
from google.cloud import bigquery
_query = bigquery.Client.query
def query(self, sql, *args, **kwargs):
    if sql.startswith("MERGE"):
        Path(os.environ["MERGE_MARKER"]).write_text("merging")
        time.sleep(20)
    return _query(self, sql, *args, **kwargs)
bigquery.Client.query = query
"""


@contextmanager
def kept_signal_handlers() -> Iterator[None]:
    """Put back this process's SIGTERM and SIGINT handlers once the block replaced them."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _start(
    tmp_path: Path,
    dataset: str,
    bq: BigQueryEmulator,
    messages: Sequence[dict[str, Any]],
    site: Path | None,
) -> subprocess.Popen[str]:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(loader_config(dataset)))
    env = {**os.environ, **bq.env(), "MERGE_MARKER": str(tmp_path / "marker")}
    env["PYTHONPATH"] = ":".join(str(path) for path in (site, os.environ.get("PYTHONPATH")) if path)
    proc = subprocess.Popen(
        [SAFE, "--config", str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None
    proc.stdin.write("".join(json.dumps(message) + "\n" for message in messages))
    proc.stdin.flush()
    return proc


def test_sigterm_during_the_last_merge_writes_no_state_and_fails_the_run(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_MERGE)
    messages = [schema(STREAM, BASE), *records(STREAM, [{"id": 1}, {"id": 2}]), state(STREAM, 2)]
    proc = _start(tmp_path, dataset, bq, messages, site)
    assert proc.stdin is not None
    proc.stdin.close()  # end of input: the final drain starts, and its MERGE is slow
    proc.stdin = None
    marker = tmp_path / "marker"
    for _ in range(300):
        if marker.exists():
            break
        time.sleep(0.1)
    assert marker.exists()

    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)

    assert out == ""
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in err
    assert (
        err.strip().splitlines()[-1].startswith("target-bigquery-safe: error: stopped by SIGTERM: ")
    )


def test_sigterm_while_a_merge_keeps_failing_fails_the_run(
    bq: BigQueryEmulator, dataset: str, tmp_path: Path
) -> None:
    bq.inject_failure("query", match="MERGE", count=10)
    messages = [schema(STREAM, BASE), *records(STREAM, [{"id": 1}, {"id": 2}])]
    proc = _start(tmp_path, dataset, bq, messages, None)  # stdin left open: the tap is busy
    time.sleep(6)

    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)

    assert table_rows(bq.client(), dataset, STREAM, ["id"]) == []
    assert out == ""
    assert proc.returncode == 128 + signal.SIGTERM


class _PlainTarget(Target):
    name = "plain-target"
    config_jsonschema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}


def test_the_sdk_installs_its_termination_handlers_in_the_targets_init() -> None:
    # TargetBigQuery replaces them right after the SDK's __init__: an SDK that installed
    # them later (say in listen) would put back the drain that writes STATE, and exit 0.
    with kept_signal_handlers():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)

        target = _PlainTarget(config={})

        handlers = [signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)]
    assert [getattr(handler, "__self__", None) for handler in handlers] == [target, target]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_after_the_target_is_made_raises_stopped_by_signal(
    bq: BigQueryEmulator,
    dataset: str,
    monkeypatch: pytest.MonkeyPatch,
    signum: signal.Signals,
) -> None:
    for name, value in bq.env().items():
        monkeypatch.setenv(name, value)
    with kept_signal_handlers():
        TargetBigQuery(config=loader_config(dataset))

        with pytest.raises(StoppedBySignal, match=f"^stopped by {signum.name}: ") as stopped:
            signal.raise_signal(signum)

    assert stopped.value.exit_code == 128 + signum
