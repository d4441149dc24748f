"""What the warehouse and Meltano make of a run's output: the target side of the model.

- The target upserts `time_entries` on `id` in the order the records arrive: a later record
  replaces the row, a tombstone (`_sdc_deleted_at` set) included. (target-bigquery dedupes a
  run's rows on the key, keeping the latest extracted, which is the later message.)
  `time_entry_deletions` is upserted on `entry_id` the same way.
- Meltano 4.4 saves every STATE line the target writes, as it arrives, as the complete state
  of the pipeline (`BookmarkWriter.writeline`, `Payload.STATE`), and when the tap exits,
  failed or not, it closes the target's input so that the target drains and writes the
  latest STATE it received. So a failed run's records reach the table and its last STATE is
  saved; nothing is rolled back. A killed run delivers a prefix of its output: the records
  of that prefix, and its last STATE.
- An empty STATE is not saved (`BookmarkWriter` skips it).
"""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Sequence

ENTRIES = "time_entries"
DELETIONS = "time_entry_deletions"


@dataclasses.dataclass
class Warehouse:
    """The tables of an upserting target, and the state Meltano would pass on."""

    # time_entries by id
    rows: dict[int, dict[str, t.Any]] = dataclasses.field(default_factory=dict)
    # time_entry_deletions by entry id
    deletions: dict[int, dict[str, t.Any]] = dataclasses.field(default_factory=dict)
    state: dict[str, t.Any] = dataclasses.field(default_factory=dict)

    def receive(self, messages: Sequence[dict[str, t.Any]]) -> None:
        """Load the messages a target received, in order, and keep the last STATE."""
        for message in messages:
            if message["type"] == "RECORD" and message["stream"] == ENTRIES:
                record = message["record"]
                self.rows[record["id"]] = record
            elif message["type"] == "RECORD" and message["stream"] == DELETIONS:
                record = message["record"]
                self.deletions[record["entry_id"]] = record
            elif message["type"] == "STATE" and message["value"]:
                self.state = message["value"]


def is_tombstone(row: dict[str, t.Any]) -> bool:
    """A row the target marks deleted."""
    return row.get("_sdc_deleted_at") is not None
