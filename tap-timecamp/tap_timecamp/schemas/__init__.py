"""JSON Schemas of the streams, one data file each."""

from __future__ import annotations

import importlib.resources
import json
import typing as t


def load(name: str) -> dict[str, t.Any]:
    """Read the JSON Schema of stream `name`."""
    text = (importlib.resources.files(__name__) / f"{name}.json").read_text(encoding="utf-8")
    return t.cast("dict[str, t.Any]", json.loads(text))
