"""The batch-job, denormalized sink: background set-up, additive schema, named failures."""

from __future__ import annotations

import datetime
import time
import typing as t
import uuid
from concurrent.futures import Future
from typing import Any

import requests
from google.api_core.exceptions import GoogleAPIError, NotFound
from google.auth.exceptions import GoogleAuthError
from google.cloud.bigquery import TimePartitioning
from singer_sdk.sinks import BatchSink
from target_bigquery.batch_job import BigQueryBatchJobDenormalizedSink, Job
from target_bigquery.core import (
    PARTITION_STRATEGY,
    BigQueryCredentials,
    BigQueryTable,
    SchemaResolverVersion,
    bigquery_client_factory,
)

from target_bigquery_safe.batchfile import GzipBatch
from target_bigquery_safe.errors import (
    DeletionMarkFailedError,
    MergeFailedError,
    SchemaUpdateFailedError,
    TableSetUpFailedError,
    one_line,
)
from target_bigquery_safe.parallel import in_background
from target_bigquery_safe.schema import evolve

# As the loader: a temporary table a failed run leaves behind is gone a day later.
TEMPORARY_TABLE_LIFETIME = datetime.timedelta(days=1)
# What a request of the set-up may fail with: BigQuery's errors, the network's (after the
# client's own retries), the credentials'.
SET_UP_ERRORS = (GoogleAPIError, requests.ConnectionError, requests.Timeout, GoogleAuthError)
# Keys remembered per stream to tell whether a run sent one twice (about 64 MB at most);
# a stream with more rows in one run is deduplicated before its MERGE, as the loader does.
MAX_KEYS_REMEMBERED = 1_000_000


