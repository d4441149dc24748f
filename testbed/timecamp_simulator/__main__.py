"""Command line: serve a simulator until SIGTERM/SIGINT, announcing its URL on stdout."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from types import FrameType

from timecamp_simulator.simulator import DEFAULT_TOKEN, Simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="timecamp-simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--start-date", type=date.fromisoformat, default=None)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--tasks", type=int, default=0, help="at least this many tasks")
    parser.add_argument("--groups", type=int, default=0, help="at least this many groups")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--url-file", type=Path, default=None, help="also write the URL line here")
    far = parser.add_argument_group(
        "distance", "serve the API as from across the internet (defaults from the environment)"
    )
    far.add_argument(
        "--latency-ms",
        type=float,
        default=_env_number("TIMECAMP_SIMULATOR_LATENCY_MS"),
        help="milliseconds every API answer is held back (TIMECAMP_SIMULATOR_LATENCY_MS)",
    )
    far.add_argument(
        "--latency-per-kib-ms",
        type=float,
        default=_env_number("TIMECAMP_SIMULATOR_LATENCY_PER_KIB_MS"),
        help="and per KiB of the answer's body (TIMECAMP_SIMULATOR_LATENCY_PER_KIB_MS)",
    )
    far.add_argument(
        "--rate-limit",
        type=int,
        default=int(_env_number("TIMECAMP_SIMULATOR_RATE_LIMIT")),
        help="API requests a second before a 429; 0: none (TIMECAMP_SIMULATOR_RATE_LIMIT)",
    )
    return parser


def _env_number(name: str) -> float:
    text = os.environ.get(name, "").strip()
    try:
        return float(text) if text else 0.0
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Run the simulator in the foreground; returns the exit status."""
    args = _parser().parse_args(argv)
    sim = Simulator(
        seed=args.seed,
        entries=args.entries,
        start_date=args.start_date,
        end_date=args.end_date,
        token=args.token,
        users=args.users,
        tasks=args.tasks,
        groups=args.groups,
    )
    try:
        sim.set_distance(
            latency=args.latency_ms / 1000,
            latency_per_kib=args.latency_per_kib_ms / 1000,
            rate_limit=args.rate_limit,
        )
    except ValueError as exc:
        raise SystemExit(f"timecamp-simulator: {exc}") from None
    stop = threading.Event()

    def _request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    with sim.serve(args.host, args.port) as server:
        line = f"TIMECAMP_API_URL={server.base_url}"
        if args.url_file is not None:
            # Write then rename so a poller never reads half a line.
            tmp = args.url_file.with_name(args.url_file.name + ".tmp")
            tmp.write_text(line + "\n", encoding="utf-8")
            tmp.replace(args.url_file)
        print(line, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
