"""The JSON Schema compatibility engine: every rule, both policies, references, recursion, speed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from registry.domain import CompatibilityPolicy
from registry.errors import InvalidSchema
from registry.formats.base import ParsedSchema, ResolvedReference
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.rules import RULE_IDS, RULES

FMT = JsonSchemaFormat()
STRICT, LENIENT = CompatibilityPolicy.STRICT, CompatibilityPolicy.LENIENT
D4 = "http://json-schema.org/draft-04/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def parse(document: Any, refs: tuple[ResolvedReference, ...] = ()) -> ParsedSchema:
    return FMT.parse(json.dumps(document), refs)


def rules(writer: Any, reader: Any, policy: CompatibilityPolicy = STRICT) -> list[str]:
    return [inc.rule_id for inc in FMT.check(parse(reader), parse(writer), policy)]


def test_rule_ids_are_unique_and_prefixed() -> None:
    assert len(RULE_IDS) == len(RULES)
    assert all(rule.id.startswith("json.") and rule.title and rule.description for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_example_triggers_its_rule(rule: Any) -> None:
    assert rule.id in rules(rule.writer, rule.reader)
    assert rules(rule.writer, rule.writer) == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_incompatibilities_carry_pointers_and_a_message(rule: Any) -> None:
    writer, reader = parse(rule.writer), parse(rule.reader)
    for inc in FMT.check(reader, writer):
        assert inc.reader_path == "" or inc.reader_path.startswith("/")
        assert inc.writer_path == "" or inc.writer_path.startswith("/")
        assert inc.message.endswith(".") and inc.rule_id in RULE_IDS


@pytest.mark.parametrize(
    ("writer", "reader", "expected"),
    [
        ({"type": "integer"}, {"type": "number"}, []),
        ({"type": "number"}, {"type": "integer"}, ["json.type-narrowed"]),
        ({"type": "integer", "exclusiveMinimum": 0}, {"type": "integer", "minimum": 1}, []),
        (
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "number", "minimum": 1},
            ["json.minimum-increased"],
        ),
        (
            {"$schema": D4, "type": "number", "minimum": 0, "exclusiveMinimum": True},
            {"$schema": D4, "type": "number", "minimum": 0},
            [],
        ),
        (
            {"$schema": D4, "type": "number", "maximum": 5},
            {"$schema": D4, "type": "number", "maximum": 5, "exclusiveMaximum": True},
            ["json.maximum-decreased"],
        ),
        ({"type": "number", "multipleOf": 10}, {"type": "number", "multipleOf": 5}, []),
        ({"type": "number", "multipleOf": 0.3}, {"type": "number", "multipleOf": 0.1}, []),
        ({"type": "integer"}, {"type": "integer", "multipleOf": 0.5}, []),
        ({"type": "integer"}, {"type": "integer", "multipleOf": 2}, ["json.multiple-of-changed"]),
        ({"enum": ["a", "b"]}, {"type": "string", "maxLength": 1}, []),
        ({"enum": ["a", "bb"]}, {"type": "string", "maxLength": 1}, ["json.max-length-decreased"]),
        ({"type": "boolean"}, {"enum": [True, False, None]}, []),
        ({"type": "string", "pattern": "^a"}, {"type": "string"}, []),
        ({"type": "string"}, {"type": "string", "pattern": ".*"}, []),
        ({"type": ["string", "integer"]}, {"anyOf": [{"type": "string"}, {"type": "integer"}]}, []),
        ({"type": "string"}, {"oneOf": [{"type": "string"}, {"type": "integer"}]}, []),
        ({"not": {"type": "string"}}, {"not": {"type": "string", "maxLength": 3}}, []),
        ({"type": "integer"}, {"not": {"type": "string"}}, []),
        ({"type": "integer"}, {"if": {"type": "string"}, "then": {"maxLength": 3}}, []),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"type": "object", "dependencies": {"a": ["a"]}},
            [],
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
            {"type": "object", "propertyNames": {"maxLength": 1}},
            [],
        ),
        (
            {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            {"type": "array", "uniqueItems": True},
            [],
        ),
        (
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
            {"$schema": D2020, "type": "array", "contains": {"type": "string"}},
            [],
        ),
        (
            {"$schema": D2020, "prefixItems": [{"type": "string"}], "items": False},
            {"$schema": D2020, "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            [],
        ),
        (
            {"type": "string"},
            {"allOf": [{"type": "string"}, {"maxLength": 3}]},
            ["json.max-length-decreased"],
        ),
        ({"allOf": [{"type": "string"}, {"maxLength": 3}]}, {"type": "string", "maxLength": 5}, []),
        (False, {"type": "string"}, []),
        ({"type": "string"}, True, []),
    ],
)
def test_semantic_verdicts(writer: Any, reader: Any, expected: list[str]) -> None:
    assert rules(writer, reader) == expected


OPEN_ADD = (
    {"type": "object", "properties": {}},
    {"type": "object", "properties": {"a": {"type": "string"}}},
)
CLOSED_REMOVE = (
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "properties": {}, "additionalProperties": False},
)
CLOSE = ({"type": "object"}, {"type": "object", "additionalProperties": False})
REQUIRE = ({"type": "object"}, {"type": "object", "properties": {"a": {}}, "required": ["a"]})


@pytest.mark.parametrize(
    ("pair", "strict", "lenient"),
    [
        (OPEN_ADD, ["json.property-added-to-open-model"], []),
        (CLOSED_REMOVE, ["json.property-removed-from-closed-model"], []),
        (CLOSE, ["json.additional-properties-removed"], []),
        (REQUIRE, ["json.required-added"], ["json.required-added"]),
    ],
)
def test_policies(pair: tuple[Any, Any], strict: list[str], lenient: list[str]) -> None:
    assert rules(*pair, STRICT) == strict
    assert rules(*pair, LENIENT) == lenient


def test_required_with_default_is_still_incompatible() -> None:
    reader = {
        "type": "object",
        "properties": {"a": {"type": "string", "default": "x"}},
        "required": ["a"],
    }
    found = FMT.check(
        parse(reader), parse({"type": "object", "properties": {"a": {"type": "string"}}})
    )
    assert [f.rule_id for f in found] == ["json.required-added"]
    assert "default" in found[0].message


def test_paths_and_field_names_point_at_the_change() -> None:
    writer = {
        "type": "object",
        "properties": {"order": {"type": "object", "properties": {"id": {"type": "string"}}}},
    }
    reader = {
        "type": "object",
        "properties": {"order": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    }
    [inc] = FMT.check(parse(reader), parse(writer))
    assert inc.rule_id == "json.type-changed"
    assert inc.reader_path == inc.writer_path == "/properties/order/properties/id"
    assert "'order.id'" in inc.message


def test_local_refs_are_followed_and_paths_use_the_definition() -> None:
    writer = {
        "properties": {"a": {"$ref": "#/definitions/x"}},
        "definitions": {"x": {"type": "string"}},
    }
    reader = {"properties": {"a": {"$ref": "#/$defs/y"}}, "$defs": {"y": {"type": "integer"}}}
    [inc] = FMT.check(parse(reader), parse(writer))
    assert (inc.rule_id, inc.writer_path, inc.reader_path) == (
        "json.type-changed",
        "/definitions/x",
        "/$defs/y",
    )


RECURSIVE = {
    "definitions": {
        "node": {
            "type": "object",
            "properties": {"value": {"type": "integer"}, "next": {"$ref": "#/definitions/node"}},
        }
    },
    "$ref": "#/definitions/node",
}


def test_recursive_schemas_terminate_and_compare() -> None:
    assert rules(RECURSIVE, RECURSIVE) == []
    narrowed = json.loads(json.dumps(RECURSIVE).replace('"integer"', '"string"'))
    assert rules(RECURSIVE, narrowed) == ["json.type-changed"]
    widened = json.loads(json.dumps(RECURSIVE).replace('"integer"', '"number"'))
    assert rules(RECURSIVE, widened) == []


def test_references_across_subjects_are_compared() -> None:
    old_address = parse({"type": "object", "properties": {"zip": {"type": "string"}}})
    new_address = parse({"type": "object", "properties": {"zip": {"type": "integer"}}})
    body = {"type": "object", "properties": {"home": {"$ref": "address.json"}}}
    writer = parse(body, (ResolvedReference("address.json", "address", 1, old_address),))
    reader = parse(body, (ResolvedReference("address.json", "address", 2, new_address),))
    assert [i.rule_id for i in FMT.check(reader, writer)] == ["json.type-changed"]
    assert FMT.check(writer, writer) == []


def test_unguarded_recursion_is_refused_when_parsed() -> None:
    looping = {
        "$schema": D2020,
        "$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}},
        "$ref": "#/$defs/a",
    }
    with pytest.raises(InvalidSchema, match=r"cycle #/\$defs/a -> #/\$defs/a/allOf/0 -> #"):
        FMT.parse(json.dumps(looping))


def _wide(n: int, variant: int) -> dict[str, Any]:
    groups = {
        f"g{g}": {
            "type": "object",
            "properties": {
                f"f{i}": {"type": ["string", "null"], "maxLength": 10 + variant} for i in range(20)
            },
            "required": ["f0"],
        }
        for g in range(n // 20)
    }
    return {"type": "object", "properties": groups}


def test_two_thousand_nested_fields_are_compared_field_by_field() -> None:
    # Speed is measured by `python -m bench`, not here.
    writer, reader = parse(_wide(2000, 0)), parse(_wide(2000, 1))
    assert FMT.check(reader, writer) == []
    assert len(FMT.check(writer, reader)) == 2000


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.id != "json.undecidable"], ids=lambda r: r.id
)
def test_every_rule_example_gets_a_verified_counterexample(rule: Any) -> None:
    writer, reader = parse(rule.writer), parse(rule.reader)
    [inc, *_] = [i for i in FMT.check(reader, writer) if i.rule_id == rule.id]
    assert inc.has_example
    assert FMT.validate(writer, inc.example) == []
    assert FMT.validate(reader, inc.example) != []


def test_counterexamples_are_embedded_at_the_field() -> None:
    writer = {
        "type": "object",
        "properties": {
            "o": {
                "type": "object",
                "properties": {"n": {"type": "string", "maxLength": 9}},
                "required": ["n"],
            }
        },
        "required": ["o"],
    }
    reader = json.loads(json.dumps(writer).replace('"maxLength": 9', '"maxLength": 3'))
    [inc] = FMT.check(parse(reader), parse(writer))
    assert inc.example["o"]["n"] == "aaaa"


def test_deeply_nested_schemas_compare_without_recursion_errors() -> None:
    document: Any = {"type": "string"}
    for _ in range(125):
        document = {"type": "object", "properties": {"a": document}}
    text = json.dumps(document)
    writer, reader = FMT.parse(text), FMT.parse(text.replace('"string"', '"integer"'))
    [inc] = FMT.check(reader, writer)
    assert inc.rule_id == "json.type-changed" and inc.has_example
    assert FMT.check(writer, writer) == []


def test_dynamic_references_in_the_reader_are_undecidable() -> None:
    reader = {"$schema": D2020, "$dynamicAnchor": "n", "items": {"$dynamicRef": "#n"}}
    assert "json.undecidable" in rules({"$schema": D2020, "type": "array"}, reader)
