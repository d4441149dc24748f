"""The proxy's control API under /_emulator/, a path BigQuery never uses (client: ``control``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from bigquery_emulator.jobs import JobTracker
from bigquery_emulator.journal import FailureRule, Journal
from bigquery_emulator.messages import Response

CONTROL_PREFIX = "/_emulator"


class ControlApi:
    """Serves /_emulator/{health,jobs,failures} for tests in other processes."""

    def __init__(self, journal: Journal, jobs: JobTracker) -> None:
        """Show and change ``journal``; ``jobs`` brings unfinished jobs up to date first."""
        self.journal = journal
        self.jobs = jobs

    def handle(self, method: str, path: str, body: bytes) -> Response:
        """Answer one control request; ``path`` starts with CONTROL_PREFIX."""
        resource = path[len(CONTROL_PREFIX) :].strip("/")
        endpoints: dict[tuple[str, str], Callable[[bytes], Response]] = {
            ("GET", "health"): lambda _: Response.json(
                200, {"ok": True, "emulator": self.jobs.upstream.address() is not None}
            ),
            ("GET", "jobs"): lambda _: self._jobs_answer(refresh=True),
            ("DELETE", "jobs"): lambda _: self._jobs_answer(clear=True),
            ("GET", "failures"): lambda _: self._failures_answer(),
            ("POST", "failures"): self._add_failure,
            ("DELETE", "failures"): lambda _: self._failures_answer(clear=True),
        }
        endpoint = endpoints.get((method, resource))
        if endpoint is None:
            return Response.json(404, {"error": f"no control endpoint {method} {path}"})
        return endpoint(body)

    def _jobs_answer(self, refresh: bool = False, clear: bool = False) -> Response:
        # Taken before the refresh, whose requests are the control API's, not the client's.
        upstream = asdict(self.journal.upstream_time())
        if refresh:
            self.jobs.refresh()
        if clear:
            self.journal.clear_jobs()
        jobs = [job.to_dict() for job in self.journal.jobs()]
        return Response.json(200, {"jobs": jobs, "upstream": upstream})

    def _failures_answer(self, clear: bool = False) -> Response:
        if clear:
            # Jobs already failed stay failed, as in BigQuery.
            self.journal.clear_rules()
        return Response.json(200, {"failures": [rule.to_dict() for rule in self.journal.rules()]})

    def _add_failure(self, body: bytes) -> Response:
        try:
            rule = FailureRule.from_dict(json.loads(body))
        except (ValueError, TypeError) as error:
            return Response.json(400, {"error": f"bad failure rule: {error}"})
        self.journal.add_rule(rule)
        return self._failures_answer()
