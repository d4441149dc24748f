"""A faithful local stand-in for the TimeCamp REST API, quirks included.

Test and demo infrastructure for tap-timecamp; never published.
"""

from timecamp_simulator.expenses import PageShift
from timecamp_simulator.faults import Fault
from timecamp_simulator.recording import RecordedRequest
from timecamp_simulator.server import SimulatorServer
from timecamp_simulator.simulator import DEFAULT_TOKEN, Simulator
from timecamp_simulator.store import DeletionStamp

__all__ = [
    "DEFAULT_TOKEN",
    "DeletionStamp",
    "Fault",
    "PageShift",
    "RecordedRequest",
    "Simulator",
    "SimulatorServer",
]
