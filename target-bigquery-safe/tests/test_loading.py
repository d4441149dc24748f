"""Unit tests of the synchronous load queue and the one-line errors (no emulator)."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from target_bigquery.batch_job import Job

from target_bigquery_safe.errors import LoadFailedError, one_line
from target_bigquery_safe.loading import SynchronousLoadQueue

TABLE = bigquery.TableReference.from_string("p.d.time_entries__20260301__x")


class FakeLoadJob:
    output_rows = 2

    def __init__(self, error: Exception | None) -> None:
        self._error = error

    def result(self, timeout: float | None = None) -> None:
        if self._error is not None:
            raise self._error


class FakeClient:
    """Fails the first ``failures`` load jobs, like a job that ends DONE with an errorResult.

    It stands in for a ``bigquery.Client`` (hence the ``arg-type`` ignores where it is passed).
    """

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.payloads: list[bytes] = []

    def load_table_from_file(self, file_obj: Any, destination: Any, **kwargs: Any) -> FakeLoadJob:
        self.payloads.append(file_obj.read())
        assert destination == TABLE
        assert isinstance(kwargs["job_config"], bigquery.LoadJobConfig)
        if len(self.payloads) <= self.failures:
            # google-api-core's exception constructors carry no annotations.
            error = BadRequest("Error while reading data,\n  error message: bad row")  # type: ignore[no-untyped-call]
            return FakeLoadJob(error)
        return FakeLoadJob(None)


def job() -> Job:
    return Job(data=memoryview(b"gzipped ndjson"), table=TABLE, config={"autodetect": False})


def test_a_failed_attempt_is_retried_with_the_whole_batch() -> None:
    client = FakeClient(failures=2)

    attempts = SynchronousLoadQueue(client).put(job())  # type: ignore[arg-type]

    assert client.payloads == [b"gzipped ndjson"] * 3
    assert attempts == 3  # the sink deduplicates after a retried load


def test_the_last_failure_is_raised_naming_the_table() -> None:
    client = FakeClient(failures=3)

    with pytest.raises(LoadFailedError) as raised:
        SynchronousLoadQueue(client).put(job())  # type: ignore[arg-type]

    assert str(raised.value) == (
        "load into p.d.time_entries__20260301__x failed after 3 attempt(s): "
        "400 Error while reading data, error message: bad row"
    )
    assert isinstance(raised.value.__cause__, BadRequest)


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SynchronousLoadQueue(FakeClient(0), attempts=0)  # type: ignore[arg-type]


def test_one_line_is_bounded() -> None:
    assert one_line(RuntimeError("a\n\n b\tc ")) == "a b c"
    assert one_line(RuntimeError()) == "RuntimeError"
    assert len(one_line(RuntimeError("x" * 2000))) == 500
