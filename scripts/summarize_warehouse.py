"""Print what the pipeline loaded into BigQuery: tables, rows, and hours per user per day.

Works against real BigQuery (Application Default Credentials) and, with
BIGQUERY_EMULATOR_HOST set, against the local emulator.
"""

from __future__ import annotations

import argparse
import os
import sys

from google.api_core.exceptions import GoogleAPIError
from google.cloud import bigquery


def main() -> int:
    """Summarise the dataset."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT"))
    parser.add_argument("--dataset", default=os.environ.get("BIGQUERY_DATASET"))
    parser.add_argument("--table", default=os.environ.get("BIGQUERY_TABLE") or "timecamp_entries")
    parser.add_argument("--days", type=int, default=7, help="days of hours per user to show")
    args = parser.parse_args()
    if not args.project or not args.dataset:
        parser.error(
            "--project and --dataset (or GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET) are needed"
        )
    client = bigquery.Client(project=args.project)
    dataset = f"{args.project}.{args.dataset}"
    try:
        print(f"Tables in {dataset}:")
        for table in sorted(client.list_tables(dataset), key=lambda t: t.table_id):
            # COUNT(*), not the table's num_rows: metadata lags behind MERGEs.
            (row,) = client.query(
                f"SELECT COUNT(*) AS n FROM `{dataset}.{table.table_id}`"
            ).result()
            print(f"  {table.table_id:<28} {row.n:>9} rows")
        entries = f"`{dataset}.{args.table}`"
        print(f"\nHours per user per day, last {args.days} days with time tracked ({args.table}):")
        query = f"""
            SELECT user_name, date, ROUND(SUM(CAST(duration AS INT64)) / 3600, 2) AS hours
            FROM {entries}
            WHERE _sdc_deleted_at IS NULL
              AND date >= (SELECT DATE_SUB(MAX(date), INTERVAL {args.days - 1} DAY) FROM {entries})
            GROUP BY user_name, date
            ORDER BY date DESC, user_name
        """
        print(f"  {'date':<12} {'user':<24} {'hours':>6}")
        for row in client.query(query).result():
            print(f"  {row.date!s:<12} {row.user_name or '?':<24} {row.hours:>6}")
    except GoogleAPIError as exc:
        print(f"summarize_warehouse: BigQuery refused the query: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
