"""Talk to the control API of a harness running in another process (the CLI)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from bigquery_emulator.control_api import CONTROL_PREFIX
from bigquery_emulator.journal import FailureRule, JobKind, JobRecord, UpstreamTime


class EmulatorControl:
    """The job log and failure injection of ``bigquery-emulator`` at ``host``."""

    def __init__(self, host: str) -> None:
        """Use the BIGQUERY_EMULATOR_HOST value the CLI printed."""
        self.host = host.rstrip("/")

    def _call(self, method: str, resource: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback http
            f"{self.host}{CONTROL_PREFIX}/{resource}",
            data=data,
            headers={"Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http
            return json.loads(response.read())

    def jobs(self) -> list[JobRecord]:
        """Return the jobs the proxy saw."""
        return [JobRecord.from_dict(job) for job in self._call("GET", "jobs")["jobs"]]

    def clear_jobs(self) -> None:
        """Forget the job log and the emulator's time."""
        self._call("DELETE", "jobs")

    def upstream_time(self) -> UpstreamTime:
        """Requests forwarded to the emulator since ``clear_jobs`` and the seconds they took."""
        return UpstreamTime(**self._call("GET", "jobs")["upstream"])

    def inject_failure(
        self,
        kind: JobKind,
        match: str | None = None,
        count: int = 1,
        *,
        reason: str = "invalid",
        message: str = "Injected failure (bigquery-emulator)",
        http_status: int | None = None,
    ) -> FailureRule:
        """Arm a failure rule (same meaning as ``BigQueryEmulator.inject_failure``)."""
        rule = FailureRule(kind, match, count, reason, message, http_status)
        self._call("POST", "failures", rule.to_dict())
        return rule

    def failures(self) -> list[FailureRule]:
        """Return the rules still armed."""
        return [FailureRule.from_dict(rule) for rule in self._call("GET", "failures")["failures"]]

    def clear_failures(self) -> None:
        """Disarm every rule."""
        self._call("DELETE", "failures")
