"""Settings the safe target refuses before it touches BigQuery (no emulator)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from target_bigquery_safe import SafeTargetBigQuery
from target_bigquery_safe.errors import UnsupportedConfigError
from tests.targetrun import BIN, SAFE, loader_config


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"method": "storage_write_api"},
            "target-bigquery-safe supports only method: batch_job with denormalized: true, "
            "got method: 'storage_write_api', denormalized: True",
            id="method",
        ),
        pytest.param(
            {"denormalized": False},
            "target-bigquery-safe supports only method: batch_job with denormalized: true, "
            "got method: 'batch_job', denormalized: False",
            id="denormalized",
        ),
        pytest.param(
            {"denormalized": "true"},
            "target-bigquery-safe supports only method: batch_job with denormalized: true, "
            "got method: 'batch_job', denormalized: 'true'",
            id="string-boolean",
        ),
        pytest.param(
            {"overwrite": True},
            "target-bigquery-safe does not support overwrite: use upsert (the default here)",
            id="overwrite",
        ),
    ],
)
def test_unsafe_settings_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(UnsupportedConfigError) as raised:
        SafeTargetBigQuery(config=loader_config("d", **overrides))

    assert str(raised.value) == message


def test_cli_reports_a_refused_setting_as_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(loader_config("d", method="streaming_insert")))

    completed = subprocess.run(
        [str(BIN / SAFE), "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.stdout == ""
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines()[-1] == (
        "target-bigquery-safe: error: target-bigquery-safe supports only method: batch_job "
        "with denormalized: true, got method: 'streaming_insert', denormalized: True"
    )
