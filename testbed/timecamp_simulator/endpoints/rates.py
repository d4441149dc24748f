"""Billing rates: `/task/{ids}/rate`, `/user/{ids}/rate`, `/group/{ids}/rate`, and rate types.

Each answers a dict keyed by the asked id of lists of `{rateId, rateTypeId, value, refType,
addDate, refId}` (the spec's example), `[]` when nothing is found. Which rate type is a cost
rate comes from TimeCamp's internal `/internal/api/rate_type` (outside `/third_party/api`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.params import Params, first, parse_ids
from timecamp_simulator.response import Response, php_dict
from timecamp_simulator.routing import Route

# The spec's example ids: 12 a billing rate (21.00), 13 a lower one (12.00), a cost rate.
BILLING_RATE_TYPE = 12
COST_RATE_TYPE = 13
RATE_TYPES = (
    {"rateTypeId": BILLING_RATE_TYPE, "name": "Billing rate", "isCost": False},
    {"rateTypeId": COST_RATE_TYPE, "name": "Cost rate", "isCost": True},
)
# As for entries' rate fields: a cost rate is 60% of the billing rate.
COST_SHARE = 0.6
RATE_IDS_BASE = 145_000
# The day a rate was set when nothing says otherwise (the spec's example).
DEFAULT_ADD_DATE = "2000-01-01"


@dataclass(frozen=True)
class Rate:
    """One rate set on one object."""

    ref_type: str
    ref_id: int
    rate_type_id: int
    value: float
    add_date: str

    def record(self) -> dict[str, Any]:
        """As TimeCamp writes it: the value and the reference id as strings."""
        return {
            "rateId": RATE_IDS_BASE + (self.ref_id * 7 + self.rate_type_id) % 100_000,
            "rateTypeId": self.rate_type_id,
            "value": f"{self.value:.2f}",
            "refType": self.ref_type,
            "addDate": self.add_date,
            "refId": str(self.ref_id),
        }


class RateEndpoints:
    """The rates set on tasks, users and groups, and the account's rate types."""

    def __init__(self, account: Account) -> None:
        """Answer for this account: rates derived from its catalog."""
        catalog = account.catalog
        self.rates: dict[str, dict[int, list[Rate]]] = {"task": {}, "user": {}, "group": {}}
        for user in catalog.users[:-1]:  # the last user has no rate of their own
            self._set("user", user.user_id, user.hourly_rate, with_cost=True)
        for index, task in enumerate(catalog.tasks):
            if task.billable and index % 3 == 0:
                self._set("task", task.task_id, 90.0 + index % 4 * 15, with_cost=index % 2 == 0)
        root = catalog.root_group_id
        self._set("group", root, 70.0, with_cost=True)
        # The group of the user without a rate, so that a rate comes from a group.
        if (rateless_group := catalog.users[-1].group_id) != root:
            self._set("group", rateless_group, 85.0, with_cost=False)

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/task/(?P<ids>[^/]+)/rate", self.task_rates),
            (r"/user/(?P<ids>[^/]+)/rate", self.user_rates),
            (r"/group/(?P<ids>[^/]+)/rate", self.group_rates),
        ]

    def task_rates(self, match: re.Match[str], params: Params) -> Response:
        """GET /task/{ids}/rate."""
        return self._rates("task", match, params)

    def user_rates(self, match: re.Match[str], params: Params) -> Response:
        """GET /user/{ids}/rate."""
        return self._rates("user", match, params)

    def group_rates(self, match: re.Match[str], params: Params) -> Response:
        """GET /group/{ids}/rate."""
        return self._rates("group", match, params)

    def _set(self, ref_type: str, ref_id: int, value: float, *, with_cost: bool) -> None:
        rates = [Rate(ref_type, ref_id, BILLING_RATE_TYPE, value, DEFAULT_ADD_DATE)]
        if with_cost:
            cost = round(value * COST_SHARE, 2)
            rates.append(Rate(ref_type, ref_id, COST_RATE_TYPE, cost, DEFAULT_ADD_DATE))
        self.rates[ref_type][ref_id] = rates

    def _rates(self, ref_type: str, match: re.Match[str], params: Params) -> Response:
        """Rates of the asked ids that have any, keyed by id; unknown ids are left out."""
        asked = first(params, "rate_id") or "all"
        types = None if asked == "all" else set(parse_ids(asked))
        found = {}
        for ref_id in parse_ids(match["ids"]):
            rates = [
                rate.record()
                for rate in self.rates[ref_type].get(ref_id, [])
                if types is None or rate.rate_type_id in types
            ]
            if rates:
                found[str(ref_id)] = rates
        return Response(value=php_dict(found))


class RateTypeEndpoints:
    """TimeCamp's internal API (from the site root): the account's rate types.

    Undocumented: TimeCamp's own TypeScript client reads it (`getRateTypes`) to tell cost
    rates from billing rates; the public API has no equivalent.
    """

    def __init__(self, account: Account) -> None:
        """The rate types are the same for every simulated account."""

    def routes(self) -> list[Route]:
        """The internal paths this family answers, from the site root."""
        return [(r"/internal/api/rate_type", self.rate_types)]

    def rate_types(self, _m: re.Match[str], _params: Params) -> Response:
        """GET /internal/api/rate_type: a list of `{rateTypeId, name, isCost}`."""
        return Response(value=list(RATE_TYPES))
