"""confluent-kafka's own SchemaRegistryClient and serializers against a real ``esr serve``.

Every call of the client that the issue lists is exercised, on SQLite and on PostgreSQL, plus
Avro and JSON serializer round trips (which need no broker).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from confluent_kafka.schema_registry import ConfigCompatibilityLevel, Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.support.server import ServerProcess, running_server

ORDER_V1 = json.dumps(
    {
        "type": "record",
        "name": "OrderPlaced",
        "namespace": "shop.orders",
        "fields": [{"name": "order_id", "type": "string"}, {"name": "total_cents", "type": "long"}],
    }
)
ORDER_V2 = json.dumps(
    {
        "type": "record",
        "name": "OrderPlaced",
        "namespace": "shop.orders",
        "fields": [
            {"name": "order_id", "type": "string"},
            {"name": "total_cents", "type": "long"},
            {"name": "coupon", "type": ["null", "string"], "default": None},
        ],
    }
)
ORDER_BAD = json.dumps(
    {
        "type": "record",
        "name": "OrderPlaced",
        "namespace": "shop.orders",
        "fields": [
            {"name": "order_id", "type": "string"},
            {"name": "total_cents", "type": "long"},
            {"name": "currency", "type": "string"},
        ],
    }
)
PAYMENT_JSON = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "PaymentCaptured",
        "type": "object",
        "additionalProperties": False,
        "properties": {"payment_id": {"type": "string"}, "amount": {"type": "number"}},
        "required": ["payment_id", "amount"],
    }
)


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    """``esr serve`` on a fresh SQLite file or PostgreSQL database."""
    with running_server(database_url) as process:
        yield process


@pytest.fixture
def client(server: ServerProcess) -> Iterator[SchemaRegistryClient]:
    """Confluent's client, pointed at our server (closed afterwards: it keeps a connection)."""
    with SchemaRegistryClient({"url": server.url}) as client:
        yield client


def _code(exc: pytest.ExceptionInfo[SchemaRegistryError]) -> int:
    return int(exc.value.error_code)


def test_registration_and_reads(client: SchemaRegistryClient) -> None:
    assert sorted(client.get_schema_types()) == ["AVRO", "JSON"]
    sid = client.register_schema("orders-value", Schema(ORDER_V1, "AVRO"))
    full = client.register_schema_full_response("orders-value", Schema(ORDER_V2, "AVRO"))
    assert full.schema_id == sid + 1 and full.version == 2
    assert json.loads(client.get_schema(sid).schema_str or "") == json.loads(ORDER_V1)
    assert client.get_schema(sid, subject_name="orders-value").schema_type == "AVRO"
    assert client.get_subjects() == ["orders-value"]
    assert client.get_subjects(subject_prefix="pay") == []
    assert client.get_versions("orders-value") == [1, 2]
    assert client.get_subjects_by_schema_id(sid) == ["orders-value"]
    assert [(v.subject, v.version) for v in client.get_schema_versions(sid)] == [
        ("orders-value", 1)
    ]
    latest = client.get_latest_version("orders-value")
    assert latest.version == 2 and latest.schema_id == sid + 1 and latest.subject == "orders-value"
    first = client.get_version("orders-value", 1)
    assert first.schema_id == sid
    found = client.lookup_schema("orders-value", Schema(ORDER_V1, "AVRO"))
    assert found.version == 1 and found.schema_id == sid
    with pytest.raises(SchemaRegistryError) as missing:
        client.lookup_schema("orders-value", Schema(ORDER_BAD, "AVRO"))
    assert _code(missing) == 40403
    assert client.get_contexts() == ["."]


