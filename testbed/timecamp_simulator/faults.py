"""Injected failures: the rate limits, edge errors and broken bodies real clients meet."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

FaultKind = Literal["status", "slow", "reset", "truncated", "html", "redirect", "shape"]
_KINDS = {"status", "slow", "reset", "truncated", "html", "redirect", "shape"}
# What a `shape` fault answers when it names no body: TimeCamp's error shape under a 200.
DEFAULT_SHAPE_BODY = {"message": "Internal error"}
# Names TimeCamp's edge puts in its JSON error bodies (one seen: origin_bad_gateway).
EDGE_ERROR_NAMES = {
    429: "rate_limited",
    500: "origin_error",
    502: "origin_bad_gateway",
    503: "origin_unavailable",
    504: "origin_timeout",
}


@dataclass
class Fault:
    """One failure rule, matched against API paths relative to the base URL.

    `path` is an fnmatch pattern ("/entries", "/user/*", "*"). With `count` the fault fires
    for the next `count` matching requests; with `probability` each matching request fails
    with that chance (seeded RNG); with both, at most `count` times; with neither, always.
    `skip` lets that many matching requests through first (a failure in the middle of a run).
    """

    path: str = "*"
    kind: FaultKind = "status"
    status: int = 503
    retry_after: float | None = None
    retry_after_in: Literal["header", "body"] = "header"
    count: int | None = None
    probability: float | None = None
    delay: float = 0.0
    method: str | None = None
    body: Any = None
    skip: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_KINDS)}")
        if self.retry_after_in not in {"header", "body"}:
            raise ValueError("retry_after_in must be 'header' or 'body'")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """Build from the control API's JSON, rejecting unknown fields."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form for the control API."""
        return asdict(self)


class FaultBook:
    """The active faults, consulted in insertion order for every API request."""

    def __init__(self, seed: int) -> None:
        """Start with no faults; probabilities draw from an RNG seeded by `seed`."""
        self._faults: list[Fault] = []
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Activate a fault after the existing ones."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """The faults that can still fire."""
        with self._lock:
            return list(self._faults)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault this request triggers, if any, consuming one use of a counted fault."""
        with self._lock:
            for fault in self._faults:
                if fault.method is not None and fault.method.upper() != method:
                    continue
                if not fnmatch.fnmatchcase(path, fault.path):
                    continue
                if fault.count is not None and fault.count <= 0:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.probability is not None and self._rng.random() >= fault.probability:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
            return None
