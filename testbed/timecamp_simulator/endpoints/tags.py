"""The tag endpoints: /tag_list, and /entries/{ids}/tags with the tag objects entries carry."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.catalog import Catalog
from timecamp_simulator.params import Params, first, parse_ids
from timecamp_simulator.response import Response, php_dict
from timecamp_simulator.routing import Route


def tag_objects(catalog: Catalog, tag_ids: Iterable[int]) -> list[dict[str, str]]:
    """Tags as entries carry them (`/entries?opt_fields=tags`, `/entries/{ids}/tags`)."""
    objects = []
    for tag_id in tag_ids:
        tag = catalog.tag_by_id.get(tag_id)
        if tag is not None:
            objects.append(
                {
                    "tagListName": tag.list_name,
                    "tagListId": str(tag.list_id),
                    "tagId": str(tag.tag_id),
                    "name": tag.name,
                    "mandatory": str(int(tag.mandatory)),
                }
            )
    return objects


class TagEndpoints:
    """Tag lists with their tags, and the tags of given entries."""

    def __init__(self, account: Account) -> None:
        """Answer for this account."""
        self.account = account
        self.catalog = account.catalog
        self.store = account.store

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/tag_list/?", self.tag_lists),
            (r"/entries/([0-9,]+)/tags/?", self.tags_of_entries),
        ]

    def tag_lists(self, _m: re.Match[str], params: Params) -> Response:
        """GET /tag_list: a dict of lists; tags=1 nests their tags, archived=1 keeps archived."""
        with_tags = first(params, "tags") == "1"
        archived = first(params, "archived") == "1"
        result: dict[str, Any] = {}
        for tag_list in self.catalog.tag_lists:
            if (tag_list.archived and not archived) or not self.account.listed(
                "tag_list", tag_list.list_id
            ):
                continue
            record: dict[str, Any] = {
                "id": str(tag_list.list_id),
                "name": tag_list.name,
                "archived": str(int(tag_list.archived)),
                "sort": "0",
            }
            if with_tags:
                tags = {
                    str(t.tag_id): {
                        "id": str(t.tag_id),
                        "name": t.name,
                        "archived": str(int(t.archived)),
                    }
                    for t in tag_list.tags
                    if (archived or not t.archived) and self.account.listed("tag", t.tag_id)
                }
                record["tags"] = php_dict(tags)
            result[str(tag_list.list_id)] = record
        return Response(value=php_dict(result))

    def tags_of_entries(self, match: re.Match[str], _p: Params) -> Response:
        """GET /entries/{ids}/tags: the tags of each tagged entry, by entry id."""
        result: dict[str, Any] = {}
        for entry_id in parse_ids(match.group(1)):
            entry = self.store.get(entry_id)
            if entry is None:
                continue
            tags = tag_objects(self.catalog, self.store.tag_ids(entry) or [])
            if tags:
                result[str(entry_id)] = tags
        if not result:
            # One of the places TimeCamp answers with a bare JSON string instead of an object.
            return Response(404, "Empty tags")
        return Response(value=result)
