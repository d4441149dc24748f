"""Tiny misbehaving HTTP servers on 127.0.0.1, each a thread that ends when closed."""

from __future__ import annotations

import contextlib
import socket
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

JSON_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1800\r\n\r\n"


class StubServer:
    """Accepts connections and hands each, once its request is read, to `answer`."""

    def __init__(self, answer: Callable[[socket.socket, StubServer], None]) -> None:
        self.answer = answer
        self.stopping = threading.Event()
        self.requested = threading.Event()
        self.disconnected = threading.Event()
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
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

    def close(self) -> None:
        self.stopping.set()
        self._accepting.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()


def drip(conn: socket.socket, server: StubServer) -> None:
    """Headers promising 1800 bytes, then four bytes a second: each byte well within any
    socket timeout, the whole body in seven and a half minutes."""
    conn.sendall(JSON_HEADERS)
    while not server.stopping.wait(0.25):
        try:
            conn.sendall(b" ")
        except OSError:
            break
    server.disconnected.set()


def stall_after_headers(conn: socket.socket, server: StubServer) -> None:
    """Headers, then nothing."""
    conn.sendall(JSON_HEADERS)
    server.wait_for_disconnect(conn)


def stall_before_headers(conn: socket.socket, server: StubServer) -> None:
    """The request is read, nothing is ever answered."""
    server.wait_for_disconnect(conn)


def reset(conn: socket.socket, server: StubServer) -> None:
    """Close the connection without an answer."""
    conn.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def stub_server(answer: Callable[[socket.socket, StubServer], None]) -> Iterator[StubServer]:
    server = StubServer(answer)
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
