"""What the reliability tests share: an isolated pipeline, interruptions, the truth, secrets.

Every `meltano run` here gets a Meltano system directory of its own (its `run/` folder
holds the tap's catalog and state files, which concurrent runs would otherwise share),
with the project's installed plugins linked in. Everything a run prints is kept, so that
each test can finally search it, the saved state and the files Meltano left behind for
any secret.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
import typing as t
from pathlib import Path

from bigquery_emulator import credentials
from tests.pipeline import MELTANO, REPO, Pipeline, Run
from tests.warehouse import LEGACY_SCHEMA, business_columns, rows

if t.TYPE_CHECKING:
    from google.cloud import bigquery

    from timecamp_simulator import Simulator

TABLE = "timecamp_entries"
LEGACY = [name for name, _ in LEGACY_SCHEMA]
# The Google credentials the loader uses (the emulator's placeholder key file): its
# secret values must not be printed any more than the TimeCamp token.
GOOGLE_SECRETS = (credentials.TOKEN, credentials.credentials_info()["refresh_token"])


@dataclasses.dataclass
class IsolatedPipeline(Pipeline):
    """A `Pipeline` with a Meltano system directory of its own, recording every output."""

    transcript: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, pipeline: Pipeline) -> IsolatedPipeline:
        isolated = cls(**{f.name: getattr(pipeline, f.name) for f in dataclasses.fields(pipeline)})
        isolated.sys_dir.mkdir(exist_ok=True)
        for plugins in ("extractors", "loaders"):
            link = isolated.sys_dir / plugins
            if not link.exists():
                link.symlink_to(REPO / ".meltano" / plugins)
        isolated.settings["MELTANO_SYS_DIR_ROOT"] = str(isolated.sys_dir)
        return isolated

    @property
    def sys_dir(self) -> Path:
        return self.workdir / "meltano-sys"

    def meltano(self, *args: str, timeout: float = 600, **extra_env: str) -> Run:
        done = super().meltano(*args, timeout=timeout, **extra_env)
        self.transcript += [done.stdout, done.stderr]
        return done

    def start(self, *extra_args: str) -> subprocess.Popen[str]:
        """Start `meltano run` in a process group of its own, to be killed."""
        return subprocess.Popen(
            [str(MELTANO), "run", *extra_args, "tap-timecamp", "target-bigquery"],
            cwd=REPO,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def run_killed_after(self, seconds: float) -> None:
        """Start a run and `kill -9` its whole process group after `seconds`."""
        process = self.start()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        self.transcript.append(output)

    def bookmark(self) -> str | None:
        """The time entries bookmark Meltano saved, if any."""
        bookmarks = self.state().get("singer_state", {}).get("bookmarks", {})
        return t.cast("str | None", bookmarks.get("time_entries", {}).get("replication_key_value"))

    def everything_written(self) -> str:
        """What the runs printed, the saved state, and every file Meltano left behind."""
        texts = [*self.transcript, str(self.state())]
        database = self.workdir / "meltano.db"  # the system database, state included
        if database.exists():
            texts.append(database.read_bytes().decode("latin-1"))
        for path in sorted(self.sys_dir.rglob("*")):
            if path.is_file() and not path.is_symlink() and not plugin_config(path):
                texts.append(f"--- {path}\n{path.read_text(errors='replace')}")
        return "\n".join(texts)

    def plugin_configs(self) -> list[Path]:
        """The config files Meltano hands the tap and the target (token included).

        Meltano deletes them when a plugin exits; a run killed with `kill -9` leaves them.
        """
        return sorted(path for path in (self.sys_dir / "run").rglob("*") if plugin_config(path))


def plugin_config(path: Path) -> bool:
    return path.name.endswith(".config.json") and path.parent.parent.name == "run"


def leaked(pipeline: IsolatedPipeline, *secrets: str) -> list[str]:
    """The secrets (the pipeline's token, Google's) found in anything a run wrote."""
    written = pipeline.everything_written()
    return [secret for secret in (pipeline.token, *GOOGLE_SECRETS, *secrets) if secret in written]


def wait_for_the_emulator(bq: t.Any, timeout: float = 60) -> None:
    """Restart the emulator and wait until it answers queries."""
    bq.start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            list(bq.client().query("SELECT 1").result())
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def assert_equals_truth(
    warehouse: bigquery.Client, dataset: str, sim: Simulator, deleted: t.Iterable[int] = ()
) -> None:
    """One row per id; live rows are TimeCamp's entries; deleted entries are tombstones.

    A running timer's duration grows by the second, so only its presence is compared.
    """
    table = rows(warehouse, dataset, TABLE)
    assert len(table) == len({r["id"] for r in table}), "one row per id"
    live = {r["id"]: business_columns(r) for r in table if r.get("_sdc_deleted_at") is None}
    gone = {r["id"]: r for r in table if r.get("_sdc_deleted_at") is not None}
    truth = {entry["id"]: entry for entry in sim.all_entries()}
    assert sorted(live.keys() - truth.keys()) == [], "rows of entries TimeCamp no longer has"
    assert sorted(truth.keys() - live.keys()) == [], "entries missing from the warehouse"
    assert set(gone) <= set(deleted), "tombstones of entries that were never deleted"
    for entry_id in deleted:
        if entry_id in gone:
            assert gone[entry_id]["duration"] is None
    running = {timer["id"] for timer in sim.running_timers()}
    for entry_id, entry in truth.items():
        if entry_id not in running:
            got = {c: live[entry_id][c] for c in LEGACY}
            assert got == {c: entry[c] for c in LEGACY}, entry_id
