"""Unit tests of the batch load and the one-line errors (no emulator)."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from target_bigquery_safe.errors import LoadFailedError, one_line
from target_bigquery_safe.loading import load_batch

TABLE = bigquery.TableReference.from_string("p.d.time_entries__20260301__x")


class FakeLoadJob:
    output_rows = 2

    def __init__(self, error: Exception | None) -> None:
        self._error = error

    def result(self, timeout: float | None = None) -> None:
        if self._error is not None:
            raise self._error

    def done(self) -> bool:
        return True  # ended, with or without an error


class FakeClient:
    """Fails the first ``failures`` load jobs, like a job that ends DONE with an errorResult.

    It stands in for a ``bigquery.Client`` (hence the ``arg-type`` ignores where it is passed).
    """

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.payloads: list[bytes] = []
        self.configs: list[bigquery.LoadJobConfig] = []

    def load_table_from_file(self, file_obj: Any, destination: Any, **kwargs: Any) -> FakeLoadJob:
        self.payloads.append(file_obj.read())
        assert destination == TABLE
        self.configs.append(kwargs["job_config"])
        if len(self.payloads) <= self.failures:
            # google-api-core's exception constructors carry no annotations.
            error = BadRequest("Error while reading data,\n  error message: bad row")  # type: ignore[no-untyped-call]
            return FakeLoadJob(error)
        return FakeLoadJob(None)


SCHEMA = [bigquery.SchemaField("id", "INTEGER")]


def load(client: FakeClient, attempts: int = 3) -> int:
    return load_batch(
        client,  # type: ignore[arg-type]
        b"gzipped ndjson",
        TABLE,
        SCHEMA,
        replace=True,
        timeout=60,
        attempts=attempts,
    )


def test_a_failed_attempt_is_retried_with_the_whole_batch() -> None:
    client = FakeClient(failures=2)

    attempts = load(client)

    assert client.payloads == [b"gzipped ndjson"] * 3
    assert attempts == 3  # the sink deduplicates after a retried load


def test_the_last_failure_is_raised_naming_the_table() -> None:
    client = FakeClient(failures=3)

    with pytest.raises(LoadFailedError) as raised:
        load(client)

    assert str(raised.value) == (
        "load into p.d.time_entries__20260301__x failed after 3 attempt(s): "
        "400 Error while reading data, error message: bad row"
    )
    assert isinstance(raised.value.__cause__, BadRequest)


def test_a_load_names_its_schema_and_refuses_unknown_fields() -> None:
    client = FakeClient(failures=0)

    load(client)

    config = client.configs[0]
    assert config.schema == SCHEMA
    assert config.ignore_unknown_values is False
    assert config.write_disposition == bigquery.WriteDisposition.WRITE_TRUNCATE


def test_one_line_is_bounded() -> None:
    assert one_line(RuntimeError("a\n\n b\tc ")) == "a b c"
    assert one_line(RuntimeError()) == "RuntimeError"
    assert len(one_line(RuntimeError("x" * 2000))) == 500


class StillRunningJob(FakeLoadJob):
    """A load job whose wait timed out while BigQuery still runs it."""

    job_id = "job_slow"

    def __init__(self) -> None:
        super().__init__(concurrent.futures.TimeoutError())
        self.cancelled = False

    def done(self) -> bool:
        return False

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class SlowClient(FakeClient):
    """Its first load job is still running when the wait for it times out."""

    def __init__(self) -> None:
        super().__init__(failures=0)
        self.slow_job = StillRunningJob()

    def load_table_from_file(self, file_obj: Any, destination: Any, **kwargs: Any) -> FakeLoadJob:
        job = super().load_table_from_file(file_obj, destination, **kwargs)
        return self.slow_job if len(self.payloads) == 1 else job


def test_a_load_still_running_after_its_timeout_is_cancelled_and_not_retried() -> None:
    # A retry (or the next batch) into the same temporary table could be replaced by the
    # first job landing late, before its MERGE: the run fails instead.
    client = SlowClient()

    with pytest.raises(LoadFailedError, match=r"failed after 1 attempt\(s\)"):
        load(client)

    assert client.payloads == [b"gzipped ndjson"]
    assert client.slow_job.cancelled
