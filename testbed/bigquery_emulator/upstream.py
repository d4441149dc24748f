"""Forwarding a request to the emulator behind the proxy and bringing back its answer."""

from __future__ import annotations

import http.client
from collections.abc import Callable

from bigquery_emulator import failures
from bigquery_emulator.journal import Journal
from bigquery_emulator.messages import Headers, Request, Response

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
UPSTREAM_TIMEOUT = 600.0  # a load or MERGE may legitimately take a while


class Upstream:
    """The emulator at whatever ``address()`` names (None while it is down)."""

    def __init__(self, journal: Journal, address: Callable[[], tuple[str, int] | None]) -> None:
        """Forward to ``address()``; the journal counts the time spent there."""
        self.journal = journal
        self.address = address

    def forward(self, method: str, target: str, headers: Headers, body: bytes) -> Response:
        """Send a request to the emulator and return its answer, byte for byte."""
        address = self.address()
        if address is None:
            return _unavailable()
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
            return _unavailable()
        finally:
            connection.close()
            self.journal.upstream_ended()

    def pass_on(self, request: Request) -> Response:
        """Forward a request exactly as it came."""
        return self.forward(request.method, request.target, request.headers, request.body)


def _unavailable() -> Response:
    message = "bigquery-emulator: the emulator behind the proxy is not answering"
    return Response.json(503, failures.error_body(503, "backendError", message))
