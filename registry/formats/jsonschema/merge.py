"""Combining the conjuncts of ``allOf`` into one schema that accepts at least their intersection.

The result never rejects an instance that every conjunct accepts (it may keep only one of two
constraints it cannot combine), so it is a safe *over-approximation*: the compatibility engine
uses it for the writer side, where accepting more can only make the verdict stricter, and the
example generator uses it as a starting point whose outputs are then validated.
"""

from __future__ import annotations

import json
from typing import Any

_LOWER = ("minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maxLength", "maxItems", "maxProperties", "maxContains")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_SCHEMA_SINGLES = ("items", "additionalProperties", "unevaluatedProperties", "propertyNames")
_DRAFT4_BOUNDS = {"minimum": "exclusiveMinimum", "maximum": "exclusiveMaximum"}


def type_set(schema: dict[str, Any]) -> set[str] | None:
    """The ``type`` keyword as a set (``None`` when absent: every type)."""
    value = schema.get("type")
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def intersect_types(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """Types allowed by both (``integer`` is inside ``number``)."""
    if a is None:
        return b
    if b is None:
        return a
    result = a & b
    if ("integer" in a and "number" in b) or ("integer" in b and "number" in a):
        result.add("integer")
    return result


def merge(a: Any, b: Any, *, draft4: bool = False) -> Any:
    """One schema accepting at least everything ``a`` and ``b`` both accept."""
    if a is False or b is False:
        return False
    if a is True or a == {}:
        return b
    if b is True or b == {}:
        return a
    result = dict(a)
    for key, value in b.items():
        if draft4 and (key in _DRAFT4_BOUNDS or key in _DRAFT4_BOUNDS.values()):
            continue
        if key not in result:
            result[key] = value
        else:
            _combine(result, key, value, draft4)
    if draft4:
        for bound, flag in _DRAFT4_BOUNDS.items():
            _merge_draft4_bound(result, a, b, bound, flag)
    if result.get("type") == []:
        return False
    return result


def _combine(result: dict[str, Any], key: str, value: Any, draft4: bool) -> None:
    current = result[key]
    if key == "type":
        types = intersect_types(type_set(result), type_set({"type": value}))
        result[key] = sorted(types or ())
    elif key == "required" and isinstance(value, list):
        result[key] = list(dict.fromkeys([*current, *value]))
    elif key == "enum" and isinstance(value, list):
        keys = {_key(v) for v in value}
        result[key] = [v for v in current if _key(v) in keys]
    elif key in _LOWER:
        result[key] = max(current, value)
    elif key in _UPPER:
        result[key] = min(current, value)
    elif key in ("minimum", "exclusiveMinimum") and not isinstance(value, bool):
        result[key] = max(current, value)
    elif key in ("maximum", "exclusiveMaximum") and not isinstance(value, bool):
        result[key] = min(current, value)
    elif key == "uniqueItems":
        result[key] = bool(current) or bool(value)
    elif key in _SCHEMA_MAPS and isinstance(value, dict) and isinstance(current, dict):
        merged = dict(current)
        for name, sub in value.items():
            merged[name] = {"allOf": [merged[name], sub]} if name in merged else sub
        result[key] = merged
    elif key in _SCHEMA_SINGLES and not isinstance(value, list) and not isinstance(current, list):
        result[key] = {"allOf": [current, value]}
    elif key == "allOf":
        result[key] = [*current, *value]


def _merge_draft4_bound(
    result: dict[str, Any], a: dict[str, Any], b: dict[str, Any], bound: str, flag: str
) -> None:
    result.pop(bound, None)
    result.pop(flag, None)
    sides = [(s[bound], bool(s.get(flag))) for s in (a, b) if bound in s]
    if not sides:
        return
    lower = bound == "minimum"
    value = max(v for v, _ in sides) if lower else min(v for v, _ in sides)
    result[bound] = value
    if any(v == value and exclusive for v, exclusive in sides):
        result[flag] = True


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
