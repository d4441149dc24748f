"""Users, groups, tasks, tag lists and tags deleted in TimeCamp are marked deleted in BigQuery.

Real `meltano run tap-timecamp target-bigquery` runs: the tap sends ACTIVATE_VERSION for
each full-table stream once the whole run was read, and target-bigquery-safe marks
(`_sdc_deleted_at`) the rows not sent again once the stream's MERGE has landed.
"""

from __future__ import annotations

import dataclasses

from tests.deleted_objects import (
    FULL_TABLE_KEYS,
    SELECT_FULL_TABLE,
    SELECT_FULL_TABLE_AND_ENTRIES,
    delete_one_of_each,
    fail_time_entries,
)
from tests.pipeline import Pipeline
from tests.warehouse import rows


def marked(warehouse, dataset) -> dict[str, dict[int, bool]]:
    """For each full-table stream: every row's key and whether it is marked deleted."""
    return {
        stream: {
            int(row[key]): row["_sdc_deleted_at"] is not None
            for row in rows(warehouse, dataset, stream)
        }
        for stream, key in FULL_TABLE_KEYS.items()
    }


def selecting(pipeline: Pipeline, select: str) -> Pipeline:
    return dataclasses.replace(
        pipeline, settings={**pipeline.settings, "TAP_TIMECAMP__SELECT": select}
    )


def test_objects_deleted_in_timecamp_are_marked_deleted_and_the_others_stay_live(
    pipeline, timecamp, warehouse
):
    sim, _ = timecamp
    full_table = selecting(pipeline, SELECT_FULL_TABLE)
    first = full_table.run()
    assert first.ok, first.output[-3000:]
    before = marked(warehouse, pipeline.dataset)
    deleted = delete_one_of_each(sim)

    second = full_table.run()

    assert second.ok, second.output[-3000:]
    after = marked(warehouse, pipeline.dataset)
    for stream, ids in deleted.items():
        assert ids, stream
        assert not any(before[stream].values()), stream
        assert after[stream] == {key: key in ids for key in before[stream]}, stream


def test_a_run_that_fails_marks_nothing_deleted(pipeline, timecamp, warehouse):
    sim, _ = timecamp
    with_entries = selecting(pipeline, SELECT_FULL_TABLE_AND_ENTRIES)
    first = with_entries.run()
    assert first.ok, first.output[-3000:]
    before = marked(warehouse, pipeline.dataset)
    delete_one_of_each(sim)
    fail_time_entries(sim)

    failed = with_entries.run(TAP_TIMECAMP_MAX_RETRIES="0")

    assert not failed.ok
    assert marked(warehouse, pipeline.dataset) == before
    assert not any(any(ids.values()) for ids in before.values())
