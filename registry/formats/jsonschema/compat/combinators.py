"""Reader-side ``anyOf``/``oneOf``/``not``/``if``, finite writers, and the dispatch on types.

Core 10.2 (applicators in place): a value passes ``anyOf`` when one branch accepts it, ``oneOf``
when exactly one does, ``not`` when the subschema rejects it, ``if``/``then``/``else`` when the
branch chosen by ``if`` accepts it. Each is proved by a sufficient condition; failing that the
engine reports the rule of the keyword.
"""

from __future__ import annotations

import json
from typing import Any

from registry.formats.base import Incompatibility
from registry.formats.jsonschema.compat import arrays, objects, scalars
from registry.formats.jsonschema.compat.disjoint import disjoint
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node, type_set
from registry.formats.jsonschema.merge import merge

_KEYWORD_RULES = {
    "type": "json.type-changed",
    "enum": "json.enum-value-removed",
    "const": "json.const-changed",
    "maxLength": "json.max-length-decreased",
    "minLength": "json.min-length-increased",
    "pattern": "json.pattern-changed",
    "format": "json.format-changed",
    "maximum": "json.maximum-decreased",
    "exclusiveMaximum": "json.maximum-decreased",
    "minimum": "json.minimum-increased",
    "exclusiveMinimum": "json.minimum-increased",
    "multipleOf": "json.multiple-of-changed",
    "required": "json.required-added",
    "additionalProperties": "json.additional-properties-removed",
    "not": "json.not-narrowed",
    "anyOf": "json.combined-type-changed",
    "oneOf": "json.combined-type-changed",
    "maxItems": "json.max-items-decreased",
    "minItems": "json.min-items-increased",
    "uniqueItems": "json.unique-items-added",
    "maxProperties": "json.max-properties-decreased",
    "minProperties": "json.min-properties-increased",
    "propertyNames": "json.property-names-narrowed",
    "contains": "json.contains-added",
    "dependentRequired": "json.dependency-added",
    "dependencies": "json.dependency-added",
    "false": "json.false-schema",
}


# A finite writer reports at most this many of its values the reader rejects (then one line
# saying how many more), so a huge enum cannot make a huge answer.
MAX_VALUES_REPORTED = 20
_BIG_ENUM = 16


def compare_values(engine: Engine, w: Node, r: Node, values: list[Any]) -> list[Incompatibility]:
    """A finite writer (``enum``/``const``/null/boolean): check each value it really allows."""
    found: list[Incompatibility] = []
    rejected = 0
    for value in values:
        if not engine.valid(w, value) or engine.valid(r, value):
            continue
        rejected += 1
        if rejected <= MAX_VALUES_REPORTED:
            found.append(_rejected_value(engine, w, r, value))
    if rejected > MAX_VALUES_REPORTED:
        more = rejected - MAX_VALUES_REPORTED
        message = (
            f"The reader also rejects {more} more of the values the writer allows for {w.field}."
        )
        found.append(engine.found(found[-1].rule_id, message, w, r))
    return found


def _rejected_value(engine: Engine, w: Node, r: Node, value: Any) -> Incompatibility:
    keyword, detail = _first_error(engine, r, value)
    rule = _KEYWORD_RULES.get(keyword, "json.enum-value-removed")
    if rule == "json.type-changed" and isinstance(w.schema, dict) and "enum" in w.schema:
        rule = "json.enum-value-removed"
    text = json.dumps(value)
    message = f"The writer allows {w.field} to be {text}, which the reader rejects ({detail})."
    return engine.found(rule, message, w, r).with_example(value)


