"""A local BigQuery for the test suite: local-bigquery behind a small compatibility proxy.

See README.md beside this file for why the proxy exists and what it changes.
"""

from bigquery_emulator.control import EmulatorControl
from bigquery_emulator.harness import BigQueryEmulator
from bigquery_emulator.journal import FailureRule, JobRecord
from bigquery_emulator.locate import EmulatorNotInstalledError, is_installed
from bigquery_emulator.process import EmulatorStartError

__all__ = [
    "BigQueryEmulator",
    "EmulatorControl",
    "EmulatorNotInstalledError",
    "EmulatorStartError",
    "FailureRule",
    "JobRecord",
    "is_installed",
]
