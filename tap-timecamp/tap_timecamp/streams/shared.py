"""Answers more than one stream reads, requested once per run and kept for the run only.

`/group` (groups, users), `/users` (users, computer activities) and `/tag_list` (tag lists,
tags) are small, account-wide lists. The first stream that needs one requests it; the
others reuse that answer, so each is read once whichever of those streams are selected
and in whatever order they are synced. `all_streams` makes one `SharedReads` per tap (a
run) and hands it to the streams that need it; nothing outlives the run.
"""

from __future__ import annotations

import typing as t

from tap_timecamp.client import TimeCampStream

if t.TYPE_CHECKING:
    from singer_sdk import Tap

# Archived lists and tags too: old entries still carry them.
TAG_LIST_PARAMS = {"tags": "1", "archived": "1"}


class SharedReads:
    """The run's answers of the endpoints several streams read, each requested once."""

    def __init__(self) -> None:
        """Nothing read yet."""
        self._answers: dict[str, list[dict[str, t.Any]]] = {}

    def groups(self, stream: TimeCampStream) -> list[dict[str, t.Any]]:
        """The group tree (`/group`)."""
        return self._read(stream, "/group")

    def users(self, stream: TimeCampStream) -> list[dict[str, t.Any]]:
        """Every user the token sees (`/users`)."""
        return self._read(stream, "/users")

    def tag_lists(self, stream: TimeCampStream) -> list[dict[str, t.Any]]:
        """Every tag list with its tags, archived ones included (`/tag_list`)."""
        return self._read(stream, "/tag_list", TAG_LIST_PARAMS)

    def _read(
        self, stream: TimeCampStream, path: str, params: dict[str, str] | None = None
    ) -> list[dict[str, t.Any]]:
        """`GET path`, requested by `stream` (its retries, errors and deadline) the first time."""
        if path not in self._answers:
            self._answers[path] = stream.fetch_collection(path, params)
        return self._answers[path]


class SharedReadStream(TimeCampStream):
    """A stream made from answers another stream reads too: it asks the run's `SharedReads`."""

    def __init__(self, tap: Tap, *, reads: SharedReads) -> None:
        """`reads`: the run's shared answers."""
        super().__init__(tap)
        self.reads = reads
