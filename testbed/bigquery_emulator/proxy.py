"""A loopback reverse proxy in front of local-bigquery: the address clients use.

It forwards every request to the emulator unchanged (``upstream``), except that it
- gunzips the data of CSV/NDJSON load uploads and runs resumable upload sessions itself
  (``uploads``, ``compat``),
- records load and query jobs in the ``Journal`` and fails the jobs that an armed
  ``FailureRule`` selects, the way BigQuery reports it (``jobs``), and
- serves its own control API under ``/_emulator/`` (``control_api``).
This module only routes; ``server`` does the sockets.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable

from bigquery_emulator.control_api import CONTROL_PREFIX, ControlApi
from bigquery_emulator.jobs import JobTracker
from bigquery_emulator.journal import Journal
from bigquery_emulator.messages import Headers, Request, Response
from bigquery_emulator.uploads import Uploads
from bigquery_emulator.upstream import Upstream

JOBS_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/jobs$")
JOB_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/jobs/(?P<job>[^/]+)$")
QUERIES_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/queries$")
QUERY_RESULTS_PATH = re.compile(
    r"^/bigquery/v2/projects/(?P<project>[^/]+)/queries/(?P<job>[^/]+)$"
)
UPLOAD_PATH = re.compile(r"^/upload/bigquery/v2/projects/(?P<project>[^/]+)/jobs$")

# A handler that returns None lets the request through unchanged.
Route = Callable[[Request, "re.Match[str]"], "Response | None"]


class Proxy:
    """Routes each client request to the part of the proxy that answers it."""

    def __init__(self, journal: Journal, upstream: Callable[[], tuple[str, int] | None]) -> None:
        """Route to whatever ``upstream()`` names (None while the emulator is down)."""
        self.upstream = Upstream(journal, upstream)
        self.jobs = JobTracker(journal, self.upstream)
        self.uploads = Uploads(self.upstream, self.jobs)
        self.control = ControlApi(journal, self.jobs)
        self._routes: list[tuple[str, re.Pattern[str], Route]] = [
            ("POST", UPLOAD_PATH, self.uploads.upload),
            ("PUT", UPLOAD_PATH, self.uploads.resumable_chunk),
            ("POST", JOBS_PATH, self.jobs.insert_job),
            ("POST", QUERIES_PATH, self.jobs.run_query),
            ("GET", JOB_PATH, self.jobs.get_job),
            ("GET", QUERY_RESULTS_PATH, self.jobs.get_query_results),
        ]

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Response:
        """Answer one client request."""
        url = urllib.parse.urlsplit(target)
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            return self.control.handle(method, url.path, body)
        request = Request(method, target, url.query, headers, body)
        for route_method, pattern, handler in self._routes:
            if method == route_method and (match := pattern.match(url.path)):
                response = handler(request, match)
                if response is not None:
                    return response
        return self.upstream.pass_on(request)
