"""Find the separate Python 3.13 venv that holds local-bigquery.

The emulator needs Python >= 3.13 while the test suite runs on 3.11, so it lives in
its own venv made by ``scripts/install-bigquery-emulator`` and is started as a
subprocess; nothing here imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

VENV_ENV = "BIGQUERY_EMULATOR_VENV"
INSTALL_HINT = "run scripts/install-bigquery-emulator (needs python3.13) to create it"


class EmulatorNotInstalledError(RuntimeError):
    """The emulator venv is missing; the message says how to install it."""


def repo_root() -> Path:
    """Return the repository root, assuming the editable testbed install."""
    # testbed/bigquery_emulator/locate.py -> repo root is two levels above the package.
    return Path(__file__).resolve().parents[2]


def venv_dir() -> Path:
    """Return the emulator venv: $BIGQUERY_EMULATOR_VENV or <repo>/.venvs/bigquery-emulator."""
    configured = os.environ.get(VENV_ENV)
    if configured:
        return Path(configured)
    return repo_root() / ".venvs" / "bigquery-emulator"


def executable() -> Path:
    """Return the ``local-bigquery`` console script, or raise with the install hint."""
    path = venv_dir() / "bin" / "local-bigquery"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise EmulatorNotInstalledError(f"BigQuery emulator not found at {path}: {INSTALL_HINT}")
    return path


def is_installed() -> bool:
    """Tell whether the emulator venv is present (tests skip when it is not)."""
    try:
        executable()
    except EmulatorNotInstalledError:
        return False
    return True
