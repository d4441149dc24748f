"""Parts of the emulator harness that need no emulator: the gzip layer, credentials, rules."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import google.auth
import pytest
from google.resumable_media import _upload

from bigquery_emulator import FailureRule, compat, credentials

NDJSON_LOAD = {
    "configuration": {
        "load": {
            "sourceFormat": "NEWLINE_DELIMITED_JSON",
            "destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "t"},
        }
    },
    "jobReference": {"projectId": "p", "jobId": "j"},
}


def client_multipart(data: bytes, metadata: dict[str, object]) -> tuple[str, bytes]:
    # Exactly what google-cloud-bigquery sends for a small load_table_from_file.
    build = _upload.construct_multipart_request
    body, boundary = build(data, metadata, "*/*")  # type: ignore[no-untyped-call]
    return f'multipart/related; boundary="{boundary.decode()}"', body


def test_multipart_split_and_join_round_trip_byte_for_byte() -> None:
    content_type, body = client_multipart(b"\x00\x01binary\r\n--x", NDJSON_LOAD)
    boundary = compat.boundary_of(content_type)
    assert boundary is not None
    assert compat.join_multipart(compat.split_multipart(body, boundary), boundary) == body


def test_gzip_ndjson_upload_is_decompressed_and_metadata_kept() -> None:
    text = b'{"id": 1}\n{"id": 2}\n'
    content_type, body = client_multipart(gzip.compress(text), NDJSON_LOAD)
    rewritten = compat.rewrite_multipart_upload(content_type, body)
    assert rewritten is not None
    new_type, new_body = rewritten
    boundary = compat.boundary_of(new_type)
    assert boundary is not None
    metadata, data = compat.split_multipart(new_body, boundary)
    assert json.loads(metadata.body) == NDJSON_LOAD
    assert data.body == text


def test_plain_upload_is_left_alone() -> None:
    content_type, body = client_multipart(b'{"id": 1}\n', NDJSON_LOAD)
    assert compat.rewrite_multipart_upload(content_type, body) is None


def test_binary_format_upload_is_left_alone() -> None:
    parquet = json.loads(json.dumps(NDJSON_LOAD))
    parquet["configuration"]["load"]["sourceFormat"] = "PARQUET"
    content_type, body = client_multipart(gzip.compress(b"PAR1"), parquet)
    assert compat.rewrite_multipart_upload(content_type, body) is None


def test_boundary_found_in_decompressed_text_is_replaced() -> None:
    content_type, body = client_multipart(b"placeholder", NDJSON_LOAD)
    boundary = compat.boundary_of(content_type)
    assert boundary is not None
    text = f'{{"note": "--{boundary}"}}\n'.encode()
    content_type, body = client_multipart(gzip.compress(text), NDJSON_LOAD)
    # Force the collision: reuse the first boundary for the second body.
    second = compat.boundary_of(content_type)
    assert second is not None
    body = body.replace(second.encode(), boundary.encode())
    content_type = content_type.replace(second, boundary)
    rewritten = compat.rewrite_multipart_upload(content_type, body)
    assert rewritten is not None
    new_boundary = compat.boundary_of(rewritten[0])
    assert new_boundary is not None
    assert new_boundary != boundary
    assert compat.split_multipart(rewritten[1], new_boundary)[1].body == text


def test_concatenated_gzip_members_are_all_decompressed() -> None:
    data = gzip.compress(b'{"id": 1}\n') + gzip.compress(b'{"id": 2}\n')
    assert compat.gunzip_if_compressed(data) == b'{"id": 1}\n{"id": 2}\n'


def test_default_credentials_need_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = credentials.write_credentials(tmp_path / "creds.json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "local-project")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network call {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    creds, project = google.auth.default()
    assert project == "local-project"
    assert creds.valid
    assert creds.token == credentials.TOKEN


def test_credentials_file_is_private(tmp_path: Path) -> None:
    path = credentials.write_credentials(tmp_path / "creds.json")
    assert path.stat().st_mode & 0o077 == 0


def test_failure_rule_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        FailureRule(kind="copy")  # type: ignore[arg-type]
