"""One line at the end of a run: what it sent, what it asked TimeCamp, how long it took.

    Run summary: 1234 records (time_entries 1200, users 6, ...); 17 requests; 2.4 s

Records are counted as they are written (per stream as sent, so after stream maps);
requests as their responses arrive, retries included. The line is logged when the SDK
has reported the sync costs of the last stream, which it does once every stream is done.
"""

from __future__ import annotations

import collections
import time
import typing as t

from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.base import GenericSingerWriter

# The summary's logger, below the tap's: `tap-timecamp.run_summary`. Meltano runs the tap
# with the tap's loggers at warning and this one at info (plugins/logging/tap-timecamp.yaml).
RUN_SUMMARY_LOGGER = "run_summary"


class RunSummary:
    """The counts of one run."""

    def __init__(self) -> None:
        """Start the clock with nothing counted."""
        self.started = time.monotonic()
        self.records: collections.Counter[str] = collections.Counter()
        self.requests = 0
        self._unreported: set[str] = set()

    def expect(self, *, streams: t.Iterable[str], selected: t.Iterable[str]) -> None:
        """Name every stream (each reports once at the end) and the selected ones (listed)."""
        self._unreported = set(streams)
        self.records.update(dict.fromkeys(selected, 0))

    def count_request(self) -> None:
        """One response arrived."""
        self.requests += 1

    def stream_reported(self, name: str) -> str | None:
        """Note that `name` is done; return the summary once every stream is."""
        self._unreported.discard(name)
        return None if self._unreported else self.line()

    def line(self) -> str:
        """The summary, in one line."""
        per_stream = ", ".join(f"{name} {count}" for name, count in self.records.items())
        seconds = time.monotonic() - self.started
        return (
            f"Run summary: {self.records.total()} records ({per_stream}); "
            f"{self.requests} requests; {seconds:.1f} s"
        )


class CountingWriter(GenericSingerWriter[t.Any, t.Any]):
    """Counts RECORD messages per stream, then hands every message to the tap's writer."""

    def __init__(self, writer: GenericSingerWriter[t.Any, t.Any], summary: RunSummary) -> None:
        """Wrap `writer`, counting into `summary`."""
        self.writer = writer
        self.summary = summary

    def serialize_message(self, message: t.Any) -> t.Any:
        """As the wrapped writer does."""
        return self.writer.serialize_message(message)

    def format_message(self, message: t.Any) -> t.Any:
        """As the wrapped writer does."""
        return self.writer.format_message(message)

    def write_message(self, message: t.Any) -> None:
        """Count a record, then write the message."""
        if isinstance(message, RecordMessage):
            self.summary.records[message.stream] += 1
        self.writer.write_message(message)
