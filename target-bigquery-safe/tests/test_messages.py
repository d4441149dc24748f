"""Any input line is a Singer message or one line naming it, never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from target_bigquery_safe.errors import InputError
from target_bigquery_safe.messages import CheckedSingerReader

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
MESSAGES = st.fixed_dictionaries(
    {"type": st.sampled_from(["SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION", "BATCH", "X"])},
    optional={
        "stream": st.sampled_from(["users", "tags"]) | JSON,
        "schema": st.just({"properties": {"id": {"type": "integer"}}}) | JSON,
        "key_properties": st.just(["id"]) | JSON,
        "record": st.just({"id": 1}) | JSON,
        "version": st.integers() | JSON,
        "value": JSON,
    },
)


def read(lines: list[str]) -> list[dict[str, Any] | InputError]:
    reader = CheckedSingerReader()
    outcomes: list[dict[str, Any] | InputError] = []
    for line in lines:
        try:
            outcomes.append(reader.deserialize_json(line))
        except InputError as exc:
            outcomes.append(exc)
    return outcomes


@given(st.lists(st.text(), max_size=5))
def test_any_text_is_a_message_or_one_line_naming_its_line(lines: list[str]) -> None:
    for number, outcome in enumerate(read(lines), start=1):
        if isinstance(outcome, InputError):
            assert str(outcome).startswith(f"input line {number}")
            assert "\n" not in str(outcome)
        else:
            assert isinstance(outcome, dict)


@given(st.lists(MESSAGES, max_size=6))
def test_a_message_passed_on_names_a_described_stream_and_an_integer_version(
    messages: list[dict[str, Any]],
) -> None:
    described: set[Any] = set()
    for message, outcome in zip(messages, read([json.dumps(m) for m in messages]), strict=True):
        if isinstance(outcome, InputError):
            assert "\n" not in str(outcome)
            continue
        if outcome["type"] == "STATE":  # no stream, no version: the SDK reads only its value
            assert outcome == message
            continue
        if outcome["type"] == "SCHEMA":
            described.add(outcome["stream"])
        else:
            assert outcome["stream"] in described
        versioned = outcome["type"] == "RECORD" and outcome.get("version") is not None
        if outcome["type"] == "ACTIVATE_VERSION" or versioned:
            assert type(outcome["version"]) is int
            assert 0 <= outcome["version"] < 2**63
        assert outcome == message
