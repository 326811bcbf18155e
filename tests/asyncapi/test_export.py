"""Contracts and schemas as AsyncAPI 3.0.0: valid by the official schema, channels for every
destination, messages with their schemas, operations per service, the same bytes every time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.asyncapi import build_document, load_catalogue, render
from registry.asyncapi.export import AVRO_FORMAT, channel_of
from registry.asyncapi.model import entry
from registry.asyncapi.refs import resolve
from registry.contract_testing.model import Role, Transport
from registry.errors import InvalidInput, ServiceNotFound
from tests.asyncapi.conftest import ROOT
from tests.asyncapi.specs import assert_valid


def shop_document(**options: Any) -> dict[str, Any]:
    return build_document(load_catalogue(ROOT / "contracts", ROOT / "schemas"), **options)


def test_the_export_of_the_shop_validates_against_the_official_schema() -> None:
    document = shop_document()

    assert_valid(document)
    assert document["asyncapi"] == "3.0.0"
    assert len(document["components"]["messages"]) == 10
    assert sorted(document["x-esr-services"]) == ["inventory", "orders", "payments", "shipping"]


@pytest.mark.parametrize("service", ["inventory", "orders", "payments", "shipping"])
def test_the_export_of_each_service_validates_and_holds_only_its_operations(service: str) -> None:
    document = shop_document(service=service)

    assert_valid(document)
    assert document["info"]["title"] == service
    services = {op["x-esr-service"] for op in document["operations"].values()}
    assert services == {service}
    used = {op["channel"]["$ref"].rsplit("/", 1)[1] for op in document["operations"].values()}
    assert set(document["channels"]) == used


def test_channels_carry_sns_and_sqs_bindings_and_extensions_for_the_rest() -> None:
    channels = shop_document()["channels"]

    assert channels["sns.orders-events"]["bindings"] == {
        "sns": {"name": "orders-events", "bindingVersion": "0.1.0"}
    }
    assert channels["sqs.shipment-delivered"]["bindings"] == {
        "sqs": {
            "queue": {"name": "shipment-delivered", "fifoQueue": False},
            "bindingVersion": "0.2.0",
        }
    }
    bus = channels["eventbridge.default.OrderPlaced"]
    assert (bus["address"], bus["x-esr-detail-type"], bus["x-esr-event-bus"]) == (
        "OrderPlaced",
        "OrderPlaced",
        "default",
    )
    assert "bindings" not in bus
    assert channels["kinesis.order-cancellations"]["x-esr-stream"] == "order-cancellations"
    assert channels["eventhubs.payments-ledger"]["x-esr-event-hub"] == "payments-ledger"
    assert channels["servicebus.queue.payment-failures"]["x-esr-queue"] == "payment-failures"
    # The state machine is named by its ARN in the contract; the channel by its name.
    assert channels["stepfunctions.dispatch-shipment"]["address"] == "dispatch-shipment"


def test_a_consumer_naming_no_destination_shares_its_producers_channel() -> None:
    operations = shop_document()["operations"]

    consumer = operations["inventory.receive.orders.OrderPlaced"]
    producer = operations["orders.send.orders.OrderPlaced"]
    assert consumer["channel"] == producer["channel"]
    assert consumer["x-esr-contract"] == {
        "subject": "orders.OrderPlaced",
        "transport": "eventbridge",
    }
    assert producer["x-esr-contract"] == {
        "subject": "orders.OrderPlaced",
        "transport": "eventbridge",
        "source": "shop.orders",
        "detail-type": "OrderPlaced",
    }


def test_a_consumer_nobody_produces_for_goes_on_a_channel_of_unknown_address() -> None:
    from registry.asyncapi import Catalogue, ServiceInfo, SubjectSchema
    from registry.domain import SchemaType

    lonely = entry("billing", Role.CONSUMES, "shop.Order", Transport.SNS)
    schema = SubjectSchema("shop.Order", SchemaType.JSON, {"type": "object"})
    catalogue = Catalogue({"billing": ServiceInfo()}, (lonely,), {"shop.Order": schema})

    document = build_document(catalogue)

    assert_valid(document)
    assert document["channels"]["sns.unnamed.shop.Order"]["address"] is None


def test_operations_send_for_producers_and_receive_for_consumers() -> None:
    operations = shop_document()["operations"]

    assert operations["orders.send.orders.OrderShipped"]["action"] == "send"
    assert operations["shipping.receive.orders.OrderShipped"]["action"] == "receive"
    webhook = operations["shipping.receive.shipping.ShipmentDelivered"]
    assert webhook["bindings"] == {"http": {"method": "POST", "bindingVersion": "0.3.0"}}
    for key, operation in operations.items():
        (message,) = operation["messages"]
        assert message["$ref"].startswith(operation["channel"]["$ref"] + "/messages/"), key


def test_avro_subjects_are_multi_format_schemas_and_json_ones_name_their_draft() -> None:
    messages = shop_document()["components"]["messages"]

    cancelled = messages["orders.OrderCancelled"]
    assert cancelled["payload"]["schemaFormat"] == AVRO_FORMAT
    assert cancelled["payload"]["schema"]["name"] == "OrderCancelled"
    assert "contentType" not in cancelled
    placed = messages["orders.OrderPlaced"]
    assert placed["payload"]["schemaFormat"] == "application/schema+json;version=2020-12"
    assert placed["contentType"] == "application/json"
    shipped = messages["orders.OrderShipped"]["payload"]["schemaFormat"]
    assert shipped == "application/schema+json;version=draft-07"


def test_local_references_of_a_json_schema_point_into_the_document() -> None:
    document = shop_document()
    placed = document["components"]["messages"]["orders.OrderPlaced"]["payload"]["schema"]

    ref = placed["properties"]["total"]["$ref"]
    assert ref == "#/components/messages/orders.OrderPlaced/payload/schema/$defs/Money"
    assert resolve(document, ref)["type"] == "object"


def test_the_same_contracts_give_the_same_bytes(shop: Path) -> None:
    first = render(shop_document(), "yaml")
    again = render(build_document(load_catalogue(shop / "contracts", shop / "schemas")), "yaml")

    assert first == again
    assert json.loads(render(shop_document(), "json")) == shop_document()


@pytest.mark.parametrize(
    ("transport", "fields", "address"),
    [
        (Transport.SQS, {"queue": "https://sqs.eu-west-1.amazonaws.com/1/q"}, "q"),
        (Transport.SNS, {"topic": "arn:aws:sns:eu-west-1:1:t"}, "t"),
        (Transport.EVENTBRIDGE, {"event-bus": "shop", "detail-type": "X", "source": "s"}, "X"),
        (Transport.SERVICEBUS, {"topic": "events"}, "events"),
        (Transport.APIGATEWAY, {"path": "/hook"}, "/hook"),
    ],
)
def test_each_destination_is_named_by_its_short_name(
    transport: Transport, fields: dict[str, Any], address: str
) -> None:
    found = channel_of(entry("s", Role.CONSUMES, "a.B", transport, **fields))

    assert found is not None
    assert found.address == address


def test_an_unknown_service_is_not_found() -> None:
    with pytest.raises(ServiceNotFound, match=r"Service 'billing' not found \(services: inventory"):
        shop_document(service="billing")


def test_an_empty_contracts_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()

    with pytest.raises(InvalidInput, match="no contracts"):
        load_catalogue(tmp_path / "contracts", ROOT / "schemas")


def test_a_subject_without_a_schema_is_refused(shop: Path) -> None:
    (shop / "schemas" / "orders" / "OrderShipped.json").unlink()

    with pytest.raises(InvalidInput, match=r"unknown subject 'orders\.OrderShipped'"):
        load_catalogue(shop / "contracts", shop / "schemas")


def test_an_invalid_contract_is_refused_with_its_line(shop: Path) -> None:
    (shop / "contracts" / "extra.yaml").write_text("service: extra\nproduces:\n  - subject: a.B\n")

    with pytest.raises(InvalidInput, match=r"extra.yaml:3: produces\[0\] has no 'transport'"):
        load_catalogue(shop / "contracts", shop / "schemas")


def test_a_service_bus_topic_stays_a_topic(shop: Path) -> None:
    path = shop / "contracts" / "payments.yaml"
    path.write_text(
        path.read_text().replace("queue: payment-failures", "topic: payment-failures", 1)
    )

    document = build_document(load_catalogue(shop / "contracts", shop / "schemas"))

    channel = document["channels"]["servicebus.topic.payment-failures"]
    assert channel["x-esr-topic"] == "payment-failures"
