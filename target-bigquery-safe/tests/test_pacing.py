"""The loader's waits for the Storage Write API are skipped; nothing else changes."""

from __future__ import annotations

import time

from target_bigquery import core

from target_bigquery_safe.pacing import skip_table_creation_waits


def test_the_loaders_sleep_returns_at_once_after_the_switch() -> None:
    skip_table_creation_waits()

    assert core.time.sleep(5) is None
    assert core.time.sleep is not time.sleep


def test_the_loaders_clock_still_tells_the_time() -> None:
    skip_table_creation_waits()

    assert abs(core.time.time() - time.time()) < 1


def test_the_process_wide_sleep_is_untouched() -> None:
    skip_table_creation_waits()

    assert time.sleep is not core.time.sleep
