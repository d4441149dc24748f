"""ACTIVATE_VERSION messages go out once the whole run has been read, never before.

With `emit_activate_version_messages` on, singer-sdk 0.54 writes one ACTIVATE_VERSION for
each full-table stream *before* its records (and stamps each record with that version).
Targets act on the message when it arrives: target-postgres marks deleted (with
`hard_delete`, deletes) every row of an older version there and then, and re-marks live
only the rows that follow. If the run then fails, every row not yet sent again stays marked;
and a target cannot tell a failed read from a finished one, since Meltano closes the
target's input as usual when the tap fails. Held back until every stream has been read, the
message means what targets take it to mean: the whole set has been sent. A run that fails
sends none, so it marks nothing. And only the streams whose read the run trusts
(`full_table.FullTableStream.may_activate`) are activated: the others' messages are dropped,
their rows stay live.
"""

from __future__ import annotations

import typing as t

from singer_sdk.singerlib import ActivateVersionMessage
from singer_sdk.singerlib.encoding.simple import Message

from tap_timecamp.output import BufferedMsgSpecWriter

if t.TYPE_CHECKING:
    from collections.abc import Collection


class ActivateAfterRunWriter(BufferedMsgSpecWriter):
    """`BufferedMsgSpecWriter` that keeps ACTIVATE_VERSION messages until `activate_versions`."""

    def __init__(self) -> None:
        """Hold nothing yet."""
        super().__init__()
        self.held: list[ActivateVersionMessage] = []

    def write_message(self, message: Message) -> None:
        """Hold an ACTIVATE_VERSION; write any other message as the buffered writer does."""
        if isinstance(message, ActivateVersionMessage):
            self.held.append(message)
            return
        super().write_message(message)

    def activate_versions(self, streams: Collection[str]) -> None:
        """Write the held ACTIVATE_VERSION messages of `streams` (as sent: aliases), drop others.

        Call once every stream has been read.
        """
        held, self.held = self.held, []
        for message in held:
            if message.stream in streams:
                super().write_message(message)
