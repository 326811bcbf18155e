"""Reference cycles that never reach into the instance: schemas no instance can be checked by.

``{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}``
sends a validator from ``a`` to ``b`` and back without ever moving to a property or an item:
every validation recurses until it gives up, while a compatibility engine reading the same
cycle co-inductively finds no constraint at all and calls it "accepts anything". Both readings
cannot be right, so such a schema is refused when it is registered.

A cycle is a problem only when every step stays at the same place of the instance: ``$ref``
(and ``$dynamicRef``, ``$recursiveRef``), ``allOf``, ``anyOf``, ``oneOf``, ``not``,
``if``/``then``/``else``, ``dependentSchemas`` and schema-valued ``dependencies``. A recursive
schema that descends through ``properties``, ``items`` and the like (a tree, a linked list) is
fine: it stops where the instance stops. Only subschemas reachable from the root count.
"""

from __future__ import annotations

from typing import Any

import referencing.exceptions
from referencing._core import Resolver

from registry.formats.jsonschema.drafts import Draft, pointer, subschemas

IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies"}
)
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
_ONLY_BY_REFERENCE = frozenset({"$defs", "definitions"})


def in_place_cycle(document: Any, resolver: Resolver[Any], draft: Draft) -> list[str] | None:
    """The first cycle of in-place steps reachable from the root, as the locations it visits
    (the first repeated at the end), or None when there is none."""
    if not isinstance(document, dict):
        return None
    where: dict[int, str] = {}
    same: dict[int, list[int]] = {}
    specification = draft.specification
    stack: list[tuple[Any, Resolver[Any], str, bool]] = [(document, resolver, "#", True)]
    while stack:
        node, node_resolver, location, root = stack.pop()
        if node.__class__ is not dict or id(node) in where:
            continue
        if not root and specification.id_of(node):
            node_resolver = node_resolver.in_subresource(specification.create_resource(node))
        where[id(node)] = location
        here = same[id(node)] = []
        ref_only = draft <= Draft.DRAFT7 and isinstance(node.get("$ref"), str)
        for keyword in _REFS:
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            try:
                resolved = node_resolver.lookup(ref)
            except referencing.exceptions.Unresolvable:
                continue  # refused with its own message when references are checked
            if isinstance(resolved.contents, dict):
                here.append(id(resolved.contents))
                stack.append((resolved.contents, resolved.resolver, ref, True))
        if ref_only:
            continue  # before 2019-09, a $ref's siblings are ignored
        for path, child in subschemas(node):
            if isinstance(child, dict) and path[0] not in _ONLY_BY_REFERENCE:
                if path[0] in IN_PLACE:
                    here.append(id(child))
                stack.append((child, node_resolver, location + pointer(path), False))
    return _first_cycle(same, where)


def _first_cycle(same: dict[int, list[int]], where: dict[int, str]) -> list[str] | None:
    """Depth-first search over in-place steps, each node finished once: linear in the graph."""
    done: set[int] = set()
    for start in same:
        if start in done:
            continue
        path = [start]
        on_path = {start}
        pending = [iter(same[start])]
        while pending:
            child = next(pending[-1], None)
            if child is None:
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                pending.pop()
            elif child in on_path:
                cycle = [*path[path.index(child) :], child]
                return [where[node] for node in cycle]
            elif child not in done:
                path.append(child)
                on_path.add(child)
                pending.append(iter(same[child]))
    return None
