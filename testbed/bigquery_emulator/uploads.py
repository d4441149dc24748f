"""Load uploads: multipart ones rewritten in flight, resumable sessions held whole by the proxy.

Gunzipping text load data (see ``compat``) changes the byte counts the resumable chunk
protocol relies on, so the proxy runs those sessions itself and hands the emulator the
whole payload in one piece.
"""

from __future__ import annotations

import contextlib
import re
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from bigquery_emulator import compat, failures
from bigquery_emulator.jobs import JobTracker
from bigquery_emulator.messages import (
    Headers,
    Request,
    Response,
    header,
    json_object,
    replace_header,
    without,
)
from bigquery_emulator.upstream import Upstream

UPLOAD = "/upload/bigquery/v2/projects/"
CONTENT_RANGE = re.compile(r"^bytes (?:(?P<start>\d+)-(?P<end>\d+)|\*)/(?P<total>\d+|\*)$")


@dataclass
class UploadSession:
    """A resumable load upload that the proxy collects before handing it on."""

    project: str
    query: str  # the initiating request's query string, replayed to the emulator
    headers: Headers
    metadata: bytes
    data: bytearray = field(default_factory=bytearray)


class Uploads:
    """The upload endpoint: every upload's load job goes through the ``JobTracker``."""

    def __init__(self, upstream: Upstream, jobs: JobTracker) -> None:
        """Send uploads to ``upstream``, their jobs through ``jobs``."""
        self.upstream = upstream
        self.jobs = jobs
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}

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
        content_type = header(request.headers, "content-type") or ""
        boundary = compat.boundary_of(content_type)
        job: dict[str, Any] | None = None
        if boundary is not None:
            with contextlib.suppress(ValueError, IndexError):
                job = json_object(compat.split_multipart(request.body, boundary)[0].body)
        if job is None:
            return None

        def send() -> Response:
            rewritten = compat.rewrite_multipart_upload(content_type, request.body)
            if rewritten is None:
                return self.upstream.pass_on(request)
            new_type, new_body = rewritten
            new_headers = replace_header(request.headers, "Content-Type", new_type)
            return self.upstream.forward(request.method, request.target, new_headers, new_body)

        return self.jobs.submit(project, job, send)

    def start_resumable(self, request: Request, project: str) -> Response:
        """Open a resumable upload session held by the proxy."""
        if json_object(request.body) is None:
            return Response.json(400, failures.error_body(400, "invalid", "Invalid JSON payload"))
        session_id = uuid.uuid4().hex
        with self._lock:
            self._sessions[session_id] = UploadSession(
                project, request.query, request.headers, request.body
            )
        host = header(request.headers, "host") or "127.0.0.1"
        location = f"http://{host}{UPLOAD}{project}/jobs?{request.query}&upload_id={session_id}"
        return Response(200, [("Location", location), ("X-GUploader-UploadID", session_id)])

    def resumable_chunk(self, request: Request, _match: re.Match[str]) -> Response | None:
        """Take one chunk (or a status probe); on the last one, submit the load job."""
        session_id = (urllib.parse.parse_qs(request.query).get("upload_id") or [""])[0]
        content_range = header(request.headers, "content-range") or f"bytes */{len(request.body)}"
        with self._lock:
            session = self._sessions.get(session_id)
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
            del self._sessions[session_id]
        job = json_object(session.metadata) or {}
        return self.jobs.submit(session.project, job, lambda: self._replay(session))

    def _replay(self, session: UploadSession) -> Response:
        """Hand a finished upload to the emulator as one resumable session of one chunk."""
        job = json_object(session.metadata) or {}
        data = bytes(session.data)
        if compat.is_text_load(job):
            data = compat.gunzip_if_compressed(data)
        start = self.upstream.forward(
            "POST",
            f"{UPLOAD}{session.project}/jobs?{session.query}",
            session.headers,
            session.metadata,
        )
        upload_id = header(start.headers, "x-guploader-uploadid")
        if start.status >= 400 or upload_id is None:
            return start
        content_range = f"bytes 0-{len(data) - 1}/{len(data)}" if data else "bytes */0"
        headers = [
            *without(session.headers, {"content-type", "content-range", "x-upload-content-type"}),
            ("Content-Type", "application/octet-stream"),
            ("Content-Range", content_range),
        ]
        target = f"{UPLOAD}{session.project}/jobs?uploadType=resumable&upload_id={upload_id}"
        return self.upstream.forward("PUT", target, headers, data)


def _incomplete(received: int) -> Response:
    # 308 is how the resumable protocol says "go on"; Range names the bytes kept.
    headers = [("Range", f"bytes=0-{received - 1}")] if received else []
    return Response(308, headers)
