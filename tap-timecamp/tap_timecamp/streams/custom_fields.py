"""Custom fields: the templates an account defines, and their values on users and tasks."""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from tap_timecamp import answers, clock, coercion
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.lookback_keys import DELETED_AT
from tap_timecamp.streams.shared import CUSTOM_FIELD_TEMPLATES_PATH, ids_of
from tap_timecamp.streams.windowed import IncrementalStream
from tap_timecamp.value_templates import Resource, TemplatesSeen

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# The resource types whose values are read; `entry` is not: a request per entry.
RESOURCE_TYPES = ("user", "task")
# Every task's values are read again when the last such read is this old, whether or not
# the task's `modify_time` moved (TimeCamp does not say that a value change moves it).
FULL_READ_EVERY = dt.timedelta(days=7)
# In the stream's state: TimeCamp's clock when a run last read every resource's values.
ALL_READ_AT = "all_values_read_at"
# A resource's values: a collection under `data`.
VALUES = functools.partial(answers.decode_collection, key="data")


class CustomFieldTemplatesStream(FullTableStream):
    """The account's active custom field templates (`/v3/custom-fields/template/list`)."""

    name = "custom_field_templates"
    path = CUSTOM_FIELD_TEMPLATES_PATH
    primary_keys = ("template_id",)
    # Custom fields are not on every plan: where TimeCamp refuses them (403), a default
    # selection would fail every run of the account.
    selected_by_default = False

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Each template, under the warehouse's column names.

        Not the SDK's request loop: the template list is the run's one read, which
        custom_field_values shares.
        """
        for item in self.reads.custom_field_templates(self.name):
            yield {
                "template_id": item.get("id"),
                "name": item.get("name"),
                "resource_type": item.get("resourceType"),
                "required": item.get("required"),
                "status": item.get("status"),
                "field_type": item.get("fieldType"),
                "default_value": item.get("defaultValue"),
                "field_options": item.get("fieldOptions"),
            }


class CustomFieldValuesStream(IncrementalStream):
    """Custom field values of users and tasks: one row per (resource, template).

    `/v3/custom-fields/values/resource/{id}/type/{type}` answers for one resource, so a run
    reads only what may have changed: resource types without an active template not at all;
    every user (users carry no modification time); a task only if its `modify_time` or
    `add_date` is on or after the day of the last run's start (minus `overlap_days`), and
    every task on a first run and when the last full read is `FULL_READ_EVERY` old. A value
    cleared in TimeCamp comes back as a row with `value` null; a field the resource's answer
    no longer holds (unassigned, its template removed) is sent deleted
    (`tap_timecamp.value_templates`).
    """

    name = "custom_field_values"
    path = "/v3/custom-fields/values/resource/{resource_id}/type/{resource_type}"
    primary_keys = ("resource_type", "resource_id", "template_id")
    # TimeCamp's clock when this run read the value: the bookmark is the last run's start.
    replication_key = "read_at"
    is_sorted = False
    # A request per user and per changed task.
    selected_by_default = False

    def request_records(self, context: Context | None) -> t.Iterator[dict[str, t.Any]]:
        """The values of every resource that may have changed since the last run.

        Not the SDK's request loop: the resources come from other endpoints (the template
        list, the run's shared `/users` and `/tasks`), one request each, sent
        `max_requests_in_flight` at a time; their values are sent in the resources' order.
        The state says "complete up to T" once they are all read (`IncrementalStream`).
        """
        templates = self.reads.custom_field_templates(self.name)
        used = {str(item.get("resourceType")) for item in templates}
        since = self.tasks_changed_since()
        read_at = clock.stamp(self.started_at)
        state = self.get_context_state(None)
        seen = TemplatesSeen.from_state(state)
        listed: dict[str, set[int]] = {}
        resources: list[Resource] = []
        for resource_type in RESOURCE_TYPES:
            if resource_type not in used:
                continue
            listed[resource_type] = set(self.resources(resource_type, None))
            resources += [(resource_type, i) for i in self.resources(resource_type, since)]
        with self.in_flight(resources, self.values_of) as fetched:
            for (resource_type, resource_id), items in fetched:
                for item in items:
                    yield {
                        "resource_type": resource_type,
                        "resource_id": resource_id,
                        "template_id": item.get("templateId"),
                        "name": item.get("name"),
                        "field_type": item.get("fieldType"),
                        "required": item.get("required"),
                        "default_value": item.get("defaultValue"),
                        "value": item.get("value"),
                        "read_at": read_at,
                        # Live: a value sent deleted by an earlier run and back is live again.
                        DELETED_AT: None,
                    }
                answered = [coercion.to_integer(item.get("templateId")) for item in items]
                yield from self.values_gone(seen, (resource_type, resource_id), answered)
        seen.write(state, listed)
        if since is None:
            state[ALL_READ_AT] = read_at

    def values_gone(
        self, seen: TemplatesSeen, resource: Resource, answered: list[int | None]
    ) -> t.Iterator[dict[str, t.Any]]:
        """Tombstones for the fields `resource`'s last read answered and this one does not.

        An answer without a value where the last read had some is a warning, not a deletion.
        """
        gone = seen.judge(resource, answered)
        resource_type, resource_id = resource
        if gone is None:
            self.logger.warning(
                "%s: TimeCamp answered no custom field of %s %s, where the last read had %s: "
                "none sent deleted",
                self.name,
                resource_type,
                resource_id,
                ", ".join(map(str, sorted(seen.before.get(resource, ())))),
            )
            return
        for template_id in gone:
            yield {
                "resource_type": resource_type,
                "resource_id": resource_id,
                "template_id": template_id,
                "read_at": clock.stamp(self.started_at),
                DELETED_AT: clock.iso_instant(self.started_at),
            }

    def values_of(self, resource: Resource) -> list[dict[str, t.Any]]:
        """The custom field values of one resource (a type and an id)."""
        resource_type, resource_id = resource
        path = f"/v3/custom-fields/values/resource/{resource_id}/type/{resource_type}"
        return self.client.get(path, VALUES, stream=self.name)

    def tasks_changed_since(self) -> dt.date | None:
        """The first day of task changes to read; None when every task is read."""
        all_read_at = clock.parse_stamp(self.get_context_state(None).get(ALL_READ_AT))
        if all_read_at is None or self.started_at - all_read_at >= FULL_READ_EVERY:
            return None
        return self.changes_since()

    def resources(self, resource_type: str, since: dt.date | None) -> list[int]:
        """The ids of `resource_type` to read: every user; the tasks changed since `since`."""
        if resource_type == "user":
            return ids_of(self.reads.users(self.name), "user_id")
        tasks = self.reads.tasks(self.name)
        if since is not None:
            first = since.isoformat()
            tasks = [
                task
                for task in tasks
                if max(str(task.get("modify_time") or ""), str(task.get("add_date") or "")) >= first
            ]
        return ids_of(tasks, "task_id")
