"""Run the tap as its users do, a real process, and read what it wrote."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import subprocess
import sys
import typing as t
from pathlib import Path

from singer_sdk.exceptions import FatalAPIError

from tap_timecamp.progress import UnusableStateError


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
    """Run `python -m tap_timecamp` with `config` (and state, catalog) written to files.

    For what the command line itself does: its exit status, its one-line errors, what its
    logs never show (a token). Behaviour is tested in this process (`sync_here`).
    """
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


def selecting(config: dict[str, t.Any], streams: t.Collection[str]) -> dict[str, t.Any]:
    """The tap's catalog with only `streams` selected."""
    from tap_timecamp.tap import TapTimeCamp  # noqa: PLC0415 - the subprocess runs need no tap

    catalog = TapTimeCamp(config=config, setup_mapper=False).catalog_dict
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
    return catalog


def sync_here(
    config: dict[str, t.Any],
    *,
    state: dict[str, t.Any] | None = None,
    catalog: dict[str, t.Any] | None = None,
) -> TapRun:
    """Run the tap in this process as `tap-timecamp --config --state --catalog` would.

    Exit status 1 and the error line when the tap stops with the one-line failure its
    command line prints; what it wrote before that is kept.
    """
    from tap_timecamp.tap import TapTimeCamp  # noqa: PLC0415

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    returncode = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        tap: TapTimeCamp | None = None
        try:
            tap = TapTimeCamp(config=config, state=state or {}, catalog=catalog)
            tap.sync_all()
        except (FatalAPIError, UnusableStateError) as exc:
            returncode = 1
            err.write(f"ERROR {exc}\n")
        finally:
            if tap is not None:
                t.cast("t.Any", tap.message_writer).flush()
    out.seek(0)
    return TapRun(returncode, out.read(), err.getvalue())
