"""Arrays: positional items, further items, counts, uniqueness and ``contains``.

Both meanings of ``items`` are handled by reading every array schema as a list of positional
schemas (``prefixItems`` in 2020-12, list ``items`` before) plus the schema of every further
item (``items`` in 2020-12, ``additionalItems`` before, ``unevaluatedItems`` when neither is
there). A tuple whose further items are ``true`` is an open content model, ``false`` closed.
"""

from __future__ import annotations

import math

from registry.formats.base import Incompatibility
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node, is_true
from registry.formats.jsonschema.drafts import Draft


def layout(node: Node) -> tuple[list[Node], Node]:
    """Positional item nodes and the node of every further item."""
    schema = node.schema if isinstance(node.schema, dict) else {}
    if node.draft >= Draft.DRAFT2020_12:
        prefix = schema.get("prefixItems", [])
        rest_key = "items" if "items" in schema else "unevaluatedItems"
        positional = "prefixItems"
    elif isinstance(schema.get("items"), list):
        prefix = schema["items"]
        rest_key = "additionalItems" if "additionalItems" in schema else "unevaluatedItems"
        positional = "items"
    else:
        prefix = []
        rest_key = "items" if "items" in schema else "unevaluatedItems"
        positional = "items"
    nodes = [node.child(s, positional, str(i), field=f"[{i}]") for i, s in enumerate(prefix)]
    rest = schema.get(rest_key, True)
    if rest_key == "unevaluatedItems" and node.draft < Draft.DRAFT2019_09:
        rest = True
    tokens = (rest_key,) if rest_key in schema else ()
    return nodes, node.child(rest, *tokens, field="[]")


def max_length(node: Node) -> float:
    """The most items the schema allows."""
    prefix, rest = layout(node)
    limit = node.get("maxItems", math.inf)
    if rest.schema is False:
        limit = min(limit, len(prefix))
    for index, item in enumerate(prefix):
        if item.schema is False:
            return float(min(limit, index))
    return float(limit)


def compare_array(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    """Items position by position, further items, then the counting keywords."""
    found = _items(engine, w, r)
    w_max = max_length(w)
    r_min = r.get("minItems", 0)
    if r_min > w.get("minItems", 0):
        message = f"The reader needs {w.field} to have at least {r_min} items; the writer fewer."
        found.append(engine.found("json.min-items-increased", message, w, r))
    r_max = r.get("maxItems", math.inf)
    if r_max < w_max:
        shown = "any number" if w_max == math.inf else f"{int(w_max)}"
        message = f"The reader allows {w.field} at most {r_max} items; the writer {shown}."
        found.append(engine.found("json.max-items-decreased", message, w, r))
    if r.get("uniqueItems") is True and w.get("uniqueItems") is not True and w_max > 1:
        message = f"The reader requires the items of {w.field} to be unique; the writer does not."
        found.append(engine.found("json.unique-items-added", message, w, r))
    return found + _contains(engine, w, r, w_max)


def _items(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    w_prefix, w_rest = layout(w)
    r_prefix, r_rest = layout(r)
    w_max = max_length(w)
    found: list[Incompatibility] = []
    for index in range(max(len(w_prefix), len(r_prefix))):
        if index >= w_max:
            return found
        value = w_prefix[index] if index < len(w_prefix) else w_rest
        target = r_prefix[index] if index < len(r_prefix) else r_rest
        inner = engine.compare(value, target)
        if not inner:
            continue
        if index < len(w_prefix):
            found += _removed(engine, w, value, target, index, inner, index >= len(r_prefix))
        else:
            found.append(_added(engine, w, value, target, index))
    if w_max > max(len(w_prefix), len(r_prefix)):
        inner = engine.compare(w_rest, r_rest)
        if inner:
            found += _further(engine, w, r, w_rest, r_rest, inner, bool(r_prefix or w_prefix))
    return found


def _added(engine: Engine, w: Node, value: Node, target: Node, index: int) -> Incompatibility:
    if is_true(value.schema):
        message = (
            f"Item {index} was added to {w.field}, whose writer model is open: the "
            "writer allowed any value there."
        )
        return engine.found("json.item-added-to-open-model", message, value, target)
    message = (
        f"Item {index} was added to {w.field} with a schema that rejects values "
        "the writer's additional items allowed."
    )
    return engine.found("json.item-added-to-partially-open-model", message, value, target)


def _removed(
    engine: Engine,
    w: Node,
    value: Node,
    target: Node,
    index: int,
    inner: list[Incompatibility],
    removed: bool,
) -> list[Incompatibility]:
    if removed and target.schema is False:
        message = (
            f"Item {index} of {w.field} was removed from a closed model: the writer "
            "sends it, the reader allows no further items."
        )
        return [engine.found("json.item-removed-from-closed-model", message, value, target)]
    return inner


def _further(
    engine: Engine,
    w: Node,
    r: Node,
    w_rest: Node,
    r_rest: Node,
    inner: list[Incompatibility],
    tuple_like: bool,
) -> list[Incompatibility]:
    keyword = r_rest.path[-1] if r_rest.path != r.path else ""
    if keyword == "unevaluatedItems":
        message = f"The reader's unevaluatedItems rejects further items of {w.field}."
        return [engine.found("json.unevaluated-items-narrowed", message, w_rest, r_rest)]
    if tuple_like and (r_rest.schema is False or is_true(w_rest.schema)):
        message = (
            f"The reader constrains the items of {w.field} after its positional items; the "
            "writer allowed them."
        )
        return [engine.found("json.additional-items-narrowed", message, w_rest, r_rest)]
    return inner


def _contains(engine: Engine, w: Node, r: Node, w_max: float) -> list[Incompatibility]:
    schema = r.schema
    if "contains" not in schema:
        return []
    target = r.child(schema["contains"], "contains")
    r_min = schema.get("minContains", 1) if r.draft >= Draft.DRAFT2019_09 else 1
    found: list[Incompatibility] = []
    if r_min > 0 and not _guarantees(engine, w, target, r_min):
        if "contains" in w.schema and engine.holds(
            w.child(w.schema["contains"], "contains"), target
        ):
            message = f"The reader needs {r_min} matching items in {w.field}; the writer fewer."
            found.append(engine.found("json.min-contains-increased", message, w, r))
        else:
            message = (
                f"The reader requires {w.field} to contain a matching item; the writer does not."
            )
            found.append(engine.found("json.contains-added", message, w, target))
    r_max = schema.get("maxContains") if r.draft >= Draft.DRAFT2019_09 else None
    if r_max is not None and w_max > r_max:
        same = w.get("contains") == schema["contains"]
        if not (same and w.get("maxContains", math.inf) <= r_max):
            message = f"The reader allows at most {r_max} matching items in {w.field}."
            found.append(engine.found("json.max-contains-decreased", message, w, r))
    return found


def _guarantees(engine: Engine, w: Node, target: Node, count: int) -> bool:
    schema = w.schema
    if "contains" in schema:
        w_min = schema.get("minContains", 1) if w.draft >= Draft.DRAFT2019_09 else 1
        writer = w.child(schema["contains"], "contains")
        if w_min >= count and engine.holds(writer, target):
            return True
    prefix, rest = layout(w)
    if w.get("minItems", 0) < count:
        return False
    return all(engine.holds(item, target) for item in prefix) and engine.holds(rest, target)
