"""The SDK's standard tap tests, against the TimeCamp simulator."""

from __future__ import annotations

import atexit
import contextlib
import io
import json

from singer_sdk.testing import SuiteConfig, get_tap_test_class
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.templates import TapTestTemplate

from tap_timecamp.tap import TapTimeCamp
from tests.simulated import simulator, tap_config

# The standard suite is generated from a config at import time, so its simulator starts
# here and lives as long as the test process.
_SIMULATOR = simulator()
# A few deletions, so that tombstones and the deletions stream have records too.
for _entry in list(_SIMULATOR.all_entries())[:3]:
    _SIMULATOR.delete_entry(_entry["id"])
_SERVER = _SIMULATOR.serve()
atexit.register(_SERVER.close)

# No end_date: the deletions happen on the simulator's today, after the data.
_CONFIG = tap_config(_SERVER.base_url, end_date=None)

# A later run of the lookback streams, whose last run read an approval and a day that are
# gone now: they are sent deleted, so that their tombstones are tested too.
_USER = next(user.user_id for user in _SIMULATOR.catalog.users if not user.disabled)
_READ_BEFORE = {"changes_read_through": "2026-01-01 00:00:00", "start_date": "2026-01-01"}
_STATE = {
    "bookmarks": {
        "approvals": {
            **_READ_BEFORE,
            "lookback_keys": [[_USER, "2026-01-01", "2026-01-31", "99999"]],
        },
        "attendance": {
            **_READ_BEFORE,
            # A Saturday: nobody works it.
            "lookback_keys": [[_USER, "2026-01-03"]],
        },
    }
}


def _every_stream_selected() -> dict:
    """The discovered catalog with the heavy streams (not selected by default) selected too."""
    catalog = TapTimeCamp(config=_CONFIG, setup_mapper=False).catalog_dict
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = True
    return catalog


class TapActivatesAfterSyncAllTest(TapTestTemplate):
    """A sync through `sync_all`, as the command line runs it, ends with its activations.

    The standard runner drives `run_sync_dry_run`, after which the SDK calls nothing: the
    held ACTIVATE_VERSION messages are seen here, through the same runner's tap.
    """

    name = "activates_after_sync_all"

    def test(self) -> None:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(out):
            self.tap.sync_all()
        out.seek(0)
        kinds = [json.loads(line)["type"] for line in out.read().splitlines()]
        first = kinds.index("ACTIVATE_VERSION")
        assert kinds[first - 1] == "STATE"
        # The activations, then the one STATE that records the counts they activated.
        assert set(kinds[first:-1]) == {"ACTIVATE_VERSION"}
        assert kinds[-1] == "STATE"


TestTapTimeCamp = get_tap_test_class(
    tap_class=TapTimeCamp,
    config=_CONFIG,
    catalog=_every_stream_selected(),
    # Every record: tombstones come after the last entry window.
    suite_config=SuiteConfig(max_records_limit=None),
    custom_suites=[SingerTestSuite(kind="tap", tests=[TapActivatesAfterSyncAllTest])],
    state=_STATE,
)
