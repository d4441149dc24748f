"""The loader's settings: what each may hold, checked before any input is read.

Every failure is one line naming the setting; a credential's value is never repeated, in any
form (a path is not a secret, a key is).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from target_bigquery_safe.errors import UnsupportedConfigError

# z3-target-bigquery 0.7.2 settings this loader does not have: refused by name, so that a
# config written for that loader cannot be half-applied in silence.
OLD_LOADER_SETTINGS = frozenset(
    {
        "overwrite",
        "cluster_on_key_properties",
        "partition_granularity",
        "schema_resolver_version",
        "column_name_transforms",
        "fail_fast",
        "generate_view",
        "bucket",
        "options",
    }
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("project", th.StringType, required=True, description="Google Cloud project."),
    th.Property("dataset", th.StringType, required=True, description="Dataset; it must exist."),
    th.Property("location", th.StringType, default="US", description="Location of the dataset."),
    th.Property(
        "credentials_path",
        th.StringType,
        description="Service-account key file (else Application Default Credentials).",
    ),
    th.Property(
        "credentials_json",
        th.CustomType({"type": ["string", "object"]}),
        secret=True,
        description="Service-account key as JSON text or as a mapping.",
    ),
    th.Property(
        "method",
        th.StringType,
        default="batch_job",
        allowed_values=["batch_job"],
        description="How rows are written: load jobs.",
    ),
    th.Property("denormalized", th.BooleanType, default=True, description="One column per field."),
    th.Property(
        "upsert",
        th.BooleanType,
        default=True,
        description="Load into a temporary table, then MERGE on the stream's key.",
    ),
    th.Property(
        "dedupe_before_upsert",
        th.BooleanType,
        default=True,
        description="Keep the latest row per key when a batch holds a key twice.",
    ),
    th.Property(
        "batch_size",
        th.IntegerType,
        default=1_000_000,
        description="Records per load job (and MERGE).",
    ),
    th.Property("timeout", th.IntegerType, default=600, description="Seconds a job may take."),
).to_dict()

_SETTINGS = frozenset(CONFIG_SCHEMA["properties"]) | {"stream_maps", "stream_map_config"}


def _boolean(config: Mapping[str, Any], name: str, default: bool) -> bool:
    value = config.get(name, default)
    if not isinstance(value, bool):
        # A string "false" would read as true: environment variables and `meltano config set`
        # give strings, so only a YAML/JSON boolean is taken.
        raise UnsupportedConfigError(f"setting {name} must be true or false, got {value!r}")
    return value


def _positive_int(config: Mapping[str, Any], name: str, default: int) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UnsupportedConfigError(f"setting {name} must be a whole number >= 1, got {value!r}")
    return value


def _text(config: Mapping[str, Any], name: str, *, required: bool) -> str | None:
    value = config.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UnsupportedConfigError(f"setting {name} must be a non-empty string")
    return value


def check_settings(config: Mapping[str, Any], sdk_defaults: Mapping[str, Any]) -> None:
    """Raise one line for the first setting that is unknown or holds what the loader cannot use.

    ``sdk_defaults`` are the SDK's own settings with their defaults, which the SDK puts in
    every config; one of them set to anything else is refused too (``batch_size_rows`` would
    contradict ``batch_size``, ``add_record_metadata: false`` the metadata columns).
    """
    for name in sorted(config):
        if name in sdk_defaults and name not in _SETTINGS:
            if config[name] != sdk_defaults[name]:
                raise UnsupportedConfigError(f"setting {name} is not supported by this loader")
            continue
        if name in OLD_LOADER_SETTINGS:
            raise UnsupportedConfigError(
                f"setting {name} (of z3-target-bigquery) is not supported by this loader; remove it"
            )
        if name not in _SETTINGS:
            raise UnsupportedConfigError(
                f"unknown setting {name}; the settings are {', '.join(sorted(_SETTINGS))}"
            )
    _text(config, "project", required=True)
    _text(config, "dataset", required=True)
    _text(config, "location", required=False)
    _text(config, "credentials_path", required=False)
    if config.get("method", "batch_job") != "batch_job":
        raise UnsupportedConfigError(
            f"setting method must be batch_job (load jobs), got {config.get('method')!r}"
        )
    if not _boolean(config, "denormalized", default=True):
        raise UnsupportedConfigError("setting denormalized must be true: one column per field")
    _boolean(config, "upsert", default=True)
    _boolean(config, "dedupe_before_upsert", default=True)
    _positive_int(config, "batch_size", 1_000_000)
    _positive_int(config, "timeout", 600)
    for name in ("stream_maps", "stream_map_config"):
        if not isinstance(config.get(name, {}), Mapping):
            raise UnsupportedConfigError(f"setting {name} must be a mapping")
    credentials_json = config.get("credentials_json")
    if credentials_json is not None and not isinstance(credentials_json, str | Mapping):
        raise UnsupportedConfigError(
            "setting credentials_json must be a service-account key: JSON text or a mapping"
        )


def service_account_info(credentials_json: str | Mapping[str, Any]) -> dict[str, Any]:
    """The key ``credentials_json`` holds, as a mapping (it may come as text or as one)."""
    if isinstance(credentials_json, Mapping):
        return dict(credentials_json)
    try:
        info = json.loads(credentials_json)
    except ValueError:
        # The parser's message quotes the text around the error: part of the key.
        raise UnsupportedConfigError("setting credentials_json is not valid JSON") from None
    if not isinstance(info, dict):
        raise UnsupportedConfigError("setting credentials_json must hold a JSON object")
    return info
