"""The daily log's filter leaves out the SDK's unsorted-stream notice and nothing else."""

from __future__ import annotations

import logging

from tap_timecamp.log_filters import WithoutUnsortedStreamNotice


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("singer_sdk", logging.WARNING, __file__, 1, message, None, None)


def test_the_unsorted_stream_notice_is_left_out():
    notice = "Stream is assumed to be unsorted, progress is not resumable if interrupted"

    assert not WithoutUnsortedStreamNotice().filter(record(notice))


def test_other_warnings_of_the_same_logger_pass():
    assert WithoutUnsortedStreamNotice().filter(record("New replication value is null"))
