"""The people endpoints: /me, /users, /user (details and settings), /group and its members."""

from __future__ import annotations

import re
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.catalog import User
from timecamp_simulator.params import Params, first, parse_ids
from timecamp_simulator.response import Response, error, php_dict
from timecamp_simulator.routing import Route


class PeopleEndpoints:
    """Users and groups, as the token's owner (an administrator) sees them."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.account = account
        self.catalog = account.catalog

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/me/?", self.me),
            (r"/users/?", self.users),
            (r"/user/?", self.user_query),
            (r"/user/([0-9,]+)/setting/?", self.user_settings),
            (r"/user/([0-9,]+)/?", self.user_path),
            (r"/group/?", self.groups),
            (r"/group/(\d+)/user/?", self.group_users),
        ]

    def _user_record(self, user: User) -> dict[str, Any]:
        return {
            "user_id": str(user.user_id),
            "email": user.email,
            "display_name": user.display_name,
            "login_count": str(user.login_count),
            "login_time": user.login_time,
            "synch_time": user.synch_time,
            "group_id": str(self.account.user_groups[user.user_id]),
        }

    def me(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /me: the token's owner and their permissions."""
        admin = self.catalog.admin
        return Response(
            value={
                "user_id": str(admin.user_id),
                "email": admin.email,
                "display_name": admin.display_name,
                "root_group_id": str(self.catalog.root_group_id),
                "permissions": {
                    "can_view_rates": True,
                    "can_edit_all_entries": True,
                    "is_admin": True,
                },
            }
        )

    def users(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /users: every user, ids as strings."""
        return Response(value=[self._user_record(u) for u in self._listed_users()])

    def _listed_users(self) -> list[User]:
        return [u for u in self.catalog.users if self.account.listed("user", u.user_id)]

    def _user_details(self, ids: list[int]) -> Response:
        found = []
        for user_id in ids:
            user = self.catalog.user_by_id.get(user_id)
            if user is None or not self.account.listed("user", user_id):
                continue
            record = self._user_record(user)
            record.update(
                time_zone=user.time_zone,
                language=user.language,
                root_group_id=str(self.catalog.root_group_id),
                primary_group_id=str(self.account.user_groups[user.user_id]),
            )
            found.append(record)
        if not found:
            return error(404, "User not found")
        # One id answers with the object itself, several with a list.
        return Response(value=found[0] if len(ids) == 1 else found)

    def user_path(self, match: re.Match[str], _p: Params) -> Response:
        """GET /user/{ids}: one user's details, or a list for several ids."""
        return self._user_details(parse_ids(match.group(1)))

    def user_query(self, _m: re.Match[str], params: Params) -> Response:
        """GET /user?user_id=: as /user/{ids}; without ids, the token's owner."""
        raw = first(params, "user_id")
        return self._user_details(parse_ids(raw) if raw else [self.catalog.admin.user_id])

    def user_settings(self, match: re.Match[str], params: Params) -> Response:
        """GET /user/{ids}/setting?name[]=: a dict of lists of {name, value}."""
        names = params.get("name[]", []) + params.get("name", [])
        result: dict[str, Any] = {}
        for user_id in parse_ids(match.group(1)):
            user = self.catalog.user_by_id.get(user_id)
            if user is None:
                continue
            settings = []
            if "disabled_user" in names:
                if user.disabled:
                    settings.append({"name": "disabled_user", "value": "1"})
                elif self.catalog.users.index(user) == 1:
                    # Re-enabled users keep an explicit "0"; never-disabled ones have no row.
                    settings.append({"name": "disabled_user", "value": "0"})
            result[str(user_id)] = settings
        return Response(value=php_dict(result))

    def groups(self, _m: re.Match[str], _p: Params) -> Response:
        """GET /group: the group tree as a flat list."""
        return Response(
            value=[
                {"group_id": str(g.group_id), "name": g.name, "parent_id": str(g.parent_id)}
                for g in self.catalog.groups
                if self.account.listed("group", g.group_id)
            ]
        )

    def group_users(self, match: re.Match[str], _p: Params) -> Response:
        """GET /group/{id}/user: the group's members, leaked credential fields included."""
        group_id = int(match.group(1))
        if all(g.group_id != group_id for g in self.catalog.groups) or not self.account.listed(
            "group", group_id
        ):
            return error(404, "Group not found")
        members = []
        for user in self._listed_users():
            if self.account.user_groups[user.user_id] != group_id:
                continue
            record = self._user_record(user)
            # The real endpoint leaks credentials material; a tap must drop these fields.
            record.update(
                password=user.password_hash,
                activation_code=user.activation_code,
                role_id="1" if user.is_admin else "3",
            )
            members.append(record)
        return Response(value=members)
