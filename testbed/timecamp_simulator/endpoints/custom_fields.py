"""Custom fields (v3): the template list and each resource's values.

`/v3/custom-fields/template/list` answers `{"data": [template, ...]}` (active templates);
`/v3/custom-fields/values/resource/{id}/type/{type}` answers `{"data": [value, ...]}`, one
item per active template of that resource type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from timecamp_simulator.account import Account
from timecamp_simulator.params import Params
from timecamp_simulator.response import Response, error
from timecamp_simulator.routing import Route


@dataclass(frozen=True)
class Template:
    """A custom field template: a named field on users, tasks or entries."""

    template_id: int
    name: str
    resource_type: str
    required: bool
    field_type: str
    default_value: str | None
    active: bool = True

    def record(self) -> dict[str, Any]:
        """As the template list shows it."""
        return {
            "id": self.template_id,
            "name": self.name,
            "resourceType": self.resource_type,
            "required": self.required,
            "status": int(self.active),
            "fieldType": self.field_type,
            "defaultValue": self.default_value,
            "fieldOptions": [],
        }


# The spec's examples (15, 16), a task's, an entry's and a template no longer active.
TEMPLATES = (
    Template(15, "Customer Priority", "user", True, "string", "Medium"),
    Template(16, "Customer Category", "user", False, "string", None),
    Template(21, "Cost centre", "task", False, "string", None),
    Template(22, "Progress", "task", False, "number", None),
    Template(30, "Ticket", "entry", False, "string", None),
    Template(31, "Old field", "task", False, "string", None, active=False),
)
RESOURCE_TYPES = ("user", "task", "entry")


class CustomFieldEndpoints:
    """Templates and values; values set later are the account's (`Simulator`)."""

    def __init__(self, account: Account) -> None:
        """Answer for this account: seeded values on some users and tasks."""
        self.changed = account.custom_field_values
        self.unassigned = account.custom_fields_unassigned
        self.removed = account.custom_field_templates_removed
        self.resources = {
            "user": {u.user_id for u in account.catalog.users},
            "task": {t.task_id for t in account.catalog.tasks},
        }
        self.seeded: dict[tuple[str, int, int], str] = {}
        for index, user in enumerate(account.catalog.users):
            if index % 2 == 0:
                self.seeded[("user", user.user_id, 15)] = ("High", "Low")[index % 4 // 2]
            self.seeded[("user", user.user_id, 16)] = f"Segment {index % 3 + 1}"
        for index, task in enumerate(account.catalog.tasks):
            if index % 2 == 0:
                self.seeded[("task", task.task_id, 21)] = f"CC-{100 + index % 5}"
            if index % 5 == 0:
                self.seeded[("task", task.task_id, 22)] = str(index * 7 % 101)

    def routes(self) -> list[Route]:
        """The paths this family answers and their handlers."""
        return [
            (r"/v3/custom-fields/template/list", self.templates),
            (
                r"/v3/custom-fields/values/resource/(?P<resource_id>\d+)/type/(?P<type>[a-z]+)",
                self.values,
            ),
        ]

    def templates(self, _m: re.Match[str], _params: Params) -> Response:
        """GET /v3/custom-fields/template/list: the active templates."""
        return Response(value={"data": [t.record() for t in self.listed()]})

    def listed(self) -> list[Template]:
        """The active templates no administrator removed."""
        return [t for t in TEMPLATES if t.active and t.template_id not in self.removed]

    def values(self, match: re.Match[str], _params: Params) -> Response:
        """GET /v3/custom-fields/values/resource/{id}/type/{type}: one item per template."""
        resource_type, resource_id = match["type"], int(match["resource_id"])
        if resource_type not in RESOURCE_TYPES:
            return error(400, f"Unknown resource type {resource_type}")
        if resource_id not in self.resources.get(resource_type, set()):
            return error(404, f"Resource {resource_id} not found")
        return Response(
            value={
                "data": [
                    self._value(t, resource_id)
                    for t in self.listed()
                    if t.resource_type == resource_type
                    and (resource_type, resource_id, t.template_id) not in self.unassigned
                ]
            }
        )

    def _value(self, template: Template, resource_id: int) -> dict[str, Any]:
        key = (template.resource_type, resource_id, template.template_id)
        value = self.changed[key] if key in self.changed else self.seeded.get(key)
        if value is None and template.required:
            value = template.default_value
        return {
            "templateId": template.template_id,
            "name": template.name,
            "resourceType": template.resource_type,
            "required": template.required,
            "fieldType": template.field_type,
            "defaultValue": template.default_value,
            "value": value,
        }
