"""Singer messages to stdout, without a flush per record.

The SDK's `MsgSpecWriter` flushes stdout after every message: one `write` system call
per record, which costs more than encoding the record. This writer lets RECORD messages
collect in stdout's buffer and flushes at every other message (SCHEMA, STATE, ...). One
buffer keeps the order, so a STATE always reaches the target after the records it covers,
and the flush that follows it means the target sees a STATE as soon as it is written.
"""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message


class BufferedMsgSpecWriter(MsgSpecWriter):
    """`MsgSpecWriter` that flushes stdout at every message except RECORD."""

    def write_message(self, message: Message) -> None:
        """Write a message; flush unless it is a record."""
        out = sys.stdout.buffer
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
