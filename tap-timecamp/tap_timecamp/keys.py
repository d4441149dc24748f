"""A record leaves the tap only with a whole key: every part present and of its schema's type.

Keys are composite in several streams (`attendance`: user and day; `computer_activities`:
user, end time and window title), and a target merges on them: a record whose key has a
null part would land as a row no later run can update or mark deleted, or be merged into
another. Values are brought to their schema's types first (`tap_timecamp.coercion`), which
turns a part of another type (an entry `id` of `"abc"`) into null; so a key is whole when
no part is null.

Such an item is skipped, not sent: one bad item of TimeCamp's must not stop every other
record of the run. Each is a warning naming the stream, its endpoint and the key it had
(the first few of a stream; the rest are counted), and the run summary counts them.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    import logging

    from tap_timecamp.summary import RunSummary

# Warnings per stream before the rest are only counted.
WARNINGS_PER_STREAM = 5


class KeyCheck:
    """Whether a stream's normalised records have a whole key, reporting those that do not."""

    def __init__(
        self,
        stream: str,
        endpoint: str,
        primary_keys: t.Sequence[str],
        logger: logging.Logger,
        summary: RunSummary | None,
    ) -> None:
        """Check `primary_keys` of `stream`'s records, read from `endpoint`."""
        self.stream = stream
        self.endpoint = endpoint
        self.primary_keys = tuple(primary_keys)
        self.logger = logger
        self.summary = summary
        self.skipped = 0

    def whole(self, record: dict[str, t.Any], item: dict[str, t.Any]) -> bool:
        """Whether no part of the record's key is null; if one is, `item` (as sent) is reported."""
        get = record.get
        for part in self.primary_keys:
            if get(part) is None:
                self.report(item)
                return False
        return True

    def report(self, item: dict[str, t.Any]) -> None:
        """Warn about an item without a whole key (the first few), as TimeCamp sent it; count it."""
        self.skipped += 1
        if self.summary is not None:
            self.summary.count_skipped(self.stream)
        if self.skipped > WARNINGS_PER_STREAM:
            return
        key = ", ".join(f"{part}={item.get(part)!r:.40}" for part in self.primary_keys)
        more = (
            " (further ones are counted in the run summary)"
            if (self.skipped == WARNINGS_PER_STREAM)
            else ""
        )
        self.logger.warning(
            "%s: skipped an item of GET %s without a whole key (%s): a part is missing or "
            "not of its type%s",
            self.stream,
            self.endpoint,
            key,
            more,
        )
