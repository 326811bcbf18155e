"""Proving that two schemas share no instance (for ``oneOf``, ``not`` and ``if``).

``disjoint`` answers True only with a proof: different types, separate numeric or length
ranges, enum values the other side rejects, a property one side requires and the other
forbids or types apart. Anything else is False ("may overlap"), which keeps callers sound.
"""

from __future__ import annotations

from registry.formats.jsonschema.compat import scalars
from registry.formats.jsonschema.compat.engine import Engine, finite_values
from registry.formats.jsonschema.compat.node import Node, is_true, type_set

_MAX_DEPTH = 16


def disjoint(engine: Engine, a: Node, b: Node, depth: int = 0) -> bool:
    """Whether no value is valid under both ``a`` and ``b`` (True only when proved)."""
    if depth > _MAX_DEPTH:
        return False
    a, b = engine.deref_writer(a), engine.deref_writer(b)
    if a.schema is False or b.schema is False:
        return True
    if is_true(a.schema) or is_true(b.schema):
        return False
    if _negates(a, b) or _negates(b, a):
        return True
    for x, y in ((a, b), (b, a)):
        values = finite_values(x)
        if values is not None:
            return not any(engine.valid(x, v) and engine.valid(y, v) for v in values)
    for x, y in ((a, b), (b, a)):
        pieces = engine.writer_pieces(x)
        if len(pieces) > 1:
            return all(disjoint(engine, piece, y, depth + 1) for piece in pieces)
    common = type_set(a.schema) & type_set(b.schema)
    if "number" in common:
        common.discard("integer")
    return all(_apart(engine, a, b, kind, depth) for kind in common)


def _negates(a: Node, b: Node) -> bool:
    excluded = a.get("not")
    if excluded is None:
        return False
    if excluded == b.schema:
        return True
    return isinstance(excluded, dict) and b.schema in (excluded.get("anyOf") or [])


def _apart(engine: Engine, a: Node, b: Node, kind: str, depth: int) -> bool:
    if kind == "string":
        return bool(
            a.get("minLength", 0) > b.get("maxLength", scalars.INF)
            or b.get("minLength", 0) > a.get("maxLength", scalars.INF)
        )
    if kind in ("number", "integer"):
        return _ranges_apart(a, b, kind == "integer")
    if kind == "object":
        return _objects_apart(engine, a, b, depth)
    return False


def _ranges_apart(a: Node, b: Node, integer: bool) -> bool:
    a_low, a_high = scalars._interval(a, integer)
    b_low, b_high = scalars._interval(b, integer)
    return _below(a_high, b_low) or _below(b_high, a_low)


def _below(high: scalars.Bound, low: scalars.Bound) -> bool:
    if high is None or low is None:
        return False
    if high[0] != low[0]:
        return bool(high[0] < low[0])
    return high[1] or low[1]


def _objects_apart(engine: Engine, a: Node, b: Node, depth: int) -> bool:
    from registry.formats.jsonschema.compat.objects import writer_value

    required = set(a.get("required", []) or []) | set(b.get("required", []) or [])
    for name in sorted(required):
        value_a, value_b = writer_value(a, name), writer_value(b, name)
        in_a = name in (a.get("required", []) or [])
        if (value_b is None and in_a) or (value_a is None and not in_a):
            return True
        if (
            value_a is not None
            and value_b is not None
            and disjoint(engine, value_a, value_b, depth + 1)
        ):
            return True
    return False
