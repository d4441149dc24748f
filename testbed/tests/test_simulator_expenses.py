"""The expense family (v3): /v3/expense/list, paginated, and /v3/expense/category."""

from __future__ import annotations

from typing import Any

import requests

from timecamp_simulator import Simulator, SimulatorServer


def expense_page(api: requests.Session, server: SimulatorServer, **params: Any) -> Any:
    answer = api.get(f"{server.base_url}/v3/expense/list", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_pages_of_the_expense_list_hold_every_expense_once(
    api: requests.Session, server: SimulatorServer
) -> None:
    first = expense_page(api, server, limit=7, page=1)
    total = first["pagination"]["totalItemQuantity"]
    pages = -(-total // 7)

    ids = [
        e["id"]
        for page in range(1, pages + 1)
        for e in expense_page(api, server, limit=7, page=page)["data"]
    ]

    assert pages >= 3
    assert len(ids) == len(set(ids)) == total
    assert expense_page(api, server, limit=7, page=pages + 1)["data"] == []


def test_the_expense_list_is_sorted_by_made_at_newest_first_unless_asked(
    api: requests.Session, server: SimulatorServer
) -> None:
    newest_first = [e["madeAt"] for e in expense_page(api, server, limit=100)["data"]]
    oldest_first = [
        e["madeAt"] for e in expense_page(api, server, limit=100, sortOrder="asc")["data"]
    ]

    assert newest_first == sorted(newest_first, reverse=True)
    assert oldest_first == sorted(oldest_first)


def test_the_time_frame_keeps_the_expenses_made_on_its_days(
    api: requests.Session, server: SimulatorServer
) -> None:
    page = expense_page(
        api, server, timeFrameStart="2026-02-01", timeFrameEnd="2026-02-28", limit=100
    )

    assert page["data"]
    assert all("2026-02-01" <= e["madeAt"][:10] <= "2026-02-28" for e in page["data"])
    assert page["metadata"]["totalAmount"] == sum(e["amount"] for e in page["data"])


def test_expenses_are_typed_with_their_category_nested(
    api: requests.Session, server: SimulatorServer
) -> None:
    expense = expense_page(api, server, limit=1)["data"][0]

    assert isinstance(expense["id"], int)
    assert isinstance(expense["amount"], int)
    assert isinstance(expense["isBillable"], bool)
    assert {"id", "name", "unitPrice"} <= set(expense["expenseCategory"])


def test_a_bad_page_is_refused(api: requests.Session, server: SimulatorServer) -> None:
    answer = api.get(f"{server.base_url}/v3/expense/list", params={"page": "0"}, timeout=10)

    assert answer.status_code == 400


def test_an_edited_expense_is_answered_with_its_change_and_update_stamp(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    expense = expense_page(api, server, limit=1)["data"][0]

    sim.edit_expense(expense["id"], amount=1234)

    again = expense_page(api, server, limit=1)["data"][0]
    assert (again["id"], again["amount"]) == (expense["id"], 1234)
    assert again["updatedAt"] == sim.now.isoformat(sep=" ")


def test_categories_are_a_list_some_never_updated_said_as_the_string_null(
    api: requests.Session, server: SimulatorServer
) -> None:
    categories = api.get(f"{server.base_url}/v3/expense/category", timeout=10).json()

    assert isinstance(categories, list)
    assert all(isinstance(c["id"], int) for c in categories)
    assert "null" in {c["updatedAt"] for c in categories}
