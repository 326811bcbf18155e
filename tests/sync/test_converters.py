"""The Avro -> JSON Schema converter and the JSON Schema -> draft-04 rewrite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema
from fastavro.utils import generate_many
from jsonschema import Draft4Validator, validators

from registry.errors import NotConvertible
from registry.formats.convert.avro_to_jsonschema import avro_to_jsonschema, plain_json
from registry.formats.convert.draft4 import DRAFT4, to_draft4
from tests.sync.conftest import catalogue_files

# --- Avro -> draft-04 -----------------------------------------------------------------------------

CRAFTED_AVRO: dict[str, Any] = {
    "primitives": {
        "type": "record",
        "name": "P",
        "fields": [
            {"name": n, "type": n}
            for n in ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
        ],
    },
    "logical": {
        "type": "record",
        "name": "L",
        "namespace": "com.x",
        "fields": [
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
            {
                "name": "price",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
            },
        ],
    },
    "recursive_and_named_reuse": {
        "type": "record",
        "name": "Node",
        "namespace": "com.tree",
        "fields": [
            {"name": "label", "type": {"type": "enum", "name": "Colour", "symbols": ["R", "G"]}},
            {"name": "other", "type": "Colour"},
            {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
            {"name": "colours", "type": {"type": "array", "items": "Colour"}},
            {"name": "next", "type": ["null", "com.tree.Node"], "default": None},
        ],
    },
    "unions_maps_nested_namespaces": {
        "type": "record",
        "name": "U",
        "namespace": "a.b",
        "fields": [
            {"name": "u", "type": ["null", "int", "string", {"type": "array", "items": "long"}]},
            {"name": "m", "type": {"type": "map", "values": ["null", "double"]}},
            {
                "name": "inner",
                "type": {
                    "type": "record",
                    "name": "Inner",
                    "namespace": "c.d",
                    "fields": [{"name": "x", "type": "boolean", "doc": "a flag"}],
                },
            },
            {"name": "again", "type": "c.d.Inner", "doc": "documented reference"},
        ],
    },
    "top_level_union": ["null", "string", {"type": "map", "values": "int"}],
    "top_level_enum": {"type": "enum", "name": "E", "symbols": ["A", "B"]},
}


def _avro_cases() -> list[Any]:
    cases = [pytest.param(schema, id=name) for name, schema in CRAFTED_AVRO.items()]
    for path in catalogue_files():
        if path.suffix == ".avsc":
            cases.append(pytest.param(json.loads(path.read_text()), id=path.stem))
    return cases


@pytest.mark.parametrize("avro", _avro_cases())
def test_every_avro_datum_in_plain_json_form_validates_under_the_converted_schema(
    avro: Any,
) -> None:
    converted = avro_to_jsonschema(avro)
    Draft4Validator.check_schema(converted)
    validator = Draft4Validator(converted)
    for datum in generate_many(parse_schema(avro), 60):
        errors = list(validator.iter_errors(plain_json(datum)))
        assert not errors, (plain_json(datum), errors[0].message)


def _is_record(case: Any) -> bool:
    return isinstance(case.values[0], dict) and case.values[0].get("type") == "record"


@pytest.mark.parametrize("avro", [c for c in _avro_cases() if _is_record(c)])
def test_the_converted_schema_still_rejects_records_avro_rejects(avro: Any) -> None:
    validator = Draft4Validator(avro_to_jsonschema(avro))
    datum = plain_json(next(iter(generate_many(parse_schema(avro), 1))))
    required = [f["name"] for f in avro["fields"] if "default" not in f]
    for name in required:
        assert not validator.is_valid({k: v for k, v in datum.items() if k != name}), name
    assert not validator.is_valid({**datum, "notAField": 1})


def test_converted_schema_keeps_docs_defaults_and_marks_its_origin() -> None:
    avro = CRAFTED_AVRO["unions_maps_nested_namespaces"]

    converted = avro_to_jsonschema(avro, subject="shop.U")

    assert converted["$schema"] == DRAFT4
    assert converted["title"] == "U"
    assert converted["description"] == "Converted from Avro subject shop.U"
    assert converted["definitions"]["c.d.Inner"]["properties"]["x"]["description"] == "a flag"
    again = converted["properties"]["again"]
    inner = {"$ref": "#/definitions/c.d.Inner"}
    assert again == {"description": "documented reference", "allOf": [inner]}
    assert avro_to_jsonschema(CRAFTED_AVRO["recursive_and_named_reuse"])["properties"]["next"] == {
        "default": None,
        "anyOf": [{"type": "null"}, {"$ref": "#"}],
    }


@pytest.mark.parametrize(
    ("avro", "reason"),
    [
        ({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}, "unknown"),
        ({"type": "record", "fields": []}, "no name"),
        ({"nothing": 1}, "not an Avro schema"),
    ],
)
def test_broken_avro_is_refused_with_the_reason(avro: Any, reason: str) -> None:
    with pytest.raises(NotConvertible, match=reason):
        avro_to_jsonschema(avro)


# --- newer JSON Schema -> draft-04 ----------------------------------------------------------------

D2020 = "https://json-schema.org/draft/2020-12/schema"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D7 = "http://json-schema.org/draft-07/schema#"
D6 = "http://json-schema.org/draft-06/schema#"

# (id, schema, instances); every instance must get the same verdict before and after.
STR, INT = {"type": "string"}, {"type": "integer"}
IF_K = {"properties": {"k": {"const": "a"}}, "required": ["k"]}
DEPENDENT = {
    "$schema": D2019,
    "dependentRequired": {"a": ["b"]},
    "dependentSchemas": {"a": {"required": ["c"]}, "d": {"properties": {"e": STR}}},
}
DEPENDENT_CASES = [{"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1}, {"a": 1, "c": 1}, {"d": 1, "e": 2}]

# (id, schema, instances); every instance must get the same verdict before and after.
EQUIVALENT: list[tuple[str, dict[str, Any], list[Any]]] = [
    (
        "defs_and_refs",
        {"$schema": D2020, "$defs": {"N": INT}, "properties": {"a": {"$ref": "#/$defs/N"}}},
        [{"a": 1}, {"a": "x"}, {}],
    ),
    ("exclusive_minimum", {"$schema": D2020, "exclusiveMinimum": 5}, [5, 5.5, 4, 6]),
    ("looser_minimum", {"$schema": D7, "minimum": 3, "exclusiveMinimum": 5}, [4, 5, 6]),
    ("tighter_minimum", {"$schema": D7, "minimum": 7, "exclusiveMinimum": 5}, [6, 7, 8]),
    ("exclusive_maximum", {"$schema": D6, "exclusiveMaximum": 1.5, "maximum": 3}, [1.4, 1.5, 2]),
    ("const", {"$schema": D7, "const": "x"}, ["x", "y", 1]),
    ("const_with_enum", {"$schema": D7, "const": "x", "enum": ["x", "y"]}, ["x", "y"]),
    (
        "boolean_schemas",
        {"$schema": D7, "properties": {"a": False, "b": True}},
        [{"a": 1}, {"b": 1}, {}],
    ),
    (
        "if_then_else",
        {"$schema": D7, "if": IF_K, "then": {"required": ["x"]}, "else": {"required": ["y"]}},
        [{"k": "a", "x": 1}, {"k": "a", "y": 1}, {"k": "b", "y": 1}, {"k": "b", "x": 1}],
    ),
    ("if_then", {"$schema": D2020, "if": STR, "then": {"minLength": 2}}, ["ab", "a", 1]),
    ("dependent_required_and_schemas", DEPENDENT, DEPENDENT_CASES),
    (
        "prefix_items",
        {"$schema": D2020, "prefixItems": [STR, INT], "items": False},
        [["a", 1], ["a", "b"], ["a", 1, 2], ["a"]],
    ),
    ("items_2020", {"$schema": D2020, "items": INT}, [[1, 2], [1, "a"]]),
    (
        "tuple_items_draft7",
        {"$schema": D7, "items": [STR], "additionalItems": INT},
        [["a", 1], ["a", "b"]],
    ),
    (
        "ref_with_siblings_2020",
        {"$schema": D2020, "$defs": {"S": STR}, "$ref": "#/$defs/S", "minLength": 3},
        ["abcd", "ab", 1],
    ),
    (
        "ref_siblings_ignored_draft7",
        {"$schema": D7, "properties": {"a": {"$ref": "#/definitions/S", "minLength": 3}},
         "definitions": {"S": STR}},
        [{"a": "ab"}, {"a": 1}],
    ),
    (
        "annotations_dropped",
        {"$schema": D2020, "type": "string", "examples": ["x"], "deprecated": True},
        ["x", 1],
    ),
    ("empty_required_dropped", {"$schema": D7, "type": "object", "required": []}, [{}, 1]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema", "instances"), [pytest.param(s, i, id=n) for n, s, i in EQUIVALENT]
)
def test_rewrite_to_draft4_keeps_every_verdict(
    schema: dict[str, Any], instances: list[Any]
) -> None:
    original = validators.validator_for(schema)(schema)
    rewritten = to_draft4(schema)
    Draft4Validator.check_schema(rewritten)
    assert rewritten["$schema"] == DRAFT4
    after = Draft4Validator(rewritten)
    verdicts = [(i, original.is_valid(i), after.is_valid(i)) for i in instances]
    assert all(before == now for _, before, now in verdicts), verdicts
    assert {before for _, before, _ in verdicts} == {True, False}, "cases must discriminate"


def test_rewrite_uses_draft4_spellings() -> None:
    schema = {
        "$schema": D2020,
        "$id": "https://x/s.json",
        "$defs": {"A": {"const": 1}},
        "properties": {"a": {"$ref": "#/$defs/A"}, "n": {"exclusiveMinimum": 0}},
    }

    rewritten = to_draft4(schema)

    assert rewritten == {
        "$schema": DRAFT4,
        "id": "https://x/s.json",
        "definitions": {"A": {"enum": [1]}},
        "properties": {
            "a": {"$ref": "#/definitions/A"},
            "n": {"minimum": 0, "exclusiveMinimum": True},
        },
    }


@pytest.mark.parametrize(
    "keyword",
    [
        "contains",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
        "$dynamicRef",
        "$anchor",
    ],
)
def test_keywords_without_a_draft4_form_are_refused_with_where_and_why(keyword: str) -> None:
    schema = {"$schema": D2020, "properties": {"deep": {keyword: {"type": "string"}}}}

    with pytest.raises(NotConvertible) as caught:
        to_draft4(schema)

    assert f"#/properties/deep: '{keyword}' has no draft-04 form" in caught.value.message


def test_draft4_input_is_kept_and_unknown_dialects_are_refused() -> None:
    schema = {"$schema": DRAFT4, "type": "integer", "minimum": 1, "exclusiveMinimum": True}
    assert to_draft4(schema) == schema
    with pytest.raises(NotConvertible, match="unknown JSON Schema dialect"):
        to_draft4({"$schema": "https://example.com/my-dialect"})


CATALOGUE_JSON = [pytest.param(p, id=p.stem) for p in catalogue_files() if p.suffix == ".json"]


@pytest.mark.parametrize("path", CATALOGUE_JSON)
def test_catalogue_json_schemas_have_a_draft4_form_with_the_same_verdict_on_their_examples(
    path: Path,
) -> None:
    schema = json.loads(path.read_text())
    rewritten = Draft4Validator(to_draft4(schema))
    examples = schema.get("examples", [])
    assert all(rewritten.is_valid(e) for e in examples)
    assert not rewritten.is_valid({"unexpected": True}) or not schema.get("required")
