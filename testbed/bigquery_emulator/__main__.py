"""``bigquery-emulator``: run the emulator and its proxy until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from bigquery_emulator.harness import BigQueryEmulator
from bigquery_emulator.locate import EmulatorNotInstalledError
from bigquery_emulator.process import EmulatorStartError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="bigquery-emulator",
        description="Local BigQuery (local-bigquery + gzip-load compat proxy) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=9050, help="proxy port clients use (0: any)")
    parser.add_argument("--data-dir", type=Path, required=True, help="where tables are kept")
    parser.add_argument("--project", default="local-project", help="default project id")
    parser.add_argument(
        "--credentials-file",
        type=Path,
        default=None,
        help="where to write the throw-away credentials (default: in the data dir)",
    )
    parser.add_argument("--dataset", action="append", default=[], help="create this dataset")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start, print the host line, and wait for a signal."""
    args = parse_args(argv)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    emulator = BigQueryEmulator(
        data_dir=args.data_dir,
        project=args.project,
        port=args.port,
        credentials_file=args.credentials_file,
    )
    try:
        emulator.start()
    except (EmulatorNotInstalledError, EmulatorStartError, OSError) as error:
        print(f"bigquery-emulator: {error}", file=sys.stderr, flush=True)
        return 1
    try:
        for dataset in args.dataset:
            emulator.create_dataset(dataset)
        print(f"BIGQUERY_EMULATOR_HOST={emulator.host}", flush=True)
        print(f"GOOGLE_APPLICATION_CREDENTIALS={emulator.credentials_file}", flush=True)
        print(f"GOOGLE_CLOUD_PROJECT={emulator.project}", flush=True)
        stopping.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
