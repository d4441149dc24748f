"""The SDK's record conformance, compiled once per schema.

Before it writes a record, the SDK conforms it to the stream's effective schema
(`conform_record_data_types`): properties the schema does not name are dropped (with one
warning), NaN and infinite numbers become null, values of boolean-only properties become
booleans, and date/time objects become ISO strings. It re-reads the schema for every
property of every record, which made it the largest single cost of reading time entries.

`compile_conformer` reads the schema once and returns a function that gives the same
result for the same record; a stream that uses it sets `TYPE_CONFORMANCE_LEVEL` to
`NONE` so that the work is not done twice. The unit tests compare both on the same
records.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import math
import typing as t

Record = dict[str, t.Any]
Conformer = t.Callable[[Record, str | None], tuple[Record, list[str]]]
_ValueConformer = t.Callable[[t.Any, str], tuple[t.Any, list[str]]]
_EPOCH = dt.datetime.fromtimestamp(0, dt.UTC)


def _type_names(schema: t.Mapping[str, t.Any]) -> list[t.Any]:
    return list(schema.get("anyOf", [schema.get("type")]))


def _is_object(schema: t.Mapping[str, t.Any]) -> bool:
    if "anyOf" not in schema and "type" not in schema:
        return False
    return any(kind == "object" or "object" in (kind or ()) for kind in _type_names(schema))


def _is_array(schema: t.Mapping[str, t.Any]) -> bool:
    if "anyOf" in schema:
        return any(isinstance(kind, dict) and _is_array(kind) for kind in schema["anyOf"])
    if "allOf" in schema:
        return all(isinstance(kind, dict) and _is_array(kind) for kind in schema["allOf"])
    return "array" in (schema.get("type") or ())


def _is_uniform_list(schema: t.Mapping[str, t.Any]) -> bool:
    return (
        _is_array(schema)
        and "items" in schema
        and "prefixItems" not in schema
        and isinstance(schema["items"], dict)
    )


def _is_boolean(schema: t.Mapping[str, t.Any]) -> bool:
    if "anyOf" not in schema and "type" not in schema:
        return False
    for kind in _type_names(schema):
        named = kind.get("type", []) if isinstance(kind, dict) else kind
        if named == "boolean" or "boolean" in (named or ()):
            return True
    return False


def _is_exclusive_boolean(schema: t.Mapping[str, t.Any]) -> bool:
    if "type" not in schema:
        return False
    kind = schema["type"]
    return kind in ("boolean", ["boolean"]) or set(kind) == {"boolean", "null"}


def _primitive(schema: t.Mapping[str, t.Any]) -> t.Callable[[t.Any], t.Any]:
    """How the SDK conforms a value that is neither a listed array nor a known object."""
    exclusive_boolean = _is_exclusive_boolean(schema)
    boolean = _is_boolean(schema)

    def conform(value: t.Any) -> t.Any:  # noqa: PLR0911
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            if exclusive_boolean:
                return None if value is None else value != 0
            return value
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.isoformat("T", timespec="microseconds")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dt.timedelta):
            return (_EPOCH + value).isoformat()
        if isinstance(value, dt.time):
            return str(value)
        if isinstance(value, bytes):
            return value != b"\x00" if boolean else value.hex()
        if isinstance(value, float | decimal.Decimal):
            if math.isnan(value) or math.isinf(value):
                return None
            return value
        if exclusive_boolean:
            return value != 0
        return value

    return conform


def _value(schema: t.Mapping[str, t.Any]) -> _ValueConformer:
    uniform_list = _is_uniform_list(schema)
    nested = compile_conformer(schema) if _is_object(schema) and "properties" in schema else None
    item = _item(schema["items"]) if uniform_list else None
    primitive = _primitive(schema)

    def conform(value: t.Any, path: str) -> tuple[t.Any, list[str]]:
        if item is not None and isinstance(value, list):
            out, unmapped = [], []
            for element in value:
                conformed, missing = item(element, path)
                out.append(conformed)
                unmapped.extend(missing)
            return out, unmapped
        if nested is not None and isinstance(value, dict):
            return nested(value, path)
        return primitive(value), []

    return conform


def _item(schema: t.Mapping[str, t.Any]) -> _ValueConformer:
    """An element of a uniform list: an object if both say so, else a primitive."""
    nested = compile_conformer(schema) if _is_object(schema) else None
    primitive = _primitive(schema)

    def conform(value: t.Any, path: str) -> tuple[t.Any, list[str]]:
        if nested is not None and isinstance(value, dict):
            return nested(value, path)
        return primitive(value), []

    return conform


def compile_conformer(schema: t.Mapping[str, t.Any]) -> Conformer:
    """Return `record, parent -> (conformed record, unmapped property paths)` for `schema`."""
    properties = schema.get("properties", {})
    keep_others = bool(schema.get("additionalProperties"))
    fields: dict[str, _ValueConformer] = {}

    def field(name: str) -> _ValueConformer:
        # Compiled on first use: schemas may nest deeply and most nested objects never occur.
        if name not in fields:
            fields[name] = _value(properties[name])
        return fields[name]

    def conform(record: Record, parent: str | None) -> tuple[Record, list[str]]:
        out: Record = {}
        unmapped: list[str] = []
        for name, value in record.items():
            if name not in properties:
                if keep_others:
                    out[name] = value
                else:
                    unmapped.append(name if parent is None else f"{parent}.{name}")
                continue
            # Strings, numbers and nulls of a non-boolean property stay as they are.
            kind = type(value)
            if (kind is str or kind is int or value is None) and name in fields_plain:
                out[name] = value
                continue
            out[name], missing = field(name)(value, name if parent is None else f"{parent}.{name}")
            if missing:
                unmapped.extend(missing)
        return out, unmapped

    fields_plain = frozenset(
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and not _is_exclusive_boolean(prop)
    )
    return conform


@functools.lru_cache
def warn_unmapped(stream_name: str, paths: tuple[str, ...], logger: logging.Logger) -> None:
    """Warn once per stream and set of properties, as the SDK does."""
    logger.warning(
        "Properties %s were present in the '%s' stream but not found in catalog schema. Ignoring.",
        paths,
        stream_name,
    )
