"""The target: loads run in-line, STATE is written only for merged data, bad config is refused."""

from __future__ import annotations

from typing import Any

import requests
from google.api_core.exceptions import NotFound, RetryError
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_RETRY
from singer_sdk.mapper import RemoveRecordTransform
from target_bigquery.core import bigquery_client_factory
from target_bigquery.target import TargetBigQuery

from target_bigquery_safe.errors import (
    BigQueryUnreachableError,
    DatasetNotFoundError,
    UnsupportedConfigError,
)
from target_bigquery_safe.loading import SynchronousLoadQueue
from target_bigquery_safe.pacing import skip_table_creation_waits
from target_bigquery_safe.parallel import for_each_stream
from target_bigquery_safe.sink import SafeBatchJobDenormalizedSink

# BigQuery unreachable when the run starts (network, DNS, an outage): one line within
# this, instead of the client's default ten minutes of silent retries.
REACH_SECONDS = 30.0


# The loader ships no type information, so its classes are Any to mypy.
class SafeTargetBigQuery(TargetBigQuery):  # type: ignore[misc]
    """``TargetBigQuery`` whose STATE never runs ahead of the rows in the warehouse."""

    name = "target-bigquery-safe"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Check the config and the dataset, then take over the loader's job queue."""
        super().__init__(*args, **kwargs)
        self._refuse_unsafe_config()
        skip_table_creation_waits()
        client = bigquery_client_factory(self._credentials)
        dataset = bigquery.DatasetReference(self.config["project"], self.config["dataset"])
        try:
            client.get_dataset(dataset, retry=DEFAULT_RETRY.with_timeout(REACH_SECONDS))
        except NotFound as exc:
            # The loader would create it (in location US) and carry on: a typo in the
            # dataset name would quietly fill a new dataset nobody reads.
            raise DatasetNotFoundError(f"{dataset.project}.{dataset.dataset_id}") from exc
        except (RetryError, requests.ConnectionError, requests.Timeout) as exc:
            raise BigQueryUnreachableError(
                f"{dataset.project}.{dataset.dataset_id}", REACH_SECONDS, exc
            ) from exc
        # Sinks hand their batches to `target.queue`; running them there and then turns a
        # failed load into an exception before any STATE is written (see loading.py).
        self.queue = SynchronousLoadQueue(client)

    def _refuse_unsafe_config(self) -> None:
        if self.config.get("overwrite"):
            # 0.7.2 replaces the table, then its second clean-up of the sink at end of pipe
            # fails on the target it has set to None: a run that replaced the data fails.
            raise UnsupportedConfigError(
                "target-bigquery-safe does not support overwrite: use upsert (the default here)"
            )
        # Only this sink is made safe here. `is not True` also refuses the string "true" that
        # an environment variable or `meltano config set` produces (issues #93, #110): the
        # loader only tests it for truth, so even "false" would switch denormalizing on.
        if self.config.get("method") != "batch_job" or self.config.get("denormalized") is not True:
            raise UnsupportedConfigError(
                "target-bigquery-safe supports only method: batch_job with denormalized: true, "
                f"got method: {self.config.get('method')!r}, "
                f"denormalized: {self.config.get('denormalized')!r}"
            )

    def get_sink_class(self, stream_name: str | None = None) -> type[SafeBatchJobDenormalizedSink]:
        """Every stream uses the safe batch-job sink (the config check allows no other)."""
        return SafeBatchJobDenormalizedSink

    def _process_activate_version_message(self, message_dict: dict[str, Any]) -> None:
        """Hand an ACTIVATE_VERSION to the sink of each name the stream is mapped to.

        SDK 0.22 looks the sink up under the tap's stream name, while SCHEMA and RECORD
        messages go through the stream maps: a stream renamed with `__alias__` (as
        time_entries is) fails with "A record for stream ... was encountered before a
        corresponding schema" (z3z1ma/target-bigquery#111). A stream the maps drop has no sink.
        """
        self._assert_line_requires(message_dict, requires={"stream", "version"})
        for stream_map in self.mapper.stream_maps[message_dict["stream"]]:
            if not isinstance(stream_map, RemoveRecordTransform):
                self.get_sink(stream_map.stream_alias).activate_version(message_dict["version"])

    def resize_worker_pool(self) -> None:
        """Start no workers: loads run in the draining thread (see loading.py)."""

    def drain_all(self, is_endofpipe: bool = False) -> None:
        """Write STATE only when every record it covers is in its final table.

        At end of pipe the loader already loads, merges (``clean_up``) and then writes
        STATE, and with loads and MERGE raising on failure that order is safe. Mid-stream
        (a STATE message once records are older than five minutes) it loads and writes
        STATE while the upserted rows still sit in the temporary table, to be merged only
        at the end: if the MERGE then fails, Meltano's bookmark is past rows that never
        reached the table. Here such a drain loads but keeps STATE back; the end of pipe
        writes the latest one.
        """
        if is_endofpipe:
            # Every stream's last load, then every MERGE, each stream in a thread of its own:
            # they are independent jobs, and BigQuery (and the emulator) runs them side by
            # side. Only when all have succeeded does the loader's drain find nothing left to
            # load or merge and write STATE.
            sinks = list(self._sinks_active.values())
            for_each_stream(self.drain_one, sinks)
            for_each_stream(lambda sink: sink.clean_up(), sinks)
            super().drain_all(is_endofpipe)
            return
        if not self._has_unmerged_rows():
            super().drain_all(is_endofpipe)
            return
        self.logger.info("Holding STATE until the temporary tables are merged at end of run.")
        self._drain_all(list(self._sinks_active.values()), self.max_parallelism)
        self._reset_max_record_age()

    def _has_unmerged_rows(self) -> bool:
        return any(sink.merge_target is not None for sink in self._sinks_active.values())
