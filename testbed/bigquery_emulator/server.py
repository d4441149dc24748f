"""The proxy's HTTP server: reads requests off sockets, lets ``Proxy`` answer, writes back."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bigquery_emulator.proxy import Proxy


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
