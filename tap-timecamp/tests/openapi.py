"""TimeCamp's OpenAPI description as a check of the requests the tap sent.

A request conforms when its method and path are an operation of the spec (path parameters
of the declared type), every query parameter is one the operation lists, and every
parameter it marks required is present. Where the tap departs from the spec on purpose,
a `Deviation` says how and on what authority; `tests/test_openapi_requests.py` lists them.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
from pathlib import Path

import yaml

# TimeCamp's own description, copied unchanged from the shared facts (see contracts/README.md).
SPEC_FILE = Path(__file__).resolve().parents[2] / "contracts" / "timecamp-openapi.yaml"
EVERY_PATH = "*"
METHODS = ("get", "post", "put", "patch", "delete")
# A path parameter's value, by the type the spec declares for it.
VALUE_PATTERNS = {"integer": r"[0-9]+", "number": r"[0-9.]+"}
ID_LIST = r"[0-9]+(?:,[0-9]+)*"
SEGMENT = r"[^/]+"


@dataclasses.dataclass(frozen=True)
class Deviation:
    """Where the tap's requests depart from the spec on purpose, and the source that says so.

    `path` is a spec-style template (`/user/{user_id}/setting`) or `EVERY_PATH`. An
    operation the spec lacks is described by `query` (its parameter names) and `missing`.
    """

    method: str
    path: str
    source: str
    # The spec has no such operation: the deviation describes it.
    missing: bool = False
    # Query parameters the spec does not list for the operation.
    query: frozenset[str] = frozenset()
    # Present together, these stand in for the parameters the spec marks required.
    instead_of_required: frozenset[str] = frozenset()
    # Path parameters that carry comma-separated ids where the spec declares one integer.
    id_lists: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Operation:
    """One method on one path of the spec: what a request of it may and must carry."""

    method: str
    template: str
    path_types: dict[str, str]
    query: frozenset[str]
    required: frozenset[str]
    alternatives: tuple[frozenset[str], ...] = ()

    @property
    def shape(self) -> re.Pattern[str]:
        """Any path with the template's literal segments, path parameters unchecked."""
        return re.compile(re.sub(r"\\\{[^/]+?\\\}", SEGMENT, re.escape(self.template)) + "$")

    @property
    def literal_segments(self) -> int:
        """How specific the template is: `/v3/expense/list` before `/v3/expense/{id}`."""
        return sum(1 for part in self.template.split("/") if part and "{" not in part)

    def path_problems(self, path: str, id_lists: frozenset[str]) -> list[str]:
        """Path parameters whose values are not of the declared type."""
        problems = []
        for name, value in _path_values(self.template, path).items():
            kind = self.path_types.get(name, "string")
            wanted = ID_LIST if name in id_lists else VALUE_PATTERNS.get(kind, SEGMENT)
            if not re.fullmatch(wanted, value):
                problems.append(
                    f"path parameter `{name}` is {value!r} where the spec declares {kind}"
                )
        return problems


def _path_values(template: str, path: str) -> dict[str, str]:
    """The path parameters of `path` (a path of the template's shape) by name."""
    return {
        part.strip("{}"): value
        for part, value in zip(template.split("/"), path.split("/"), strict=True)
        if part.startswith("{")
    }


class Contract:
    """The spec's operations, amended by the tap's deliberate deviations."""

    def __init__(self, document: dict[str, t.Any], deviations: t.Iterable[Deviation] = ()) -> None:
        """Read every operation of an OpenAPI document, then apply `deviations`."""
        self.deviations = tuple(deviations)
        self.operations = [
            operation
            for template, item in document.get("paths", {}).items()
            for operation in _operations(document, template, item)
        ]
        self.everywhere: frozenset[str] = frozenset()
        for deviation in self.deviations:
            self._apply(deviation)

    @classmethod
    def load(cls, deviations: t.Iterable[Deviation] = ()) -> Contract:
        """The contract of TimeCamp's spec as the repository holds it."""
        return cls(yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8")), deviations)

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation a request is, the most specific template first."""
        candidates = [
            op for op in self.operations if op.method == method.upper() and op.shape.match(path)
        ]
        return max(candidates, key=lambda op: op.literal_segments, default=None)

    def problems(self, method: str, path: str, params: t.Iterable[str]) -> list[str]:
        """How a request departs from the contract: nothing when it conforms."""
        label = f"{method.upper()} {path}"
        op = self.operation(method, path)
        if op is None:
            return [f"{label}: the spec has no operation of this method and path"]
        names = set(params)
        problems = [f"{label}: {problem}" for problem in op.path_problems(path, self._id_lists(op))]
        listed = op.query | self.everywhere
        problems += [
            f"{label}: query parameter `{name}` is not one the spec lists for {op.template} "
            f"({', '.join(sorted(op.query)) or 'none'})"
            for name in sorted(names - listed)
        ]
        missing = op.required - names
        if missing and not any(alternative <= names for alternative in op.alternatives):
            problems.append(f"{label}: required parameter(s) {', '.join(sorted(missing))} missing")
        return problems

    def _id_lists(self, op: Operation) -> frozenset[str]:
        return frozenset().union(
            *(d.id_lists for d in self.deviations if (d.method, d.path) == (op.method, op.template))
        )

    def _apply(self, deviation: Deviation) -> None:
        if deviation.path == EVERY_PATH:
            self.everywhere |= deviation.query
            return
        if deviation.missing:
            self.operations.append(
                Operation(deviation.method, deviation.path, {}, deviation.query, frozenset())
            )
            return
        for index, op in enumerate(self.operations):
            if (op.method, op.template) == (deviation.method, deviation.path):
                alternatives = op.alternatives
                if deviation.instead_of_required:
                    alternatives = (*alternatives, deviation.instead_of_required)
                self.operations[index] = dataclasses.replace(
                    op, query=op.query | deviation.query, alternatives=alternatives
                )
                return
        msg = f"deviation for {deviation.method} {deviation.path}: the spec has no such operation"
        raise ValueError(msg)


def _operations(
    document: dict[str, t.Any], template: str, item: dict[str, t.Any]
) -> t.Iterator[Operation]:
    shared = [_resolved(document, p) for p in item.get("parameters", [])]
    for method in METHODS:
        if method not in item:
            continue
        own = [_resolved(document, p) for p in item[method].get("parameters", [])]
        # An operation's own declaration of a name overrides the path's.
        parameters = {(p["in"], p["name"]): p for p in [*shared, *own]}.values()
        yield Operation(
            method=method.upper(),
            template=template,
            path_types={
                p["name"]: p.get("schema", {}).get("type", "string")
                for p in parameters
                if p["in"] == "path"
            },
            query=frozenset(p["name"] for p in parameters if p["in"] == "query"),
            required=frozenset(
                p["name"] for p in parameters if p["in"] == "query" and p.get("required")
            ),
        )


def _resolved(document: dict[str, t.Any], parameter: dict[str, t.Any]) -> dict[str, t.Any]:
    """A parameter, or the one its `$ref` (`#/components/parameters/x`) points at."""
    reference = parameter.get("$ref")
    if reference is None:
        return parameter
    node: t.Any = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return t.cast("dict[str, t.Any]", node)
