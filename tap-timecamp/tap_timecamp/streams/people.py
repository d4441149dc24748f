"""Users and the group tree they belong to."""

from __future__ import annotations

import typing as t

from tap_timecamp import answers, coercion, trees
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.streams.shared import id_batches

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

# TimeCamp writes "never" as the epoch on its own clock.
NEVER = "1970-01-01 01:00:00"
GROUP_LEVELS = 5
# Ids per request to the per-user endpoints: keeps URLs short on large accounts.
USER_BATCH = 50


def describe_group(tree: trees.Tree, group_id: int | None, prefix: str) -> dict[str, t.Any]:
    """A group's name, path and level columns, under keys starting with `prefix`."""
    names = tree.path_names(group_id)
    return {
        f"{prefix}name": names[-1] if names else None,
        f"{prefix}path": " / ".join(names) if names else None,
        **trees.level_columns(f"{prefix}level_", names, GROUP_LEVELS),
    }


class GroupsStream(FullTableStream):
    """The group tree (`/group`), each group with its parent and path."""

    name = "groups"
    path = "/group"
    primary_keys = ("group_id",)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every group, with its place in the tree.

        Not the SDK's request loop: `/group` is the run's one read, which users share.
        """
        tree = trees.Tree(self.reads.groups(self.name), "group_id")
        self.left_out(tree.without_id, "without an integer group_id")
        if not any(parent is None for parent in tree.parents.values()):
            self.untrusted = "TimeCamp's /group answer has no root group (parent_id 0)"
        for gid, group in tree.nodes.items():
            described = describe_group(tree, gid, "group_")
            yield {
                "group_id": gid,
                "name": group.get("name"),
                "parent_id": tree.parents[gid],
                "level": len(tree.paths[gid]),
                "path": described.pop("group_path"),
                **{k: v for k, v in described.items() if k.startswith("group_level_")},
            }


class UsersStream(FullTableStream):
    """Users (`/users`), with time zone, disabled flag and group path.

    Secrets some user endpoints return (password hashes, activation codes) are never
    read into a record: every field is picked by name.
    """

    name = "users"
    path = "/users"
    primary_keys = ("user_id",)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every user the token sees, disabled ones included.

        Not the SDK's request loop: a user joins the run's shared `/users` and `/group`
        answers with the per-user endpoints' details.
        """
        users = self.reads.users(self.name)
        tree = trees.Tree(self.reads.groups(self.name), "group_id")
        ids = [uid for u in users if (uid := coercion.to_integer(u.get("user_id"))) is not None]
        self.left_out(len(users) - len(ids), "without an integer user_id")
        own = self.reads.me(self.name).user_id
        if own not in ids:
            self.untrusted = f"TimeCamp's /users answer lacks the token's own user ({own})"
        details = self._details(ids)
        disabled = self._disabled(ids)
        self.logger.info("%s: %d users, %d groups", self.name, len(users), len(tree.nodes))
        for user in users:
            uid = coercion.to_integer(user.get("user_id"))
            if uid is None:
                continue
            detail = details.get(uid, {})
            group_id = coercion.to_integer(user.get("group_id"))
            yield {
                "user_id": uid,
                "email": user.get("email"),
                "display_name": user.get("display_name"),
                "login_count": user.get("login_count"),
                "login_time": _unless_never(user.get("login_time")),
                "synch_time": _unless_never(user.get("synch_time")),
                "group_id": group_id,
                **describe_group(tree, group_id, "group_"),
                "time_zone": detail.get("time_zone"),
                "language": detail.get("language"),
                "root_group_id": detail.get("root_group_id"),
                "primary_group_id": detail.get("primary_group_id"),
                "is_disabled": disabled.get(uid),
            }

    def _details(self, ids: list[int]) -> dict[int, dict[str, t.Any]]:
        """`/user?user_id=…` for every id, batches in flight together.

        A user missing from its answer is named in a warning.
        """
        found: dict[int, dict[str, t.Any]] = {}
        with self.in_flight(id_batches(ids, USER_BATCH), self._details_of) as fetched:
            for _batch, details in fetched:
                found.update(details)
        missing = [uid for uid in ids if uid not in found]
        if missing:
            self.logger.warning(
                "%s: GET /user left out users %s: their time_zone, language, root_group_id "
                "and primary_group_id are null this run",
                self.name,
                ", ".join(map(str, missing[:20])),
            )
        return found

    def _details_of(self, batch: str) -> dict[int, dict[str, t.Any]]:
        return self.client.get("/user", decode_details, {"user_id": batch}, stream=self.name)

    def _disabled(self, ids: list[int]) -> dict[int, bool]:
        """The `disabled_user` setting, where TimeCamp keeps whether a user is disabled."""
        found: dict[int, bool] = {}
        with self.in_flight(id_batches(ids, USER_BATCH), self._settings_of) as fetched:
            for _batch, answer in fetched:
                for uid, settings in answer.items():
                    for setting in settings:
                        if _is_disabled_user_setting(setting):
                            found[uid] = coercion.to_boolean(setting.get("value")) is True
        return found

    def _settings_of(self, batch: str) -> dict[int, list[dict[str, t.Any]]]:
        return self.client.get(
            f"/user/{batch}/setting",
            answers.decode_lists_by_id,
            {"name[]": "disabled_user"},
            stream=self.name,
        )


def decode_details(response: requests.Response) -> dict[int, dict[str, t.Any]]:
    """One object for one id, a collection for several; each a user with its `user_id`.

    An answer with no user (an error object under a 200, `[]`) would put nulls over
    every user's good values: it is a broken answer, retried.
    """
    body = answers.decode_body(response)
    one = isinstance(body, dict) and "user_id" in body
    found = {
        uid: detail
        for detail in ([body] if one else answers.collection(body))
        if (uid := coercion.to_integer(detail.get("user_id"))) is not None
    }
    if not found:
        raise answers.wrong_shape(body, "a user, or a collection of users")
    return found


def _is_disabled_user_setting(setting: t.Any) -> bool:
    return isinstance(setting, dict) and setting.get("name") == "disabled_user"


def _unless_never(stamp: t.Any) -> t.Any:
    return None if stamp == NEVER else stamp
