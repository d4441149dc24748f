"""TimeCamp's answers decoded into what the tap reads, and refused when they are not that.

An answer that is not the shape asked for (HTML or a cut-off body under a 200, an error
object where a list belongs) is never read as "nothing": a decoder raises `AnswerError`,
and the client (`tap_timecamp.http_client`), which decodes inside its retried call,
retries the request and names the endpoint in its message. The decoders know shapes
only; they never see a URL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import typing as t

import msgspec

from tap_timecamp import clock, coercion

if t.TYPE_CHECKING:
    import requests

JSON_DECODER = msgspec.json.Decoder()
_RAW_LIST_DECODER = msgspec.json.Decoder(list[msgspec.Raw])


class AnswerError(Exception):
    """An answer that is not what was asked for: what it is instead (never its values)."""


class Me(t.NamedTuple):
    """What `GET /me` says: the token's own user, and TimeCamp's clock when it answered."""

    user_id: int
    date: dt.datetime | None


def decode_body(response: requests.Response) -> t.Any:
    """The JSON body; HTML, XML or a cut-off body is an `AnswerError`.

    A body that is not JSON is never read as "no records": that is how a login page or
    an edge error page would silently empty a table.
    """
    try:
        return JSON_DECODER.decode(response.content)
    except msgspec.DecodeError:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        msg = f"a body that is not valid JSON ({kind}, {len(response.content)} bytes)"
        raise AnswerError(msg) from None


def decode_page(response: requests.Response) -> list[t.Any]:
    """A list body as its raw, checked JSON items, each decoded when it is read.

    One page of entries then costs its bytes, not its bytes plus every entry as Python
    objects. Anything but a list of objects (`[]` is an empty page) is a broken answer.
    A raw item is decoded with `JSON_DECODER` when the page's reader reaches it.
    """
    content = response.content
    body: t.Any = None
    if content[:1] == b"[":
        # Not valid JSON: decode_body below says so.
        with contextlib.suppress(msgspec.DecodeError):
            body = _RAW_LIST_DECODER.decode(content)
    if body is None:
        body = decode_body(response)
    if not isinstance(body, list) or not all(map(_is_object, body)):
        raise wrong_shape(body, "a list of objects")
    return body


def decode_collection(
    response: requests.Response, key: str | None = None, required: tuple[str, ...] = ()
) -> list[dict[str, t.Any]]:
    """The objects of a collection: a list, or an object keyed by id, as a list.

    PHP turns an empty keyed collection into `[]`, so either shape is an answer. Newer
    endpoints wrap theirs in an object (`{"data": ...}`): `key` names where. Any other
    shape (`{"message": ...}` under a 200, items that are not objects, an item without
    one of the `required` keys) is a broken answer, retried, never read as "nothing".
    """
    body = decode_body(response)
    inner = body if key is None else body.get(key) if isinstance(body, dict) else None
    items = inner.values() if isinstance(inner, dict) else inner
    if not isinstance(items, t.ValuesView | list) or not all(map(_is_object, items)):
        where = "" if key is None else f"an object with, under `{key}`, "
        raise wrong_shape(body, f"{where}a collection of objects")
    for one in items:
        missing = [name for name in required if name not in one]
        if missing:
            raise wrong_shape(body, f"objects that each have {', '.join(map(repr, required))}")
    return list(items)


def decode_lists_by_id(response: requests.Response) -> dict[int, list[dict[str, t.Any]]]:
    """`{id: [object, ...]}`, or `[]` for none (PHP): what the endpoints of id lists answer.

    An error object (`{"message": ...}`), a key that is not an id or a value that is not
    a list of objects is a broken answer, retried, never read as "none set".
    """
    body = decode_body(response)
    if body == []:
        return {}
    found: dict[int, list[dict[str, t.Any]]] = {}
    for key, items in body.items() if isinstance(body, dict) else [(None, None)]:
        object_id = coercion.to_integer(key)
        if object_id is None or not isinstance(items, list) or not all(map(_is_object, items)):
            raise wrong_shape(body, "an object of lists keyed by id")
        found[object_id] = items
    return found


def decode_me(response: requests.Response) -> Me:
    """`/me`'s user (an object with its `user_id`) and the time of the `Date` header."""
    body = decode_body(response)
    user_id = coercion.to_integer(body.get("user_id")) if isinstance(body, dict) else None
    if user_id is None:
        raise wrong_shape(body, "an object with the user's `user_id`")
    return Me(user_id, clock.from_date_header(response.headers.get("Date")))


def wrong_shape(body: t.Any, expected: str) -> AnswerError:
    """The error for JSON that is not of the `expected` shape."""
    return AnswerError(f"JSON of the wrong shape ({_shape(body)} where {expected} was expected)")


def collection(body: t.Any) -> list[dict[str, t.Any]]:
    """The objects of a collection TimeCamp sends as a list or as an object keyed by id.

    PHP turns an empty keyed collection into `[]`, so every dict-shaped endpoint can
    answer with either shape.
    """
    items = body.values() if isinstance(body, dict) else body if isinstance(body, list) else []
    return [one for one in items if isinstance(one, dict)]


def error_text(response: requests.Response) -> str:
    """TimeCamp's own error text (`: ...`, one line), if the body carries one."""
    try:
        body = JSON_DECODER.decode(response.content)
    except msgspec.DecodeError:
        return ""
    text = body.get("message") if isinstance(body, dict) else body
    if not isinstance(text, str) or not text:
        return ""
    # One line, whatever the server put in its message.
    return ": " + " ".join(text[:200].split())


def short_body(response: requests.Response) -> str:
    """A short body (`[]` for unknown `user_ids`) as TimeCamp sent it, on one line."""
    text = " ".join(response.content[:200].decode("utf-8", "replace").split())
    return f": {text}" if text else ""


def asked_wait_in_body(response: requests.Response) -> int | float | None:
    """The number under `retry_after` of an error body (an edge's rate limit), as sent."""
    try:
        body = JSON_DECODER.decode(response.content)
    except msgspec.DecodeError:
        return None
    if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
        return t.cast("int | float", body["retry_after"])
    return None


def _is_object(one: t.Any) -> bool:
    """A JSON object: decoded, or still raw (its text then starts with `{`)."""
    if type(one) is msgspec.Raw:
        return memoryview(one)[:1].tobytes() == b"{"
    return isinstance(one, dict)


def _shape(body: t.Any) -> str:
    """A short description of a body, for messages: never its values."""
    if isinstance(body, dict):
        keys = ", ".join(sorted(map(str, body))[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(body, list):
        return "a list with items that are not objects"
    return f"a JSON {type(body).__name__}"
