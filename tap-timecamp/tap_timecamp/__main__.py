"""Run the tap as ``python -m tap_timecamp``."""

from tap_timecamp.tap import TapTimeCamp

TapTimeCamp.cli()
