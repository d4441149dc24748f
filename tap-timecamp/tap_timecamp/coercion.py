"""Bring TimeCamp's loosely typed JSON to the types a stream's schema declares, in one pass.

TimeCamp sends the same field as a number in one place and a string in another (ids,
flags, rates; old API versions sent entry ids as strings), flags as "0"/"1", and an empty
or id-keyed collection as an object. Targets build typed columns from the schema, so each
value is converted to its declared type once, at the edge: a value that cannot be
converted becomes null rather than corrupting its column, NaN and infinite numbers become
null, and properties the schema does not name are left out (and reported).

That is also what the SDK's record conformance does, but it reads the schema again for
every value of every record, the largest single cost of reading time entries. Here the
schema is read once: `compile_normaliser` turns it into one function per property, and a
stream that uses it sets `TYPE_CONFORMANCE_LEVEL` to `NONE` (see `TimeCampStream`).

Most records need nothing done (a time entry's schema declares TimeCamp's own types), so
a record is first checked against the schema as a msgspec type, in C, with no conversion
(`strict`, unknown properties refused): if every value already has its declared type, that
is the record. Anything else (a value to convert, a property to leave out and report) takes
the per-property path, which gives what it gave before.
"""

from __future__ import annotations

import functools
import logging
import math
import sys
import typing as t

import msgspec

