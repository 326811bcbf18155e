"""Instance validation with precise violations, and the deterministic example generator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from registry.formats.jsonschema import JsonSchemaFormat

FMT = JsonSchemaFormat()
D2020 = "https://json-schema.org/draft/2020-12/schema"

ORDER = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "qty": {"type": "integer", "minimum": 1, "maximum": 9},
        "note": {"type": "string", "maxLength": 5},
        "tags": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2,4}$"},
            "uniqueItems": True,
        },
        "kind": {"enum": ["a", "b"]},
    },
    "required": ["id", "qty"],
    "additionalProperties": False,
}


def test_violations_name_instance_and_schema_locations() -> None:
    parsed = FMT.parse(json.dumps(ORDER))
    violations = FMT.validate(
        parsed, {"id": "123e4567-e89b-12d3-a456-426614174000", "qty": 0, "tags": ["x1"], "extra": 1}
    )
    by_path = {v.path: v for v in violations}
    assert set(by_path) == {"", "/qty", "/tags/0"}
    assert by_path["/qty"].schema_path == "/properties/qty/minimum"
    assert (by_path["/qty"].expected, by_path["/qty"].actual) == (1, 0)
    assert FMT.validate(parsed, {"id": "123e4567-e89b-12d3-a456-426614174000", "qty": 3}) == []


def test_formats_are_asserted() -> None:
    parsed = FMT.parse('{"type": "string", "format": "date"}')
    assert FMT.validate(parsed, "2024-02-30") != []
    assert FMT.validate(parsed, "2024-02-03") == []


def test_too_deep_instances_are_a_violation_not_a_crash() -> None:
    parsed = FMT.parse('{"items": {"$ref": "#"}}')
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    assert FMT.validate(parsed, deep)[0].message.startswith("The instance nests too deeply")


@pytest.mark.parametrize(
    "document",
    [
        ORDER,
        True,
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "integer", "multipleOf": 7, "minimum": 100},
        {"$schema": D2020, "prefixItems": [{"const": 1}, {"type": "string"}], "items": False},
        {
            "anyOf": [
                {"type": "null"},
                {"type": "object", "properties": {"a": {"type": "boolean"}}, "required": ["a"]},
            ]
        },
        {
            "definitions": {
                "n": {"type": "object", "properties": {"next": {"$ref": "#/definitions/n"}}}
            },
            "$ref": "#/definitions/n",
        },
        {
            "type": "object",
            "patternProperties": {"^x_": {"type": "integer"}},
            "minProperties": 2,
            "additionalProperties": False,
        },
        {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
    ],
)
def test_examples_are_valid_distinct_and_deterministic(document: Any) -> None:
    parsed = FMT.parse(json.dumps(document))
    examples = FMT.examples(parsed, 6, seed=3)
    assert examples
    assert all(FMT.validate(parsed, e) == [] for e in examples)
    assert len({json.dumps(e, sort_keys=True) for e in examples}) == len(examples)
    assert FMT.examples(parsed, 6, seed=3) == examples


def test_examples_prefer_the_schema_examples_then_default() -> None:
    parsed = FMT.parse(json.dumps({"type": "integer", "examples": [5, "bad", 6], "default": 7}))
    assert FMT.examples(parsed, 3) == [5, 6, 7]


def test_examples_cover_optional_fields_absent_and_present() -> None:
    parsed = FMT.parse(json.dumps(ORDER))
    examples = FMT.examples(parsed, 4)
    assert any(set(e) == {"id", "qty"} for e in examples)
    assert any({"note", "tags", "kind"} <= set(e) for e in examples)


def test_unsatisfiable_schemas_give_no_examples() -> None:
    assert FMT.examples(FMT.parse("false"), 3) == []
    assert FMT.examples(FMT.parse('{"type": "string", "minLength": 3, "maxLength": 2}'), 3) == []
    assert FMT.examples(FMT.parse('{"type": "integer"}'), 0) == []
