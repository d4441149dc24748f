"""Expenses and expense categories (TimeCamp's v3 API): what was spent, on which task, billable."""

from __future__ import annotations

import itertools
import typing as t
import weakref

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.pagination import PageNumberPaginator

from tap_timecamp import answers, clock, coercion
from tap_timecamp.full_table import FullTableStream

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    from singer_sdk.helpers.types import Context


# Reads of the expense list a run makes before it gives up on a consistent one.
READ_ATTEMPTS = 3
# In the state of a bounded read: the bound, and the ids its last consistent read found.
BOUND = "expense_bound"
IDS_IN_BOUND = "expense_ids_in_bound"


class PageSaid(t.NamedTuple):
    """What a page of `/v3/expense/list` says of itself (`pagination`), and the ids it holds."""

    total: int
    page: int
    limit: int
    ids: list[int | None]


class ExpensePages(PageNumberPaginator):
    """Page 1, 2, ... until a page comes back empty: the list's end, seen rather than told.

    `totalItemQuantity` is not trusted to end the read: told too low, the expenses past it
    would never be read, and then marked deleted.
    """

    def __init__(self, said: Callable[[requests.Response], PageSaid]) -> None:
        """`said`: what an answered page says of itself."""
        super().__init__(1)
        self.said = said

    def has_more(self, response: requests.Response) -> bool:
        """Whether to ask for the next page: this one held expenses.

        A page other than the one asked for means TimeCamp ignored `page`: reading on
        would read the same page forever. Past a page beyond the told total the read
        stops too (and is found inconsistent).
        """
        said = self.said(response)
        if said.page != self.current_value:
            msg = (
                f"TimeCamp answered GET /v3/expense/list with page {said.page} when page "
                f"{self.current_value} was asked for"
            )
            raise FatalAPIError(msg)
        return bool(said.ids) and (said.page - 1) * said.limit <= said.total


def inconsistency(pages: list[PageSaid]) -> str | None:
    """Why pages read one after another are not one whole, unchanged list, or None if they are.

    Asked newest id first, an expense added during the read lands on page 1 and pushes
    every other one page-wards: an id is then read twice (and the total changes), never
    missed. A deletion pulls the later ones back, so one is skipped; the total then
    drops. So the pages are the whole list, as it was throughout the read, when every
    page told the same total, the ids fall strictly and none twice, every page but the
    last full one is full, the list ended with an empty page, and the ids read are as
    many as the total.
    """
    ids = [i for page in pages for i in page.ids]
    known = [i for i in ids if i is not None]
    totals = sorted({page.total for page in pages})
    told = totals[0] if totals else 0
    filled = [page for page in pages if page.ids]
    checks = (
        (not pages or bool(pages[-1].ids), "the list did not end with an empty page"),
        (
            len(totals) > 1,
            f"totalItemQuantity changed during the read ({', '.join(map(str, totals))})",
        ),
        (len(known) != len(ids), "an expense without an id"),
        (len(set(known)) != len(known), "an expense on two pages"),
        (
            any(later >= earlier for earlier, later in itertools.pairwise(known)),
            "the pages were not in falling id order (sortBy=id ignored?)",
        ),
        (any(len(page.ids) != page.limit for page in filled[:-1]), "a short page before the last"),
        (len(known) != told, f"{len(known)} expenses read where totalItemQuantity says {told}"),
    )
    return next((why for failed, why in checks if failed), None)


def _stamp(value: t.Any) -> t.Any:
    """A v3 time stamp; a category never updated says so with the string 'null'."""
    return None if value == "null" else value


class ExpenseCategoriesStream(FullTableStream):
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


