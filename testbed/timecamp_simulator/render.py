"""Bodies as TimeCamp's PHP backend prints them: compact JSON with escaped slashes, or XML.

Large lists are rendered as an iterator of byte chunks so a 100k-entry response is never
held in memory as one string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_BATCH = 500
XML_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def php_json(value: Any) -> str:
    """json_encode defaults: ASCII-only with \\uXXXX escapes, and '/' escaped as '\\/'."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def json_chunks(value: Any, items: Iterable[Any] | None) -> Iterator[bytes]:
    """Render `value`, or stream the JSON array of `items` when given."""
    if items is None:
        yield php_json(value).encode()
        return
    yield b"["
    first = True
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= _BATCH:
            yield (b"" if first else b",") + php_json(batch)[1:-1].encode()
            first = False
            batch = []
    if batch:
        yield (b"" if first else b",") + php_json(batch)[1:-1].encode()
    yield b"]"


def json_lines_chunks(items: Iterable[Any]) -> Iterator[bytes]:
    """Stream `items` as newline-delimited JSON (plain UTF-8, no PHP escaping)."""
    batch: list[str] = []
    for item in items:
        batch.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        if len(batch) >= _BATCH:
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def _xml_name(key: str) -> tuple[str, str]:
    # Numeric dict keys (ids) are not valid element names: TimeCamp-style <item key="...">.
    if key and (key[0].isalpha() or key[0] == "_") and all(c.isalnum() or c in "_-." for c in key):
        return key, ""
    return "item", f" key={quoteattr(key)}"


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # XML 1.0 cannot carry most control characters at all; drop them as PHP's encoder does.
    text = "".join(c for c in text if c >= " " or c in "\t\n\r")
    return escape(text)


def xml_element(name: str, value: Any, out: list[str]) -> None:
    """Append the XML for one named value to `out`."""
    tag, attrs = _xml_name(name)
    if isinstance(value, dict):
        out.append(f"<{tag}{attrs}>")
        for key, child in value.items():
            xml_element(str(key), child, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list):
        out.append(f"<{tag}{attrs}>")
        for child in value:
            xml_element("item", child, out)
        out.append(f"</{tag}>")
    elif value is None:
        out.append(f"<{tag}{attrs}/>")
    else:
        out.append(f"<{tag}{attrs}>{_xml_text(value)}</{tag}>")


def xml_chunks(value: Any, items: Iterable[Any] | None) -> Iterator[bytes]:
    """Render `value` (or stream `items` as a list) inside a <response> root."""
    yield XML_HEADER
    if items is None:
        out: list[str] = []
        xml_element("response", value, out)
        yield "".join(out).encode()
        return
    yield b"<response>"
    out = []
    for item in items:
        xml_element("item", item, out)
        if len(out) > 20 * _BATCH:
            yield "".join(out).encode()
            out = []
    out.append("</response>")
    yield "".join(out).encode()