Record = dict[str, t.Any]
Converter = t.Callable[[t.Any], t.Any]
# A record and the paths of the properties it had that the schema does not name.
Normaliser = t.Callable[[Record], tuple[Record, list[str]]]
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
    """Return `value` as a finite float ("12.50" and 12 are accepted), or None."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


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


def as_declared(value: t.Any) -> t.Any:
    """A value of a property without one declared type, as JSON can carry it."""
    if type(value) is float and not math.isfinite(value):
        return None
    return value


_SCALARS: dict[str, tuple[type, Converter]] = {
    # The type a value already has when nothing needs doing (a hot loop skips the call).
    "integer": (int, to_integer),
    "number": (type(None), to_number),
    "boolean": (bool, to_boolean),
    "string": (str, to_string),
}


class _Nested(t.Protocol):
    """Converts a value that may hold properties, noting those the schema lacks."""

    def __call__(self, value: t.Any, path: str, unmapped: list[str]) -> t.Any: ...


# A name `_object_of` has not looked up in the schema yet.
_UNSEEN: t.Any = object()


class _Field(t.NamedTuple):
    native: type  # a value of this type is left as it is
    convert: Converter | None  # for a scalar
    nested: _Nested | None  # for an object or a list


def _declared_type(schema: t.Mapping[str, t.Any]) -> str | None:
    types = schema.get("type")
    if isinstance(types, str):
        return types
    if isinstance(types, list):
        named = [kind for kind in types if kind != "null"]
        return named[0] if len(named) == 1 else None
    return None


def _field(schema: t.Mapping[str, t.Any]) -> _Field:
    kind = _declared_type(schema)
    if kind in _SCALARS:
        native, convert = _SCALARS[kind]
        return _Field(native, convert, None)
    if kind == "array":
        return _Field(type(None), None, _list_of(_field(schema.get("items") or {})))
    if kind == "object" and "properties" in schema:
        return _Field(type(None), None, _object_of(schema))
    return _Field(type(None), as_declared, None)


def _list_of(item: _Field) -> _Nested:
    def convert(value: t.Any, path: str, unmapped: list[str]) -> list[t.Any] | None:
        if isinstance(value, dict):
            # PHP serialises an empty or id-keyed collection as an object.
            value = list(value.values())
        if not isinstance(value, list):
            return None
        if item.nested is not None:
            nested = item.nested
            return [None if v is None else nested(v, path, unmapped) for v in value]
        convert = t.cast("Converter", item.convert)
        return [None if v is None else convert(v) for v in value]

    return convert


def _object_of(schema: t.Mapping[str, t.Any]) -> _Nested:
    properties = schema["properties"]
    keep_others = bool(schema.get("additionalProperties"))
    # Each name seen so far: its field, or None when the schema does not name it.
    fields: dict[str, _Field | None] = {}

    def field(name: str) -> _Field | None:
        # Compiled on first use: most properties of a wide schema may never occur.
        found = fields[name] = _field(properties[name]) if name in properties else None
        return found

    def convert(value: t.Any, path: str, unmapped: list[str]) -> Record | None:
        if not isinstance(value, dict):
            return None
        out: Record = {}
        # A dict lookup per property, not a call: this loop runs for every value read.
        seen = fields.get
        for name, item in value.items():
            found = seen(name, _UNSEEN)
            if found is _UNSEEN:
                found = field(name)
            if found is None:
                if keep_others:
                    out[name] = item
                else:
                    unmapped.append(f"{path}.{name}" if path else name)
            elif item is None or type(item) is found.native:
                out[name] = item
            elif found.nested is not None:
                out[name] = found.nested(item, f"{path}.{name}" if path else name, unmapped)
            else:
                out[name] = t.cast("Converter", found.convert)(item)
        return out

    return convert


def compile_normaliser(schema: t.Mapping[str, t.Any]) -> Normaliser:
    """Return `record -> (normalised record, paths the schema does not name)` for `schema`.

    A record already as declared is returned as checked; the others are converted.
    """
    convert = compile_converter(schema)
    declared = _declared_struct(schema)
    as_declared = converted = 0

    def normalise(record: Record) -> tuple[Record, list[str]]:
        nonlocal as_declared, converted
        # A stream whose records mostly need converting stops checking them first.
        if declared is not None and converted <= max(as_declared, _TRIES):
            try:
                record = msgspec.to_builtins(msgspec.convert(record, declared, strict=True))
            except msgspec.ValidationError:
                converted += 1
            else:
                as_declared += 1
                return record, []
        return convert(record)

    return normalise


def compile_converter(schema: t.Mapping[str, t.Any]) -> Normaliser:
    """The per-property path alone: each value converted to its declared type, or null."""
    convert = _object_of({"properties": {}, **schema})

    def normalise(record: Record) -> tuple[Record, list[str]]:
        unmapped: list[str] = []
        return t.cast("Record", convert(record, "", unmapped)), unmapped

    return normalise


# Records that need converting before a normaliser stops checking records first.
_TRIES = 32
_FINITE = t.Annotated[float, msgspec.Meta(ge=-sys.float_info.max, le=sys.float_info.max)]
_STRICT_SCALARS: dict[str, t.Any] = {
    "integer": int,
    "number": _FINITE,
    "boolean": bool,
    "string": str,
}


class _NotStrictlyTypedError(Exception):
    """A schema the per-property path treats in a way no msgspec type checks exactly."""


def _declared_struct(schema: t.Mapping[str, t.Any]) -> type | None:
    """`schema` as a msgspec type that accepts exactly the records already as declared.

    None when some property has no single declared type (kept as sent, NaN made null) or
    mixes named properties with others kept: only the per-property path treats those.
    """
    try:
        return _struct_of({"properties": {}, **schema})
    except _NotStrictlyTypedError:
        return None


def _struct_of(schema: t.Mapping[str, t.Any]) -> type:
    properties = schema["properties"]
    if schema.get("additionalProperties"):
        raise _NotStrictlyTypedError
    # Attribute names of their own: JSON property names need not be identifiers.
    fields = [
        (f"p{n}", _strict_type(prop) | None | msgspec.UnsetType, msgspec.UNSET)
        for n, prop in enumerate(properties.values())
    ]
    rename = {f"p{n}": name for n, name in enumerate(properties)}
    return msgspec.defstruct("Declared", fields, rename=rename, forbid_unknown_fields=True)


def _strict_type(schema: t.Mapping[str, t.Any]) -> t.Any:
    kind = _declared_type(schema)
    if kind in _STRICT_SCALARS:
        return _STRICT_SCALARS[kind]
    if kind == "array":
        return list[_strict_type(schema.get("items") or {}) | None]  # type: ignore[misc]
    if kind == "object" and "properties" in schema:
        return _struct_of(schema)
    raise _NotStrictlyTypedError


@functools.lru_cache
def warn_unmapped(stream_name: str, paths: tuple[str, ...], logger: logging.Logger) -> None:
    """Say once per stream and set of paths what TimeCamp sent that the schema lacks."""
    logger.warning(
        "%s: left out what TimeCamp sent that the stream's schema does not name: %s",
        stream_name,
        ", ".join(paths),
    )
