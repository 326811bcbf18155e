"""Schemas inferred from sample events, and widenings of schemas that reject some samples."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.compatibility import check_compatibility
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.formats.infer import infer_avro, infer_json_schema, rejections, widen

ROOT = Path(__file__).resolve().parents[3]
JSON = get_format(SchemaType.JSON)
AVRO = get_format(SchemaType.AVRO)
D2020 = "https://json-schema.org/draft/2020-12/schema"
UUID_A = "0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10"
UUID_B = "123e4567-e89b-12d3-a456-426614174000"


def json_schema(document: dict[str, Any]) -> ParsedSchema:
    return JSON.parse(json.dumps({"$schema": D2020, **document}))


def avro_schema(document: Any) -> ParsedSchema:
    return AVRO.parse(json.dumps(document))


def accepts_all(schema: ParsedSchema, samples: list[Any]) -> bool:
    fmt = get_format(schema.schema_type)
    return all(not fmt.validate(schema, sample) for sample in samples)


def fastavro_round_trip(schema: dict[str, Any], samples: list[Any]) -> list[Any]:
    """Write the samples with fastavro's writer and read them back."""
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(copy.deepcopy(schema)), samples)
    buffer.seek(0)
    return list(fastavro.reader(buffer))


def verdict(
    reader: ParsedSchema,
    writer: ParsedSchema,
    level: str,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> set[tuple[str, str]]:
    fmt = get_format(reader.schema_type)
    result = check_compatibility(fmt, reader, [(1, writer)], CompatibilityLevel(level), policy)
    return {(f.direction.value, f.rule_id) for f in result.findings}


# --- JSON Schema ----------------------------------------------------------------------------


def test_json_schema_is_draft_2020_12_and_accepts_every_sample() -> None:
    samples = [{"id": 1, "tags": ["a"], "price": 2}, {"id": 2, "tags": [], "price": 2.5}]
    schema = infer_json_schema(samples)
    assert schema["$schema"] == D2020
    assert schema["properties"]["id"] == {"type": "integer"}
    assert schema["properties"]["price"] == {"type": "number"}  # one fraction makes a number
    assert accepts_all(JSON.parse(json.dumps(schema)), samples)


def test_required_is_the_intersection_over_samples_at_every_level() -> None:
    samples = [
        {"a": 1, "b": 1, "n": {"x": 1, "y": 1}},
        {"a": 1, "n": {"x": 1}},
        {"a": 1, "b": None, "n": {"x": 1, "y": 2}},
    ]
    schema = infer_json_schema(samples)
    assert schema["required"] == ["a", "n"]
    assert schema["properties"]["n"]["required"] == ["x"]
    assert schema["properties"]["b"] == {"type": ["integer", "null"]}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123+02:00"], "date-time"),
        (["2024-01-02", "1999-12-31"], "date"),
        ([UUID_A, UUID_B.upper()], "uuid"),
        (["ada@example.com", "first.last+tag@mail.example.org"], "email"),
        (["2024-01-02T03:04:05Z", "2024-01-02T03:04:05"], None),  # no time zone
        (["2024-01-02T03:04:05Z", "2024-01-02"], None),  # two formats: none for all
        (["2024-02-30"], None),  # not a day
        (["0b6f3c1e4d8a4f6e9a512f0d3c7b9e10"], None),  # uuid without hyphens
        (["ada@example.com", "ada@localhost"], None),
        (["ada@example.com", "not an address"], None),
    ],
)
def test_a_format_is_proposed_only_when_every_value_has_it(
    values: list[str], expected: str | None
) -> None:
    samples = [{"v": value} for value in values]
    schema = infer_json_schema(samples)
    assert schema["properties"]["v"].get("format") == expected
    assert accepts_all(JSON.parse(json.dumps(schema)), samples)


def test_no_formats_proposes_none() -> None:
    schema = infer_json_schema([{"at": "2024-01-02T03:04:05Z"}], formats=False)
    assert schema["properties"]["at"] == {"type": "string"}


def test_a_format_counts_the_values_of_every_array_item() -> None:
    schema = infer_json_schema([{"ids": [UUID_A, UUID_B]}, {"ids": [UUID_A, "x"]}])
    assert "format" not in schema["properties"]["ids"]["items"]
    schema = infer_json_schema([{"ids": [UUID_A]}, {"ids": [UUID_B]}])
    assert schema["properties"]["ids"]["items"]["format"] == "uuid"


