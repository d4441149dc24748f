"""Tag lists and their tags."""

from __future__ import annotations

import typing as t

from tap_timecamp import answers
from tap_timecamp.full_table import FullTableStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class TagListsStream(FullTableStream):
    """Tag lists (`/tag_list`), archived ones included."""

    name = "tag_lists"
    path = "/tag_list"
    primary_keys = ("tag_list_id",)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every tag list.

        Not the SDK's request loop: `/tag_list` is the run's one read, which tags share.
        """
        for tag_list in self.reads.tag_lists(self.name):
            yield {
                "tag_list_id": tag_list.get("id"),
                "name": tag_list.get("name"),
                "archived": tag_list.get("archived"),
            }


class TagsStream(FullTableStream):
    """Tags, each with the list it belongs to (`/tag_list` with `tags=1`)."""

    name = "tags"
    path = "/tag_list"
    primary_keys = ("tag_id",)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every tag of every list.

        Not the SDK's request loop: `/tag_list` is the run's one read, which tag lists share.
        """
        for tag_list in self.reads.tag_lists(self.name):
            for tag in answers.collection(tag_list.get("tags")):
                yield {
                    "tag_id": tag.get("id"),
                    "tag_list_id": tag_list.get("id"),
                    "tag_list_name": tag_list.get("name"),
                    "name": tag.get("name"),
                    "archived": tag.get("archived"),
                }
