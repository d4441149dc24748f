"""The expense family (v3): /v3/expense/list, paginated, and /v3/expense/category."""

from __future__ import annotations

from typing import Any

import requests

from timecamp_simulator import PageShift, Simulator, SimulatorServer


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


def ids_of_page(api: requests.Session, server: SimulatorServer, page: int) -> list[int]:
    data = expense_page(api, server, limit=5, page=page, sortBy="id", sortOrder="desc")["data"]
    return [e["id"] for e in data]


def test_an_expense_deleted_after_page_1_pulls_page_2_back_by_one(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    before = [i for page in (1, 2, 3) for i in ids_of_page(api, server, page)]
    sim.shift_expenses(PageShift(after_page=1, delete_served=1))

    page_1 = ids_of_page(api, server, 1)
    page_2 = ids_of_page(api, server, 2)

    assert page_1 == before[:5]
    assert before[0] not in sim.account.expenses.expenses
    # The first expense of the old page 2 moved onto page 1, already read: never seen.
    assert page_2 == before[6:11]


def test_an_expense_added_after_page_1_pushes_page_2_on_by_one(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    before = [i for page in (1, 2) for i in ids_of_page(api, server, page)]
    sim.shift_expenses(PageShift(after_page=1, add=1))

    ids_of_page(api, server, 1)
    page_2 = ids_of_page(api, server, 2)

    assert page_2 == before[4:9]
    assert max(sim.account.expenses.expenses) > before[0]


def test_a_shift_happens_once(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    sim.shift_expenses(PageShift(after_page=1, delete_served=1))
    ids_of_page(api, server, 1)
    count = len(sim.account.expenses.expenses)

    ids_of_page(api, server, 1)

    assert len(sim.account.expenses.expenses) == count


def test_a_misstated_total_is_told_and_the_pages_are_unchanged(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    true_total = len(sim.account.expenses.expenses)
    sim.misstate_expense_total(-3)

    page = expense_page(api, server, limit=100)

    assert page["pagination"]["totalItemQuantity"] == true_total - 3
    assert len(page["data"]) == true_total


def test_a_deleted_expense_leaves_the_list(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    gone = ids_of_page(api, server, 1)[0]

    sim.delete_expense(gone)

    assert gone not in ids_of_page(api, server, 1)
