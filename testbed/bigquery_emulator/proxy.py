"""A loopback reverse proxy in front of local-bigquery: the address clients use.

It forwards every request to the emulator unchanged, except that it
- gunzips the data of CSV/NDJSON load uploads (see ``compat``),
- runs resumable upload sessions itself and hands the emulator the whole payload in
  one piece, because gunzipping changes the byte counts the chunk protocol relies on,
- records load and query jobs in the ``Journal``, and
- fails the jobs that an armed ``FailureRule`` selects, the way BigQuery reports it.
Its own control API lives under ``/_emulator/``, a path BigQuery never uses.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bigquery_emulator import compat, failures
from bigquery_emulator.journal import FailureRule, JobKind, JobRecord, Journal

CONTROL_PREFIX = "/_emulator"
API = "/bigquery/v2/projects/"
UPLOAD = "/upload/bigquery/v2/projects/"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",  # recomputed: the body may have changed
}
JOBS_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/jobs$")
JOB_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/jobs/(?P<job>[^/]+)$")
QUERIES_PATH = re.compile(r"^/bigquery/v2/projects/(?P<project>[^/]+)/queries$")
QUERY_RESULTS_PATH = re.compile(
    r"^/bigquery/v2/projects/(?P<project>[^/]+)/queries/(?P<job>[^/]+)$"
)
UPLOAD_PATH = re.compile(r"^/upload/bigquery/v2/projects/(?P<project>[^/]+)/jobs$")
CONTENT_RANGE = re.compile(r"^bytes (?:(?P<start>\d+)-(?P<end>\d+)|\*)/(?P<total>\d+|\*)$")
UPSTREAM_TIMEOUT = 600.0  # a load or MERGE may legitimately take a while


@dataclass
class Response:
    """An HTTP response to send back to the client."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(
        cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        """Build a JSON response."""
        body = json.dumps(payload).encode()
        return cls(
            status, [("Content-Type", "application/json; charset=UTF-8"), *(headers or [])], body
        )

    def payload(self) -> Any:
        """Return the body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Request:
    """A client request as read off the socket."""

    method: str
    target: str  # path and query string, as sent
    query: str
    headers: list[tuple[str, str]]
    body: bytes


Route = Callable[[Request, "re.Match[str]"], "Response | None"]


@dataclass
class UploadSession:
    """A resumable load upload that the proxy collects before handing it on."""

    project: str
    query: str  # the initiating request's query string, replayed to the emulator
    headers: list[tuple[str, str]]
    metadata: bytes
    data: bytearray = field(default_factory=bytearray)


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


class Proxy:
    """The proxy's state and request routing; ``ProxyServer`` does the sockets."""

    def __init__(self, journal: Journal, upstream: Callable[[], tuple[str, int] | None]) -> None:
        """Route to whatever ``upstream()`` names (None while the emulator is down)."""
        self.journal = journal
        self.upstream = upstream
        self._lock = threading.Lock()
        self._uploads: dict[str, UploadSession] = {}
        # Jobs failed on purpose never reach the emulator, so the proxy answers for them.
        self._failed: dict[tuple[str, str], tuple[dict[str, Any], FailureRule]] = {}

    # -- forwarding ------------------------------------------------------------------

    def forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Response:
        """Send a request to the emulator and return its answer, byte for byte."""
        address = self.upstream()
        if address is None:
            return self._unavailable()
        connection = http.client.HTTPConnection(*address, timeout=UPSTREAM_TIMEOUT)
        self.journal.upstream_started()
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    connection.putheader(name, value)
            if body or method in {"POST", "PUT", "PATCH"}:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            reply = connection.getresponse()
            data = reply.read()
            kept = [(k, v) for k, v in reply.getheaders() if k.lower() not in HOP_BY_HOP]
            return Response(reply.status, kept, data)
        except OSError:
            return self._unavailable()
        finally:
            connection.close()
            self.journal.upstream_ended()

    def pass_on(self, request: Request) -> Response:
        """Forward a request exactly as it came."""
        return self.forward(request.method, request.target, request.headers, request.body)

    @staticmethod
    def _unavailable() -> Response:
        message = "bigquery-emulator: the emulator behind the proxy is not answering"
        return Response.json(503, failures.error_body(503, "backendError", message))

    # -- routing ---------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Response:
        """Answer one client request."""
        url = urllib.parse.urlsplit(target)
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            return self.control(method, url.path, body)
        request = Request(method, target, url.query, headers, body)
        for route_method, pattern, handler in self._routes():
            if method == route_method and (match := pattern.match(url.path)):
                response = handler(request, match)
                if response is not None:
                    return response
        return self.forward(method, target, headers, body)

    def _routes(self) -> list[tuple[str, re.Pattern[str], Route]]:
        # A handler that returns None lets the request through unchanged.
        return [
            ("POST", UPLOAD_PATH, self.upload),
            ("PUT", UPLOAD_PATH, self.resumable_chunk),
            ("POST", JOBS_PATH, self.insert_job),
            ("POST", QUERIES_PATH, self.run_query),
            ("GET", JOB_PATH, self.get_job),
            ("GET", QUERY_RESULTS_PATH, self.get_query_results),
        ]

    # -- job submission ----------------------------------------------------------------

    def _submit(
        self,
        project: str,
        job: dict[str, Any],
        send: Callable[[], Response],
    ) -> Response:
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
        response = send()
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
        job = _json_object(request.body)
        if job is None:
            return None
        return self._submit(match["project"], job, lambda: self.pass_on(request))

    def run_query(self, request: Request, match: re.Match[str]) -> Response | None:
        """Handle jobs.query, whose failures BigQuery reports as HTTP errors."""
        query = _json_object(request.body)
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
        response = self.pass_on(request)
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

    def upload(self, request: Request, match: re.Match[str]) -> Response | None:
        """Handle the first request of a load upload."""
        upload_type = (urllib.parse.parse_qs(request.query).get("uploadType") or [""])[0]
        if upload_type == "multipart":
            return self.multipart_upload(request, match["project"])
        if upload_type == "resumable":
            return self.start_resumable(request, match["project"])
        return None

    def multipart_upload(self, request: Request, project: str) -> Response | None:
        """Handle a one-request load upload: metadata and data in one multipart body."""
        content_type = _header(request.headers, "content-type") or ""
        boundary = compat.boundary_of(content_type)
        job: dict[str, Any] | None = None
        if boundary is not None:
            with contextlib.suppress(ValueError, IndexError):
                job = _json_object(compat.split_multipart(request.body, boundary)[0].body)
        if job is None:
            return None

        def send() -> Response:
            rewritten = compat.rewrite_multipart_upload(content_type, request.body)
            if rewritten is None:
                return self.pass_on(request)
            new_type, new_body = rewritten
            new_headers = _replace_header(request.headers, "Content-Type", new_type)
            return self.forward(request.method, request.target, new_headers, new_body)

        return self._submit(project, job, send)

    def start_resumable(self, request: Request, project: str) -> Response:
        """Open a resumable upload session held by the proxy."""
        if _json_object(request.body) is None:
            return Response.json(400, failures.error_body(400, "invalid", "Invalid JSON payload"))
        session_id = uuid.uuid4().hex
        with self._lock:
            self._uploads[session_id] = UploadSession(
                project, request.query, request.headers, request.body
            )
        host = _header(request.headers, "host") or "127.0.0.1"
        location = f"http://{host}{UPLOAD}{project}/jobs?{request.query}&upload_id={session_id}"
        return Response(200, [("Location", location), ("X-GUploader-UploadID", session_id)])

    def resumable_chunk(self, request: Request, match: re.Match[str]) -> Response | None:
        """Take one chunk (or a status probe); on the last one, submit the load job."""
        session_id = (urllib.parse.parse_qs(request.query).get("upload_id") or [""])[0]
        content_range = _header(request.headers, "content-range") or f"bytes */{len(request.body)}"
        with self._lock:
            session = self._uploads.get(session_id)
            if session is None:
                return None  # not ours: the emulator answers (and knows no such upload)
            if (span := CONTENT_RANGE.match(content_range)) is None:
                return Response.json(400, failures.error_body(400, "invalid", "Bad Content-Range"))
            if span["start"] is not None and int(span["start"]) != len(session.data):
                return _incomplete(len(session.data))  # a resent chunk: say what we hold
            session.data += request.body
            total = None if span["total"] == "*" else int(span["total"])
            if total is None or len(session.data) < total:
                return _incomplete(len(session.data))
            del self._uploads[session_id]
        job = _json_object(session.metadata) or {}
        return self._submit(session.project, job, lambda: self._replay_upload(session))

    def _replay_upload(self, session: UploadSession) -> Response:
        """Hand a finished upload to the emulator as one resumable session of one chunk."""
        job = _json_object(session.metadata) or {}
        data = bytes(session.data)
        if compat.is_text_load(job):
            data = compat.gunzip_if_compressed(data)
        start = self.forward(
            "POST",
            f"{UPLOAD}{session.project}/jobs?{session.query}",
            session.headers,
            session.metadata,
        )
        upload_id = _header(start.headers, "x-guploader-uploadid")
        if start.status >= 400 or upload_id is None:
            return start
        content_range = f"bytes 0-{len(data) - 1}/{len(data)}" if data else "bytes */0"
        headers = [
            *_without(session.headers, {"content-type", "content-range", "x-upload-content-type"}),
            ("Content-Type", "application/octet-stream"),
            ("Content-Range", content_range),
        ]
        target = f"{UPLOAD}{session.project}/jobs?uploadType=resumable&upload_id={upload_id}"
        return self.forward("PUT", target, headers, data)

    # -- job status ----------------------------------------------------------------------

    def get_job(self, request: Request, match: re.Match[str]) -> Response:
        """Handle jobs.get: injected failures from memory, the rest from the emulator."""
        project, job_id = match["project"], match["job"]
        with self._lock:
            failed = self._failed.get((project, job_id))
        if failed is not None:
            return Response.json(200, failed[0])
        response = self.pass_on(request)
        self.observe(project, response, job_id)
        return response

    def get_query_results(self, request: Request, match: re.Match[str]) -> Response | None:
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
                response = self.forward("GET", target, [("Host", "127.0.0.1")], b"")
                if response.status != 503:
                    self.observe(record.project, response, record.job_id)

    # -- control API -------------------------------------------------------------------

    def control(self, method: str, path: str, body: bytes) -> Response:
        """Serve /_emulator/{health,jobs,failures} for tests in other processes."""
        resource = path[len(CONTROL_PREFIX) :].strip("/")
        endpoints: dict[tuple[str, str], Callable[[bytes], Response]] = {
            ("GET", "health"): lambda _: Response.json(
                200, {"ok": True, "emulator": self.upstream() is not None}
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
            self.refresh()
        if clear:
            self.journal.clear_jobs()
        jobs = [job.to_dict() for job in self.journal.jobs()]
        return Response.json(200, {"jobs": jobs, "upstream": upstream})

    def _failures_answer(self, clear: bool = False) -> Response:
        if clear:
            self.clear_failures()
        return Response.json(200, {"failures": [rule.to_dict() for rule in self.journal.rules()]})

    def _add_failure(self, body: bytes) -> Response:
        try:
            rule = FailureRule.from_dict(json.loads(body))
        except (ValueError, TypeError) as error:
            return Response.json(400, {"error": f"bad failure rule: {error}"})
        self.journal.add_rule(rule)
        return self._failures_answer()

    def clear_failures(self) -> None:
        """Disarm the rules; jobs already failed stay failed, as in BigQuery."""
        self.journal.clear_rules()


def _incomplete(received: int) -> Response:
    # 308 is how the resumable protocol says "go on"; Range names the bytes kept.
    headers = [("Range", f"bytes=0-{received - 1}")] if received else []
    return Response(308, headers)


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _without(headers: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    return [(key, value) for key, value in headers if key.lower() not in names]


def _replace_header(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [*_without(headers, {name.lower()}), (name, value)]


class ProxyHandler(BaseHTTPRequestHandler):
    """Read a request off the socket, let ``Proxy`` answer it, write the answer."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the google client expects
    server: ProxyServer

    def do_GET(self) -> None:
        """Serve GET."""
        self._serve()

    def do_POST(self) -> None:
        """Serve POST."""
        self._serve()

    def do_PUT(self) -> None:
        """Serve PUT."""
        self._serve()

    def do_PATCH(self) -> None:
        """Serve PATCH."""
        self._serve()

    def do_DELETE(self) -> None:
        """Serve DELETE."""
        self._serve()

    def do_HEAD(self) -> None:
        """Serve HEAD."""
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        headers = list(self.headers.items())
        response = self.server.proxy.handle(self.command, self.path, headers, body)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in {b"\r\n", b"\n", b""}:
                        pass  # skip trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the test output is not the place for an access log."""


class ProxyServer(ThreadingHTTPServer):
    """The listening socket; it can drop every open connection to simulate an outage."""

    daemon_threads = True
    allow_reuse_address = True  # restart on the same port right after stop()

    def __init__(self, port: int, proxy: Proxy) -> None:
        """Bind 127.0.0.1:``port`` (0 picks a free port)."""
        self.proxy = proxy
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), ProxyHandler)

    @property
    def port(self) -> int:
        """Return the bound port."""
        port: int = self.server_address[1]
        return port

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection so ``close_connections`` can reach it."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a connection once its handler is done with it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut kept-alive client connections, as an unreachable service would."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def serve(port: int, proxy: Proxy) -> tuple[ProxyServer, threading.Thread]:
    """Start the proxy on a background thread."""
    server = ProxyServer(port, proxy)
    thread = threading.Thread(
        target=server.serve_forever, name="bigquery-emulator-proxy", daemon=True
    )
    thread.start()
    return server, thread
