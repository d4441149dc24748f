"""Tiny misbehaving HTTP servers on 127.0.0.1, each a thread that ends when closed."""

from __future__ import annotations

import contextlib
import socket
import threading
import typing as t

if t.TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterator

JSON_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1800\r\n\r\n"
# An answer that ends with the connection: `http.client` hands the socket to the response.
HTTP_1_0_HEADERS = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
CLOSING_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1800\r\n"
    b"Connection: close\r\n\r\n"
)


class Listening:
    """A listener on 127.0.0.1 handing each connection to `handle` in a thread of its own."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def start(self, target: Callable[..., None], *args: t.Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.start(self.handle, conn)

    def close(self) -> None:
        self.stopping.set()
        self._accepting.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()


def read_head(conn: socket.socket) -> bytes | None:
    """A request's line and headers, or None if the client closed first."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        head += chunk
    return head


class StubServer(Listening):
    """Accepts connections and hands each, once its request is read, to `answer`."""

    def __init__(
        self,
        answer: Callable[[socket.socket, StubServer], None],
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.answer = answer
        self.tls = tls
        self.requested = threading.Event()
        self.disconnected = threading.Event()
        self.requests: list[bytes] = []
        super().__init__()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        with conn, contextlib.suppress(OSError):
            request = read_head(conn)
            if request is None:
                return
            self.requests.append(request)
            self.requested.set()
            self.answer(conn, self)

    def wait_for_disconnect(self, conn: socket.socket) -> None:
        """Send nothing more; note when the client closes its end."""
        conn.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                if conn.recv(1) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        self.disconnected.set()


def drip(conn: socket.socket, server: StubServer, headers: bytes = JSON_HEADERS) -> None:
    """Headers promising 1800 bytes, then four bytes a second: each byte well within any
    socket timeout, the whole body in seven and a half minutes."""
    conn.sendall(headers)
    while not server.stopping.wait(0.25):
        try:
            conn.sendall(b" ")
        except OSError:
            break
    server.disconnected.set()


def drip_http_1_0(conn: socket.socket, server: StubServer) -> None:
    """An HTTP/1.0 answer, its body ending with the connection, dripped."""
    drip(conn, server, HTTP_1_0_HEADERS)


def drip_then_close(conn: socket.socket, server: StubServer) -> None:
    """An HTTP/1.1 answer with `Connection: close`, dripped."""
    drip(conn, server, CLOSING_HEADERS)


def stall_after_headers(
    conn: socket.socket, server: StubServer, headers: bytes = JSON_HEADERS
) -> None:
    """Headers, then nothing."""
    conn.sendall(headers)
    server.wait_for_disconnect(conn)


def stall_after_http_1_0_headers(conn: socket.socket, server: StubServer) -> None:
    """HTTP/1.0 headers, then nothing."""
    stall_after_headers(conn, server, HTTP_1_0_HEADERS)


def stall_after_closing_headers(conn: socket.socket, server: StubServer) -> None:
    """HTTP/1.1 headers with `Connection: close`, then nothing."""
    stall_after_headers(conn, server, CLOSING_HEADERS)


def stall_before_headers(conn: socket.socket, server: StubServer) -> None:
    """The request is read, nothing is ever answered."""
    server.wait_for_disconnect(conn)


def reset(conn: socket.socket, server: StubServer) -> None:
    """Close the connection without an answer."""
    conn.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def stub_server(
    answer: Callable[[socket.socket, StubServer], None], tls: ssl.SSLContext | None = None
) -> Iterator[StubServer]:
    server = StubServer(answer, tls)
    try:
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def never_accepting() -> Iterator[str]:
    """A listening socket whose accept is never called, its backlog full: connects hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers: list[socket.socket] = []
    # Fill the backlog; the kernel then drops further connection attempts.
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(listener.getsockname())
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


class ConnectProxy(Listening):
    """An HTTP proxy on 127.0.0.1 that only tunnels (`CONNECT host:port`), as for HTTPS."""

    def __init__(self) -> None:
        self.tunnels: list[bytes] = []
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            request = read_head(conn)
            if request is None:
                return
            method, target, _ = request.split(b"\r\n", 1)[0].split(b" ", 2)
            if method != b"CONNECT":
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            self.tunnels.append(target)
            host, port = target.rsplit(b":", 1)
            with socket.create_connection((host.decode(), int(port)), timeout=5) as upstream:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.start(self._pump, upstream, conn)
                self._pump(conn, upstream)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes as they come until either side ends, then end both."""
        source.settimeout(0.05)
        with contextlib.suppress(OSError):
            while not self.stopping.is_set():
                try:
                    chunk = source.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                sink.sendall(chunk)
        for side in (source, sink):
            with contextlib.suppress(OSError):
                side.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    try:
        yield proxy
    finally:
        proxy.close()
