"""The batch-job, denormalized sink with additive schema evolution and named MERGE failures."""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import GoogleAPIError
from target_bigquery.batch_job import BigQueryBatchJobDenormalizedSink, Job

from target_bigquery_safe.batchfile import GzipBatch
from target_bigquery_safe.errors import (
    DeletionMarkFailedError,
    MergeFailedError,
    SchemaUpdateFailedError,
    one_line,
)
from target_bigquery_safe.schema import evolve


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the tables as the loader does; batches go to a GzipBatch."""
        super().__init__(*args, **kwargs)
        self.buffer: Any = GzipBatch()
        self.batches_loaded = 0
        # The version an ACTIVATE_VERSION named: rows of older versions are marked deleted
        # once this run's rows are in the final table (`clean_up`), never before.
        self.activated_version: int | None = None

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Add the record to the current batch."""
        self.buffer.write(record)

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load the current batch (the queue raises if it does not land), then start another."""
        batch, self.buffer = self.buffer, GzipBatch()
        self.global_queue.put(
            Job(data=batch.finish(), table=self.table.as_ref(), config=self.job_config)
        )
        self.increment_jobs_enqueued()
        self.batches_loaded += 1

    def update_schema(self) -> None:
        """Add the stream's missing columns to the live table, as NULLABLE.

        The loader calls this right after creating or finding the target table and before
        it switches to the temporary upsert table, so the MERGE at the end of the run finds
        every column it names. Existing columns are never retyped or dropped.
        """
        # The table as the loader just found or created it: its BigQueryTable keeps it, and
        # asking again returns it without another request.
        _, live = self.table.create_table(self.client, self.apply_transforms, table={}, dataset={})
        evolution = evolve(live.schema, self.table.get_resolved_schema(self.apply_transforms))
        if evolution.conflicts:
            # Left alone: BigQuery cannot retype a column in place. If the types cannot be
            # coerced the MERGE fails, and that failure is reported with the table's name.
            self.logger.warning(
                "Columns of %s whose type differs from the stream's (kept): %s",
                self.table,
                ", ".join(str(conflict) for conflict in evolution.conflicts),
            )
        if not evolution.added:
            return
        live.schema = evolution.schema
        try:
            self.client.update_table(live, ["schema"])
        except GoogleAPIError as exc:
            raise SchemaUpdateFailedError(str(self.table), evolution.added, exc) from exc
        self.logger.info("Added NULLABLE columns to %s: %s", self.table, ", ".join(evolution.added))

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
        final: Any = self.merge_target or self.overwrite_target
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
