"""Objects: content models, required, counts, names and dependencies (Validation 6.5, Core 10.3.2).

The content model decides what a property name the schema does not declare may hold: *open*
(``additionalProperties`` absent or true: anything), *closed* (false: nothing) or *partially
open* (a schema, or names matched by ``patternProperties``). ``unevaluatedProperties`` acts as
``additionalProperties`` when the latter is absent. Under STRICT every name is compared through
these models (Confluent's reasoning, which is exact). LENIENT assumes producers send only
declared properties and consumers ignore unknown ones, so added and removed properties and
narrowed additional properties are accepted (Confluent's LENIENT set).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from registry.formats.base import Incompatibility
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node, is_true
from registry.formats.jsonschema.drafts import Draft
from registry.formats.jsonschema.merge import merge

_DYNAMIC = ("anyOf", "oneOf", "if", "dependentSchemas", "$dynamicRef", "$recursiveRef")


def compare_object(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    """Every object keyword of the reader against the writer."""
    found = _required(engine, w, r)
    found += _declared(engine, w, r)
    if not engine.lenient:
        found += _undeclared(engine, w, r)
    found += _counts(engine, w, r)
    found += _property_names(engine, w, r)
    found += _dependencies(engine, w, r)
    return found


def _dict(node: Node, keyword: str) -> dict[str, Any]:
    value = node.get(keyword)
    return value if value.__class__ is dict else {}


def _additional(node: Node) -> tuple[Any, str | None]:
    if "additionalProperties" in (node.schema if isinstance(node.schema, dict) else {}):
        return node.get("additionalProperties"), "additionalProperties"
    if node.draft >= Draft.DRAFT2019_09 and node.get("unevaluatedProperties") is not None:
        return node.get("unevaluatedProperties"), "unevaluatedProperties"
    return True, None


@lru_cache(maxsize=4096)
def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True


_META = frozenset("\\.^$|?*+()[]{}")


def _literal_prefix(pattern: str) -> str | None:
    if not pattern.startswith("^"):
        return None
    prefix = ""
    for index, char in enumerate(pattern[1:]):
        if char in _META:
            following = pattern[index + 1 :]
            if prefix and following[:1] in ("?", "*", "{"):
                prefix = prefix[:-1]
            return prefix
        prefix += char
    return prefix


def patterns_disjoint(a: str, b: str) -> bool:
    """Whether no name can match both patterns (proved from anchored literal prefixes)."""
    if a == b:
        return False
    first, second = _literal_prefix(a), _literal_prefix(b)
    if first is None or second is None:
        return False
    size = min(len(first), len(second))
    return first[:size] != second[:size]


def writer_value(
    w: Node, name: str, declared: dict[str, Any] | None = None, all_patterns: Any = None
) -> Node | None:
    """The writer's schema for the value of property ``name`` (None: never present)."""
    if declared is None:
        declared = _dict(w, "properties")
    if all_patterns is None:
        all_patterns = _dict(w, "patternProperties")
    patterns = (
        [(p, s) for p, s in all_patterns.items() if _matches(p, name)] if all_patterns else []
    )
    if name in declared:
        schema = declared[name]
        for _, extra in patterns:
            schema = merge(schema, extra)
        node = w.child(schema, "properties", name, field=name)
    elif patterns:
        schema = patterns[0][1]
        for _, extra in patterns[1:]:
            schema = merge(schema, extra)
        node = w.child(schema, "patternProperties", patterns[0][0], field=name)
    else:
        additional, keyword = _additional(w)
        tokens = (keyword,) if keyword else ()
        node = w.child(additional, *tokens, field=name)
    return None if node.schema is False else node


def reader_values(
    r: Node, name: str, declared: dict[str, Any] | None = None, patterns: Any = None
) -> tuple[list[Node], str]:
    """The reader's schemas for property ``name`` (all apply) and how it treats the name."""
    if declared is None:
        declared = _dict(r, "properties")
    if patterns is None:
        patterns = _dict(r, "patternProperties")
    nodes = (
        [
            r.child(s, "patternProperties", p, field=name)
            for p, s in patterns.items()
            if _matches(p, name)
        ]
        if patterns
        else []
    )
    if name in declared:
        return [r.child(declared[name], "properties", name, field=name), *nodes], "declared"
    if nodes:
        return nodes, "partial"
    additional, keyword = _additional(r)
    tokens = (keyword,) if keyword else ()
    kind = "closed" if additional is False else "open" if is_true(additional) else "partial"
    if keyword == "unevaluatedProperties" and any(k in r.schema for k in _DYNAMIC):
        kind = "undecidable"
    return [r.child(additional, *tokens, field=name)], kind


