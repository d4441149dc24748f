"""BigQuery refusing the dataset check (a 403, a 400) is one line and exit 1, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.targetrun import PROJECT, SAFE, loader_config

# A service account without bigquery.datasets.get; anonymous credentials stand in for a key.
FORBIDDEN = """\
import google.auth
from google.api_core.exceptions import Forbidden
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
def get_dataset(self, *args, **kwargs):
    raise Forbidden(
        "Access Denied: Dataset local-project:d: Permission bigquery.datasets.get denied"
    )
bigquery.Client.get_dataset = get_dataset
google.auth.default = lambda *args, **kwargs: (AnonymousCredentials(), "local-project")
"""


def test_a_403_on_the_dataset_check_is_one_line_and_exit_1(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(FORBIDDEN)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(loader_config("d")))
    env = {
        **os.environ,
        "PYTHONPATH": ":".join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p),
        "GOOGLE_CLOUD_PROJECT": PROJECT,
    }
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)

    run = subprocess.run(
        [SAFE, "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == (
        f"target-bigquery-safe: error: checking dataset {PROJECT}.d failed: 403 Access Denied: "
        "Dataset local-project:d: Permission bigquery.datasets.get denied"
    )
