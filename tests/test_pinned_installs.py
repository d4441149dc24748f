"""Every environment scripts/bootstrap sets up holds the versions pinned under constraints/.

.venv, the loader's test venv and each Meltano plugin's venv: every package installed there
(but this project's own) is pinned, at the version installed. A dependency added without
refreshing the pins, or a pin the installer did not apply, fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.pipeline import REPO

UV = REPO / ".venv" / "bin" / "uv"
OWN = {"tap-timecamp", "timecamp-testbed", "target-bigquery-safe"}
# The installer the venv module seeds, not a dependency of anything installed.
INSTALLERS = {"pip", "setuptools"}

pytestmark = pytest.mark.skipif(
    os.environ.get("UPGRADE_DEPS") == "1", reason="UPGRADE_DEPS=1 installs the newest versions"
)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def versions(lines: list[str]) -> dict[str, str]:
    """`name==version` lines as {normalized name: version}; other lines are left out."""
    found = {}
    for line in lines:
        name, sep, version = line.split(";")[0].strip().partition("==")
        if sep and not name.startswith("#"):
            found[normalized(name)] = version.strip()
    return found


def environments() -> list[tuple[str, Path, Path]]:
    """(name, python, constraints file) of every environment bootstrap pins."""
    found = [
        ("dev", REPO / ".venv" / "bin" / "python", REPO / "constraints" / "dev.txt"),
        (
            "target-bigquery-dev",
            REPO / ".venvs" / "target-bigquery" / "bin" / "python",
            REPO / "constraints" / "target-bigquery-dev.txt",
        ),
    ]
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    for plugin_type, plugins in project["plugins"].items():
        for plugin in plugins:
            found.append(
                (
                    plugin["name"],
                    REPO / ".meltano" / plugin_type / plugin["name"] / "venv" / "bin" / "python",
                    REPO / "constraints" / "plugins" / f"{plugin['name']}.txt",
                )
            )
    return found


@pytest.mark.parametrize(
    ("name", "python", "pins"), [pytest.param(*env, id=env[0]) for env in environments()]
)
def test_every_package_installed_in_the_environment_is_pinned_at_its_version(name, python, pins):
    frozen = subprocess.run(
        [str(UV), "pip", "freeze", "--python", str(python)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    installed = {k: v for k, v in versions(frozen).items() if k not in OWN | INSTALLERS}
    pinned = versions(pins.read_text().splitlines())

    refresh = f"run scripts/lock-dependencies {name}, then scripts/bootstrap"
    assert sorted(installed.keys() - pinned.keys()) == [], f"not pinned: {refresh}"
    differing = {k: (v, pinned[k]) for k, v in installed.items() if pinned[k] != v}
    assert differing == {}, f"installed vs pinned: {refresh}"
