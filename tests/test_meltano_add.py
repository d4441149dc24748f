"""A Meltano user adds the tap to a project of their own, as the README tells them to.

A new Meltano project in a temporary folder, nothing of this repository's meltano.yml in it:
`meltano add --from-ref` with the Hub definition (plugins/extractors/), its `pip_url` then
overridden in the project's meltano.yml (Meltano's documented way to install a plugin from
elsewhere) to the wheel CI built. The loaders come from local definitions too (Meltano Hub is
out of reach): target-jsonl, and target-bigquery-safe from its built wheel. `meltano run`
against the simulator must land every time entry of the account, in files and in the emulator.

scripts/test passes the folder its build wrote (scripts/build-packages) in BUILT_DIST; run
alone, the test builds the wheels itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml
from local_meltano import meltano_env

from tests.conftest import DAYS
from tests.pipeline import MELTANO, PROJECT, REPO
from tests.warehouse import rows
from timecamp_simulator import DEFAULT_TOKEN

if t.TYPE_CHECKING:
    from google.cloud import bigquery

    from bigquery_emulator import BigQueryEmulator

HUB_FILE = REPO / "plugins" / "extractors" / "tap-timecamp--timecamp-singer.yml"
SELECT = json.dumps(["time_entries.*", "users.*"])


def meltano(project: Path, *args: str, **settings: str) -> str:
    env = meltano_env(project, {**settings})
    env.pop("MELTANO_ENVIRONMENT")  # the user's project has no `local` environment
    done = subprocess.run(
        [str(MELTANO), *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return done.stdout + done.stderr


def built_wheel(package: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's wheel: the one scripts/test built, or one built now."""
    dist = Path(os.environ.get("BUILT_DIST") or tmp_path_factory.mktemp("dist")) / package
    if not any(dist.glob("*.whl")):
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO / package],
            capture_output=True,
            check=True,
        )
    return next(dist.glob("*.whl"))


def local_definition(folder: Path, plugin_type: str, name: str, variant: str) -> Path:
    """A Hub-style definition of a plugin of this repository's meltano.yml, in a file."""
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    plugin = next(p for p in project["plugins"][plugin_type] if p["name"] == name)
    definition = {k: v for k, v in plugin.items() if k not in {"config", "env", "select"}}
    path = folder / f"{name}--{variant}.yml"
    path.write_text(yaml.safe_dump({**definition, "variant": variant}, sort_keys=False))
    return path


def pinned(plugin: str) -> dict[str, str]:
    """Install a plugin at the versions scripts/bootstrap pins (as bootstrap does)."""
    pins = REPO / "constraints" / "plugins" / f"{plugin}.txt"
    if os.environ.get("UPGRADE_DEPS") == "1" or not pins.exists():
        return {}
    return {"UV_CONSTRAINT": str(pins), "PIP_CONSTRAINT": str(pins)}


def install_from(project: Path, plugin_type: str, name: str, wheel: Path) -> None:
    """Point an added plugin's pip_url at a wheel, in the project's meltano.yml, and install it."""
    config = yaml.safe_load((project / "meltano.yml").read_text())
    plugin = next(p for p in config["plugins"][plugin_type] if p["name"] == name)
    plugin["pip_url"] = str(wheel)
    (project / "meltano.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    meltano(project, "install", name, **pinned(name))


@pytest.fixture(scope="module")
def user_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new Meltano project with the tap from its Hub definition, target-jsonl and BigQuery."""
    root = tmp_path_factory.mktemp("user")
    meltano(root, "init", "--no_usage_stats", "project")
    project = root / "project"
    add = ("add", "--no-install", "--from-ref")
    meltano(project, *add, str(HUB_FILE), "--plugin-type", "extractor", "tap-timecamp")
    jsonl = local_definition(root, "loaders", "target-jsonl", "andyh1203")
    meltano(project, *add, str(jsonl), "--plugin-type", "loader", "target-jsonl")
    bigquery = local_definition(root, "loaders", "target-bigquery", "timecamp-singer")
    meltano(project, *add, str(bigquery), "--plugin-type", "loader", "target-bigquery")

    added = yaml.safe_load((project / "meltano.yml").read_text())["plugins"]["extractors"][0]
    assert added["pip_url"] == "tap-timecamp", "the Hub definition names the published package"
    install_from(
        project, "extractors", "tap-timecamp", built_wheel("tap-timecamp", tmp_path_factory)
    )
    meltano(project, "install", "target-jsonl", **pinned("target-jsonl"))
    loader = built_wheel("target-bigquery-safe", tmp_path_factory)
    install_from(project, "loaders", "target-bigquery", loader)
    return project


def tap_settings(server: t.Any) -> dict[str, str]:
    first_day = dt.date.today() - dt.timedelta(days=DAYS - 1)
    return {
        "TAP_TIMECAMP_API_TOKEN": DEFAULT_TOKEN,
        "TAP_TIMECAMP_API_URL": server.base_url,
        "TAP_TIMECAMP_START_DATE": first_day.isoformat(),
        "TAP_TIMECAMP__SELECT": SELECT,
    }


def test_meltano_offers_every_setting_of_the_hub_definition(user_project: Path) -> None:
    hub = yaml.safe_load(HUB_FILE.read_text(encoding="utf-8"))

    listed = meltano(user_project, "config", "list", "tap-timecamp", "--all")

    names = re.findall(r"^(\w+) \[env: TAP_TIMECAMP_\w+\]", listed, re.M)
    assert sorted(names) == sorted(setting["name"] for setting in hub["settings"])


def test_a_new_meltano_project_runs_the_tap_from_its_hub_definition_into_target_jsonl(
    user_project: Path, timecamp: tuple[t.Any, t.Any]
) -> None:
    sim, server = timecamp

    meltano(user_project, "run", "tap-timecamp", "target-jsonl", **tap_settings(server))

    lines = (user_project / "output" / "time_entries.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        e["id"] for e in sim.all_entries()
    )
    assert (user_project / "output" / "users.jsonl").read_text().strip()


def test_a_new_meltano_project_runs_the_tap_into_bigquery_with_target_bigquery_safe(
    user_project: Path,
    timecamp: tuple[t.Any, t.Any],
    emulator: BigQueryEmulator,
    dataset: str,
    warehouse: bigquery.Client,
) -> None:
    sim, server = timecamp

    meltano(
        user_project,
        "run",
        "tap-timecamp",
        "target-bigquery",
        **tap_settings(server),
        **emulator.env(),
        TARGET_BIGQUERY_PROJECT=PROJECT,
        TARGET_BIGQUERY_DATASET=dataset,
    )

    landed = rows(warehouse, dataset, "time_entries")
    assert sorted(r["id"] for r in landed) == sorted(e["id"] for e in sim.all_entries())
    assert rows(warehouse, dataset, "users")
