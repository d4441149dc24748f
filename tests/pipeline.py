"""Drive the Meltano project as a user does, against the local stand-ins.

Every run is a real `meltano run` in a subprocess: the tap, Meltano's state handling and
the real target-bigquery loader (with the project's hardening) talk to the TimeCamp
simulator and the BigQuery emulator over HTTP.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import typing as t
from pathlib import Path

from local_meltano import meltano_env

REPO = Path(__file__).resolve().parents[1]
MELTANO = REPO / ".venv" / "bin" / "meltano"
# The `local` Meltano environment points the loader here (meltano.yml).
EMULATOR_PORT = 9050
CREDENTIALS = REPO / ".local" / "bigquery-credentials.json"
PROJECT = "local-project"


@dataclasses.dataclass
class Run:
    """What one `meltano run` did."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclasses.dataclass
class Pipeline:
    """One isolated Meltano project state (its own system database) and its settings."""

    workdir: Path
    api_url: str
    token: str
    dataset: str
    table: str = "timecamp_entries"
    settings: dict[str, str] = dataclasses.field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return meltano_env(
            self.workdir,
            {
                "TAP_TIMECAMP_API_URL": self.api_url,
                "TAP_TIMECAMP_API_TOKEN": self.token,
                "TARGET_BIGQUERY_DATASET": self.dataset,
                "BIGQUERY_TABLE": self.table,
                **self.settings,
                **extra,
            },
        )

    def meltano(self, *args: str, timeout: float = 600, **extra_env: str) -> Run:
        done = subprocess.run(
            [str(MELTANO), *args],
            cwd=REPO,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def run(self, *extra_args: str, timeout: float = 600, **extra_env: str) -> Run:
        """`meltano run tap-timecamp target-bigquery`."""
        return self.meltano(
            "run", *extra_args, "tap-timecamp", "target-bigquery", timeout=timeout, **extra_env
        )

    def state(self) -> dict[str, t.Any]:
        done = self.meltano("state", "get", "local:tap-timecamp-to-target-bigquery")
        text = done.stdout.strip()
        return t.cast("dict[str, t.Any]", json.loads(text)) if done.ok and text else {}