def test_compatibility_and_config(client: SchemaRegistryClient) -> None:
    client.register_schema("orders-value", Schema(ORDER_V1, "AVRO"))
    assert client.get_compatibility() == "BACKWARD"
    assert client.test_compatibility("orders-value", Schema(ORDER_V2, "AVRO")) is True
    assert client.test_compatibility("orders-value", Schema(ORDER_BAD, "AVRO")) is False
    verbose = client.test_compatibility("orders-value", Schema(ORDER_BAD, "AVRO"), verbose=True)
    assert verbose is False
    assert client.test_compatibility_all_versions("orders-value", Schema(ORDER_V2, "AVRO")) is True
    with pytest.raises(SchemaRegistryError) as conflict:
        client.register_schema("orders-value", Schema(ORDER_BAD, "AVRO"))
    assert conflict.value.http_status_code == 409
    assert "avro.field-added-without-default" in conflict.value.error_message

    # confluent-kafka annotates set_compatibility as returning str; it returns the response body.
    assert client.set_compatibility("orders-value", "FULL") == {"compatibility": "FULL"}  # type: ignore[comparison-overlap]
    assert client.get_compatibility("orders-value") == "FULL"
    config = client.get_config("orders-value")
    assert config.compatibility_level is ConfigCompatibilityLevel.FULL
    old = client.delete_config("orders-value")
    assert old.compatibility_level is ConfigCompatibilityLevel.FULL
    with pytest.raises(SchemaRegistryError) as no_config:
        client.get_config("orders-value")
    assert _code(no_config) == 40408
    client.set_compatibility(level="NONE")
    assert client.get_config().compatibility_level is ConfigCompatibilityLevel.NONE
    assert client.register_schema("orders-value", Schema(ORDER_BAD, "AVRO")) > 0
    client.delete_config()
    assert client.get_compatibility() == "BACKWARD"


def test_modes(client: SchemaRegistryClient) -> None:
    assert client.get_global_mode() == "READWRITE"
    assert client.update_mode("orders-value", "READONLY") == "READONLY"
    assert client.get_mode("orders-value") == "READONLY"
    with pytest.raises(SchemaRegistryError) as read_only:
        client.register_schema("orders-value", Schema(ORDER_V1, "AVRO"))
    assert _code(read_only) == 42205
    assert client.delete_mode("orders-value") == "READONLY"
    assert client.update_global_mode("IMPORT") == "IMPORT"
    assert client.update_global_mode("READWRITE") == "READWRITE"


def test_deletes_and_references(client: SchemaRegistryClient) -> None:
    from confluent_kafka.schema_registry import SchemaReference

    money = json.dumps(
        {
            "type": "record",
            "name": "Money",
            "namespace": "shop",
            "fields": [{"name": "cents", "type": "long"}],
        }
    )
    client.register_schema("shop.Money", Schema(money, "AVRO"))
    refund = json.dumps(
        {
            "type": "record",
            "name": "Refund",
            "namespace": "shop",
            "fields": [{"name": "amount", "type": "shop.Money"}],
        }
    )
    ref = SchemaReference("shop.Money", "shop.Money", 1)
    rid = client.register_schema("refunds-value", Schema(refund, "AVRO", [ref]))
    assert client.get_referenced_by("shop.Money", 1) == [rid]
    with pytest.raises(SchemaRegistryError) as referenced:
        client.delete_version("shop.Money", 1)
    assert _code(referenced) == 42206
    assert client.delete_subject("refunds-value") == [1]
    assert client.get_subjects(deleted=True) == ["refunds-value", "shop.Money"]
    assert client.delete_subject("refunds-value", permanent=True) == [1]
    assert client.delete_version("shop.Money", 1) == 1
    assert client.get_versions("shop.Money", deleted=True) == [1]
    assert client.delete_version("shop.Money", 1, permanent=True) == 1
    with pytest.raises(SchemaRegistryError) as gone:
        client.get_versions("shop.Money")
    assert _code(gone) == 40401


def test_avro_serializer_round_trip(client: SchemaRegistryClient) -> None:
    serializer = AvroSerializer(client, ORDER_V2)
    ctx = SerializationContext("orders", MessageField.VALUE)
    record = {"order_id": "o-1", "total_cents": 1299, "coupon": "WELCOME"}
    payload = serializer(record, ctx)
    assert payload[0] == 0  # Confluent wire format: magic byte, then the schema id
    schema_id = int.from_bytes(payload[1:5], "big")
    assert client.get_latest_version("orders-value").schema_id == schema_id
    with SchemaRegistryClient({"url": client._rest_client.base_urls[0]}) as fresh:
        assert AvroDeserializer(fresh)(payload, ctx) == record


def test_json_serializer_round_trip(client: SchemaRegistryClient) -> None:
    serializer = JSONSerializer(PAYMENT_JSON, client)
    ctx = SerializationContext("payments", MessageField.VALUE)
    event = {"payment_id": "p-1", "amount": 12.5}
    payload = serializer(event, ctx)
    with SchemaRegistryClient({"url": client._rest_client.base_urls[0]}) as fresh:
        assert JSONDeserializer(None, schema_registry_client=fresh)(payload, ctx) == event
    assert client.get_latest_version("payments-value").schema.schema_type == "JSON"
