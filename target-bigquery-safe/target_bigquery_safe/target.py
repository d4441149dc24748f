"""The target: settings checked first, every batch merged before STATE, deletions marked last."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any, ClassVar

import requests
from google.api_core.exceptions import GoogleAPIError, NotFound, RetryError
from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_RETRY
from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.sinks import Sink
from singer_sdk.target_base import Target

from target_bigquery_safe.client import bigquery_client
from target_bigquery_safe.errors import (
    BigQueryUnreachableError,
    DatasetCheckFailedError,
    DatasetNotFoundError,
    SharedTableError,
    StoppedBySignal,
)
from target_bigquery_safe.messages import CheckedSingerReader
from target_bigquery_safe.parallel import MAX_THREADS, for_each_stream
from target_bigquery_safe.settings import CONFIG_SCHEMA, check_settings
from target_bigquery_safe.sink import BigQuerySink, table_name

# BigQuery unreachable when the run starts (network, DNS, an outage): one line within
# this, instead of the client's default ten minutes of silent retries.
REACH_SECONDS = 30.0


def stop_on_signals() -> None:
    """Make SIGTERM and SIGINT stop the run with StoppedBySignal, replacing the SDK's handlers.

    The SDK's handlers (installed by its plugin's __init__, so replaced after it) drain every
    sink, write the latest STATE and exit 0. A signal that lands during a load or a MERGE finds
    that batch already taken from its sink: the drain would write STATE for rows never merged
    and report success. Raising instead unwinds the run from wherever it is; nothing after it
    writes STATE. A second signal gets the default action: it kills a run stuck in its stop.
    """
    if threading.current_thread() is not threading.main_thread():
        return  # signal.signal works only there; the SDK installs nothing elsewhere either
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop)


def _stop(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise StoppedBySignal(signum)


class TargetBigQuery(Target):
    """Singer target for BigQuery: load jobs, one MERGE per batch, STATE only for merged rows."""

    name = "target-bigquery-safe"
    config_jsonschema: ClassVar[dict[str, Any]] = CONFIG_SCHEMA
    default_sink_class = BigQuerySink
    message_reader_class = CheckedSingerReader

    def __init__(self, **kwargs: Any) -> None:
        """Check the settings and the dataset before any input is read."""
        # The SDK's own validation would log the offending value: for credentials_json, the
        # key. check_settings names the setting only.
        kwargs["validate_config"] = False
        super().__init__(**kwargs)
        stop_on_signals()
        builtin: dict[str, Any] = {"properties": {}}
        self.append_builtin_config(builtin)
        check_settings(
            self.config,
            {name: spec.get("default") for name, spec in builtin["properties"].items()},
        )
        # Sinks drained side by side mid-run, within the client's connection pool.
        self.max_parallelism = MAX_THREADS
        self.client = bigquery_client(self.config)
        self._check_dataset()
        # The current sink of each stream, and the stream each table belongs to.
        self.current_sinks: dict[str, BigQuerySink] = {}
        self.all_sinks: list[BigQuerySink] = []

    def _check_dataset(self) -> None:
        dataset = bigquery.DatasetReference(self.config["project"], self.config["dataset"])
        name = f"{dataset.project}.{dataset.dataset_id}"
        try:
            self.client.get_dataset(dataset, retry=DEFAULT_RETRY.with_timeout(REACH_SECONDS))
        except NotFound as exc:
            # Never created here: a typo in the dataset name would fill a dataset nobody reads.
            raise DatasetNotFoundError(name) from exc
        except (RetryError, requests.ConnectionError, requests.Timeout, GoogleAuthError) as exc:
            raise BigQueryUnreachableError(name, REACH_SECONDS, exc) from exc
        except GoogleAPIError as exc:  # 403 (no bigquery.datasets.get), 400, ...
            raise DatasetCheckFailedError(name, exc) from exc

    def get_sink(
        self,
        stream_name: str,
        *,
        record: dict[str, Any] | None = None,
        schema: dict[str, Any] | None = None,
        key_properties: Sequence[str] | None = None,
    ) -> Sink:
        """The SDK's sink for ``stream_name``; on a SCHEMA, first refuse two streams in one table.

        Two streams loaded into one table (an alias shared, or names that differ only in `-`,
        `.` or case) are refused: each one's ACTIVATE_VERSION would mark the other's rows
        deleted, and their keys and columns need not agree.
        """
        if schema is not None:
            self._refuse_shared_tables()
        return super().get_sink(
            stream_name, record=record, schema=schema, key_properties=key_properties
        )

    def _refuse_shared_tables(self) -> None:
        owners: dict[str, str] = {}
        for stream, maps in self.mapper.stream_maps.items():
            for stream_map in maps:
                if isinstance(stream_map, RemoveRecordTransform):
                    continue
                table = table_name(stream_map.stream_alias)
                owner = owners.setdefault(table, stream)
                if owner != stream:
                    raise SharedTableError(
                        f"streams {owner} and {stream} would both be loaded into table "
                        f"{table}: give one another name with stream_maps (__alias__)"
                    )

    def register_sink(self, sink: BigQuerySink) -> BigQuerySink | None:
        """Record ``sink`` as its stream's current sink; return the one it replaces, if any."""
        previous = self.current_sinks.get(sink.stream_name)
        self.current_sinks[sink.stream_name] = sink
        self.all_sinks.append(sink)
        return previous

    def process_endofpipe(self) -> None:
        """Land every stream's last batch, then mark deletions, then write STATE.

        Each stream's last load and MERGE run side by side; deletions are marked only once
        every stream's rows have landed (a failed stream fails the run before any marking),
        and STATE is written by the SDK's final drain only once all of that succeeded.
        """
        sinks = list(self.current_sinks.values())
        for_each_stream(self.drain_one, sinks)
        for_each_stream(BigQuerySink.mark_other_versions_deleted, sinks)
        for_each_stream(BigQuerySink.drop_temporary_table, self.all_sinks)
        super().process_endofpipe()
