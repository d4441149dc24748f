"""Filters for the tap's logging configuration (plugins/logging/tap-timecamp.yaml)."""

from __future__ import annotations

import logging

UNSORTED_STREAM_NOTICE = "Stream is assumed to be unsorted"


class WithoutUnsortedStreamNotice(logging.Filter):
    """Leave out the SDK's notice that an unsorted stream's progress is not resumable.

    The tap's incremental streams read TimeCamp by date window, not in bookmark order, so
    none is sorted, and each saves its bookmark once it has been read whole (see
    tap_timecamp.progress): the SDK would say so once per stream in every daily log, a line
    the reader can do nothing about. Every other record passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether `record` is anything but the SDK's unsorted-stream notice."""
        return not record.getMessage().startswith(UNSORTED_STREAM_NOTICE)
