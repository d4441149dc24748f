"""Console entry point: the target's CLI, with known failures reported as one line."""

from __future__ import annotations

import sys

from target_bigquery_safe.errors import SafeTargetError
from target_bigquery_safe.target import SafeTargetBigQuery


def main() -> None:
    """Run the target; exit 1 with one line on stderr when data did not land."""
    try:
        SafeTargetBigQuery.cli()
    except SafeTargetError as exc:
        # Meltano shows a target's stderr line by line: one line that names the table
        # and the cause reads better there than a traceback through the loader.
        print(f"target-bigquery-safe: error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
