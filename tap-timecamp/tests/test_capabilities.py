"""The tap claims the capabilities it has, not the SDK's defaults.

Meltano and the Hub read the claim (`--about`); each capability claimed is exercised by the
suites: catalog and discover by the SDK standard tests (test_core), state by test_incremental,
activate-version by test_activate_version, stream maps and flattening on the way to
PostgreSQL (tests/test_targets.py).
"""

from __future__ import annotations

from tap_timecamp.tap import TapTimeCamp


def test_the_tap_claims_neither_batch_messages_nor_structured_logging_which_it_lacks():
    claimed = {str(capability) for capability in TapTimeCamp.capabilities}

    assert "batch" not in claimed
    assert "structured-logging" not in claimed
    assert "batch_config" not in TapTimeCamp.config_jsonschema["properties"]