@pytest.mark.parametrize(
    ("values", "threshold", "expected"),
    [
        (["web", "ios", "web", "pos", "ios", "web"], 3, ["ios", "pos", "web"]),
        (["web", "ios", "web", "pos", "ios"], 3, None),  # fewer than 2N values
        (["web", "ios", "web", "pos", "ios", "tv", "web"], 3, None),  # more than N distinct
        ([UUID_A, UUID_B] * 4, 3, None),  # ids are open-ended: the format wins
        (["web", "ios"] * 5, None, None),
    ],
)
def test_an_enum_needs_few_distinct_values_seen_often(
    values: list[str], threshold: int | None, expected: list[str] | None
) -> None:
    schema = infer_json_schema([{"c": v} for v in values], enum_threshold=threshold)
    assert schema["properties"]["c"].get("enum") == expected


def test_closed_objects_forbid_unknown_properties() -> None:
    schema = infer_json_schema([{"a": {"b": 1}}], closed=True)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["a"]["additionalProperties"] is False
    assert JSON.validate(JSON.parse(json.dumps(schema)), {"a": {"b": 1}, "c": 2})


def test_an_object_and_a_number_at_one_place_are_any_of() -> None:
    schema = infer_json_schema([{"a": {"x": 1}}, {"a": 2}])
    assert {"type": "integer"} in schema["properties"]["a"]["anyOf"]


@pytest.mark.parametrize("infer", [infer_json_schema, infer_avro, widen])
def test_no_samples_is_invalid_input(infer: Any) -> None:
    arguments: dict[str, Any] = {
        infer_json_schema: {},
        infer_avro: {"name": "E"},
        widen: {},
    }[infer]
    first = [json_schema({"type": "object"})] if infer is widen else []
    with pytest.raises(InvalidInput, match="no samples"):
        infer(*first, [], **arguments)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "d"]),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2)
                ),
                max_leaves=6,
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_inferred_json_schema_accepts_every_sample(samples: list[Any]) -> None:
    schema = infer_json_schema(samples, enum_threshold=2)
    assert accepts_all(JSON.parse(json.dumps(schema)), samples)


# --- Avro -----------------------------------------------------------------------------------

ORDERS = [
    {
        "orderId": UUID_A,
        "placedAt": "2024-01-02T03:04:05Z",
        "quantity": 2,
        "price": 9.5,
        "shipping": {"address": {"city": "Paris"}},
        "billing": {"address": {"city": "Lyon"}, "vat": "FR1"},
        "tags": ["gift"],
        "stock": {"SKU-1": 3, "SKU-2": 1},
    },
    {
        "orderId": UUID_B,
        "placedAt": "2024-01-03T00:00:00+01:00",
        "quantity": 3,
        "price": 10,
        "shipping": {"address": {"city": "Oslo"}},
        "billing": {"address": {"city": "Rome"}, "vat": None},
        "tags": [],
        "stock": {},
        "coupon": "WELCOME",
    },
]


def test_avro_encodes_the_samples_as_they_are() -> None:
    schema = infer_avro(ORDERS, name="OrderPlaced", namespace="shop.orders")
    assert str(fastavro_round_trip(schema, ORDERS)[0]["orderId"]) == UUID_A  # read as a UUID
    assert accepts_all(avro_schema(schema), ORDERS)
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["orderId"]["type"] == {"type": "string", "logicalType": "uuid"}
    assert fields["placedAt"]["type"] == "string"  # a timestamp-millis long cannot take it
    assert fields["quantity"]["type"] == "long"
    assert fields["price"]["type"] == "double"
    assert fields["coupon"] == {"name": "coupon", "type": ["null", "string"], "default": None}
    assert fields["stock"]["type"] == {"type": "map", "values": "long"}  # "SKU-1" is no name
    assert fields["tags"]["type"] == {"type": "array", "items": "string"}


def test_avro_names_nested_records_after_their_place_uniquely() -> None:
    schema = infer_avro(ORDERS, name="OrderPlaced")
    fields = {f["name"]: f["type"] for f in schema["fields"]}
    shipping, billing = fields["shipping"], fields["billing"]
    assert shipping["name"] == "Shipping"
    assert shipping["fields"][0]["type"]["name"] == "Address"
    assert billing["fields"][0]["type"]["name"] == "BillingAddress"
    assert billing["fields"][1] == {"name": "vat", "type": ["null", "string"], "default": None}


