"""Settings the target refuses before it touches BigQuery, each with one line naming it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from target_bigquery_safe import TargetBigQuery
from target_bigquery_safe.errors import UnsupportedConfigError
from tests.targetrun import SAFE, loader_config


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"method": "storage_write_api"},
            "setting method must be batch_job (load jobs), got 'storage_write_api'",
            id="method",
        ),
        pytest.param(
            {"denormalized": False},
            "setting denormalized must be true: one column per field",
            id="denormalized",
        ),
        pytest.param(
            {"denormalized": "true"},
            "setting denormalized must be true or false, got 'true'",
            id="string-boolean",
        ),
        pytest.param(
            {"upsert": "false"},
            "setting upsert must be true or false, got 'false'",
            id="string-upsert",
        ),
        pytest.param(
            {"batch_size": "1000"},
            "setting batch_size must be a whole number >= 1, got '1000'",
            id="string-batch-size",
        ),
        pytest.param(
            {"batch_size": 0},
            "setting batch_size must be a whole number >= 1, got 0",
            id="zero-batch-size",
        ),
        pytest.param(
            {"overwrite": True},
            "setting overwrite (of z3-target-bigquery) is not supported by this loader; remove it",
            id="overwrite",
        ),
        pytest.param(
            {"partition_granularity": "day"},
            "setting partition_granularity (of z3-target-bigquery) is not supported by this "
            "loader; remove it",
            id="old-loader-setting",
        ),
        pytest.param(
            {"batch_size_rows": 10},
            "setting batch_size_rows is not supported by this loader",
            id="sdk-setting-changed",
        ),
        pytest.param(
            {"project": ""},
            "setting project must be a non-empty string",
            id="empty-project",
        ),
        pytest.param(
            {"credentials_json": 42},
            "setting credentials_json must be a service-account key: JSON text or a mapping",
            id="credentials-json-number",
        ),
    ],
)
def test_a_setting_the_loader_cannot_use_is_refused_naming_it(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnsupportedConfigError) as raised:
        TargetBigQuery(config=loader_config("d", **overrides))

    assert str(raised.value) == message


def test_an_unknown_setting_is_refused_naming_it() -> None:
    with pytest.raises(UnsupportedConfigError, match=r"^unknown setting datset; the settings are"):
        TargetBigQuery(config=loader_config("d", datset="x"))


def test_cli_reports_a_refused_setting_as_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(loader_config("d", batch_size="many")))

    completed = subprocess.run(
        [SAFE, "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.stdout == ""
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines()[-1] == (
        "target-bigquery-safe: error: setting batch_size must be a whole number >= 1, got 'many'"
    )
