"""Singer messages read and checked one line at a time: a bad one is one line, not a traceback.

The SDK would raise from deep inside its message handling (a KeyError for an ACTIVATE_VERSION
of an unknown stream, a parse error with the whole line, a record for a stream without a
SCHEMA). Every check that needs only the message itself runs here, before the SDK sees it,
and names the line number and the stream.
"""

from __future__ import annotations

import json
from typing import Any

from singer_sdk.io_base import SingerReader

from target_bigquery_safe.errors import InputError

# BigQuery's INTEGER is 64-bit; a version is compared with one.
_INT64_MAX = 2**63 - 1


class CheckedSingerReader(SingerReader):
    """Reads Singer messages; refuses, with one line, any the target could only crash on."""

    def __init__(self) -> None:
        """Start with no stream described."""
        super().__init__()
        self.line_number = 0
        self._described: set[str] = set()

    def deserialize_json(self, line: str) -> dict[str, Any]:
        """Parse one line and check what the SDK would otherwise crash on."""
        self.line_number += 1
        try:
            # The standard parser keeps every integer exact (orjson makes 2**64 a float).
            message = json.loads(line)
        except ValueError as exc:
            raise InputError(
                f"input line {self.line_number} is not a JSON message ({exc.args[0].split(':')[0]})"
            ) from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise InputError(f"input line {self.line_number} is not a Singer message (no type)")
        self._check(message)
        return message

    def _check(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind not in ("SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION", "BATCH"):
            raise InputError(f"input line {self.line_number}: unknown message type {kind!r}")
        if kind == "STATE":
            if "value" not in message:
                raise InputError(f"input line {self.line_number}: STATE without a value")
            return
        stream = message.get("stream")
        if not isinstance(stream, str):
            raise InputError(f"input line {self.line_number}: {kind} without a stream name")
        where = f"input line {self.line_number}, stream {stream}"
        if kind == "SCHEMA":
            self._check_schema(message, where)
            self._described.add(stream)
        else:
            self._check_stream_message(message, kind, stream, where)

    @staticmethod
    def _check_schema(message: dict[str, Any], where: str) -> None:
        schema = message.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            raise InputError(f"{where}: SCHEMA without properties")
        keys = message.get("key_properties") or []
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise InputError(f"{where}: key_properties must be a list of field names")

    def _check_stream_message(
        self, message: dict[str, Any], kind: str, stream: str, where: str
    ) -> None:
        if stream not in self._described:
            raise InputError(f"{where}: {kind} before the stream's SCHEMA")
        if kind == "RECORD" and not isinstance(message.get("record"), dict):
            raise InputError(f"{where}: RECORD without a record object")
        if kind == "BATCH":
            raise InputError(f"{where}: BATCH messages are not supported")
        version = message.get("version")
        if kind == "ACTIVATE_VERSION" or version is not None:
            if isinstance(version, bool) or not isinstance(version, int):
                raise InputError(f"{where}: version must be an integer, got {version!r}")
            if not 0 <= version <= _INT64_MAX:
                raise InputError(f"{where}: version {version} is outside BigQuery's INTEGER")
