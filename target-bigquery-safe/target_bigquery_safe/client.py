"""The one BigQuery client of a run, from the configured credentials.

One client (one HTTP connection pool) serves every stream. The target never has more
requests in flight than the pool keeps connections (``parallel.MAX_THREADS`` workers plus
the reading thread, against the client's default pool of 10), so no connection is ever
discarded with a "Connection pool is full" warning in the run's log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery
from google.oauth2 import service_account

from target_bigquery_safe.errors import CredentialsError
from target_bigquery_safe.settings import service_account_info


def _credentials(config: Mapping[str, Any]) -> service_account.Credentials | None:
    path, text = config.get("credentials_path"), config.get("credentials_json")
    try:
        if path:
            # google-auth's constructors carry no annotations.
            return service_account.Credentials.from_service_account_file(path)  # type: ignore[no-untyped-call,no-any-return]
        if text:
            return service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call,no-any-return]
                service_account_info(text)
            )
    except FileNotFoundError:
        raise CredentialsError(f"credentials_path {path} does not exist") from None
    except (ValueError, KeyError, TypeError, GoogleAuthError):
        # Not the library's message: it may quote the key it could not read.
        setting = "credentials_path" if path else "credentials_json"
        raise CredentialsError(
            f"setting {setting} does not hold a readable service-account key"
        ) from None
    return None  # Application Default Credentials


def bigquery_client(config: Mapping[str, Any]) -> bigquery.Client:
    """A client for the configured project and location; a credentials problem is one line."""
    credentials = _credentials(config)
    try:
        return bigquery.Client(
            project=config["project"], credentials=credentials, location=config.get("location")
        )
    except GoogleAuthError as exc:
        raise CredentialsError(
            "no Google credentials: set credentials_path or credentials_json, or "
            f"GOOGLE_APPLICATION_CREDENTIALS ({type(exc).__name__})"
        ) from None
