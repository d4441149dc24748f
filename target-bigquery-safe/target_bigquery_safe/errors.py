"""Failures the target reports as one line, then exits non-zero."""

from __future__ import annotations

import signal

# Long enough for BigQuery's reason ("Provided Schema does not match Table ...: field x
# has changed type"), short enough to stay one readable log line in `meltano run`.
_MAX_CAUSE_CHARS = 500


def one_line(exc: BaseException) -> str:
    """Collapse an exception's text to a single bounded line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > _MAX_CAUSE_CHARS:
        text = text[: _MAX_CAUSE_CHARS - 3] + "..."
    return text


class SafeTargetError(Exception):
    """A failure that means data did not land, so the run must fail and emit no STATE."""


class LoadFailedError(SafeTargetError):
    """A load job into a (temporary or final) table failed after all attempts."""

    def __init__(self, table: str, cause: BaseException, attempts: int) -> None:
        """Name the table and the last cause."""
        super().__init__(f"load into {table} failed after {attempts} attempt(s): {one_line(cause)}")
        self.table = table


class MergeFailedError(SafeTargetError):
    """The MERGE from the temporary table into the target table failed."""

    def __init__(self, table: str, cause: BaseException) -> None:
        """Name the target table and the cause."""
        super().__init__(f"MERGE into {table} failed: {one_line(cause)}")
        self.table = table


class DeletionMarkFailedError(SafeTargetError):
    """Marking the rows of other versions deleted (after an ACTIVATE_VERSION) failed."""

    def __init__(self, table: str, version: int, cause: BaseException) -> None:
        """Name the table, the version and the cause."""
        super().__init__(
            f"marking rows of {table} of versions other than {version} deleted failed: "
            f"{one_line(cause)}"
        )
        self.table = table


class SchemaUpdateFailedError(SafeTargetError):
    """Adding the stream's missing columns to an existing table failed."""

    def __init__(self, table: str, columns: list[str], cause: BaseException) -> None:
        """Name the table, the columns and the cause."""
        super().__init__(
            f"adding columns {', '.join(columns)} to {table} failed: {one_line(cause)}"
        )
        self.table = table


class TableSetUpFailedError(SafeTargetError):
    """Finding or creating a stream's table, or creating its temporary table, failed."""

    def __init__(self, table: str, cause: BaseException) -> None:
        """Name the table and the cause."""
        super().__init__(f"setting up table {table} failed: {one_line(cause)}")
        self.table = table


class DatasetNotFoundError(SafeTargetError):
    """The configured dataset does not exist; like the legacy scripts, we never create it."""

    def __init__(self, dataset: str) -> None:
        """Name the dataset and what to do."""
        super().__init__(
            f"dataset {dataset} not found: create it first (in the console or with `bq mk`); "
            "target-bigquery-safe never creates datasets, so a typo cannot send data elsewhere"
        )


class BigQueryUnreachableError(SafeTargetError):
    """BigQuery did not answer the dataset check before the run read any input."""

    def __init__(self, dataset: str, seconds: float, cause: BaseException) -> None:
        """Name the dataset, how long we tried and the last cause."""
        super().__init__(
            f"BigQuery did not answer for dataset {dataset} within {seconds:.0f} s: "
            f"{one_line(cause)}"
        )


class DatasetCheckFailedError(SafeTargetError):
    """BigQuery refused the dataset check (a 403 for a missing permission, a 400, ...)."""

    def __init__(self, dataset: str, cause: BaseException) -> None:
        """Name the dataset and BigQuery's answer."""
        super().__init__(f"checking dataset {dataset} failed: {one_line(cause)}")


class UnsupportedConfigError(SafeTargetError):
    """A setting this package does not have, or a value it cannot use."""


class CredentialsError(SafeTargetError):
    """The configured credentials cannot be read; the message never repeats their content."""


class InputError(SafeTargetError):
    """A Singer message the target cannot take: named by its line number and stream."""


class RecordError(SafeTargetError):
    """A record that cannot be loaded as sent (a null key, a field its SCHEMA lacks, ...)."""


class ActivationRefusedError(SafeTargetError):
    """An ACTIVATE_VERSION that cannot be applied without marking rows this run sent."""


class SharedTableError(SafeTargetError):
    """Two streams map to one table: their versions would mark each other's rows deleted."""


class StoppedBySignal(BaseException):
    """SIGTERM or SIGINT arrived: the run stops where it is, writing no further STATE.

    A BaseException, as KeyboardInterrupt is: the load and MERGE steps turn any Exception
    into a retry or a failure of their own, and must not swallow or retry a stop.
    """

    def __init__(self, signum: int) -> None:
        """Name the signal and what it leaves."""
        name = signal.Signals(signum).name
        super().__init__(
            f"stopped by {name}: batches in flight may not have landed, so no STATE was "
            "written for them; the next run loads them again"
        )
        self.exit_code = 128 + signum
