"""tap-timecamp as people install it: built, installed into a clean virtualenv, run standalone.

`python -m build` makes the sdist and, from it, the wheel; the wheel goes into a new virtualenv
(its dependencies come from the package index pip is configured with), and its `tap-timecamp`
runs with settings from environment variables only, against the served TimeCamp simulator.
"""

from __future__ import annotations

import collections
import datetime as dt
import email.parser
import json
import os
import subprocess
import sys
import tarfile
import tomllib
import typing as t
import zipfile
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.conftest import DAYS
from tests.pipeline import REPO
from timecamp_simulator import DEFAULT_TOKEN

PACKAGE = REPO / "tap-timecamp"
VERSION = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]["version"]


# Without a reachable index pip fails in seconds instead of retrying for minutes.
PIP_ENV = {**os.environ, "PIP_RETRIES": "1", "PIP_TIMEOUT": "20"}
NEEDS_INDEX = "(building and installing need the package index pip is configured with)"


def sh(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    hint: str = "",
) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:] + hint
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", out, PACKAGE, env=PIP_ENV, hint=NEEDS_INDEX)
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A new virtualenv with the built wheel installed in it, nothing else of the project."""
    venv = tmp_path_factory.mktemp("venv")
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    sh(base_python, "-m", "venv", venv)
    wheel = next(dist.glob("*.whl"))
    pip = (venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    sh(*pip, env=PIP_ENV, hint=NEEDS_INDEX)
    return venv


def standalone_env(**settings: str) -> dict[str, str]:
    """The environment of a shell with only the tap's settings in it."""
    kept = {k: v for k, v in os.environ.items() if k in {"HOME", "LANG", "TMPDIR"}}
    return {**kept, "PATH": "/usr/bin:/bin", **settings}


def test_build_makes_a_wheel_and_an_sdist_with_license_and_changelog(dist):
    info = f"tap_timecamp-{VERSION}.dist-info"
    with zipfile.ZipFile(next(dist.glob(f"tap_timecamp-{VERSION}-*.whl"))) as wheel:
        names = wheel.namelist()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    with tarfile.open(dist / f"tap_timecamp-{VERSION}.tar.gz") as sdist:
        changelog = sdist.extractfile(f"tap_timecamp-{VERSION}/CHANGELOG.md")
        changes = changelog.read().decode() if changelog else ""
        sdist_names = sdist.getnames()

    assert "tap_timecamp/schemas/time_entries.json" in names
    assert "tap_timecamp/py.typed" in names
    assert f"{info}/licenses/LICENSE" in names
    assert "tap-timecamp = tap_timecamp.tap:TapTimeCamp.cli" in entry_points
    assert f"## [{VERSION}]" in changes
    assert f"tap_timecamp-{VERSION}/LICENSE" in sdist_names


def test_wheel_metadata_names_the_projects_home_and_only_the_pythons_tested(dist):
    wheel = next(dist.glob("tap_timecamp-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.parser.Parser().parsestr(
            archive.read(f"tap_timecamp-{VERSION}.dist-info/METADATA").decode()
        )
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    pythons = {
        c.rsplit(" :: ", 1)[1]
        for c in metadata.get_all("Classifier")
        if c.startswith("Programming Language :: Python :: 3.")
    }

    assert urls["Source"] == "https://github.com/timecamp-singer/tap-timecamp"
    assert {"Documentation", "Issues", "Changelog"} <= urls.keys()
    assert metadata["License-Expression"] == "MIT"
    minors = sorted(int(version.split(".")[1]) for version in pythons)
    requires = SpecifierSet(metadata["Requires-Python"])
    assert [f"3.{m}" in requires for m in range(minors[0] - 1, minors[-1] + 2)] == [
        False,
        *[True] * len(minors),
        False,
    ], "requires-python admits exactly the Pythons the classifiers claim (each is tested)"


def test_installed_tap_describes_itself_with_about(installed, tmp_path):
    about = json.loads(
        sh(
            installed / "bin" / "tap-timecamp",
            "--about",
            "--format=json",
            cwd=tmp_path,
            env=standalone_env(),
        )
    )
    module = sh(
        installed / "bin" / "python",
        "-c",
        "import tap_timecamp; print(tap_timecamp.__file__)",
        cwd=tmp_path,
        env=standalone_env(),
    )

    assert (about["name"], about["version"]) == ("tap-timecamp", VERSION)
    assert "api_token" in about["settings"]["properties"]
    assert Path(module.strip()).is_relative_to(installed), "runs the installed copy"


def test_installed_tap_discovers_its_streams_with_settings_from_the_environment(
    installed, tmp_path, timecamp
):
    _, server = timecamp
    env = standalone_env(TAP_TIMECAMP_API_TOKEN=DEFAULT_TOKEN, TAP_TIMECAMP_API_URL=server.base_url)

    catalog = json.loads(
        sh(
            installed / "bin" / "tap-timecamp",
            "--config",
            "ENV",
            "--discover",
            cwd=tmp_path,
            env=env,
        )
    )

    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert {"time_entries", "users", "groups", "tasks", "tags"} <= streams.keys()
    assert streams["time_entries"]["key_properties"] == ["id"]


def test_installed_tap_syncs_from_a_simulated_timecamp_with_settings_from_the_environment(
    installed, tmp_path, timecamp
):
    sim, server = timecamp
    first_day = (dt.date.today() - dt.timedelta(days=DAYS - 1)).isoformat()
    env = standalone_env(
        TAP_TIMECAMP_API_TOKEN=DEFAULT_TOKEN,
        TAP_TIMECAMP_API_URL=server.base_url,
        TAP_TIMECAMP_START_DATE=first_day,
    )

    out = sh(installed / "bin" / "tap-timecamp", "--config", "ENV", cwd=tmp_path, env=env)

    messages = [json.loads(line) for line in out.splitlines()]
    records: dict[str, list[dict[str, t.Any]]] = collections.defaultdict(list)
    for message in messages:
        if message["type"] == "RECORD":
            records[message["stream"]].append(message["record"])
    ids = sorted(r["id"] for r in records["time_entries"])
    assert ids == sorted(e["id"] for e in sim.all_entries())
    assert records["users"]
    last_record = max(i for i, message in enumerate(messages) if message["type"] == "RECORD")
    # The full-table streams' ACTIVATE_VERSION go out once all was read, then the STATE that
    # holds the activated reads' row counts ends the output.
    after = [message["type"] for message in messages[last_record + 1 :]]
    assert "ACTIVATE_VERSION" in after
    assert after[-1] == "STATE"
    assert after.index("ACTIVATE_VERSION") > max(
        (i for i, kind in enumerate(after[:-1]) if kind == "STATE"), default=-1
    )
