"""Contract tests of shipping: Step Functions and SQS producers, SNS and webhook consumers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from examples.shop.shipping import handlers, service

DESTINATION = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postalCode": "SW1Y 4JH",
    "country": "GB",
}


@pytest.mark.produces("shipping.ShipmentDispatched")
def test_dispatch_starts_the_workflow_with_a_conforming_input() -> None:
    arn = service.dispatch(
        "shp_9XkQ2a",
        "0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10",
        DESTINATION,
        [{"sku": "TEE-BLK-M", "quantity": 2}],
    )

    assert arn.endswith(":execution:dispatch-shipment:dispatch-shp_9XkQ2a")


@pytest.mark.produces("shipping.ShipmentDelivered")
@pytest.mark.parametrize("signed_by", ["A. Lovelace", None])
def test_delivery_notice_is_queued(signed_by: str | None) -> None:
    service.delivered("shp_9XkQ2a", "0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10", "DHL", signed_by)


def test_order_shipped_handler_passes_its_contract(event_contracts: Any) -> None:
    event_contracts.verify_consumer(
        handlers.on_order_shipped, "orders.OrderShipped", n=10, service="shipping"
    )


@pytest.mark.consumes("shipping.ShipmentDelivered", service="shipping", n=5)
def test_carrier_webhook_accepts_every_delivery(contract_event: Any) -> None:
    response = handlers.carrier_webhook(contract_event, None)

    assert response["statusCode"] == 202
    assert json.loads(response["body"])["accepted"] is True
