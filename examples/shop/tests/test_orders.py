"""Contract tests of the orders service: three producers, two consumers."""

from __future__ import annotations

from typing import Any

import pytest

from examples.shop.orders import handlers, service

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postalCode": "SW1Y 4JH",
    "country": "GB",
}
LINES = [
    {"sku": "TEE-BLK-M", "quantity": 2, "price": "19.90", "currency": "EUR"},
    {"sku": "MUG-0042", "quantity": 1, "price": "9.50", "currency": "EUR"},
]


@pytest.mark.produces("orders.OrderPlaced")
def test_place_order_publishes_order_placed() -> None:
    order_id = service.place_order("cus_7Hq2LmX9", LINES, ADDRESS)

    assert len(order_id) == 36


def test_mark_shipped_publishes_a_conforming_order_shipped(captured_events: Any) -> None:
    parcels = [{"shipmentId": "shp_9XkQ2a", "carrier": "DHL", "trackingNumber": "JD014600003828"}]

    message_id = service.mark_shipped("0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10", parcels)

    captured_events.assert_conform()
    (event,) = captured_events
    assert (event.subject, event.transport.value, event.attributes) == (
        "orders.OrderShipped",
        "sns",
        {"eventType": "OrderShipped"},
    )
    assert event.payload["parcels"] == parcels
    assert message_id  # the in-memory SNS answer went through botocore's own parser


@pytest.mark.produces("orders.OrderCancelled")
def test_cancel_order_writes_avro_in_the_confluent_wire_format(captured_events: Any) -> None:
    service.cancel_order("0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10", "CUSTOMER_REQUEST", "cus_7Hq2LmX9")

    (event,) = captured_events.of("orders.OrderCancelled")
    assert event.payload["reason"] == "CUSTOMER_REQUEST"
    assert event.payload["note"] is None


@pytest.mark.consumes("payments.PaymentCaptured", service="orders")
def test_payment_captured_handler_accepts_every_example(contract_event: Any) -> None:
    result = handlers.on_payment_captured(contract_event, None)

    assert result == {"batchItemFailures": []}


def test_shipment_delivered_handler_passes_its_contract(event_contracts: Any) -> None:
    handled = event_contracts.verify_consumer(
        handlers.on_shipment_delivered, "shipping.ShipmentDelivered", n=20, service="orders"
    )

    assert handled >= 1
