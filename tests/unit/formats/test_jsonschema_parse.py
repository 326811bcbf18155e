"""Parsing JSON Schema: drafts, meta-schema errors, hostile input, references, identity."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema.exceptions import SchemaError

from registry.domain import SchemaType
from registry.errors import InvalidSchema
from registry.formats import get_format
from registry.formats.base import ResolvedReference, SchemaFormat
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.drafts import Draft
from registry.formats.jsonschema.parse import check_meta_schema
from tests.support.shared import conformance_path, require

FMT = JsonSchemaFormat()


def parse(document: Any, refs: tuple[ResolvedReference, ...] = ()) -> Any:
    return FMT.parse(json.dumps(document), refs)


def test_format_keeps_the_protocol_and_is_registered() -> None:
    assert isinstance(FMT, SchemaFormat)
    assert FMT.schema_type is SchemaType.JSON
    assert isinstance(get_format(SchemaType.JSON), JsonSchemaFormat)


@pytest.mark.parametrize(
    ("uri", "draft_only"),
    [
        ("http://json-schema.org/draft-04/schema#", {"exclusiveMinimum": True, "minimum": 0}),
        ("http://json-schema.org/draft-06/schema#", {"exclusiveMinimum": 0}),
        ("http://json-schema.org/draft-07/schema#", {"if": {"type": "string"}}),
        ("https://json-schema.org/draft/2019-09/schema", {"dependentRequired": {"a": ["b"]}}),
        ("https://json-schema.org/draft/2020-12/schema", {"prefixItems": [{"type": "string"}]}),
        ("https://json-schema.org/draft/2020-12/schema#", {"$defs": {"a": {}}}),
    ],
)
def test_every_supported_draft_parses(uri: str, draft_only: dict[str, Any]) -> None:
    parsed = parse({"$schema": uri, **draft_only})
    assert parsed.document["$schema"] == uri


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"$schema": "http://json-schema.org/draft-04/schema#", "exclusiveMinimum": 0}, "/exclus"),
        ({"$schema": "https://json-schema.org/draft/2020-12/schema", "minLength": -1}, "minLength"),
        ({"type": "strin"}, "/type"),
        ({"required": "a"}, "/required"),
        ({"properties": {"a": {"maxLength": "3"}}}, "/properties/a/maxLength"),
    ],
)
def test_meta_schema_violations_name_the_place(document: Any, fragment: str) -> None:
    with pytest.raises(InvalidSchema, match="not valid") as info:
        parse(document)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('{"type": "string",\n "type": "integer"}', "Duplicate key 'type'"),
        ('{"type": "string",}', "line 1 column 19"),
        ('{"a": NaN}', "NaN"),
        ("[" * 10_000 + "]" * 10_000, "nests 10000 levels"),
        ('{"$schema": "http://example.com/my-draft"}', "Unsupported \\$schema"),
        ("42", "object or a boolean"),
        ('"string"', "object or a boolean"),
        ('{"$ref": "https://example.com/remote.json"}', "nothing is fetched"),
        ('{"$ref": "http://127.0.0.1:1/x.json#/a"}', "nothing is fetched"),
        ('{"$ref": "#/definitions/missing"}', "Unresolvable \\$ref '#/definitions/missing'"),
        ('{"properties": {"a": {"$ref": "other.json"}}}', "at '/properties/a/\\$ref'"),
    ],
)
def test_bad_input_is_a_precise_invalid_schema(text: str, pattern: str) -> None:
    with pytest.raises(InvalidSchema, match=pattern):
        FMT.parse(text)


def test_depth_limit_allows_reasonable_nesting() -> None:
    document: Any = {"type": "string"}
    for _ in range(60):
        document = {"type": "object", "properties": {"a": document}}
    assert parse(document).document["type"] == "object"


@pytest.mark.parametrize("document", [True, False, {}])
def test_boolean_and_empty_schemas_are_valid(document: Any) -> None:
    assert parse(document).document == document


def test_local_refs_resolve_through_definitions_defs_ids_and_anchors() -> None:
    parsed = parse(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.com/root.json",
            "properties": {
                "a": {"$ref": "#/$defs/a"},
                "b": {"$ref": "#b-anchor"},
                "c": {"$ref": "https://example.com/c.json"},
                "d": {"$ref": "root.json#/$defs/a"},
            },
            "$defs": {
                "a": {"type": "string"},
                "b": {"$anchor": "b-anchor", "type": "integer"},
                "c": {"$id": "https://example.com/c.json", "type": "boolean"},
            },
        }
    )
    assert FMT.validate(parsed, {"a": "x", "b": 1, "c": True, "d": "y"}) == []
    assert {v.path for v in FMT.validate(parsed, {"a": 1, "b": "x", "c": 1})} == {"/a", "/b", "/c"}


def test_recursive_ref_parses_and_validates() -> None:
    parsed = parse(
        {
            "definitions": {
                "node": {
                    "type": "object",
                    "properties": {
                        "next": {"$ref": "#/definitions/node"},
                        "v": {"type": "integer"},
                    },
                }
            },
            "$ref": "#/definitions/node",
        }
    )
    assert FMT.validate(parsed, {"v": 1, "next": {"v": 2, "next": {}}}) == []
    assert FMT.validate(parsed, {"next": {"next": {"v": "x"}}})[0].path == "/next/next/v"


def test_references_to_other_subjects_become_resources() -> None:
    address = parse({"type": "object", "properties": {"city": {"type": "string"}}})
    ref = ResolvedReference(name="address.json", subject="address", version=1, schema=address)
    parsed = parse({"properties": {"home": {"$ref": "address.json"}}}, (ref,))
    assert parsed.references == (ref,)
    assert FMT.validate(parsed, {"home": {"city": "Paris"}}) == []
    assert FMT.validate(parsed, {"home": {"city": 3}})[0].path == "/home/city"


def test_references_can_be_nested_and_use_fragments() -> None:
    leaf = parse({"$defs": {"id": {"type": "integer"}}})
    leaf_ref = ResolvedReference("leaf.json", "leaf", 2, leaf)
    middle = parse({"properties": {"id": {"$ref": "leaf.json#/$defs/id"}}}, (leaf_ref,))
    middle_ref = ResolvedReference("middle.json", "middle", 1, middle)
    top = parse({"properties": {"m": {"$ref": "middle.json"}}}, (middle_ref,))
    assert FMT.validate(top, {"m": {"id": 3}}) == []
    assert FMT.validate(top, {"m": {"id": "x"}})[0].path == "/m/id"


def test_a_reference_that_is_not_given_is_refused() -> None:
    with pytest.raises(InvalidSchema, match=r"address\.json"):
        parse({"properties": {"home": {"$ref": "address.json"}}})


def test_canonical_form_drops_whitespace_and_key_order() -> None:
    a = FMT.parse('{"type": "object",\n  "properties": {"b": {"type": "string"}, "a": {}}}')
    b = FMT.parse('{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}')
    assert a.canonical == b.canonical
    assert a.fingerprint == b.fingerprint
    assert a.text != b.text


def test_canonical_form_keeps_meaning_and_annotations() -> None:
    a = parse({"type": "string", "description": "x"})
    b = parse({"type": "string"})
    c = parse({"type": "integer"})
    assert len({a.canonical, b.canonical, c.canonical}) == 3


def test_normalize_sorts_order_free_arrays_only() -> None:
    a = FMT.parse(
        json.dumps({"type": ["string", "null"], "required": ["b", "a"], "enum": ["y", "x", "y"]}),
        normalize=True,
    )
    b = FMT.parse(
        json.dumps({"type": ["null", "string"], "required": ["a", "b"], "enum": ["x", "y"]}),
        normalize=True,
    )
    assert a.canonical == b.canonical
    tuple_a = FMT.parse('{"items": [{"type": "string"}, {"type": "integer"}]}', normalize=True)
    tuple_b = FMT.parse('{"items": [{"type": "integer"}, {"type": "string"}]}', normalize=True)
    assert tuple_a.canonical != tuple_b.canonical


def test_normalize_spells_schema_uri_canonically() -> None:
    a = FMT.parse('{"$schema": "https://json-schema.org/draft-07/schema"}', normalize=True)
    b = FMT.parse('{"$schema": "http://json-schema.org/draft-07/schema#"}', normalize=True)
    assert a.canonical == b.canonical


# --- the fast meta-schema check agrees with jsonschema's own -------------------------------

CONFORMANCE = conformance_path()
NESTED_CASES: list[Any] = [
    {"properties": {"a": {"type": "foo"}}},
    {"$defs": {"a": 5}},
    {"definitions": {"a": 5}},
    {"dependencies": {"a": ["b"], "c": {"type": 1}}},
    {"items": [{"type": 1}]},
    {"items": [{}]},
    {"items": True},
    {"if": {"type": 3}},
    {"then": {"type": 5}},
    {"additionalItems": False},
    {"additionalItems": {"type": 4}},
    {"additionalProperties": True},
    {"contains": {"minimum": "x"}},
    {"propertyNames": 5},
    {"prefixItems": [{"type": 5}]},
    {"prefixItems": 5},
    {"unevaluatedItems": {"type": 5}},
    {"contentSchema": {"type": 5}},
    {"dependentSchemas": {"a": {"type": 5}}},
    {"allOf": []},
    {"anyOf": [5]},
    {"not": True},
    {"patternProperties": {"[": {}}},
    {"patternProperties": {"a": {"maxLength": -1}}},
    {"properties": {"a": True}},
    {"properties": {"a": {"$ref": "#/x", "type": 5}}},
    {"items": {"items": {"items": {"type": "x"}}}},
    {"oneOf": [{"allOf": [{"not": {"type": "x"}}]}]},
]


def _conformance_schemas() -> list[Any]:
    found: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in ("original", "updated", "original_schema", "update_schema", "schema"):
                if key in value:
                    found.append(value[key])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(CONFORMANCE.rglob("*.json")):
        walk(json.loads(re.sub(r",(\s*[}\]])", r"\1", path.read_text())))
    return [doc for doc in found if isinstance(doc, (dict, bool))]


def _meta_verdicts(document: Any, draft: Draft) -> tuple[bool, bool]:
    try:
        check_meta_schema(document, draft)
        fast = True
    except InvalidSchema:
        fast = False
    try:
        draft.validator_class.check_schema(document)
        full = True
    except SchemaError:
        full = False
    return fast, full


@pytest.mark.parametrize("draft", list(Draft), ids=lambda d: d.name)
def test_fast_meta_schema_check_agrees_with_jsonschema_on_nested_cases(draft: Draft) -> None:
    disagreements = [doc for doc in NESTED_CASES if len(set(_meta_verdicts(doc, draft))) != 1]
    assert disagreements == []


def test_fast_meta_schema_check_agrees_with_jsonschema_on_the_conformance_data() -> None:
    require(CONFORMANCE)
    documents = _conformance_schemas()
    assert len(documents) > 300
    disagreements = [
        (draft.name, doc)
        for doc in documents
        for draft in Draft
        if len(set(_meta_verdicts(doc, draft))) != 1
    ]
    assert disagreements == []


@pytest.mark.parametrize(
    ("schema", "cycle"),
    [
        (
            {
                "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                "$ref": "#/$defs/a",
            },
            "#/$defs/a -> #/$defs/b -> #/$defs/a",
        ),
        ({"anyOf": [{"type": "string"}, {"$ref": "#"}]}, "# -> #/anyOf/1 -> #"),
        (
            {"$defs": {"a": {"if": {"$ref": "#/$defs/a"}}}, "not": {"$ref": "#/$defs/a"}},
            "#/$defs/a -> #/$defs/a/if -> #/$defs/a",
        ),
    ],
)
def test_reference_cycles_that_never_descend_are_refused(schema: Any, cycle: str) -> None:
    with pytest.raises(InvalidSchema, match="reference cycle") as raised:
        FMT.parse(json.dumps(schema))
    assert cycle in str(raised.value)


@pytest.mark.parametrize(
    "schema",
    [
        {"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}}},
        {"type": "array", "items": {"$ref": "#"}},
        {"$defs": {"unused": {"$ref": "#/$defs/unused"}}, "type": "string"},
        {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": {"$ref": "#"}}]},
    ],
)
def test_recursion_through_the_instance_is_fine(schema: Any) -> None:
    assert FMT.parse(json.dumps(schema)).document == schema
