"""Avro instances: every way a Python value fails to conform to a schema.

Instances are plain Python values as fastavro reads and writes them: ``dict`` for records and
maps, ``list`` for arrays, ``str`` for strings and enum symbols, ``bytes`` for bytes and fixed,
``int``/``float``/``bool``/``None``. Logical types also accept the Python objects fastavro
converts them to (``datetime``, ``date``, ``time``, ``Decimal``, ``UUID``).
"""

from __future__ import annotations

from typing import Any

from registry.formats.avro.schema import Node, pointer
from registry.formats.avro.types import LOGICAL_TYPES, PRIMITIVES
from registry.formats.base import Violation


def violations(node: Node, value: Any, path: str = "") -> list[Violation]:
    """Every way ``value`` fails to conform to ``node``, with JSON pointers to the datum."""
    if node.kind in PRIMITIVES or node.kind in ("fixed", "enum"):
        if _scalar_conforms(node, value) or _logical_object(node, value):
            return []
        return [_violation(node, value, path)]
    if node.kind == "union":
        return _union_violations(node, value, path)
    if node.kind == "array":
        if not isinstance(value, list | tuple):
            return [_violation(node, value, path)]
        assert node.child is not None
        return [
            v for i, item in enumerate(value) for v in violations(node.child, item, f"{path}/{i}")
        ]
    if node.kind == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return [_violation(node, value, path)]
        assert node.child is not None
        return [
            v for k, item in value.items() for v in violations(node.child, item, pointer(path, k))
        ]
    return _record_violations(node, value, path)


def _scalar_conforms(node: Node, value: Any) -> bool:
    primitive = PRIMITIVES.get(node.kind)
    if primitive is not None:
        return primitive.is_datum(value)
    if node.kind == "fixed":
        return PRIMITIVES["bytes"].is_datum(value) and len(value) == node.size
    return isinstance(value, str) and value in node.symbols


def _logical_object(node: Node, value: Any) -> bool:
    logical = LOGICAL_TYPES.get(node.logical or "")
    return logical is not None and isinstance(value, logical.python_types)


def _violation(node: Node, value: Any, path: str, message: str | None = None) -> Violation:
    if message is None:
        expected = node.describe()
        if node.kind == "fixed":
            expected += f" ({node.size} bytes)"
        elif node.kind == "enum":
            expected += " (one of " + ", ".join(node.symbols) + ")"
        message = f"expected {expected}, found {_short(value)}"
    return Violation(path, message, node.path, node.describe(), value)


def _union_violations(node: Node, value: Any, path: str) -> list[Violation]:
    per_branch = [violations(branch, value, path) for branch in node.branches]
    if any(not found for found in per_branch):
        return []
    plausible = [
        found for b, found in zip(node.branches, per_branch, strict=True) if _plausible(b, value)
    ]
    if len(plausible) == 1:
        return plausible[0]
    return [
        _violation(node, value, path, f"{_short(value)} matches no branch of {node.describe()}")
    ]


def _plausible(node: Node, value: Any) -> bool:
    """Whether ``value`` has the Python type the branch uses, so its own errors say more."""
    if node.kind in ("record", "map"):
        return isinstance(value, dict)
    if node.kind == "array":
        return isinstance(value, list | tuple)
    return False


def _record_violations(node: Node, value: Any, path: str) -> list[Violation]:
    if not isinstance(value, dict):
        return [_violation(node, value, path)]
    found: list[Violation] = []
    for fld in node.fields:
        if fld.name in value:
            found += violations(fld.type, value[fld.name], pointer(path, fld.name))
        elif not fld.has_default:
            found.append(
                _violation(
                    node,
                    value,
                    pointer(path, fld.name),
                    f"field '{fld.name}' of record '{node.name}' is missing and has no default",
                )
            )
    return found


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
