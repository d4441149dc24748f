"""Console entry point: the target's CLI, with known failures reported as one line."""

from __future__ import annotations

import sys

from target_bigquery_safe.errors import SafeTargetError, StoppedBySignal
from target_bigquery_safe.target import TargetBigQuery


def main() -> None:
    """Run the target; exit 1 with one line on stderr when data did not land or input is bad.

    Stopped by SIGTERM or SIGINT, it exits 128 + the signal's number (143, 130), one line.
    """
    try:
        TargetBigQuery.cli()
    except SafeTargetError as exc:
        # Meltano shows a target's stderr line by line: one line that names the stream,
        # table or setting and the cause reads better there than a traceback.
        print(f"target-bigquery-safe: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except StoppedBySignal as exc:
        print(f"target-bigquery-safe: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
