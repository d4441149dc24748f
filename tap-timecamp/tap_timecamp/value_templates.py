"""The custom fields each user's and task's last read answered, to tell when one left.

TimeCamp says nothing when a custom field is unassigned from a resource, or its template is
removed: the resource's values answer (`/v3/custom-fields/values/resource/{id}/type/{type}`)
no longer holds it. `custom_field_values` reads a resource again on later runs (every user
every run, a changed task, every task on the weekly read), so it can tell: a template the
last read of the resource answered, missing from this read's answer, is gone, and its value
is sent deleted. Only from an answer the tap trusts:

- a resource not read this run (an unchanged task) is not judged;
- an answer without any value where the last read had some (a glitch, a resource the token
  no longer sees, its only template removed) is a warning, not a deletion;
- an answer with an item whose `templateId` is not a whole number judges nothing of that
  resource (the item's own key is reported as skipped).

The state (`value_templates`) holds, per resource type, the resources grouped by the
templates their last read answered, their ids sorted and delta-encoded:
`{"user": {"15,16": [1201001, 1, 1, 2]}, "task": {"21": [37, 4]}}`. It grows with the
resources the account lists now (a resource no longer listed is dropped), a few bytes each.
"""

from __future__ import annotations

import dataclasses
import itertools
import typing as t

# In the stream's state.
VALUE_TEMPLATES = "value_templates"

# A resource: its type (`user`, `task`) and id.
Resource = tuple[str, int]


@dataclasses.dataclass
class TemplatesSeen:
    """The templates each resource's last read answered, and those this run's reads answer."""

    before: dict[Resource, frozenset[int]]
    now: dict[Resource, frozenset[int]] = dataclasses.field(default_factory=dict)
    # Resources this run read, whatever their answer: only their saved templates are replaced.
    read_now: set[Resource] = dataclasses.field(default_factory=set)

    @classmethod
    def from_state(cls, state: t.Mapping[str, t.Any]) -> TemplatesSeen:
        """The templates a stream's state holds (none in a state without them)."""
        saved = state.get(VALUE_TEMPLATES)
        before: dict[Resource, frozenset[int]] = {}
        for resource_type, groups in (saved if isinstance(saved, dict) else {}).items():
            for templates, deltas in (groups if isinstance(groups, dict) else {}).items():
                ids = [d for d in deltas if isinstance(d, int)] if isinstance(deltas, list) else []
                parsed = frozenset(int(i) for i in str(templates).split(",") if i.isdigit())
                for resource_id in itertools.accumulate(ids):
                    before[(str(resource_type), resource_id)] = parsed
        return cls(before)

    def judge(self, resource: Resource, answered: list[int | None]) -> list[int] | None:
        """The templates `resource` lost since its last read; None if the answer is not trusted.

        `answered`: the `templateId` of every item of this run's answer, as whole numbers
        (None where an item's is not). Not trusted: an empty answer where the last read had
        templates. An answer with an unusable id judges nothing and replaces nothing saved.
        """
        if None in answered:
            return []
        templates = frozenset(t.cast("list[int]", answered))
        self.read_now.add(resource)
        self.now[resource] = templates
        last = self.before.get(resource, frozenset())
        if not templates and last:
            return None
        return sorted(last - templates)

    def write(self, state: dict[str, t.Any], listed: t.Mapping[str, t.Collection[int]]) -> None:
        """Save the templates of every resource still listed (`listed`: ids per type read).

        A resource read this run is saved as it was answered; one not read keeps what it
        had; one whose type this run listed, but that is no longer among its ids, is dropped.
        """
        kept = {
            resource: templates
            for resource, templates in self.before.items()
            if resource not in self.read_now
            and (resource[0] not in listed or resource[1] in listed[resource[0]])
        }
        kept.update(self.now)
        groups: dict[str, dict[str, list[int]]] = {}
        for (resource_type, resource_id), templates in sorted(kept.items()):
            if templates:
                name = ",".join(map(str, sorted(templates)))
                groups.setdefault(resource_type, {}).setdefault(name, []).append(resource_id)
        state[VALUE_TEMPLATES] = {
            resource_type: {name: _deltas(ids) for name, ids in sorted(by_templates.items())}
            for resource_type, by_templates in sorted(groups.items())
        }


def _deltas(ids: list[int]) -> list[int]:
    """Sorted ids as the first and the differences between neighbours."""
    return [ids[0], *(b - a for a, b in itertools.pairwise(ids))]
