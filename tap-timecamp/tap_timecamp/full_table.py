"""Full-table streams: each run reads the whole set, and may then activate it.

The SDK stamps every record of a full-table stream with the run's version, and the
activation (held until the run ends: `activation`) tells the target to mark every row of
another version deleted. A stream here counts the rows its read sent, notes what made
the read untrustworthy (`untrusted`: an item of TimeCamp's left out, `left_out`, or
skipped for its key, `tap_timecamp.keys`, among them), and at the end of the run says
whether its version may be activated (`may_activate`). The row count of the last
activated read lives in the stream's state (`ACTIVATED_ROWS`) and changes only when a
read is activated.
"""

from __future__ import annotations

import typing as t

from tap_timecamp import plausibility
from tap_timecamp.base_stream import TimeCampStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# In a full-table stream's state: the rows of its last activated read.
ACTIVATED_ROWS = "activated_rows"


class FullTableStream(TimeCampStream):
    """A stream whose every run reads its whole set, activated only when the read is trusted."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Nothing read yet."""
        super().__init__(*args, **kwargs)
        self.rows_read = 0
        # Why this run's read cannot be trusted to be the whole set (None: it can).
        self.untrusted: str | None = None

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        """The record, counted for the activation guard."""
        record = super().post_process(row, context)
        if record is not None:
            self.rows_read += 1
        return record

    def left_out(self, count: int, why: str) -> None:
        """Warn that `count` items of TimeCamp's answer were not sent (`why`); distrust the read.

        The target would mark an item left out deleted, though TimeCamp still has it.
        """
        if not count:
            return
        said = f"left out {count} item{'s' if count > 1 else ''} of GET {self.path} {why}"
        self.logger.warning("%s: %s", self.name, said)
        self.untrusted = self.untrusted or said

    @property
    def last_activated_rows(self) -> int | None:
        """The rows of the last activated read, or None if the state does not say."""
        value = self.get_context_state(None).get(ACTIVATED_ROWS)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def implausible(
        self, *, last: int | None, new: int, last_read: str = "the last activated read"
    ) -> str | None:
        """Why `new` live rows after `last` are no proof of deletions, or None (`plausibility`)."""
        settings = self.settings
        return plausibility.refusal(
            self.name,
            last=last,
            new=new,
            bound=plausibility.ShrinkBound(settings.max_shrink_rows, settings.max_shrink_percent),
            accepted=self.name in settings.accept_mass_deletion,
            last_read=last_read,
        )

    def may_activate(self) -> bool:
        """Whether this run's read may become the stream's version; a warning if not.

        Call once the run has read every stream. An activated read's row count becomes
        the one the next run is compared with; a refused run leaves it as it was.
        """
        skipped = self.key_check.skipped
        distrusted = self.untrusted or (
            skipped and f"{skipped} item{'s' if skipped > 1 else ''} skipped without a whole key"
        )
        untrusted = distrusted and (
            f"{self.name}: {distrusted}; nothing is marked deleted this run, the rows "
            "read stay live"
        )
        why = untrusted or self.implausible(last=self.last_activated_rows, new=self.rows_read)
        if why is not None:
            self.logger.warning("%s", why)
            return False
        self.get_context_state(None)[ACTIVATED_ROWS] = self.rows_read
        return True
