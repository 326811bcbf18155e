"""The catalogue of JSON Schema compatibility rules (stable ids, ``json.`` prefix).

Every rule is a way a *reader* schema can reject an instance that a *writer* schema accepts.
The example pair of each rule breaks it in the BACKWARD direction (reader = new schema); a test
checks that the engine really reports the rule for its pair. Descriptions cite the keyword's
section of JSON Schema Validation (draft 2020-12 numbering unless said otherwise) or the
Confluent ``Difference.Type`` the rule corresponds to.
"""

from __future__ import annotations

from typing import Any

from registry.domain import CompatibilityPolicy
from registry.formats.base import Rule

_D2020 = "https://json-schema.org/draft/2020-12/schema"
_OBJ: dict[str, Any] = {"type": "object"}


def _props(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, **extra}


_S: dict[str, Any] = {"type": "string"}
_I: dict[str, Any] = {"type": "integer"}

_RULES: list[tuple[str, str, str, Any, Any]] = [
    (
        "json.type-narrowed",
        "A type was removed",
        "The reader's `type` (Validation 6.1.1) no longer lists a type the writer allows, "
        "though the two still overlap (Confluent TYPE_NARROWED).",
        {"type": ["string", "null"]},
        {"type": "string"},
    ),
    (
        "json.type-changed",
        "The type changed",
        "The reader's `type` shares no type with the writer's, so no writer value of that "
        "type is accepted (Confluent TYPE_CHANGED). `integer` counts as part of `number`.",
        _S,
        _I,
    ),
    (
        "json.enum-value-removed",
        "An enum value was removed",
        "A value the writer's `enum`/`const` allows is not in the reader's `enum` "
        "(Validation 6.1.2; Confluent ENUM_ARRAY_NARROWED/CHANGED).",
        {"enum": ["a", "b"]},
        {"enum": ["a"]},
    ),
    (
        "json.enum-added",
        "An enum was added",
        "The reader restricts values with `enum` where the writer allowed any value of the "
        "type (Validation 6.1.2).",
        _S,
        {"type": "string", "enum": ["a"]},
    ),
    (
        "json.const-changed",
        "The constant changed or was added",
        "The reader's `const` (Validation 6.1.3) rejects a value the writer allows.",
        {"const": "a"},
        {"const": "b"},
    ),
    (
        "json.required-added",
        "A property became required",
        "The reader's `required` (Validation 6.5.3) names a property the writer does not "
        "require, so writer objects without it are rejected. A `default` does not help: "
        "validation never inserts defaults (Confluent REQUIRED_ATTRIBUTE_ADDED).",
        _props({"a": _S}),
        _props({"a": _S}, required=["a"]),
    ),
    (
        "json.property-added-to-open-model",
        "A typed property was added to an open content model",
        "The writer's object is open (`additionalProperties` absent or true), so it allowed "
        "this property with any value; the reader now constrains it. Confluent "
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL; accepted under the LENIENT policy.",
        _props({}),
        _props({"a": _S}),
    ),
    (
        "json.property-added-to-partially-open-model",
        "A property was added that the writer's partially open model allowed differently",
        "The writer allowed this name through `additionalProperties` or `patternProperties` "
        "(Validation 10.3.2) with a schema the reader's new property does not cover "
        "(Confluent PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL).",
        {"type": "object", "additionalProperties": _S},
        {"type": "object", "properties": {"a": _I}, "additionalProperties": _S},
    ),
    (
        "json.property-removed-from-closed-model",
        "A property was removed from a closed content model",
        "The writer declared the property; the reader's object is closed "
        "(`additionalProperties: false`) and no longer declares it (Confluent "
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL; accepted under LENIENT).",
        _props({"a": _S}, additionalProperties=False),
        _props({}, additionalProperties=False),
    ),
    (
        "json.property-removed-from-partially-open-model",
        "A property was removed and the reader's additional schema does not cover it",
        "The reader treats the removed property through `additionalProperties`/"
        "`patternProperties`, whose schema rejects values the writer allowed (Confluent "
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL).",
        _props({"a": _I}, additionalProperties=_S),
        {"type": "object", "additionalProperties": _S},
    ),
    (
        "json.additional-properties-removed",
        "The content model was closed",
        "The reader sets `additionalProperties: false` where the writer allowed undeclared "
        "properties (Confluent ADDITIONAL_PROPERTIES_REMOVED; accepted under LENIENT).",
        _OBJ,
        {"type": "object", "additionalProperties": False},
    ),
    (
        "json.additional-properties-narrowed",
        "Undeclared properties were constrained",
        "The reader's `additionalProperties` schema rejects undeclared property values the "
        "writer allowed (Confluent ADDITIONAL_PROPERTIES_NARROWED; accepted under LENIENT).",
        _OBJ,
        {"type": "object", "additionalProperties": _S},
    ),
    (
        "json.pattern-properties-changed",
        "Properties matching a pattern may be rejected",
        "Property names the writer allows through `patternProperties` (Validation 10.3.2.2) "
        "meet a reader schema that rejects them or that cannot be compared.",
        {"type": "object", "patternProperties": {"^x": _S}},
        {"type": "object", "patternProperties": {"^x": _I}},
    ),
    (
        "json.property-names-narrowed",
        "Property names were constrained",
        "The reader's `propertyNames` (Validation 10.3.2.4) rejects names the writer allows.",
        _OBJ,
        {"type": "object", "propertyNames": {"maxLength": 3}},
    ),
    (
        "json.min-properties-increased",
        "minProperties increased",
        "The reader's `minProperties` (Validation 6.5.2) is above the writer's.",
        _OBJ,
        {"type": "object", "minProperties": 1},
    ),
    (
        "json.max-properties-decreased",
        "maxProperties decreased",
        "The reader's `maxProperties` (Validation 6.5.1) is below what the writer allows.",
        _OBJ,
        {"type": "object", "maxProperties": 1},
    ),
    (
        "json.dependency-added",
        "A property dependency was added",
        "The reader's `dependentRequired`/array `dependencies` (Validation 6.5.4) requires "
        "properties the writer does not guarantee (Confluent DEPENDENCY_ARRAY_ADDED).",
        _OBJ,
        {"type": "object", "dependencies": {"a": ["b"]}},
    ),
    (
        "json.dependent-schema-added",
        "A dependent schema was added",
        "The reader's `dependentSchemas`/schema `dependencies` (Core 10.2.2.4) applies a "
        "schema the writer's objects need not satisfy (Confluent DEPENDENCY_SCHEMA_ADDED).",
        _OBJ,
        {"type": "object", "dependencies": {"a": {"required": ["b"]}}},
    ),
    (
        "json.unevaluated-properties-narrowed",
        "unevaluatedProperties narrowed",
        "The reader's `unevaluatedProperties` (Core 11.3) rejects properties the writer "
        "allows (Confluent UNEVALUATED_PROPERTIES_NARROWED/REMOVED).",
        {"$schema": _D2020, "type": "object"},
        {"$schema": _D2020, "type": "object", "unevaluatedProperties": False},
    ),
    (
        "json.max-length-decreased",
        "maxLength decreased",
        "The reader's `maxLength` (Validation 6.3.1) is below the writer's longest string.",
        {"type": "string", "maxLength": 10},
        {"type": "string", "maxLength": 5},
    ),
    (
        "json.min-length-increased",
        "minLength increased",
        "The reader's `minLength` (Validation 6.3.2) is above the writer's shortest string.",
        _S,
        {"type": "string", "minLength": 2},
    ),
    (
        "json.pattern-changed",
        "The pattern changed or was added",
        "The reader's `pattern` (Validation 6.3.3) differs from the writer's. Inclusion of "
        "regular languages is not decided here, so any change other than removal is "
        "reported (Confluent PATTERN_ADDED/PATTERN_CHANGED).",
        {"type": "string", "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
    ),
    (
        "json.format-changed",
        "The format changed or was added",
        "The reader asserts a `format` (Validation 7) the writer's strings need not follow.",
        _S,
        {"type": "string", "format": "email"},
    ),
    (
        "json.maximum-decreased",
        "The upper bound decreased",
        "The reader's `maximum`/`exclusiveMaximum` (Validation 6.2.2-6.2.3; draft 4's "
        "boolean form too) excludes numbers the writer allows.",
        {"type": "number", "maximum": 10},
        {"type": "number", "maximum": 5},
    ),
    (
        "json.minimum-increased",
        "The lower bound increased",
        "The reader's `minimum`/`exclusiveMinimum` (Validation 6.2.4-6.2.5) excludes numbers "
        "the writer allows.",
        {"type": "number", "minimum": 0},
        {"type": "number", "exclusiveMinimum": 0},
    ),
    (
        "json.multiple-of-changed",
        "multipleOf no longer divides the writer's values",
        "Compatible only when the writer's `multipleOf` (Validation 6.2.1) is a multiple of "
        "the reader's (Confluent MULTIPLE_OF_REDUCED is fine, MULTIPLE_OF_CHANGED is not).",
        {"type": "number", "multipleOf": 10},
        {"type": "number", "multipleOf": 3},
    ),
    (
        "json.max-items-decreased",
        "maxItems decreased",
        "The reader's `maxItems` (Validation 6.4.1) is below what the writer allows.",
        {"type": "array", "maxItems": 5},
        {"type": "array", "maxItems": 2},
    ),
    (
        "json.min-items-increased",
        "minItems increased",
        "The reader's `minItems` (Validation 6.4.2) is above the writer's.",
        {"type": "array"},
        {"type": "array", "minItems": 1},
    ),
    (
        "json.unique-items-added",
        "uniqueItems was added",
        "The reader requires `uniqueItems` (Validation 6.4.3); the writer allows repeats.",
        {"type": "array"},
        {"type": "array", "uniqueItems": True},
    ),
    (
        "json.item-added-to-open-model",
        "A positional item was added to an open tuple",
        "The writer's tuple allowed further items of any value; the reader constrains that "
        "position (`prefixItems`, or list `items` before 2020-12; Confluent "
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL).",
        {"type": "array", "items": [_S]},
        {"type": "array", "items": [_S, _I]},
    ),
    (
        "json.item-added-to-partially-open-model",
        "A positional item was added that the writer's additional items schema allowed differently",
        "The writer's `additionalItems`/`items` schema allowed values at this position that "
        "the reader's new positional schema rejects (Confluent "
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL).",
        {"type": "array", "items": [_S], "additionalItems": _S},
        {"type": "array", "items": [_S, _I], "additionalItems": _S},
    ),
    (
        "json.item-removed-from-closed-model",
        "A positional item was removed from a closed tuple",
        "The writer produced an item at this position; the reader's tuple no longer declares "
        "it and allows no further items (Confluent ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL).",
        {"type": "array", "items": [_S, _I], "additionalItems": False},
        {"type": "array", "items": [_S], "additionalItems": False},
    ),
    (
        "json.additional-items-narrowed",
        "Items beyond the tuple were constrained",
        "The reader's `additionalItems` (`items` in 2020-12) rejects items the writer allows "
        "after its positional items (Confluent ADDITIONAL_ITEMS_REMOVED/NARROWED).",
        {"type": "array", "items": [_S]},
        {"type": "array", "items": [_S], "additionalItems": False},
    ),
    (
        "json.contains-added",
        "contains was added or changed",
        "The reader's `contains` (Core 10.3.1.3) is not guaranteed by the writer's items.",
        {"type": "array"},
        {"type": "array", "contains": _S},
    ),
    (
        "json.min-contains-increased",
        "minContains increased",
        "The reader's `minContains` (Validation 6.4.5) is above what the writer guarantees.",
        {"$schema": _D2020, "type": "array", "contains": _S},
        {"$schema": _D2020, "type": "array", "contains": _S, "minContains": 2},
    ),
    (
        "json.max-contains-decreased",
        "maxContains decreased",
        "The reader's `maxContains` (Validation 6.4.4) is below what the writer allows.",
        {"$schema": _D2020, "type": "array", "contains": _S},
        {"$schema": _D2020, "type": "array", "contains": _S, "maxContains": 1},
    ),
    (
        "json.unevaluated-items-narrowed",
        "unevaluatedItems narrowed",
        "The reader's `unevaluatedItems` (Core 11.2) rejects items the writer allows.",
        {"$schema": _D2020, "type": "array", "prefixItems": [_S]},
        {"$schema": _D2020, "type": "array", "prefixItems": [_S], "unevaluatedItems": False},
    ),
    (
        "json.sum-type-narrowed",
        "An alternative was removed",
        "A branch of the writer's `anyOf`/`oneOf` (Core 10.2.1) is accepted by no branch of "
        "the reader's (Confluent SUM_TYPE_NARROWED).",
        {"anyOf": [_S, _I]},
        {"anyOf": [_S, {"type": "boolean"}]},
    ),
    (
        "json.combined-type-changed",
        "The value no longer fits any alternative",
        "The writer's value is accepted by none of the reader's `anyOf`/`oneOf` branches "
        "(Confluent COMBINED_TYPE_CHANGED / COMBINED_TYPE_SUBSCHEMAS_CHANGED).",
        _S,
        {"anyOf": [_I, {"type": "boolean"}]},
    ),
    (
        "json.one-of-overlap",
        "oneOf branches overlap",
        "A writer value can match two of the reader's `oneOf` branches, and `oneOf` "
        "(Core 10.2.1.3) rejects a value matching more than one. Confluent counts any added "
        "branch as SUM_TYPE_EXTENDED (compatible); that is wrong when branches overlap.",
        {"type": "integer"},
        {"oneOf": [_I, {"type": "number"}]},
    ),
    (
        "json.not-narrowed",
        "The values `not` lets through narrowed",
        "The reader's `not` (Core 10.2.1.4) excludes values the writer allows "
        "(Confluent NOT_TYPE_EXTENDED).",
        {"not": _S},
        {"not": {"type": ["string", "integer"]}},
    ),
    (
        "json.false-schema",
        "The reader forbids every value here",
        "The reader's schema is `false` (Core 4.3.2) where the writer allows values.",
        _props({"a": _S}),
        _props({"a": False}),
    ),
    (
        "json.conditional-added",
        "A conditional was added or changed",
        "The reader's `if`/`then`/`else` (Core 10.2.2) may reject writer values.",
        _OBJ,
        {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}},
    ),
    (
        "json.undecidable",
        "The engine could not decide",
        "The pair uses a construct the engine cannot compare soundly (for example "
        "`unevaluatedProperties` behind `anyOf`). It answers "
        "incompatible and says why, because a verdict of compatible must never be wrong.",
        {
            "$schema": _D2020,
            "type": "object",
            "properties": {"a": _S},
            "additionalProperties": False,
        },
        {
            "$schema": _D2020,
            "type": "object",
            "anyOf": [{"properties": {"a": _S}}, {"properties": {"b": _S}}],
            "unevaluatedProperties": False,
        },
    ),
]

RULES: tuple[Rule, ...] = tuple(
    Rule(
        id=rule_id,
        title=title,
        description=description,
        writer=writer,
        reader=reader,
        policy=CompatibilityPolicy.STRICT,
    )
    for rule_id, title, description, writer, reader in _RULES
)
RULE_IDS: frozenset[str] = frozenset(rule.id for rule in RULES)
