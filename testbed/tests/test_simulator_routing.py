"""Routing API requests to endpoint families: how an endpoint family plugs in (issue #15)."""

from __future__ import annotations

import re

from timecamp_simulator import Simulator
from timecamp_simulator.api import ENDPOINT_FAMILIES, TimeCampApi
from timecamp_simulator.params import Params
from timecamp_simulator.response import Response
from timecamp_simulator.routing import Route, Router


class Invoices:
    """A family the way #15 adds one: routes() lists (path pattern, handler) pairs."""

    def routes(self) -> list[Route]:
        return [(r"/invoices/(\d+)/?", self.invoice)]

    def invoice(self, match: re.Match[str], params: Params) -> Response:
        return Response(value={"id": int(match.group(1)), "format": params.get("format")})


def test_a_routed_path_is_answered_by_its_handler_with_the_match_and_the_parameters() -> None:
    router = Router(Invoices().routes())

    response = router.handle("GET", "/invoices/12/", {"format": ["json"]})

    assert (response.status, response.value) == (200, {"id": 12, "format": ["json"]})


def test_a_path_is_matched_in_full() -> None:
    router = Router(Invoices().routes())

    assert router.handle("GET", "/invoices/12/lines", {}).status == 404


def test_another_method_than_get_on_a_routed_path_is_405() -> None:
    response = Router(Invoices().routes()).handle("POST", "/invoices/12", {})

    assert response.status == 405
    assert response.value == {"message": "Method POST not allowed"}


def test_a_parameter_a_handler_cannot_read_is_400_naming_the_problem() -> None:
    api = TimeCampApi(Simulator(seed=1, entries=10).account)

    response = api.handle("GET", "/tasks", {"task_ids": ["12,x"]})

    assert response.status == 400
    assert response.value["message"].startswith("Invalid parameter: invalid literal for int()")


def test_no_two_registered_families_claim_the_same_path_pattern() -> None:
    account = Simulator(seed=1, entries=10).account
    patterns = [pattern for family in ENDPOINT_FAMILIES for pattern, _ in family(account).routes()]

    assert len(patterns) == len(set(patterns))
