"""target-bigquery-safe: the z3z1ma BigQuery loader 0.7.2 without its silent data-loss paths."""

from target_bigquery_safe.errors import SafeTargetError
from target_bigquery_safe.target import SafeTargetBigQuery

__all__ = ["SafeTargetBigQuery", "SafeTargetError"]
