"""Query job resources completed where local-bigquery leaves out what BigQuery sets.

BigQuery names the table a `CREATE TABLE ... AS SELECT` made twice in the job resource:
`statistics.query.ddlTargetTable` and `configuration.query.destinationTable`. local-bigquery
0.4.0 sets only the first; dbt-bigquery reads the second (`QueryJob.destination`, to count
the new table's rows) and fails with "'NoneType' object has no attribute 'path'". The proxy
copies the one into the other, and changes nothing else.
"""

from __future__ import annotations

from typing import Any

from bigquery_emulator.messages import Response


def with_ddl_destination(job: dict[str, Any]) -> bool:
    """Set a finished CTAS job's destinationTable from its ddlTargetTable; True if it did."""
    statistics = (job.get("statistics") or {}).get("query") or {}
    query = (job.get("configuration") or {}).get("query")
    target = statistics.get("ddlTargetTable")
    if (
        statistics.get("statementType") != "CREATE_TABLE_AS_SELECT"
        or not isinstance(target, dict)
        or not isinstance(query, dict)
        or query.get("destinationTable")
    ):
        return False
    query["destinationTable"] = dict(target)
    return True


def completed(response: Response) -> Response:
    """The emulator's answer about a job, with what BigQuery would also have said in it."""
    answer = response.payload()
    if (
        response.status >= 400
        or not isinstance(answer, dict)
        or answer.get("kind") != "bigquery#job"
    ):
        return response
    if not with_ddl_destination(answer):
        return response
    return Response.json(
        response.status,
        answer,
        [
            (key, value)
            for key, value in response.headers
            if key.lower() not in {"content-type", "content-length"}
        ],
    )
