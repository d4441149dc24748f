"""Paths through TimeCamp's trees (groups, tasks), from a node up to its root.

Both trees arrive as flat lists linked by `parent_id`; reports want each node's path
("Company / Engineering / Backend") and one column per level.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

Key = t.TypeVar("Key", bound=t.Hashable)


def paths(parents: Mapping[Key, Key | None], names: Mapping[Key, str]) -> dict[Key, list[Key]]:
    """Return, for every node, the ids on its path from the root down to itself.

    A parent that is missing (archived away, not visible to the token) ends the path; a
    cycle, which a broken account could hold, is cut where it closes.
    """
    found: dict[Key, list[Key]] = {}
    for node in names:
        path: list[Key] = []
        seen: set[Key] = set()
        current: Key | None = node
        while current is not None and current in names and current not in seen:
            if current in found:
                path = found[current] + path
                break
            seen.add(current)
            path.insert(0, current)
            current = parents.get(current)
        found[node] = path
    return found


def level_columns(prefix: str, names: list[str], depth: int) -> dict[str, str | None]:
    """`{prefix}1..{prefix}{depth}`: the names on a path, one column per level."""
    return {f"{prefix}{i}": names[i - 1] if i <= len(names) else None for i in range(1, depth + 1)}
