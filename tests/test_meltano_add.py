"""A Meltano user adds the tap to a project of their own, as the README tells them to.

A new Meltano project in a temporary folder, nothing of this repository's meltano.yml in it:
`meltano add --from-ref` with the Hub definition (plugins/extractors/), its `pip_url` then
overridden in the project's meltano.yml (Meltano's documented way to install a plugin from
elsewhere) to the wheel CI built; target-jsonl added from a local definition too, since
Meltano Hub is out of reach. `meltano run tap-timecamp target-jsonl` against the simulator
must land every time entry of the account.

scripts/test passes the wheel it built in TAP_TIMECAMP_DIST; run alone, the test builds one.
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

from tests.conftest import DAYS
from tests.pipeline import MELTANO, REPO
from timecamp_simulator import DEFAULT_TOKEN

HUB_FILE = REPO / "plugins" / "extractors" / "tap-timecamp--timecamp-singer.yml"


def users_environment() -> dict[str, str]:
    """The environment, less any setting of this repository's plugins or Meltano project."""
    ours = ("MELTANO_", "TAP_TIMECAMP_", "TARGET_", "SINGER_SDK_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


def meltano(project: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        [str(MELTANO), *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**users_environment(), "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tap's wheel: the one scripts/test built, or one built now."""
    dist = os.environ.get("TAP_TIMECAMP_DIST")
    if not dist:
        dist = str(tmp_path_factory.mktemp("dist"))
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO / "tap-timecamp"],
            capture_output=True,
            check=True,
        )
    return next(Path(dist).glob("tap_timecamp-*.whl"))


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


@pytest.fixture(scope="module")
def user_project(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A new Meltano project with the tap from its Hub definition and target-jsonl."""
    root = tmp_path_factory.mktemp("user")
    meltano(root, "init", "--no_usage_stats", "project")
    project = root / "project"
    meltano(
        project,
        "add",
        "--plugin-type",
        "extractor",
        "tap-timecamp",
        "--from-ref",
        str(HUB_FILE),
        "--no-install",
    )
    jsonl = local_definition(root, "loaders", "target-jsonl", "andyh1203")
    meltano(
        project,
        "add",
        "--plugin-type",
        "loader",
        "target-jsonl",
        "--from-ref",
        str(jsonl),
        "--no-install",
    )

    config = yaml.safe_load((project / "meltano.yml").read_text())
    tap = next(p for p in config["plugins"]["extractors"] if p["name"] == "tap-timecamp")
    assert tap["pip_url"] == "tap-timecamp", "the Hub definition names the published package"
    tap["pip_url"] = str(wheel)
    (project / "meltano.yml").write_text(yaml.safe_dump(config, sort_keys=False))

    meltano(project, "install", "tap-timecamp", **pinned("tap-timecamp"))
    meltano(project, "install", "target-jsonl", **pinned("target-jsonl"))
    return project


def test_a_new_meltano_project_runs_the_tap_from_its_hub_definition_into_target_jsonl(
    user_project: Path, timecamp: tuple[t.Any, t.Any]
) -> None:
    sim, server = timecamp
    first_day = dt.date.today() - dt.timedelta(days=DAYS - 1)

    meltano(
        user_project,
        "run",
        "tap-timecamp",
        "target-jsonl",
        TAP_TIMECAMP_API_TOKEN=DEFAULT_TOKEN,
        TAP_TIMECAMP_API_URL=server.base_url,
        TAP_TIMECAMP_START_DATE=first_day.isoformat(),
        TAP_TIMECAMP__SELECT=json.dumps(["time_entries.*", "users.*"]),
    )

    lines = (user_project / "output" / "time_entries.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        e["id"] for e in sim.all_entries()
    )
    assert (user_project / "output" / "users.jsonl").read_text().strip()


def test_meltano_offers_every_setting_of_the_hub_definition(user_project: Path) -> None:
    hub = yaml.safe_load(HUB_FILE.read_text(encoding="utf-8"))

    listed = meltano(user_project, "config", "list", "tap-timecamp", "--all")

    names = re.findall(r"^(\w+) \[env: TAP_TIMECAMP_\w+\]", listed, re.M)
    assert sorted(names) == sorted(setting["name"] for setting in hub["settings"])
