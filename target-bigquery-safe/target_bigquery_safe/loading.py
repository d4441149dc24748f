"""One batch into one table with a load job, retried; a failure is an exception naming the table.

A load job is atomic (all rows or none), so a retry after a failed job cannot duplicate rows;
the one gap, a job that landed but whose outcome could not be read, at worst loads the batch
twice into the temporary table, which the caller then deduplicates before its MERGE. A job
still running when its wait times out is cancelled and not retried: it could land after the
retry, or after the next batch's load, and replace rows not yet merged.
"""

from __future__ import annotations

import logging
import mmap
from collections.abc import Sequence
from io import BytesIO

from google.cloud import bigquery

from target_bigquery_safe.errors import LoadFailedError, one_line

_logger = logging.getLogger(__name__)

# One try plus two retries per batch.
LOAD_ATTEMPTS = 3
# Resumable-upload retries inside one attempt.
UPLOAD_RETRIES = 3


def load_batch(
    client: bigquery.Client,
    data: bytes | memoryview | mmap.mmap,
    table: bigquery.TableReference,
    schema: Sequence[bigquery.SchemaField],
    *,
    replace: bool,
    timeout: float,
    attempts: int = LOAD_ATTEMPTS,
) -> int:
    """Load gzip NDJSON ``data`` into ``table``; return the attempts it took.

    ``replace`` empties the table first (a temporary table that held the previous batch).
    A field the schema lacks fails the job rather than being dropped.
    """
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        schema=list(schema),
        ignore_unknown_values=False,
        write_disposition=(
            bigquery.WriteDisposition.WRITE_TRUNCATE
            if replace
            else bigquery.WriteDisposition.WRITE_APPEND
        ),
    )
    errors: list[Exception] = []
    table_name = f"{table.project}.{table.dataset_id}.{table.table_id}"
    while len(errors) < attempts:
        job: bigquery.LoadJob | None = None
        try:
            job = client.load_table_from_file(
                BytesIO(data),
                table,
                num_retries=UPLOAD_RETRIES,
                timeout=timeout,
                job_config=config,
            )
            job.result(timeout=timeout)
        except Exception as exc:  # any failure means the batch did not land
            errors.append(exc)
            if job is not None and not _finished(job):
                # Still running (a timeout): it could land after a retry, or after the next
                # batch's load into the same temporary table, and replace rows not yet merged.
                _cancel(job)
                raise LoadFailedError(table_name, exc, len(errors)) from exc
            _logger.warning(
                "Load into %s failed (attempt %d of %d): %s",
                table,
                len(errors),
                attempts,
                one_line(exc),
            )
        else:
            _logger.info("Loaded %s rows into %s.", job.output_rows, table)
            return len(errors) + 1
    raise LoadFailedError(table_name, errors[-1], len(errors)) from errors[-1]


def _finished(job: bigquery.LoadJob) -> bool:
    """Whether BigQuery says ``job`` is over; unknown (its state unreadable) counts as not."""
    try:
        return bool(job.done())
    except Exception:  # unreadable state: assume it may still run
        return False


def _cancel(job: bigquery.LoadJob) -> None:
    """Ask BigQuery to cancel ``job``; the run fails either way, so a refusal is only logged."""
    try:
        job.cancel()
    except Exception as exc:  # the run fails on the load error regardless
        _logger.warning("Cancelling load job %s failed: %s", job.job_id, one_line(exc))
