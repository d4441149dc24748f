"""Build the responses BigQuery gives for a failed job, for injected failures.

Shapes follow the BigQuery v2 REST API: a job resource that is DONE with an
``errorResult``, and the ``{"error": {...}}`` body of an HTTP error.
"""

from __future__ import annotations

import time
from typing import Any

from bigquery_emulator.journal import FailureRule

# The HTTP status BigQuery pairs with each error reason (its "Error messages" reference).
REASON_STATUS = {
    "invalid": 400,
    "invalidQuery": 400,
    "notFound": 404,
    "duplicate": 409,
    "accessDenied": 403,
    "quotaExceeded": 403,
    "rateLimitExceeded": 403,
    "backendError": 500,
    "internalError": 500,
}
STATUS_NAME = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
STATUS_REASON = {400: "invalid", 403: "accessDenied", 404: "notFound", 409: "duplicate"}


def error_result(rule: FailureRule) -> dict[str, str]:
    """Return the ``errorResult`` of a job failed by ``rule``."""
    return {"reason": rule.reason, "message": rule.message}


def http_status(rule: FailureRule) -> int:
    """Return the HTTP status to answer with when ``rule`` fails a request."""
    return rule.http_status or REASON_STATUS.get(rule.reason, 400)


def error_body(status: int, reason: str, message: str) -> dict[str, Any]:
    """Return BigQuery's JSON body for an HTTP error."""
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": STATUS_NAME.get(status, "UNKNOWN"),
        }
    }


def http_error(rule: FailureRule) -> tuple[int, dict[str, Any]]:
    """Return status and body for a request refused by ``rule``."""
    status = http_status(rule)
    reason = rule.reason
    if rule.http_status is not None and reason == "invalid":
        # An explicit 5xx with the default reason would read oddly; name it like BigQuery.
        reason = STATUS_REASON.get(status, "backendError")
    return status, error_body(status, reason, rule.message)


def failed_job(
    project: str, job_id: str, location: str | None, job: dict[str, Any], rule: FailureRule
) -> dict[str, Any]:
    """Return the job resource of a job that ran and failed."""
    now = str(int(time.time() * 1000))
    location = location or "US"
    reference = {"projectId": project, "jobId": job_id, "location": location}
    return {
        "kind": "bigquery#job",
        "id": f"{project}:{location}.{job_id}",
        "jobReference": reference,
        "configuration": job.get("configuration", {}),
        "statistics": {"creationTime": now, "startTime": now, "endTime": now},
        "status": {
            "state": "DONE",
            "errorResult": error_result(rule),
            "errors": [error_result(rule)],
        },
        "user_email": "user:local-bigquery@localhost",
    }
