"""A deadline for a whole HTTP request, kept whatever the server does.

`requests` timeouts bound each wait on the socket, not the request: a server that sends
one byte a second, or its headers and then nothing, keeps a request alive far longer.
Here a timer cuts the request's socket (a shutdown, which wakes a blocked read) the
moment its deadline passes, however far the request got: connecting, waiting for
headers, or reading the body. The same cut abandons the request of a thread whose result
nobody will read (a request in flight whose consumer stopped).

The socket is kept from the moment the connection has it, not looked up on the
connection at the cut: for an answer that ends with the connection (HTTP/1.0,
`Connection: close`), `http.client` hands the socket to the response and the connection
forgets it (`sock = None`) while the body is still being read.

The connections of a session mounted with `install` report to the deadline of the
thread that uses them, so one session serves every thread with a request in flight.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import typing as t
import weakref

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if t.TYPE_CHECKING:
    from collections.abc import Iterator


class DeadlineExceededError(requests.exceptions.Timeout):
    """The request was not done, body included, by its deadline."""


class RequestAbandonedError(Exception):
    """The thread's request was abandoned: its result is no longer wanted (never retried)."""


class Deadline:
    """The moment one request must be over, and the sockets to cut when it passes."""

    def __init__(self, seconds: float) -> None:
        """A deadline `seconds` from now."""
        self.seconds = max(seconds, 0.0)
        self.ends = time.monotonic() + self.seconds
        self.passed = False
        self._connections: list[HTTPConnection] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(self.ends - time.monotonic(), 0.0)

    def watch(self, connection: HTTPConnection) -> None:
        """Cut `connection` and its socket of now when the deadline passes (at once if it has)."""
        with self._lock:
            self._connections.append(connection)
            if connection.sock is not None:
                self._sockets.append(connection.sock)
            passed = self.passed
        if passed:
            self.cut()

    def cut(self) -> None:
        """End the request now: every watched socket is shut down."""
        with self._lock:
            self.passed = True
            sockets = [*self._sockets, *(c.sock for c in self._connections if c.sock is not None)]
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS: it wakes a read blocked in another
    # thread, where closing the socket would not. A socket the response has closed since
    # has no descriptor left, so its shutdown fails harmlessly.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The deadline of each thread's request in flight, and the threads abandoned. Keyed by
# the thread objects, not their idents: an ident is reused by a later thread.
_LOCK = threading.Lock()
_RUNNING: dict[threading.Thread, Deadline] = {}
_ABANDONED: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run one request of this thread under a deadline `seconds` from now.

    Raises:
        RequestAbandonedError: the thread was abandoned, before or during the request.
    """
    current = Deadline(seconds)
    thread = threading.current_thread()
    with _LOCK:
        abandoned = thread in _ABANDONED
        _RUNNING[thread] = current
    timer = threading.Timer(current.seconds, current.cut)
    timer.daemon = True
    try:
        if abandoned:
            raise RequestAbandonedError
        timer.start()
        try:
            yield current
        except Exception:
            # The cut that abandons a request ends it as a timeout would: not retried.
            if abandoned_now(thread):
                raise RequestAbandonedError from None
            raise
    finally:
        timer.cancel()
        with _LOCK:
            _RUNNING.pop(thread, None)
            abandoned = thread in _ABANDONED
    if abandoned:
        raise RequestAbandonedError


def abandoned_now(thread: threading.Thread) -> bool:
    """Whether `thread` has been abandoned."""
    with _LOCK:
        return thread in _ABANDONED


def abandon(thread: threading.Thread) -> None:
    """Cut the request `thread` has in flight, and refuse it any further one."""
    with _LOCK:
        _ABANDONED.add(thread)
        running = _RUNNING.get(thread)
    if running is not None:
        running.cut()


def _watch_this_thread(connection: HTTPConnection) -> None:
    with _LOCK:
        current = _RUNNING.get(threading.current_thread())
    if current is not None:
        current.watch(connection)


class _Watched:
    """A connection that reports to its thread's deadline once its socket exists.

    A reused keep-alive connection has its socket when a request starts; a new one only
    after `connect`, which a slow name lookup can make outlast the deadline: the cut that
    found no socket then is made again at once.
    """

    def request(self, *args: t.Any, **kwargs: t.Any) -> None:
        _watch_this_thread(t.cast("HTTPConnection", self))
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch_this_thread(t.cast("HTTPConnection", self))


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections are cut when their thread's request deadline passes."""

    def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
        """The standard pool manager, with connections that report to the deadline."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: t.Any) -> t.Any:
        """The standard proxy manager; through an HTTP(S) proxy, with watched connections.

        A SOCKS proxy keeps its own connection classes, so through one only the socket
        timeouts (never longer than the time left) bound a request.
        """
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def install(session: requests.Session, pool_size: int = 10) -> requests.Session:
    """Mount the deadline adapter on `session` for http and https: `pool_size` per host."""
    for scheme in ("https://", "http://"):
        session.mount(scheme, DeadlineAdapter(pool_connections=pool_size, pool_maxsize=pool_size))
    return session
