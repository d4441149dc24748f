"""The legacy fetch script's approach, re-implemented from its description (the baseline).

One `requests` call for the whole date range with `format=json` and a Bearer header,
`response.json()`, then `json.dumps` of each entry to a JSONL file, one entry per line.

    python benchmarks/legacy_fetch.py --url URL --token TOKEN --from 2025-01-01 --to 2025-12-31 \
        --output timecamp_data.jsonl
"""

from __future__ import annotations

import argparse
import json

import requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="TimeCamp API base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--from", dest="date_from", required=True)
    parser.add_argument("--to", dest="date_to", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    response = requests.get(
        f"{args.url}/entries",
        params={"from": args.date_from, "to": args.date_to, "format": "json"},
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=3600,
    )
    response.raise_for_status()
    entries = response.json()
    with open(args.output, "w", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps(entry) + "\n")
    print(len(entries))


if __name__ == "__main__":
    main()