def _first_error(engine: Engine, r: Node, value: Any) -> tuple[str, str]:
    values = r.get("enum")
    big = isinstance(values, list) and len(values) > _BIG_ENUM
    if big and not engine.valid(r.derived({"enum": values}), value):
        return "enum", f"{_short(value)} is not one of the reader's {len(values)} values"
    cls = r.draft.validator_class
    validator = cls(r.schema, _resolver=r.resolver, format_checker=cls.FORMAT_CHECKER)
    for error in validator.iter_errors(value):
        return str(error.validator), error.message
    return "false", "the reader's schema is false"


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare_reader(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    """Compare a plain writer piece with a reader that has no ``$ref``/``allOf`` at its top."""
    found: list[Incompatibility] = []
    schema = r.schema
    if isinstance(schema.get("anyOf"), list):
        found += _any_of(engine, w, r)
    if isinstance(schema.get("oneOf"), list):
        found += _one_of(engine, w, r)
    if "not" in schema:
        found += _not(engine, w, r)
    if "if" in schema:
        found += _conditional(engine, w, r)
    if "enum" in schema or "const" in schema:
        rule = "json.const-changed" if "const" in schema else "json.enum-added"
        message = f"The reader limits {w.field} to fixed values where the writer allows any."
        return [*found, engine.found(rule, message, w, r)]
    return found + compare_types(engine, w, r)


def _type_pieces(w: Node) -> list[Node]:
    types = type_set(w.schema)
    if "number" in types:
        types.discard("integer")
    if len(types) <= 1:
        return [w]
    return [w.derived(merge(w.schema, {"type": [kind]})) for kind in sorted(types)]


def _any_of(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    branches = [r.child(b, "anyOf", str(i)) for i, b in enumerate(r.schema["anyOf"])]
    for piece in _type_pieces(w) if not _covered(engine, w, branches) else []:
        if not _covered(engine, piece, branches):
            return [_no_branch(engine, w, r, "anyOf")]
    return []


def _covered(engine: Engine, w: Node, branches: list[Node]) -> bool:
    return any(engine.holds(w, branch) for branch in branches)


def _no_branch(engine: Engine, w: Node, r: Node, keyword: str) -> Incompatibility:
    rule = "json.sum-type-narrowed" if w.piece else "json.combined-type-changed"
    what = "an alternative of" if w.piece else "a value of"
    message = f"No branch of the reader's {keyword} accepts {what} {w.field} the writer allows."
    return engine.found(rule, message, w, r.child(r.schema[keyword], keyword))


def _one_of(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    branches = [r.child(b, "oneOf", str(i)) for i, b in enumerate(r.schema["oneOf"])]
    pieces = [w] if _covered(engine, w, branches) else _type_pieces(w)
    for piece in pieces:
        matching = [b for b in branches if engine.holds(piece, b)]
        if not matching:
            return [_no_branch(engine, w, r, "oneOf")]
        chosen = matching[0]
        for other in branches:
            if other is not chosen and not disjoint(engine, piece, other):
                message = (
                    f"A value of {w.field} the writer allows may match both branch "
                    f"{chosen.path[-1]} and branch {other.path[-1]} of the reader's oneOf, "
                    "which then rejects it."
                )
                return [engine.found("json.one-of-overlap", message, w, other)]
    return []


def _not(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    excluded = r.child(r.schema["not"], "not")
    if isinstance(w.schema, dict) and "not" in w.schema:
        writer_excluded = w.child(w.schema["not"], "not")
        if engine.holds(excluded, writer_excluded):
            return []
    if disjoint(engine, w, excluded):
        return []
    message = f"The reader's not excludes values of {w.field} that the writer allows."
    return [engine.found("json.not-narrowed", message, w, excluded)]


def _conditional(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    schema = r.schema
    cond = r.child(schema["if"], "if")
    then = r.child(schema.get("then", True), "then")
    otherwise = r.child(schema.get("else", True), "else")
    if engine.holds(w, then) and engine.holds(w, otherwise):
        return []
    if engine.holds(w, cond) and engine.holds(w, then):
        return []
    if disjoint(engine, w, cond) and engine.holds(w, otherwise):
        return []
    message = f"The reader's if/then/else may reject values of {w.field} the writer allows."
    return [engine.found("json.conditional-added", message, w, cond)]


def compare_types(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    """``type`` (Validation 6.1.1), then the keywords of every type both sides allow."""
    writer_types, reader_types = type_set(w.schema), type_set(r.schema)
    found: list[Incompatibility] = []
    missing = writer_types - reader_types
    if missing:
        overlap = writer_types & reader_types
        rule = "json.type-narrowed" if overlap else "json.type-changed"
        message = (
            f"The writer allows {w.field} to be {_names(missing)}; the reader accepts only "
            f"{_names(reader_types)}."
        )
        found.append(engine.found(rule, message, w, r))
    common = writer_types & reader_types
    if "string" in common:
        found += scalars.compare_string(engine, w, r)
    if "number" in common or "integer" in common:
        found += scalars.compare_number(engine, w, r, integer="number" not in common)
    if "object" in common:
        found += objects.compare_object(engine, w, r)
    if "array" in common:
        found += arrays.compare_array(engine, w, r)
    return found


def _names(types: set[str]) -> str:
    shown = sorted(t for t in types if not (t == "integer" and "number" in types))
    return " or ".join(shown)
