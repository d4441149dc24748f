"""The TimeCamp API under /third_party/api: the endpoint families it serves, registered once."""

from __future__ import annotations

from collections.abc import Callable

from timecamp_simulator.account import Account
from timecamp_simulator.endpoints.activity import ActivityEndpoints
from timecamp_simulator.endpoints.attendance import AttendanceEndpoints
from timecamp_simulator.endpoints.custom_fields import CustomFieldEndpoints
from timecamp_simulator.endpoints.entries import EntryEndpoints
from timecamp_simulator.endpoints.expenses import ExpenseEndpoints
from timecamp_simulator.endpoints.people import PeopleEndpoints
from timecamp_simulator.endpoints.rates import RateEndpoints, RateTypeEndpoints
from timecamp_simulator.endpoints.schedules import ScheduleEndpoints
from timecamp_simulator.endpoints.tags import TagEndpoints
from timecamp_simulator.endpoints.tasks import TaskEndpoints
from timecamp_simulator.params import Params
from timecamp_simulator.response import Response
from timecamp_simulator.routing import EndpointFamily, Router

# Adding an endpoint family: a module in endpoints/ with a class whose routes() lists its
# paths, and its class here.
ENDPOINT_FAMILIES: tuple[Callable[[Account], EndpointFamily], ...] = (
    PeopleEndpoints,
    TaskEndpoints,
    TagEndpoints,
    EntryEndpoints,
    ActivityEndpoints,
    AttendanceEndpoints,
    ExpenseEndpoints,
    RateEndpoints,
    ScheduleEndpoints,
    CustomFieldEndpoints,
)
# TimeCamp's internal API, served from the site root (`/internal/api/...`): undocumented
# endpoints TimeCamp's own clients read where the public API has no equivalent.
INTERNAL_FAMILIES: tuple[Callable[[Account], EndpointFamily], ...] = (RateTypeEndpoints,)


class TimeCampApi:
    """Answers authenticated API requests for one account, with every registered family."""

    def __init__(self, account: Account) -> None:
        """Serve the given account state."""
        self.account = account
        self._router = Router(
            route for family in ENDPOINT_FAMILIES for route in family(account).routes()
        )
        self._internal = Router(
            route for family in INTERNAL_FAMILIES for route in family(account).routes()
        )

    @property
    def user_groups(self) -> dict[int, int]:
        """Who is in which group now (user id to group id); `Simulator.move_user` changes it."""
        return self.account.user_groups

    def handle(self, method: str, path: str, params: Params) -> Response:
        """Answer one request whose token has already been accepted."""
        return self._router.handle(method, path, params)

    def handle_internal(self, method: str, path: str, params: Params) -> Response:
        """Answer one request to the internal API (`path` from the site root), token accepted."""
        return self._internal.handle(method, path, params)
