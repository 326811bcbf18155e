"""The Avro format: parsing to the specification, identity, references, rules, data."""

from __future__ import annotations

import json
from typing import Any

import fastavro
import pytest
from fastavro.schema import to_parsing_canonical_form

from registry.domain import CompatibilityPolicy, SchemaType
from registry.errors import InvalidSchema
from registry.formats import get_format
from registry.formats.avro import AvroFormat
from registry.formats.avro.canonical import fingerprint64, parsing_canonical_form
from registry.formats.avro.counterexamples import roundtrip
from registry.formats.base import ParsedSchema, ResolvedReference, SchemaFormat
from tests.support.schemas import field, record

AVRO = AvroFormat()


def parse(doc: Any, references: tuple[ResolvedReference, ...] = ()) -> ParsedSchema:
    return AVRO.parse(json.dumps(doc), references)


# --- parse: good schemas ---------------------------------------------------------------------

GOOD = [
    "string",
    {"type": "long", "logicalType": "timestamp-millis"},
    ["null", "string", {"type": "array", "items": "int"}],
    {"type": "map", "values": {"type": "fixed", "name": "Md5", "size": 16}},
    record(
        "Node",
        field("value", "int"),
        field("next", ["null", "Node"], default=None),
        namespace="list",
    ),
    record(
        "Order",
        field("id", {"type": "string", "logicalType": "uuid"}),
        field("amount", {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}),
        field("day", {"type": "int", "logicalType": "date"}),
        field("status", {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}),
        field("again", "Status", default="PAID"),
        field("tags", {"type": "array", "items": "string"}, default=[]),
        field("meta", {"type": "map", "values": "long"}, default={"a": 1}),
        field("raw", "bytes", default="\u00ff\u0000"),
        field("ratio", "double", default=1),
        field("who", record("Who", field("n", "string", default="x")), default={}),
        namespace="shop",
        doc="An order ✓",
        aliases=["OldOrder"],
    ),
    {"type": "enum", "name": "Suit", "symbols": ["A", "B"], "default": "B"},
    {"type": "fixed", "name": "Empty", "size": 0},
    record("R", field("a", "int", order="descending", aliases=["b"])),
    {"type": "record", "name": "a.b.R", "namespace": "ignored", "fields": [field("x", "int")]},
]


@pytest.mark.parametrize("doc", GOOD, ids=lambda d: json.dumps(d)[:40])
def test_good_schemas_parse_and_fastavro_agrees(doc: Any) -> None:
    parsed = parse(doc)
    assert parsed.schema_type is SchemaType.AVRO
    assert parsed.document == doc
    fastavro.parse_schema(doc)  # the independent parser accepts it as well


def test_the_format_is_registered_and_keeps_the_protocol() -> None:
    assert isinstance(AVRO, SchemaFormat)
    assert type(get_format(SchemaType.AVRO)) is AvroFormat


