"""Singer messages to stdout, in large writes instead of one per record.

The SDK's `MsgSpecWriter` writes and flushes stdout for every message, and stdout's own
buffer cannot be relied on to merge them: with `PYTHONUNBUFFERED` set (as in many
containers and CI runners) every record is a `write` system call, which costs more than
encoding it. This writer collects messages itself and writes them out in one piece when
the pending bytes pass `FLUSH_BYTES` and at every message that is not a RECORD (SCHEMA,
STATE, ...). One buffer keeps the order, so a STATE always reaches the target after the
records it covers, and the target sees a STATE as soon as it is written. It counts the
records it writes per stream, for the run summary.
"""

from __future__ import annotations

import collections
import sys
import weakref

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

# Large enough that system calls stop mattering, small enough that a slow target sees
# records steadily rather than in bursts.
FLUSH_BYTES = 256 * 1024


class BufferedMsgSpecWriter(MsgSpecWriter):
    """`MsgSpecWriter` that writes records out in batches of about `FLUSH_BYTES`."""

    def __init__(self) -> None:
        """Start with nothing pending."""
        super().__init__()
        self._pending = bytearray()
        self.records_written: collections.Counter[str] = collections.Counter()
        # Records read before a failure still go out when the run ends: the SDK has no
        # hook after a failed sync, and a target may want them (a JSONL file does).
        weakref.finalize(self, _write_out, self._pending)

    def write_message(self, message: Message) -> None:
        """Queue a message; write everything queued unless it is a record among few."""
        self._pending += self.format_message(message)
        if isinstance(message, RecordMessage):
            self.records_written[message.stream] += 1
            if len(self._pending) < FLUSH_BYTES:
                return
        self.flush()

    def flush(self) -> None:
        """Write out and flush every queued message."""
        _write_out(self._pending)


def _write_out(pending: bytearray) -> None:
    out = sys.stdout.buffer
    # Unbuffered, stdout is a raw file, whose `write` may take only part of the bytes.
    with memoryview(pending) as view:
        done = 0
        while done < len(view):
            done += out.write(view[done:]) or 0
    pending.clear()
    out.flush()
