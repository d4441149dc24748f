"""What the proxy saw: the job log and the failures waiting to be injected.

Both live in the harness process and are shared by the proxy threads, so every
access goes through one lock.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from typing import Any, Literal

JobKind = Literal["load", "query"]
JOB_KINDS: tuple[JobKind, ...] = ("load", "query")


@dataclasses.dataclass
class JobRecord:
    """One job as submitted through the proxy and as last reported by the emulator."""

    job_id: str
    kind: JobKind
    project: str
    sql: str | None = None
    destination: str | None = None  # "project.dataset.table" for loads
    state: str = "PENDING"  # PENDING, RUNNING or DONE, as BigQuery reports it
    error: dict[str, Any] | None = None  # the job's errorResult, or the HTTP error body
    injected: bool = False  # failed on purpose by a FailureRule

    @property
    def failed(self) -> bool:
        """Tell whether the job ended in an error."""
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by the control API."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobRecord:
        """Read the JSON form back."""
        return cls(**data)


@dataclasses.dataclass
class FailureRule:
    """Fail the next ``count`` jobs of ``kind`` whose text matches ``match``.

    ``match`` is a regular expression searched in the SQL of a query or in the
    ``project.dataset.table`` destination of a load; None matches every job.
    With ``http_status`` None the job is created and ends DONE with an errorResult
    (how BigQuery reports a failed job); with a status the submission itself is
    answered with that HTTP error.
    """

    kind: JobKind
    match: str | None = None
    count: int = 1
    reason: str = "invalid"
    message: str = "Injected failure (bigquery-emulator)"
    http_status: int | None = None

    def __post_init__(self) -> None:
        """Reject a rule that could never behave as asked."""
        if self.kind not in JOB_KINDS:
            raise ValueError(f"kind must be one of {JOB_KINDS}, not {self.kind!r}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.http_status is not None and not 400 <= self.http_status <= 599:
            raise ValueError("http_status must be an HTTP error status (400-599)")
        if self.match is not None:
            re.compile(self.match)

    def matches(self, kind: JobKind, text: str) -> bool:
        """Tell whether a job of this kind with this SQL or destination is targeted."""
        return kind == self.kind and (self.match is None or re.search(self.match, text) is not None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by the control API."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FailureRule:
        """Read the JSON form back (a TypeError names an unknown field)."""
        return cls(**data)


@dataclasses.dataclass
class UpstreamTime:
    """Requests the proxy forwarded to the emulator, and for how long it was answering.

    ``seconds`` counts the time at least one request was in flight: requests sent side by
    side count once, so it never exceeds the wall time it was measured over.
    """

    requests: int = 0
    seconds: float = 0.0


class Journal:
    """Thread-safe job log and failure rules."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        # One record per submission: a client retrying an insert that got an HTTP error
        # reuses the job id, and both attempts are worth seeing.
        self._jobs: list[JobRecord] = []
        self._rules: list[FailureRule] = []
        # Time the emulator took to answer, for benchmarks: what BigQuery itself cost a run.
        self._upstream = UpstreamTime()
        self._in_flight = 0
        self._busy_since = 0.0

    def record(self, job: JobRecord) -> None:
        """Add a submitted job."""
        with self._lock:
            self._jobs.append(job)

    def update(self, project: str, job_id: str, state: str, error: dict[str, Any] | None) -> None:
        """Update a known job's state from a response the emulator sent."""
        with self._lock:
            for job in reversed(self._jobs):
                if (job.project, job.job_id) == (project, job_id) and not job.injected:
                    job.state = state
                    job.error = error
                    return

    def jobs(self) -> list[JobRecord]:
        """Return copies of the records, oldest first."""
        with self._lock:
            return [dataclasses.replace(job) for job in self._jobs]

    def clear_jobs(self) -> None:
        """Forget every recorded job, and the time the emulator took."""
        with self._lock:
            self._jobs.clear()
            self._upstream = UpstreamTime()

    def upstream_started(self) -> None:
        """Note that a request is on its way to the emulator."""
        with self._lock:
            if self._in_flight == 0:
                self._busy_since = time.perf_counter()
            self._in_flight += 1

    def upstream_ended(self) -> None:
        """Count a request the emulator answered (or failed to)."""
        with self._lock:
            self._in_flight -= 1
            self._upstream.requests += 1
            if self._in_flight == 0:
                self._upstream.seconds += time.perf_counter() - self._busy_since

    def upstream_time(self) -> UpstreamTime:
        """Return the requests forwarded to the emulator since the job log was cleared."""
        with self._lock:
            return dataclasses.replace(self._upstream)

    def add_rule(self, rule: FailureRule) -> None:
        """Queue a failure rule; rules are consulted in the order they were added."""
        with self._lock:
            self._rules.append(rule)

    def rules(self) -> list[FailureRule]:
        """Return copies of the rules still armed."""
        with self._lock:
            return [dataclasses.replace(rule) for rule in self._rules]

    def clear_rules(self) -> None:
        """Disarm every rule."""
        with self._lock:
            self._rules.clear()

    def take_failure(self, kind: JobKind, text: str) -> FailureRule | None:
        """Consume one use of the first rule matching this job, if any."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(kind, text):
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                    return dataclasses.replace(rule, count=1)
        return None
