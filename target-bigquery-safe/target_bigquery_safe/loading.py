"""Run the loader's load jobs synchronously, in the thread that drains the sink.

0.7.2 hands every batch to worker threads through a queue and reads their error pipe
only when the *next* batch is drained. At end of pipe there is no next batch: a failed
load is never noticed, and a retry is re-queued behind the shutdown sentinel and never
runs. The target exits 0 and writes STATE for rows that are not there. Standing in for
that queue, :class:`SynchronousLoadQueue` runs each job when the sink hands it over, so a
failure is an exception raised from ``process_batch``, before any STATE can be written.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import TYPE_CHECKING

from google.cloud import bigquery

from target_bigquery_safe.errors import LoadFailedError, one_line

if TYPE_CHECKING:
    from target_bigquery.batch_job import Job

_logger = logging.getLogger(__name__)

# The loader's own budget: one try plus two retries per batch.
LOAD_ATTEMPTS = 3
# Resumable-upload retries inside one attempt (the loader's value).
UPLOAD_RETRIES = 3


class SynchronousLoadQueue:
    """Takes the place of the loader's job queue: ``put`` runs the load job and waits for it.

    Only ``put`` is used: the target starts no workers, so nothing ever reads the queue.
    """

    def __init__(self, client: bigquery.Client, attempts: int = LOAD_ATTEMPTS) -> None:
        """Load through ``client``, trying each job up to ``attempts`` times."""
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self._client = client
        self._attempts = attempts

    def put(self, job: Job) -> int:
        """Load one batch and return the attempts it took; raise once every one has failed.

        The failure is a :class:`LoadFailedError` that names the table and the last cause.

        A load job is atomic (all rows or none), so retrying after a failed job cannot
        duplicate rows; the one gap, a job that succeeded but whose status could not be
        read, at worst duplicates rows in the temporary table: the sink then deduplicates
        them before the MERGE (dedupe_before_upsert), which it does after any retried load.
        """
        errors: list[Exception] = []
        while len(errors) < self._attempts:
            try:
                load_job = self._client.load_table_from_file(
                    BytesIO(job.data),
                    job.table,
                    num_retries=UPLOAD_RETRIES,
                    timeout=job.timeout,
                    job_config=bigquery.LoadJobConfig(**job.config),
                )
                load_job.result(timeout=job.timeout)
            except Exception as exc:  # any failure means the batch did not land
                errors.append(exc)
                _logger.warning(
                    "Load into %s failed (attempt %d of %d): %s",
                    job.table,
                    len(errors),
                    self._attempts,
                    one_line(exc),
                )
            else:
                _logger.info("Loaded %s rows into %s.", load_job.output_rows, job.table)
                return len(errors) + 1
        raise LoadFailedError(str(job.table), errors[-1], len(errors)) from errors[-1]