class ExpensesStream(FullTableStream):
    """Expenses (`/v3/expense/list`), every one made since `start_date`, page by page.

    Full table: an expense is edited, invoiced or deleted after the fact, and the list
    filters only on the day it was made, so nothing cheaper finds what changed. A run
    costs one request per `page_size` expenses made in `start_date..end_date` (the whole
    history without `start_date`), and one for the empty page that ends the list.

    Pages are numbered, so an expense added or deleted while the run reads shifts the
    others across page boundaries. They are asked newest id first (`sortBy=id`, not the
    default `made_at`, which an edit changes) and checked (`inconsistency`); a read found
    inconsistent is read again, up to `READ_ATTEMPTS` times. Each read's expenses are
    held until it is known consistent, so no expense only an abandoned read saw is sent;
    when none is, the last read is sent, with a warning, and not activated.
    Not selected by default: expenses are an add-on TimeCamp may refuse (403).
    """

    name = "expenses"
    path = "/v3/expense/list"
    primary_keys = ("expense_id",)
    selected_by_default = False
    # Expenses per request (TimeCamp's default is 25; it documents no maximum).
    page_size = 100

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """No page answered yet."""
        super().__init__(*args, **kwargs)
        self.pages_said: weakref.WeakKeyDictionary[requests.Response, PageSaid] = (
            weakref.WeakKeyDictionary()
        )
        # What each page of the read under way said, in the order they were answered.
        self.pages_read: list[PageSaid] = []
        # Whether the read under way is of `start_date..end_date` (else the whole list).
        self.reading_bounded = True

    @property
    def emit_activate_version_messages(self) -> bool:
        """Only when the read is every expense: none between `start_date` and `end_date`.

        Bounded, a run reads the expenses of those days only, and an ACTIVATE_VERSION would
        have the target mark every expense made outside them deleted.
        """
        settings = self.settings
        bounded = settings.start_date is not None or settings.end_date is not None
        return super().emit_activate_version_messages and not bounded

    @property
    def bound(self) -> list[str | None] | None:
        """`[start_date, end_date]` when either is set: the days a run reads expenses of."""
        settings = self.settings
        if settings.start_date is None and settings.end_date is None:
            return None
        return [
            day.isoformat() if day else None for day in (settings.start_date, settings.end_date)
        ]

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """The expenses of the first consistent read, or of the last one with a warning.

        Bounded, then a tombstone for each expense the last consistent read of the same
        bound found there and this one does not, once the whole list says it is gone.
        """
        held, why = self.read_consistently(context, bounded=True)
        yield from held.values()
        if why is not None:
            self.untrusted = (
                f"the expense list changed during each of {READ_ATTEMPTS} reads ({why}): "
                "a later run reads it again"
            )
            if self.bound is not None:
                self.logger.warning("%s: %s; no deletion is looked for", self.name, self.untrusted)
        elif self.bound is not None:
            yield from self.gone_from_the_bound(set(held), context)

    def read_consistently(
        self, context: Context | None, *, bounded: bool
    ) -> tuple[dict[t.Any, dict[str, t.Any]], str | None]:
        """The expenses of the first consistent read by id, or of the last one and why not.

        Each read's records are held until it is known consistent: nothing only an
        abandoned read saw is sent.
        """
        why: str | None = None
        held: dict[t.Any, dict[str, t.Any]] = {}
        self.reading_bounded = bounded
        for attempt in range(1, READ_ATTEMPTS + 1):
            self.pages_read = []
            held = {row["expense_id"]: row for row in super().get_records(context)}
            why = inconsistency(self.pages_read)
            if why is None:
                break
            self.logger.warning(
                "%s: the expense list changed while it was read (%s): read %d of %d",
                self.name,
                why,
                attempt,
                READ_ATTEMPTS,
            )
        return held, why

    def gone_from_the_bound(
        self, found: set[int], context: Context | None
    ) -> t.Iterator[dict[str, t.Any]]:
        """Tombstones for the expenses of the bound the last run found and this one does not.

        One missing from the bound may have been deleted, or moved out of it (its day
        edited): only the whole list tells, so it is read, once, when one is missing. One
        still there is sent as it is now; one gone is a tombstone, unless so many are gone
        that an activation would be refused (`implausible`). The state keeps the ids
        of the bound's last consistent read (`IDS_IN_BOUND`, for the `BOUND` it was of).
        """
        state = self.get_context_state(None)
        previous = set(state.get(IDS_IN_BOUND) or []) if state.get(BOUND) == self.bound else set()
        missing = previous - found
        if missing:
            everything, why = self.read_consistently(context, bounded=False)
            if why is not None:
                self.logger.warning(
                    "%s: %d expenses left the days read, and the whole list changed while it "
                    "was read (%s): whether they were deleted is looked at again next run",
                    self.name,
                    len(missing),
                    why,
                )
                found |= missing
            elif why := self.implausible(
                last=len(previous),
                new=len(previous) - len(missing - everything.keys()),
                last_read="the last read of the days read",
            ):
                self.logger.warning("%s", why)
                found |= missing
            else:
                for expense_id in sorted(missing):
                    yield everything.get(expense_id) or self.tombstone(expense_id)
        state[BOUND] = self.bound
        state[IDS_IN_BOUND] = sorted(found)

    def tombstone(self, expense_id: int) -> dict[str, t.Any]:
        """The record of an expense TimeCamp deleted: its id and `_sdc_deleted_at`."""
        return {
            "expense_id": expense_id,
            "_sdc_deleted_at": clock.iso_instant(self.reads.clock(self.name)),
        }

    def get_new_paginator(self) -> ExpensePages:
        """Page numbers, from 1, until a page is empty."""
        return ExpensePages(self.pages_said.__getitem__)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        """The page, newest id first, of the expenses made in `start_date..end_date`."""
        settings = self.settings
        params: dict[str, t.Any] = {
            "page": next_page_token,
            "limit": self.page_size,
            "sortBy": "id",
            "sortOrder": "desc",
        }
        if not self.reading_bounded:
            return params
        if settings.start_date:
            params["timeFrameStart"] = settings.start_date.isoformat()
        if settings.end_date:
            params["timeFrameEnd"] = settings.end_date.isoformat()
        return params

    def page_of(self, response: requests.Response) -> list[t.Any]:
        """The expenses under `data`; what the page says of itself is kept for the checks."""
        expenses = answers.decode_collection(response, "data")
        body = answers.decode_body(response)
        pagination = body.get("pagination")
        said = [
            coercion.to_integer(pagination.get(name)) if isinstance(pagination, dict) else None
            for name in ("totalItemQuantity", "page", "limit")
        ]
        total, page, limit = said
        if total is None or page is None or limit is None or limit < 1:
            expected = "an object with `pagination` (totalItemQuantity, page, limit)"
            raise answers.wrong_shape(body, expected)
        ids = [coercion.to_integer(expense.get("id")) for expense in expenses]
        self.pages_said[response] = page_said = PageSaid(total, page, limit, ids)
        self.pages_read.append(page_said)
        return expenses

    def parse_response(self, response: requests.Response) -> t.Iterator[dict[str, t.Any]]:
        """Each expense, in the tap's column names, its category by id."""
        for expense in super().parse_response(response):
            category = expense.get("expenseCategory")
            yield {
                "expense_id": coercion.to_integer(expense.get("id")),
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
                # Live: a bounded read's tombstones set it (`gone_from_the_bound`).
                "_sdc_deleted_at": None,
            }
