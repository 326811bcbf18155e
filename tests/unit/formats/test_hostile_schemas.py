"""Hostile schemas: every shape that makes naive work explode is answered soundly and promptly.

Each case here used to hang or crash (an exponential ``$ref`` fan-out took minutes) or is a
shape of the same family. A case passes when the answer is *sound*: compatible only when it is
true, otherwise a precise rule or ``json.undecidable``. The work is bounded by a step budget
(``registry.formats.jsonschema.budget``), not by time, so the verdicts do not depend on the
machine; the cases stay small enough for the whole file to run in a few seconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from registry.domain import SchemaType
from registry.formats import get_format
from registry.formats.base import Incompatibility, ParsedSchema
from registry.formats.jsonschema.budget import BudgetExceeded, spending
from registry.formats.jsonschema.compat import check_compatibility
from registry.formats.jsonschema.validate import is_valid

JSON = get_format(SchemaType.JSON)
AVRO = get_format(SchemaType.AVRO)
D2020 = "https://json-schema.org/draft/2020-12/schema"


def parse(document: Any) -> ParsedSchema:
    return JSON.parse(json.dumps(document))


def rules(found: list[Incompatibility]) -> set[str]:
    return {inc.rule_id for inc in found}


# --- JSON Schema: fan-out through $ref --------------------------------------------------------


def fan_out(keyword: str, leaf: Any, levels: int = 40) -> dict[str, Any]:
    """``levels`` definitions, each a ``keyword`` of two references to the next one."""
    defs: dict[str, Any] = {
        f"d{i}": {keyword: [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]}
        for i in range(levels)
    }
    defs[f"d{levels}"] = leaf
    return {
        "$schema": D2020,
        "$defs": defs,
        "type": "object",
        "properties": {"x": {"$ref": "#/$defs/d0"}},
    }


def test_the_reported_any_of_fan_out_is_decided_both_ways() -> None:
    writer = parse(fan_out("anyOf", {"type": "string"}))
    reader = parse(fan_out("anyOf", {"type": "string", "maxLength": 3}))
    assert rules(JSON.check(reader, writer)) == {"json.sum-type-narrowed"}
    assert JSON.check(writer, reader) == []
    assert JSON.check(writer, writer) == []


@pytest.mark.parametrize(
    ("keyword", "rule"),
    [
        ("anyOf", "json.sum-type-narrowed"),
        ("allOf", "json.max-length-decreased"),
        ("oneOf", "json.sum-type-narrowed"),
    ],
)
def test_fan_out_narrowing_is_found(keyword: str, rule: str) -> None:
    writer = parse(fan_out(keyword, {"type": "string"}))
    reader = parse(fan_out(keyword, {"type": "string", "maxLength": 3}))
    assert rules(JSON.check(reader, writer)) == {rule}


def test_running_out_of_budget_is_undecidable_and_says_why() -> None:
    writer = parse(fan_out("anyOf", {"type": "string", "maxLength": 3}))
    reader = parse(fan_out("anyOf", {"type": "string"}))
    [found] = check_compatibility(reader, writer, steps=500)
    assert found.rule_id == "json.undecidable"
    assert "too large or complex" in found.message


@pytest.mark.parametrize("keyword", ["anyOf", "allOf"])
def test_fan_out_widening_is_proved_compatible(keyword: str) -> None:
    writer = parse(fan_out(keyword, {"type": "string", "maxLength": 3}))
    reader = parse(fan_out(keyword, {"type": "string"}))
    assert JSON.check(reader, writer) == []


def test_fan_out_in_a_recursive_schema_is_decided() -> None:
    def schema(leaf: dict[str, Any]) -> dict[str, Any]:
        document = fan_out("anyOf", leaf, levels=30)
        document["$defs"]["d30"] = {
            "type": "object",
            "properties": {"v": leaf, "next": {"$ref": "#/$defs/d0"}},
        }
        return document

    narrow, wide = parse(schema({"type": "integer"})), parse(schema({"type": "number"}))
    assert JSON.check(wide, narrow) == []
    assert JSON.check(narrow, wide) != []


# --- JSON Schema: other hostile shapes --------------------------------------------------------


def ref_chain(length: int, leaf: Any) -> dict[str, Any]:
    """Objects nested ``length`` deep through a chain of definitions."""
    defs = {
        f"d{i}": {"type": "object", "properties": {"n": {"$ref": f"#/$defs/d{i + 1}"}}}
        for i in range(length)
    }
    defs[f"d{length}"] = leaf
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def test_a_reference_chain_deeper_than_the_engine_goes_is_undecidable() -> None:
    writer = parse(ref_chain(2_000, {"type": "string"}))
    reader = parse(ref_chain(2_000, {"type": "integer"}))
    assert rules(JSON.check(reader, writer)) == {"json.undecidable"}


def test_a_reference_chain_within_reach_is_decided() -> None:
    writer = parse(ref_chain(100, {"type": "string"}))
    reader = parse(ref_chain(100, {"type": "integer"}))
    [found] = JSON.check(reader, writer)
    assert found.rule_id == "json.type-changed" and found.has_example
    assert JSON.check(writer, writer) == []


def test_references_that_only_point_on_are_bounded() -> None:
    defs: dict[str, Any] = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(3_000)}
    defs["d3000"] = {"type": "string"}
    writer = parse({"$defs": defs, "$ref": "#/$defs/d0"})
    reader = parse({"$defs": defs | {"d3000": {"type": "integer"}}, "$ref": "#/$defs/d0"})
    assert JSON.check(reader, writer) != []


def huge_enum(values: list[Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"e": {"enum": values}}}


def test_a_huge_enum_is_compared_value_by_value() -> None:
    values = [f"v{i}" for i in range(20_000)]
    writer = parse(huge_enum(values))
    assert JSON.check(parse(huge_enum([*values, "extra"])), writer) == []
    found = JSON.check(parse(huge_enum(values[1:])), writer)
    assert rules(found) == {"json.enum-value-removed"}
    assert found[0].has_example and found[0].example == {"e": "v0"}


def test_a_huge_enum_removing_every_value_gives_a_bounded_answer() -> None:
    writer = parse(huge_enum([f"v{i}" for i in range(5_000)]))
    reader = parse(huge_enum([f"w{i}" for i in range(5_000)]))
    assert rules(JSON.check(reader, writer)) == {"json.enum-value-removed"}


def many_properties(count: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {f"p{i}": {"type": "string"} for i in range(count)}
    return {"type": "object", "properties": properties | (extra or {})}


def test_a_huge_property_count_is_decided() -> None:
    writer = parse(many_properties(20_000))
    assert JSON.check(parse(many_properties(20_000)), writer) == []
    narrowed = many_properties(20_000, {"p7": {"type": "string", "maxLength": 2}})
    found = JSON.check(parse(narrowed), writer)
    assert rules(found) == {"json.max-length-decreased"}
    assert found[0].reader_path == "/properties/p7"


def test_long_patterns_are_compared_without_being_explored() -> None:
    pattern = "^" + "".join(f"(x{i}|y{i})" for i in range(3_000)) + "$"
    writer = parse({"type": "string", "pattern": pattern})
    reader = parse({"type": "string", "pattern": pattern.replace("(x7|", "(z7|")})
    assert JSON.check(writer, writer) == []
    assert rules(JSON.check(reader, writer)) == {"json.pattern-changed"}


# --- budgets: validation and examples stop too ------------------------------------------------


def test_validation_of_a_fan_out_stops_with_a_violation_saying_why() -> None:
    schema = parse(fan_out("anyOf", {"type": "string", "maxLength": 3}))
    [violation] = JSON.validate(schema, {"x": "too long"})
    assert "too complex to validate" in violation.message
    assert JSON.validate(schema, {"x": "ok"}) == []


def test_is_valid_says_it_does_not_know_rather_than_invalid() -> None:
    schema = parse(fan_out("anyOf", {"type": "string", "maxLength": 3}))
    with pytest.raises(BudgetExceeded), spending(10_000):
        is_valid(schema, {"x": "too long"})


@pytest.mark.parametrize("keyword", ["anyOf", "allOf", "oneOf"])
def test_examples_of_a_fan_out_are_bounded_and_valid(keyword: str) -> None:
    schema = parse(fan_out(keyword, {"type": "string", "maxLength": 3}))
    for example in JSON.examples(schema, 3):
        assert JSON.validate(schema, example) == []


def test_a_check_in_a_worker_thread_does_not_crash_the_interpreter() -> None:
    writer = parse(ref_chain(100, {"type": "string"}))
    reader = parse(ref_chain(100, {"type": "integer"}))
    results: list[list[Incompatibility]] = []
    threads = [
        threading.Thread(target=lambda: results.append(JSON.check(reader, writer)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [rules(r) for r in results] == [{"json.type-changed"}] * 2


# --- Avro -------------------------------------------------------------------------------------


def avro_fan_out(leaf: str, levels: int = 40) -> str:
    """Records ``T0``..``T40``, each with two fields of the next record type."""
    node: Any = {"type": "record", "name": f"T{levels}", "fields": [{"name": "v", "type": leaf}]}
    for i in range(levels - 1, -1, -1):
        fields = [{"name": "a", "type": node}, {"name": "b", "type": f"T{i + 1}"}]
        node = {"type": "record", "name": f"T{i}", "fields": fields}
    return json.dumps(node)


def avro_nested(depth: int, leaf: str) -> str:
    return '{"type": "array", "items": ' * depth + f'"{leaf}"' + "}" * depth


def avro_recursive(leaf: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "A",
            "fields": [
                {"name": "v", "type": leaf},
                {
                    "name": "b",
                    "type": [
                        "null",
                        {
                            "type": "record",
                            "name": "B",
                            "fields": [{"name": "a", "type": ["null", "A"]}],
                        },
                    ],
                },
            ],
        }
    )


def avro_wide(count: int, leaf: str) -> str:
    fields = [{"name": f"f{i}", "type": "int"} for i in range(count)]
    fields[7] = {"name": "f7", "type": leaf}
    return json.dumps({"type": "record", "name": "Wide", "fields": fields})


AVRO_SHAPES: dict[str, Callable[[str], str]] = {
    "fan-out": avro_fan_out,
    "nested-arrays": lambda leaf: avro_nested(250, leaf),
    "recursive": avro_recursive,
    "wide": lambda leaf: avro_wide(20_000, leaf),
}


@pytest.mark.parametrize("shape", AVRO_SHAPES)
def test_avro_hostile_shapes_are_decided(shape: str) -> None:
    make = AVRO_SHAPES[shape]
    writer, reader = AVRO.parse(make("int")), AVRO.parse(make("string"))
    wider = AVRO.parse(make("long"))
    assert rules(AVRO.check(reader, writer)) == {"avro.type-mismatch"}
    assert AVRO.check(wider, writer) == []
    assert AVRO.check(writer, writer) == []


@pytest.mark.parametrize("shape", AVRO_SHAPES)
def test_avro_examples_of_hostile_shapes_are_bounded_and_valid(shape: str) -> None:
    schema = AVRO.parse(AVRO_SHAPES[shape]("int"))
    for example in AVRO.examples(schema, 2):
        assert AVRO.validate(schema, example) == []