def _required(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    required = r.get("required", [])
    if not isinstance(required, list):
        return []
    have = set(w.get("required", []) or [])
    found = []
    for name in required:
        if name in have:
            continue
        default = _dict(r, "properties").get(name, {})
        note = (
            " (a default does not help: validation never inserts it)"
            if (isinstance(default, dict) and "default" in default)
            else ""
        )
        message = (
            f"The reader requires property '{name}' of {w.field}, which the writer does not "
            f"require{note}."
        )
        found.append(engine.found("json.required-added", message, w, r.child(name, "required")))
    return found


def _declared(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    w_props, r_props = _dict(w, "properties"), _dict(r, "properties")
    w_patterns, r_patterns = _dict(w, "patternProperties"), _dict(r, "patternProperties")
    found: list[Incompatibility] = []
    for name in dict.fromkeys([*w_props, *r_props]):
        in_writer, in_reader = name in w_props, name in r_props
        if engine.lenient and not (in_writer and in_reader):
            continue
        plain = in_writer and in_reader and not (w_patterns or r_patterns)
        if plain and engine.same(w_props[name], r_props[name]):
            continue
        value = writer_value(w, name, w_props, w_patterns)
        if value is None:
            continue
        targets, kind = reader_values(r, name, r_props, r_patterns)
        inner = [inc for target in targets for inc in engine.compare(value, target)]
        if not inner:
            continue
        if in_writer and in_reader:
            found += inner
        elif in_reader:
            found.append(_added(engine, w, value, targets[0], name))
        else:
            found.append(_removed(engine, w, value, targets[0], name, kind))
    return found


def _added(engine: Engine, w: Node, value: Node, target: Node, name: str) -> Incompatibility:
    if is_true(value.schema):
        message = (
            f"Property '{name}' was added to {w.field}, whose writer model is open: the "
            "writer allowed it with any value."
        )
        return engine.found("json.property-added-to-open-model", message, value, target)
    message = (
        f"Property '{name}' was added to {w.field} with a schema that rejects values the "
        "writer's additionalProperties/patternProperties allowed."
    )
    return engine.found("json.property-added-to-partially-open-model", message, value, target)


def _removed(
    engine: Engine, w: Node, value: Node, target: Node, name: str, kind: str
) -> Incompatibility:
    if kind == "undecidable":
        message = (
            f"Cannot decide whether the reader's anyOf/oneOf/if evaluates property '{name}' "
            f"of {w.field} before unevaluatedProperties applies."
        )
        return engine.found("json.undecidable", message, value, target)
    if kind == "closed":
        message = (
            f"Property '{name}' of {w.field} was removed from a closed model: the reader "
            "rejects it, but the writer sends it."
        )
        return engine.found("json.property-removed-from-closed-model", message, value, target)
    message = (
        f"Property '{name}' of {w.field} was removed and the reader's additional schema "
        "rejects values the writer sends."
    )
    return engine.found("json.property-removed-from-partially-open-model", message, value, target)


def _undeclared(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    found: list[Incompatibility] = []
    w_patterns, r_patterns = _dict(w, "patternProperties"), _dict(r, "patternProperties")
    r_additional, r_keyword = _additional(r)
    r_add = r.child(r_additional, *((r_keyword,) if r_keyword else ()), field="*")
    for pattern, schema in w_patterns.items():
        value = w.child(schema, "patternProperties", pattern, field=f"<{pattern}>")
        targets = [
            r.child(s, "patternProperties", q)
            for q, s in r_patterns.items()
            if not patterns_disjoint(pattern, q)
        ]
        if pattern not in r_patterns:
            targets.append(r_add)
        for target in targets:
            if not engine.holds(value, target):
                message = (
                    f"Properties of {w.field} matching '{pattern}' may be rejected by the "
                    "reader's patternProperties/additionalProperties."
                )
                found.append(
                    engine.found("json.pattern-properties-changed", message, value, target)
                )
                break
    w_additional, w_keyword = _additional(w)
    if w_additional is False:
        return found
    value = w.child(w_additional, *((w_keyword,) if w_keyword else ()), field="*")
    for pattern, schema in r_patterns.items():
        if pattern in w_patterns:
            continue
        target = r.child(schema, "patternProperties", pattern)
        if not engine.holds(value, target):
            message = (
                f"Undeclared properties of {w.field} matching '{pattern}' meet a reader schema "
                "that rejects values the writer allows."
            )
            found.append(engine.found("json.pattern-properties-changed", message, value, target))
    inner = engine.compare(value, r_add)
    if inner:
        found.append(_narrowed(engine, w, r, value, r_add, w_additional, r_keyword, inner))
    return found


def _narrowed(
    engine: Engine,
    w: Node,
    r: Node,
    value: Node,
    target: Node,
    w_additional: Any,
    r_keyword: str | None,
    inner: list[Incompatibility],
) -> Incompatibility:
    if r_keyword == "unevaluatedProperties" and any(k in r.schema for k in _DYNAMIC):
        message = (
            f"Cannot decide which properties of {w.field} the reader's anyOf/oneOf/if "
            "evaluate before unevaluatedProperties applies."
        )
        return engine.found("json.undecidable", message, value, target)
    if r_keyword == "unevaluatedProperties":
        message = f"The reader's unevaluatedProperties rejects undeclared properties of {w.field}."
        return engine.found("json.unevaluated-properties-narrowed", message, value, target)
    if target.schema is False:
        message = (
            f"The reader closed {w.field} (additionalProperties: false); the writer sends "
            "undeclared properties."
        )
        return engine.found("json.additional-properties-removed", message, value, target)
    if is_true(w_additional):
        message = (
            f"The reader's additionalProperties constrains undeclared properties of {w.field} "
            "that the writer allowed with any value."
        )
        return engine.found("json.additional-properties-narrowed", message, value, target)
    return inner[0]


def _counts(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    found: list[Incompatibility] = []
    w_min = max(w.get("minProperties", 0), len(set(w.get("required", []) or [])))
    r_min = r.get("minProperties", 0)
    if r_min > w_min:
        message = (
            f"The reader needs {w.field} to have at least {r_min} properties; the writer {w_min}."
        )
        found.append(engine.found("json.min-properties-increased", message, w, r))
    w_max = w.get("maxProperties", math.inf)
    if _closed(w):
        w_max = min(w_max, sum(1 for s in _dict(w, "properties").values() if s is not False))
    r_max = r.get("maxProperties", math.inf)
    if r_max < w_max:
        shown = "any number" if w_max == math.inf else str(w_max)
        message = f"The reader allows {w.field} at most {r_max} properties; the writer {shown}."
        found.append(engine.found("json.max-properties-decreased", message, w, r))
    return found


def _closed(w: Node) -> bool:
    return _additional(w)[0] is False and not _dict(w, "patternProperties")


def _property_names(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    names = r.get("propertyNames")
    if names is None or is_true(names):
        return []
    target = r.child(names, "propertyNames")
    if engine.holds(w.derived({"type": "string"}), target):
        return []
    if "propertyNames" in (w.schema if isinstance(w.schema, dict) else {}):
        writer = merge({"type": "string"}, w.get("propertyNames"))
        if engine.holds(w.child(writer, "propertyNames"), target):
            return []
    if _closed(w) or engine.lenient:
        declared = [n for n, s in _dict(w, "properties").items() if s is not False]
        if all(engine.valid(target, name) for name in declared):
            return []
    message = f"The reader's propertyNames rejects property names of {w.field} the writer allows."
    return [engine.found("json.property-names-narrowed", message, w, target)]


def _dependencies(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    found: list[Incompatibility] = []
    for keyword, name, needed in _dependency_items(r):
        if writer_value(w, name) is None:
            continue
        if isinstance(needed, list):
            have = set(w.get("required", []) or []) | set(_writer_dependency(w, name, list))
            missing = [n for n in needed if n not in have]
            if missing:
                message = (
                    f"The reader requires {missing} in {w.field} when '{name}' is present; "
                    "the writer does not."
                )
                target = r.child(needed, keyword, name)
                found.append(engine.found("json.dependency-added", message, w, target))
            continue
        target = r.child(needed, keyword, name)
        writer = _writer_dependency(w, name, dict)
        inner = []
        if writer is not None:
            inner = engine.compare(w.child(writer[1], writer[0], name), target)
            if not inner:
                continue
        if engine.holds(w, target):
            continue
        if inner:
            found += inner
        else:
            message = f"The reader applies a schema to {w.field} when '{name}' is present."
            found.append(engine.found("json.dependent-schema-added", message, w, target))
    return found


def _dependency_items(r: Node) -> list[tuple[str, str, Any]]:
    items: list[tuple[str, str, Any]] = []
    supported = r.draft.validator_class.VALIDATORS
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        if keyword in supported:
            items += [(keyword, name, value) for name, value in _dict(r, keyword).items()]
    return [(k, n, v) for k, n, v in items if not is_true(v) and v != []]


def _writer_dependency(w: Node, name: str, kind: type) -> Any:
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        value = _dict(w, keyword).get(name)
        if kind is list and isinstance(value, list):
            return value
        if kind is dict and value is not None and not isinstance(value, list):
            return keyword, value
    return [] if kind is list else None