@pytest.mark.parametrize(
    ("doc", "logical"),
    [
        ({"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 5}, None),
        ({"type": "bytes", "logicalType": "decimal", "precision": 0}, None),
        ({"type": "fixed", "name": "D", "size": 2, "logicalType": "decimal", "precision": 9}, None),
        (
            {"type": "fixed", "name": "D", "size": 4, "logicalType": "decimal", "precision": 9},
            "decimal",
        ),
        ({"type": "string", "logicalType": "date"}, None),
        ({"type": "int", "logicalType": "no-such-thing"}, None),
        ({"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}, "duration"),
        ({"type": "fixed", "name": "Dur", "size": 8, "logicalType": "duration"}, None),
        ({"type": "long", "logicalType": "timestamp-micros"}, "timestamp-micros"),
    ],
)
def test_invalid_logical_types_are_ignored_not_errors(doc: Any, logical: str | None) -> None:
    assert parse(doc).compiled.root.logical == logical


# --- parse: bad schemas ----------------------------------------------------------------------

BAD: list[tuple[str, str]] = [
    ('{"type": "record", "name": "R",', "not valid JSON at line 1 column"),
    ("42", "expected a type name, an object or a union array, found the number 42"),
    ('{"type": 5}', "needs a 'type' string"),
    ('{"type": {"type": "string"}}', "needs a 'type' string"),
    ('"nosuch"', "unknown type 'nosuch'"),
    ('{"type": "record", "fields": []}', "a record needs a 'name' string"),
    ('{"type": "record", "name": "1abc", "fields": []}', "invalid name '1abc'"),
    ('{"type": "record", "name": "R", "namespace": "a..b", "fields": []}', "invalid namespace"),
    ('{"type": "record", "name": "int", "fields": []}', "'int' is a primitive type"),
    ('{"type": "record", "name": "R"}', "record 'R' needs a 'fields' array"),
    (
        json.dumps(record("R", field("a", "int"), field("a", "string"))),
        "record 'R' has two fields named 'a'",
    ),
    (json.dumps(record("R", {"name": "a"})), "field 'a' of record 'R' has no 'type'"),
    (json.dumps(record("R", {"name": "a-b", "type": "int"})), "invalid name 'a-b'"),
    (json.dumps(record("R", field("a", "int", order="up"))), "order 'up'"),
    (
        json.dumps(record("R", field("a", "int", default="x"))),
        "Invalid default for field 'a' of record 'R' at '/fields/0/default': "
        "'x' is not a valid int",
    ),
    (
        json.dumps(record("R", field("a", "int", default=2**31))),
        "is not a valid int",
    ),
    (
        json.dumps(record("R", field("a", ["null", "int"], default=3))),
        "a union default must match the union's first branch (null)",
    ),
    (
        json.dumps(record("R", field("a", {"type": "fixed", "name": "F", "size": 2}, default="x"))),
        "'x' is not a valid fixed 'F'",
    ),
    (
        json.dumps(record("R", field("a", record("S", field("b", "int")), default={}))),
        "field 'b' of record 'S' is missing and has no default",
    ),
    (
        json.dumps(record("R", field("a", {"type": "array", "items": "int"}, default=["x"]))),
        "'x' is not a valid int",
    ),
    ('{"type": "enum", "name": "E", "symbols": ["A", "A"]}', "symbol(s) A more than once"),
    ('{"type": "enum", "name": "E", "symbols": ["A", "9"]}', "invalid symbol '9'"),
    ('{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}', "not one of its symbols"),
    ('{"type": "fixed", "name": "F", "size": -1}', "non-negative integer, found -1"),
    ('{"type": "fixed", "name": "F", "size": "8"}', "non-negative integer"),
    ('["null", ["int"]]', "may not immediately contain another union"),
    ('["int", "string", "int"]', "contains int twice (branches 0 and 2)"),
    ('{"type": "array"}', "array needs 'items'"),
    ('{"type": "map", "items": "int"}', "map needs 'values'"),
    (
        json.dumps(record("R", field("a", "int"), aliases="Old")),
        "'aliases' of record 'R' must be an array",
    ),
    (
        json.dumps(record("R", field("a", record("R", field("b", "int"))))),
        "the name 'R' is already defined at '/'",
    ),
    (json.dumps(record("R", field("a", "Later"), field("b", record("Later")))), "unknown type"),
    (
        json.dumps(
            record(
                "R",
                field("s", {"type": "record", "name": "S", "namespace": "", "fields": []}),
                field("t", "S"),
                namespace="a",
            )
        ),
        "unknown type 'S' (in the enclosing namespace: 'a.S')",
    ),
    ("[" * 10_000 + "]" * 10_000, "nests deeper than 256 levels"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_schemas_raise_invalid_schema_with_a_precise_message(text: str, message: str) -> None:
    with pytest.raises(InvalidSchema) as info:
        AVRO.parse(text)
    assert message in info.value.message
    assert info.value.error_code == 42201


def test_ten_thousand_nested_arrays_are_refused_without_recursion_error() -> None:
    with pytest.raises(InvalidSchema, match="deeper than 256"):
        AVRO.parse(_nested_text(10_000))


def _nested_text(depth: int) -> str:
    return '{"type": "array", "items": ' * depth + '"int"' + "}" * depth


def test_nesting_below_the_limit_parses() -> None:
    parsed = AVRO.parse(_nested_text(200))
    assert parsed.compiled.root.kind == "array"
    assert AVRO.check(parsed, parsed) == []


# --- identity ----------------------------------------------------------------------------------


def test_identity_ignores_whitespace_and_key_order() -> None:
    one = AVRO.parse('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}')
    two = AVRO.parse(
        '{\n  "fields": [ {"type": "int", "name": "a"} ],\n  "name": "R", "type": "record"\n}'
    )
    assert one.canonical == two.canonical
    assert one.fingerprint == two.fingerprint


@pytest.mark.parametrize(
    "changed",
    [
        record("R", field("a", "int", default=1)),
        record("R", field("a", "int", aliases=["b"])),
        record("R", field("a", "int", order="descending")),
        record("R", field("a", {"type": "int", "logicalType": "date"})),
        record("R", field("a", "int", doc="the a")),
    ],
)
def test_identity_keeps_every_attribute_with_meaning(changed: Any) -> None:
    assert parse(record("R", field("a", "int"))).canonical != parse(changed).canonical


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ({"type": "string"}, "string"),
        (
            record("B", field("x", "int"), namespace="a"),
            record("a.B", field("x", "int")),
        ),
        (
            record(
                "B",
                field("c", record("C", field("y", "int"))),
                field("x", "C"),
                namespace="a",
            ),
            record(
                "a.B",
                field("c", record("a.C", field("y", {"type": "int"}))),
                field("x", "a.C"),
            ),
        ),
    ],
)
def test_normalize_makes_equivalent_spellings_equal(one: Any, two: Any) -> None:
    assert parse(one).canonical != parse(two).canonical
    normal = [AVRO.parse(json.dumps(d), normalize=True).canonical for d in (one, two)]
    assert normal[0] == normal[1]


@pytest.mark.parametrize("doc", GOOD, ids=lambda d: json.dumps(d)[:40])
def test_parsing_canonical_form_matches_fastavro(doc: Any) -> None:
    parsed = parse(doc)
    assert parsing_canonical_form(parsed) == to_parsing_canonical_form(fastavro.parse_schema(doc))
    assert isinstance(fingerprint64(parsed), int)


def test_parsing_canonical_form_drops_defaults_so_it_is_not_the_identity() -> None:
    one, two = (
        parse(record("R", field("a", "int"))),
        parse(record("R", field("a", "int", default=1))),
    )
    assert parsing_canonical_form(one) == parsing_canonical_form(two)
    assert fingerprint64(one) == fingerprint64(two)
    assert one.canonical != two.canonical


# --- references --------------------------------------------------------------------------------

ADDRESS = record("Address", field("street", "string"), namespace="com.acme")


def address_ref() -> ResolvedReference:
    return ResolvedReference("com.acme.Address", "address-value", 1, parse(ADDRESS))


def test_a_named_type_from_a_reference_resolves_and_round_trips() -> None:
    person = parse(record("Person", field("home", "com.acme.Address")), (address_ref(),))
    assert person.references[0].subject == "address-value"
    value = {"home": {"street": "Main"}}
    assert AVRO.validate(person, value) == []
    assert roundtrip(person.compiled, person.compiled, value) == value
    assert '"com.acme.Address","type":"record"' in parsing_canonical_form(person)


def test_an_unqualified_reference_resolves_in_the_enclosing_namespace() -> None:
    person = parse(
        record("Person", field("home", "Address"), namespace="com.acme"), (address_ref(),)
    )
    assert person.compiled.root.fields[0].type.name == "com.acme.Address"


def test_a_missing_reference_is_an_unknown_type() -> None:
    with pytest.raises(InvalidSchema, match=r"unknown type 'com\.acme\.Address'"):
        parse(record("Person", field("home", "com.acme.Address")))


def test_redefining_a_referenced_name_is_refused() -> None:
    with pytest.raises(
        InvalidSchema, match=r"'com\.acme\.Address' is already defined at a reference"
    ):
        parse(record("com.acme.Address", field("x", "int")), (address_ref(),))


def test_a_reference_that_is_not_avro_is_refused() -> None:
    fake = ParsedSchema(SchemaType.JSON, "{}", {}, "{}")
    with pytest.raises(InvalidSchema, match="reference 'x' is a JSON schema"):
        parse("string", (ResolvedReference("x", "s", 1, fake),))


def test_paths_inside_a_referenced_type_point_at_its_use() -> None:
    changed = record(
        "Address", field("street", "string"), field("zip", "string"), namespace="com.acme"
    )
    new_ref = ResolvedReference("com.acme.Address", "address-value", 2, parse(changed))
    doc = record("Person", field("id", "int"), field("home", "com.acme.Address"))
    reader, writer = parse(doc, (new_ref,)), parse(doc, (address_ref(),))
    [inc] = AVRO.check(reader, writer)
    assert inc.rule_id == "avro.field-added-without-default"
    assert (inc.reader_path, inc.writer_path) == ("/fields/1/type", "/fields/1/type")
    assert "'zip' of record 'com.acme.Address'" in inc.message


# --- compatibility rules -------------------------------------------------------------------------


def test_rule_ids_are_unique_and_cite_the_specification() -> None:
    ids = [rule.id for rule in AVRO.rules]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("avro.") for i in ids)
    assert all("Schema Resolution" in rule.description for rule in AVRO.rules)


@pytest.mark.parametrize("rule", AvroFormat.rules, ids=lambda r: r.id)
def test_every_rule_example_breaks_that_rule_with_a_real_counterexample(rule: Any) -> None:
    reader, writer = parse(rule.reader), parse(rule.writer)
    found = AVRO.check(reader, writer)
    assert [inc.rule_id for inc in found] == [rule.id]
    inc = found[0]
    assert inc.message and inc.message.endswith(tuple("abcdefghijklmnopqrstuvwxyz'"))
    assert inc.has_example
    assert AVRO.validate(writer, inc.example) == []
    with pytest.raises(Exception):  # noqa: B017 - any fastavro resolution error will do
        roundtrip(writer.compiled, reader.compiled, inc.example)
    assert AVRO.check(writer, writer) == [] and AVRO.check(reader, reader) == []


CASES: list[tuple[str, Any, Any, list[tuple[str, str, str]]]] = [
    (
        "field added without default",
        record("R", field("a", "int"), field("currency", "string")),
        record("R", field("a", "int")),
        [("avro.field-added-without-default", "/fields/1", "/fields")],
    ),
    ("field added with default", record("R", field("a", "int", default=0)), record("R"), []),
    ("writer-only field is skipped", record("R"), record("R", field("a", "int")), []),
    (
        "field renamed with a reader alias",
        record("R", field("b", "int", aliases=["a"])),
        record("R", field("a", "int")),
        [],
    ),
    (
        "promotions",
        record(
            "R",
            *(
                field(f"f{i}", t)
                for i, t in enumerate(["long", "float", "double", "double", "bytes", "string"])
            ),
        ),
        record(
            "R",
            *(
                field(f"f{i}", t)
                for i, t in enumerate(["int", "int", "float", "long", "string", "bytes"])
            ),
        ),
        [],
    ),
    (
        "narrowing",
        record("R", field("a", "float")),
        record("R", field("a", "double")),
        [("avro.type-promotion-invalid", "/fields/0/type", "/fields/0/type")],
    ),
    (
        "union branch removed",
        record("R", field("a", ["null", "int"])),
        record("R", field("a", ["null", "int", "string"])),
        [("avro.union-branch-removed", "/fields/0/type", "/fields/0/type/2")],
    ),
    (
        "reader union gains a branch",
        record("R", field("a", ["null", "int", "string"])),
        record("R", field("a", ["int", "null"])),
        [],
    ),
    (
        "writer type read by a later reader branch through promotion",
        ["null", "string", "long"],
        "int",
        [],
    ),
    (
        "enum symbol removed",
        {"type": "enum", "name": "E", "symbols": ["A"]},
        {"type": "enum", "name": "E", "symbols": ["A", "B"]},
        [("avro.enum-symbol-removed", "/symbols", "/symbols")],
    ),
    (
        "enum symbol removed but the reader has a default",
        {"type": "enum", "name": "E", "symbols": ["A"], "default": "A"},
        {"type": "enum", "name": "E", "symbols": ["A", "B"]},
        [],
    ),
    (
        "record renamed with a reader alias",
        record("New", field("a", "int"), aliases=["ns.Old"]),
        record("Old", field("a", "int"), namespace="ns"),
        [],
    ),
    (
        "namespace change alone",
        record("a.R", field("x", "int")),
        record("b.R", field("x", "int")),
        [],
    ),
    (
        "fixed size in an array in a map",
        {
            "type": "map",
            "values": {"type": "array", "items": {"type": "fixed", "name": "F", "size": 2}},
        },
        {
            "type": "map",
            "values": {"type": "array", "items": {"type": "fixed", "name": "F", "size": 3}},
        },
        [("avro.fixed-size-changed", "/values/items/size", "/values/items/size")],
    ),
    (
        "array to map",
        {"type": "array", "items": "int"},
        {"type": "map", "values": "int"},
        [("avro.type-mismatch", "", "")],
    ),
    (
        "logical types are ignored",
        {"type": "long", "logicalType": "timestamp-millis"},
        "long",
        [],
    ),
    (
        "recursive types terminate",
        record("L", field("v", "long"), field("next", ["null", "L"]), field("n", "int", default=0)),
        record("L", field("v", "int"), field("next", ["null", "L"])),
        [],
    ),
    (
        "recursive types report once",
        record("L", field("v", "int"), field("next", ["null", "L"])),
        record("L", field("v", "long"), field("next", ["null", "L"])),
        [("avro.type-promotion-invalid", "/fields/0/type", "/fields/0/type")],
    ),
    (
        "a named type used twice is reported at its definition",
        record("R", field("a", record("S", field("x", "int"), field("y", "int"))), field("b", "S")),
        record("R", field("a", record("S", field("x", "int"))), field("b", "S")),
        [("avro.field-added-without-default", "/fields/0/type/fields/1", "/fields/0/type/fields")],
    ),
]


@pytest.mark.parametrize(("name", "reader", "writer", "expected"), CASES, ids=[c[0] for c in CASES])
def test_schema_resolution_cases(
    name: str, reader: Any, writer: Any, expected: list[tuple[str, str, str]]
) -> None:
    found = AVRO.check(parse(reader), parse(writer))
    assert [(i.rule_id, i.reader_path, i.writer_path) for i in found] == expected


def test_messages_name_the_field_and_the_record() -> None:
    reader = record(
        "OrderPlaced", field("id", "string"), field("currency", "string"), namespace="shop"
    )
    [inc] = AVRO.check(
        parse(reader), parse(record("OrderPlaced", field("id", "string"), namespace="shop"))
    )
    assert inc.message == (
        "Field 'currency' of record 'shop.OrderPlaced' is new in the reader and has no default, "
        "so records written without it cannot be read"
    )


def test_the_policy_has_no_effect_on_avro() -> None:
    for rule in AVRO.rules:
        reader, writer = parse(rule.reader), parse(rule.writer)
        strict = AVRO.check(reader, writer, CompatibilityPolicy.STRICT)
        lenient = AVRO.check(reader, writer, CompatibilityPolicy.LENIENT)
        assert [i.rule_id for i in strict] == [i.rule_id for i in lenient]


def test_checking_a_json_schema_is_refused() -> None:
    fake = ParsedSchema(SchemaType.JSON, "{}", {}, "{}")
    with pytest.raises(InvalidSchema, match="the reader schema is a JSON schema"):
        AVRO.check(fake, parse("int"))


def _wide(n: int, extra: bool) -> str:
    fields = [
        field(
            f"f{i}",
            record(f"R{i}", field("x", "int"), field("y", ["null", "string"], default=None)),
        )
        for i in range(n)
    ]
    if extra:
        fields.append(field("z", "long"))
    return json.dumps(record("Top", *fields))


def test_two_thousand_nested_fields_are_resolved_field_by_field() -> None:
    # Speed is measured by `python -m bench`, not here.
    reader, writer = AVRO.parse(_wide(2000, True)), AVRO.parse(_wide(2000, False))
    found = AVRO.check(reader, writer)
    assert [i.rule_id for i in found] == ["avro.field-added-without-default"]
    assert found[0].has_example and AVRO.check(writer, reader) == []


def test_many_counterexamples_are_searched_within_the_budget() -> None:
    fields = [field(f"f{i}", "int") for i in range(300)]
    reader = parse(record("R", *(field(f["name"], "string") for f in fields)))
    writer = parse(record("R", *fields))
    found = AVRO.check(reader, writer)
    assert len(found) == 300 and found[0].has_example


# --- validation and examples ---------------------------------------------------------------------

ORDER = record(
    "Order",
    field("id", "string"),
    field("qty", "int"),
    field("lines", {"type": "array", "items": record("Line", field("sku", "string"))}),
    field("kind", {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}),
    field("note", ["null", "string"], default=None),
    field("digest", {"type": "fixed", "name": "D", "size": 2}),
    field("attrs", {"type": "map", "values": "long"}),
    namespace="shop",
)
VALID = {
    "id": "o1",
    "qty": 2,
    "lines": [{"sku": "x"}],
    "kind": "A",
    "digest": b"ab",
    "attrs": {"a": 1},
}


@pytest.mark.parametrize(
    ("change", "path", "text"),
    [
        ({"qty": "2"}, "/qty", "expected int, found '2'"),
        ({"qty": 2**31}, "/qty", "expected int"),
        ({"qty": True}, "/qty", "expected int"),
        ({"lines": [{"sku": "x"}, {"sku": 3}]}, "/lines/1/sku", "expected string"),
        ({"lines": [{}]}, "/lines/0/sku", "field 'sku' of record 'shop.Line' is missing"),
        ({"kind": "C"}, "/kind", "one of A, B"),
        ({"note": 5}, "/note", "matches no branch of union [null, string]"),
        ({"digest": b"abc"}, "/digest", "(2 bytes)"),
        ({"attrs": {"a/b": "x"}}, "/attrs/a~1b", "expected long"),
        ({"id": None}, "/id", "expected string, found None"),
    ],
)
def test_validate_points_at_the_failing_datum(change: dict[str, Any], path: str, text: str) -> None:
    [violation] = AVRO.validate(parse(ORDER), {**VALID, **change})
    assert violation.path == path
    assert text in violation.message


def test_validate_accepts_valid_instances_and_missing_defaulted_fields() -> None:
    schema = parse(ORDER)
    assert AVRO.validate(schema, VALID) == []
    assert AVRO.validate(schema, {**VALID, "note": "hi"}) == []
    assert [v.path for v in AVRO.validate(schema, {})] == [
        "/id",
        "/qty",
        "/lines",
        "/kind",
        "/digest",
        "/attrs",
    ]


@pytest.mark.parametrize("doc", [*GOOD, ORDER], ids=lambda d: json.dumps(d)[:40])
def test_examples_are_valid_deterministic_and_writable(doc: Any) -> None:
    schema = parse(doc)
    examples = AVRO.examples(schema, 10, seed=3)
    assert examples == AVRO.examples(schema, 10, seed=3)
    assert len(examples) == 10
    for example in examples:
        assert AVRO.validate(schema, example) == []
        roundtrip(schema.compiled, schema.compiled, example)


def test_examples_differ_between_seeds() -> None:
    schema = parse(ORDER)
    assert AVRO.examples(schema, 5, seed=1) != AVRO.examples(schema, 5, seed=2)


def test_a_schema_with_no_finite_value_yields_no_examples() -> None:
    endless = parse(record("Loop", field("next", "Loop")))
    assert AVRO.examples(endless, 3) == []
