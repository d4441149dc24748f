"""The batch-job, denormalized sink with additive schema evolution and named MERGE failures."""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import GoogleAPIError
from target_bigquery.batch_job import BigQueryBatchJobDenormalizedSink

from target_bigquery_safe.errors import MergeFailedError, SchemaUpdateFailedError
from target_bigquery_safe.schema import evolve


# The loader ships no type information, so its classes are Any to mypy.
class SafeBatchJobDenormalizedSink(BigQueryBatchJobDenormalizedSink):  # type: ignore[misc]
    """``BigQueryBatchJobDenormalizedSink`` that cannot merge into a table missing columns.

    Loads need no override here: the target replaces the loader's job queue with
    :class:`~target_bigquery_safe.loading.SynchronousLoadQueue`, which ``process_batch``
    hands each batch to.
    """

    def update_schema(self) -> None:
        """Add the stream's missing columns to the live table, as NULLABLE.

        The loader calls this right after creating or finding the target table and before
        it switches to the temporary upsert table, so the MERGE at the end of the run finds
        every column it names. Existing columns are never retyped or dropped.
        """
        live = self.client.get_table(self.table.as_ref())
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

    def clean_up(self) -> None:
        """Run the loader's MERGE; a failure names the target table."""
        final: Any = self.merge_target or self.overwrite_target
        try:
            super().clean_up()
        except Exception as exc:
            if final is None:
                raise
            raise MergeFailedError(str(final), exc) from exc
