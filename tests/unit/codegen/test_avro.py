"""Avro -> the JSON Schema models are generated from: names, namespaces, logical types, unions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from registry.codegen.avro import avro_json_schema
from registry.errors import NotConvertible
from registry.formats.convert.avro_to_jsonschema import avro_to_jsonschema

ORDER = {
    "type": "record",
    "name": "OrderCancelled",
    "namespace": "com.shop.orders",
    "doc": "An order was cancelled.",
    "fields": [
        {"name": "orderId", "type": {"type": "string", "logicalType": "uuid"}, "doc": "The order."},
        {"name": "cancelledAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "reason",
            "type": {"type": "enum", "name": "Reason", "symbols": ["A", "B"], "default": "A"},
            "default": "B",
        },
        {"name": "warehouse", "type": "string", "default": "AMS-1"},
        {
            "name": "expiresAt",
            "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
            "default": None,
            "doc": "When it lapses.",
        },
        {
            "name": "refund",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Money",
                    "namespace": "com.shop.common",
                    "fields": [{"name": "amount", "type": "string"}],
                },
            ],
            "default": None,
        },
        {
            "name": "price",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        },
        {
            "name": "days",
            "type": {"type": "array", "items": {"type": "int", "logicalType": "date"}},
        },
    ],
}


def _converted() -> dict[str, Any]:
    return avro_json_schema(ORDER)


def test_classes_are_named_as_the_avro_schema_names_them() -> None:
    document = _converted()
    assert document["title"] == "OrderCancelled"
    assert set(document["definitions"]) == {"Reason", "Money"}
    assert document["definitions"]["Money"]["title"] == "Money"
    assert document["definitions"]["Reason"]["enum"] == ["A", "B"]
    text = json.dumps(document)
    assert "#/definitions/com." not in text
    assert document["properties"]["reason"]["allOf"] == [{"$ref": "#/definitions/Reason"}]


def test_full_names_close_the_docstrings_of_records_and_enums() -> None:
    document = _converted()
    assert document["description"] == (
        "An order was cancelled.\n\nAvro record com.shop.orders.OrderCancelled."
    )
    assert document["definitions"]["Money"]["description"] == "Avro record com.shop.common.Money."
    assert document["definitions"]["Reason"]["description"] == "Avro enum com.shop.orders.Reason."


def test_two_types_of_one_name_in_two_namespaces_are_told_apart_by_full_name() -> None:
    schema = {
        "type": "record",
        "name": "Pair",
        "namespace": "a",
        "fields": [
            {"name": "x", "type": {"type": "record", "name": "Id", "fields": []}},
            {
                "name": "y",
                "type": {"type": "record", "name": "Id", "namespace": "b.c", "fields": []},
            },
        ],
    }
    document = avro_json_schema(schema)
    assert set(document["definitions"]) == {"AId", "BCId"}
    assert document["properties"]["y"] == {"$ref": "#/definitions/BCId"}


def test_defaults_are_kept() -> None:
    properties = _converted()["properties"]
    assert properties["warehouse"] == {"default": "AMS-1", "type": "string"}
    assert properties["reason"]["default"] == "B"
    assert "warehouse" not in _converted()["required"]


def test_uuid_is_a_uuid_string_and_other_logical_types_keep_their_base_type() -> None:
    properties = _converted()["properties"]
    assert properties["orderId"]["format"] == "uuid"
    assert properties["orderId"]["type"] == "string"
    assert properties["orderId"]["description"] == (
        "The order.\n\nAvro uuid: a UUID in its 36-character text form."
    )
    assert properties["cancelledAt"]["type"] == "integer"
    assert properties["cancelledAt"]["description"] == (
        "Avro timestamp-millis: milliseconds since 1970-01-01T00:00:00Z."
    )
    assert "Avro decimal(9, 2)" in properties["price"]["description"]
    assert properties["days"]["description"] == "Avro date: days since 1970-01-01."
    assert "x-avro" not in json.dumps(_converted())


def test_an_optional_primitive_is_one_form_of_two_types_and_an_optional_record_a_union() -> None:
    properties = _converted()["properties"]
    expires = properties["expiresAt"]
    assert expires["type"] == ["null", "integer"]
    assert expires["default"] is None
    assert expires["description"].startswith("When it lapses.\n\nAvro timestamp-millis")
    assert "anyOf" not in expires
    assert properties["refund"]["anyOf"] == [{"type": "null"}, {"$ref": "#/definitions/Money"}]


def test_the_conversion_for_cloud_registries_carries_no_annotations() -> None:
    plain = json.dumps(avro_to_jsonschema(ORDER))
    annotated = avro_to_jsonschema(ORDER, logical_types=True)
    assert "x-avro" not in plain
    assert '"format"' not in plain
    assert annotated["properties"]["orderId"] == {
        "description": "The order.",
        "type": "string",
        "x-avro-logicalType": "uuid",
        "format": "uuid",
    }
    assert annotated["properties"]["price"]["x-avro-precision"] == 9


def test_a_logical_type_on_a_type_it_cannot_annotate_is_ignored() -> None:
    field = {"name": "a", "type": {"type": "string", "logicalType": "timestamp-millis"}}
    schema = {"type": "record", "name": "R", "fields": [field]}
    assert avro_json_schema(schema)["properties"]["a"] == {"type": "string"}


def test_an_unnamed_root_has_no_title_for_the_caller_to_fill() -> None:
    document = avro_json_schema({"type": "array", "items": "string"})
    assert "title" not in document
    assert document["type"] == "array"


TWICE = {"type": "record", "name": "R", "fields": []}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]},
        {"type": "record", "name": "R", "fields": [{"name": "b", "type": TWICE}]},
    ],
    ids=["unknown-name", "defined-twice"],
)
def test_schemas_without_a_json_schema_form_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(NotConvertible):
        avro_json_schema(schema)
