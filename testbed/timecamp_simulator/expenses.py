"""Expenses and their categories (TimeCamp's v3 API): typed JSON, camelCase, paginated lists.

Expenses are derived from the seed over the entry range: a few per active user per month,
each made on a day of the range. An administrator's later edits are kept as overrides
that stamp `updatedAt`, as the real API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from timecamp_simulator.catalog import Catalog
from timecamp_simulator.clock import Clock
from timecamp_simulator.data import mix64, stamp

EXPENSE_ID_BASE = 74
CURRENCY_ID = 2
# id, name, colour, unit price (minor units) and unit name: a category without a unit is
# a plain amount.
_CATEGORIES = [
    (50, "Travel", "#4DC2E8", None, None),
    (51, "Meals", "#5DCB73", None, None),
    (52, "Mileage", "#F5A623", 115, "km"),
    (53, "Hardware «IT»", "#9013FE", None, None),
]
_DESCRIPTIONS = ["Taxi to the client", "Lunch with Żabka", "", None, 'Monitor 27"', "Train"]


@dataclass
class PageShift:
    """Changes made to the expenses right after a page of `/v3/expense/list` is served.

    What a client meets when others edit the account while it pages through the list:
    expenses deleted, `madeAt` edited (moving one in `made_at` order), expenses added.
    """

    after_page: int
    delete: list[int] = field(default_factory=list)
    # How many of the served page's own expenses to delete, from its first.
    delete_served: int = 0
    edit: dict[int, dict[str, Any]] = field(default_factory=dict)
    add: int = 0


class ExpenseBook:
    """The account's expense categories and expenses."""

    def __init__(self, catalog: Catalog, seed: int, start: date, end: date, clock: Clock) -> None:
        """Make every expense of `start..end`."""
        self.clock = clock
        created = datetime(start.year, start.month, start.day, 9) - timedelta(days=120)
        self.categories: list[dict[str, Any]] = [
            {
                "id": category_id,
                "rootGroupId": catalog.root_group_id,
                "name": name,
                "color": color,
                "unitPrice": unit_price,
                "unitName": unit_name,
                "currencyId": CURRENCY_ID,
                "createdAt": stamp(created + timedelta(days=k)),
                # A category never updated says so as the string 'null' (the spec's example).
                "updatedAt": "null" if k % 2 else stamp(created + timedelta(days=40 + k)),
            }
            for k, (category_id, name, color, unit_price, unit_name) in enumerate(_CATEGORIES)
        ]
        # Changes made while a client pages through the list (`page_served`).
        self.shifts: list[PageShift] = []
        # Added to the true count in `totalItemQuantity`: a list that misstates its size.
        self.total_error = 0
        users = [u for u in catalog.users if not u.disabled]
        tasks = [t for t in catalog.tasks if not t.archived]
        key = mix64(seed ^ 0xE7E)
        self.expenses: dict[int, dict[str, Any]] = {}
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            for user in users:
                h = mix64(key ^ (user.user_id * 1_000_003 + day.toordinal()))
                if h % 11:
                    continue
                expense_id = EXPENSE_ID_BASE + len(self.expenses)
                made = datetime(day.year, day.month, day.day, 8) + timedelta(seconds=h % 36_000)
                category = self.categories[(h >> 8) % len(self.categories)]
                invoiced = (h >> 16) % 5 == 0
                self.expenses[expense_id] = {
                    "id": expense_id,
                    "currencyId": CURRENCY_ID,
                    "expenseCategory": category,
                    "taskId": tasks[(h >> 20) % len(tasks)].task_id,
                    "amount": 500 + (h >> 24) % 40_000,
                    "description": _DESCRIPTIONS[(h >> 32) % len(_DESCRIPTIONS)],
                    "status": (h >> 36) % 2,
                    "isBillable": (h >> 40) % 3 != 0,
                    "invoiceId": 900 + (h >> 44) % 20 if invoiced else None,
                    "madeBy": user.user_id,
                    "madeAt": stamp(made),
                    "createdBy": user.user_id,
                    "updatedBy": None,
                    "createdAt": stamp(made + timedelta(hours=2)),
                    "updatedAt": None,
                }
        # TimeCamp's ids grow: a new expense never gets the id of one deleted.
        self.next_id = EXPENSE_ID_BASE + len(self.expenses)

    def delete(self, expense_id: int) -> None:
        """Delete an expense: the list stops showing it."""
        del self.expenses[expense_id]

    def add_like(self, expense_id: int) -> dict[str, Any]:
        """A new expense (the next id, never one a deleted expense had), made now."""
        new_id = self.next_id
        self.next_id += 1
        made = stamp(self.clock.now())
        self.expenses[new_id] = {
            **self.expenses[expense_id],
            "id": new_id,
            "madeAt": made,
            "createdAt": made,
        }
        return dict(self.expenses[new_id])

    def page_served(self, page: int, served: list[int]) -> None:
        """Apply the shifts waiting for `page` (holding the ids `served`) to be served, once."""
        due = [shift for shift in self.shifts if shift.after_page == page]
        self.shifts = [shift for shift in self.shifts if shift.after_page != page]
        for shift in due:
            for expense_id in [*shift.delete, *served[: shift.delete_served]]:
                self.delete(expense_id)
            for expense_id, changes in shift.edit.items():
                self.edit(expense_id, changes)
            for _ in range(shift.add):
                self.add_like(min(self.expenses))

    def edit(self, expense_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change an expense after the fact (`amount`, `description`, ...); stamps `updatedAt`."""
        expense = self.expenses[expense_id]
        expense.update(changes)
        expense["updatedBy"] = expense["madeBy"]
        expense["updatedAt"] = stamp(self.clock.now())
        return dict(expense)

    def made_within(self, first: date | None, last: date | None) -> list[dict[str, Any]]:
        """The expenses made on `first..last` (either end open when None)."""
        return [
            expense
            for expense in self.expenses.values()
            if (first is None or expense["madeAt"][:10] >= first.isoformat())
            and (last is None or expense["madeAt"][:10] <= last.isoformat())
        ]
