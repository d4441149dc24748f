"""A versioned target as the model sees one: upserts with versions, and ACTIVATE_VERSION.

- A RECORD upserts its row on the stream's key, with the record's version; the row is live,
  unless the record is a tombstone (`_sdc_deleted_at` set).
  The version is the run's start in seconds (the SDK's), so two runs of the model in one
  second would share one: each run's versions are told apart by the run's number, as runs
  a day apart are by their seconds.
- ACTIVATE_VERSION marks deleted exactly the rows of the stream whose version differs from
  the activated one (the rule target-bigquery-safe and target-postgres follow).
- Meltano saves the last non-empty STATE the target received, for a failed run too.
"""

from __future__ import annotations

import dataclasses
import typing as t

from tap_timecamp.full_table import ACTIVATED_ROWS

if t.TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclasses.dataclass
class Row:
    """A row of a table: its version, and whether an activation marked it deleted."""

    version: tuple[int, int | None]
    deleted: bool = False


@dataclasses.dataclass
class VersionedWarehouse:
    """Each stream's table by key, and the state Meltano would pass on."""

    keys: Mapping[str, str]
    tables: dict[str, dict[t.Any, Row]] = dataclasses.field(default_factory=dict)
    state: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    runs: int = 0

    def receive(self, messages: Sequence[dict[str, t.Any]]) -> None:
        """Load the messages of one run a target received, in order, and keep the last STATE."""
        self.runs += 1
        for message in messages:
            kind, stream = message["type"], message.get("stream", "")
            if kind == "RECORD" and stream in self.keys:
                key = message["record"][self.keys[stream]]
                version = (self.runs, message.get("version"))
                tombstone = message["record"].get("_sdc_deleted_at") is not None
                self.tables.setdefault(stream, {})[key] = Row(version, deleted=tombstone)
            elif kind == "ACTIVATE_VERSION":
                for row in self.tables.get(stream, {}).values():
                    if row.version != (self.runs, message["version"]):
                        row.deleted = True
            elif kind == "STATE" and message["value"]:
                self.state = message["value"]

    def live(self, stream: str) -> set[t.Any]:
        """The keys of the stream's rows not marked deleted."""
        return {key for key, row in self.tables.get(stream, {}).items() if not row.deleted}

    def marked(self, stream: str) -> set[t.Any]:
        """The keys of the stream's rows marked deleted."""
        return {key for key, row in self.tables.get(stream, {}).items() if row.deleted}

    def count(self, stream: str) -> int | None:
        """The row count of the stream's last activated read, as the saved state holds it."""
        value = self.state.get("bookmarks", {}).get(stream, {}).get(ACTIVATED_ROWS)
        return value if isinstance(value, int) else None
