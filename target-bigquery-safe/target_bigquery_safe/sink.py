"""A stream's sink: records to a gzip batch, a load job, one MERGE on the key, per batch.

Each batch lands in the stream's table before ``process_batch`` returns (load into the
temporary table, then MERGE), so whenever the SDK writes STATE after draining the sinks,
every record it covers is in its final table: mid-run drains included.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from google.api_core.exceptions import GoogleAPIError, NotFound
from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery
from singer_sdk.sinks import BatchSink

from target_bigquery_safe import statements
from target_bigquery_safe.batchfile import GzipBatch
from target_bigquery_safe.columns import METADATA_COLUMNS, columns
from target_bigquery_safe.errors import (
    ActivationRefusedError,
    DeletionMarkFailedError,
    MergeFailedError,
    RecordError,
    SchemaUpdateFailedError,
    TableSetUpFailedError,
    one_line,
)
from target_bigquery_safe.loading import load_batch
from target_bigquery_safe.parallel import in_background
from target_bigquery_safe.schema import evolve

if TYPE_CHECKING:
    from target_bigquery_safe.target import TargetBigQuery

# A temporary table a failed run leaves behind is gone a day later.
TEMPORARY_TABLE_LIFETIME = datetime.timedelta(days=1)
# What a request of the set-up may fail with: BigQuery's errors, the network's (after the
# client's own retries), the credentials'.
SET_UP_ERRORS = (GoogleAPIError, requests.ConnectionError, requests.Timeout, GoogleAuthError)
# Keys remembered per batch to tell whether it holds one twice (about 64 MB at most); a
# batch with more rows is deduplicated before its MERGE.
MAX_KEYS_REMEMBERED = 1_000_000
# Metadata of the SDK's that the tables do not carry (see columns.METADATA_COLUMNS).
_NOT_STORED = "_sdc_sync_started_at"


def table_name(stream_name: str) -> str:
    """The table a stream (or its alias) is loaded into, as tables have always been named."""
    return stream_name.lower().replace("-", "_").replace(".", "_")


class BigQuerySink(BatchSink):
    """Loads one stream's records into its table, upserted on its key."""

    def __init__(
        self,
        target: TargetBigQuery,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        """Name the stream's tables; their set-up starts in ``setup``."""
        super().__init__(target, stream_name, schema, key_properties)
        self.client = target.client
        dataset = bigquery.DatasetReference(self.config["project"], self.config["dataset"])
        self.final = dataset.table(table_name(stream_name))
        self.upserting = bool(self.key_properties) and bool(self.config.get("upsert", True))
        self.temporary = (
            dataset.table(f"{self.final.table_id}__{time.strftime('%Y%m%d%H%M%S')}__{uuid.uuid4()}")
            if self.upserting
            else None
        )
        stored = {k: v for k, v in self.schema["properties"].items() if k != _NOT_STORED}
        self.columns = columns({"properties": stored})
        # Metadata included; `_sdc_sync_started_at` is removed before the check.
        self._declared = _declared_fields({**self.schema["properties"], **METADATA_COLUMNS})
        self.buffer = GzipBatch()
        # The table's columns once set up (its order, its nested order); loads use them.
        self.live_columns: list[bigquery.SchemaField] = []
        self._tables_ready: Future[None] | None = None
        self._temporary_dropped = False
        previous = target.register_sink(self)
        # Carried over a schema change: they are about the stream, not this sink.
        self.activated_version: int | None = previous.activated_version if previous else None
        self.records_without_version: int = previous.records_without_version if previous else 0
        self._previous = previous
        # Hashes of this batch's keys; None once a key may be in the batch twice.
        self._keys: set[int] | None = set()
        self._key_kinds = [_column_kind(self.schema, name) for name in self.key_properties]
        # What the SDK parses records against (`_parse_timestamps_in_record`): no property,
        # any value. The SDK would turn every date-time, date and time string of every record
        # into a Python object, 40% of the target's time per record (profiled); BigQuery's
        # load job parses the strings itself into the column's type, as it always did under
        # 0.7.2, and a value it cannot parse fails the load by name. The columns, keys and
        # declared fields above come from the stream's schema.
        self.schema = {"type": "object", "properties": {}, "additionalProperties": True}
        self._tables_checked = False

    @property
    def include_sdc_metadata_properties(self) -> bool:
        """Always: upserts, deletions and partitions rely on the ``_sdc_*`` columns."""
        return True

    def get_validator(self) -> None:
        """No JSON Schema validation: the load job checks every value against its column.

        Per record it would cost about as much as the rest of the target; what the load
        cannot see (a field the schema lacks, a null key) is checked in ``preprocess_record``.
        """
        return

    @property
    def max_size(self) -> int:
        """Records per load job and MERGE."""
        return int(self.config.get("batch_size", 1_000_000))

    def setup(self) -> None:
        """Land the rows an earlier schema of this stream holds; set the tables up meanwhile.

        After a SCHEMA that changed within the run, the old sink's rows are merged before
        this sink's, in the order they were sent, and this sink's set-up adds the new
        columns before any of its rows is loaded.
        """
        if self._previous is not None:
            self._previous.land_pending_rows()
            self._previous = None
        self._tables_ready = in_background(self._set_up_tables)

    def land_pending_rows(self) -> None:
        """Load and merge what this sink holds now (a later sink of its stream takes over)."""
        if self.current_size:
            self.process_batch(self.start_drain())
            self.mark_drained()

    def _wait_for_tables(self) -> None:
        # Raises the set-up's own error (TableSetUpFailedError, SchemaUpdateFailedError).
        if self._tables_ready is not None:
            self._tables_ready.result()

    def _set_up_tables(self) -> None:
        """Find or create the table, add the stream's missing columns, create the temporary one."""
        try:
            live = self._final_table()
        except SET_UP_ERRORS as exc:
            raise TableSetUpFailedError(str(self.final), exc) from exc
        evolution = evolve(live.schema, self.columns)
        if evolution.conflicts:
            # Left alone: BigQuery cannot retype a column in place. The temporary table takes
            # the table's type, so a value that does not fit it fails the load, by name.
            self.logger.warning(
                "Columns of %s whose type differs from the stream's (kept): %s",
                self.final,
                ", ".join(str(conflict) for conflict in evolution.conflicts),
            )
        if evolution.added:
            live.schema = evolution.schema
            try:
                live = self.client.update_table(live, ["schema"])
            except SET_UP_ERRORS as exc:
                raise SchemaUpdateFailedError(str(self.final), evolution.added, exc) from exc
            self.logger.info(
                "Added NULLABLE columns to %s: %s", self.final, ", ".join(evolution.added)
            )
            self._check_columns_added(live.schema, evolution.added)
        self.live_columns = list(live.schema)
        if self.temporary is not None:
            table = bigquery.Table(self.temporary, schema=self.live_columns)
            table.expires = datetime.datetime.now(tz=datetime.UTC) + TEMPORARY_TABLE_LIFETIME
            try:
                self.client.create_table(table)
            except SET_UP_ERRORS as exc:
                raise TableSetUpFailedError(str(self.temporary), exc) from exc

    def _check_columns_added(self, schema: list[bigquery.SchemaField], added: list[str]) -> None:
        """Fail if the table does not have every added column, nested ones included.

        A service that accepted the change but kept the old columns would drop their values
        in every load, silently.
        """
        missing = [path for path in added if not _has_path(schema, path.split("."))]
        if missing:
            raise SchemaUpdateFailedError(
                str(self.final),
                missing,
                RuntimeError("the table does not show them after the update"),
            )

    def _final_table(self) -> bigquery.Table:
        try:
            return self.client.get_table(self.final)
        except NotFound:
            pass
        table = bigquery.Table(self.final, schema=self.columns)
        # The layout z3-target-bigquery 0.7.2 gave every table: partitioned by month of
        # `_sdc_batched_at`, clustered on it.
        table.time_partitioning = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.MONTH, field="_sdc_batched_at"
        )
        table.clustering_fields = ["_sdc_batched_at"]
        try:
            return self.client.create_table(table)
        except GoogleAPIError as refused:
            # Created meanwhile (a run beside this one): the table is there now, or the
            # refusal stands.
            try:
                return self.client.get_table(self.final)
            except NotFound:
                raise refused from None

    def preprocess_record(self, record: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Refuse a record the table cannot hold as sent; note its key."""
        record.pop(_NOT_STORED, None)
        undeclared = _undeclared(record, self._declared)
        if undeclared:
            raise RecordError(
                f"stream {self.stream_name}: a record has field(s) its SCHEMA does not declare "
                f"({', '.join(undeclared[:5])}); they would be dropped: send a SCHEMA that has them"
            )
        values = tuple(record.get(name) for name in self.key_properties)
        if None in values:
            raise RecordError(
                f"stream {self.stream_name}: a record has a null or missing key "
                f"({', '.join(self.key_properties)}); it could neither be matched nor kept apart"
            )
        if record.get("_sdc_table_version") is None:
            self.records_without_version += 1
        if self._keys is not None and self.upserting:
            self._note_key(values)
        return record

    def _note_key(self, values: tuple[Any, ...]) -> None:
        keys = self._keys
        assert keys is not None
        # Two values BigQuery would read as one key must not look like two here: only an int
        # in an integer column, or a str in a plain string column, is compared as it is
        # stored. Anything else gives up, and the batch is deduplicated.
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

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Add the record to the current batch; stop early if the tables could not be set up."""
        ready = self._tables_ready
        if not self._tables_checked and ready is not None and ready.done():
            self._wait_for_tables()  # raises if the set-up failed
            self._tables_checked = True
        try:
            self.buffer.write(record)
        except TypeError as exc:  # orjson: an integer beyond 64 bits, a lone surrogate, ...
            raise RecordError(
                f"stream {self.stream_name}: a record cannot be written as JSON: {one_line(exc)}"
            ) from None

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load the batch and merge it into the table; raise if either does not land."""
        self._wait_for_tables()
        batch, self.buffer = self.buffer, GzipBatch()
        keys, self._keys = self._keys, set()
        if not batch.records:
            return
        timeout = float(self.config.get("timeout", 600))
        destination = self.temporary if self.temporary is not None else self.final
        attempts = load_batch(
            self.client,
            batch.finish(),
            destination,
            self.live_columns,
            replace=self.temporary is not None,
            timeout=timeout,
        )
        if self.temporary is None:
            return
        # A retried load may have landed twice; a key seen twice must be reduced to one row.
        dedupe = bool(self.config.get("dedupe_before_upsert", True)) and (
            keys is None or attempts > 1
        )
        merge = statements.merge(
            _full_name(self.final),
            _full_name(self.temporary),
            self.key_properties,
            self._merged_columns(),
            dedupe=dedupe,
        )
        try:
            job = self.client.query(merge)
            job.result(timeout=timeout)
        except Exception as exc:  # any failure means the rows are not in the table
            raise MergeFailedError(_full_name(self.final), exc) from exc
        self.logger.info("Merged %s rows into %s.", batch.records, self.final)

    def _merged_columns(self) -> list[bigquery.SchemaField]:
        """The table's columns the stream writes, as the table has them (nested order too)."""
        written = {field.name.lower() for field in self.columns}
        return [field for field in self.live_columns if field.name.lower() in written]

    def activate_version(self, new_version: int) -> None:
        """Remember the version; rows of other versions are marked once every MERGE landed.

        Acting on it here, while this run's rows may still be unmerged (or not sent yet),
        would mark live rows deleted, and a run that then failed would leave them so. The
        target calls ``mark_other_versions_deleted`` at the end of a run in which every load
        and MERGE succeeded.
        """
        self.activated_version = new_version

    def mark_other_versions_deleted(self) -> None:
        """Soft-delete the rows whose ``_sdc_table_version`` is not the activated version.

        A record sent without a version would count as another version and be marked deleted
        by the activation of the very run that sent it: such an activation is refused, with
        nothing marked and no STATE.
        """
        version = self.activated_version
        if version is None:
            return
        if self.records_without_version:
            raise ActivationRefusedError(
                f"stream {self.stream_name}: ACTIVATE_VERSION {version} refused, "
                f"{self.records_without_version} record(s) of this run came without a version "
                "and would be marked deleted; nothing was marked"
            )
        try:
            job = self.client.query(
                statements.mark_other_versions_deleted(_full_name(self.final), version)
            )
            job.result(timeout=float(self.config.get("timeout", 600)))
        except Exception as exc:
            raise DeletionMarkFailedError(_full_name(self.final), version, exc) from exc
        self.activated_version = None
        if job.num_dml_affected_rows:  # a quiet day's run logs nothing
            self.logger.info(
                "Marked %s row(s) of %s deleted: not sent under version %s.",
                job.num_dml_affected_rows,
                self.final,
                version,
            )

    def drop_temporary_table(self) -> None:
        """Drop the temporary table (a failure is a warning: it expires within a day)."""
        if self.temporary is None or self._temporary_dropped:
            return
        self._temporary_dropped = True
        try:
            self._wait_for_tables()
            self.client.delete_table(self.temporary, not_found_ok=True)
        except Exception as exc:  # nothing of the run's data is in it any more
            self.logger.warning("Could not drop %s: %s", self.temporary, one_line(exc))

    def clean_up(self) -> None:
        """Drop the temporary table, if the end of the run has not done it yet."""
        self.drop_temporary_table()
        super().clean_up()


def _full_name(table: bigquery.TableReference) -> str:
    return f"{table.project}.{table.dataset_id}.{table.table_id}"


@dataclass(frozen=True)
class Declared:
    """A stream's declared fields, and those inside its objects (or arrays of objects)."""

    names: frozenset[str]
    nested: tuple[tuple[str, Declared], ...]


def _declared_fields(properties: Mapping[str, Any]) -> Declared:
    nested = []
    for name, spec in properties.items():
        inner = spec.get("items", spec) if isinstance(spec, Mapping) else {}
        props = inner.get("properties") if isinstance(inner, Mapping) else None
        if props:
            nested.append((name, _declared_fields(props)))
    return Declared(frozenset(properties), tuple(nested))


def _undeclared(value: Mapping[str, Any], declared: Declared, prefix: str = "") -> list[str]:
    extra = [f"{prefix}{name}" for name in value.keys() - declared.names]
    for name, inner in declared.nested:
        nested = value.get(name)
        for item in nested if isinstance(nested, list) else [nested]:
            if isinstance(item, Mapping):
                extra += _undeclared(item, inner, f"{prefix}{name}.")
    return sorted(extra)


def _has_path(schema: list[bigquery.SchemaField], path: list[str]) -> bool:
    for field in schema:
        if field.name.lower() == path[0].lower():
            return len(path) == 1 or _has_path(list(field.fields), path[1:])
    return False


def _column_kind(schema: Mapping[str, Any], name: str) -> str | None:
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
