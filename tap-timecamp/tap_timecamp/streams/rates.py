"""Billing and cost rates set on tasks, users and groups."""

from __future__ import annotations

import typing as t

from singer_sdk.exceptions import FatalAPIError

from tap_timecamp import answers, coercion
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.http_client import RunBudgetSpentError
from tap_timecamp.streams.people import USER_BATCH
from tap_timecamp.streams.shared import id_batches, ids_of

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

# The objects rates are set on, each read at `/{object_type}/{ids}/rate`.
OBJECT_TYPES = ("task", "user", "group")
# Ids per request: each rate endpoint takes a comma-separated list (the spec's examples).
IDS_PER_REQUEST = USER_BATCH
# TimeCamp's internal API, below the site root, as TimeCamp's own TypeScript client reads it.
RATE_TYPES_PATH = "/internal/api/rate_type"


class BillingRatesStream(FullTableStream):
    """Rates (`/task/{ids}/rate`, `/user/{ids}/rate`, `/group/{ids}/rate`), one row per rate type.

    A rate type is a billing rate or a cost rate: TimeCamp says which only in its internal
    `rate_type` list, read once a run. When that read is refused or fails, the rates are
    still read, with `rate_type_name` and `is_cost_rate` null and one warning.
    """

    name = "billing_rates"
    path = "/{object_type}/{ids}/rate"
    primary_keys = ("object_type", "object_id", "rate_type_id")
    # Needs the rate-browsing permission, and a request per 50 tasks.
    selected_by_default = False

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every rate set on a task, a user or a group.

        Not the SDK's request loop: the ids come from the run's shared `/tasks`, `/users`
        and `/group` reads, a batch of them per request, `max_requests_in_flight` at once.
        """
        rate_types = self._rate_types()
        batches = [
            (object_type, batch)
            for object_type in OBJECT_TYPES
            for batch in id_batches(self._ids(object_type), IDS_PER_REQUEST)
        ]
        with self.in_flight(batches, self._rates_of) as fetched:
            for (object_type, _batch), rates in fetched:
                yield from rates_in_force(object_type, rates, rate_types)

    def _rates_of(self, batch: tuple[str, str]) -> dict[int, list[dict[str, t.Any]]]:
        """The rates of a batch of objects of one type, lists keyed by object id."""
        object_type, ids = batch
        return self.client.get(
            f"/{object_type}/{ids}/rate", answers.decode_lists_by_id, stream=self.name
        )

    def _ids(self, object_type: str) -> list[int]:
        if object_type == "task":
            objects = self.reads.tasks(self.name)
        elif object_type == "user":
            objects = self.reads.users(self.name)
        else:
            objects = self.reads.groups(self.name)
        return ids_of(objects, f"{object_type}_id")

    def _rate_types(self) -> dict[int, dict[str, t.Any]]:
        """The account's rate types by id: `{rateTypeId, name, isCost}`, or none if refused."""
        try:
            types = self.client.get(
                RATE_TYPES_PATH, decode_rate_types, stream=self.name, from_site_root=True
            )
        except RunBudgetSpentError:
            raise
        except FatalAPIError as exc:
            self.logger.warning(
                "%s: TimeCamp's rate types (its undocumented internal GET "
                "/internal/api/rate_type) could not be read (%s): rate_type_name and "
                "is_cost_rate are null this run",
                self.name,
                type(exc).__name__,
            )
            return {}
        return types


def decode_rate_types(response: requests.Response) -> dict[int, dict[str, t.Any]]:
    """A list of rate types, each with its `rateTypeId`; anything else is retried."""
    body = answers.decode_body(response)
    items = body if isinstance(body, list) else [None]
    found = {
        rid: item
        for item in items
        if isinstance(item, dict)
        and (rid := coercion.to_integer(item.get("rateTypeId"))) is not None
    }
    if len(found) != len(items):
        raise answers.wrong_shape(body, "a list of rate types with `rateTypeId`")
    return found


def rates_in_force(
    object_type: str,
    rates_by_id: dict[int, list[dict[str, t.Any]]],
    rate_types: dict[int, dict[str, t.Any]],
) -> t.Iterator[dict[str, t.Any]]:
    """One row per (object, rate type) of a rate answer, its lists keyed by object id.

    Should TimeCamp list a rate type twice for one object (a history of values), the one
    added last is the rate in force.
    """
    found: dict[tuple[int, int], dict[str, t.Any]] = {}
    for object_id, rates in rates_by_id.items():
        for rate in rates:
            type_id = coercion.to_integer(rate.get("rateTypeId"))
            if type_id is None:
                continue
            kept = found.get((object_id, type_id))
            if kept is None or _added(rate) >= _added(kept):
                found[(object_id, type_id)] = rate
    for (object_id, type_id), rate in found.items():
        rate_type = rate_types.get(type_id, {})
        yield {
            "object_type": object_type,
            "object_id": object_id,
            "rate_type_id": type_id,
            "rate_type_name": rate_type.get("name"),
            "is_cost_rate": rate_type.get("isCost"),
            "rate_id": rate.get("rateId"),
            "value": rate.get("value"),
            "add_date": rate.get("addDate"),
        }


def _added(rate: dict[str, t.Any]) -> tuple[str, int]:
    return (str(rate.get("addDate") or ""), coercion.to_integer(rate.get("rateId")) or 0)
