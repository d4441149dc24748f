"""HTTP transport: keep-alive HTTP/1.1, chunked streaming, format negotiation, truncation.

API answers also travel the simulated distance (latency and rate limit, see `distance.py`).
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from timecamp_simulator.clock import WARSAW
from timecamp_simulator.distance import Latency
from timecamp_simulator.edge import HTML, auth_failure, fault_answer, is_authorized
from timecamp_simulator.faults import Fault
from timecamp_simulator.pages import LOGIN_PAGE, LOGIN_PATH
from timecamp_simulator.render import json_chunks, json_lines_chunks, xml_chunks
from timecamp_simulator.response import Response, error

if TYPE_CHECKING:
    from timecamp_simulator.simulator import Simulator

API_PREFIX = "/third_party/api"
CONTROL_PREFIX = "/_simulator"
INTERNAL_PREFIX = "/internal/api/"
_FLUSH_AT = 64 * 1024
_TRUNCATE_SAMPLE = 4096


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog of 5 drops some.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    # The latency of the answer being sent: the API's while it answers, none for the rest.
    _latency = Latency()

    def setup(self) -> None:
        """Send each response as soon as it is written.

        Headers and body leave in separate writes; with Nagle's algorithm and the client's
        delayed ACK, every keep-alive request would otherwise wait about 40 ms.
        """
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header from the simulated clock: TimeCamp's own clock, in GMT."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        moment = self.server.simulator.clock.now().replace(tzinfo=WARSAW)
        return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read the request log instead of stderr."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sim = self.server.simulator
        self._latency = Latency()
        try:
            if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
                path = url.path[len(CONTROL_PREFIX) :] or "/"
                self._send(sim.control.handle(method, path, params, body), as_json=True)
            elif url.path == LOGIN_PATH:
                self._send(
                    Response(200, raw=LOGIN_PAGE, content_type=HTML),
                    as_json=False,
                )
            elif url.path == API_PREFIX or url.path.startswith(API_PREFIX + "/"):
                self._api(method, url.path[len(API_PREFIX) :] or "/", params)
            elif url.path.startswith(INTERNAL_PREFIX):
                # Logged by its path from the site root: no API path starts with it.
                self._api(method, url.path, params, internal=True)
            else:
                self._send(error(404, "Not found"), as_json=True)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api(
        self, method: str, path: str, params: dict[str, list[str]], *, internal: bool = False
    ) -> None:
        sim = self.server.simulator
        sim.request_log.record(method, path, params, dict(self.headers.items()))
        # Every answer from here on, a refusal too, comes from far away.
        self._latency = sim.distance.latency
        sim.distance.answered()
        retry_after = sim.distance.admit()
        if retry_after is not None:
            # Refused at the edge, before faults and auth: TimeCamp's limit is per account.
            self._fault(Fault(status=429, retry_after=retry_after))
            return
        fault = sim.faults.pick(method, path)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind != "truncated":
            self._fault(fault)
            return
        want_json = _wants_json(params, self.headers.get("Accept", ""))
        if not is_authorized(sim.token, self.headers.get("Authorization"), params):
            self._send(auth_failure(sim.auth_failure, self._host()), as_json=True)
            return
        handle = sim.api.handle_internal if internal else sim.api.handle
        response = handle(method, path, params)
        if fault is not None:
            self._truncated(response, want_json)
            return
        self._send(response, as_json=want_json)

    def _host(self) -> str:
        return self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])

    def _fault(self, fault: Fault) -> None:
        if fault.kind == "reset":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(fault_answer(fault, self._host()), as_json=True)

    def _truncated(self, response: Response, as_json: bool) -> None:
        # A 200 whose body stops mid-document, with a Content-Length that matches the cut.
        sample = b""
        chunks = self._chunks(response, as_json)
        for chunk in chunks:
            sample += chunk
            if len(sample) >= _TRUNCATE_SAMPLE:
                break
        if isinstance(chunks, Iterator) and hasattr(chunks, "close"):
            chunks.close()
        body = sample[: max(1, min(len(sample) // 2, _TRUNCATE_SAMPLE // 2))]
        self._send(
            Response(200, raw=body, content_type=_content_type(as_json)),
            as_json=as_json,
        )

    @staticmethod
    def _chunks(response: Response, as_json: bool) -> Iterator[bytes]:
        if response.raw is not None:
            return iter([response.raw])
        if response.json_lines and response.items is not None:
            return json_lines_chunks(response.items)
        render = json_chunks if as_json or response.force_json else xml_chunks
        return render(response.value, response.items)

    def _send(self, response: Response, *, as_json: bool) -> None:
        as_json = as_json or response.force_json
        self._travel(self._latency.fixed)
        self.send_response(response.status)
        content_type = response.content_type or _content_type(as_json)
        if response.json_lines:
            content_type = "application/x-ndjson; charset=UTF-8"
        self.send_header("Content-Type", content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.items is None:
            body = b"".join(self._chunks(response, as_json))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._travel(self._latency.transfer(len(body)))
            self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        buffer: list[bytes] = []
        size = 0
        for chunk in self._chunks(response, as_json):
            buffer.append(chunk)
            size += len(chunk)
            if size >= _FLUSH_AT:
                self._write_chunk(b"".join(buffer))
                buffer, size = [], 0
        if size:
            self._write_chunk(b"".join(buffer))
        self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, data: bytes) -> None:
        self._travel(self._latency.transfer(len(data)))
        self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))

    def _travel(self, seconds: float) -> None:
        """Hold this answer back as the network would; other threads answer meanwhile."""
        self.server.simulator.distance.wait(seconds)


def _wants_json(params: dict[str, list[str]], accept: str) -> bool:
    fmt = params.get("format", [""])[0].lower()
    if fmt:
        return fmt == "json"
    return "application/json" in accept.lower()


def _content_type(as_json: bool) -> str:
    return "application/json; charset=UTF-8" if as_json else "application/xml; charset=UTF-8"


class SimulatorServer:
    """A simulator served on a background thread; close it, or use it as a context manager."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind now (port 0 picks a free port) and start serving immediately."""
        self._httpd = _Server((host, port), simulator)
        bound_host, bound_port = self._httpd.server_address[:2]
        shown_host = host if host not in {"", "0.0.0.0"} else "127.0.0.1"  # noqa: S104
        del bound_host
        self.host = shown_host
        self.port = int(bound_port)
        self.root_url = f"http://{shown_host}:{self.port}"
        self.base_url = f"{self.root_url}{API_PREFIX}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="timecamp-simulator",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop accepting requests and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        """Serve for the duration of a with-block."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Shut the server down."""
        self.close()