# The loader ships no type information, so its classes are Any to mypy.
class SafeBatchJobDenormalizedSink(BigQueryBatchJobDenormalizedSink):  # type: ignore[misc]
    """``BigQueryBatchJobDenormalizedSink`` that cannot merge into a table missing columns.

    Each batch is written to a :class:`~target_bigquery_safe.batchfile.GzipBatch` and
    handed to the target's job queue, which the target replaces with
    :class:`~target_bigquery_safe.loading.SynchronousLoadQueue`.
    """

    # Set by the loader (its BigQueryTable, or None when there is nothing left to merge).
    table: Any
    merge_target: Any

    def __init__(
        self,
        target: Any,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        """Name the stream's tables at once; create them in the background.

        The loader's constructor asks BigQuery five things per stream (the dataset twice,
        the table, then the temporary table's absence and its creation) while the target
        reads nothing: streams are set up one after another, and the tap waits on the pipe
        meanwhile (0.35 s a stream against the emulator, most of a quiet daily run's
        loader). Here the tables get the loader's names and options, and the two requests
        a stream needs (its table; the temporary table's creation) run in a background
        thread while records are read. A load or the MERGE waits for them, and a failed
        set-up fails the run there, before any STATE.
        """
        BatchSink.__init__(self, target, stream_name, schema, key_properties)
        self._credentials = BigQueryCredentials(
            self.config.get("credentials_path"),
            self.config.get("credentials_json"),
            self.config["project"],
        )
        self.client = bigquery_client_factory(self._credentials)
        final = self._table_named(self.table_name)
        # The loader's clean_up reads overwrite_target; the target refuses `overwrite`.
        self.table, self.merge_target, self.overwrite_target = final, None, None
        # The dataset was found when the run started (SafeTargetBigQuery), and a name with a
        # time and a UUID in it is new: the temporary table is created without a look.
        temporary = self._table_named(
            f"{self.table_name}__{time.strftime('%Y%m%d%H%M%S')}__{uuid.uuid4()}"
        )
        if key_properties and self._is_upsert_candidate():
            self.merge_target, self.table = final, temporary
        self.global_queue = target.queue
        self.increment_jobs_enqueued = target.increment_jobs_enqueued
        self.buffer: Any = GzipBatch()
        self.batches_loaded = 0
        # The version an ACTIVATE_VERSION named: rows of older versions are marked deleted
        # once this run's rows are in the final table (`clean_up`), never before.
        self.activated_version: int | None = None
        # Hashes of the keys sent so far; None once a key may be in the temporary table twice.
        self._keys: set[int] | None = set() if self.merge_target is not None else None
        self._key_kinds = [_column_kind(self.schema, name) for name in self.key_properties or ()]
        self._tables_ready: Future[None] = in_background(
            self._set_up_tables, final, None if self.table is final else self.table
        )

    def _table_named(self, name: str) -> Any:
        return BigQueryTable(
            name=name,
            project=self.config["project"],
            dataset=self.config["dataset"],
            jsonschema=self.schema,
            transforms=self.config.get("column_name_transforms", {}),
            ingestion_strategy=self.ingestion_strategy,
            schema_resolver_version=SchemaResolverVersion(
                self.config.get("schema_resolver_version", 1)
            ),
        )

    def _set_up_tables(self, final: Any, temporary: Any) -> None:
        """Find or create the final table and add its missing columns; create the temporary one."""
        try:
            live = self._final_table(final)
        except SET_UP_ERRORS as exc:
            raise TableSetUpFailedError(str(final), exc) from exc
        self._add_missing_columns(final, live)
        if temporary is not None:
            expires = datetime.datetime.now() + TEMPORARY_TABLE_LIFETIME
            try:
                self.client.create_table(temporary.as_table(self.apply_transforms, expires=expires))
            except SET_UP_ERRORS as exc:
                raise TableSetUpFailedError(str(temporary), exc) from exc

    def _final_table(self, final: Any) -> Any:
        try:
            return self.client.get_table(final.as_ref())
        except NotFound:
            pass
        try:
            _, live = final.create_table(
                self.client, self.apply_transforms, **self._creation_options()
            )
        except GoogleAPIError as refused:
            # Another stream the loader names alike may have created it meanwhile: the sinks
            # are set up side by side. BigQuery answers 409, the emulator a failed commit;
            # either way the table is there now, or the refusal stands.
            try:
                return self.client.get_table(final.as_ref())
            except NotFound:
                raise refused from None
        return live

    def _creation_options(self) -> dict[str, dict[str, Any]]:
        """The loader's options for a final table it creates (``create_target``)."""
        table: dict[str, Any] = {}
        if self.key_properties and self.config.get("cluster_on_key_properties", False):
            table["clustering_fields"] = tuple(self.key_properties[:4])
        if grain := self.config.get("partition_granularity"):
            table["time_partitioning"] = TimePartitioning(
                type_=PARTITION_STRATEGY[grain.upper()], field="_sdc_batched_at"
            )
        location = self.config.get("location", BigQueryTable.default_dataset_options()["location"])
        return {"table": table, "dataset": {"location": location}}

    def _wait_for_tables(self) -> None:
        # Raises the set-up's own error (TableSetUpFailedError, SchemaUpdateFailedError).
        self._tables_ready.result()

    def preprocess_record(self, record: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Note the record's key, then shape it as the loader does."""
        if self._keys is not None:
            self._note_key(record)
        return t.cast("dict[str, Any]", super().preprocess_record(record, context))

    def _note_key(self, record: dict[str, Any]) -> None:
        keys = t.cast("set[int]", self._keys)
        values = tuple(record.get(name) for name in self.key_properties)
        # Two values BigQuery would read as one key must not look like two here: only an int
        # in an integer column, or a str in a plain string column, is compared as it is
        # stored. Anything else (1 and "1" in one column, two spellings of one timestamp, a
        # missing key) gives up, and the dedupe runs as the loader always ran it.
        if not all(map(_stored_as_sent, self._key_kinds, values)):
            self._keys = None
            return
        # Two keys with the same hash count as a repeat: the dedupe then runs, so a
        # collision costs time, never a row.
        key = hash(values)
        if key in keys or len(keys) >= MAX_KEYS_REMEMBERED:
            self._keys = None
        else:
            keys.add(key)

    def _is_dedupe_before_upsert_candidate(self) -> bool:
        """Deduplicate before the MERGE only when the temporary table may hold a key twice.

        That is when the run sent a key twice, or a load was retried (a job that landed but
        whose outcome was lost is loaded again). Otherwise every key is there once, and the
        MERGE can read the temporary table as it is: the loader's dedupe copies the whole
        table first (a third of a 100,000-row MERGE script's time on the emulator; on
        BigQuery a statement billed for a full scan).
        """
        return bool(super()._is_dedupe_before_upsert_candidate()) and self._keys is None

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Add the record to the current batch; stop early if the tables could not be set up."""
        if self._tables_ready.done():
            self._wait_for_tables()
        self.buffer.write(record)

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load the current batch (the queue raises if it does not land), then start another."""
        self._wait_for_tables()
        batch, self.buffer = self.buffer, GzipBatch()
        attempts = self.global_queue.put(
            Job(data=batch.finish(), table=self.table.as_ref(), config=self.job_config)
        )
        if attempts > 1:  # a failed attempt may have landed after all: rows may be there twice
            self._keys = None
        self.increment_jobs_enqueued()
        self.batches_loaded += 1

    def _add_missing_columns(self, final: Any, live: Any) -> None:
        """Add the stream's missing columns to the live table, as NULLABLE.

        Done before the temporary table is loaded, so the MERGE at the end of the run finds
        every column it names. Existing columns are never retyped or dropped. (The loader's
        own ``update_schema`` compares the stream's schema with itself and adds nothing.)
        """
        evolution = evolve(live.schema, final.get_resolved_schema(self.apply_transforms))
        if evolution.conflicts:
            # Left alone: BigQuery cannot retype a column in place. If the types cannot be
            # coerced the MERGE fails, and that failure is reported with the table's name.
            self.logger.warning(
                "Columns of %s whose type differs from the stream's (kept): %s",
                final,
                ", ".join(str(conflict) for conflict in evolution.conflicts),
            )
        if not evolution.added:
            return
        live.schema = evolution.schema
        try:
            self.client.update_table(live, ["schema"])
        except GoogleAPIError as exc:
            raise SchemaUpdateFailedError(str(final), evolution.added, exc) from exc
        self.logger.info("Added NULLABLE columns to %s: %s", final, ", ".join(evolution.added))

    def activate_version(self, new_version: int) -> None:
        """Remember the version; its older rows are marked deleted after the MERGE.

        The loader ignores the message. Acting on it here, while this run's rows may still
        sit in the temporary table (or not be sent yet), would mark live rows deleted: a run
        that then failed would leave them so. `clean_up` marks them once the MERGE is done.
        """
        self.activated_version = new_version

    def clean_up(self) -> None:
        """Run the loader's MERGE; a failure names the target table.

        A stream that loaded nothing into its temporary table has nothing to merge: the
        temporary table is dropped, and the MERGE job (the slowest part of a quiet daily
        run's stream) is not run. Then, if an ACTIVATE_VERSION came, the rows of older
        versions are marked deleted.
        """
        self._wait_for_tables()
        final: Any = self.merge_target
        if self.merge_target is not None and self.batches_loaded == 0:
            try:
                self.client.delete_table(self.table.as_ref(), not_found_ok=True)
            except GoogleAPIError as exc:
                # Nothing was loaded, so nothing is lost: the table expires in a day.
                self.logger.warning("Could not drop the empty %s: %s", self.table, one_line(exc))
            self.table, self.merge_target = self.merge_target, None
        else:
            try:
                super().clean_up()
            except Exception as exc:
                if final is None:
                    raise
                raise MergeFailedError(str(final), exc) from exc
        self._mark_older_versions_deleted()

    def _mark_older_versions_deleted(self) -> None:
        """Soft-delete the rows no run since the activated version has sent again.

        Like target-postgres without `hard_delete`: `_sdc_deleted_at` is set on every live row
        whose `_sdc_table_version` is older (or NULL: rows loaded before versions were sent,
        such as the legacy scripts' rows). A row sent again later is live again, as the MERGE
        writes the record's NULL `_sdc_deleted_at` over it.
        """
        if self.activated_version is None:
            return
        version, self.activated_version = int(self.activated_version), None
        # `self.table` is now the final table, named by the config; the version is an int.
        query = (
            f"UPDATE `{self.table}` SET `_sdc_deleted_at` = CURRENT_TIMESTAMP() "  # noqa: S608
            "WHERE `_sdc_deleted_at` IS NULL "
            f"AND (`_sdc_table_version` IS NULL OR `_sdc_table_version` < {version})"
        )
        try:
            job = self.client.query(query)
            job.result()
        except GoogleAPIError as exc:
            raise DeletionMarkFailedError(str(self.table), version, exc) from exc
        if job.num_dml_affected_rows:  # a quiet day's run logs nothing
            self.logger.info(
                "Marked %s row(s) of %s deleted: not sent again since version %s.",
                job.num_dml_affected_rows,
                self.table,
                version,
            )


def _column_kind(schema: dict[str, Any], name: str) -> str | None:
    """The kind of a key column of one plain type (nullable or not): integer or string."""
    spec = schema.get("properties", {}).get(name, {})
    kinds = spec.get("type", [])
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    kinds.discard("null")
    if kinds == {"integer"}:
        return "integer"
    if kinds == {"string"} and "format" not in spec:
        return "string"
    return None


def _stored_as_sent(kind: str | None, value: object) -> bool:
    """Whether BigQuery stores ``value`` in a ``kind`` column as a value equal only to itself."""
    if kind == "integer":
        return type(value) is int
    if kind == "string":
        return type(value) is str
    return False
