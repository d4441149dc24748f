"""Answers more than one stream reads, requested once per run and kept for the run only.

`/group` (groups, users), `/users` (users, computer activities) and `/tag_list` (tag lists,
tags) are small, account-wide lists. The first stream that needs one requests it; the
others reuse that answer, so each is read once whichever of those streams are selected
and in whatever order they are synced. `all_streams` makes one `SharedReads` per tap (a
run) and gives it to every stream (`TimeCampStream.reads`); nothing outlives the run.
Each is read through the run's client; the stream that asked first is named in its retry
lines and metric.

The deletion windows of `/entries_deletions` (time entries' tombstones, time entry
deletions) are kept too, each for as long as it answers what a later reader needs: see
`SharedReads.deletions`.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from urllib.parse import urlsplit

from tap_timecamp import answers, clock, coercion

if t.TYPE_CHECKING:
    import requests

    from tap_timecamp.answers import Me
    from tap_timecamp.http_client import TimeCampClient

# Archived lists and tags too: old entries still carry them.
TAG_LIST_PARAMS = {"tags": "1", "archived": "1"}
# Archived tasks too.
TASK_PARAMS = {"status": "all"}
DELETIONS_PATH = "/entries_deletions"
CUSTOM_FIELD_TEMPLATES_PATH = "/v3/custom-fields/template/list"


def is_deletions_request(request: requests.PreparedRequest) -> bool:
    """Whether `request` reads a window of `/entries_deletions`."""
    return urlsplit(str(request.url)).path.endswith(DELETIONS_PATH)


def ids_of(items: t.Iterable[dict[str, t.Any]], key: str) -> list[int]:
    """The distinct integer ids under `key` of a shared read's objects, in order."""
    return sorted({i for item in items if (i := coercion.to_integer(item.get(key))) is not None})


def id_batches(ids: t.Sequence[int], size: int) -> t.Iterator[str]:
    """`ids` as comma-separated lists of at most `size`: one per request to an endpoint of ids."""
    for start in range(0, len(ids), size):
        yield ",".join(map(str, ids[start : start + size]))


class SharedReads:
    """The run's answers of the endpoints several streams read, each requested once."""

    def __init__(self, client: TimeCampClient) -> None:
        """Nothing read yet; `client` reads each answer."""
        self.client = client
        self._answers: dict[str, list[dict[str, t.Any]]] = {}
        self._deletions: dict[str, requests.Response] = {}
        self._clock: dt.datetime | None = None
        self._me: Me | None = None

    def me(self, stream: str) -> Me:
        """The token's own user, and TimeCamp's clock (`GET /me`), asked once a run."""
        if self._me is None:
            self._me = self.client.get("/me", answers.decode_me, stream=stream)
        return self._me

    def clock(self, stream: str) -> dt.datetime:
        """T, TimeCamp's clock (Warsaw wall time), as the run's first stream that needs it saw it.

        From the `Date` header of `GET /me`: one cheap request that also checks the token
        before anything is planned. Without a usable header, this machine's clock stands
        in, with a warning.
        """
        if self._clock is None:
            moment = self.me(stream).date
            if moment is None:
                moment = clock.server_now()
                self.client.logger.warning(
                    "%s: TimeCamp sent no usable Date header: using this machine's clock (%s "
                    "in Warsaw) as TimeCamp's",
                    stream,
                    clock.stamp(moment),
                )
            self._clock = moment
        return self._clock

    def groups(self, stream: str) -> list[dict[str, t.Any]]:
        """The group tree (`/group`)."""
        return self._read(stream, "/group", required=("group_id", "parent_id"))

    def users(self, stream: str) -> list[dict[str, t.Any]]:
        """Every user the token sees (`/users`)."""
        return self._read(stream, "/users", required=("user_id",))

    def tag_lists(self, stream: str) -> list[dict[str, t.Any]]:
        """Every tag list with its tags, archived ones included (`/tag_list`)."""
        return self._read(stream, "/tag_list", TAG_LIST_PARAMS, required=("id", "tags"))

    def tasks(self, stream: str) -> list[dict[str, t.Any]]:
        """The whole task tree, archived tasks included (`/tasks?status=all`)."""
        return self._read(stream, "/tasks", TASK_PARAMS, required=("task_id", "parent_id"))

    def custom_field_templates(self, stream: str) -> list[dict[str, t.Any]]:
        """The active custom field templates (`/v3/custom-fields/template/list`)."""
        return self._read(stream, CUSTOM_FIELD_TEMPLATES_PATH, key="data", required=("id",))

    def deletions(
        self, request: requests.PreparedRequest, send: t.Callable[[], requests.Response]
    ) -> tuple[requests.Response, bool]:
        """The answer to a deletion window's request, and whether it was read before.

        Every stream of the run has the same T (`clock`), and an answer is read after it,
        so a window read once holds every deletion made before any reader's T.
        """
        key = str(request.url)
        kept = self._deletions.get(key)
        if kept is not None:
            return kept, True
        self._deletions[key] = response = send()
        return response, False

    def _read(
        self,
        stream: str,
        path: str,
        params: dict[str, str] | None = None,
        key: str | None = None,
        required: tuple[str, ...] = (),
    ) -> list[dict[str, t.Any]]:
        """`GET path` through the client the first time, for `stream` (named in its lines).

        Each object must have the `required` keys: a list without them is no answer.
        """
        if path not in self._answers:
            self._answers[path] = self.client.get(
                path,
                lambda response: answers.decode_collection(response, key, required),
                params,
                stream=stream,
            )
        return self._answers[path]
