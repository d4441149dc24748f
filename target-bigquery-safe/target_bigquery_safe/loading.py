"""One batch into one table with a load job, retried; a failure is an exception naming the table.

A load job is atomic (all rows or none), so a retry after a failed job cannot duplicate rows;
the one gap, a job that landed but whose outcome could not be read, at worst loads the batch
twice into the temporary table, which the caller then deduplicates before its MERGE.
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
    while len(errors) < attempts:
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
    table_name = f"{table.project}.{table.dataset_id}.{table.table_id}"
    raise LoadFailedError(table_name, errors[-1], len(errors)) from errors[-1]
