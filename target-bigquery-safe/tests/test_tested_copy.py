"""The suite tests the copy of the loader it means to: the checkout's, or an installed wheel's.

scripts/test-installed-wheel runs this suite against the wheel installed in a new venv on each
claimed Python, and sets EXPECTED_PACKAGE_PREFIX to that venv; there, the loader the tests run
as a process must be that venv's too, or the run would prove nothing about the wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

import target_bigquery_safe
from tests.targetrun import SAFE

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_loader_imported_and_run_is_the_copy_this_run_expects():
    imported = Path(target_bigquery_safe.__file__).resolve()
    expected = os.environ.get("EXPECTED_PACKAGE_PREFIX")

    if expected:
        venv = Path(expected).resolve()
        assert imported.is_relative_to(venv), imported
        assert not imported.is_relative_to(CHECKOUT), imported
        assert Path(SAFE).absolute().is_relative_to(Path(expected).absolute()), SAFE
    else:
        assert imported.is_relative_to(CHECKOUT), imported
