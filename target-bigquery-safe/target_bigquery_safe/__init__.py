"""target-bigquery-safe: a Singer target for BigQuery; STATE only for rows that landed."""

from target_bigquery_safe.errors import SafeTargetError
from target_bigquery_safe.target import TargetBigQuery

__all__ = ["SafeTargetError", "TargetBigQuery"]
