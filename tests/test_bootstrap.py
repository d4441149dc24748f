"""`scripts/bootstrap` installs a part again only when what it is installed from changed.

On this set-up clone: a second bootstrap runs no pip at all (a `pip` that fails stands in
for the real one, first on the Python path); a part whose stamp no longer matches is
installed again, and only that part. What a Meltano plugin's stamp covers is checked on a
small project of its own (scripts/plugin_stamps.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline import REPO

BOOTSTRAP = REPO / "scripts" / "bootstrap"
PLUGIN_STAMPS = REPO / "scripts" / "plugin_stamps.py"
VENV_STAMP = REPO / ".venv" / ".bootstrap-stamp"

# A `python -m pip` that records its arguments and exits with FAKE_PIP_EXIT; `bin/pip`
# scripts, which import pip's internals, fail on it too.
FAKE_PIP = """
import os
import sys

with open(os.environ["FAKE_PIP_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
sys.exit(int(os.environ["FAKE_PIP_EXIT"]))
"""


def bootstrap(
    tmp_path: Path, *args: str, pip_exit: int
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run bootstrap with the fake pip; return its result and the pip command lines run."""
    fake = tmp_path / "fake-pip" / "pip"
    fake.mkdir(parents=True, exist_ok=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text(FAKE_PIP)
    log = tmp_path / "pip.log"
    log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(fake.parent),
        "FAKE_PIP_LOG": str(log),
        "FAKE_PIP_EXIT": str(pip_exit),
    }
    done = subprocess.run(
        ["bash", str(BOOTSTRAP), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, log.read_text().splitlines() if log.exists() else []


@pytest.fixture(scope="module")
def set_up() -> None:
    """The clone as `scripts/test` leaves it: bootstrapped, the emulator included."""
    subprocess.run(["bash", str(BOOTSTRAP)], capture_output=True, timeout=1800, check=True)


def test_a_second_bootstrap_runs_no_pip(set_up, tmp_path):
    done, pip_runs = bootstrap(tmp_path, pip_exit=1)

    assert done.returncode == 0, done.stderr
    assert pip_runs == []
    assert done.stdout.splitlines() == ["==> ready (everything was current)"]


def test_a_changed_venv_requirement_installs_the_venv_again_and_nothing_else(set_up, tmp_path):
    current = VENV_STAMP.read_text()
    VENV_STAMP.write_text("installed from an older requirements-dev.txt\n")
    try:
        done, pip_runs = bootstrap(tmp_path, "--no-emulator", pip_exit=0)
    finally:
        restored = VENV_STAMP.read_text()
        VENV_STAMP.write_text(current)

    assert done.returncode == 0, done.stderr
    assert [run for run in pip_runs if "-r requirements-dev.txt" in run] != []
    assert [run for run in pip_runs if "target-bigquery-safe" in run] == []
    assert done.stdout.splitlines()[-1] == "==> ready (installed: .venv)"
    assert restored == current


# --- what a Meltano plugin's stamp covers ---------------------------------------------

PROJECT = """
plugins:
  extractors:
  - name: tap-x
    pip_url: -e ./tap-x
    config: {api_url: https://example.com}
  loaders:
  - name: target-y
    pip_url: ./target-y
    python: python3
environments:
- name: local
  config: {plugins: {extractors: [{name: tap-x, config: {api_url: http://localhost}}]}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Meltano project with an editable tap and a loader installed from its code."""
    (tmp_path / "meltano.yml").write_text(PROJECT)
    for package in ("tap-x", "target-y"):
        (tmp_path / package / "src").mkdir(parents=True)
        (tmp_path / package / "pyproject.toml").write_text('[project]\nname = "x"\n')
        (tmp_path / package / "src" / "code.py").write_text("VERSION = 1\n")
        (tmp_path / package / "tests").mkdir()
        (tmp_path / package / "tests" / "test_code.py").write_text("")
    return tmp_path


def stamps(project: Path) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, str(PLUGIN_STAMPS), str(project)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split()[1]: line.split()[2] for line in done.stdout.splitlines()}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_every_plugin_of_meltano_yml_has_a_stamp(project):
    assert set(stamps(project)) == {"tap-x", "target-y"}


# (file, text, replaced by, the plugins whose stamp changes)
EDITS = [
    pytest.param("tap-x/src/code.py", "1", "2", set(), id="editable code: none"),
    pytest.param("tap-x/pyproject.toml", '"x"', '"x2"', {"tap-x"}, id="editable pyproject"),
    pytest.param("target-y/src/code.py", "1", "2", {"target-y"}, id="copied code"),
    pytest.param("target-y/tests/test_code.py", "", "assert 1\n", set(), id="copied tests: none"),
    pytest.param("meltano.yml", "./target-y", "./target-y requests", {"target-y"}, id="pip_url"),
    pytest.param("meltano.yml", "example.com", "example.org", set(), id="a setting: none"),
    pytest.param(
        "meltano.yml", "http://localhost", "http://127.0.0.1", set(), id="environment: none"
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "stale"), EDITS)
def test_an_edit_changes_the_stamps_of_the_plugins_installed_from_it(
    project, path, old, new, stale
):
    before = stamps(project)
    edit(project / path, old, new)

    assert changed(before, stamps(project)) == stale


def test_a_copied_plugins_new_file_changes_its_stamp(project):
    before = stamps(project)
    (project / "target-y" / "src" / "more.py").write_text("")

    assert changed(before, stamps(project)) == {"target-y"}


def test_a_changed_python_changes_that_plugins_stamp(project):
    before = stamps(project)
    other = project / "other-python"
    other.write_text("#!/bin/sh\necho /opt/python3.99/bin/python3.99 3.99.0\n")
    other.chmod(0o755)
    edit(project / "meltano.yml", "python: python3\n", f"python: {other}\n")

    assert changed(before, stamps(project)) == {"target-y"}


def test_a_plugins_lock_file_changes_its_stamp(project):
    before = stamps(project)
    lock = project / "plugins" / "extractors" / "tap-x--example.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text('{"name": "tap-x"}')

    assert changed(before, stamps(project)) == {"tap-x"}