def test_avro_record_items_are_named_for_the_array() -> None:
    schema = infer_avro([{"lines": [{"sku": "A"}]}], name="Order")
    assert schema["fields"][0]["type"]["items"]["name"] == "LinesItem"


def test_avro_enums_need_the_threshold_and_valid_symbols() -> None:
    pairs = zip("ab" * 3, ["in progress", "done"] * 3, strict=True)
    samples = [{"channel": channel, "status": status} for channel, status in pairs]
    schema = infer_avro(samples, name="E", enum_threshold=2)
    fields = {f["name"]: f["type"] for f in schema["fields"]}
    assert fields["channel"] == {"type": "enum", "name": "Channel", "symbols": ["a", "b"]}
    assert fields["status"] == "string"  # "in progress" is not an Avro symbol
    assert fastavro_round_trip(schema, samples) == samples
    assert infer_avro(samples, name="E")["fields"][0]["type"] == "string"


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ([{"a": {"x": 1}}, {"a": 2}], "/a is an object in some samples and an integer in others"),
        ([{"a": [1]}, {"a": "s"}], "/a is an array in some samples and a string in others"),
        ([{"a": {"b": [{"c": 1}, 2]}}], "/a/b/\\* is an object"),
        ([{"a": 1}, [1]], "sample 1 is a JSON array, not an object"),
        (["event"], "sample 0 is a JSON string"),
    ],
)
def test_avro_refuses_what_it_cannot_express(samples: list[Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        infer_avro(samples, name="E")


@pytest.mark.parametrize(("name", "namespace"), [("1Event", None), ("E", "shop..orders")])
def test_avro_refuses_bad_names(name: str, namespace: str | None) -> None:
    with pytest.raises(InvalidInput, match="not a valid Avro"):
        infer_avro([{"a": 1}], name=name, namespace=namespace)


def test_avro_unions_of_scalars_and_null_items_encode() -> None:
    samples: list[Any] = [{"id": 1, "xs": [1, None]}, {"id": "s", "xs": []}]
    schema = infer_avro(samples, name="E")
    assert schema["fields"] == [
        {"name": "id", "type": ["long", "string"]},
        {"name": "xs", "type": {"type": "array", "items": ["null", "long"]}},
    ]
    assert fastavro_round_trip(schema, samples) == samples


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
    | st.sampled_from(["2024-01-02", UUID_A, "ada@example.com", 2**70, -(2**63)])
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["x", "y", "a-b"]), inner, max_size=2)
    ),
    max_leaves=6,
)
EVENTS = st.lists(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUES, max_size=3), min_size=1, max_size=5
)


@given(EVENTS, st.sampled_from([None, 1, 2]))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_inferred_avro_encodes_every_sample_or_says_why_not(
    samples: list[Any], threshold: int | None
) -> None:
    try:
        schema = infer_avro(samples, name="E", enum_threshold=threshold)
    except InvalidInput as exc:
        assert "in some samples and" in exc.message
        return
    assert accepts_all(avro_schema(schema), samples)
    assert len(fastavro_round_trip(schema, samples)) == len(samples)


# --- widening JSON Schema -------------------------------------------------------------------

ORDER = {
    "description": "An order.",
    "type": "object",
    "required": ["id", "total"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^o-[0-9]+$"},
        "channel": {"enum": ["web", "ios"]},
        "total": {"$ref": "#/$defs/Money"},
        "lines": {"type": "array", "minItems": 1, "items": {"type": "integer", "maximum": 9}},
        "kind": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    },
    "$defs": {
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "string", "description": "Decimal text."},
                "currency": {"type": "string", "maxLength": 3},
            },
        }
    },
}
GOOD = {"id": "o-1", "total": {"amount": "1.00", "currency": "EUR"}}


def test_a_schema_that_accepts_every_sample_is_its_own_proposal() -> None:
    existing = json_schema(ORDER)
    widening = widen(existing, [GOOD, {**GOOD, "channel": "web"}])
    assert widening.accepts_all
    assert widening.proposal is existing
    assert widening.changes == ()


