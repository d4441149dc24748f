"""Response formats: XML unless JSON is asked for, PHP-style JSON encoding."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests

from timecamp_simulator import DEFAULT_TOKEN, SimulatorServer

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
DAY = {"from": "2026-02-02", "to": "2026-02-02"}
QUARTER = {"from": "2026-01-01", "to": "2026-03-31", "format": "json"}


def test_default_format_is_xml(server: SimulatorServer) -> None:
    response = requests.get(f"{server.base_url}/entries", params=DAY, headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    assert root.tag == "response"
    items = root.findall("item")
    assert items
    assert items[0].find("id") is not None
    assert items[0].findtext("date") == "2026-02-02"


def test_format_json_query_parameter_gives_json(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.base_url}/entries", params={**DAY, "format": "json"}, headers=AUTH, timeout=10
    )
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json(), list)


def test_accept_header_alone_gives_json(server: SimulatorServer) -> None:
    headers = {**AUTH, "Accept": "application/json"}
    response = requests.get(f"{server.base_url}/me", headers=headers, timeout=10)
    assert response.json()["user_id"] == "1201001"


def test_json_is_php_encoded_with_escaped_unicode_and_slashes(server: SimulatorServer) -> None:
    response = requests.get(f"{server.base_url}/entries", params=QUARTER, headers=AUTH, timeout=10)
    assert "\\u" in response.text
    assert "\\/" in response.text
    assert any("/" in e["description"] for e in response.json())


def test_xml_renders_dict_keyed_by_id_as_items_with_key(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.base_url}/tasks", params={"status": "all"}, headers=AUTH, timeout=10
    )
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    first = root.find("item")
    assert first is not None
    assert first.get("key") == first.findtext("task_id")


def test_large_lists_are_streamed_with_chunked_encoding(server: SimulatorServer) -> None:
    response = requests.get(f"{server.base_url}/entries", params=QUARTER, headers=AUTH, timeout=10)
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert len(response.json()) == 2000
