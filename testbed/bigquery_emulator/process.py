"""Launch local-bigquery as a child process and wait until it answers."""

from __future__ import annotations

import contextlib
import http.client
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from bigquery_emulator import locate

LOOPBACK = "127.0.0.1"
LOG_NAME = "local-bigquery.log"


class EmulatorStartError(RuntimeError):
    """The emulator did not come up; the message carries the tail of its output."""


# A port chosen free can be taken by someone else before the emulator binds it: start
# again on fresh ports this many times before giving up.
START_ATTEMPTS = 3


def free_ports(count: int) -> list[int]:
    """Ask the kernel for ``count`` distinct free loopback ports.

    All sockets stay bound until every port is chosen, so the ports differ from each other.
    """
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOOPBACK, 0))
            ports.append(sock.getsockname()[1])
        return ports


def tail(path: Path, lines: int = 20) -> str:
    """Return the last lines of a log file, or a note that there is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


class EmulatorProcess:
    """One local-bigquery server bound to 127.0.0.1 on a private port."""

    def __init__(self, data_dir: Path, project: str, startup_timeout: float = 60.0) -> None:
        """Prepare, without starting, an emulator that keeps its state in ``data_dir``."""
        self.data_dir = data_dir
        self.project = project
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.log_path = data_dir / LOG_NAME
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Return the emulator's own URL (clients use the proxy in front of it)."""
        if self.port is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        """Tell whether the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and block until it serves the project's dataset list."""
        if self.running:
            return
        program = locate.executable()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._start_on_fresh_ports(program)
                return
            except EmulatorStartError:
                if attempt == START_ATTEMPTS:
                    raise

    def _start_on_fresh_ports(self, program: Path) -> None:
        # An explicit gRPC port, distinct from the HTTP one: with port 0 the emulator's
        # gRPC server could be given the HTTP port just released by free_ports(), and
        # would then answer the readiness probe with HTTP/2 frames (seen in CI).
        self.port, grpc_port = free_ports(2)
        self._log = self.log_path.open("ab")
        command = [
            str(program),
            "serve",
            "--host",
            LOOPBACK,  # its default is 0.0.0.0: never expose it
            "--port",
            str(self.port),
            # The Storage API gRPC server is unused here; a fixed default port would
            # collide between parallel emulators.
            "--grpc-port",
            str(grpc_port),
            "--project",
            self.project,
            "--data-dir",
            str(self.data_dir),
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir,
            start_new_session=True,  # a Ctrl-C meant for the harness must not kill it half-way
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        url = f"{self.base_url}/bigquery/v2/projects/{self.project}/datasets"
        deadline = time.monotonic() + self.startup_timeout
        while True:
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise EmulatorStartError(
                    f"local-bigquery exited with code {code} during startup; "
                    f"output ({self.log_path}):\n{tail(self.log_path)}"
                )
            if self._answers(url):
                return
            if time.monotonic() > deadline:
                raise EmulatorStartError(
                    f"local-bigquery did not answer {url} within {self.startup_timeout:.0f}s; "
                    f"output ({self.log_path}):\n{tail(self.log_path)}"
                )
            time.sleep(0.1)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
        except http.client.HTTPException:
            # Something other than the emulator's HTTP server holds the port: not ready,
            # and if the emulator lost its port it exits and start() tries fresh ports.
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server: SIGTERM for a clean DuckDB shutdown, SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None
