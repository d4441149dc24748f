"""Drop the loader's fixed waits after creating a table.

0.7.2 sleeps 5 s after creating a table "for the sake of GRPC's default stream" and
2.5 s after creating each upsert's temporary table, whatever the write method: about
7.5 s per stream per run, most of a daily run. Those waits are for the Storage Write
API's eventual consistency. This target only loads with load jobs (`batch_job`), which
BigQuery runs against the table's committed metadata, so the waits buy nothing here.

The loader calls `time.sleep` through its `core` module's `time` import; only that
reference is replaced, so nothing else in the process loses its sleep.
"""

from __future__ import annotations

import time
import types
import typing as t

from target_bigquery import core


class _NoWaitClock(types.SimpleNamespace):
    """`time` for the loader's core module, with `sleep` made a no-op."""

    def __getattr__(self, name: str) -> t.Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        """Return at once."""


def skip_table_creation_waits() -> None:
    """Make the loader's post-creation sleeps return at once."""
    core.time = _NoWaitClock()
