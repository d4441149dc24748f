"""The expense endpoints of TimeCamp's v3 API: /v3/expense/list (paginated) and categories."""

from __future__ import annotations

import re

from timecamp_simulator.account import Account
from timecamp_simulator.params import Params, first, parse_day
from timecamp_simulator.response import Response
from timecamp_simulator.routing import Route

DEFAULT_LIMIT = 25
# The spec gives no maximum page size; a larger `limit` is answered with pages of this.
MAX_LIMIT = 100
_SORT_FIELDS = {"made_at": "madeAt", "madeAt": "madeAt", "amount": "amount", "id": "id"}


def _positive(params: Params, name: str, default: int) -> int:
    """A page number or size: a whole number of at least 1 (anything else is a 400)."""
    raw = first(params, name)
    value = default if raw in {None, ""} else int(str(raw))
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


class ExpenseEndpoints:
    """Expense categories, and expenses a page at a time."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.book = account.expenses

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/v3/expense/list/?", self.expense_list),
            (r"/v3/expense/category/?", self.categories),
        ]

    def expense_list(self, _m: re.Match[str], params: Params) -> Response:
        """GET /v3/expense/list: one page of the expenses made in the time frame, sorted."""
        page = _positive(params, "page", 1)
        limit = min(_positive(params, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        field = _SORT_FIELDS.get(first(params, "sortBy") or "made_at")
        if field is None:
            raise ValueError("sortBy must be one of " + ", ".join(sorted(_SORT_FIELDS)))
        descending = (first(params, "sortOrder") or "desc").lower() != "asc"
        found = self.book.made_within(
            parse_day(first(params, "timeFrameStart")), parse_day(first(params, "timeFrameEnd"))
        )
        found.sort(key=lambda e: (e[field], e["id"]), reverse=descending)
        shown = [dict(e) for e in found[(page - 1) * limit : page * limit]]
        total = len(found) + self.book.total_error
        response = Response(
            value={
                "data": shown,
                "pagination": {"totalItemQuantity": total, "page": page, "limit": limit},
                "metadata": {"totalAmount": sum(e["amount"] for e in found)},
            }
        )
        self.book.page_served(page, [e["id"] for e in shown])
        return response

    def categories(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /v3/expense/category: every category, as a list."""
        return Response(value=self.book.categories)
