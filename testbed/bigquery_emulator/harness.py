"""``BigQueryEmulator``: local-bigquery plus the compat proxy, as one object for tests."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bigquery_emulator import credentials, proxy, server
from bigquery_emulator.journal import FailureRule, JobKind, JobRecord, Journal, UpstreamTime
from bigquery_emulator.process import LOOPBACK, EmulatorProcess

if TYPE_CHECKING:
    from google.cloud import bigquery

CREDENTIALS_NAME = "emulator-credentials.json"


class BigQueryEmulator:
    """A local BigQuery endpoint at ``host``, backed by a data directory that survives restarts.

    Usage::

        with BigQueryEmulator(data_dir=tmp_path, project="local-project") as bq:
            client = bq.client()
    """

    def __init__(
        self,
        data_dir: Path | str,
        project: str = "local-project",
        port: int = 0,
        credentials_file: Path | str | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        """Prepare, without starting; ``port`` 0 picks a free port kept across restarts."""
        # Absolute: the emulator records file paths in its catalog, relative to its own cwd.
        self.data_dir = Path(data_dir).resolve()
        self.project = project
        self.credentials_file = (
            Path(credentials_file) if credentials_file else self.data_dir / CREDENTIALS_NAME
        )
        self._port = port
        self._journal = Journal()
        self._process = EmulatorProcess(self.data_dir, project, startup_timeout)
        self._proxy = proxy.Proxy(self._journal, self._upstream)
        self._server: server.ProxyServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> BigQueryEmulator:
        """Start the emulator, then the proxy; returns self once both answer."""
        credentials.write_credentials(self.credentials_file)
        self._process.start()
        if self._server is None:
            try:
                self._server, self._thread = server.serve(self._port, self._proxy)
            except BaseException:
                self._process.stop()
                raise
            self._port = self._server.port
        return self

    def stop(self) -> None:
        """Take BigQuery away: close the port, cut open connections, stop the emulator.

        Data, the job log and armed failures are kept for the next ``start()``.
        """
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._process.stop()

    @property
    def running(self) -> bool:
        """Tell whether clients can reach the emulator now."""
        return self._server is not None and self._process.running

    def __enter__(self) -> BigQueryEmulator:
        """Start on entering the ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop on leaving it."""
        self.stop()

    def _upstream(self) -> tuple[str, int] | None:
        if not self._process.running or self._process.port is None:
            return None
        return LOOPBACK, self._process.port

    # -- how clients connect -----------------------------------------------------------

    @property
    def port(self) -> int:
        """Return the proxy's port (0 until the first start when picked automatically)."""
        return self._port

    @property
    def host(self) -> str:
        """Return the value for BIGQUERY_EMULATOR_HOST."""
        return f"http://{LOOPBACK}:{self._port}"

    @property
    def log_path(self) -> Path:
        """Return the emulator's own log file."""
        return self._process.log_path

    def env(self) -> dict[str, str]:
        """Return the variables that point a subprocess's google client here."""
        return {
            "BIGQUERY_EMULATOR_HOST": self.host,
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.credentials_file),
            "GOOGLE_CLOUD_PROJECT": self.project,
        }

    def client(self) -> bigquery.Client:
        """Return a google-cloud-bigquery client bound to the emulator."""
        # Imported here so the harness itself needs nothing beyond the standard library.
        from google.cloud import bigquery  # noqa: PLC0415
        from google.oauth2.credentials import Credentials  # noqa: PLC0415

        creds = Credentials.from_authorized_user_file(str(self.credentials_file))  # type: ignore[no-untyped-call]
        return bigquery.Client(
            project=self.project,
            credentials=creds,
            client_options={"api_endpoint": self.host},
        )

    def create_dataset(self, name: str, location: str = "US") -> None:
        """Create a dataset through the proxy; one that already exists is fine."""
        body = {
            "datasetReference": {"projectId": self.project, "datasetId": name},
            "location": location,
        }
        request = urllib.request.Request(  # noqa: S310 - loopback http
            f"{self.host}/bigquery/v2/projects/{self.project}/datasets",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60):  # noqa: S310 - loopback http
                return
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409 duplicate: the dataset is already there
                detail = error.read().decode(errors="replace")
                raise RuntimeError(
                    f"creating dataset {name} failed: {error.code} {detail}"
                ) from None

    # -- job log and failure injection -------------------------------------------------

    def jobs(self) -> list[JobRecord]:
        """Return the load and query jobs the proxy saw, oldest first, with current states."""
        if self._server is not None:
            self._proxy.jobs.refresh()
        return self._journal.jobs()

    def clear_jobs(self) -> None:
        """Forget the job log and the emulator's time."""
        self._journal.clear_jobs()

    def upstream_time(self) -> UpstreamTime:
        """Requests forwarded to the emulator since ``clear_jobs`` and the seconds they took."""
        return self._journal.upstream_time()

    def inject_failure(
        self,
        kind: JobKind,
        match: str | None = None,
        count: int = 1,
        *,
        reason: str = "invalid",
        message: str = "Injected failure (bigquery-emulator)",
        http_status: int | None = None,
    ) -> FailureRule:
        """Fail the next ``count`` jobs of ``kind`` whose SQL/destination matches ``match``."""
        rule = FailureRule(kind, match, count, reason, message, http_status)
        self._journal.add_rule(rule)
        return rule

    def failures(self) -> list[FailureRule]:
        """Return the failure rules still armed."""
        return self._journal.rules()

    def clear_failures(self) -> None:
        """Disarm every failure rule."""
        self._journal.clear_rules()

    def describe(self) -> dict[str, Any]:
        """Return a summary for logs and the CLI."""
        return {"host": self.host, "project": self.project, "data_dir": str(self.data_dir)}
