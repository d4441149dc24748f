"""One line at the end of a run: what it sent, what it asked TimeCamp, how long it took.

    Run summary: 1234 records (time_entries 1200, users 6, ...); 17 requests; 2.4 s

and, when items were skipped for want of a whole key (`tap_timecamp.keys`), before the time:
`...; 17 requests; 2 items skipped without a whole key (time_entries 2); 2.4 s`.

Records are counted by the message writer as they are written (per stream as sent, so
after stream maps); requests as their responses arrive, retries included. The tap logs the
line when its sync has ended without an error (`sync_end`).
"""

from __future__ import annotations

import collections
import logging
import time
import typing as t

# The summary's logger, below the tap's: `tap-timecamp.run_summary`. Meltano runs the tap
# with the tap's loggers at warning and this one at info (plugins/logging/tap-timecamp.yaml).
RUN_SUMMARY_LOGGER = "run_summary"


class RunSummary:
    """The counts of one run."""

    def __init__(self) -> None:
        """Start the clock with nothing counted."""
        self.started = time.monotonic()
        self.requests = 0
        # Items not sent for want of a whole key (`tap_timecamp.keys`), per stream.
        self.skipped: collections.Counter[str] = collections.Counter()

    def count_request(self) -> None:
        """One response arrived."""
        self.requests += 1

    def count_skipped(self, stream: str) -> None:
        """One item of `stream` was not sent: its key was not whole."""
        self.skipped[stream] += 1

    def line(self, records: t.Mapping[str, int], selected: t.Iterable[str]) -> str:
        """The summary in one line: `records` written per stream, every selected one named."""
        per_stream = collections.Counter(dict.fromkeys(selected, 0))
        per_stream.update(records)
        listed = ", ".join(f"{name} {count}" for name, count in per_stream.items())
        seconds = time.monotonic() - self.started
        skipped = ""
        if self.skipped:
            names = ", ".join(f"{name} {count}" for name, count in self.skipped.items())
            skipped = f"; {self.skipped.total()} items skipped without a whole key ({names})"
        return (
            f"Run summary: {per_stream.total()} records ({listed}); "
            f"{self.requests} requests{skipped}; {seconds:.1f} s"
        )

    def log(self, tap_name: str, records: t.Mapping[str, int], selected: t.Iterable[str]) -> None:
        """Log the line with a logger of its own, not a stream's.

        A daily run can then keep it while quieting the streams' progress.
        """
        logging.getLogger(f"{tap_name}.{RUN_SUMMARY_LOGGER}").info(
            "%s", self.line(records, selected)
        )