@pytest.mark.parametrize(
    ("sample", "change"),
    [
        ({**GOOD, "id": "X"}, '/properties/id: dropped pattern "^o-[0-9]+$"'),
        ({**GOOD, "channel": "pos"}, '/properties/channel: enum also allows "pos"'),
        ({**GOOD, "note": "hi"}, "/: declares note (additionalProperties is false)"),
        ({"id": "o-1"}, "/: no longer requires total"),
        ({**GOOD, "total": {"amount": 1.5, "currency": "EUR"}}, "amount: type also allows number"),
        ({**GOOD, "total": {"amount": "1", "currency": "EURO"}}, "currency: maxLength is now 4"),
        ({**GOOD, "total": {"amount": "1"}}, "/$defs/Money: no longer requires currency"),
        ({**GOOD, "lines": []}, "/properties/lines: minItems is now 0"),
        ({**GOOD, "lines": [1, 12]}, "/properties/lines/items: maximum is now 12"),
        ({**GOOD, "kind": 1.5}, "/properties/kind: anyOf has a branch for number values"),
    ],
)
def test_a_json_schema_is_loosened_where_a_sample_fails_it(sample: Any, change: str) -> None:
    existing = json_schema(ORDER)
    samples = [GOOD, sample]
    widening = widen(existing, samples)
    assert [r.index for r in widening.rejected] == [1]
    assert any(change in line for line in widening.changes), widening.changes
    assert widening.unresolved == ()
    assert accepts_all(widening.proposal, samples)
    assert verdict(widening.proposal, existing, "BACKWARD") == set()
    assert widening.proposal.document["description"] == "An order."
    assert widening.proposal.document["$defs"]["Money"]["properties"]["amount"]["description"]


def test_rejections_carry_the_index_and_the_violations() -> None:
    found = rejections(json_schema(ORDER), [GOOD, {**GOOD, "id": 3}, GOOD])
    assert [r.index for r in found] == [1]
    assert [(v.path, v.schema_path) for v in found[0].violations] == [
        ("/id", "/properties/id/type")
    ]


def test_what_no_keyword_explains_widens_at_the_root() -> None:
    existing = json_schema({"type": "object", "not": {"required": ["a"]}, "$defs": {"X": {}}})
    samples = [{"b": 1}, {"a": 1}]
    widening = widen(existing, samples)
    assert widening.changes == ("/: dropped not its schema (sample 1)",)
    assert accepts_all(widening.proposal, samples)


# --- widening Avro --------------------------------------------------------------------------

CANCELLED = {
    "type": "record",
    "name": "OrderCancelled",
    "namespace": "shop.orders",
    "fields": [
        {"name": "orderId", "type": "string"},
        {"name": "count", "type": "int"},
        {"name": "reason", "type": {"type": "enum", "name": "Reason", "symbols": ["A", "B"]}},
        {"name": "by", "type": "string", "default": "system"},
        {
            "name": "refund",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Money",
                    "fields": [{"name": "amount", "type": "string"}],
                },
            ],
            "default": None,
        },
    ],
}
CANCEL = {"orderId": "o-1", "count": 1, "reason": "A", "refund": None}


def test_an_avro_schema_is_widened_with_its_compatible_evolutions() -> None:
    existing = avro_schema(CANCELLED)
    samples = [
        CANCEL,
        {"count": 2**40, "reason": "C", "refund": {"amount": "1", "tax": 0.2}, "note": "x"},
        {**CANCEL, "orderId": None, "by": None},
    ]
    widening = widen(existing, samples)
    assert [r.index for r in widening.rejected] == [1, 2]
    assert widening.changes == (
        "/orderId: optional (missing in 1 sample; null in 1 sample)",
        "/count: int promoted to long",
        "/reason: enum Reason gets C",
        "/by: optional (null in 1 sample)",
        "/refund/tax: new optional field (default null), in 1 of 1 samples",
        "/note: new optional field (default null), in 1 of 3 samples",
    )
    fields = {f["name"]: f for f in widening.proposal.document["fields"]}
    assert fields["orderId"]["type"] == ["null", "string"]
    assert fields["orderId"]["default"] is None
    assert fields["by"]["type"] == ["string", "null"]  # the default must match the first branch
    assert widening.unresolved == ()
    assert verdict(widening.proposal, existing, "BACKWARD") == set()
    proposal = widening.proposal.document
    assert len(fastavro_round_trip(proposal, samples)) == 3


def test_an_avro_schema_that_accepts_every_sample_is_kept() -> None:
    existing = avro_schema(CANCELLED)
    widening = widen(existing, [CANCEL])
    assert widening.proposal is existing
    assert widening.accepts_all


