"""Run the tap as its users do, a real process, and read what it wrote."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing as t
from pathlib import Path


@dataclasses.dataclass
class TapRun:
    """What one run of `tap-timecamp` printed."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[dict[str, t.Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def records(self, stream: str = "time_entries") -> list[dict[str, t.Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    @property
    def last_state(self) -> dict[str, t.Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "ERROR" in line]


def run_tap(
    tmp_path: Path,
    config: dict[str, t.Any],
    *,
    state: dict[str, t.Any] | None = None,
    catalog: dict[str, t.Any] | None = None,
    timeout: float = 120,
) -> TapRun:
    """Run `python -m tap_timecamp` with `config` (and state, catalog) written to files."""
    args = [
        sys.executable,
        "-m",
        "tap_timecamp",
        "--config",
        _write(tmp_path / "config.json", config),
    ]
    if state is not None:
        args += ["--state", _write(tmp_path / "state.json", state)]
    if catalog is not None:
        args += ["--catalog", _write(tmp_path / "catalog.json", catalog)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    return TapRun(done.returncode, done.stdout, done.stderr)


def _write(path: Path, content: dict[str, t.Any]) -> str:
    path.write_text(json.dumps(content))
    return str(path)
