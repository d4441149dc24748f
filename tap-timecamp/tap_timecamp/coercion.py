"""Bring TimeCamp's loosely typed JSON to the types a stream's schema declares.

TimeCamp sends the same field as a number in one place and a string in another (ids,
flags, rates; old API versions sent entry ids as strings). Targets build typed columns
from the schema, so each value is converted to the declared type once, at the edge,
and a value that cannot be converted becomes null rather than corrupting its column.
"""

from __future__ import annotations

import typing as t

Converter = t.Callable[[t.Any], t.Any]
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def to_integer(value: t.Any) -> int | None:
    """Return `value` as an int ("42", 42.0 and True are accepted), or None."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def to_number(value: t.Any) -> float | None:
    """Return `value` as a float ("12.50" and 12 are accepted), or None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def to_string(value: t.Any) -> str | None:
    """Return `value` as TimeCamp would have written it as a string."""
    if type(value) is str or value is None:
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return None


def to_boolean(value: t.Any) -> bool | None:
    """Return `value` as a bool (1/0, "1"/"0", "true"/"false"), or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


_SCALARS: dict[str, Converter] = {
    "integer": to_integer,
    "number": to_number,
    "boolean": to_boolean,
    "string": to_string,
}


def _declared_type(schema: t.Mapping[str, t.Any]) -> str | None:
    types = schema.get("type")
    if isinstance(types, str):
        return types
    if isinstance(types, list):
        named = [kind for kind in types if kind != "null"]
        return named[0] if len(named) == 1 else None
    return None


def _converter(schema: t.Mapping[str, t.Any]) -> Converter | None:
    kind = _declared_type(schema)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        return _list_of(_converter(schema.get("items", {})))
    if kind == "object" and "properties" in schema:
        return _object_of(converters(schema))
    return None


def _list_of(item: Converter | None) -> Converter:
    def convert(value: t.Any) -> list[t.Any] | None:
        if value is None:
            return None
        if isinstance(value, dict):
            # PHP serialises an empty or id-keyed collection as an object.
            value = list(value.values())
        if not isinstance(value, list):
            return None
        return value if item is None else [item(v) for v in value]

    return convert


def _object_of(fields: dict[str, Converter]) -> Converter:
    def convert(value: t.Any) -> dict[str, t.Any] | None:
        if not isinstance(value, dict):
            return None
        return coerce(value, fields)

    return convert


def converters(schema: t.Mapping[str, t.Any]) -> dict[str, Converter]:
    """Return one converter per property of an object schema that has a simple type."""
    found = {}
    for name, prop in schema.get("properties", {}).items():
        convert = _converter(prop)
        if convert is not None:
            found[name] = convert
    return found


def coerce(record: dict[str, t.Any], fields: t.Mapping[str, Converter]) -> dict[str, t.Any]:
    """Convert, in place, every field of `record` that has a converter; return it."""
    for name, value in record.items():
        convert = fields.get(name)
        if convert is None or value is None:
            continue
        # Most values already have their declared type: skip the call (a hot loop).
        kind = type(value)
        if (kind is str and convert is to_string) or (kind is int and convert is to_integer):
            continue
        record[name] = convert(value)
    return record