def test_new_keys_of_an_accepted_sample_become_optional_fields() -> None:
    existing = avro_schema(CANCELLED)
    widening = widen(existing, [{**CANCEL, "channel": "web"}])
    assert widening.accepts_all  # Avro writers ignore unknown keys...
    assert widening.proposal.document["fields"][-1] == {  # ...so they would be lost
        "name": "channel",
        "type": ["null", "string"],
        "default": None,
    }


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ({**CANCEL, "refund": 5}, "/refund is null, record in the schema and integer"),
        ({**CANCEL, "count": {"n": 1}}, "/count is int in the schema and object"),
        ([1], "sample 0 is a JSON array"),
    ],
)
def test_avro_widening_refuses_unions_it_does_not_propose(sample: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        widen(avro_schema(CANCELLED), [sample])


# --- the issue's done-when: 1,000 generated OrderPlaced events -------------------------------

ORDER_PLACED = ROOT / "schemas" / "orders" / "OrderPlaced.json"


def generated_events(schema: ParsedSchema, count: int) -> list[Any]:
    """``count`` distinct instances from the engine's generator (each call has a work budget)."""
    found: dict[str, Any] = {}
    seed = 0
    while len(found) < count:
        for event in JSON.examples(schema, count, seed=seed):
            found.setdefault(json.dumps(event, sort_keys=True), event)
        seed += 1
    return list(found.values())[:count]


@pytest.fixture(scope="module")
def order_placed() -> Iterator[tuple[ParsedSchema, list[Any]]]:
    schema = JSON.parse(ORDER_PLACED.read_text(encoding="utf-8"))
    yield schema, generated_events(schema, 1000)


# What the samples cannot show: the bounds they happen to stay within and the patterns they
# happen to match. A schema inferred from them is looser there, so OrderPlaced cannot read
# everything it allows (FORWARD), whatever the number of samples.
NOT_IN_THE_SAMPLES = {
    ("FORWARD", rule)
    for rule in (
        "json.pattern-changed",
        "json.min-length-increased",
        "json.max-length-decreased",
        "json.minimum-increased",
        "json.maximum-decreased",
        "json.min-items-increased",
        "json.max-items-decreased",
    )
}


def test_inference_over_1000_order_placed_events(
    order_placed: tuple[ParsedSchema, list[Any]],
) -> None:
    original, events = order_placed
    assert len(events) == 1000
    inferred = JSON.parse(json.dumps(infer_json_schema(events, enum_threshold=5, closed=True)))
    assert accepts_all(inferred, events)
    assert inferred.document["properties"]["orderId"]["format"] == "uuid"
    assert inferred.document["properties"]["placedAt"]["format"] == "date-time"
    assert inferred.document["properties"]["channel"]["enum"] == ["android", "ios", "pos", "web"]
    for policy in CompatibilityPolicy:
        assert verdict(inferred, original, "BACKWARD", policy) == set()
        assert verdict(inferred, original, "FULL", policy) == NOT_IN_THE_SAMPLES
    open_model = JSON.parse(json.dumps(infer_json_schema(events, enum_threshold=5)))
    closing = {("FORWARD", "json.additional-properties-removed")}
    assert verdict(open_model, original, "FULL") == NOT_IN_THE_SAMPLES | closing


def test_widening_order_placed_with_its_1000_events_keeps_it(
    order_placed: tuple[ParsedSchema, list[Any]],
) -> None:
    original, events = order_placed
    widening = widen(original, events)
    assert widening.accepts_all
    assert widening.proposal is original
    assert verdict(widening.proposal, original, "FULL") == set()


def _places(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict | list):
        for key, inner in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _places(inner, (*prefix, key))


@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_change_to_order_placed_events_is_widened_backward_compatibly(
    order_placed: tuple[ParsedSchema, list[Any]], data: st.DataObject
) -> None:
    original, events = order_placed
    samples = copy.deepcopy(events[:8])
    for _ in range(data.draw(st.integers(1, 3))):
        # Indexes, not sampled_from: the events change as the test goes.
        event = samples[data.draw(st.integers(0, len(samples) - 1))]
        places = [place for place in _places(event) if place]
        *parent_place, key = places[data.draw(st.integers(0, len(places) - 1))]
        parent = event
        for step in parent_place:
            parent = parent[step]
        change = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if change == "replace" or not isinstance(parent, dict):
            parent[key] = copy.deepcopy(data.draw(VALUES))
        elif change == "delete":
            del parent[key]
        else:
            parent["extra"] = copy.deepcopy(data.draw(VALUES))
    widening = widen(original, samples)
    assert widening.unresolved == ()
    assert accepts_all(widening.proposal, samples)
    assert verdict(widening.proposal, original, "BACKWARD") == set()
