"""The suite tests the copy of the tap it means to: the checkout's, or an installed wheel's.

scripts/test-installed-wheel runs this suite against the wheel installed in a new venv on each
claimed Python, and sets EXPECTED_PACKAGE_PREFIX to that venv; a run that imported the
checkout there instead would prove nothing about the wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

import tap_timecamp

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_tap_under_test_is_the_copy_this_run_expects():
    imported = Path(tap_timecamp.__file__).resolve()
    expected = os.environ.get("EXPECTED_PACKAGE_PREFIX")

    if expected:
        assert imported.is_relative_to(Path(expected).resolve()), imported
        assert not imported.is_relative_to(CHECKOUT), imported
    else:
        assert imported.is_relative_to(CHECKOUT), imported
