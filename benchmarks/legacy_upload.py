"""The legacy upload script's approach, re-implemented from its description (the baseline).

`destination_googlebigquery.py` as the legacy README describes it, with the real
`google-cloud-bigquery` client: create the target table with the legacy fixed schema if it
does not exist, load the JSONL file into a temporary table (one load job), MERGE it into the
target table on `id` (update every column of a match, insert the rest), drop the temporary
table. Project, dataset and table come from the legacy `.env` names.

    GOOGLE_CLOUD_PROJECT=p BIGQUERY_DATASET=d BIGQUERY_TABLE=timecamp_entries \
        python benchmarks/legacy_upload.py --input timecamp_data.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from pathlib import Path

from google.cloud import bigquery

CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "legacy-timecamp-entries.json"


def legacy_schema() -> list[bigquery.SchemaField]:
    """The legacy table's 18 columns, in order (the README's "BigQuery Table Schema")."""
    columns = json.loads(CONTRACT.read_text())["columns"]
    return [bigquery.SchemaField(name, kind) for name, kind in columns]


def merge_statement(target: str, source: str, columns: list[str]) -> str:
    """MERGE `source` into `target` on `id`: a match takes every column, the rest is inserted."""
    updates = ", ".join(f"`{column}` = source.`{column}`" for column in columns)
    names = ", ".join(f"`{column}`" for column in columns)
    values = ", ".join(f"source.`{column}`" for column in columns)
    return (
        f"MERGE `{target}` AS target USING `{source}` AS source ON target.id = source.id "
        f"WHEN MATCHED THEN UPDATE SET {updates} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    )


def upload(client: bigquery.Client, path: Path, table_id: str) -> int:
    """Upsert the entries of the JSONL file at `path` into `table_id`; the rows loaded."""
    schema = legacy_schema()
    client.create_table(bigquery.Table(table_id, schema=schema), exists_ok=True)
    temporary = f"{table_id}_temp_{uuid.uuid4().hex}"
    config = bigquery.LoadJobConfig(
        schema=schema,
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        # TimeCamp sends more fields than the 18 columns (the legacy asked for no extras,
        # but it kept only what the table has).
        ignore_unknown_values=True,
    )
    try:
        with open(path, "rb") as data:
            loaded = client.load_table_from_file(data, temporary, job_config=config).result()
        columns = [field.name for field in schema]
        client.query(merge_statement(table_id, temporary, columns)).result()
    finally:
        client.delete_table(temporary, not_found_ok=True)
    return int(loaded.output_rows or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=Path("timecamp_data.jsonl"))
    args = parser.parse_args()
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    table_id = (
        f"{project}.{os.environ['BIGQUERY_DATASET']}."
        f"{os.environ.get('BIGQUERY_TABLE', 'timecamp_entries')}"
    )
    if args.input.stat().st_size == 0:
        print(f"{args.input} is empty: nothing to upload")
        return
    rows = upload(bigquery.Client(project=project), args.input, table_id)
    print(f"{rows} rows merged into {table_id}")


if __name__ == "__main__":
    main()
