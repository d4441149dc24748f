"""What dbt-bigquery asks of BigQuery that the emulator alone did not answer as BigQuery does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bigquery_emulator import BigQueryEmulator, is_installed, locate, query_jobs

pytestmark = pytest.mark.skipif(
    not is_installed(),
    reason=f"BigQuery emulator venv absent ({locate.venv_dir()}): {locate.INSTALL_HINT}",
)

PROJECT = "local-project"


@pytest.fixture(scope="module")
def bq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryEmulator]:
    with BigQueryEmulator(data_dir=tmp_path_factory.mktemp("bq"), project=PROJECT) as emulator:
        emulator.create_dataset("models")
        yield emulator


def test_a_create_table_as_select_job_names_the_table_it_made(bq: BigQueryEmulator) -> None:
    # dbt-bigquery counts a new table's rows through QueryJob.destination.
    job = bq.client().query(f"create or replace table `{PROJECT}.models.t` as (select 1 as a)")
    job.result()

    assert job.destination is not None
    assert (job.destination.dataset_id, job.destination.table_id) == ("models", "t")
    assert bq.client().get_table(job.destination).num_rows == 1


def test_a_select_job_keeps_the_destination_the_emulator_gave(bq: BigQueryEmulator) -> None:
    job = bq.client().query("select 1 as a")
    job.result()

    assert job.destination is None or job.destination.dataset_id != "models"


def test_only_a_ctas_job_without_a_destination_gets_one() -> None:
    target = {"projectId": "p", "datasetId": "d", "tableId": "t"}
    ctas = {
        "configuration": {"query": {"query": "create table d.t as select 1"}},
        "statistics": {
            "query": {"statementType": "CREATE_TABLE_AS_SELECT", "ddlTargetTable": target}
        },
    }
    view = {
        "configuration": {"query": {"query": "create view d.t as select 1"}},
        "statistics": {"query": {"statementType": "CREATE_VIEW", "ddlTargetTable": target}},
    }

    assert query_jobs.with_ddl_destination(ctas)
    assert ctas["configuration"]["query"]["destinationTable"] == target
    assert not query_jobs.with_ddl_destination(ctas), "an existing destination is kept"
    assert not query_jobs.with_ddl_destination(view)
    assert "destinationTable" not in view["configuration"]["query"]
