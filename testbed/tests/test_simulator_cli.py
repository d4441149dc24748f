"""The command line: announces its URL, serves, and exits cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import running_cli


def test_cli_prints_its_url_and_serves_until_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "url.env"
    args = ("--seed", "1", "--entries", "500", "--token", "cli-token", "--url-file", str(url_file))
    with running_cli(*args) as (proc, base_url):
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/third_party/api")
        assert url_file.read_text(encoding="utf-8") == f"TIMECAMP_API_URL={base_url}\n"
        me = requests.get(
            f"{base_url}/me",
            params={"format": "json"},
            headers={"Authorization": "Bearer cli-token"},
            timeout=10,
        )
        assert me.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_exits_cleanly_on_signal(sig: signal.Signals) -> None:
    with running_cli("--entries", "10") as (proc, _):
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "Traceback" not in stderr


def test_cli_honours_date_range_arguments() -> None:
    with running_cli(
        "--entries", "100", "--start-date", "2025-01-01", "--end-date", "2025-01-31"
    ) as (_, url):
        config = requests.get(
            url.replace("/third_party/api", "/_simulator/config"), timeout=10
        ).json()
        assert (config["start_date"], config["end_date"], config["entries"]) == (
            "2025-01-01",
            "2025-01-31",
            100,
        )


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "timecamp-simulator"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--url-file" in result.stdout
