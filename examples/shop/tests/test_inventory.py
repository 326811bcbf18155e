"""Contract tests of the inventory service: DynamoDB and Event Hubs producers, three consumers."""

from __future__ import annotations

from typing import Any

import pytest

from examples.shop.inventory import handlers, service


@pytest.mark.produces("inventory.StockReserved")
def test_reservation_item_is_a_stock_reserved_event(captured_events: Any) -> None:
    service.reserve("0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10", [{"sku": "TEE-BLK-M", "quantity": 2}])

    (event,) = captured_events
    assert event.payload["lines"] == [{"sku": "TEE-BLK-M", "quantity": 2}]


@pytest.mark.produces("inventory.StockLevelChanged")
def test_stock_levels_are_batched_to_event_hubs(captured_events: Any) -> None:
    service.publish_levels(
        [
            {
                "sku": "TEE-BLK-M",
                "warehouse": "AMS-1",
                "available": 41,
                "previous": 43,
                "changedAt": "2024-11-05T14:31:08Z",
                "cause": "reservation",
            },
            {
                "sku": "MUG-0042",
                "warehouse": "AMS-1",
                "available": 3,
                "previous": 4,
                "changedAt": "2024-11-05T14:31:08Z",
                "cause": "reservation",
                "reorderPoint": 5,
            },
        ]
    )

    assert [e.attributes["sku"] for e in captured_events] == ["TEE-BLK-M", "MUG-0042"]


@pytest.mark.consumes("orders.OrderPlaced", service="inventory", n=10)
def test_demand_counter_accepts_every_order(contract_event: Any) -> None:
    handlers.on_order_placed(contract_event, None)


@pytest.mark.consumes("inventory.StockReserved", n=10)
def test_expiry_scheduler_reads_the_stream(contract_event: Any) -> None:
    handlers.on_stock_reserved(contract_event, None)

    reservation = contract_event["Records"][0]["dynamodb"]["Keys"]["reservationId"]["S"]
    assert reservation in handlers.EXPIRING


def test_stock_release_accepts_every_failed_payment(event_contracts: Any) -> None:
    event_contracts.verify_consumer(
        handlers.on_payment_failed, "payments.PaymentFailed", n=10, service="inventory"
    )
