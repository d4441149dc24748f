"""Write throw-away Application Default Credentials for talking to the emulator.

An ``authorized_user`` file with a preset access token and a far expiry is valid as
loaded, so google-auth never refreshes it and never reaches Google's token endpoint.
The emulator accepts any bearer token. The values are placeholders, not secrets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FAR_EXPIRY = "2999-01-01T00:00:00Z"
TOKEN = "bigquery-emulator-local-token"  # noqa: S105 - a placeholder the emulator ignores


def credentials_info() -> dict[str, str]:
    """Return the authorized_user document; the refresh fields exist only to pass validation."""
    return {
        "type": "authorized_user",
        "client_id": "bigquery-emulator.local",
        "client_secret": "not-a-secret",
        "refresh_token": "not-a-refresh-token",
        "token": TOKEN,
        "expiry": FAR_EXPIRY,
    }


def write_credentials(path: Path) -> Path:
    """Write the credentials file (mode 0600) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(credentials_info(), handle, indent=2)
        handle.write("\n")
    return path
