"""TimeCamp's trees (groups, tasks): each node's path from the root down to itself.

Both trees arrive as flat lists linked by `parent_id`; reports want each node's path
("Company / Engineering / Backend") and one column per level.
"""

from __future__ import annotations

import typing as t

from tap_timecamp import coercion

if t.TYPE_CHECKING:
    from collections.abc import Iterable


class Tree:
    """The nodes of a flat list linked by `parent_id`, each with its path."""

    def __init__(self, nodes: Iterable[dict[str, t.Any]], id_field: str) -> None:
        """Index `nodes` by their integer `id_field`.

        Nodes without one are left out, counted in `without_id` for the stream to report.
        """
        self.nodes: dict[int, dict[str, t.Any]] = {}
        self.without_id = 0
        for node in nodes:
            nid = coercion.to_integer(node.get(id_field))
            if nid is None:
                self.without_id += 1
            else:
                self.nodes[nid] = node
        self.parents = {
            nid: coercion.to_integer(node.get("parent_id")) or None
            for nid, node in self.nodes.items()
        }
        self.names = {nid: str(node.get("name") or "") for nid, node in self.nodes.items()}
        self.paths = self._paths()

    def _paths(self) -> dict[int, list[int]]:
        """For every node, the ids from the root down to it.

        A parent that is missing (archived away, not visible to the token) ends the path;
        a cycle, which a broken account could hold, is cut where it closes. A path found
        is reused by the nodes below it, so a deep tree costs one walk per node.
        """
        found: dict[int, list[int]] = {}
        for node in self.nodes:
            path: list[int] = []
            seen: set[int] = set()
            current: int | None = node
            while current is not None and current in self.nodes and current not in seen:
                if current in found:
                    path = found[current] + path
                    break
                seen.add(current)
                path.insert(0, current)
                current = self.parents[current]
            found[node] = path
        return found

    def path_names(self, node: int | None) -> list[str]:
        """The names on the path to `node` (none for an unknown node)."""
        return [self.names[n] for n in self.paths.get(node, [])] if node is not None else []


def level_columns(prefix: str, names: list[str], depth: int) -> dict[str, str | None]:
    """`{prefix}1..{prefix}{depth}`: the names on a path, one column per level."""
    return {f"{prefix}{i}": names[i - 1] if i <= len(names) else None for i in range(1, depth + 1)}
