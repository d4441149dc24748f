"""Expenses and expense categories (TimeCamp's v3 API): what was spent, on which task, billable."""

from __future__ import annotations

import typing as t
import weakref

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.pagination import PageNumberPaginator

from tap_timecamp import coercion
from tap_timecamp.client import TimeCampStream

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    from singer_sdk.helpers.types import Context


class PageSaid(t.NamedTuple):
    """What a page of `/v3/expense/list` says of itself (`pagination`)."""

    total: int
    page: int
    limit: int


class ExpensePages(PageNumberPaginator):
    """Page 1, 2, ... until the pages hold `totalItemQuantity` (or one is empty)."""

    def __init__(self, said: Callable[[requests.Response], PageSaid]) -> None:
        """`said`: what an answered page says of itself."""
        super().__init__(1)
        self.said = said

    def has_more(self, response: requests.Response) -> bool:
        """Whether pages after this one hold expenses.

        A page other than the one asked for means TimeCamp ignored `page`: reading on
        would read the same page forever.
        """
        said = self.said(response)
        if said.page != self.current_value:
            msg = (
                f"TimeCamp answered GET /v3/expense/list with page {said.page} when page "
                f"{self.current_value} was asked for"
            )
            raise FatalAPIError(msg)
        return said.page * said.limit < said.total


def _stamp(value: t.Any) -> t.Any:
    """A v3 time stamp; a category never updated says so with the string 'null'."""
    return None if value == "null" else value


class ExpenseCategoriesStream(TimeCampStream):
    """Expense categories (`/v3/expense/category`): a short list, read whole on every run.

    Not selected by default: expenses are an add-on TimeCamp may refuse (403) on an
    account without it.
    """

    name = "expense_categories"
    path = "/v3/expense/category"
    primary_keys = ("expense_category_id",)
    selected_by_default = False

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Each category, in the tap's column names."""
        for category in super().parse_response(response):
            yield {
                "expense_category_id": category.get("id"),
                "root_group_id": category.get("rootGroupId"),
                "name": category.get("name"),
                "color": category.get("color"),
                "unit_price": category.get("unitPrice"),
                "unit_name": category.get("unitName"),
                "currency_id": category.get("currencyId"),
                "created_at": _stamp(category.get("createdAt")),
                "updated_at": _stamp(category.get("updatedAt")),
            }


class ExpensesStream(TimeCampStream):
    """Expenses (`/v3/expense/list`), every one made since `start_date`, page by page.

    Full table: an expense is edited, invoiced or deleted after the fact, and the list
    filters only on the day it was made, so nothing cheaper finds what changed. A run
    costs one request per `page_size` expenses made in `start_date..end_date` (the whole
    history without `start_date`). Pages are asked oldest first: an expense added while
    the run reads lands on the last page and moves no other across a page boundary.
    Not selected by default: expenses are an add-on TimeCamp may refuse (403).
    """

    name = "expenses"
    path = "/v3/expense/list"
    primary_keys = ("expense_id",)
    selected_by_default = False
    # Expenses per request (TimeCamp's default is 25; it documents no maximum).
    page_size = 100

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """No page answered yet, no expense sent."""
        super().__init__(*args, **kwargs)
        self.pages_said: weakref.WeakKeyDictionary[requests.Response, PageSaid] = (
            weakref.WeakKeyDictionary()
        )
        self.sent: set[int] = set()

    @property
    def emit_activate_version_messages(self) -> bool:
        """Only when the read is every expense: none between `start_date` and `end_date`.

        Bounded, a run reads the expenses of those days only, and an ACTIVATE_VERSION would
        have the target mark every expense made outside them deleted.
        """
        settings = self.settings
        bounded = settings.start_date is not None or settings.end_date is not None
        return super().emit_activate_version_messages and not bounded

    def get_new_paginator(self) -> ExpensePages:
        """Page numbers, from 1, while the pages say there are more."""
        return ExpensePages(self.pages_said.__getitem__)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The page, oldest first, of the expenses made in `start_date..end_date`."""
        settings = self.settings
        params: dict[str, t.Any] = {
            "page": next_page_token,
            "limit": self.page_size,
            "sortBy": "made_at",
            "sortOrder": "asc",
        }
        if settings.start_date:
            params["timeFrameStart"] = settings.start_date.isoformat()
        if settings.end_date:
            params["timeFrameEnd"] = settings.end_date.isoformat()
        return params

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """The expenses under `data`; what the page says of itself is kept for the paginator."""
        expenses = self.decode_collection(response, "data")
        body = self.decode_body(response)
        pagination = body.get("pagination")
        said = [
            coercion.to_integer(pagination.get(name)) if isinstance(pagination, dict) else None
            for name in ("totalItemQuantity", "page", "limit")
        ]
        total, page, limit = said
        if total is None or page is None or limit is None or limit < 1:
            expected = "an object with `pagination` (totalItemQuantity, page, limit)"
            raise self.wrong_shape(response, body, expected)
        self.pages_said[response] = PageSaid(total, page, limit)
        return expenses

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Each expense once, in the tap's column names, its category by id."""
        for expense in super().parse_response(response):
            expense_id = coercion.to_integer(expense.get("id"))
            if expense_id in self.sent:
                continue
            if expense_id is not None:
                self.sent.add(expense_id)
            category = expense.get("expenseCategory")
            yield {
                "expense_id": expense_id,
                "expense_category_id": category.get("id") if isinstance(category, dict) else None,
                "task_id": expense.get("taskId"),
                "amount": expense.get("amount"),
                "currency_id": expense.get("currencyId"),
                "description": expense.get("description"),
                "status": expense.get("status"),
                "is_billable": expense.get("isBillable"),
                "invoice_id": expense.get("invoiceId"),
                "made_by": expense.get("madeBy"),
                "made_at": expense.get("madeAt"),
                "created_by": expense.get("createdBy"),
                "created_at": _stamp(expense.get("createdAt")),
                "updated_by": expense.get("updatedBy"),
                "updated_at": _stamp(expense.get("updatedAt")),
            }
