"""Which subschemas validation may visit, and a bound on the work they make, for jsonschema-rs.

The jsonschema-rs fast path (:mod:`fast`) runs outside the step budget of :mod:`budget`, so it
is only taken when the schema's shape bounds the work: no ``$ref`` cycle (the work of a recursive
schema grows with the instance's depth), subschemas nested at most :data:`MAX_CHAIN` deep (so
jsonschema-rs's recursion stays shallow), and at most :data:`MAX_PER_LOCATION` subschema
evaluations at any one place of an instance. That last bound is what the fan-outs of
``test_hostile_schemas`` break (forty ``anyOf`` of two ``$ref`` each are 2**40 evaluations at one
place); with it, validating an instance costs at most that many evaluations per value in it.

Evaluations at one place are counted through the applicators that stay there (``allOf``,
``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``, ``dependentSchemas``, ``$ref``) and,
below, per property name or item index, every subschema that may apply to the same child
counted once (``properties`` of that name, plus every ``patternProperties``,
``additionalProperties``... that might): an over-estimate, never an under-estimate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import referencing.exceptions
from referencing import Specification
from referencing._core import Resolver

from registry.formats.jsonschema.drafts import subschemas

MAX_PER_LOCATION = 1_000
MAX_CHAIN = 128

_IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies"}
)
_ANY_PROPERTY = frozenset(
    {"additionalProperties", "patternProperties", "propertyNames", "unevaluatedProperties"}
)
_ANY_ITEM = frozenset({"items", "additionalItems", "contains", "unevaluatedItems"})
_OBJECT = ("object",)
_ARRAY = ("array",)

Key = tuple[str, ...]


class Untrusted(Exception):
    """jsonschema-rs may not give ``jsonschema``'s verdict for this schema (the reason)."""


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``, itself included."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def reachable(
    documents: list[Any], resolver: Resolver[Any], specification: Specification[Any]
) -> dict[int, dict[str, Any]]:
    """Every subschema validating against ``documents[0]`` may visit, by id.

    ``documents`` are the schema and the documents of its references; ``$ref`` is followed as
    ``jsonschema`` resolves it (``resolver``). Raises :class:`Untrusted` for a reference to a
    meta-schema, or a shape whose work is not bounded (see the module docstring).
    """
    inside = {id(node) for doc in documents for node in dicts(doc)}
    nodes: dict[int, dict[str, Any]] = {}
    in_place: dict[int, list[int]] = {}
    below: dict[int, list[tuple[Key, int]]] = {}
    stack: list[tuple[Any, Resolver[Any], bool]] = [(documents[0], resolver, True)]
    while stack:
        node, resolver, entered = stack.pop()
        if node.__class__ is not dict or id(node) in nodes:
            continue
        if id(node) not in inside:
            raise Untrusted("it refers to a meta-schema")
        if not entered and specification.id_of(node):
            resolver = resolver.in_subresource(specification.create_resource(node))
        nodes[id(node)] = node
        same, deeper = in_place[id(node)], below[id(node)] = [], []
        for path, child in subschemas(node):
            key = _key(path)
            if isinstance(child, dict) and key is not None:
                (same.append(id(child)) if key == () else deeper.append((key, id(child))))
                stack.append((child, resolver, False))
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, target_resolver = _lookup(resolver, ref)
            if isinstance(target, dict):
                same.append(id(target))
                stack.append((target, target_resolver, True))
    if nodes:
        _bound(id(documents[0]), in_place, below)
    return nodes


def _key(path: tuple[str, ...]) -> Key | None:
    """Where a subschema applies: ``()`` in place, a property or index, any; None: nowhere."""
    keyword = path[0]
    if keyword in _IN_PLACE:
        return ()
    if keyword == "properties":
        return ("property", path[1])
    if keyword == "prefixItems" or (keyword == "items" and len(path) == 2):
        return ("index", path[1])
    if keyword in _ANY_PROPERTY:
        return _OBJECT
    if keyword in _ANY_ITEM:
        return _ARRAY
    return None  # $defs, definitions, contentSchema: applied only through a $ref


def _lookup(resolver: Resolver[Any], ref: str) -> tuple[Any, Resolver[Any]]:
    try:
        resolved = resolver.lookup(ref)
    except referencing.exceptions.Unresolvable:
        raise Untrusted(f"its $ref '{ref}' does not resolve") from None
    if not isinstance(resolved.contents, dict | bool):
        raise Untrusted(f"its $ref '{ref}' points to something that is not a schema")
    return resolved.contents, resolved.resolver


def _bound(
    root: int, in_place: dict[int, list[int]], below: dict[int, list[tuple[Key, int]]]
) -> None:
    """Refuse a cycle, a chain deeper than MAX_CHAIN, more than MAX_PER_LOCATION at a place."""
    here: dict[int, int] = {}  # evaluations at the node's own place
    under: dict[int, Counter[Key]] = {}  # per child place, evaluations there (max over below)
    worst: dict[int, int] = {}  # evaluations at the worst place from the node down
    depth: dict[int, int] = {}
    visiting = {root}
    stack = [(root, _children(root, in_place, below))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            visiting.discard(node)
            _measure(node, in_place, below, here, under, worst)
            kids = [*in_place[node], *(c for _, c in below[node])]
            depth[node] = 1 + max((depth[c] for c in kids), default=0)
            if depth[node] > MAX_CHAIN:
                raise Untrusted(f"it nests subschemas more than {MAX_CHAIN} deep")
        elif child in visiting:
            raise Untrusted("it is recursive (a $ref cycle)")
        elif child not in worst:
            visiting.add(child)
            stack.append((child, _children(child, in_place, below)))


def _children(
    node: int, in_place: dict[int, list[int]], below: dict[int, list[tuple[Key, int]]]
) -> Iterator[int]:
    yield from in_place[node]
    yield from (child for _, child in below[node])


def _measure(
    node: int,
    in_place: dict[int, list[int]],
    below: dict[int, list[tuple[Key, int]]],
    here: dict[int, int],
    under: dict[int, Counter[Key]],
    worst: dict[int, int],
) -> None:
    count = 1 + sum(here[c] for c in in_place[node])
    places: Counter[Key] = Counter()
    for key, child in below[node]:
        places[key] += worst[child]
    for child in in_place[node]:
        places.update(under[child])
    wild = {"property": places[_OBJECT], "index": places[_ARRAY]}
    heaviest = max((n + wild.get(key[0], 0) for key, n in places.items()), default=0)
    here[node], under[node], worst[node] = count, places, max(count, heaviest)
    if worst[node] > MAX_PER_LOCATION:
        raise Untrusted(
            f"it may evaluate more than {MAX_PER_LOCATION:,} subschemas at one place of an "
            "instance (a fan-out)"
        )
