"""Contract tests of the payments service: SNS, Azure Service Bus and Event Hubs producers."""

from __future__ import annotations

from typing import Any

import pytest

from examples.shop.payments import handlers, service

ORDER_ID = "5f0c2a6d-1b9e-4a73-8d2c-7e6f5a4b3c21"


@pytest.mark.produces("payments.PaymentCaptured")
def test_card_payment_is_announced() -> None:
    service.payment_captured(ORDER_ID, "49.30", "EUR", {"brand": "visa", "last4": "4242"})


def test_settlement_batch_publishes_every_capture(
    captured_events: Any, event_contracts: Any
) -> None:
    captures = event_contracts.contract("payments.PaymentCaptured").examples(3, seed=7)

    published = service.payments_captured_batch(captures)

    assert published == len(captures)
    assert [e.payload for e in captured_events] == captures
    captured_events.assert_conform()


@pytest.mark.produces("payments.PaymentFailed")
def test_failed_payment_goes_to_service_bus(captured_events: Any) -> None:
    service.payment_failed(ORDER_ID, "card_declined", attempt=2)

    (event,) = captured_events
    assert (event.transport.value, event.target) == ("servicebus", "payment-failures")
    assert event.attributes == {"eventType": "PaymentFailed"}
    assert event.payload["retryable"] is False


@pytest.mark.produces("payments.PaymentRefunded")
def test_refund_goes_to_the_ledger_hub_in_avro(captured_events: Any) -> None:
    service.refund("pay_3MtwBwLkdIwHu7ix", ORDER_ID, "49.30", "EUR", "CANCELLED")

    (event,) = captured_events
    assert event.payload["amount"] == {"amount": "49.30", "currency": "EUR"}


@pytest.mark.consumes("orders.OrderPlaced", service="payments", n=10)
def test_order_placed_handler_accepts_every_example(contract_event: Any) -> None:
    handlers.on_order_placed(contract_event, None)


def test_order_cancelled_handler_reads_the_avro_records(event_contracts: Any) -> None:
    event_contracts.verify_consumer(
        handlers.on_order_cancelled, "orders.OrderCancelled", n=15, service="payments"
    )

    assert handlers.CANCELLED
