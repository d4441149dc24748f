"""Load and query jobs: journaled, failed when an armed rule says so, followed to their end."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

from bigquery_emulator import compat, failures, query_jobs
from bigquery_emulator.journal import FailureRule, JobKind, JobRecord, Journal
from bigquery_emulator.messages import Request, Response, json_object
from bigquery_emulator.upstream import Upstream

API = "/bigquery/v2/projects/"


def job_text(kind: JobKind, record: JobRecord) -> str:
    """Return what a FailureRule's ``match`` is searched in."""
    return (record.sql if kind == "query" else record.destination) or ""


def describe(project: str, job: dict[str, Any], job_id: str) -> JobRecord | None:
    """Make a job record from a submitted job resource, or None if it is neither load nor query."""
    configuration = job.get("configuration") or {}
    if not isinstance(configuration, dict):
        return None
    if isinstance(configuration.get("query"), dict):
        return JobRecord(job_id, "query", project, sql=str(configuration["query"].get("query", "")))
    load = compat.load_config(job)
    if load is None:
        return None
    table = load.get("destinationTable") or {}
    destination = ".".join(str(table.get(key, "")) for key in ("projectId", "datasetId", "tableId"))
    return JobRecord(job_id, "load", project, destination=destination)


class JobTracker:
    """Submits jobs to the emulator, or fails them itself, and keeps the journal up to date."""

    def __init__(self, journal: Journal, upstream: Upstream) -> None:
        """Record in ``journal``; run real jobs on ``upstream``."""
        self.journal = journal
        self.upstream = upstream
        self._lock = threading.Lock()
        # Jobs failed on purpose never reach the emulator, so the proxy answers for them.
        self._failed: dict[tuple[str, str], tuple[dict[str, Any], FailureRule]] = {}

    # -- submission ----------------------------------------------------------------------

    def submit(self, project: str, job: dict[str, Any], send: Callable[[], Response]) -> Response:
        """Record a job, fail it if a rule says so, else let ``send`` run it for real."""
        reference = job.get("jobReference") or {}
        job_id = str(reference.get("jobId") or uuid.uuid4())
        record = describe(project, job, job_id)
        if record is None:
            return send()
        rule = self.journal.take_failure(record.kind, job_text(record.kind, record))
        if rule is not None:
            return self._inject(record, job, reference.get("location"), rule)
        self.journal.record(record)
        response = query_jobs.completed(send())
        self.observe(project, response, job_id)
        return response

    def _inject(
        self, record: JobRecord, job: dict[str, Any], location: Any, rule: FailureRule
    ) -> Response:
        record.injected = True
        record.state = "DONE"
        if rule.http_status is not None:
            status, payload = failures.http_error(rule)
            record.error = payload["error"]
            self.journal.record(record)
            return Response.json(status, payload)
        resource = failures.failed_job(
            record.project, record.job_id, str(location) if location else None, job, rule
        )
        record.error = failures.error_result(rule)
        self.journal.record(record)
        with self._lock:
            self._failed[(record.project, record.job_id)] = (resource, rule)
        return Response.json(200, resource)

    def insert_job(self, request: Request, match: re.Match[str]) -> Response | None:
        """Handle jobs.insert (queries, and loads from URIs)."""
        job = json_object(request.body)
        if job is None:
            return None
        return self.submit(match["project"], job, lambda: self.upstream.pass_on(request))

    def run_query(self, request: Request, match: re.Match[str]) -> Response | None:
        """Handle jobs.query, whose failures BigQuery reports as HTTP errors."""
        query = json_object(request.body)
        if query is None:
            return None
        project, sql = match["project"], str(query.get("query", ""))
        rule = self.journal.take_failure("query", sql)
        if rule is not None:
            record = JobRecord(f"injected-{uuid.uuid4()}", "query", project, sql=sql)
            record.injected, record.state = True, "DONE"
            status, payload = failures.http_error(rule)
            record.error = payload["error"]
            self.journal.record(record)
            return Response.json(status, payload)
        response = self.upstream.pass_on(request)
        answer = response.payload()
        answer = answer if isinstance(answer, dict) else {}
        reference = answer.get("jobReference")
        if isinstance(reference, dict) and reference.get("jobId"):
            state = "DONE" if answer.get("jobComplete") else "RUNNING"
            self.journal.record(
                JobRecord(str(reference["jobId"]), "query", project, sql, state=state)
            )
        elif response.status >= 400:
            record = JobRecord(f"rejected-{uuid.uuid4()}", "query", project, sql=sql, state="DONE")
            record.error = answer.get("error") or {"status": response.status}
            self.journal.record(record)
        return response

    # -- status --------------------------------------------------------------------------

    def get_job(self, request: Request, match: re.Match[str]) -> Response:
        """Handle jobs.get: injected failures from memory, the rest from the emulator."""
        project, job_id = match["project"], match["job"]
        with self._lock:
            failed = self._failed.get((project, job_id))
        if failed is not None:
            return Response.json(200, failed[0])
        response = query_jobs.completed(self.upstream.pass_on(request))
        self.observe(project, response, job_id)
        return response

    def get_query_results(self, _request: Request, match: re.Match[str]) -> Response | None:
        """Handle jobs.getQueryResults: BigQuery answers a failed job's with an HTTP error."""
        with self._lock:
            failed = self._failed.get((match["project"], match["job"]))
        if failed is None:
            return None
        rule = failed[1]
        status = failures.http_status(rule)
        return Response.json(status, failures.error_body(status, rule.reason, rule.message))

    def observe(self, project: str, response: Response, job_id: str) -> None:
        """Update the job log from the emulator's answer about a job."""
        answer = response.payload()
        if not isinstance(answer, dict):
            return
        if response.status >= 400:
            self.journal.update(
                project, job_id, "DONE", answer.get("error") or {"status": response.status}
            )
            return
        status = answer.get("status")
        if answer.get("kind") == "bigquery#job" and isinstance(status, dict):
            reference = answer.get("jobReference") or {}
            self.journal.update(
                str(reference.get("projectId") or project),
                str(reference.get("jobId") or job_id),
                str(status.get("state", "PENDING")),
                status.get("errorResult"),
            )

    def refresh(self) -> None:
        """Ask the emulator about jobs whose end the proxy has not seen yet."""
        for record in self.journal.jobs():
            if record.state != "DONE" and not record.injected:
                target = f"{API}{record.project}/jobs/{record.job_id}"
                response = self.upstream.forward("GET", target, [("Host", "127.0.0.1")], b"")
                if response.status != 503:
                    self.observe(record.project, response, record.job_id)
