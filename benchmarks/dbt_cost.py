"""What the dbt models add to a `meltano run`, side by side in one run.

    .venv/bin/python benchmarks/dbt_cost.py                 # N = 100,000
    .venv/bin/python benchmarks/dbt_cost.py --size 10000

One TimeCamp simulator (N entries over two years, as benchmarks/run.py) and one BigQuery
emulator on port 9050 (run in a network namespace of your own if anything else may use it).
Two Meltano projects' states side by side, each into its own dataset, the default selection:
`meltano run tap-timecamp target-bigquery` (load) and `meltano run tap-timecamp target-bigquery
dbt-bigquery:run` (load + models). Each makes a first run, then, after --edits edits spread over
the history, a daily run; the runs alternate (load, load + models) so that the machine's load
falls on both. Printed: a Markdown table of the wall times, the dbt step's own time (dbt's
"Finished running" line), and the queries the dbt step sent (from the emulator's job log).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
from pathlib import Path

from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from local_meltano import meltano_env

from benchmarks.run import (
    BIGQUERY_PROJECT,
    BIN,
    HISTORY_DAYS,
    Emulator,
    Simulator,
    measure,
)
from timecamp_simulator import DEFAULT_TOKEN

PIPELINES = {
    "load": ["tap-timecamp", "target-bigquery"],
    "load + models": ["tap-timecamp", "target-bigquery", "dbt-bigquery:run"],
}
DBT_FINISHED = re.compile(r"Finished running .* in .*\(([\d.]+)s\)")


def dataset_of(pipeline: str) -> str:
    return "with_models" if "models" in pipeline else "load_only"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=100_000, help="entries (default 100,000)")
    parser.add_argument("--edits", type=int, default=1000, help="edits before the daily run")
    args = parser.parse_args()
    end = dt.date.today()
    start = end - dt.timedelta(days=HISTORY_DAYS - 1)
    with tempfile.TemporaryDirectory(prefix="dbt-cost-") as tmp:
        work = Path(tmp)
        sim = Simulator(args.size, start, end, work)
        emulator = Emulator(work)
        try:
            client = bigquery.Client(
                project=BIGQUERY_PROJECT,
                credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                client_options={"api_endpoint": emulator.host},
            )
            for pipeline in PIPELINES:
                client.create_dataset(dataset_of(pipeline))
            rows = []
            for phase in ("first run", "daily run"):
                if phase == "daily run":
                    edit(sim, client, args.edits)
                for pipeline in PIPELINES:
                    rows.append((phase, pipeline, *run(work, sim, emulator, pipeline, start)))
        finally:
            emulator.close()
            sim.close()
    print(f"N = {args.size:,} entries over two years, {args.edits:,} edits before the daily run")
    print()
    print("| run | pipeline | seconds | dbt step (dbt's own time) | dbt queries |")
    print("|---|---|---:|---|---:|")
    for phase, pipeline, seconds, dbt_seconds, queries in rows:
        dbt = f"{dbt_seconds:.1f} s" if dbt_seconds is not None else ""
        print(f"| {phase} | {pipeline} | {seconds:.1f} | {dbt} | {queries or ''} |")


def edit(sim: Simulator, client: bigquery.Client, edits: int) -> None:
    """Edit `edits` entries spread over the whole history."""
    table = f"{BIGQUERY_PROJECT}.load_only.timecamp_entries"
    ids = [row.id for row in client.query(f"SELECT id FROM `{table}` ORDER BY date, id").result()]
    step = max(1, len(ids) // edits)
    for number, entry_id in enumerate(ids[::step][:edits]):
        sim.control("POST", f"/entries/{entry_id}", {"description": f"dbt cost edit {number}"})


def run(
    work: Path, sim: Simulator, emulator: Emulator, pipeline: str, start: dt.date
) -> tuple[float, float | None, int | None]:
    """One `meltano run`: its seconds, dbt's own seconds, and the queries dbt sent."""
    name = dataset_of(pipeline)
    env = meltano_env(
        work / name,
        {
            "TAP_TIMECAMP_API_URL": sim.api_url,
            "TAP_TIMECAMP_API_TOKEN": DEFAULT_TOKEN,
            "TAP_TIMECAMP_START_DATE": start.isoformat(),
            "TARGET_BIGQUERY_DATASET": name,
        },
    )
    (work / name).mkdir(exist_ok=True)
    emulator.clear_jobs()
    output = work / f"{name}.log"
    measured = measure([str(BIN / "meltano"), "run", *PIPELINES[pipeline]], stdout=output, env=env)
    text = output.read_text() + output.with_suffix(".stderr").read_text()
    finished = DBT_FINISHED.findall(text)
    if not finished:
        return measured.seconds, None, None
    models = f"`{name}_models`"
    queries = sum(1 for job in emulator.jobs() if models in (job.get("sql") or ""))
    return measured.seconds, float(finished[-1]), queries


if __name__ == "__main__":
    main()
