"""The one payload change the proxy makes: gunzip the data of text load uploads.

BigQuery accepts gzip-compressed CSV and newline-delimited JSON load data, and
target-bigquery's ``batch_job`` method uploads exactly that; local-bigquery reads the
bytes as plain text and fails with "Malformed JSON". Only load data of a text
format that starts with the gzip magic is touched; the job metadata and every other
byte are passed on unchanged.
"""

from __future__ import annotations

import email.message
import gzip
import json
import secrets
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"
TEXT_FORMATS = {"CSV", "NEWLINE_DELIMITED_JSON"}  # BigQuery's default sourceFormat is CSV
CRLF = b"\r\n"


def load_config(job: dict[str, Any]) -> dict[str, Any] | None:
    """Return the ``configuration.load`` of a job resource, or None for other jobs."""
    configuration = job.get("configuration")
    if not isinstance(configuration, dict):
        return None
    load = configuration.get("load")
    return load if isinstance(load, dict) else None


def is_text_load(job: dict[str, Any]) -> bool:
    """Tell whether the job loads CSV or NDJSON, the formats BigQuery may get gzipped."""
    load = load_config(job)
    return load is not None and str(load.get("sourceFormat") or "CSV") in TEXT_FORMATS


def gunzip_if_compressed(data: bytes) -> bytes:
    """Return ``data`` decompressed if it is gzip (several members allowed), else as is."""
    if data[:2] != GZIP_MAGIC:
        return data
    return gzip.decompress(data)


def boundary_of(content_type: str) -> str | None:
    """Return the multipart boundary named in a Content-Type header."""
    message = email.message.Message()
    message["Content-Type"] = content_type
    boundary = message.get_param("boundary")
    return boundary if isinstance(boundary, str) else None


class Part:
    """One part of a multipart body: raw header bytes and payload, kept verbatim."""

    def __init__(self, headers: bytes, body: bytes) -> None:
        """Hold the part."""
        self.headers = headers
        self.body = body


def split_multipart(body: bytes, boundary: str) -> list[Part]:
    """Split a multipart body into its parts (RFC 2046 delimiters), keeping bytes exact."""
    delimiter = b"--" + boundary.encode()
    if not body.startswith(delimiter):
        raise ValueError("multipart body does not start with its boundary")
    parts: list[Part] = []
    position = len(delimiter)
    while not body.startswith(b"--", position):
        if not body.startswith(CRLF, position):
            raise ValueError("malformed multipart delimiter line")
        start = position + len(CRLF)
        end = body.find(CRLF + delimiter, start)
        if end < 0:
            raise ValueError("multipart body has no closing boundary")
        headers, separator, payload = body[start:end].partition(CRLF + CRLF)
        if not separator:
            raise ValueError("multipart part has no header terminator")
        parts.append(Part(headers, payload))
        position = end + len(CRLF) + len(delimiter)
    return parts


def join_multipart(parts: list[Part], boundary: str) -> bytes:
    """Reassemble parts in the layout google-resumable-media produces."""
    delimiter = b"--" + boundary.encode()
    pieces = [delimiter + CRLF + part.headers + CRLF + CRLF + part.body + CRLF for part in parts]
    return b"".join(pieces) + delimiter + b"--"


def rewrite_multipart_upload(content_type: str, body: bytes) -> tuple[str, bytes] | None:
    """Gunzip the data part of a multipart load upload.

    Returns the new Content-Type and body, or None when nothing needs to change
    (not a text load, not gzip, or not a shape this layer understands: then the
    emulator sees the request as sent and reports its own error).
    """
    boundary = boundary_of(content_type)
    if boundary is None:
        return None
    try:
        parts = split_multipart(body, boundary)
        metadata = json.loads(parts[0].body)
    except (ValueError, IndexError):
        return None
    if len(parts) != 2 or not isinstance(metadata, dict) or not is_text_load(metadata):
        return None
    if parts[1].body[:2] != GZIP_MAGIC:
        return None
    parts[1].body = gzip.decompress(parts[1].body)
    if (b"--" + boundary.encode()) not in parts[1].body:
        return content_type, join_multipart(parts, boundary)
    # The client chose its boundary for the compressed bytes; the plain text
    # happens to contain it, so pick a fresh one that does not occur.
    while (b"--" + boundary.encode()) in parts[1].body:
        boundary = f"==============={secrets.randbelow(10**19):019d}=="
    return f'multipart/related; boundary="{boundary}"', join_multipart(parts, boundary)
