"""Field and enum defaults: whether a default is valid for its type, and its value as data.

Defaults are written in Avro's JSON encoding ("Complex Types", field ``default``): bytes and fixed
are strings whose code points are the byte values, a union's default is for its FIRST branch.
"""

from __future__ import annotations

from typing import Any

from registry.formats.avro.schema import Node
from registry.formats.avro.types import PRIMITIVES, bytes_from_text, is_byte_text


def default_problem(node: Node, value: Any) -> str | None:
    """Why ``value`` is not a valid default (Avro JSON encoding) for ``node``, or None."""
    kind = node.kind
    if kind == "union":
        if not node.branches:
            return "an empty union has no values"
        problem = default_problem(node.branches[0], value)
        if problem is None:
            return None
        return (
            f"a union default must match the union's first branch "
            f"({node.branches[0].describe()}): {problem}"
        )
    primitive = PRIMITIVES.get(kind)
    if primitive is not None or kind == "fixed":
        if primitive is not None:
            valid = primitive.is_default(value)
        else:
            valid = is_byte_text(value) and len(value) == node.size
        return None if valid else f"{value!r} is not a valid {node.describe()}"
    if kind == "enum":
        if value in node.symbols:
            return None
        return f"{value!r} is not a symbol of {node.describe()}"
    if kind == "array":
        if not isinstance(value, list):
            return f"{value!r} is not an array"
        return _first(default_problem(node.child, item) for item in value if node.child)
    if kind == "map":
        if not isinstance(value, dict):
            return f"{value!r} is not a map (JSON object)"
        return _first(default_problem(node.child, v) for v in value.values() if node.child)
    return _record_default_problem(node, value)


def _record_default_problem(node: Node, value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"{value!r} is not a record (JSON object) for {node.describe()}"
    for fld in node.fields:
        if fld.name in value:
            problem = default_problem(fld.type, value[fld.name])
            if problem is not None:
                return f"field '{fld.name}': {problem}"
        elif not fld.has_default:
            return f"field '{fld.name}' of {node.describe()} is missing and has no default"
    return None


def _first(problems: Any) -> str | None:
    return next((p for p in problems if p is not None), None)


def from_default(node: Node, value: Any) -> Any:
    """A field default (Avro's JSON encoding, already validated) as a Python instance."""
    if node.kind == "union":
        return from_default(node.branches[0], value)
    primitive = PRIMITIVES.get(node.kind)
    if primitive is not None:
        return primitive.from_default(value)
    if node.kind == "fixed":
        return bytes_from_text(value)
    if node.kind == "array" and node.child is not None:
        return [from_default(node.child, item) for item in value]
    if node.kind == "map" and node.child is not None:
        return {k: from_default(node.child, v) for k, v in value.items()}
    if node.kind == "record":
        out = {}
        for fld in node.fields:
            if fld.name in value:
                out[fld.name] = from_default(fld.type, value[fld.name])
            else:
                out[fld.name] = from_default(fld.type, fld.default)
        return out
    return value
